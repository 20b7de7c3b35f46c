"""The type aliases of the public API's signatures."""

from __future__ import annotations

from os import PathLike
from typing import Union

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["ArrayLike", "Labels", "PathType", "RandomState"]

PathType = Union[str, PathLike]  # a file or folder
RandomState = Union[int, np.random.RandomState, None]  # scikit-learn's random_state
Labels = ArrayLike  # one class label per sample: numbers or strings
