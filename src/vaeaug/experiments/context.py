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

__all__ = ["CellContext", "cell_context", "load_grid_dataset", "read_grid_dataset", "data_folder",
           "inapplicable"]


def data_folder(config, data_dir=None) -> Path | None:
    """Where a run looks for dataset files first: ``data_dir``, else the config's ``data_dir`` (absolute, for
    workers that start in another folder)."""
    folder = data_dir or config.data_dir
    return Path(folder).resolve() if folder else None


def load_grid_dataset(config, name, data_dir) -> Dataset:
    """A dataset of the grid under its identity, refused if the grid asks of it what only images have (before
    any cell runs)."""
    data = read_grid_dataset(name, data_dir or config.data_dir, config.label_column, config.unlabelled)
    refused = inapplicable(config, data)
    if refused:  # every one in one sentence, not one per run
        raise ValueError(f"{name} cannot take {'; '.join(f'{what} ({why})' for what, why in refused.values())}; "
                         f"drop {'it' if len(refused) == 1 else 'them'} for this dataset (tables take smote, the "
                         "VAE methods, and svm, knn, mlp, rf, gbt).")
    return data


def inapplicable(config, data) -> dict[str, tuple[str, str]]:
    """The methods and classifiers of ``config`` that ``data`` cannot take: name -> (what it is, why not)."""
    refused = {}
    if data.X.ndim < 3:
        vectors = f"the data are feature vectors, shape {data.X.shape}"
        refused.update({m: (f"method {m!r}", f"it rotates, shifts and scales images; {vectors}")
                        for m in config.methods if needs_images(parse_method(m))})
        refused.update({c: (f"the {c} classifier", f"it needs images; {vectors}")
                        for c in config.classifiers if c in IMAGE_CLASSIFIERS})
    if "unlabelled" in data.splits:
        refused.update({m: (f"method {m!r}", "it adds pool rows with their true labels, and your unlabelled rows "
                                             "have none") for m in config.methods if parse_method(m).kind == "real"})
    return refused


_LOADED: dict = {}  # the dataset this process loaded last: a worker reuses it for the next group


def read_grid_dataset(name, data_dir, label_column, unlabelled=None) -> Dataset:
    """A dataset under its identity, unchecked, and kept: the process's next load of it is free. A file written
    again since (a notebook's second run) is read again; each grid checks it anew (:func:`load_grid_dataset`)."""
    identity = dataset_identity(name)
    key = (identity, str(data_dir), label_column, None if identity in NAMED else file_state(identity),
           unlabelled and file_state(unlabelled))
    if key not in _LOADED:
        _LOADED.clear()  # one dataset in memory at a time
        _LOADED[key] = replace(load(name, data_dir, label_column=label_column, unlabelled=unlabelled),
                               name=identity)
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
    data = load_grid_dataset(config, dataset, data_dir)
    split = split_for(config, data, protocol, seed)
    return CellContext(data, split, ModelSource(config, data, split, protocol, seed, latent_dim, variant, cache,
                                                progress))
