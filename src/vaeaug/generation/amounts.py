"""How many new samples each class gets, and which labelled rows they start from."""

from __future__ import annotations

import numpy as np

from .._choices import ALL, BALANCE, parse_amount
from .._validation import check_choice, check_fits, check_positive

__all__ = ["BALANCE", "ALL", "check_amount", "check_amount_fits", "parse_amount", "per_sample", "class_targets",
           "source_rows", "pool_targets", "surest_rows", "soft_rows"]


def per_sample(n_per_sample, n_neighbors) -> int:
    """New samples per labelled sample: ``n_per_sample``, or by default ``n_neighbors`` (one per neighbour
    the moves use), for every method, the baselines' and the conditional model's alike.

    >>> per_sample(None, 3), per_sample(5, 3)
    (3, 5)
    """
    return n_neighbors if n_per_sample is None else n_per_sample


def class_targets(labels, *, n_per_sample=None, n_per_class=None) -> dict:
    """How many new codes each class gets.

    ``n_per_class`` wins when given: an int for every class, a dict per class, or
    ``"balance"`` (each class is topped up to the largest class's count, which
    gets none: imbalanced-learn's ``"not majority"``). Otherwise each class gets
    ``n_per_sample`` per sample it has. (``"all"`` is for the methods that label
    unlabelled samples: :func:`pool_targets`.)

    Examples
    --------
    >>> class_targets([0, 0, 0, 1], n_per_class="balance")
    {0: 0, 1: 2}
    """
    classes, counts = np.unique(np.asarray(labels), return_counts=True)
    keys = classes.tolist()
    check_amount(n_per_class)
    if n_per_class is None:
        check_positive(n_per_sample, name="n_per_sample", integer=True)
        return {c: n_per_sample * int(m) for c, m in zip(keys, counts)}
    if n_per_class == ALL:
        raise ValueError("n_per_class='all' takes every unlabelled sample a method labels (pseudo-label, "
                         "teacher, label-spreading, self-training); this method makes new samples, so give "
                         "it a count, a mapping of class to count, or 'balance'.")
    if isinstance(n_per_class, str):
        return {c: int(counts.max() - m) for c, m in zip(keys, counts)}
    if isinstance(n_per_class, dict):
        unknown = [c for c in n_per_class if c not in keys]
        if unknown:
            raise ValueError(f"n_per_class names class(es) {unknown} that the labels do not have; the classes are "
                             f"{keys}.")
        return {c: int(n_per_class.get(c, 0)) for c in keys}
    return {c: int(n_per_class) for c in keys}


def pool_targets(y, labels, confidence, *, n_per_sample=None, n_per_class=None) -> dict:
    """How many unlabelled rows a pseudo-labeller keeps per class of the labelled ``y``: every row it labelled
    (``labels``, with a ``confidence`` above -inf) when ``n_per_class`` is ``"all"`` or no amount is given,
    else the amount :func:`class_targets` gives.

    >>> pool_targets([0, 1], np.array([0, 0, 1]), np.array([0.9, -np.inf, 0.8]), n_per_class="all")
    {0: 1, 1: 1}
    """
    if n_per_class == ALL or (n_per_sample is None and n_per_class is None):
        labels, sure = np.asarray(labels), np.asarray(confidence, dtype=float) > -np.inf
        return {c: int(np.sum((labels == c) & sure)) for c in np.unique(np.asarray(y)).tolist()}
    return class_targets(y, n_per_sample=n_per_sample, n_per_class=n_per_class)


def surest_rows(labels, confidence, targets: dict) -> np.ndarray:
    """The rows a pseudo-labeller keeps: for each class c of ``targets``, up to ``targets[c]`` of the rows it
    labelled c, surest first (highest ``confidence``; a row of confidence -inf is never kept), class by class.

    >>> surest_rows(np.array([0, 1, 0, 1]), np.array([0.9, 0.8, 0.99, -np.inf]), {0: 1, 1: 5}).tolist()
    [2, 1]
    """
    labels, confidence = np.asarray(labels), np.asarray(confidence, dtype=float)
    taken = []
    for label, target in targets.items():
        candidates = np.flatnonzero((labels == label) & (confidence > -np.inf))
        taken.append(candidates[np.argsort(-confidence[candidates], kind="stable")][:target])
    return np.concatenate(taken).astype(int) if taken else np.empty(0, dtype=int)


def soft_rows(rows, probabilities, floor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Soft targets: each of ``rows`` once per class whose probability (``probabilities[row]``) is at least
    ``floor``, as ``(rows, class indices, probabilities)``, a row's classes together, in the order of ``rows``.
    Weighted by its probabilities, a classifier's log-loss is the cross-entropy to the soft targets.

    >>> [a.tolist() for a in soft_rows(np.array([1, 0]), np.array([[0.5, 0.5], [0.995, 0.005]]), 0.01)]
    [[1, 0, 0], [0, 0, 1], [0.995, 0.5, 0.5]]
    """
    rows = np.asarray(rows, dtype=int)
    sample, klass = np.nonzero(probabilities[rows] >= floor)  # row-major: a row's classes stay together
    return rows[sample], klass, probabilities[rows[sample], klass]


def source_rows(labels, *, n_per_sample=None, n_per_class=None, random_state=None) -> np.ndarray:
    """The row each new sample starts from, for the amount :func:`class_targets` gives.

    Per sample (``n_per_class`` None), each row's copies sit in consecutive
    entries, in row order; per class, class by class (see ``_class_sources``).

    Examples
    --------
    >>> source_rows([0, 0, 1], n_per_sample=2).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    labels = np.asarray(labels)
    if n_per_class is None:
        check_positive(n_per_sample, name="n_per_sample", integer=True)
        return np.repeat(np.arange(len(labels)), n_per_sample)
    targets = class_targets(labels, n_per_class=n_per_class)
    return _class_sources(labels, targets, np.random.default_rng(random_state))


def _class_sources(labels, targets, rng):
    """Row indices, one per new code: each class's rows cycled until its target is met.

    A class of m rows with target t gives each row t // m codes and a random
    t % m of its rows one more.
    """
    chunks = []
    for label, target in targets.items():
        members = np.flatnonzero(labels == label)
        rounds, rest = divmod(target, len(members))
        chunks.append(np.sort(np.concatenate([np.tile(members, rounds),
                                              rng.choice(members, rest, replace=False)])))
    return np.concatenate(chunks).astype(int) if chunks else np.empty(0, dtype=int)


def check_amount(n_per_class, name="n_per_class"):
    """``n_per_class`` is None, a count >= 1, a mapping of class to count >= 0, ``"balance"`` or ``"all"``."""
    if n_per_class is None:
        return
    if isinstance(n_per_class, dict):
        for count in n_per_class.values():
            check_positive(count, name=f"each count in {name}", integer=True, allow_zero=True)
    elif isinstance(n_per_class, str):
        check_choice(n_per_class, (BALANCE, ALL), name=name)
    else:
        check_positive(n_per_class, name=name, integer=True)


def check_amount_fits(targets: dict, row_bytes: int, *, each="", fix="") -> None:
    """Refuse, before any is made, an amount whose samples (``row_bytes`` each, all copies counted) would not
    fit in the memory left; ``each`` describes one sample, ``fix`` adds a remedy."""
    n = sum(targets.values())
    check_fits(n * row_bytes, what=f"{n:,} new samples{each}",
               fix="ask for fewer: n_per_sample or n_per_class (or n_neighbors, which sets the default number "
                   f"per labelled sample){fix}")
