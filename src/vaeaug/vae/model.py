"""Variational autoencoders: one ``VAE`` whose parts are parameters.

The encoder maps a sample to the mean and log-variance of q(z|x); the decoder
maps a code to the parameters of p(x|z). ``ConvVAE`` (the paper's network)
and ``MLPVAE`` differ only in the networks they build; the loss, the
likelihoods, the KL weight and saving/loading live once, in ``VAE``.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import _settings
from .._typing import ArrayLike, PathType
from .._files import read_json, write_bytes_atomic, write_json_atomic
from .._validation import check_choice, check_fits, check_positive
from .distributed import on_main_process

FORMAT_VERSION = 1
LIKELIHOODS = ("bernoulli", "gaussian")


def normalized_beta(beta, latent_dim, n_inputs) -> float:
    """beta_norm = beta * d / N (Higgins et al. 2017): the KL weight scaled by latent size over input size.

    A reconstruction term summed over N inputs outweighs a KL term summed over
    d latent dimensions by about N / d; beta_norm keeps their balance when N or
    d changes.

    Examples
    --------
    >>> round(normalized_beta(1.0, 2, 15), 3)  # PROBEN1 card in the 2023 talk: 15 raw attributes, d = 2
    0.133
    """
    check_positive(beta, name="beta", allow_zero=True)
    check_positive(latent_dim, name="latent_dim", integer=True)
    check_positive(n_inputs, name="input_dim (N in beta_norm = beta * d / N)", integer=True)
    return float(beta) * latent_dim / n_inputs


@dataclass
class VAEConfig:
    """Every hyper-parameter of a VAE; saved as JSON beside its weights.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample: ``(C, H, W)`` for ``ConvVAE``, ``(D,)`` for ``MLPVAE``.
    latent_dim : int
        Size Z of the latent code.
    hidden_units : int
        Width of the fully connected hidden layer(s) (the paper: 1024).
    likelihood : {"bernoulli", "gaussian"}
        Bernoulli (binary cross-entropy) for data in [0, 1]; Gaussian with unit
        variance (half squared error) for standardised features.
    beta : float
        Weight of the KL term (beta-VAE); 1 is the plain VAE.
    """

    input_shape: tuple[int, ...]
    latent_dim: int = _settings.VAE.latent_dim
    hidden_units: int = _settings.VAE.hidden_units
    likelihood: str = "bernoulli"  # resolved: the estimators' "auto" picks one of the two from the data
    beta: float = _settings.VAE.beta

    def __post_init__(self):
        if not isinstance(self.input_shape, (list, tuple)) or not self.input_shape or not all(
                isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in self.input_shape):
            raise ValueError(f"input_shape must be the positive sizes of one sample's axes, e.g. (1, 28, 28); got "
                             f"{self.input_shape!r}.")
        self.input_shape = tuple(int(s) for s in self.input_shape)
        check_positive(self.latent_dim, name="latent_dim", integer=True)
        check_positive(self.hidden_units, name="hidden_units", integer=True)
        check_positive(self.beta, name="beta", allow_zero=True)
        check_choice(self.likelihood, LIKELIHOODS, name="likelihood")


class VAE(nn.Module):
    """A VAE with a Gaussian posterior, a standard normal prior and a KL weight beta.

    Subclasses only build ``self.encoder`` (sample -> hidden features of size
    ``hidden_units``) and ``self.decoder`` (code -> likelihood parameters).
    """

    architecture = ""  # the name saved in config.json; set by each subclass
    sample_axes: tuple[str, ...] = ()  # names of one sample's axes, e.g. ("C", "H", "W")
    other_use = ""  # which class to use for other shapes

    def __init__(self, config: VAEConfig):
        super().__init__()
        if len(config.input_shape) != len(self.sample_axes):
            raise ValueError(
                f"{type(self).__name__} needs input_shape ({', '.join(self.sample_axes)}); got "
                f"{config.input_shape}. {self.other_use}"
            )
        self.config = config
        self.encoder, self.decoder = self._build(config)
        self.to_mean = nn.Linear(config.hidden_units, config.latent_dim)
        self.to_logvar = nn.Linear(config.hidden_units, config.latent_dim)

    def _build(self, config: VAEConfig) -> tuple[nn.Module, nn.Module]:
        raise NotImplementedError

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z|x)."""
        hidden = self.encoder(x)
        return self.to_mean(hidden), self.to_logvar(hidden)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Likelihood parameters of p(x|z): logits (Bernoulli) or means (Gaussian)."""
        return self.decoder(z)

    def to_data(self, params: torch.Tensor) -> torch.Tensor:
        """The expected sample under p(x|z) for decoded parameters."""
        return torch.sigmoid(params) if self.config.likelihood == "bernoulli" else params

    def reconstruction_nll(self, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood of each sample (summed over features, constants dropped)."""
        if self.config.likelihood == "bernoulli":
            per_feature = F.binary_cross_entropy_with_logits(params, x, reduction="none")
        else:
            per_feature = 0.5 * (params - x) ** 2
        return per_feature.flatten(1).sum(dim=1)

    @torch.no_grad()
    def encode_array(self, X: ArrayLike, batch_size: int = 1024, *, logvar: bool = False
                     ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior means of an array in the model's layout, as a numpy array (N, latent_dim); with
        ``logvar``, the means and the log-variances."""
        device = next(self.parameters()).device
        self.eval()
        parts = [[t.cpu().numpy() for t in self.encode(torch.as_tensor(X[i:i + batch_size], device=device))]
                 for i in range(0, len(X), batch_size)]
        empty = np.empty((0, self.config.latent_dim), dtype=np.float32)
        means, logvars = (np.concatenate(list(column)) for column in zip(*parts)) if parts else (empty, empty)
        return (means, logvars) if logvar else means

    @torch.no_grad()
    def decode_array(self, codes: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Expected samples for an array of codes, as a numpy array in the model's layout."""
        device = next(self.parameters()).device
        self.eval()
        # Batches go straight into one preallocated array: peak memory is the
        # output plus one batch, not the output twice (165k MNIST images: 0.5 GB).
        decoded = np.empty((len(codes),) + tuple(self.config.input_shape), dtype=np.float32)
        for i in range(0, len(codes), batch_size):
            batch = torch.as_tensor(codes[i:i + batch_size], device=device)
            decoded[i:i + batch_size] = self.to_data(self.decode(batch)).cpu().numpy()
        return decoded

    def forward(self, x: torch.Tensor, noise: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Decoded parameters, mean and log-variance; ``noise`` is the reparameterisation's eps (default: drawn)."""
        mean, logvar = self.encode(x)
        if noise is None:
            noise = torch.randn_like(mean)
        # Reparameterisation: z = mean + sigma * eps keeps sampling differentiable.
        z = mean + torch.exp(0.5 * logvar) * noise
        return self.decode(z), mean, logvar

    def loss(self, x: torch.Tensor, target: torch.Tensor | None = None, noise: torch.Tensor | None = None,
             reduction: str = "mean") -> dict[str, torch.Tensor]:
        """Negative ELBO with KL weight beta, averaged (or, with ``reduction="sum"``, summed) over the batch.

        ``target`` (default ``x``) is what the decoder must reconstruct: a
        denoising VAE encodes a noisy ``x`` and is scored on the clean target.
        ``noise`` fixes the reparameterisation's eps, so that processes training
        on parts of one batch draw the eps that one process would have drawn.
        """
        check_choice(reduction, ("mean", "sum"), name="reduction")
        params, mean, logvar = self(x, noise)
        reconstruction = self.reconstruction_nll(params, x if target is None else target)
        kl = gaussian_kl(mean, logvar)
        reconstruction, kl = (reconstruction.mean(), kl.mean()) if reduction == "mean" else (reconstruction.sum(),
                                                                                              kl.sum())
        return {
            "loss": reconstruction + self.config.beta * kl,
            "reconstruction": reconstruction,
            "kl": kl,
        }

    @on_main_process
    def save(self, path: PathType) -> Path:
        """Write ``config.json`` and ``weights.pt`` into the folder ``path``.

        Files are written to temporary names and renamed, so an interrupted
        save never leaves a half-written model behind.
        """
        return save_module(self, path, "weights.pt", "config.json", {
            "format_version": FORMAT_VERSION, "architecture": self.architecture, "config": asdict(self.config)})


class ConvVAE(VAE):
    """The paper's convolutional VAE, for images of any size and channel count.

    Encoder: two 5x5 convolutions with stride 2 (16 then 8 channels), a fully
    connected layer of ``hidden_units``, then the latent mean and log-variance.
    The decoder mirrors it with transposed convolutions whose output padding
    is chosen so that the output has exactly the input's height and width.

    Examples
    --------
    >>> vae = ConvVAE(VAEConfig(input_shape=(1, 28, 28), latent_dim=10))
    >>> vae.decode(torch.zeros(2, 10)).shape
    torch.Size([2, 1, 28, 28])
    """

    architecture = "conv"
    sample_axes = ("C", "H", "W")
    other_use = "Use MLPVAE for flat feature vectors."

    def _build(self, config):
        channels, height, width = config.input_shape
        # Each stride-2 convolution with padding 2 maps a side s to ceil(s / 2).
        sizes = [(height, width)]
        for _ in range(2):
            h, w = sizes[-1]
            sizes.append(((h + 1) // 2, (w + 1) // 2))
        (h1, w1), (h2, w2) = sizes[1], sizes[2]
        flat = 8 * h2 * w2

        def up(in_ch, out_ch, target):
            # (s - 1) * 2 - 4 + 5 + p = target  =>  p = target - 2s + 1 (0 or 1)
            (th, tw), (sh, sw) = target
            return nn.ConvTranspose2d(
                in_ch, out_ch, 5, stride=2, padding=2,
                output_padding=(th - 2 * sh + 1, tw - 2 * sw + 1),
            )

        encoder = nn.Sequential(
            nn.Conv2d(channels, 16, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(16, 8, 5, stride=2, padding=2), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(flat, config.hidden_units), nn.ReLU(),
        )
        decoder = nn.Sequential(
            nn.Linear(config.latent_dim, config.hidden_units), nn.ReLU(),
            nn.Linear(config.hidden_units, flat), nn.ReLU(),
            nn.Unflatten(1, (8, h2, w2)),
            up(8, 16, ((h1, w1), (h2, w2))), nn.ReLU(),
            up(16, channels, ((height, width), (h1, w1))),
        )
        return encoder, decoder


class MLPVAE(VAE):
    """A fully connected VAE for flat feature vectors (two hidden layers each way).

    Examples
    --------
    >>> vae = MLPVAE(VAEConfig(input_shape=(9,), latent_dim=2, hidden_units=64,
    ...                        likelihood="gaussian"))
    >>> vae.encode(torch.zeros(3, 9))[0].shape
    torch.Size([3, 2])
    """

    architecture = "mlp"
    sample_axes = ("D",)
    other_use = "Use ConvVAE for images."

    def _build(self, config):
        (features,), hidden = config.input_shape, config.hidden_units
        encoder = nn.Sequential(
            nn.Linear(features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        decoder = nn.Sequential(
            nn.Linear(config.latent_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, features),
        )
        return encoder, decoder


ARCHITECTURES = {cls.architecture: cls for cls in (ConvVAE, MLPVAE)}


def training_bytes(config: VAEConfig) -> int:
    """About how much memory training a VAE of ``config`` takes: its weights, their gradients, Adam's two
    moments, and the copies kept of the best and the early weights (six float32 copies)."""
    Z, H, shape = config.latent_dim, config.hidden_units, config.input_shape
    if len(shape) == 3:  # ConvVAE: two 5x5 convolutions each way around a fully connected core
        channels, height, width = shape
        flat = 8 * ((height + 3) // 4) * ((width + 3) // 4)
        weights = 2 * 25 * (channels * 16 + 16 * 8) + 2 * flat * H + 3 * Z * H
    else:  # MLPVAE: two hidden layers each way
        features = int(np.prod(shape))
        weights = 2 * features * H + 2 * H * H + 3 * Z * H
    return 6 * 4 * int(weights)


def kl_per_dimension(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(logvar)) || N(0, 1)) of each row's every dimension, shape of ``mean``."""
    return -0.5 * (1 + logvar - mean.pow(2) - logvar.exp())


def gaussian_kl(mean: torch.Tensor, logvar: torch.Tensor, free_bits: float = 0.0) -> torch.Tensor:
    """KL(N(mean, exp(logvar)) || N(0, I)) of each row, summed over its dimensions; with ``free_bits``, each
    dimension's term counts at least that many nats (Kingma et al. 2016), so that up to them it costs nothing."""
    per_dimension = kl_per_dimension(mean, logvar)
    return (per_dimension.clamp(min=free_bits) if free_bits else per_dimension).sum(dim=1)


def save_module(module: nn.Module, path: PathType, weights_file: str, config_file: str, config: dict) -> Path:
    """Write ``module``'s weights and then its ``config`` JSON into the folder ``path``, each atomically.

    The JSON goes last, so a folder whose JSON is there holds whole weights.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in module.state_dict().items()}, buffer)
    write_bytes_atomic(path / weights_file, buffer.getvalue())
    write_json_atomic(path / config_file, config)
    return path


def load_weights(module: nn.Module, weights_path: Path, config_path: Path, device, fix: str) -> nn.Module:
    """``module`` with the weights in ``weights_path``, on ``device``, in eval mode; a damaged file or one
    that does not fit the configuration is a ValueError that ends with ``fix``."""
    try:
        module.load_state_dict(torch.load(weights_path, map_location=device, weights_only=True))
    except Exception as error:  # torch raises RuntimeError, EOFError, UnpicklingError... for a damaged file
        raise ValueError(f"{weights_path} is damaged or does not fit {config_path} "
                         f"({type(error).__name__}); {fix}.") from None
    return module.to(device).eval()


def make_vae(config: VAEConfig) -> VAE:
    """The VAE for a sample's shape: ``ConvVAE`` for images (C, H, W), ``MLPVAE`` for vectors (D,).

    One that could not be trained in the memory left is refused before any of it is allocated.
    """
    check_fits(training_bytes(config), what=f"A VAE with latent_dim={config.latent_dim} and hidden_units="
                                            f"{config.hidden_units} for samples of shape {config.input_shape}",
               fix="use a smaller latent_dim or hidden_units")
    return (ConvVAE if len(config.input_shape) == 3 else MLPVAE)(config)


def load_vae(path: PathType, device: str = "cpu") -> VAE:
    """Load a VAE saved with :meth:`VAE.save`.

    Raises ``ValueError`` when the folder is not a saved model or was written
    by another format version.
    """
    path = Path(path)
    config_file = path / "config.json"
    if not config_file.is_file() or not (path / "weights.pt").is_file():
        raise ValueError(
            f"{path} is not a saved vaeaug model: it needs config.json and weights.pt "
            "(written by VAE.save or VAEAugmenter.save)."
        )
    fix = "delete the model folder and train the model again"
    saved = read_json(config_file, keys=("format_version", "architecture", "config"), fix=fix)
    version = saved.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path} was saved in model format version {version!r}, but this vaeaug reads "
            f"version {FORMAT_VERSION}; retrain the model or load it with the vaeaug that saved it."
        )
    architecture = check_choice(saved.get("architecture"), tuple(ARCHITECTURES), name="architecture")
    try:
        config = VAEConfig(**saved["config"])
        check_fits(training_bytes(config) // 6, what=f"The model in {path}", fix=fix)
        model = ARCHITECTURES[architecture](config)
    except (TypeError, ValueError, RuntimeError) as error:  # torch's RuntimeError: shapes that build no network
        raise ValueError(f"{config_file} holds an invalid model configuration ({error}); {fix}.") from None
    return load_weights(model, path / "weights.pt", config_file, device, fix)
