"""The score figure a reader trusts (issue 35): a style per column, the baseline as a line, paired gains."""

import pytest

from vaeaug.report.figures import column_styles, plot_scores


@pytest.mark.parametrize("n", [11, 20, 100])
def test_no_two_columns_share_a_colour_and_marker(n):
    # the default run's 11 columns gave Baseline and Auto the same blue (a 10-colour cycle)
    styles = column_styles(n)
    assert len({(s["color"], s["marker"]) for s in styles}) == n


def test_the_score_figure_pairs_each_column_with_the_baseline_of_its_seed(tmp_path):
    records = [{"classifier": c, "method": m, "seed": s, "protocol": "p", "accuracy": a}
               for c in ("svm", "knn") for s in (0, 1, 2)
               for m, a in (("baseline", 0.5 + 0.1 * s), ("noise", 0.52 + 0.1 * s))]
    records = [r for r in records if not (r["method"] == "noise" and r["seed"] == 2)]  # a column with 2 seeds
    path = plot_scores(records, ["svm", "knn"], ["baseline", "noise"], tmp_path / "scores.png")
    assert path.stat().st_size > 0


def test_the_gain_is_paired_by_seed_and_uses_the_seeds_both_have():
    from vaeaug.report.figures import score_and_gain

    mean, half, gain, gain_half = score_and_gain({0: 0.52, 1: 0.62}, {0: 0.50, 1: 0.60, 2: 0.70})
    assert mean == pytest.approx(0.57) and half > 0.5  # two seeds, far apart: a wide interval
    assert gain == pytest.approx(0.02) and gain_half == pytest.approx(0.0, abs=1e-9)  # the same +2 each seed
