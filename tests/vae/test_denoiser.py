"""The denoising VAE and the noise model (vaeaug.vae.denoiser)."""

import numpy as np
import pytest
from helpers import strokes

from vaeaug.experiments.denoising import image_quality
from vaeaug.vae.denoiser import VAEDenoiser, corrupt, parse_noise

SMALL = {"latent_dim": 8, "hidden_units": 64, "batch_size": 32}


def test_noise_models_follow_scikit_image():
    X = np.full((200, 10, 10), 0.5, dtype=np.float32)
    gaussian = corrupt(X, "gaussian", 0.1, random_state=0)
    assert gaussian.std() == pytest.approx(0.1, rel=0.05)
    speckle = corrupt(X, "speckle", 0.2, random_state=0)
    assert speckle.std() == pytest.approx(0.5 * 0.2, rel=0.05)  # multiplicative: scales with the pixel
    assert corrupt(np.zeros((3, 4, 4)), "speckle", 0.5, random_state=0).max() == 0  # black stays black
    np.testing.assert_array_equal(corrupt(X, "gaussian+speckle", [0.1, 0.2], random_state=4),
                                  corrupt(X, "gaussian+speckle", [0.1, 0.2], random_state=4))
    assert parse_noise("gaussian+speckle", [0.1, 0.2]) == [("speckle", 0.2), ("gaussian", 0.1)]


def test_the_denoiser_improves_psnr_and_keeps_shapes():
    X = strokes()
    train, test = X[:250], X[250:]
    noisy = corrupt(test, "gaussian", 0.3, random_state=1)
    # A small beta and brisk steps: 250 images must be enough to learn the bars.
    denoiser = VAEDenoiser(sigma=0.3, max_epochs=30, beta=0.1, learning_rate=3e-3, random_state=0, device="cpu",
                           **{**SMALL, "batch_size": 16}).fit(train)
    cleaned = denoiser.transform(noisy)
    assert cleaned.shape == noisy.shape and cleaned.dtype == np.float32
    before, after = image_quality(test, noisy), image_quality(test, cleaned)
    assert after["psnr"] > before["psnr"] + 3 and after["ssim"] > before["ssim"]
    flat = VAEDenoiser(sigma=0.3, max_epochs=1, random_state=0, **SMALL).fit(train.reshape(250, -1))
    assert flat.transform(noisy.reshape(50, -1)).shape == (50, 144)
    assert VAEDenoiser(max_epochs=1, random_state=0, **SMALL).fit(train[:, None]).transform(
        noisy[:, None]).shape == (50, 1, 12, 12)


def test_the_same_seed_gives_the_same_denoiser(tmp_path):
    X = strokes(120)
    noisy = corrupt(X[:10], "speckle", 0.4, random_state=2)
    a = VAEDenoiser(noise="speckle", sigma=0.4, max_epochs=2, random_state=5, **SMALL).fit(X)
    b = VAEDenoiser(noise="speckle", sigma=0.4, max_epochs=2, random_state=5, **SMALL).fit(X)
    np.testing.assert_array_equal(a.transform(noisy), b.transform(noisy))
    loaded = VAEDenoiser.load(a.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.transform(noisy), a.transform(noisy))
    assert loaded.get_params()["noise"] == "speckle"


@pytest.mark.parametrize(
    "params, X, message",
    [
        ({"noise": "salt"}, strokes(20), "Unknown noise 'salt'"),
        ({"noise": "gaussian+gaussian"}, strokes(20), "names a noise twice"),
        ({"sigma": -0.1}, strokes(20), "sigma .* must be >= 0"),
        ({"noise": "gaussian+speckle", "sigma": [0.1, 0.2, 0.3]}, strokes(20), "one per noise"),
        ({}, strokes(20) * 255, r"values in \[0, 1\].*X / 255"),
    ],
)
def test_bad_denoiser_input_is_a_clear_error(params, X, message):
    with pytest.raises(ValueError, match=message):
        VAEDenoiser(max_epochs=1, **SMALL, **params).fit(X)


def test_transform_refuses_other_image_sizes_and_unfitted_use():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        VAEDenoiser().transform(strokes(2))
    denoiser = VAEDenoiser(max_epochs=1, random_state=0, **SMALL).fit(strokes(40))
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        denoiser.transform(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="not a saved VAEDenoiser"):
        VAEDenoiser.load("/nonexistent/folder")
