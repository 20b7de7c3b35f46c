"""Protocols: named, documented ways of splitting a dataset for an augmentation study."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.model_selection import train_test_split

from ._validation import check_labels, check_positive

__all__ = ["Split", "few_shot_split"]


class Split(NamedTuple):
    """Index arrays: labelled (augmented, classifiers train on), unlabelled (VAE only), test."""

    labelled: np.ndarray
    unlabelled: np.ndarray
    test: np.ndarray


def few_shot_split(y, labelled_per_class, *, test_fraction=0.3, random_state=None) -> Split:
    """Low-label protocol: a stratified test split, then ``labelled_per_class`` labelled samples per class.

    The rest of the training pool is unlabelled: the VAE learns from it (and
    from the labelled samples) without labels, as the paper's restricted
    MNIST and the talk's few-shot experiments do. The test samples are never
    seen by the VAE or the classifiers.

    Examples
    --------
    >>> y = np.repeat([0, 1], 50)
    >>> split = few_shot_split(y, 5, test_fraction=0.2, random_state=0)
    >>> len(split.labelled), len(split.unlabelled), len(split.test)
    (10, 70, 20)
    """
    y = check_labels(y, len(np.asarray(y)))
    check_positive(labelled_per_class, name="labelled_per_class", integer=True)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1; got {test_fraction!r}.")
    indices = np.arange(len(y))
    pool, test = train_test_split(indices, test_size=test_fraction, stratify=y, random_state=random_state)
    rng = np.random.default_rng(random_state)
    labelled = []
    for label in np.unique(y):
        members = pool[y[pool] == label]
        if len(members) < labelled_per_class:
            raise ValueError(
                f"Class {label!r} has {len(members)} training samples, fewer than "
                f"labelled_per_class={labelled_per_class}; lower it or use more data."
            )
        labelled.append(rng.choice(members, labelled_per_class, replace=False))
    labelled = np.sort(np.concatenate(labelled))
    unlabelled = np.setdiff1d(pool, labelled)
    return Split(labelled, unlabelled, np.sort(test))
