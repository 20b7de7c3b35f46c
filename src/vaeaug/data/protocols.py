"""Protocols: named, documented ways of splitting a dataset for an augmentation study.

A split has four parts: *labelled* samples (augmented; the classifiers train on
them), *unlabelled* samples (the VAE learns from them too, without labels),
*validation* samples (early stopping) and *test* samples (scored, never seen).

=================  ==========================================================
protocol           split
=================  ==========================================================
predefined         the dataset's own train / validation / test; all of train is
                   labelled (PROBEN1; MNIST "full", paper Table 1: 55k / 5k / 10k)
few-shot           ``labelled_per_class`` samples per class from the training
                   pool, the rest of it unlabelled (MNIST "restricted", paper
                   Table 2: 100 per class; the talk's few-shot k). Datasets
                   without a test split get a stratified ``test_fraction``.
                   ``pool: train+validation`` draws from both (for a k that a
                   small class's training part lacks, e.g. thyroid's k = 100).
fractions          stratified random train / validation / test ``fractions``,
                   all of train labelled (UJIPEN, paper Table 3: 50 / 5 / 45 %)
cross-validation   the user's own split: stratified k-fold (``folds``, 5) over
                   the labelled rows, the rows without a label as the
                   unlabelled pool. Seed s is fold s % k of repetition s // k,
                   so seeds 0..k-1 are one whole k-fold pass.
=================  ==========================================================

A dataset with rows that have no label (its ``unlabelled`` split: an empty label
cell, ``y = -1`` or NaN) keeps them out of every labelled part: few-shot draws
from the labelled rows and adds those rows to the unlabelled pool.

``PRESETS`` names the paper's protocols: ``mnist-full``, ``mnist-restricted``
and ``ujipen``.
"""

from __future__ import annotations

from itertools import product
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from .._validation import check_choice, check_positive, did_you_mean

__all__ = ["Split", "PROTOCOLS", "PRESETS", "check_protocol", "make_split", "few_shot_split"]

PROTOCOLS = ("predefined", "few-shot", "fractions", "cross-validation")
PRESETS = {
    "mnist-full": {"name": "predefined"},
    "mnist-restricted": {"name": "few-shot", "labelled_per_class": 100},
    "ujipen": {"name": "fractions", "fractions": [0.5, 0.05, 0.45]},
}
_EMPTY = np.array([], dtype=int)


class Split(NamedTuple):
    """Index arrays into a dataset's ``X`` and ``y``."""

    labelled: np.ndarray
    unlabelled: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def _per_class(pool, y, labelled_per_class, rng):
    chosen = []
    for label in np.unique(y[y >= 0]):  # -1 marks a row without a label
        members = pool[y[pool] == label]
        if len(members) < labelled_per_class:
            raise ValueError(
                f"Class {label} has {len(members)} training samples, fewer than "
                f"labelled_per_class={labelled_per_class}; lower it or use more data."
            )
        chosen.append(rng.choice(members, labelled_per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def few_shot_split(y, labelled_per_class, *, pool=None, validation=None, test=None,
                   test_fraction=0.3, random_state=None) -> Split:
    """``labelled_per_class`` labelled samples per class from ``pool``; the rest of the pool is unlabelled.

    Without a given ``test``, a stratified ``test_fraction`` of the data is held
    out first and the rest is the pool.

    Examples
    --------
    >>> y = np.repeat([0, 1], 50)
    >>> split = few_shot_split(y, 5, test_fraction=0.2, random_state=0)
    >>> len(split.labelled), len(split.unlabelled), len(split.validation), len(split.test)
    (10, 70, 0, 20)
    """
    y = np.asarray(y)
    check_positive(labelled_per_class, name="labelled_per_class", integer=True)
    if test is None:
        if not 0 < test_fraction < 1:
            raise ValueError(f"test_fraction must be between 0 and 1; got {test_fraction!r}.")
        pool, test = train_test_split(np.arange(len(y)), test_size=test_fraction, stratify=y,
                                      random_state=random_state)
    elif pool is None:
        raise ValueError("few_shot_split needs the training pool when the test split is given.")
    rng = np.random.default_rng(random_state)
    labelled = _per_class(np.asarray(pool), y, labelled_per_class, rng)
    unlabelled = np.setdiff1d(pool, labelled)
    validation = _EMPTY if validation is None else np.asarray(validation)
    return Split(labelled, unlabelled, np.sort(validation), np.sort(test))


POOLS = ("train", "train+validation")
_PARAMETERS = {"predefined": set(), "few-shot": {"labelled_per_class", "test_fraction", "pool"},
               "fractions": {"fractions"}, "cross-validation": {"folds"}}


def check_protocol(protocol) -> dict:
    """The protocol as a dict with ``name`` and parameters; raises on an unknown name or parameter."""
    if not isinstance(protocol, (str, dict)):
        raise ValueError(f"A protocol is a name ({', '.join(PROTOCOLS + tuple(PRESETS))}) or a mapping with a name "
                         f"and parameters; got {protocol!r}.")
    spec = dict(PRESETS.get(protocol, {"name": protocol})) if isinstance(protocol, str) else dict(protocol)
    name = check_choice(spec.get("name"), PROTOCOLS, name="protocol")
    unknown = set(spec) - _PARAMETERS[name] - {"name", "label"}
    if unknown:
        first = sorted(unknown)[0]
        raise ValueError(f"Protocol {name!r} takes {sorted(_PARAMETERS[name]) or 'no parameters'}; "
                         f"unknown: {sorted(unknown)}.{did_you_mean(first, _PARAMETERS[name])}")
    counts = spec.get("labelled_per_class", 10)
    for count in counts if isinstance(counts, list) else [counts]:
        check_positive(count, name="labelled_per_class", integer=True)
    check_choice(spec.get("pool", "train"), POOLS, name="few-shot pool")
    folds = spec.get("folds", 5)
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ValueError(f"folds must be a whole number of at least 2; got {folds!r}.")
    fraction = spec.get("test_fraction", 0.3)
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise ValueError(f"test_fraction must be a share between 0 and 1; got {fraction!r}.")
    return spec


def make_split(dataset, protocol, *, random_state=None) -> Split:
    """Split ``dataset`` by ``protocol``: a preset name, a protocol name, or a dict with ``name`` and parameters.

    Parameters: ``labelled_per_class``, ``test_fraction`` and ``pool`` (few-shot),
    ``fractions`` (fractions: train, validation, test).
    """
    spec = check_protocol(protocol)
    name = spec.pop("name")
    splits = dataset.splits
    if name == "cross-validation":
        return _fold(dataset, spec.get("folds", 5), random_state)
    if "unlabelled" in splits:
        return _with_unlabelled_rows(dataset, name, spec, random_state)
    if name == "predefined":
        if "train" not in splits or "test" not in splits:
            raise ValueError(f"Dataset {dataset.name!r} defines no train/test split; use the "
                             "'few-shot' or 'fractions' protocol.")
        return Split(splits["train"], _EMPTY, splits.get("validation", _EMPTY), splits["test"])
    if name == "few-shot":
        k = spec.get("labelled_per_class", 10)
        if "train" in splits and "test" in splits:
            pool, validation = splits["train"], splits.get("validation")
            if spec.get("pool") == "train+validation" and validation is not None:
                pool, validation = np.sort(np.concatenate([pool, validation])), None
            return few_shot_split(dataset.y, k, pool=pool, validation=validation, test=splits["test"],
                                  random_state=random_state)
        return few_shot_split(dataset.y, k, test_fraction=spec.get("test_fraction", 0.3),
                              random_state=random_state)
    fractions = spec.get("fractions", [0.5, 0.05, 0.45])
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"fractions must be three positive shares (train, validation, test) summing to 1; "
                         f"got {fractions}.")
    indices = np.arange(len(dataset.y))
    train, rest = train_test_split(indices, train_size=fractions[0], stratify=dataset.y,
                                   random_state=random_state)
    validation, test = train_test_split(rest, train_size=fractions[1] / (fractions[1] + fractions[2]),
                                        stratify=dataset.y[rest], random_state=random_state)
    return Split(np.sort(train), _EMPTY, np.sort(validation), np.sort(test))


def _fold(dataset, folds, seed) -> Split:
    """Fold ``seed % folds`` of repetition ``seed // folds`` of a stratified k-fold over the labelled rows."""
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"The cross-validation protocol reads each seed as a fold (0..{folds - 1} are one "
                         f"{folds}-fold pass); give seeds as whole numbers from 0, not {seed!r}.")
    labelled = dataset.labelled_rows
    y = dataset.y[labelled]
    smallest = np.bincount(y).min()
    if smallest < folds:
        raise ValueError(f"{dataset.name} has a class with {smallest} labelled rows, fewer than the {folds} folds "
                         f"of the cross-validation protocol; use folds: {max(2, smallest)} or label more rows.")
    repetition, fold = divmod(int(seed), folds)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=repetition)
    train, test = list(splitter.split(labelled, y))[fold]
    return Split(labelled[train], dataset.splits.get("unlabelled", _EMPTY), _EMPTY, labelled[test])


def _with_unlabelled_rows(dataset, name, spec, random_state) -> Split:
    """few-shot on a dataset whose rows without a label join the unlabelled pool; a test split (the file's own,
    else a stratified ``test_fraction``) and the labelled draws come from the labelled rows."""
    if name != "few-shot":
        raise ValueError(f"{dataset.name} has {len(dataset.splits['unlabelled'])} rows without a label, which "
                         f"the {name!r} protocol would treat as labelled; use cross-validation (your labelled "
                         "rows, k-fold) or few-shot.")
    labelled = dataset.labelled_rows
    test = dataset.splits.get("test")
    if test is None:
        labelled, test = train_test_split(labelled, test_size=spec.get("test_fraction", 0.3),
                                          stratify=dataset.y[labelled], random_state=random_state)
    else:
        labelled = np.setdiff1d(labelled, test)
    split = few_shot_split(dataset.y, spec.get("labelled_per_class", 10), pool=labelled, test=test,
                           random_state=random_state)
    return split._replace(unlabelled=np.union1d(split.unlabelled, dataset.splits["unlabelled"]))


def expand_protocols(protocols) -> list[dict]:
    """Protocol specs with every list-valued parameter expanded (``labelled_per_class: [2, 5]`` -> two)."""
    expanded = []
    for protocol in protocols:
        spec = check_protocol(protocol)
        label = protocol if isinstance(protocol, str) else None
        sweeps = {k: v for k, v in spec.items() if isinstance(v, list) and k != "fractions"}
        for values in product(*sweeps.values()):
            one = {**spec, **dict(zip(sweeps, values))}
            one["label"] = label or " ".join([one["name"]] + [f"{k}={one[k]}" for k in one if k != "name"])
            expanded.append(one)
    return expanded
