"""One cell's context: its dataset (by its identity), its split, and the models it needs.

The runner scores cells in it, and ``vaeaug run``'s figures and ``styles.png`` are drawn from it, so a figure
uses the very models the table's cells used (the same cache keys), never a second VAE trained for a picture.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .._choices import IMAGE_CLASSIFIERS
from ..data.datasets import NAMED, dataset_identity, load
from ..data.sources import Dataset, file_state
from ..generation.registry import needs_images, parse_method
from .cache import ModelSource
from .config import split_for

__all__ = ["CellContext", "cell_context", "load_grid_dataset", "data_folder", "needing_images"]


def data_folder(config, data_dir=None) -> Path | None:
    """Where a run looks for dataset files first: ``data_dir``, else the config's ``data_dir`` (absolute, for
    workers that start in another folder)."""
    folder = data_dir or config.data_dir
    return Path(folder).resolve() if folder else None


def load_grid_dataset(config, name, data_dir) -> Dataset:
    """A dataset of the grid under its identity, refused if the grid asks of it what only images have (before
    any cell runs)."""
    data = replace(load(name, data_dir or config.data_dir, label_column=config.label_column),
                   name=dataset_identity(name))
    methods, classifiers = needing_images(config, data)
    if methods or classifiers:  # every one in one sentence, not one per run
        named = [f"method {m!r} (it rotates, shifts and scales images)" for m in methods] + \
            [f"the {c} classifier" for c in classifiers]
        raise ValueError(f"{name} holds feature vectors (shape {data.X.shape}), but {'; '.join(named)} "
                         f"need{'s' if len(named) == 1 else ''} images; drop {'it' if len(named) == 1 else 'them'} "
                         "for this dataset (tables take smote, the VAE methods, and svm, knn, mlp, rf, gbt).")
    return data


def needing_images(config, data) -> tuple[list[str], list[str]]:
    """The methods and classifiers of ``config`` that need images, where ``data`` holds feature vectors."""
    if data.X.ndim >= 3:
        return [], []
    return ([m for m in config.methods if needs_images(parse_method(m))],
            [c for c in config.classifiers if c in IMAGE_CLASSIFIERS])


_LOADED: dict = {}  # the dataset this process loaded last: a worker reuses it for the next group


def _dataset(config, name, data_dir) -> Dataset:
    # A file written again since (a notebook's second run) is read again
    identity = dataset_identity(name)
    key = (identity, str(data_dir), None if identity in NAMED else file_state(identity))
    if key not in _LOADED:
        _LOADED.clear()  # one dataset in memory at a time
        _LOADED[key] = load_grid_dataset(config, name, data_dir)
    return _LOADED[key]


@dataclass
class CellContext:
    """The dataset, split and models of one (dataset, protocol, seed, latent size, variant)."""

    data: Dataset
    split: tuple
    models: ModelSource

    @property
    def labelled(self) -> tuple[np.ndarray, np.ndarray]:
        return self.data.X[self.split.labelled], self.data.y[self.split.labelled]

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        return self.data.X[self.split.test], self.data.y[self.split.test]

    def pool(self) -> np.ndarray:
        """The unlabelled samples (a copy made when asked: it may be large)."""
        return self.data.X[self.split.unlabelled]


def cell_context(config, dataset, protocol, seed, latent_dim, variant, *, data_dir, cache,
                 progress=False) -> CellContext:
    """The context of a cell of ``config``'s grid; ``dataset`` is a name or a file's path (its identity is the
    same either way), ``data_dir`` as :func:`data_folder` gives it, ``cache`` the model cache's folder."""
    data = _dataset(config, dataset, data_dir)
    split = split_for(config, data, protocol, seed)
    return CellContext(data, split, ModelSource(config, data, split, protocol, seed, latent_dim, variant, cache,
                                                progress))
