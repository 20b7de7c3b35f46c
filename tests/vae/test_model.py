"""The VAE (vaeaug.vae.model)."""

import json

import numpy as np
import pytest
import torch

from vaeaug import MLPVAE, ConvVAE, VAEAugmenter, VAEConfig, load_vae
from vaeaug.vae.model import normalized_beta

FAST = dict(latent_dim=3, hidden_units=32, max_epochs=3, batch_size=16, random_state=0)


def test_beta_norm_is_beta_times_latent_size_over_input_size():
    assert normalized_beta(1.0, 2, 15) == pytest.approx(0.1333, abs=1e-4)  # the talk's card value
    X = np.random.default_rng(0).normal(size=(40, 15))
    fitted = VAEAugmenter(**{**FAST, "latent_dim": 2}, beta=1.0, normalize_beta=True).fit(X)
    assert fitted.beta_ == pytest.approx(2 / 15) and fitted.model_.config.beta == pytest.approx(2 / 15)
    assert VAEAugmenter(**{**FAST, "latent_dim": 2}, beta=0.5, normalize_beta=True, input_dim=20).fit(X).beta_ \
        == pytest.approx(0.05)
    assert VAEAugmenter(**FAST, beta=0.5).fit(X).beta_ == 0.5


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (1, 70, 70), (3, 35, 35), (1, 9, 14)])
def test_conv_vae_round_trips_any_image_size(shape):
    vae = ConvVAE(VAEConfig(input_shape=shape, latent_dim=5, hidden_units=32))
    x = torch.rand(4, *shape)
    mean, logvar = vae.encode(x)
    assert mean.shape == logvar.shape == (4, 5)
    assert vae.decode(mean).shape == x.shape
    losses = vae.loss(x)
    assert torch.isfinite(losses["loss"]) and losses["kl"] >= 0


def test_conv_vae_has_the_papers_layers():
    vae = ConvVAE(VAEConfig(input_shape=(1, 28, 28), latent_dim=10))
    convs = [m for m in vae.encoder if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size, c.stride) for c in convs] == [(16, (5, 5), (2, 2)), (8, (5, 5), (2, 2))]
    assert vae.to_mean.in_features == 1024 and vae.to_mean.out_features == 10


def test_mlp_vae_shapes_and_gaussian_loss():
    vae = MLPVAE(VAEConfig(input_shape=(7,), latent_dim=2, hidden_units=16, likelihood="gaussian"))
    x = torch.randn(5, 7)
    assert vae.decode(vae.encode(x)[0]).shape == (5, 7)
    params = torch.zeros(5, 7)
    expected = 0.5 * (x ** 2).sum(dim=1)
    assert torch.allclose(vae.reconstruction_nll(params, x), expected)


def test_architecture_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="MLPVAE"):
        ConvVAE(VAEConfig(input_shape=(10,)))
    with pytest.raises(ValueError, match="ConvVAE"):
        MLPVAE(VAEConfig(input_shape=(1, 8, 8)))
    with pytest.raises(ValueError, match="likelihood"):
        VAEConfig(input_shape=(3,), likelihood="poisson")


def test_save_and_load_give_identical_codes(tmp_path):
    torch.manual_seed(0)
    vae = ConvVAE(VAEConfig(input_shape=(1, 8, 8), latent_dim=3, hidden_units=16, beta=0.5))
    vae.save(tmp_path / "m")
    loaded = load_vae(tmp_path / "m")
    x = torch.rand(6, 1, 8, 8)
    with torch.no_grad():
        assert torch.equal(vae.eval().encode(x)[0], loaded.encode(x)[0])
    assert loaded.config == vae.config


def test_loading_another_format_version_is_refused(tmp_path):
    vae = MLPVAE(VAEConfig(input_shape=(4,), hidden_units=8))
    vae.save(tmp_path)
    saved = json.loads((tmp_path / "config.json").read_text())
    saved["format_version"] = 999
    (tmp_path / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="format version 999"):
        load_vae(tmp_path)


def test_loading_a_folder_without_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a saved vaeaug model"):
        load_vae(tmp_path)
