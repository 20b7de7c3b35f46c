"""What the latent alterations share, and the methods that make their codes in one go.

:class:`Alteration` is what every alteration returns; :func:`check_codes` checks codes and labels at the
boundary. Prior draws (:func:`sample_prior`) are labelled by their nearest labelled codes
(:func:`label_by_neighbours`), and :func:`smote` is imbalanced-learn's SMOTE on codes or samples: neither
starts from one labelled code with a move (:mod:`vaeaug.generation.latent`).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from sklearn.neighbors import NearestNeighbors

from .._settings import GENERATION
from .._typing import RandomState
from .._validation import check_labels, check_positive
from .amounts import class_targets, per_sample

__all__ = ["Alteration", "check_codes", "sample_prior", "label_by_neighbours", "smote", "mark_repeats"]


class Alteration(NamedTuple):
    """New codes, their labels, and the row of the code each one came from (-1 for prior draws)."""

    codes: np.ndarray
    labels: np.ndarray
    source: np.ndarray


def check_codes(codes, labels):
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) == 0:
        raise ValueError(f"codes must be a non-empty 2-D array (N, latent_dim); got shape {codes.shape}.")
    if not np.isfinite(codes).all():
        raise ValueError("codes contain NaN or infinite values; check the encoder's output.")
    labels = check_labels(labels, len(codes), name="labels", min_classes=1)
    return codes, labels


def mark_repeats(rows, seen: set | None = None) -> np.ndarray:
    """True for each row equal to an earlier row, or to one in ``seen`` (rows as bytes), to which the rows are
    added: a generator's output keeps only rows that are new.

    >>> mark_repeats(np.array([[0.0], [1.0], [0.0]]), {np.array([1.0]).tobytes()}).tolist()
    [False, True, True]
    """
    seen = set() if seen is None else seen
    flat = np.ascontiguousarray(np.asarray(rows).reshape(len(rows), -1))
    repeated = np.zeros(len(flat), dtype=bool)
    for i, row in enumerate(flat):
        key = row.tobytes()
        repeated[i] = key in seen
        seen.add(key)
    return repeated


def sample_prior(n: int, latent_dim: int, *, alpha: float = 1.0, random_state: RandomState = None) -> np.ndarray:
    """``n`` codes drawn from ``alpha * N(0, I)``: the prior itself at alpha = 1, nearer its mode below."""
    check_positive(n, name="n", integer=True, allow_zero=True)
    check_positive(latent_dim, name="latent_dim", integer=True)
    check_positive(alpha, name="alpha", allow_zero=True)
    return alpha * np.random.default_rng(random_state).standard_normal((n, latent_dim))


def smote(rows, labels, *, n_neighbors=GENERATION.n_neighbors, n_per_sample=None, n_per_class=None,
          random_state=None, categorical=None) -> Alteration:
    """SMOTE (Chawla et al. 2002) by imbalanced-learn: new rows on segments between same-class neighbours.

    Each new row is ``x + u * (x_k - x)``, u ~ U(0, 1), x_k one of the k
    nearest same-class neighbours of a random row x. ``rows`` may be latent
    codes or samples of any shape (images are flattened for the neighbour
    search and shaped back). The amount is :func:`~vaeaug.generation.latent.alter`'s. The rows each new
    one came from are not reported (``source`` is -1). ``categorical``, the indices of columns that hold
    category codes, makes it SMOTE-NC: those columns take the value most of the neighbours have.

    Examples
    --------
    >>> new = smote([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1], n_neighbors=1, random_state=0)
    >>> new.labels.tolist(), bool(((new.codes[:2] >= 0) & (new.codes[:2] <= 1)).all())
    ([0, 0, 1, 1], True)
    """
    from imblearn.over_sampling import SMOTE as ImblearnSMOTE, SMOTENC

    rows = np.asarray(rows)
    flat, labels = check_codes(rows.reshape(len(rows), -1), labels)
    check_positive(n_neighbors, name="n_neighbors", integer=True)
    n_per_sample = per_sample(n_per_sample, n_neighbors)
    targets = class_targets(labels, n_per_sample=n_per_sample, n_per_class=n_per_class)
    classes, counts = np.unique(labels, return_counts=True)
    count_of = dict(zip(classes.tolist(), counts.tolist()))
    wanted = {c: count_of[c] + n for c, n in targets.items() if n > 0}
    if not wanted:
        return Alteration(rows[:0], labels[:0], np.empty(0, dtype=int))
    if len(classes) < 2:
        raise ValueError("SMOTE (imbalanced-learn) needs samples of at least two classes; with one VAE per "
                         "class (multi-vae) use a move such as 'interpolation' instead.")
    smallest = min(count_of[c] for c in wanted)
    if smallest < 2:
        raise ValueError(f"SMOTE needs at least 2 samples in every class it adds to, as each new sample lies "
                         f"between two of them; a class here has {smallest}. Label more samples of it, or "
                         "use a method such as 'noise'.")
    k = min(n_neighbors, smallest - 1)
    if k < n_neighbors:
        warnings.warn(f"SMOTE uses {k} neighbours instead of n_neighbors = {n_neighbors}: the smallest class "
                      f"it adds to has {smallest} samples.", UserWarning, stacklevel=2)
    seed = int(np.random.default_rng(random_state).integers(np.iinfo(np.int32).max))
    sampler = ImblearnSMOTE(sampling_strategy=wanted, k_neighbors=k, random_state=seed) if not categorical else \
        SMOTENC(categorical, sampling_strategy=wanted, k_neighbors=k, random_state=seed)
    resampled, new_labels = sampler.fit_resample(flat, labels)
    # imbalanced-learn returns the originals first, then the new rows class by class.
    new = resampled[len(flat):].reshape((-1,) + rows.shape[1:])
    return Alteration(new, new_labels[len(flat):], np.full(len(new), -1))


def label_by_neighbours(new_codes, codes, labels, *, n_neighbors=GENERATION.n_neighbors):
    """Label each new code by its k nearest labelled codes; ambiguous ones are marked.

    Returns
    -------
    labels : array of shape (M,)
        The class of each new code's nearest labelled code.
    unanimous : bool array of shape (M,)
        True where all k nearest labelled codes share that class. Prior samples
        that are not unanimous sit between classes and are dropped.

    Examples
    --------
    >>> found, sure = label_by_neighbours([[0.1], [5.0]], [[0.0], [0.2], [9.0], [10.0]], [0, 0, 1, 1],
    ...                                   n_neighbors=2)
    >>> found.tolist(), sure.tolist()
    ([0, 1], [True, False])
    """
    codes, labels = check_codes(codes, labels)
    new_codes = np.asarray(new_codes, dtype=np.float64).reshape(-1, codes.shape[1])
    check_positive(n_neighbors, name="n_neighbors", integer=True)
    if len(new_codes) == 0:
        return labels[:0], np.zeros(0, dtype=bool)
    k = min(n_neighbors, len(codes))
    _, found = NearestNeighbors(n_neighbors=k).fit(codes).kneighbors(new_codes)
    votes = labels[found]
    return votes[:, 0], (votes == votes[:, :1]).all(axis=1)
