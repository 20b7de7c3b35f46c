"""Statistics over seeds: confidence intervals, paired comparisons with the baseline, the share of a gain.

Each seed draws its own labelled samples, VAE and classifier, so seeds are the
repeated measurements. Three to five seeds are typical, hence Student's t
(scipy.stats) rather than a normal approximation, and paired tests: a method
and the baseline of one seed share the labelled samples and the test split,
so their difference varies far less than either score.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

__all__ = ["mean_ci", "paired_difference", "share_of_gain"]


def mean_ci(values, confidence=0.95) -> tuple[float, float]:
    """Mean and the half-width of its Student-t confidence interval; the half-width is nan for one value.

    Examples
    --------
    >>> mean, half = mean_ci([1.0, 2.0, 3.0])
    >>> mean, round(half, 3)
    (2.0, 2.484)
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        raise ValueError("mean_ci needs at least one value.")
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan")
    half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, float(half)


def paired_difference(scores, baseline) -> tuple[float, float]:
    """Mean of ``scores - baseline`` over paired seeds, and the two-sided paired t-test's p-value.

    ``scores`` and ``baseline`` are dicts from seed to score; seeds in only one
    of them are left out. p is nan with fewer than two pairs, 1 when every
    difference is 0, and 0 when every difference is the same non-zero number.

    Examples
    --------
    >>> diff, p = paired_difference({0: 0.91, 1: 0.93, 2: 0.92}, {0: 0.90, 1: 0.915, 2: 0.90})
    >>> round(diff, 3), round(p, 3)
    (0.015, 0.035)
    """
    seeds = sorted(set(scores) & set(baseline))
    if not seeds:
        return float("nan"), float("nan")
    ours = np.array([scores[s] for s in seeds], dtype=np.float64)
    theirs = np.array([baseline[s] for s in seeds], dtype=np.float64)
    difference = float(np.mean(ours - theirs))
    if len(seeds) < 2:
        return difference, float("nan")
    if np.allclose(ours - theirs, 0.0):
        return difference, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # identical differences: scipy warns, then gives p = 0
        return difference, float(stats.ttest_rel(ours, theirs).pvalue)


def share_of_gain(score, baseline, upper) -> float:
    """``(score - baseline) / (upper - baseline)``: how much of the gain of ``upper`` (e.g. real data) a method
    recovers; nan when ``upper`` gains nothing.

    Examples
    --------
    >>> round(share_of_gain(0.91, 0.90, 0.94), 3)
    0.25
    """
    gain = upper - baseline
    return float("nan") if gain <= 0 else float((score - baseline) / gain)
