"""What a method made, judged without a test set: why a column helps or not.

:func:`sample_quality` compares the new labelled samples of one method with the labelled samples they came
from, on four questions a user asks of augmented data:

* ``agreement`` - would an independent judge give them the labels they carry? The judge is a 3-nearest-
  neighbour classifier of the labelled samples alone (standardised features), so it never saw what a method
  made; a label it disagrees with is one a classifier could learn wrongly.
* ``distinct`` - how many of them are different samples (a repeated sample adds weight, not information)?
* ``spread`` - how varied they are within a class, against the labelled samples' own variety: the mean
  pairwise distance within each class, new over labelled (about 1: as varied; far below 1: a class's samples
  collapse towards one prototype).
* ``nearest`` - how close each sits to the nearest labelled sample, against how close the labelled samples
  sit to each other (median distances, new over labelled; near 0: near-copies of the originals, the
  memorisation question).

All four are pure functions of arrays (samples flattened to vectors), so any run, benchmark or notebook can
take them.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.preprocessing import StandardScaler

__all__ = ["sample_quality", "QUALITY_KEYS"]

QUALITY_KEYS = ("agreement", "distinct", "spread", "nearest")
_PER_CLASS = 100  # samples per class the pairwise distances are taken over (a class may have thousands)


def sample_quality(X_labelled, y_labelled, X_new, y_new, *, random_state=0) -> dict[str, float | None]:
    """The four measures of the module docstring for new samples ``(X_new, y_new)`` made from
    ``(X_labelled, y_labelled)``; a measure that cannot be taken (no new samples, one labelled sample a
    class) is None.

    Examples
    --------
    >>> X = np.array([[0.0, 0], [0, 1], [5, 5], [5, 6]]); y = np.array([0, 0, 1, 1])
    >>> quality = sample_quality(X, y, X + 0.01, y)  # near-copies of the originals, with their labels
    >>> quality["agreement"], quality["distinct"], round(quality["spread"], 2), quality["nearest"] < 0.05
    (1.0, 1.0, 1.0, True)
    """
    X_labelled, X_new = _vectors(X_labelled), _vectors(X_new)
    y_labelled, y_new = np.asarray(y_labelled), np.asarray(y_new)
    if len(X_new) == 0:
        return dict.fromkeys(QUALITY_KEYS)
    scaler = StandardScaler().fit(X_labelled)  # one scale per feature, as the classifiers see a table's columns
    labelled, new = scaler.transform(X_labelled), scaler.transform(X_new)
    judge = KNeighborsClassifier(min(3, len(labelled))).fit(labelled, y_labelled)
    rng = np.random.default_rng(random_state)
    spreads = [(_spread(new[y_new == c], rng), _spread(labelled[y_labelled == c], rng))
               for c in np.unique(y_new)]
    spreads = [(s_new, s_lab) for s_new, s_lab in spreads if s_new is not None and s_lab]
    return {
        "agreement": round(float(np.mean(judge.predict(new) == y_new)), 4),
        "distinct": round(len(np.unique(new, axis=0)) / len(new), 4),
        "spread": round(float(np.mean([s_new / s_lab for s_new, s_lab in spreads])), 4) if spreads else None,
        "nearest": _nearest(labelled, new),
    }


def _vectors(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return X.reshape(len(X), int(np.prod(X.shape[1:])))  # not -1: an empty array has no size to infer from


def _spread(rows, rng) -> float | None:
    """The mean pairwise distance among up to _PER_CLASS of ``rows``; None for fewer than 2."""
    if len(rows) < 2:
        return None
    rows = rows[rng.choice(len(rows), min(_PER_CLASS, len(rows)), replace=False)]
    distances = pairwise_distances(rows)
    return float(distances[np.triu_indices(len(rows), 1)].mean())


def _nearest(labelled, new) -> float | None:
    """The median distance of a new sample to its nearest labelled one, over the median distance of a labelled
    sample to its nearest other labelled one; None with fewer than 2 labelled samples."""
    if len(labelled) < 2:
        return None
    between = NearestNeighbors(n_neighbors=2).fit(labelled).kneighbors(labelled)[0][:, 1]
    scale = float(np.median(between))
    to_new = NearestNeighbors(n_neighbors=1).fit(labelled).kneighbors(new)[0][:, 0]
    return round(float(np.median(to_new)) / scale, 4) if scale > 0 else None
