"""VAEAugmenter: fit, generate, layouts, persistence and its refusals (vaeaug.generation.augmenter)."""

import copy
import json

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier

from vaeaug import VAEAugmenter
from vaeaug._validation import check_params
from vaeaug.experiments.config import ExperimentConfig

FAST = dict(latent_dim=3, hidden_units=32, max_epochs=3, batch_size=16, random_state=0)


QUICK = dict(latent_dim=3, hidden_units=32, max_epochs=2, batch_size=16, random_state=0)


@pytest.fixture
def saved(blobs, tmp_path):
    X, _ = blobs
    VAEAugmenter(**QUICK).fit(X).save(tmp_path / "model")
    return tmp_path / "model"


def test_sample_keeps_layout_and_labels(blobs):
    X, y = blobs
    augmenter = VAEAugmenter(**FAST).fit(X)
    X_new, y_new = augmenter.generate(X, y)
    assert X_new.shape == (3 * len(X), 8, 8)  # interpolation: one per neighbour, k = 3
    assert np.bincount(y_new).tolist() == [60, 60]
    assert 0 <= X_new.min() and X_new.max() <= 1  # Bernoulli means


def test_channel_first_images_and_unlabelled_data(blobs):
    X, y = blobs
    X4 = X[:, None]
    augmenter = VAEAugmenter(**FAST, method="noise", n_per_sample=2).fit(X4[:10], X_unlabelled=X4[10:])
    assert augmenter.input_shape_ == (1, 8, 8)
    X_new, y_new = augmenter.generate(X4, y)
    assert X_new.shape == (80, 1, 8, 8) and len(y_new) == 80
    assert augmenter.encode(X4).shape == (40, 3)


def test_tabular_data_gets_a_gaussian_vae_in_its_own_units():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(100, 5, (30, 4)), rng.normal(140, 5, (30, 4))]
    y = np.repeat([0, 1], 30)
    augmenter = VAEAugmenter(**FAST).fit(X)
    assert augmenter.likelihood_ == "gaussian"
    X_new, _ = augmenter.set_params(method="extrapolation").generate(X, y)
    assert X_new.shape == (180, 4)
    assert 60 < X_new.mean() < 180  # standardisation undone: back in the data's units


def test_fit_resample_puts_originals_first(blobs):
    X, y = blobs
    X_res, y_res = VAEAugmenter(**FAST, method="noise", n_per_sample=1).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[:40], X)
    np.testing.assert_array_equal(y_res, np.r_[y, y])


def test_drops_into_an_imblearn_pipeline_and_clones(blobs):
    X, y = blobs
    X = X.reshape(len(X), -1)  # kNN takes flat feature vectors
    pipeline = Pipeline([("augment", VAEAugmenter(**FAST)), ("knn", KNeighborsClassifier(3))])
    pipeline.fit(X[::2], y[::2])
    # Scored on the half it never saw: the blobs are easy, so scrambled labels would show.
    assert pipeline.score(X[1::2], y[1::2]) > 0.9
    pipeline.fit(X, y)  # refitting the same pipeline works too
    copy = clone(pipeline)
    assert copy.get_params()["augment__latent_dim"] == 3


def test_transform_exists_in_latent_space_only(blobs):
    X, y = blobs
    data_space = VAEAugmenter(**FAST).fit(X)
    assert not hasattr(data_space, "transform")  # imblearn forbids transform + fit_resample together
    assert data_space.encode(X).shape == (40, 3)
    latent = VAEAugmenter(**FAST, space="latent").fit(X)
    np.testing.assert_array_equal(latent.transform(X), latent.encode(X))
    X_res, y_res = latent.fit_resample(X, y)
    assert X_res.shape == (160, 3) and len(y_res) == 160


def test_same_random_state_same_samples(blobs):
    X, y = blobs
    a = VAEAugmenter(**FAST, method="noise").fit(X).generate(X, y)[0]
    b = VAEAugmenter(**FAST, method="noise").fit(X).generate(X, y)[0]
    np.testing.assert_array_equal(a, b)


def test_save_and_load_give_identical_codes_and_samples(blobs, tmp_path):
    X, y = blobs
    augmenter = VAEAugmenter(**FAST, method="noise").fit(X)
    augmenter.save(tmp_path / "aug")
    loaded = VAEAugmenter.load(tmp_path / "aug", device="cpu")
    np.testing.assert_array_equal(loaded.encode(X), augmenter.encode(X))
    np.testing.assert_array_equal(loaded.generate(X, y)[0], augmenter.generate(X, y)[0])


@pytest.mark.parametrize(
    "X_bad, y_bad, message",
    [
        ("nan", None, "NaN or infinite"),
        ("inf", None, "NaN or infinite"),
        (None, "short", "different lengths"),
        (None, "one_class", "1 class"),
        ("flat", None, "dimension"),
        ("five_d", None, "dimension"),
        ("empty", None, "empty"),
    ],
)
def test_bad_input_is_a_clear_value_error(blobs, X_bad, y_bad, message):
    X, y = blobs
    X = {
        None: X, "nan": np.where(np.eye(8, dtype=bool), np.nan, X),
        "inf": np.where(np.eye(8, dtype=bool), np.inf, X), "flat": X.ravel(),
        "five_d": X[:, None, None], "empty": X[:0],
    }[X_bad]
    y = {None: y, "short": y[:-1], "one_class": np.zeros_like(y)}[y_bad]
    with pytest.raises(ValueError, match=message):
        VAEAugmenter(**FAST).fit_resample(X, y)


def test_bad_parameters_and_layouts_are_clear_errors(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="Unknown method 'rotate'"):
        VAEAugmenter(method="rotate").fit(X)
    with pytest.raises(ValueError, match="Unknown space"):
        VAEAugmenter(space="pixels").fit(X)
    with pytest.raises(ValueError, match=r"needs data in \[0, 1\]"):
        VAEAugmenter(likelihood="bernoulli").fit(X * 5)
    fitted = VAEAugmenter(**FAST).fit(X)
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        fitted.generate(X[:, :4], y)
    with pytest.raises(ValueError, match="Unknown method"):
        fitted.set_params(method="cutmix").generate(X, y)
    with pytest.raises(ValueError, match="X_unlabelled"):
        VAEAugmenter(**FAST).fit(X, X_unlabelled=X[:, :4])


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


def test_huge_values_give_finite_samples_or_a_clear_error():
    X, y = load_digits(return_X_y=True)
    X_res, _ = VAEAugmenter(**QUICK).fit_resample(X[:100] * 1e30, y[:100])
    assert np.isfinite(X_res).all() and np.abs(X_res[100:]).max() > 1e29  # in the data's own units
    with pytest.raises(ValueError, match="beyond float32's range"):
        VAEAugmenter(**QUICK).fit(X[:100] * 1e38)


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.ones((20, 3)), np.linspace(0, 1, 20), "continuous values"),
        (np.ones((20, 3)) * (1 + 1j), np.repeat([0, 1], 10), "complex numbers"),
        (np.ones((4, 3)), np.array(["a", 1, "b", 2], dtype=object), "mixes text and numeric"),
    ],
)
def test_bad_samples_and_labels_are_refused(X, y, message):
    with pytest.raises(ValueError, match=message):
        VAEAugmenter(**QUICK).fit_resample(X, y)


def test_decoding_nan_codes_is_refused(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="NaN or infinite"):
        VAEAugmenter(**QUICK).fit(X).decode(np.full((2, 3), np.nan))


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: (p / "weights.pt").write_bytes((p / "weights.pt").read_bytes()[:200]), r"weights\.pt is damaged"),
        (lambda p: (p / "config.json").write_text("{garbage"), r"config\.json is damaged or not JSON"),
        (lambda p: (p / "config.json").write_text('{"format_version": 1}'), r"config\.json lacks"),
        (lambda p: (p / "augmenter.json").write_text("[]"), r"augmenter\.json lacks"),
        (lambda p: (p / "augmenter.json").write_text(json.dumps(
            {**json.loads((p / "augmenter.json").read_text()), "params": {"latent_dims": 3}})), "invalid parameters"),
    ],
)
def test_damaged_saved_models_get_one_sentence(saved, damage, message):
    damage(saved)
    with pytest.raises(ValueError, match=message):
        VAEAugmenter.load(saved, device="cpu")


def test_a_config_and_the_estimator_refuse_a_value_in_the_same_words():

    with pytest.raises(ValueError) as from_estimator:
        VAEAugmenter(patience=0).fit(np.zeros((4, 3)))
    with pytest.raises(ValueError) as from_config:
        ExperimentConfig.from_dict({"name": "x", "vae": {"patience": 0}})
    assert str(from_estimator.value) == str(from_config.value) == "patience must be > 0; got 0."
    with pytest.raises(ValueError, match="Did you mean 'patience'"):
        check_params(VAEAugmenter, {"patiense": 3}, where="vae of the config")


@pytest.mark.parametrize("settings", [
    dict(method="interpolation"),  # the defaults: at alpha = 0.5 mutual neighbours made one midpoint twice
    dict(method="interpolation", n_per_sample=10),  # more than k per sample went round the same k codes
    dict(method="interpolation", n_neighbors=20, n_per_sample=9),  # k above a class's size
    dict(method="extrapolation", n_per_sample=10),
    dict(method="affine+interpolation", n_per_sample=10),
])
def test_every_new_sample_asked_for_is_a_distinct_one(digits_vae, settings):
    # issue 33, item 1: on e89d545 the defaults made 195 distinct samples of 300, and 10 per sample the same 195
    import warnings

    from vaeaug.generation.chain import configure

    vae, X, y = digits_vae
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # k = 20 is more than a class of 6 has: said, and tested in test_latent
        generator = configure(copy.copy(vae), settings.pop("method"), **settings)
        X_new, _ = generator.generate(X, y)
    asked = len(X) * settings.get("n_per_sample", 3)
    assert len(X_new) == asked and len(np.unique(X_new.reshape(asked, -1), axis=0)) == asked


def test_noise_with_alpha_zero_makes_one_sample_per_code_and_says_why_not_more(digits_vae):
    vae, X, y = digits_vae
    augmenter = copy.copy(vae).set_params(method="noise", alpha=0.0, n_per_sample=3)
    with pytest.warns(UserWarning, match=r"Made 60 of the 180 .* repeated a sample made already.*alpha = 0"):
        X_new, _ = augmenter.generate(X, y)
    assert len(X_new) == len(np.unique(X_new.reshape(len(X_new), -1), axis=0)) == 60
    assert augmenter.generation_report_["rounds"] == 2  # a round of nothing but repeats ends the drawing
