"""auto: the method chosen by cross-validation on the labelled samples (vaeaug.generation.auto)."""

import numpy as np
import pytest
from helpers import NeedsMore
from sklearn.neighbors import KNeighborsClassifier

from vaeaug import VAEAugmenter
from vaeaug.generation.auto import AutoAugmenter
from vaeaug.generation.candidates import default_candidates
from vaeaug.generation.kinds import make_augmenter

MOVES = [{"method": "interpolation", "alpha": 0.5, "n_per_sample": 1},
         {"method": "noise", "alpha": 0.25, "n_per_sample": 2}, {"method": "affine", "n_per_sample": 1}]


def test_every_candidate_is_scored_on_the_same_folds_and_the_best_is_chosen(digits_vae):
    vae, X, y = digits_vae
    auto = AutoAugmenter(vae, classifier="knn", candidates=MOVES, margin=0.0, random_state=0).fit(X, y)
    rows = auto.cv_results_
    assert [row["candidate"] for row in rows] == ["none", "interpolation a=0.5 x1", "noise a=0.25 x2", "affine x1"]
    assert all(len(row["scores"]) == 3 for row in rows)
    assert rows[0]["gain"] == 0 and all(row["gain"] == pytest.approx(row["mean"] - rows[0]["mean"]) for row in rows)
    best = max(rows[1:], key=lambda row: row["mean"])
    if best["gain"] > 0:
        assert auto.choice_["method"] == best["method"] and best["candidate"] in auto.summary_
        X_new, y_new = auto.generate(X, y)
        assert len(X_new) == len(X) * best["n_per_sample"] and X_new.shape[1:] == X.shape[1:]
        assert auto.generation_report_["choice"] == best["candidate"]
        assert auto.generation_report_["cv"] == rows
    # The same seed gives the same folds, samples and scores.
    again = AutoAugmenter(vae, classifier="knn", candidates=MOVES, margin=0.0, random_state=0).fit(X, y)
    assert again.cv_results_ == rows
    # The user's VAE generates as it did before: candidates change copies of it.
    assert (vae.method, vae.alpha, vae.n_per_sample) == ("interpolation", 0.5, None)


def test_successive_halving_scores_only_the_first_folds_best_on_the_other_folds(digits_vae, monkeypatch):
    vae, X, y = digits_vae
    candidates = MOVES + [{"method": "extrapolation", "alpha": 0.25, "n_per_sample": 1}]
    full = AutoAugmenter(vae, classifier="knn", candidates=candidates, margin=0.0, random_state=0).fit(X, y)
    fits = []
    fit = KNeighborsClassifier.fit
    monkeypatch.setattr(KNeighborsClassifier, "fit", lambda self, *a, **k: (fits.append(1), fit(self, *a, **k))[1])
    halved = AutoAugmenter(vae, classifier="knn", candidates=candidates, margin=0.0, random_state=0,
                           halving_factor=2).fit(X, y)
    assert len(fits) == 5 + 2 * (1 + 2)  # all on the first fold; then none and the best 2 of 4 on the others
    first = [row["scores"][0] for row in full.cv_results_[1:]]
    kept = {1 + i for i in np.argsort(-np.array(first), kind="stable")[:2]}
    for c, (row, whole) in enumerate(zip(halved.cv_results_, full.cv_results_)):
        if c == 0 or c in kept:  # the same folds: the same scores as without halving
            assert row == whole
        else:
            assert row["scores"] == whole["scores"][:1] and row["mean"] is None and row["halved"]
    assert halved.choice_["method"] in ["none"] + [candidates[c - 1]["method"] for c in kept]
    with pytest.raises(ValueError, match="halving_factor"):
        AutoAugmenter(vae, candidates=MOVES, halving_factor=1).fit(X, y)


def test_when_nothing_beats_no_augmentation_by_the_margin_the_originals_come_back_and_it_says_so(digits_vae):
    vae, X, y = digits_vae
    auto = AutoAugmenter(vae, classifier=KNeighborsClassifier(3), candidates=MOVES[:1], margin=1.0, random_state=0)
    with pytest.warns(UserWarning, match="no augmentation.*not more than the margin"):
        X_res, y_res = auto.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)
    assert auto.choice_ == {"method": "none"} and "KNeighborsClassifier" in auto.summary_
    X_new, _ = auto.generate(X, y)
    assert X_new.shape == (0, 8, 8) and auto.generation_report_["made"] == 0


def test_an_unfitted_vae_is_cloned_and_fitted_without_labels(digits_vae):
    _, X, y = digits_vae
    vae = VAEAugmenter(latent_dim=2, hidden_units=16, max_epochs=1, random_state=0)
    auto = make_augmenter("auto", latent_dim=2, hidden_units=16, max_epochs=1, random_state=0)
    auto.set_params(classifier="knn", candidates=MOVES[:1], augmenter=vae).fit(X, y, X_unlabelled=X)
    assert hasattr(auto.augmenter_, "model_") and not hasattr(vae, "model_")


def test_label_spreading_is_a_candidate_given_a_pool_and_labels_it_when_chosen(digits_vae):
    from sklearn.datasets import load_digits

    vae, X, y = digits_vae
    pool = (load_digits().data[400:700] / 16).reshape(-1, 8, 8).astype(np.float32)
    assert {"method": "label-spreading", "n_per_class": "all"} in default_candidates(unlabelled=True)
    candidates = [{"method": "label-spreading", "n_per_class": "all"}]
    # a classifier that scores better with more rows: the labelled pool wins
    auto = AutoAugmenter(vae, classifier=NeedsMore(60), candidates=candidates, random_state=0)
    X_new, y_new = auto.fit(X, y, X_unlabelled=pool).generate(X, y)
    assert [row["candidate"] for row in auto.cv_results_] == ["none", "label-spreading all"]
    assert auto.choice_["method"] == "label-spreading" and auto.cv_results_[1]["gain"] > 0
    # every pool sample a label reached through the graph, with its label
    assert 0.9 * len(pool) < len(X_new) <= len(pool) and all(any((row == p).all() for p in pool) for row in X_new)
    assert auto.generation_report_["made"] == len(y_new)
    with pytest.raises(ValueError, match="labels unlabelled samples: pass X_unlabelled"):
        AutoAugmenter(vae, candidates=candidates).fit(X, y)
    with pytest.raises(ValueError, match="cannot be cross-validated here"):
        AutoAugmenter(vae, candidates=[{"method": "self-training"}]).fit(X, y, X_unlabelled=pool)


def test_label_spreading_over_the_whole_pool_is_offered_only_for_a_pool_at_most_20_times_the_labels(digits_vae):
    # each fold's classifier would learn from the whole pool: on restricted MNIST (54x) hours of SVM fits
    from sklearn.datasets import load_digits

    vae, X, y = digits_vae
    images = (load_digits().data / 16).reshape(-1, 8, 8).astype(np.float32)
    for pool, offered in ((images[:20 * len(X)], True), (images[:20 * len(X) + 1], False)):
        auto = AutoAugmenter(vae, classifier="knn", random_state=0).fit(X, y, X_unlabelled=pool)
        assert ("label-spreading all" in [row["candidate"] for row in auto.cv_results_]) == offered


def test_the_default_grid_offers_affine_for_images_only():
    assert {c["method"] for c in default_candidates(images=True)} == {
        "noise", "interpolation", "extrapolation", "smote", "affine", "affine+interpolation", "affine+extrapolation"}
    assert not any("affine" in c["method"] for c in default_candidates(images=False))


@pytest.mark.parametrize("params, message", [
    ({"cv": 7}, "cv=7 folds need at least 7 labelled samples per class"),
    ({"cv": 1}, "at least 2"),
    ({"margin": -0.1}, "margin"),
    ({"scoring": "auc"}, "Unknown scoring"),
    ({"candidates": [{"method": "real"}]}, "cannot be cross-validated"),
    ({"candidates": [{"method": "multi-vae"}]}, "cannot be cross-validated"),
    ({"candidates": [{"method": "interpolation", "beta": 2}]}, "unknown setting"),
    ({"candidates": [{"method": "interpolation", "n_per_sample": 0}]}, "n_per_sample"),
    ({"candidates": [{"method": "wiggle"}]}, "wiggle"),
    ({"candidates": [{"method": "affine+interpolation", "n_per_sample": 1}]}, "at least 2"),
    ({"candidates": []}, "non-empty list"),
    ({"augmenter": None, "candidates": [{"method": "noise"}]}, "needs a VAE"),
])
def test_bad_settings_are_named(digits_vae, params, message):
    vae, X, y = digits_vae
    with pytest.raises(ValueError, match=message):
        AutoAugmenter(**{"augmenter": vae, "classifier": "knn", **params}).fit(X, y)


def test_it_needs_a_data_space_vae(digits_vae):
    vae, X, y = digits_vae
    import copy

    latent = copy.copy(vae).set_params(space="latent")
    with pytest.raises(ValueError, match="space='data'"):
        AutoAugmenter(latent, classifier="knn").fit(X, y)


def test_affine_cv_chooses_the_ranges_for_the_classifier_and_refuses_feature_vectors():
    from sklearn.datasets import load_digits

    from vaeaug.generation.tuned import TunedAffine
    from vaeaug.generation.candidates import affine_candidates
    from vaeaug.generation.baselines import AffineSampler
    from vaeaug.generation.registry import parse_method

    X, y = load_digits(return_X_y=True)
    X = (X / 16).reshape(-1, 8, 8)[:60]
    y = y[:60]
    model = TunedAffine(classifier="knn", random_state=0).fit(X, y)
    tried = [row["candidate"] for row in model.cv_results_]
    assert tried[0] == "none" and len(tried) == 1 + len(affine_candidates(8))
    assert any(" e=9.7" in name for name in tried)  # Simard's elastic distortion, scaled to 8 px
    best = max(model.cv_results_, key=lambda row: row["mean"])
    assert model.summary_.startswith("affine-cv for knn") and (best["candidate"] in model.summary_)
    X_new, y_new = model.generate(X, y)
    assert len(X_new) == (3 * len(X) if best["candidate"] != "none" else 0)
    # The elastic option moves pixels: the same seed with and without it gives other images.
    plain, _ = AffineSampler(n_per_sample=1, random_state=0).generate(X, y)
    bent, _ = AffineSampler(n_per_sample=1, random_state=0, elastic=9.7, elastic_sigma=1.14).generate(X, y)
    assert np.abs(plain - bent).mean() > 0.01
    assert parse_method("affine-cv").kind == "affine-cv"
    with pytest.raises(ValueError, match="affine-cv changes images"):
        TunedAffine(random_state=0).fit(X.reshape(60, -1), y)
    with pytest.raises(ValueError, match="elastic must be"):
        AffineSampler(elastic=-1).generate(X, y)


def test_fingerprint_follows_the_contents_not_the_objects():
    from vaeaug.generation.folds import fingerprint as _fingerprint

    # Strings made at run time are distinct objects with equal text: an object array's bytes are pointers.
    labels = np.array(["".join(["cl", "ass", str(i % 2)]) for i in range(6)], dtype=object)
    same = np.array(["".join(["cla", "ss", str(i % 2)]) for i in range(6)], dtype=object)
    X = np.arange(12.0).reshape(6, 2)
    assert _fingerprint(X, labels) == _fingerprint(X.copy(), same)
    assert _fingerprint(X, labels) != _fingerprint(X, labels[::-1])
    assert _fingerprint(X, labels) != _fingerprint(X + 1, labels)
    assert _fingerprint(None) == _fingerprint()
