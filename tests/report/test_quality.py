"""What a method made, judged without a test set (vaeaug.report.quality), and where a run reports it."""

import json

import numpy as np
import pytest
from helpers import ONE_CELL

from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments.runner import run_experiment
from vaeaug.report.quality import QUALITY_KEYS, sample_quality


def two_classes(seed=0, n=20):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(0, 1, (n, 3)), rng.normal(8, 1, (n, 3))]
    return X, np.repeat(["a", "b"], n)


def test_near_copies_agree_are_distinct_as_varied_and_near():
    X, y = two_classes()
    quality = sample_quality(X, y, X + 1e-3, y)
    assert quality["agreement"] == 1.0 and quality["distinct"] == 1.0
    assert quality["spread"] == pytest.approx(1.0, abs=1e-3) and quality["nearest"] < 0.01


def test_wrong_labels_repeats_and_a_collapsed_class_each_show():
    X, y = two_classes()
    fresh, _ = two_classes(seed=1)  # new samples from the same classes
    assert sample_quality(X, y, fresh, y)["agreement"] == 1.0
    assert sample_quality(X, y, fresh, y[::-1])["agreement"] == 0.0  # every label swapped
    assert sample_quality(X, y, np.r_[fresh, fresh], np.r_[y, y])["distinct"] == 0.5
    collapsed = np.where(y[:, None] == "a", X[y == "a"].mean(axis=0), X[y == "b"].mean(axis=0))
    quality = sample_quality(X, y, collapsed + np.random.default_rng(2).normal(0, 0.01, X.shape), y)
    assert quality["spread"] < 0.05  # each class's samples sit on one prototype
    assert 0.5 < sample_quality(X, y, fresh, y)["nearest"] < 3  # real-like samples: as far as the labelled ones


def test_nothing_made_or_one_labelled_sample_gives_none_not_an_error():
    X, y = two_classes()
    assert sample_quality(X, y, X[:0], y[:0]) == dict.fromkeys(QUALITY_KEYS)
    assert sample_quality(X[:1], y[:1], X[:3], y[:3])["nearest"] is None


def test_a_run_keeps_each_methods_quality_and_draws_it(tmp_path):
    config = ExperimentConfig.from_dict({**ONE_CELL, "methods": ["noise", "smote"]})
    run_experiment(config, tmp_path, progress=False)
    records = json.loads((tmp_path / "results.json").read_text())["records"]
    made = [r for r in records if r["method"] != "baseline"]
    assert made and all(set(r["generated"]["quality"]) == set(QUALITY_KEYS) for r in made)
    assert "| judge agrees | distinct | spread | nearest |" in (tmp_path / "results.md").read_text()
    assert (tmp_path / "quality.png").stat().st_size > 0
