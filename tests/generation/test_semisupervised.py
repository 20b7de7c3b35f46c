"""The semi-supervised rivals: labels for the unlabelled pool, as samplers and as columns of a run."""

import json

import numpy as np
import pytest
from helpers import ONE_CELL

from vaeaug import VAEAugmenter, make_augmenter, parse_method
from vaeaug.classifiers import make_classifier
from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments.runner import run_experiment
from vaeaug.generation.kinds import kind_of
from vaeaug.generation.semisupervised import LabelSpreadingSampler, SelfTrainingSampler


def blobs(n_pool=40, seed=0):
    """Three labelled samples per class and a pool of each class's blob, with the pool's true labels."""
    rng = np.random.default_rng(seed)
    centres = {"left": -3.0, "right": 3.0}
    X = np.array([[c + d, c] for c in centres.values() for d in (-0.1, 0.0, 0.1)])
    y = np.repeat(list(centres), 3)
    truth = rng.choice(list(centres), n_pool)
    pool = np.array([[centres[t], centres[t]] for t in truth]) + rng.normal(0, 0.3, (n_pool, 2))
    return X, y, pool, truth


def row_labels(pool, truth, rows):
    return [truth[np.abs(pool - r).sum(axis=1).argmin()] for r in rows]  # rows come back as float32


@pytest.mark.parametrize("sampler", [LabelSpreadingSampler(), SelfTrainingSampler("knn"),
                                     SelfTrainingSampler(random_state=0)], ids=["spreading", "knn", "svm"])
def test_each_labels_the_pool_as_its_blobs_say(sampler):
    X, y, pool, truth = blobs()
    X_new, y_new = sampler.generate(X, y, X_unlabelled=pool)
    assert len(X_new) > 0 and y_new.tolist() == row_labels(pool, truth, X_new)
    assert sampler.generation_report_["made"] == len(y_new)


def test_label_spreading_labels_the_whole_pool_unless_an_amount_caps_it_surest_first():
    X, y, pool, truth = blobs()
    assert len(LabelSpreadingSampler().generate(X, y, X_unlabelled=pool)[1]) == len(pool)
    X_new, y_new = LabelSpreadingSampler(n_per_sample=2).generate(X, y, X_unlabelled=pool)
    assert sorted(y_new.tolist()) == ["left"] * 6 + ["right"] * 6
    centre = np.where(y_new == "left", -3.0, 3.0)[:, None]
    distance = np.abs(X_new - centre).sum(axis=1)
    # the surest are nearer their class's labelled samples than the pool's typical member
    assert distance.mean() < np.abs(pool - np.where(truth == "left", -3.0, 3.0)[:, None]).sum(axis=1).mean()


def test_label_spreading_over_codes_fits_an_unfitted_encoder_on_every_sample():
    X, y, pool, truth = blobs()
    sampler = LabelSpreadingSampler(encoder=VAEAugmenter(latent_dim=2, hidden_units=16, max_epochs=2,
                                                         random_state=0))
    X_new, y_new = sampler.generate(X, y, X_unlabelled=pool)
    assert X_new.shape[1:] == (2,) and len(y_new) == len(pool)  # samples out, not codes
    assert not hasattr(sampler.encoder, "model_")  # a clone was fitted


def test_without_a_pool_or_with_a_wrong_one_is_a_sentence():
    X, y, pool, _ = blobs()
    with pytest.raises(ValueError, match="none were given; pass them: fit_resample\\(X, y, X_unlabelled=pool\\)"):
        LabelSpreadingSampler().fit_resample(X, y)
    with pytest.raises(ValueError, match="X_unlabelled"):
        LabelSpreadingSampler().generate(X, y, X_unlabelled=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="alpha must be a share in \\(0, 1\\)"):
        LabelSpreadingSampler(alpha=1.5).generate(X, y, X_unlabelled=pool)
    with pytest.raises(ValueError, match="2 labelled samples of each class"):
        SelfTrainingSampler().generate(X[[0, 3, 4]], y[[0, 3, 4]], X_unlabelled=pool)


def test_fit_resample_gives_the_originals_then_the_labelled_pool_in_the_input_types():
    X, y, pool, _ = blobs()
    X_res, y_res = SelfTrainingSampler(make_classifier("knn")).fit_resample(X.tolist(), list(y), X_unlabelled=pool)
    assert isinstance(X_res, list) and isinstance(y_res, list) and X_res[:6] == X.tolist() and len(X_res) > 6


def test_the_rivals_are_method_names_of_kinds_that_label_the_pool():
    for name in ("label-spreading", "label-spreading-codes", "self-training"):
        assert parse_method(name).kind == name and kind_of(name).labels_pool
    assert kind_of("self-training").per_classifier and kind_of("label-spreading-codes").built_on == "vae"
    assert isinstance(make_augmenter("label-spreading-codes", latent_dim=2).encoder, VAEAugmenter)
    with pytest.raises(ValueError, match="stand alone"):
        parse_method("label-spreading+gc")


def test_a_run_scores_them_as_columns_each_classifier_self_training_itself(tmp_path):
    config = ExperimentConfig.from_dict({**ONE_CELL, "methods": ["label-spreading", "label-spreading-codes",
                                                                 "self-training"], "classifiers": ["knn", "svm"]})
    run_experiment(config, tmp_path, progress=False)
    records = json.loads((tmp_path / "results.json").read_text())["records"]
    n_train = {(r["method"], r["classifier"]): r["n_train"] for r in records}
    assert n_train[("baseline", "knn")] == 40
    # label spreading labels the whole pool, for every classifier alike; self-training what each classifier labels
    assert n_train[("label-spreading", "knn")] == n_train[("label-spreading", "svm")] > 1000
    assert n_train[("label-spreading-codes", "knn")] > 1000
    # the SVM, calibrated on 4 images a class, is never 0.75 sure here; kNN is
    assert n_train[("self-training", "knn")] > 40 and n_train[("self-training", "svm")] >= 40
    # each classifier's self-training made a set of its own: the report counts both
    made = sum(r["generated"]["made"] for r in records if r["method"] == "self-training")
    assert f"| self-training | {made} / " in (tmp_path / "results.md").read_text()


def test_max_pool_self_trains_on_a_seeded_subset_of_the_pool_and_a_run_passes_the_auto_cap():
    X, y, pool, truth = blobs(n_pool=40)
    X_new, y_new = SelfTrainingSampler("knn", max_pool=10, random_state=0).generate(X, y, X_unlabelled=pool)
    assert 0 < len(X_new) <= 10 and y_new.tolist() == row_labels(pool, truth, X_new)
    again = SelfTrainingSampler("knn", max_pool=10, random_state=0).generate(X, y, X_unlabelled=pool)[0]
    assert np.array_equal(X_new, again)
    with pytest.raises(ValueError, match="max_pool"):
        SelfTrainingSampler(max_pool=0).generate(X, y, X_unlabelled=pool)
    model = kind_of("self-training").fit_for_classifier(SelfTrainingSampler(), make_classifier("knn"), (X, y),
                                                        {"max_pool": 7, "cv": 3}, None, None)
    assert model.max_pool == 7 and len(model.generate(X, y, X_unlabelled=pool)[0]) <= 7
