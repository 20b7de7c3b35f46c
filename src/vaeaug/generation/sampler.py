"""What vaeaug's samplers share with imbalanced-learn's: ``fit_resample``, their tags, feature names, and
output in the input's type.

imbalanced-learn's convention: ``fit_resample`` returns the originals followed by
the new rows, in the type they came in (lists give lists, a pandas DataFrame
gives a DataFrame with its columns, a Series a Series with its name), and
``get_feature_names_out`` names the columns it returns. As imbalanced-learn's
``BaseSampler``, :meth:`SamplerMixin.fit_resample` is one template: it checks the
input once, lets the sampler refuse what it cannot do before any training
(``_check_resample``: an amount too large for memory, a missing pool), fits and
generates (``_fit_resample``), and gives the result back in the input's type.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from imblearn.utils._tags import InputTags, SamplerTags, Tags
from sklearn.utils.validation import check_is_fitted

from .._typing import ArrayLike, Labels
from .._validation import check_labels, check_samples
from ..data.tables import TableCodec, is_mixed_table

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


def _exactly(X, X_checked) -> np.ndarray:
    """The samples as the user gave them (float64, integers, ...), so that the originals come back unchanged:
    the checked copy is float32, which moves 16,777,217 to 16,777,216. Non-numeric input keeps the checked copy."""
    given = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)
    return given if given.dtype.kind in "biuf" and given.shape == X_checked.shape else X_checked


class SamplerMixin:
    """``fit_resample``, sampler tags and the names of the features out (those of ``fit``'s DataFrame,
    ``feature_names_in_``). A sampler has ``fit`` and ``generate(X, y) -> (X_new, y_new)``."""

    _fit_needs_labels = True

    def fit_resample(self, X: ArrayLike, y: Labels, **fit_params) -> tuple:
        """Fit, then return the originals followed by the new samples, in the input's type.

        ``fit_params`` go to ``fit`` (``X_unlabelled=`` for a VAE, say). In latent space the originals are
        returned as their codes.
        """
        if is_mixed_table(X):
            return self._fit_resample_table(X, y, **fit_params)
        X_checked = check_samples(X)
        y_checked = check_labels(y, len(X_checked))
        self._check_resample(X_checked, y_checked, fit_params)
        X_new, y_new = self._fit_resample(X, y_checked, **fit_params)
        X_orig = self._originals(X, _exactly(X, X_checked))
        dtype = np.result_type(X_orig.dtype, X_new.dtype)  # the originals as they came, the new rows alike
        return as_given(np.concatenate([X_orig.astype(dtype, copy=False), X_new.astype(dtype, copy=False)]),
                        np.concatenate([y_checked, y_new]), X, y, columns=self._columns_out())

    _reads_tables = False  # whether generate takes a mixed-type DataFrame itself (SMOTE-NC, TVAE, CTGAN)

    def _fit_resample_table(self, X, y, **fit_params) -> tuple:
        """A DataFrame of mixed types (text, integers, booleans). A sampler that reads tables gets it as it is;
        any other learns from its encoding in [0, 1] (:class:`~vaeaug.data.tables.TableCodec`), and the new rows
        are decoded to the table's own columns, types and ranges (in latent space the codes are returned). The
        originals come back as they were."""
        y_checked = check_labels(y, len(X))
        if self._reads_tables:
            new, y_new = self._fit_resample(X, y_checked, **fit_params)
        else:
            # an unlabelled pool of the same table is encoded alike (its categories and ranges count too)
            pool = _same_table(fit_params.get("X_unlabelled"), X)
            codec = TableCodec().fit(X if pool is None else pd.concat([X, pool], ignore_index=True))
            self.table_codec_ = codec
            if pool is not None:
                fit_params = {**fit_params, "X_unlabelled": codec.transform(pool)}
            X_out, y_out = self.fit_resample(codec.transform(X), y_checked, **fit_params)
            if getattr(self, "space", "data") == "latent":
                return X_out, as_given(X_out, y_out, X_out, y)[1]
            new, y_new = codec.inverse_transform(X_out[len(X):]), y_out[len(X):]
        X_all = pd.concat([X.reset_index(drop=True), new], ignore_index=True)
        return X_all, as_given(X_all, np.concatenate([y_checked, y_new]), X_all, y)[1]

    def _check_resample(self, X, y, fit_params) -> None:
        """Refuse, before any training, what ``fit_resample`` cannot do."""

    def _fit_resample(self, X, y, **fit_params) -> tuple[np.ndarray, np.ndarray]:
        """The new samples: fitted on ``(X, y)``, generated from them."""
        return self.fit(X, y, **fit_params).generate(X, y)

    def _originals(self, X, X_checked) -> np.ndarray:
        """The originals as returned: the samples as given (a latent-space sampler: their codes)."""
        return X_checked

    def _columns_out(self):
        """The names of a DataFrame's columns out (None: the input's)."""
        return None

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


def _same_table(pool, X):
    """``pool`` (None, or unlabelled rows for a mixed-type table ``X``) checked to have ``X``'s columns."""
    if pool is None:
        return None
    if not hasattr(pool, "columns") or list(pool.columns) != list(X.columns):
        raise ValueError(f"X is a table with the columns {list(X.columns)}; give X_unlabelled as a DataFrame with "
                         "the same columns (without the label).")
    return pool
