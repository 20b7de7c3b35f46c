"""The tabular generators a user would try instead of vaeaug: TVAE and CTGAN (Xu et al. 2019), from the
``ctgan`` package that SDV builds on, as samplers beside the baselines.

Optional: ``pip install "vaeaug[rivals]"`` (after the torch pin: the package asks only for ``torch>=2.0``).
Each rival learns the labelled table alone, with the label as one more discrete column, in ``generate``
(like SMOTE, it has nothing to learn before it sees the labels), and makes the same amount per class as every
method: CTGAN samples each class by its conditional generator, TVAE samples and keeps the rows of the classes
still short, for a bounded number of rounds (:func:`~vaeaug.generation.filtering.draw_until`). Text columns
of a DataFrame are its discrete columns, and the new rows come back in the table's own types.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .._choices import RIVALS
from .._settings import GENERATION, RIVAL
from .._typing import ArrayLike, Labels, RandomState
from .._validation import check_labels, check_samples, check_seed
from ..data.tables import check_no_missing, is_mixed_table, text_columns
from .amounts import class_targets, per_sample
from .filtering import draw_until, warn_short
from .sampler import SamplerMixin

__all__ = ["TabularRival"]

_LABEL = "__vaeaug_label__"


def _synthesizer(name, epochs, seed):
    try:
        from ctgan import CTGAN, TVAE
    except ImportError:
        raise ValueError(f"The {name!r} rival needs the ctgan package: pip install \"vaeaug[rivals]\" (after "
                         "pip install torch==2.13.0, or the torch you have, so that no other torch comes).") from None
    model = (TVAE if name == "tvae" else CTGAN)(epochs=epochs, enable_gpu=False)
    model.set_random_state(seed)
    return model


class TabularRival(SamplerMixin, BaseEstimator):
    """TVAE or CTGAN, trained on the labelled table in ``generate``.

    Parameters
    ----------
    model : {"tvae", "ctgan"}
    epochs : int
        Passes over the labelled rows (the package's default, 300).
    n_neighbors, n_per_sample, n_per_class :
        The amount, as for every method: by default ``n_neighbors`` (3) per labelled row.
    random_state : int, optional
    """

    _reads_tables = True  # text columns are its discrete columns

    def __init__(self, model: str = "tvae", epochs: int = RIVAL.epochs, n_neighbors: int = GENERATION.n_neighbors,
                 n_per_sample: int | None = GENERATION.n_per_sample,
                 n_per_class: int | str | dict | None = GENERATION.n_per_class, random_state: RandomState = None):
        self.model = model
        self.epochs = epochs
        self.n_neighbors = n_neighbors
        self.n_per_sample = n_per_sample
        self.n_per_class = n_per_class
        self.random_state = random_state

    def fit(self, X: ArrayLike | None = None, y: Labels | None = None) -> TabularRival:
        """Nothing to learn before the labels: ``generate`` trains on the labelled rows it is given."""
        if self.model not in RIVALS:
            raise ValueError(f"model must be one of {list(RIVALS)}; got {self.model!r}.")
        check_seed(self.random_state, name="random_state")
        if X is not None:
            self.n_features_in_ = self._table(X).shape[1]
        return self

    @staticmethod
    def _table(X) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            check_no_missing(X)  # before the rival trains on a gap
            return X.reset_index(drop=True)
        X = check_samples(X)
        if X.ndim != 2:
            raise ValueError(f"TVAE and CTGAN make table rows; got samples of shape {X.shape[1:]}. Use them on "
                             "tabular data, (N, D).")
        return pd.DataFrame(X.astype(np.float64), columns=[f"x{i}" for i in range(X.shape[1])])

    def generate(self, X: ArrayLike, y: Labels) -> tuple:
        """New rows for ``(X, y)``: a DataFrame for a DataFrame, else an array."""
        self.fit()
        table = self._table(X)
        y = check_labels(y, len(table), min_classes=1)
        classes, codes = np.unique(y, return_inverse=True)
        targets = class_targets(y, n_per_sample=per_sample(self.n_per_sample, self.n_neighbors),
                                n_per_class=self.n_per_class)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        model = _synthesizer(self.model, self.epochs, seed)
        discrete = text_columns(table) + [c for c in table.columns if pd.api.types.is_bool_dtype(table[c])]
        model.fit(table.assign(**{_LABEL: codes.astype(str)}), discrete_columns=discrete + [_LABEL])
        drawn = []

        def draw(ask, _round):
            if self.model == "ctgan":  # its conditional generator: each class's rows
                rows = pd.concat([model.sample(n, condition_column=_LABEL,
                                               condition_value=str(int(np.flatnonzero(classes == c)[0])))
                                  for c, n in ask.items()], ignore_index=True)
            else:  # TVAE samples the joint: twice what is asked, kept by class below
                rows = model.sample(2 * sum(ask.values()))
            labels = classes[rows.pop(_LABEL).astype(int).to_numpy()]
            start = sum(len(r) for r in drawn)
            drawn.append(rows)
            # draw_until keeps indices into the rows drawn, so the table's own types stay in the DataFrame
            return np.arange(start, start + len(rows)), labels, len(rows)

        kept, labels, report = draw_until(draw, targets)
        self.generation_report_ = report
        warn_short(report, "The rival rarely makes rows of these classes: lower the amount.")
        if kept is None:
            new = table.iloc[:0]
        else:
            new = pd.concat(drawn, ignore_index=True).iloc[kept].reset_index(drop=True).astype(table.dtypes)
            labels = labels.astype(y.dtype, copy=False)
        if is_mixed_table(X):
            return new, (y[:0] if kept is None else labels)
        return new.to_numpy(dtype=np.float32), (y[:0] if kept is None else labels)
