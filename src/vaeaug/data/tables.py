"""Mixed-type tables to numbers in [0, 1] and back: how a VAE learns from a table with text columns.

A table's columns are of four types, and each comes back as its own type:

* numbers (float): scaled to [0, 1] by their observed range (scikit-learn's ``MinMaxScaler``), and back within
  that range: a new value never leaves ``[min, max]`` of its column. A column written with at most 6 decimals
  (a price, 82646.10; an age, 30.83) gets new values with as many, not 82646.0985...;
* integers: the same, rounded back to an integer of the column's type;
* booleans: 0 or 1, and back by a threshold of 0.5;
* categories (text, pandas' ``category``): one-hot (scikit-learn's ``OneHotEncoder``), and back as the category
  whose column is largest, so a new value is always one the column had.

Everything lands in [0, 1], so the VAE's Bernoulli likelihood fits every column. Missing values are refused
with the columns and row counts named (impute them first, e.g. with ``sklearn.impute.SimpleImputer``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder
from sklearn.utils.validation import check_is_fitted

__all__ = ["TableCodec", "is_mixed_table", "text_columns", "check_no_missing", "impute"]


def is_mixed_table(X) -> bool:
    """Whether ``X`` is a DataFrame with a column that is not a float: text, category, integer or boolean."""
    dtypes = getattr(X, "dtypes", None)
    return isinstance(X, pd.DataFrame) and not all(pd.api.types.is_float_dtype(t) for t in dtypes)


def text_columns(frame) -> list:
    """The columns of categories (text, pandas' ``category``): neither numbers nor booleans."""
    return [c for c in frame.columns if _is_categorical(frame[c])]


def check_no_missing(frame, *, where="The table") -> None:
    """Refuse missing values, naming each column with their count: a silent default would invent data."""
    missing = frame.isna().sum()
    if missing.any():
        listing = ", ".join(f"{c!r} ({n})" for c, n in missing[missing > 0].items())
        raise ValueError(f"{where} has missing values; column (rows): {listing}. Fill them first (e.g. "
                         "sklearn.impute.SimpleImputer), or drop those rows.")


def impute(frame) -> pd.DataFrame:
    """``frame`` with its missing values filled by scikit-learn's ``SimpleImputer``: a number column's median
    (rounded in an integer column), a category column's most frequent value."""
    from sklearn.impute import SimpleImputer

    frame = frame.copy()
    for name in frame.columns[frame.isna().any()]:
        strategy = "most_frequent" if _is_categorical(frame[name]) else "median"
        column = frame[[name]].astype(object if strategy == "most_frequent" else float)
        # None, pd.NA and NaN alike are what the imputer fills (pandas' versions mark text gaps differently)
        values = SimpleImputer(strategy=strategy).fit_transform(column.where(column.notna(), np.nan))
        frame[name] = values[:, 0]
        if strategy == "most_frequent":
            frame[name] = frame[name].astype(object)
        else:
            frame[name] = pd.to_numeric(frame[name])
    return frame


def _decimals(column, most=6):
    """The fewest decimals (up to ``most``) that write every value of a float column exactly, or None."""
    values = column.to_numpy(dtype=np.float64)
    for places in range(most + 1):
        # within a few ulps: the value as written, parsed
        if np.all(np.abs(np.round(values, places) - values) <= 4 * np.abs(np.spacing(values))):
            return places
    return None


def _is_categorical(series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


class TableCodec(TransformerMixin, BaseEstimator):
    """A DataFrame of mixed types to a float32 array in [0, 1] (``transform``) and back (``inverse_transform``).

    Parameters
    ----------
    categories : {"one-hot", "codes"}
        How a category column is encoded: one-hot (for the VAE), or one column of integer codes 0, 1, ...
        (for imbalanced-learn's SMOTE-NC, which needs to know which columns are categories).

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [20, 40, 60], "colour": ["red", "blue", "red"], "ok": [True, False, True]})
    >>> codec = TableCodec().fit(frame)
    >>> codec.transform(frame).shape  # age, ok, and colour one-hot (blue, red)
    (3, 4)
    >>> codec.inverse_transform([[0.26, 0.9, 0.2, 0.7]])
       age colour    ok
    0   30    red  True
    """

    def __init__(self, categories: str = "one-hot"):
        self.categories = categories

    def fit(self, X: pd.DataFrame, y=None) -> TableCodec:
        if not isinstance(X, pd.DataFrame):
            raise ValueError(f"TableCodec reads a pandas DataFrame; got {type(X).__name__}.")
        if X.empty:
            raise ValueError(f"The table is empty (shape {X.shape}); give at least one row and one column.")
        check_no_missing(X)
        self.columns_ = list(X.columns)
        self.dtypes_ = X.dtypes
        self.categorical_ = text_columns(X)
        self.numeric_ = [c for c in X.columns if c not in self.categorical_]
        self.scaler_ = MinMaxScaler().fit(X[self.numeric_].astype(np.float64)) if self.numeric_ else None
        self.decimals_ = {c: _decimals(X[c]) for c in self.numeric_ if pd.api.types.is_float_dtype(X[c])}
        if self.categories not in ("one-hot", "codes"):
            raise ValueError(f"categories must be 'one-hot' or 'codes'; got {self.categories!r}.")
        encoder = OneHotEncoder(sparse_output=False, handle_unknown="error", dtype=np.float32) \
            if self.categories == "one-hot" else OrdinalEncoder(dtype=np.float32)
        self.encoder_ = encoder.fit(X[self.categorical_].astype(str)) if self.categorical_ else None
        # The encoder sees each category as text; these give back the column's own values (numbers in an
        # object column stay numbers).
        self.values_ = [{str(v): v for v in pd.unique(X[c])} for c in self.categorical_]
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Numbers scaled by their range, then the categories one-hot: ``get_feature_names_out`` names them."""
        check_is_fitted(self, "columns_")
        if not isinstance(X, pd.DataFrame) or list(X.columns) != self.columns_:
            raise ValueError(f"TableCodec was fitted on the columns {self.columns_}; give a DataFrame with those.")
        check_no_missing(X)
        parts = []
        if self.scaler_ is not None:
            parts.append(np.clip(self.scaler_.transform(X[self.numeric_].astype(np.float64)), 0, 1))
        if self.encoder_ is not None:
            try:
                parts.append(self.encoder_.transform(X[self.categorical_].astype(str)))
            except ValueError as error:
                raise ValueError(f"A category the table did not have when fitted: {error}") from None
        return np.hstack(parts).astype(np.float32)

    def inverse_transform(self, X) -> pd.DataFrame:
        """Rows of the encoded table back as the table's columns, types and values: numbers within their column's
        range, integers rounded, booleans by 0.5, categories by their largest one-hot value."""
        check_is_fitted(self, "columns_")
        X = np.asarray(X, dtype=np.float64)
        if len(X) == 0:  # nothing made: an empty table of the same columns and types
            return pd.DataFrame({name: pd.Series(dtype=self.dtypes_[name]) for name in self.columns_})
        n_numeric = len(self.numeric_)
        columns = {}
        if self.scaler_ is not None:
            values = self.scaler_.inverse_transform(np.clip(X[:, :n_numeric], 0, 1))
            for i, name in enumerate(self.numeric_):
                dtype = self.dtypes_[name]
                if pd.api.types.is_bool_dtype(dtype):
                    columns[name] = values[:, i] >= 0.5
                elif pd.api.types.is_integer_dtype(dtype):
                    columns[name] = np.rint(values[:, i]).astype(dtype)
                else:
                    places = self.decimals_.get(name)
                    column = values[:, i] if places is None else np.round(values[:, i], places)
                    columns[name] = column.astype(dtype)
        if self.encoder_ is not None:
            encoded = X[:, n_numeric:]
            if self.categories == "codes":  # the nearest code of a category the column had
                encoded = np.clip(np.rint(encoded), 0, [len(c) - 1 for c in self.encoder_.categories_])
            categories = self.encoder_.inverse_transform(encoded)
            for i, name in enumerate(self.categorical_):
                columns[name] = [self.values_[i][v] for v in categories[:, i]]
        return pd.DataFrame({name: columns[name] for name in self.columns_}).astype(self.dtypes_.to_dict())

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "columns_")
        names = [str(c) for c in self.numeric_]
        if self.encoder_ is not None:
            names += self.encoder_.get_feature_names_out([str(c) for c in self.categorical_]).tolist()
        return np.asarray(names, dtype=object)
