"""Statistics over seeds (vaeaug.report.stats)."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from vaeaug.report.stats import mean_ci, paired_difference, share_of_gain


def test_statistics_match_scipy():
    values = [0.90, 0.93, 0.91, 0.95]
    mean, half = mean_ci(values)
    low, high = scipy_stats.t.interval(0.95, 3, loc=np.mean(values), scale=scipy_stats.sem(values))
    assert mean == pytest.approx(np.mean(values)) and half == pytest.approx((high - low) / 2)
    assert np.isnan(mean_ci([0.5])[1])
    ours, base = {0: 0.91, 1: 0.95, 2: 0.92, 7: 0.1}, {0: 0.90, 1: 0.93, 2: 0.92, 5: 0.0}
    difference, p = paired_difference(ours, base)  # seeds 5 and 7 have no pair
    assert difference == pytest.approx(0.01)
    assert p == pytest.approx(scipy_stats.ttest_rel([0.91, 0.95, 0.92], [0.90, 0.93, 0.92]).pvalue)
    assert paired_difference({0: 1.0, 1: 2.0}, {0: 1.0, 1: 2.0}) == (0.0, 1.0)
    assert np.isnan(paired_difference({0: 1.0}, {0: 0.5})[1])
    assert share_of_gain(0.92, 0.90, 0.98) == pytest.approx(0.25) and np.isnan(share_of_gain(0.92, 0.9, 0.9))
