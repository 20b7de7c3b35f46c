"""The generative classifier and the bounded redrawing (vaeaug.generation.filtering)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

import vaeaug.generation.filtering
from vaeaug import VAEAugmenter
from vaeaug.generation.filtering import GenerativeFilter, draw_until, noisy_copies, warn_short

FAST = dict(latent_dim=3, hidden_units=32, max_epochs=3, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def digits():
    """400 real 8x8 digits in [0, 1] and a VAE fitted on them (a few seconds on 2 cores)."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).reshape(-1, 8, 8).astype(np.float32)
    augmenter = VAEAugmenter(latent_dim=6, hidden_units=128, max_epochs=40, batch_size=32, beta=0.25,
                             random_state=0).fit(X[:400])
    return X, y, augmenter


def test_gc_keeps_real_digits_and_rejects_garbage(digits):
    X, y, augmenter = digits
    gc = augmenter.set_params(filter="gc").make_filter(X[:400], seed=0)
    real = X[400:600]  # real digits the GC never saw
    garbage = np.random.default_rng(0).uniform(size=(200, 8, 8)).astype(np.float32)
    assert gc.keep(real).mean() > 0.8
    assert gc.keep(garbage).mean() < 0.05


def test_gc_filters_generated_samples_and_reports_its_acceptance(digits):
    X, y, augmenter = digits
    augmenter.set_params(method="prior", filter="gc", n_per_class=10, alpha=1.0)
    X_new, y_new = augmenter.generate(X[:100], y[:100])
    report = augmenter.generation_report_
    assert 0 < report["acceptance_rate"] <= 1 and report["requested"] == 100
    assert report["made"] == len(y_new) <= 100
    again = augmenter.generate(X[:100], y[:100])  # same seed, same samples
    np.testing.assert_array_equal(again[0], X_new)
    gc = augmenter.make_filter(X[:100], seed=0)
    assert gc.keep(X_new).mean() == pytest.approx(1.0, abs=0.2)


def test_gc_on_tabular_data_learns_noisy_copies_as_bad():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (60, 5)), rng.normal(4, 1, (60, 5))]
    bad = noisy_copies(X, noise_level=3.0, random_state=0)
    gc = GenerativeFilter(random_state=0).fit(X, bad)
    assert gc.keep(X).mean() > 0.9 and gc.keep(rng.uniform(-20, 20, (100, 5))).mean() < 0.1


def test_redrawing_is_bounded_and_says_what_is_missing():
    calls = []

    def draw(ask, round_number):
        calls.append(round_number)
        labels = np.repeat(list(ask), list(ask.values()))
        return -(100.0 * round_number + np.arange(len(labels))), labels, len(labels)  # new each round, all bad

    rows, labels, report = draw_until(draw, {"a": 2, "b": 1}, keep=lambda rows, labels: rows > 0, max_rounds=4)
    assert calls == [1, 2, 3, 4] and report["made"] == 0 and (rows is None or len(rows) == 0)
    assert report["missing"] == {"a": 2, "b": 1} and report["acceptance_rate"] == 0


def test_a_candidate_made_before_is_not_kept_and_a_round_of_repeats_ends_the_drawing():
    calls = []

    def draw(ask, round_number):  # the same three candidates every round: two new ones, then repeats
        calls.append(round_number)
        return np.array([1.0, 1.0, 2.0]), np.array(["a", "a", "a"]), 3

    rows, labels, report = draw_until(draw, {"a": 3})
    assert rows.tolist() == [1.0, 2.0] and calls == [1, 2]
    assert report["repeated"] == 4 and report["missing"] == {"a": 1}
    with pytest.warns(UserWarning, match=r"Made 2 of the 3 .* 4 candidates repeated a sample made already"):
        warn_short(report, "Ask for fewer.")


def test_the_gc_learns_from_a_bounded_subsample(blobs, monkeypatch):
    X, y = blobs
    seen = []
    original = GenerativeFilter.fit
    monkeypatch.setattr(GenerativeFilter, "fit", lambda self, good, bad: seen.append((len(good), len(bad)))
                        or original(self, good, bad))
    monkeypatch.setattr(vaeaug.generation.filtering, "GC_MAX_SAMPLES", 15)
    VAEAugmenter(**FAST, filter="gc").fit(X).make_filter(X)
    assert seen == [(15, 15)]
