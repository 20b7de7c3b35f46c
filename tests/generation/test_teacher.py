"""The teacher: the conditional model's pseudo-labels for the whole pool, as sure as CV says it must be."""

import json

import numpy as np
import pytest
from helpers import ONE_CELL, NeedsMore, bars

from vaeaug import VAEAugmenter, make_augmenter, parse_method
from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments.runner import run_experiment
from vaeaug.generation.auto import AutoAugmenter
from vaeaug.generation.conditional import ConditionalAugmenter
from vaeaug.generation.kinds import kind_of
from vaeaug.generation.tuned import Teacher

SMALL = {"hidden_units": 32, "style_dim": 2, "epochs": 10, "min_steps": 200}


@pytest.fixture(scope="module")
def bars_vae():
    """A VAE on 200 unlabelled bar images; 18 labelled ones (each class at least 3 times) and the pool."""
    X, y = bars(18, seed=3)
    pool, truth = bars(200, seed=1)
    vae = VAEAugmenter(latent_dim=3, hidden_units=32, max_epochs=20, random_state=0).fit(pool)
    assert min(np.unique(y, return_counts=True)[1]) >= 3
    return vae, X, y, pool, truth


def _is_pool_row(rows, pool):
    return all(any(np.array_equal(row, p) for p in pool) for row in rows)


def test_each_fold_trains_its_own_teacher_without_the_held_out_labels(bars_vae, monkeypatch):
    vae, X, y, pool, truth = bars_vae
    seen = []
    fit = ConditionalAugmenter.fit
    monkeypatch.setattr(ConditionalAugmenter, "fit", lambda self, X, y, X_unlabelled=None: (
        seen.append(len(X)), fit(self, X, y, X_unlabelled))[1])
    # a classifier that scores better with more rows: some pseudo-labels always win
    teacher = Teacher(vae, classifier=NeedsMore(12), conditional=ConditionalAugmenter(**SMALL),
                      thresholds=[0.0, 0.9], cv=3, random_state=0)
    X_new, y_new = teacher.fit(X, y, X_unlabelled=pool).generate(X, y)
    assert seen == [12, 12, 12, 18]  # one per fold, on its two thirds; then one on every label, to label the pool
    assert [row["candidate"] for row in teacher.cv_results_] == ["none", "pseudo-label t=0 all",
                                                                 "pseudo-label t=0.9 all"]
    threshold = teacher.choice_["threshold"]
    sure = teacher.conditional_.predict_proba(pool).max(axis=1) >= threshold
    assert len(X_new) == sure.sum() > 0 and _is_pool_row(X_new, pool)  # every pool sample it is sure enough of
    assert (teacher.conditional_.predict(X_new) == y_new).all()
    assert np.mean(y_new == np.array([truth[np.abs(pool - r).sum(axis=(1, 2)).argmin()] for r in X_new])) >= 0.9
    assert teacher.generation_report_["choice"] == f"pseudo-label t={threshold:g} all"
    # each pseudo-label weighs q(y | z) of it, for a classifier that takes weights; unweighted, none
    np.testing.assert_allclose(teacher.sample_weight_, teacher.conditional_.predict_proba(X_new).max(axis=1),
                               rtol=1e-5)
    assert teacher.set_params(weighted=False).generate(X, y) and teacher.sample_weight_ is None


def test_a_fitted_teacher_labels_the_pool_itself_and_folds_are_trained_once_per_data(bars_vae, monkeypatch):
    vae, X, y, pool, _ = bars_vae
    fitted = ConditionalAugmenter(vae, random_state=0, **SMALL).fit(X, y, X_unlabelled=pool)
    teacher = Teacher(classifier=NeedsMore(12), conditional=fitted, thresholds=[0.5], random_state=0)
    teacher.fit(X, y, X_unlabelled=pool)
    assert teacher.augmenter_ is vae and teacher.conditional_.model_ is fitted.model_  # its VAE; not trained again
    calls = []
    monkeypatch.setattr(ConditionalAugmenter, "fit", lambda *a, **k: calls.append(1))
    teacher.set_params(classifier="svm").fit(X, y, X_unlabelled=pool)  # the next classifier: the same folds
    assert calls == []


def test_a_fold_cache_keeps_the_fold_models_for_the_next_fit_on_the_same_samples(bars_vae, monkeypatch, tmp_path):
    vae, X, y, pool, _ = bars_vae
    settings = dict(conditional=ConditionalAugmenter(random_state=0, **SMALL), random_state=0)
    plain = Teacher(vae, classifier=NeedsMore(12), thresholds=[0.0, 0.9], **settings).fit(X, y, X_unlabelled=pool)
    first = Teacher(vae, classifier=NeedsMore(12), thresholds=[0.0, 0.9], fold_cache=tmp_path / "folds",
                    **settings).fit(X, y, X_unlabelled=pool)
    saved = sorted(p.name for p in (tmp_path / "folds").iterdir() if p.is_dir())
    assert len(saved) == 4 and all(name.startswith("conditional-") for name in saved)  # 3 folds, then all
    assert first.cv_results_ == plain.cv_results_  # saving changes nothing
    seen = []
    fit = ConditionalAugmenter.fit
    monkeypatch.setattr(ConditionalAugmenter, "fit", lambda self, X, y, X_unlabelled=None: (
        seen.append(len(X)), fit(self, X, y, X_unlabelled))[1])
    # another estimator, auto with the teacher's candidates: the same folds, loaded, the same scores
    auto = AutoAugmenter(vae, classifier=NeedsMore(12), candidates=[{"method": "pseudo-label", "threshold": t,
                                                                     "n_per_class": "all"} for t in (0.0, 0.9)],
                         fold_cache=tmp_path / "folds", **settings)
    auto.fit(X, y, X_unlabelled=pool)
    assert seen == []  # the fold models and the one on every label: loaded
    assert [row["scores"] for row in auto.cv_results_] == [row["scores"] for row in first.cv_results_]
    # other samples are other folds: trained, and kept beside
    Teacher(vae, classifier=NeedsMore(12), thresholds=[0.9], fold_cache=tmp_path / "folds", **settings).fit(
        X[::-1], y[::-1], X_unlabelled=pool)
    assert seen == [12, 12, 12, 18] and len([p for p in (tmp_path / "folds").iterdir() if p.is_dir()]) == 8
    (tmp_path / "a-file").write_text("")
    for bad, message in ((tmp_path / "a-file", "is a file"), (3, "a folder's path")):
        with pytest.raises(ValueError, match=message):
            Teacher(vae, fold_cache=bad, **settings).fit(X, y, X_unlabelled=pool)


def test_max_pool_labels_a_fixed_random_subset_while_the_models_learn_from_the_whole_pool(bars_vae, monkeypatch):
    vae, X, y, pool, _ = bars_vae
    pools, labelled = [], []
    fit, generate = ConditionalAugmenter.fit, ConditionalAugmenter.generate
    monkeypatch.setattr(ConditionalAugmenter, "fit", lambda self, X, y, X_unlabelled=None: (
        pools.append(len(X_unlabelled)), fit(self, X, y, X_unlabelled))[1])
    monkeypatch.setattr(ConditionalAugmenter, "generate", lambda self, X, y, X_unlabelled=None: (
        labelled.append(X_unlabelled), generate(self, X, y, X_unlabelled))[1])
    teacher = Teacher(vae, classifier=NeedsMore(12), conditional=ConditionalAugmenter(**SMALL),
                      thresholds=[0.0], max_pool=50, random_state=0)
    X_new, _ = teacher.fit(X, y, X_unlabelled=pool).generate(X, y)
    assert pools == [200] * 4  # every model learns from the whole pool
    assert len(labelled) == 4 and all(len(part) == 50 for part in labelled)  # 3 folds, then the choice
    assert all(np.array_equal(part, labelled[0]) for part in labelled) and _is_pool_row(labelled[0], pool)
    assert teacher.choice_["threshold"] == 0.0 and len(X_new) == 50  # the whole subset, nothing beyond it
    with pytest.raises(ValueError, match="max_pool"):
        Teacher(vae, max_pool=0).fit(X, y, X_unlabelled=pool)


def test_cv_pool_ranks_the_thresholds_on_part_of_the_subset_the_choice_then_labels(bars_vae, monkeypatch):
    vae, X, y, pool, _ = bars_vae
    labelled = []
    generate = ConditionalAugmenter.generate
    monkeypatch.setattr(ConditionalAugmenter, "generate", lambda self, X, y, X_unlabelled=None: (
        labelled.append(X_unlabelled), generate(self, X, y, X_unlabelled))[1])
    teacher = Teacher(vae, classifier=NeedsMore(12), conditional=ConditionalAugmenter(**SMALL),
                      thresholds=[0.0], max_pool=50, cv_pool=20, random_state=0)
    X_new, _ = teacher.fit(X, y, X_unlabelled=pool).generate(X, y)
    assert [len(part) for part in labelled] == [20, 20, 20, 50]  # 3 folds on a part, then the choice on all
    assert all(np.array_equal(part, labelled[0]) for part in labelled[:3]) and _is_pool_row(labelled[0], labelled[3])
    assert len(X_new) == 50
    with pytest.raises(ValueError, match="cv_pool"):
        Teacher(vae, cv_pool=0).fit(X, y, X_unlabelled=pool)
    config = ExperimentConfig.from_dict({**ONE_CELL, "methods": ["teacher"], "auto": {"cv_pool": 5}})
    assert config.auto["cv_pool"] == 5
    with pytest.raises(ValueError, match="cv_pool"):
        ExperimentConfig.from_dict({**ONE_CELL, "methods": ["teacher"], "auto": {"cv_pool": -1}})


def test_auto_offers_the_whole_pool_candidates_when_max_pool_bounds_the_pool(bars_vae):
    vae, X, y, pool, _ = bars_vae
    few = X[:9]  # 200 unlabelled samples for 9 labelled: beyond 20x, unless capped at 180

    def spreads(**params):
        return {"method": "label-spreading", "n_per_class": "all"} in AutoAugmenter(vae, **params)._default_candidates(
            few, pool)
    assert not spreads() and spreads(max_pool=180) and not spreads(max_pool=181)


def test_pseudo_label_takes_every_sure_sample_with_the_amount_all(bars_vae):
    vae, X, y, pool, _ = bars_vae
    model = ConditionalAugmenter(vae, method="pseudo-label", n_per_class="all", threshold=0.8, random_state=0,
                                 **SMALL).fit(X, y, X_unlabelled=pool)
    X_new, y_new = model.generate(X, y)
    assert len(X_new) == int((model.predict_proba(pool).max(axis=1) >= 0.8).sum())
    assert model.generation_report_["missing"] == {} and model.generation_report_["made"] == len(X_new)
    with pytest.raises(ValueError, match="n_per_class='all' takes every unlabelled sample a method labels"):
        model.set_params(method="conditional-prior").generate(X, y)


class WeightedNeedsMore(NeedsMore):
    """NeedsMore that takes sample weights: it learns from the rows that weigh at least a half (of two classes,
    a soft-labelled sample's likelier label), so the teacher may hand it soft targets."""

    def fit(self, X, y, sample_weight=None):
        keep = slice(None) if sample_weight is None else np.asarray(sample_weight) >= 0.5
        return super().fit(X[keep], np.asarray(y)[keep])


def test_soft_labels_enter_each_sample_once_per_likely_class_weighing_its_probability(bars_vae):
    vae, X, y, pool, _ = bars_vae
    model = ConditionalAugmenter(vae, method="pseudo-label", n_per_class="all", threshold=0.0, soft_labels=True,
                                 random_state=0, **SMALL).fit(X, y, X_unlabelled=pool)
    X_new, y_new = model.generate(X, y)
    probabilities = model.predict_proba(pool)
    likely = probabilities >= 0.01
    assert len(X_new) == int(likely.sum()) == model.generation_report_["soft_entries"] > len(pool)
    assert model.generation_report_["made"] == len(pool)  # the samples taken; each enters once per likely class
    rows = [np.abs(pool - row).sum(axis=(1, 2)).argmin() for row in X_new]
    np.testing.assert_allclose(model.sample_weight_, probabilities[rows, np.searchsorted(model.classes_, y_new)],
                               rtol=1e-5)
    np.testing.assert_allclose(model.sample_weight_.sum(), probabilities[likely].sum(), rtol=1e-5)
    X_hard, y_hard = model.set_params(soft_labels=False).generate(X, y)
    assert len(X_hard) == len(pool) and model.sample_weight_ is None and (model.predict(X_hard) == y_hard).all()


def test_teacher_hands_soft_targets_only_to_a_classifier_that_takes_weights(bars_vae):
    vae, X, y, pool, _ = bars_vae
    fitted = ConditionalAugmenter(vae, soft_labels=True, random_state=0, **SMALL).fit(X, y, X_unlabelled=pool)
    soft = int((fitted.predict_proba(pool) >= 0.01).sum())
    for classifier, weighted, entries in ((WeightedNeedsMore(12), True, soft), (NeedsMore(12), True, len(pool)),
                                          (WeightedNeedsMore(12), False, len(pool))):
        teacher = Teacher(classifier=classifier, conditional=fitted, thresholds=[0.0], weighted=weighted,
                          random_state=0)
        X_new, _ = teacher.fit(X, y, X_unlabelled=pool).generate(X, y)
        assert len(X_new) == entries
        assert teacher.sample_weight_ is None if not weighted else len(teacher.sample_weight_) == entries
    assert fitted.soft_labels  # the teacher changed its copies, not the model it was given


def test_without_a_pool_or_with_bad_settings_it_says_so(bars_vae):
    vae, X, y, pool, _ = bars_vae
    with pytest.raises(ValueError, match="teacher labels unlabelled samples"):
        Teacher(vae).fit(X, y)
    with pytest.raises(ValueError, match="teacher labels unlabelled samples"):
        Teacher(vae).fit_resample(X, y)
    with pytest.raises(ValueError, match="thresholds must be a non-empty list of probabilities"):
        Teacher(vae, thresholds=[1.5]).fit(X, y, X_unlabelled=pool)
    with pytest.raises(ValueError, match="threshold and n_per_class are the settings of the methods that label"):
        AutoAugmenter(vae, conditional=ConditionalAugmenter(**SMALL), candidates=[
            {"method": "interpolation", "threshold": 0.5}]).fit(X, y, X_unlabelled=pool)


def test_teacher_is_a_method_name_of_a_kind_fitted_per_classifier():
    spec = parse_method("teacher")
    assert spec.kind == "teacher" and kind_of(spec).per_classifier and kind_of(spec).labels_pool
    assert kind_of(spec).built_on == "vae"
    teacher = make_augmenter("teacher", latent_dim=2, random_state=0)
    assert isinstance(teacher, Teacher) and teacher.augmenter.latent_dim == 2
    with pytest.raises(ValueError, match="stand alone"):
        parse_method("teacher+agree")


def test_a_run_scores_it_with_its_choice_per_classifier(tmp_path):
    config = ExperimentConfig.from_dict({**ONE_CELL, "methods": ["teacher"], "classifiers": ["knn", "svm"],
                                         "conditional": {"hidden_units": 16, "epochs": 1, "min_steps": 20},
                                         "auto": {"max_pool": 7}})
    run_experiment(config, tmp_path, progress=False)
    records = json.loads((tmp_path / "results.json").read_text())["records"]
    teacher = [r for r in records if r["method"] == "teacher"]
    assert sorted(r["classifier"] for r in teacher) == ["knn", "svm"]
    for record in teacher:
        assert record["generated"]["choice"] in ["none"] + [f"pseudo-label t={t:g} all" for t in (0, 0.5, 0.9, 0.99)]
        assert record["n_train"] == 40 + record["generated"]["made"] and record["generated"]["made"] <= 7


def test_teacher_and_auto_in_one_run_share_the_fold_models_and_the_next_run_loads_them(tmp_path, monkeypatch):
    fits = []
    fit = ConditionalAugmenter.fit
    monkeypatch.setattr(ConditionalAugmenter, "fit", lambda self, X, y, X_unlabelled=None: (
        fits.append(len(X)), fit(self, X, y, X_unlabelled))[1])
    candidates = [{"method": "pseudo-label", "threshold": 0.5, "n_per_class": "all"}]
    config = ExperimentConfig.from_dict({**ONE_CELL, "methods": ["teacher", "auto"], "classifiers": ["svm"],
                                         "conditional": {"hidden_units": 16, "epochs": 1, "min_steps": 20},
                                         "auto": {"max_pool": 7, "conditional": True, "candidates": candidates}})
    first = run_experiment(config, tmp_path / "first", vae_cache=tmp_path / "cache", progress=False)
    assert fits == [40, 26, 27, 27]  # the run's model, then 3 folds for both methods
    assert len([p for p in (tmp_path / "cache" / "folds").iterdir() if p.is_dir()]) == 3
    again = run_experiment(config, tmp_path / "again", vae_cache=tmp_path / "cache", progress=False)
    assert fits == [40, 26, 27, 27] and _scores(again) == _scores(first)


def _scores(results):
    return sorted((r["method"], r["classifier"], r["accuracy"]) for r in results["records"])


def test_auto_takes_pseudo_labels_hard_from_a_soft_model_for_a_classifier_that_takes_no_weights(bars_vae):
    vae, X, y, pool, _ = bars_vae
    soft = ConditionalAugmenter(vae, soft_labels=True, random_state=0, **SMALL)
    auto = AutoAugmenter(vae, classifier=NeedsMore(12), conditional=soft, margin=0.0, random_state=0,
                         candidates=[{"method": "pseudo-label", "threshold": 0.0, "n_per_class": "all"}])
    X_new, _ = auto.fit(X, y, X_unlabelled=pool).generate(X, y)
    assert len(X_new) == len(pool)  # each pool sample once, under its likeliest label
    assert soft.soft_labels  # the model it was given keeps its settings


def test_auto_weighs_its_pseudo_labels_as_the_teacher_does(bars_vae):
    vae, X, y, pool, _ = bars_vae
    common = {"classifier": WeightedNeedsMore(12), "conditional": ConditionalAugmenter(vae, random_state=0, **SMALL),
              "margin": 0.0, "random_state": 0}
    teacher = Teacher(vae, thresholds=[0.0], **common)
    auto = AutoAugmenter(vae, candidates=[{"method": "pseudo-label", "threshold": 0.0, "n_per_class": "all"}],
                         **common)
    for estimator in (teacher, auto):
        estimator.fit(X, y, X_unlabelled=pool).generate(X, y)
    assert [row["scores"] for row in auto.cv_results_] == [row["scores"] for row in teacher.cv_results_]
    assert auto.sample_weight_ is not None and len(auto.sample_weight_) == len(pool)
    np.testing.assert_array_equal(auto.sample_weight_, teacher.sample_weight_)
    assert auto.set_params(weighted=False).generate(X, y) and auto.sample_weight_ is None
