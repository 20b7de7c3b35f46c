"""The baselines (SMOTE, affine, real), SMOTE on codes, and the statistics that compare methods over seeds."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from vaeaug.generation.latent import alter
from vaeaug.generation.baselines import AffineSampler, RealSampler, SMOTESampler
from vaeaug.generation.factory import make_augmenter
from vaeaug.generation.registry import parse_method
from vaeaug.report.tables import format_comparison_table, format_paper_table
from vaeaug.report.stats import mean_ci, paired_difference, share_of_gain


@pytest.fixture
def two_lines():
    """Class 0 on the segment x = y in [0, 1], class 1 on x = -y in [5, 6]: SMOTE stays on each."""
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 1, 12)
    X = np.r_[np.c_[t[:6], t[:6]], np.c_[5 + t[6:], -(5 + t[6:])]]
    return X, np.repeat([0, 1], 6)


def test_smote_makes_the_vae_methods_amount_on_segments_within_each_class(two_lines):
    X, y = two_lines
    X_new, y_new = SMOTESampler(n_neighbors=3, random_state=0).generate(X, y)
    assert np.bincount(y_new).tolist() == [18, 18]  # 3 per sample, as the VAE methods make by default
    zero, one = X_new[y_new == 0], X_new[y_new == 1]
    np.testing.assert_allclose(zero[:, 0], zero[:, 1])
    np.testing.assert_allclose(one[:, 0], -one[:, 1])
    assert zero.min() >= X[y == 0].min() and zero.max() <= X[y == 0].max()
    again, _ = SMOTESampler(n_neighbors=3, random_state=0).generate(X, y)
    np.testing.assert_array_equal(X_new, again)
    X_res, y_res = SMOTESampler(n_per_class=4, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [10, 10] and np.allclose(X_res[:12], X)


def test_smote_keeps_image_shapes_and_says_what_it_cannot_do():
    images = np.random.default_rng(0).random((6, 4, 4)).astype(np.float32)
    X_new, y_new = SMOTESampler(n_neighbors=2, n_per_sample=1, random_state=0).generate(images, [0, 0, 0, 1, 1, 1])
    assert X_new.shape == (6, 4, 4) and X_new.dtype == np.float32
    with pytest.warns(UserWarning, match="uses 1 neighbours"):
        SMOTESampler(n_neighbors=3, random_state=0).generate(images[:4], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="at least 2 samples"):
        SMOTESampler(random_state=0).generate(images[:3], [0, 0, 1])
    with pytest.raises(ValueError, match="at least two classes"):
        alter("latent-smote", np.zeros((3, 2)), [0, 0, 0])


def test_latent_smote_is_a_whole_method_of_the_alterations(two_lines):
    X, y = two_lines
    new = alter("latent-smote", X, y, n_neighbors=2, n_per_class=5, random_state=1)
    assert np.bincount(new.labels).tolist() == [5, 5] and (new.source == -1).all()
    with pytest.raises(ValueError, match="alone"):
        alter("latent-smote+noise", X, y)


def test_affine_with_no_change_copies_and_with_change_moves_the_ink():
    rng = np.random.default_rng(0)
    images = np.zeros((4, 12, 12), dtype=np.float32)
    images[:, 3:9, 5:7] = 1.0
    y = np.array([0, 0, 1, 1])
    same, y_same = AffineSampler(rotation=0, shift=0, scale=0, n_per_sample=2, random_state=0).generate(images, y)
    np.testing.assert_allclose(same, np.repeat(images, 2, axis=0), atol=1e-6)
    assert y_same.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    moved, _ = AffineSampler(rotation=20, shift=0.1, scale=0.1, random_state=0).generate(images, y)
    assert moved.shape == (12, 12, 12) and moved.dtype == np.float32
    assert not np.allclose(moved, np.repeat(images, 3, axis=0))
    ink = moved.reshape(len(moved), -1).sum(axis=1)
    assert np.all(np.abs(ink - 12) < 0.35 * 12)  # a bar of 12 pixels stays about 12 (scale 0.9-1.1, squared)
    again, _ = AffineSampler(rotation=20, shift=0.1, scale=0.1, random_state=0).generate(images, y)
    np.testing.assert_array_equal(moved, again)
    channels, _ = AffineSampler(random_state=0).generate(images[:, None], y)
    assert channels.shape == (12, 1, 12, 12)
    with pytest.raises(ValueError, match="changes images"):
        AffineSampler().generate(rng.random((4, 5)), y)
    with pytest.raises(ValueError, match="below 1"):
        AffineSampler(scale=1.5).generate(images, y)


def test_real_draws_distinct_pool_samples_of_each_class_and_warns_when_short():
    pool = np.arange(40.0).reshape(20, 2)
    pool_labels = np.r_[np.zeros(15, int), np.ones(5, int)]
    labelled, labels = np.zeros((4, 2)), np.array([0, 0, 1, 1])
    real = RealSampler(n_per_sample=2, random_state=0).fit(pool, pool_labels)
    X_new, y_new = real.generate(labelled, labels)
    assert np.bincount(y_new).tolist() == [4, 4]
    rows = (X_new[:, 0] // 2).astype(int)
    assert len(set(rows.tolist())) == 8 and (pool_labels[rows] == y_new).all()
    with pytest.warns(UserWarning, match="too few"):
        X_new, y_new = RealSampler(n_per_class=7, random_state=0).fit(pool, pool_labels).generate(labelled, labels)
    assert np.bincount(y_new).tolist() == [7, 5] and real.generation_report_["missing"] == {}
    with pytest.raises(ValueError, match="pool's labels"):
        RealSampler().fit(pool)
    with pytest.raises(ValueError, match="pool of real samples is empty"):
        RealSampler().fit(pool[:0], pool_labels[:0])
    with pytest.raises(ValueError, match="fit\\(X_pool, y_pool\\)"):
        real.fit_resample(labelled, labels)


def test_baselines_are_methods_that_stand_alone():
    assert parse_method("smote").model == "smote" and parse_method("real").generation is None
    assert parse_method("latent-smote").model == "vae"
    for name in ("smote+gc", "multi-vae+affine", "real+noise"):
        with pytest.raises(ValueError, match="stand alone"):
            parse_method(name)
    affine = make_augmenter("affine", random_state=3, latent_dim=4, alpha=0.5, n_per_sample=2)
    assert isinstance(affine, AffineSampler) and affine.n_per_sample == 2 and affine.random_state == 3


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


def test_an_experiment_runs_the_baselines_beside_the_vae_methods(tmp_path):
    from vaeaug.experiments.config import ExperimentConfig
    from vaeaug.experiments.runner import run_experiment

    def run(space, methods):
        config = ExperimentConfig(name="baselines", datasets=["digits"], seeds=[0, 1], latent_dims=[3],
                                  protocols=[{"name": "few-shot", "labelled_per_class": 4}], methods=methods,
                                  classifiers=["knn"], space=space, vae={"max_epochs": 2, "hidden_units": 32})
        printed = []
        results = run_experiment(config, tmp_path / space, progress=False, log=printed.append)
        return {(r["method"], r["seed"]): r for r in results["records"]}, "\n".join(printed)

    records, printed = run("data", ["noise", "smote", "affine", "real"])
    for method in ("noise", "smote", "affine", "real"):
        assert records[method, 0]["n_train"] == 40 + 120  # 3 new per labelled image, as every method makes
    assert "| Smote | Affine | Real |" in printed and "of real" in printed
    latent, _ = run("latent", ["smote", "real", "latent-smote"])
    assert {m for m, _ in latent} == {"baseline", "smote", "real", "latent-smote"}
    assert latent["real", 1]["n_train"] == 160  # the pool's images, encoded like the labelled ones
