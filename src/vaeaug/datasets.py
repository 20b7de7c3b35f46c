"""Datasets: arrays of samples and labels with their class names.

Images are float32 in [0, 1] with layout (N, H, W); tabular data is (N, D).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import check_choice

__all__ = ["Dataset", "DATASETS", "load"]


@dataclass
class Dataset:
    """Samples ``X``, labels ``y``, class names and any named index splits the source defines."""

    name: str
    X: np.ndarray
    y: np.ndarray
    class_names: list[str]
    splits: dict[str, np.ndarray] = field(default_factory=dict)
    description: str = ""


def _digits(data_dir=None) -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # Pixel intensities are 0..16; scaling to [0, 1] suits a Bernoulli likelihood.
    return Dataset(
        name="digits",
        X=(bunch.images / 16.0).astype(np.float32),
        y=bunch.target.astype(np.int64),
        class_names=[str(c) for c in bunch.target_names],
        description="scikit-learn's bundled handwritten digits: 1,797 images of 8x8 pixels, 10 classes.",
    )


DATASETS = {"digits": _digits}


def load(name: str, data_dir=None) -> Dataset:
    """Load a dataset by name (see :data:`DATASETS`).

    Examples
    --------
    >>> data = load("digits")
    >>> data.X.shape, len(data.class_names)
    ((1797, 8, 8), 10)
    """
    check_choice(name, tuple(DATASETS), name="dataset")
    return DATASETS[name](data_dir)
