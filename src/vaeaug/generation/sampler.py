"""What vaeaug's samplers share with imbalanced-learn's: their tags, feature names, and output in the input's type.

imbalanced-learn's convention: ``fit_resample`` returns the originals followed by
the new rows, in the type they came in (lists give lists, a pandas DataFrame
gives a DataFrame with its columns, a Series a Series with its name), and
``get_feature_names_out`` names the columns it returns.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from imblearn.utils._tags import InputTags, SamplerTags, Tags
from sklearn.utils.validation import check_is_fitted

from .._typing import ArrayLike

__all__ = ["SamplerMixin", "sampler_tags", "as_given"]


def _fields(tags) -> dict:
    """A tags dataclass's own fields (not a deep copy, unlike dataclasses.asdict)."""
    return {f.name: getattr(tags, f.name) for f in dataclasses.fields(tags)}


def sampler_tags(tags, *, target_required=True):
    """scikit-learn's ``tags`` made imbalanced-learn's sampler tags, for dense arrays of 2 to 4 dimensions.

    ``target_required=False`` for a sampler whose ``fit`` learns without labels (its ``fit_resample`` takes them).
    """
    tags = Tags(**_fields(tags), sampler_tags=SamplerTags())
    tags.input_tags = InputTags(**_fields(tags.input_tags), dataframe=True)
    tags.estimator_type = "sampler"
    tags.input_tags.three_d_array = True
    tags.target_tags.required = target_required
    return tags


def as_given(X_out, y_out, X, y, *, columns=None):
    """``X_out`` and ``y_out`` in the types of ``X`` and ``y``: lists, pandas objects, or arrays.

    A DataFrame out gets ``columns`` (default: ``X``'s); images stay arrays.
    """
    if isinstance(X, list):
        X_out = X_out.tolist()
    elif hasattr(X, "columns") and hasattr(X, "iloc") and np.ndim(X_out) == 2:
        X_out = type(X)(X_out, columns=X.columns if columns is None else list(columns))
    if isinstance(y, list):
        y_out = y_out.tolist()
    elif hasattr(y, "iloc") and hasattr(y, "columns"):  # a one-column DataFrame
        y_out = type(y)(y_out, columns=y.columns)
    elif hasattr(y, "iloc") and hasattr(y, "name"):
        y_out = type(y)(y_out, name=y.name)
    return X_out, y_out


class SamplerMixin:
    """Sampler tags and the names of the features out (those of ``fit``'s DataFrame, ``feature_names_in_``)."""

    _fit_needs_labels = True

    def __sklearn_tags__(self):
        return sampler_tags(super().__sklearn_tags__(), target_required=self._fit_needs_labels)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the output features: those seen in ``fit`` (or ``input_features``), else ``x0``, ``x1``, ..."""
        check_is_fitted(self, "n_features_in_")
        fitted = getattr(self, "feature_names_in_", None)
        if input_features is None:
            input_features = fitted
        elif fitted is not None and list(input_features) != list(fitted):
            raise ValueError(f"input_features is not equal to feature_names_in_: got {list(input_features)}, "
                             f"fitted on {list(fitted)}.")
        if input_features is not None and len(input_features) != self.n_features_in_:
            raise ValueError(f"input_features should have length equal to the number of features seen in fit, "
                             f"{self.n_features_in_}; got {len(input_features)}.")
        names = input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray([str(name) for name in names], dtype=object)
