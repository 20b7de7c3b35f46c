"""A semi-supervised conditional model on a VAE's codes: Kingma et al.'s M2 trained on M1's codes (M1+M2).

M1 is the VAE vaeaug already trains, without labels. M2 (Kingma, Rezende, Mohamed and Welling, "Semi-supervised
learning with deep generative models", NeurIPS 2014) learns from the codes ``z`` of every sample, labelled or
not, three networks:

- a classifier q(y | z);
- an encoder q(z2 | z, y): the "style" z2 of a code, given its class;
- a decoder p(z | z2, y): a code from a style and a class (a diagonal Gaussian with a learnt variance).

A labelled code (z, y) costs the negative conditional ELBO
``L(z, y) = -E_q[log p(z | z2, y)] + KL(q(z2 | z, y) || N(0, I))``; an unlabelled code sums ``L`` over the
classes under q(y | z) and subtracts the entropy of q(y | z) (the paper's eq. 7); labelled codes also pay
``alpha`` times the classifier's log-loss (eq. 9), with ``alpha = classification_weight * N`` as in the paper
(0.1 N). The constant log p(y) of a uniform class prior is left out.

Its codes decode through the VAE's decoder: class-conditional draws (z2 ~ N(0, I) with a chosen y), style
transfer (the style of one code under another class), and q(y | z) as a classifier or a filter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .._files import read_json
from .._settings import CONDITIONAL
from .._typing import PathType
from .._validation import check_positive
from .distributed import on_main_process
from .model import gaussian_kl, load_weights, save_module
from .loop import TrainingLoop, epochs_for, select_device

__all__ = ["ConditionalConfig", "ConditionalLatentModel", "train_conditional", "load_conditional"]

FORMAT_VERSION = 1
_CONFIG, _WEIGHTS = "conditional.json", "conditional.pt"


@dataclass
class ConditionalConfig:
    """The sizes of the conditional model.

    Parameters
    ----------
    code_dim : int
        Size of the VAE's codes (its ``latent_dim``).
    n_classes : int
    style_dim : int
        Size of the style z2 (Kingma et al.: 50 on MNIST's 50-dimensional M1 codes).
    hidden_units : int
        Width of the one hidden layer of each network (Kingma et al.: 500).
    classification_weight : float
        alpha / N, the classifier's weight per labelled code relative to the ELBO (Kingma et al.: 0.1).
    style_free_bits : float
        Nats of KL per style dimension that cost nothing (free bits): the KL term of each dimension is at
        least this, so the style need not collapse to the prior to save its cost. 0: the plain ELBO.
    """

    code_dim: int
    n_classes: int
    style_dim: int = CONDITIONAL.style_dim
    hidden_units: int = CONDITIONAL.hidden_units
    classification_weight: float = CONDITIONAL.classification_weight
    style_free_bits: float = CONDITIONAL.style_free_bits

    def __post_init__(self):
        check_positive(self.code_dim, name="code_dim", integer=True)
        check_positive(self.style_dim, name="style_dim", integer=True)
        check_positive(self.hidden_units, name="hidden_units", integer=True)
        check_positive(self.classification_weight, name="classification_weight", allow_zero=True)
        check_positive(self.style_free_bits, name="style_free_bits", allow_zero=True)
        if not isinstance(self.n_classes, (int, np.integer)) or self.n_classes < 2:
            raise ValueError(f"n_classes must be an integer of at least 2 (a class-conditional model needs two "
                             f"classes to tell apart); got {self.n_classes!r}.")


def _mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.Softplus(), nn.Linear(hidden, outputs))


class ConditionalLatentModel(nn.Module):
    """M2 on codes: q(y | z), q(z2 | z, y) and p(z | z2, y). See the module's docstring for the objective.

    Examples
    --------
    >>> model = ConditionalLatentModel(ConditionalConfig(code_dim=4, n_classes=3, style_dim=2, hidden_units=8))
    >>> model.class_probabilities(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(self, config: ConditionalConfig):
        super().__init__()
        self.config = config
        d, k, s, h = config.code_dim, config.n_classes, config.style_dim, config.hidden_units
        self.classifier = _mlp(d, h, k)
        self.encoder = _mlp(d + k, h, 2 * s)
        self.decoder = _mlp(s + k, h, d)
        self.code_logvar = nn.Parameter(torch.zeros(d))  # p(z | z2, y)'s variance, one per code dimension

    def _one_hot(self, y: torch.Tensor) -> torch.Tensor:
        return F.one_hot(y, self.config.n_classes).to(self.code_logvar.dtype)

    def class_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.classifier(z)

    def class_probabilities(self, z: torch.Tensor) -> torch.Tensor:
        """q(y | z), shape (N, n_classes)."""
        return F.softmax(self.classifier(z), dim=1)

    def encode_style(self, z: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z2 | z, y)."""
        mean, logvar = self.encoder(torch.cat([z, self._one_hot(y)], dim=1)).chunk(2, dim=1)
        return mean, logvar

    def decode_codes(self, style: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The mean of p(z | z2, y): a code of class ``y`` in the style ``style``."""
        return self.decoder(torch.cat([style, self._one_hot(y)], dim=1))

    def negative_elbo(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """L(z, y) for each code: reconstruction NLL of z (constants dropped) plus the style's KL."""
        mean, logvar = self.encode_style(z, y)
        style = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        decoded = self.decode_codes(style, y)
        nll = 0.5 * ((z - decoded) ** 2 * torch.exp(-self.code_logvar) + self.code_logvar).sum(dim=1)
        return nll + gaussian_kl(mean, logvar, self.config.style_free_bits)

    def unlabelled_loss(self, z: torch.Tensor) -> torch.Tensor:
        """U(z) for each code: L(z, y) summed under q(y | z), minus the entropy of q(y | z)."""
        k = self.config.n_classes
        every_class = torch.arange(k, device=z.device).repeat(len(z))
        losses = self.negative_elbo(z.repeat_interleave(k, dim=0), every_class).view(len(z), k)
        log_probs = F.log_softmax(self.classifier(z), dim=1)
        probs = log_probs.exp()
        return (probs * (losses + log_probs)).sum(dim=1)

    def loss(self, z_labelled, y_labelled, z_unlabelled, n_labelled: int, n_unlabelled: int) -> dict:
        """The objective per sample of the whole data (J^alpha / N), estimated from one batch of each part."""
        n = n_labelled + n_unlabelled
        labelled = self.negative_elbo(z_labelled, y_labelled).mean()
        unlabelled = self.unlabelled_loss(z_unlabelled).mean() if len(z_unlabelled) else z_labelled.new_zeros(())
        log_loss = F.cross_entropy(self.classifier(z_labelled), y_labelled)
        total = (n_labelled * labelled + n_unlabelled * unlabelled) / n \
            + self.config.classification_weight * n_labelled * log_loss
        return {"loss": total, "labelled": labelled, "unlabelled": unlabelled, "log_loss": log_loss}

    @on_main_process
    def save(self, path: PathType) -> Path:
        """Write ``conditional.json`` and ``conditional.pt`` into the folder ``path`` (beside a VAE's files)."""
        return save_module(self, path, _WEIGHTS, _CONFIG, {"format_version": FORMAT_VERSION,
                                                           "config": asdict(self.config)})


def load_conditional(path: PathType, device: str = "cpu") -> ConditionalLatentModel:
    """Load a model saved with :meth:`ConditionalLatentModel.save`."""
    path = Path(path)
    if not (path / _CONFIG).is_file() or not (path / _WEIGHTS).is_file():
        raise ValueError(f"{path} holds no conditional model ({_CONFIG} and {_WEIGHTS}): fit it with labels and a "
                         "conditional method first (conditional-prior, style-transfer, pseudo-label).")
    fix = "delete the model folder and train the model again"
    saved = read_json(path / _CONFIG, keys=("format_version", "config"), fix=fix)
    if saved["format_version"] != FORMAT_VERSION:
        raise ValueError(f"{path / _CONFIG} is format version {saved['format_version']!r}; this vaeaug reads "
                         f"{FORMAT_VERSION}: {fix}.")
    try:
        model = ConditionalLatentModel(ConditionalConfig(**saved["config"]))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path / _CONFIG} holds an invalid configuration ({error}); {fix}.") from None
    return load_weights(model, path / _WEIGHTS, path / _CONFIG, device, fix)


@dataclass
class ConditionalHistory:
    """Per-epoch means of the objective (``train_loss``, as a VAE's history names it) and of the labelled
    codes' log-loss."""

    train_loss: list[float] = field(default_factory=list)
    log_loss: list[float] = field(default_factory=list)


def train_conditional(model: ConditionalLatentModel, codes, code_logvars, labels, *, epochs: int = CONDITIONAL.epochs,
                      min_steps: int = CONDITIONAL.min_steps, batch_size: int = CONDITIONAL.batch_size,
                      labelled_batch_size: int = 64, learning_rate: float = CONDITIONAL.learning_rate, seed: int = 0, device: str = "auto",
                      progress: bool = False) -> ConditionalHistory:
    """Train ``model`` in place on a VAE's codes: ``labels`` holds a class index per code, or -1 (unlabelled).

    Every step draws fresh codes from q(z | x) (the VAE's ``codes`` and ``code_logvars``), as Kingma et al.
    train M2 on samples of M1's posterior; it takes a batch of unlabelled codes and a batch of labelled codes
    drawn at random (there are fewer). An epoch is a pass over the unlabelled codes (over the labelled ones
    when every code has a label); training runs ``epochs`` of them, or more until ``min_steps`` optimiser
    steps have run, so that a small data set still trains (200 codes are one step an epoch).
    """
    check_positive(epochs, name="epochs", integer=True)
    check_positive(min_steps, name="min_steps", integer=True, allow_zero=True)
    check_positive(batch_size, name="batch_size", integer=True)
    check_positive(labelled_batch_size, name="labelled_batch_size", integer=True)
    check_positive(learning_rate, name="learning_rate")
    device = select_device(device)
    labels = np.asarray(labels)
    as_tensor = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float32), device=device)  # noqa: E731
    mean, std = as_tensor(codes), torch.exp(0.5 * as_tensor(code_logvars))
    labelled, unlabelled = np.flatnonzero(labels >= 0), np.flatnonzero(labels < 0)
    if len(labelled) == 0:
        raise ValueError("The conditional model needs labelled codes: every label is -1.")
    y = torch.as_tensor(labels, dtype=torch.long, device=device)
    model.to(device)
    history = ConditionalHistory()
    passes = unlabelled if len(unlabelled) else labelled
    loop = TrainingLoop(epochs_for(epochs, min_steps, -(-len(passes) // batch_size)), seed=seed, device=device,
                        desc="conditional model", progress=progress)
    loop.optimise(model, learning_rate)
    with loop:
        for _ in loop:
            model.train()
            order = passes[loop.order(len(passes)).numpy()]
            cycle = labelled[torch.randint(len(labelled), (len(order) // batch_size + 1, labelled_batch_size),
                                           generator=loop.shuffler).numpy()]
            sums = torch.zeros(2, device=device)
            for step, start in enumerate(range(0, len(order), batch_size)):
                lab = torch.as_tensor(cycle[step], device=device)
                unl = torch.as_tensor(order[start:start + batch_size] if len(unlabelled) else [], dtype=torch.long,
                                      device=device)
                draw = lambda i: mean[i] + std[i] * torch.randn_like(mean[i])  # noqa: E731
                losses = model.loss(draw(lab), y[lab], draw(unl), len(labelled), len(unlabelled))
                loop.step(losses["loss"])
                sums += torch.stack([losses["loss"].detach(), losses["log_loss"].detach()])
            history.train_loss.append(float(sums[0]) / (step + 1))
            history.log_loss.append(float(sums[1]) / (step + 1))
    model.eval()
    return history
