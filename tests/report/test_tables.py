"""Tables with confidence intervals and the paired comparison (vaeaug.report.tables)."""

import numpy as np
from scipy import stats as scipy_stats

from vaeaug.report.tables import format_comparison_table, format_paper_table


def test_tables_show_confidence_intervals_and_the_paired_comparison():
    scores = {"baseline": [0.80, 0.82, 0.84], "noise": [0.81, 0.84, 0.85], "real": [0.90, 0.90, 0.92]}
    records = [{"method": m, "classifier": "svm", "protocol": "p", "latent_dim": None if m != "noise" else 5,
                "variant": None, "seed": seed, "accuracy": value}
               for m, values in scores.items() for seed, value in enumerate(values)]
    rows = [{"protocol": "p", "classifier": "svm", "variant": None, "latent_dim": 5}]
    table = format_paper_table(records, rows, ["noise", "real"])
    half = scipy_stats.t.ppf(0.975, 2) * np.std([80, 82, 84], ddof=1) / np.sqrt(3)
    assert f"| SVM | 5 | 82.00 ± {half:.2f} |" in table
    versus = format_comparison_table(records, rows, ["noise", "real"], upper="real")
    p = scipy_stats.ttest_rel(scores["noise"], scores["baseline"]).pvalue
    share = (np.mean(scores["noise"]) - 0.82) / (np.mean(scores["real"]) - 0.82)
    assert f"| +1.33 (p {p:.3f}), {share:.0%} of real |" in versus
    p_real = scipy_stats.ttest_rel(scores["real"], scores["baseline"]).pvalue
    assert versus.strip().endswith(f"| +8.67 (p {p_real:.3f}) |")  # real itself: no share of its own gain


def test_one_seed_says_it_has_no_interval(tmp_path):
    from vaeaug import ExperimentConfig, run_experiment

    lines = []
    config = ExperimentConfig.from_dict({"name": "one", "methods": [], "classifiers": ["knn"], "seeds": [3]})
    run_experiment(config, tmp_path, progress=False, log=lines.append)
    assert "one seed (3): no interval" in lines[0] and "no p-value" in lines[0]
    assert "One seed (3): no interval, and no p-value." in (tmp_path / "results.md").read_text()


def test_classes_are_listed_in_their_order():
    from vaeaug.report.figures import _natural

    assert sorted([10, 2, 0, "b", 1, "a"], key=_natural) == [0, 1, 2, 10, "a", "b"]


def test_each_set_of_new_samples_counts_once_per_classifier_fitted_for_and_per_variant():
    from vaeaug.report.tables import generated_sets

    def record(method, cell_classifier, variant, made, **extra):
        return {"method": method, "classifier": cell_classifier, "dataset": "d", "protocol": "p", "latent_dim": 5,
                "variant": variant, "seed": 0, "generated": {"made": made, "requested": 10, **extra}}

    records = [record("noise", "svm", "x1", 10), record("noise", "knn", "x1", 10),  # one set, two classifiers
               record("noise", "svm", "x3", 30),  # another variant: another set
               record("self-training", "svm", None, 4, classifier="svm"),
               record("self-training", "knn", None, 7, classifier="knn"),
               record("auto", "svm", None, 3, choice="affine x3")]  # an older record: its choice says so
    sets = generated_sets(records)
    assert sorted(s["made"] for s in sets["noise"].values()) == [10, 30]
    assert sorted(s["made"] for s in sets["self-training"].values()) == [4, 7]
    assert [key[-1] for key in sets["auto"]] == ["svm"]
