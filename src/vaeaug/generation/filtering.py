"""The filter stage: keep generated samples that look real, drop the rest.

The 2023 talk's *Generative Classifier* (GC) is a binary classifier of good
against bad samples, not a label predictor. It learns from positives (what a
good sample looks like) and negatives made on purpose to look bad:

* tabular data: noisy copies of the samples (:func:`noisy_copies`);
* images: reconstructions by an early snapshot of the VAE, which are blurred
  and wrong in the way an undertrained decoder is.

Generated samples it calls bad are dropped; the augmenter draws again until it
has as many as were asked for, for a bounded number of rounds.

Why the positives are VAE *reconstructions* of the real samples, not the raw
samples: every generated sample is a decoder output, and decoder outputs
differ from raw data in ways that say nothing of quality (an 8x8 digit's
border pixels are exactly 0 in the data and 0.01 after decoding; a one-hot
attribute is 0/1 in the data and 0.03/0.97 after decoding). A classifier of raw
against anything decoded learns that difference and rejects every generated
sample; against reconstructions it has to judge the sample's content.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Callable

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier

from .._validation import check_positive, check_samples
from .codes import mark_repeats

__all__ = ["FILTERS", "GenerativeFilter", "fit_filter", "noisy_copies", "draw_until", "warn_short"]

MAX_ROUNDS = 10


def noisy_copies(X, *, noise_level=1.0, random_state=None) -> np.ndarray:
    """``X`` plus Gaussian noise of ``noise_level`` times each feature's deviation: the GC's tabular negatives."""
    X = check_samples(X)
    check_positive(noise_level, name="noise_level")
    std = X.astype(np.float64).std(axis=0)
    std = np.where(std > 0, std, 1.0)
    rng = np.random.default_rng(random_state)
    return (X + noise_level * std * rng.standard_normal(X.shape)).astype(np.float32)


class GenerativeFilter:
    """A real-vs-bad classifier that keeps the generated samples it calls real.

    Parameters
    ----------
    estimator : scikit-learn classifier with ``predict_proba``, optional
        Defaults to a random forest of 100 trees: it needs no scaling and
        handles discrete attributes and pixels alike.
    threshold : float, default=0.5
        A sample is kept when its probability of being real is at least this.
    random_state : int, optional

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> good, bad = rng.normal(0, 1, (50, 4)), rng.normal(6, 1, (50, 4))
    >>> gc = GenerativeFilter(random_state=0).fit(good, bad)
    >>> gc.keep(np.r_[good[:2], bad[:2]]).tolist()
    [True, True, False, False]
    """

    def __init__(self, estimator=None, threshold=0.5, random_state=None):
        self.estimator = estimator
        self.threshold = threshold
        self.random_state = random_state

    def fit(self, X_good, X_bad) -> "GenerativeFilter":
        X_good, X_bad = check_samples(X_good, name="X_good"), check_samples(X_bad, name="X_bad")
        if X_good.shape[1:] != X_bad.shape[1:]:
            raise ValueError(f"X_good and X_bad must have samples of one shape; got {X_good.shape[1:]} "
                             f"and {X_bad.shape[1:]}.")
        if not 0 < self.threshold < 1:
            raise ValueError(f"threshold must be between 0 and 1; got {self.threshold!r}.")
        features = np.concatenate([X_good, X_bad]).reshape(len(X_good) + len(X_bad), -1)
        target = np.r_[np.ones(len(X_good)), np.zeros(len(X_bad))]
        self.estimator_ = (clone(self.estimator) if self.estimator is not None
                           else RandomForestClassifier(n_estimators=100, random_state=self.random_state))
        self.estimator_.fit(features, target)
        return self

    def probability_real(self, X) -> np.ndarray:
        X = check_samples(X)
        real = list(self.estimator_.classes_).index(1.0)
        return self.estimator_.predict_proba(X.reshape(len(X), -1))[:, real]

    def keep(self, X) -> np.ndarray:
        """Boolean mask: True for the samples the filter calls real."""
        return self.probability_real(X) >= self.threshold


FILTERS = ("gc",)
# The GC learns from at most this many labelled samples (and as many bad ones): the forest's cost grows with
# rows, and 2,000 show what good looks like.
GC_MAX_SAMPLES = 2000


def fit_filter(augmenter, X, seed=0) -> GenerativeFilter:
    """The GC for a fitted augmenter and its labelled ``X``.

    It learns the VAE's reconstructions of ``X`` (a random 2,000 at most) as good
    samples (see the module's docstring for why), against reconstructions by the
    VAE's early snapshot (images) or noisy copies of the reconstructions (tabular
    data) as bad ones.
    """
    if len(X) > GC_MAX_SAMPLES:
        X = X[np.random.default_rng(seed).choice(len(X), GC_MAX_SAMPLES, replace=False)]
    good = augmenter.reconstruct(X)
    bad = augmenter.reconstruct(X, early=True) if X.ndim >= 3 else noisy_copies(good, random_state=seed)
    return GenerativeFilter(random_state=seed).fit(good, bad)


def draw_until(draw: Callable, targets: dict, *, keep: Callable | None = None, max_rounds: int = MAX_ROUNDS):
    """Draw candidates in rounds until each class has its target count, or ``max_rounds`` have run.

    Parameters
    ----------
    draw : callable ``(ask, round_number) -> (rows, labels, n_asked)``
        Makes candidates for ``ask``, a dict of counts per class: in round 1 the
        targets, later what is still missing times 2, 4, ... (at most 32);
        ``n_asked`` is how many it tried for (more than it returns when, say,
        the prior's labeller drops ambiguous draws).
    targets : dict
        The count wanted per class.
    keep : callable ``(rows, labels) -> bool mask``, optional
        The filter; without one every candidate passes.

    A candidate equal to one drawn before is not kept (``repeated``): a round
    that draws nothing new ends the drawing, as another round would not either.

    Returns
    -------
    rows, labels : the kept candidates, at most ``targets[c]`` of class c, in the order drawn
    report : dict with ``requested``, ``made``, ``rounds``, ``drawn``, ``dropped`` (asked for
        but not returned by ``draw``), ``repeated``, ``rejected`` (by ``keep``), ``acceptance_rate``
        (of ``keep``; None without a filter) and ``missing`` (per class, when short).

    Examples
    --------
    >>> def draw(ask, _):  # two candidates per sample asked for, one of them bad
    ...     labels = np.repeat(list(ask), [2 * n for n in ask.values()])
    ...     return np.arange(len(labels)) * (-1.0) ** np.arange(len(labels)), labels, len(labels)
    >>> rows, labels, report = draw_until(draw, {"a": 3}, keep=lambda rows, labels: rows >= 0)
    >>> rows.tolist(), report["acceptance_rate"]
    ([0.0, 2.0, 4.0], 0.5)
    """
    need, kept, tally, seen = {c: n for c, n in targets.items() if n > 0}, [], Counter(), set()
    for round_number in range(1, max_rounds + 1):
        if not need:
            break
        # Later rounds ask for more than is missing (2x, 4x, ... up to 32x): a class that
        # the filter or the prior's labeller rarely passes would otherwise take many rounds.
        factor = min(2 ** (round_number - 1), 32)
        rows, labels, asked = draw({c: n * factor for c, n in need.items()}, round_number)
        tally.update(rounds=1, drawn=asked, dropped=asked - len(labels))
        if len(labels) == 0:
            continue
        new = ~mark_repeats(rows, seen)
        tally.update(repeated=int((~new).sum()))
        if not new.any():
            break
        passed = new.copy()
        if keep is not None:
            passed[new] = keep(rows[new], labels[new])
        tally.update(judged=int(new.sum()), rejected=int((new & ~passed).sum()))
        take = np.zeros(len(labels), dtype=bool)
        for label, missing in need.items():
            take[np.flatnonzero(passed & (labels == label))[:missing]] = True
        kept.append((rows[take], labels[take]))
        for label, count in Counter(labels[take].tolist()).items():
            need[label] -= count
        need = {c: n for c, n in need.items() if n > 0}
    rows = np.concatenate([r for r, _ in kept]) if kept else None
    labels = np.concatenate([y for _, y in kept]) if kept else None
    report = {
        "requested": int(sum(targets.values())), "made": 0 if labels is None else len(labels),
        "rounds": tally["rounds"], "drawn": tally["drawn"], "dropped": tally["dropped"],
        "repeated": tally["repeated"], "rejected": tally["rejected"],
        "acceptance_rate": 1 - tally["rejected"] / tally["judged"] if keep is not None and tally["judged"] else None,
        "missing": need,
    }
    return rows, labels, report


def warn_short(report, fix, *, stacklevel=3) -> None:
    """Warn when ``report`` (:func:`draw_until`'s) is missing samples: how many, why, and ``fix``."""
    if not report["missing"]:
        return
    why = ""
    if report.get("repeated"):
        why = (f" {report['repeated']} candidates repeated a sample made already and were left out: the method "
               "has no more distinct ones to give here (identical labelled samples make identical new ones, as "
               "do noise with alpha = 0 and a style transfer of one unlabelled sample to one class twice).")
    warnings.warn(f"Made {report['made']} of the {report['requested']} samples asked for after {report['rounds']} "
                  f"round(s); missing per class: {report['missing']}.{why} {fix}", UserWarning,
                  stacklevel=stacklevel)
