"""The 2023 talk's methods: combined moves, talk noise, prior sampling, balance, beta_norm, Multi-VAE, the GC."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from vaeaug import MultiVAEAugmenter, VAEAugmenter, alter, sample_prior
from vaeaug.generation.amounts import class_targets
from vaeaug.generation.latent import label_by_neighbours
from vaeaug.generation.filtering import GenerativeFilter, draw_until, noisy_copies
from vaeaug.generation.factory import make_augmenter
from vaeaug.generation.registry import parse_method
from vaeaug.vae.model import normalized_beta

CODES = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [1.5, 0.1], [10.0, 0.0]])
LABELS = np.array([0, 0, 0, 1, 1])
NEAREST = np.array([1, 0, 1, 4, 3])  # each code's nearest same-class code
FAST = dict(latent_dim=3, hidden_units=32, max_epochs=3, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def digits():
    """400 real 8x8 digits in [0, 1] and a VAE fitted on them (a few seconds on 2 cores)."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).reshape(-1, 8, 8).astype(np.float32)
    augmenter = VAEAugmenter(latent_dim=6, hidden_units=128, max_epochs=40, batch_size=32, beta=0.25,
                             random_state=0).fit(X[:400])
    return X, y, augmenter


# -- the combined equations, on hand-made codes ------------------------------------

@pytest.mark.parametrize("method, sign", [("interpolation+noise", 1.0), ("extrapolation+noise", -1.0)])
def test_combined_moves_add_the_neighbour_step_and_the_noise(method, sign):
    scale = np.array([0.5, 2.0])
    new = alter(method, CODES, LABELS, alpha=0.5, n_neighbors=1, scale=scale, random_state=3)
    eps = np.random.default_rng(3).standard_normal((5, 2))
    # z' = ±alpha (z_k - z) + z + alpha * scale * eps
    expected = CODES + sign * 0.5 * (CODES[NEAREST] - CODES) + 0.5 * scale * eps
    np.testing.assert_allclose(new.codes, expected)
    np.testing.assert_array_equal(new.labels, LABELS)


def test_talk_noise_is_unit_scaled_and_paper_noise_follows_the_codes_spread():
    codes = np.random.default_rng(0).normal(scale=[0.1, 10.0], size=(4000, 2))
    labels = np.zeros(4000)
    unit = alter("noise", codes, labels, alpha=0.5, n_per_sample=1, scale=1.0, random_state=0)
    paper = alter("noise", codes, labels, alpha=0.5, n_per_sample=1, random_state=0)
    np.testing.assert_allclose((unit.codes - codes).std(axis=0), [0.5, 0.5], rtol=0.05)
    np.testing.assert_allclose((paper.codes - codes).std(axis=0), [0.05, 5.0], rtol=0.05)


def test_per_class_amounts_and_balance():
    labels = np.array([0] * 6 + [1] * 2)
    assert class_targets(labels, n_per_class="balance") == {0: 0, 1: 4}
    assert class_targets(labels, n_per_sample=3) == {0: 18, 1: 6}
    new = alter("interpolation", np.random.default_rng(0).normal(size=(8, 2)), labels, n_neighbors=1,
                n_per_class=5, random_state=0)
    assert np.bincount(new.labels).tolist() == [5, 5]
    assert np.bincount(new.source[new.labels == 1]).tolist()[6:] == [3, 2] or \
        np.bincount(new.source[new.labels == 1]).tolist()[6:] == [2, 3]  # the 2 rows cycle to make 5


def test_prior_draws_are_labelled_by_unanimous_neighbours():
    codes = np.r_[np.full((5, 2), -3.0), np.full((5, 2), 3.0)] + np.random.default_rng(0).normal(0, .1, (10, 2))
    labels = np.repeat(["left", "right"], 5)
    new = alter("prior", codes, labels, alpha=1.0, n_neighbors=3, n_per_sample=50, random_state=0)
    assert np.all(new.source == -1) and 0 < len(new.codes) <= 500
    assert set(new.labels[new.codes.sum(axis=1) < 0]) == {"left"}
    assert set(new.labels[new.codes.sum(axis=1) > 0]) == {"right"}
    found, sure = label_by_neighbours([[0.0, 0.0]], [[-1.0, 0.0], [1.0, 0.0]], [0, 1], n_neighbors=2)
    assert not sure[0]  # halfway between two classes: ambiguous, dropped
    np.testing.assert_array_equal(sample_prior(3, 2, alpha=0.5, random_state=1),
                                  0.5 * np.random.default_rng(1).standard_normal((3, 2)))


def test_beta_norm_is_beta_times_latent_size_over_input_size():
    assert normalized_beta(1.0, 2, 15) == pytest.approx(0.1333, abs=1e-4)  # the talk's card value
    X = np.random.default_rng(0).normal(size=(40, 15))
    fitted = VAEAugmenter(**{**FAST, "latent_dim": 2}, normalize_beta=True).fit(X)
    assert fitted.beta_ == pytest.approx(2 / 15) and fitted.model_.config.beta == pytest.approx(2 / 15)
    assert VAEAugmenter(**{**FAST, "latent_dim": 2}, beta=0.5, normalize_beta=True, input_dim=20).fit(X).beta_ \
        == pytest.approx(0.05)
    assert VAEAugmenter(**FAST, beta=0.5).fit(X).beta_ == 0.5


# -- Multi-VAE ------------------------------------------------------------------------

def test_multi_vae_labels_are_their_class_and_it_saves_as_one(blobs, tmp_path):
    X, y = blobs
    multi = MultiVAEAugmenter(VAEAugmenter(**FAST, n_per_class=7), random_state=0).fit(X, y)
    assert len(multi.augmenters_) == 2
    X_new, y_new = multi.generate(X, y)
    assert X_new.shape == (14, 8, 8) and np.bincount(y_new).tolist() == [7, 7]
    # Class 0 is bright on top, class 1 at the bottom: each class's VAE draws its own kind.
    top = X_new[:, :4].mean(axis=(1, 2)) > X_new[:, 4:].mean(axis=(1, 2))
    np.testing.assert_array_equal(top, y_new == 0)
    multi.save(tmp_path / "multi")
    loaded = MultiVAEAugmenter.load(tmp_path / "multi", device="cpu")
    np.testing.assert_array_equal(loaded.generate(X, y)[0], X_new)


def test_multi_vae_mixes_in_other_classes(blobs, monkeypatch):
    X, y = blobs
    sizes = []
    original = VAEAugmenter.fit
    monkeypatch.setattr(VAEAugmenter, "fit", lambda self, X, *a, **k: sizes.append(len(X)) or original(self, X))
    MultiVAEAugmenter(VAEAugmenter(**FAST), mix_in=0.2, random_state=0).fit(X, y)
    MultiVAEAugmenter(VAEAugmenter(**FAST), mix_in=0.0, random_state=0).fit(X, y)
    assert sizes == [25, 25, 20, 20]  # 20 own + 5 others is 20 % mixed in


def test_multi_vae_balances_across_classes(blobs):
    X, y = blobs
    keep = np.r_[np.arange(20), np.arange(20, 26)]  # 20 of class 0, 6 of class 1
    multi = MultiVAEAugmenter(VAEAugmenter(**FAST, n_per_class="balance"), random_state=0)
    _, y_res = multi.fit_resample(X[keep], y[keep])
    assert np.bincount(y_res).tolist() == [20, 20]


# -- the generative classifier ------------------------------------------------------------

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
        return np.zeros(len(labels)), labels, len(labels)

    rows, labels, report = draw_until(draw, {"a": 2, "b": 1}, keep=lambda rows: rows > 0, max_rounds=4)
    assert calls == [1, 2, 3, 4] and report["made"] == 0 and (rows is None or len(rows) == 0)
    assert report["missing"] == {"a": 2, "b": 1} and report["acceptance_rate"] == 0


# -- names, seeds and bad input --------------------------------------------------------------

def test_method_names_resolve_to_a_model_and_settings():
    assert parse_method("multi-vae") == ("multi-vae", "class-vaes", "prior", None, None)
    assert parse_method("extrapolation+noise+gc")[1:] == ("vae", "extrapolation+noise", "gc", None)
    multi = make_augmenter("multi-vae+interpolation", latent_dim=2, mix_in=0.3)
    assert (multi.mix_in, multi.augmenter.method, multi.augmenter.latent_dim) == (0.3, "interpolation", 2)


def test_same_seed_same_samples_for_every_new_method(blobs):
    X, y = blobs
    for name in ("interpolation+noise", "prior", "multi-vae", "extrapolation+noise+gc"):
        first = make_augmenter(name, **FAST, n_per_class=4).fit_resample(X, y)
        second = make_augmenter(name, **FAST, n_per_class=4).fit_resample(X, y)
        np.testing.assert_array_equal(first[0], second[0])
        np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize(
    "name, message",
    [
        ("rotation", "Unknown method 'rotation'"),
        ("prior+noise", "cannot be combined"),
        ("interpolation+extrapolation", "at most one neighbour move"),
        ("noise+noise", "repeats a move"),
        ("gc+noise", "only last"),
        ("noise+multi-vae", "may only come first"),
        ("", "must be a name"),
    ],
)
def test_bad_method_names_are_clear_errors(name, message):
    with pytest.raises(ValueError, match=message):
        parse_method(name)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_per_class": 0}, "n_per_class must be > 0"),
        ({"n_per_class": "even"}, "Unknown n_per_class"),
        ({"noise_scale": "sigma"}, "Unknown noise_scale"),
        ({"filter": "gan"}, "Unknown filter"),
        ({"normalize_beta": "yes"}, "normalize_beta must be True or False"),
        ({"input_dim": 0}, "input_dim must be > 0"),
        ({"method": "prior+gc"}, "Unknown method 'prior\\+gc'"),
    ],
)
def test_bad_generation_parameters_are_clear_errors(blobs, params, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        VAEAugmenter(**FAST, **params).fit(X)


def test_bad_multi_vae_use_is_a_clear_error(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="mix_in must be a share"):
        MultiVAEAugmenter(mix_in=1.0).fit(X, y)
    with pytest.raises(ValueError, match="space='data'"):
        MultiVAEAugmenter(VAEAugmenter(space="latent")).fit(X, y)
    with pytest.raises(ValueError, match="needs the labels"):
        MultiVAEAugmenter().fit(X, None)
    multi = MultiVAEAugmenter(VAEAugmenter(**FAST), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"Classes \[7\] have no VAE"):
        multi.generate(X, np.where(y == 1, 7, y))
    with pytest.raises(ValueError, match="generate needs the labels"):
        VAEAugmenter(**FAST).fit(X).generate(X, None)


def test_the_gc_learns_from_a_bounded_subsample(blobs, monkeypatch):
    import vaeaug.generation.augmenter

    X, y = blobs
    seen = []
    original = GenerativeFilter.fit
    monkeypatch.setattr(GenerativeFilter, "fit", lambda self, good, bad: seen.append((len(good), len(bad)))
                        or original(self, good, bad))
    monkeypatch.setattr(vaeaug.generation.augmenter, "GC_MAX_SAMPLES", 15)
    VAEAugmenter(**FAST, filter="gc").fit(X).make_filter(X)
    assert seen == [(15, 15)]
