"""Denoising with a VAE: it learns to map noisy images to clean ones (Zhuravchak's second use of a VAE).

The noise model is scikit-image's (``skimage.util.random_noise``): Gaussian
noise adds ``n ~ N(0, sigma^2)`` to each pixel, speckle multiplies it by
``1 + n``; both clip to [0, 1]. ``gaussian+speckle`` applies speckle, then
Gaussian noise. ``VAEDenoiser`` draws fresh noise for every training batch, so
it never sees the same noisy image twice.
"""

from __future__ import annotations


import numpy as np
import torch
from sklearn.base import TransformerMixin
from sklearn.utils import check_random_state

from .._typing import ArrayLike, RandomState
from .._choices import NOISES
from .._validation import anything, check_choice, check_positive, check_samples
from .estimator import TRAINING_CONSTRAINTS, VAEEstimator

__all__ = ["NOISES", "parse_noise", "corrupt", "VAEDenoiser"]



def parse_noise(noise, sigma) -> list[tuple[str, float]]:
    """``("gaussian+speckle", (0.2, 0.4))`` -> ``[("speckle", 0.4), ("gaussian", 0.2)]``, checked.

    ``sigma`` is one deviation for every part of ``noise``, or one per part in
    the order written. Speckle is applied first so that it scales the clean
    pixels, not the additive noise.
    """
    if not isinstance(noise, str) or not noise:
        raise ValueError(f"noise must be 'gaussian', 'speckle' or 'gaussian+speckle'; got {noise!r}.")
    parts = noise.split("+")
    for part in parts:
        check_choice(part, NOISES, name="noise")
    if len(set(parts)) != len(parts):
        raise ValueError(f"noise {noise!r} names a noise twice; give each at most once.")
    sigmas = list(sigma) if isinstance(sigma, (list, tuple, np.ndarray)) else [sigma] * len(parts)
    if len(sigmas) != len(parts):
        raise ValueError(f"sigma must be one number, or one per noise in {noise!r} ({len(parts)}); got {sigma!r}.")
    for value in sigmas:
        check_positive(value, name="sigma (the noise's standard deviation)", allow_zero=True)
    pairs = list(zip(parts, map(float, sigmas)))
    return sorted(pairs, key=lambda pair: pair[0] != "speckle")


def corrupt(X: ArrayLike, noise: str = "gaussian", sigma: float | list[float] = 0.3,
            random_state: RandomState = None) -> np.ndarray:
    """Noisy copies of images in [0, 1], with scikit-image's noise model (see the module's docstring).

    Examples
    --------
    >>> X = np.full((2, 4, 4), 0.5, dtype=np.float32)
    >>> noisy = corrupt(X, "gaussian", 0.1, random_state=0)
    >>> noisy.shape, noisy.dtype, bool(noisy.min() >= 0 and noisy.max() <= 1)
    ((2, 4, 4), dtype('float32'), True)
    """
    steps = parse_noise(noise, sigma)
    X = _check_unit_range(check_samples(X))
    return _add_noise(X, steps, np.random.default_rng(check_random_state(random_state).randint(2 ** 31 - 1)))


def _add_noise(X, steps, rng: np.random.Generator) -> np.ndarray:
    from skimage.util import random_noise  # scikit-image loads slowly; only denoising needs it

    for kind, deviation in steps:
        if deviation > 0:
            X = random_noise(X, mode=kind, var=deviation ** 2, rng=rng, clip=True)
    return np.asarray(X, dtype=np.float32)


# Noisy images made elsewhere may leave [0, 1] (unclipped Gaussian noise); beyond this much they are not
# noisy [0, 1] images at all but, say, 8-bit ones, and clipping them would return a wrong answer.
NOISY_RANGE = (-1.0, 2.0)


def _check_unit_range(X, name="X", bounds=(0.0, 1.0)):
    low, high = float(X.min()), float(X.max())
    if low < bounds[0] and bounds[0] == 0:  # scikit-learn's wording for the positive_only tag
        raise ValueError(f"Negative values in data passed to VAEDenoiser: {name} must hold images with values in "
                         f"[0, 1], but it spans [{low:g}, {high:g}]; scale it first, e.g. X / 255 for 8-bit images.")
    if low < bounds[0] or high > bounds[1]:
        raise ValueError(f"{name} must hold images with values in [0, 1] (the noise model and the VAE's "
                         f"Bernoulli likelihood clip there), but it spans [{low:g}, {high:g}]; scale it first, "
                         "e.g. X / 255 for 8-bit images.")
    return X


class VAEDenoiser(TransformerMixin, VAEEstimator):
    """A VAE trained to reconstruct clean images from noisy ones.

    ``fit(X)`` takes *clean* images and makes the noisy inputs itself, afresh
    for every batch, with the noise model given here; ``transform(X_noisy)``
    returns the decoded posterior means, the VAE's estimate of the clean images.
    Images are ``(N, H, W)`` or ``(N, C, H, W)`` (the paper's convolutional
    VAE) or vectors ``(N, D)`` (a fully connected VAE), with values in [0, 1].

    Parameters
    ----------
    noise : {"gaussian", "speckle", "gaussian+speckle"}, default="gaussian"
    sigma : float or sequence of float, default=0.3
        The noise's standard deviation, or one per part of ``noise``.
    latent_dim : int, default=32
    beta : float, default=0.1
        KL weight. On MNIST, 0.1 beat the plain VAE's 1 in PSNR, SSIM and a
        classifier's accuracy at every noise level measured (docs/reproductions/report-denoising.md).
    hidden_units : int, default=1024
    max_epochs, patience, batch_size, learning_rate : training settings
        Adam with early stopping on a fixed noisy copy of the validation part.
    validation_fraction : float, default=0.1
    device : str, default="auto"
    random_state : int, RandomState or None
        Seeds the weights, the split, and every noise draw.
    verbose : bool or "auto", default="auto"
        A progress bar: "auto" on a terminal or in a notebook only (not in a redirected log), True always,
        False never.

    Attributes
    ----------
    model_ : vaeaug.vae.model.VAE
    history_ : vaeaug.vae.training.TrainingHistory
    input_shape_ : tuple

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X = load_digits().images[:300] / 16
    >>> denoiser = VAEDenoiser(sigma=0.2, latent_dim=8, hidden_units=64, max_epochs=2, random_state=0).fit(X)
    >>> denoiser.transform(corrupt(X[:5], "gaussian", 0.2, random_state=1)).shape
    (5, 8, 8)
    """

    saved_file = "denoiser.json"
    _saved_params_skip = ("device", "random_state")  # the device is chosen at load
    _parameter_constraints = {**TRAINING_CONSTRAINTS, "noise": anything, "sigma": anything}

    def __init__(self, noise: str = "gaussian", sigma: float | list[float] = 0.3, latent_dim: int = 32, beta: float = 0.1,
                 hidden_units: int = 1024, max_epochs: int = 30, patience: int = 5, batch_size: int = 128,
                 learning_rate: float = 1e-3, validation_fraction: float = 0.1, device: str = "auto",
                 random_state: RandomState = None, verbose: bool | str = "auto"):
        self.noise = noise
        self.sigma = sigma
        self.latent_dim = latent_dim
        self.beta = beta
        self.hidden_units = hidden_units
        self.max_epochs = max_epochs
        self.patience = patience
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # and at most 1: images in [0, 1], which no scikit-learn tag says
        tags.input_tags.three_d_array = True
        return tags

    def _validate_params(self):
        parsed = super()._validate_params()
        parse_noise(self.noise, self.sigma)  # noise and sigma are checked together: one sigma per noise
        return parsed

    def fit(self, X: ArrayLike, y: None = None) -> VAEDenoiser:
        """Train on clean images ``X`` (``y`` is ignored): noisy inputs in, clean images out."""
        self._validate_params()
        X = _check_unit_range(check_samples(X))
        self._set_layout(X)
        steps = parse_noise(self.noise, self.sigma)

        def noisy_inputs(seed, validation):
            rng = np.random.default_rng(seed)

            def corrupt_batch(batch: torch.Tensor) -> torch.Tensor:
                return torch.as_tensor(_add_noise(batch.cpu().numpy(), steps, rng), device=batch.device)

            # One fixed noisy copy of the validation images, so that early stopping compares like with like.
            fixed = None if validation is None else _add_noise(validation, steps, np.random.default_rng(seed + 1))
            return corrupt_batch, fixed

        self._train(self._to_model(X), likelihood="bernoulli", beta=float(self.beta), noisy_inputs=noisy_inputs)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The denoised images, shaped like ``X``."""
        X = _check_unit_range(self._checked(X), bounds=NOISY_RANGE)
        X = np.clip(X, 0, 1)  # noisy inputs made elsewhere may overshoot a little; the model saw [0, 1]
        return self.decode(self.model_.encode_array(self._to_model(X)))
