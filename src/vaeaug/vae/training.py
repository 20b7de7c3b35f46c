"""Training a VAE: Adam, mini-batches, early stopping on validation reconstruction.

As in the paper, training stops when the validation reconstruction loss has not
improved for ``patience`` epochs, and the weights of the best epoch are restored.
Under ``torchrun`` the same loop runs on every process, each on its share of
every batch, with DistributedDataParallel averaging the gradients
(:mod:`vaeaug.vae.distributed`).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.utils import check_random_state
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .._typing import ArrayLike
from .. import _settings
from .._validation import check_positive
from .distributed import World, check_same, join, summed
from .loop import TrainingLoop, epochs_for, select_device
from .model import VAE

logger = logging.getLogger(__name__)

__all__ = ["TrainingHistory", "train_vae", "reconstruction_loss", "seed_and_holdout", "fitting_as"]

_FIT_NAME = contextvars.ContextVar("fit_name", default="VAE")


@contextlib.contextmanager
def fitting_as(name: str):
    """Name the VAE fits inside in their log line ("Class VAE 'cat' (2 of 3, seed 7) trained: ..."), so a log
    of many fits says which is which."""
    token = _FIT_NAME.set(name)
    try:
        yield
    finally:
        _FIT_NAME.reset(token)


@dataclass
class TrainingHistory:
    """Per-epoch losses and where early stopping ended."""

    train_loss: list[float] = field(default_factory=list)
    train_reconstruction: list[float] = field(default_factory=list)
    train_kl: list[float] = field(default_factory=list)
    val_reconstruction: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # 1-based; None without validation data
    stopped_early: bool = False
    snapshot: dict | None = field(default=None, repr=False)  # weights early in training, if asked for


def seed_and_holdout(data, validation_fraction, random_state):
    """A training seed drawn from ``random_state``, then a random ``validation_fraction`` of ``data`` held out.

    Returns ``(seed, train, validation)``; ``validation`` is None when the share
    rounds to no sample or to all of them, and ``train`` is then all of ``data``.
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    order = rng.permutation(len(data))
    n_val = int(round(validation_fraction * len(data)))
    if n_val < 1 or n_val >= len(data):
        return seed, data, None
    return seed, data[order[n_val:]], data[order[:n_val]]


@torch.no_grad()
def reconstruction_loss(model, X: torch.Tensor, targets: torch.Tensor | None = None, batch_size: int = 1024,
                        world: World = World()) -> float:
    """Mean reconstruction NLL of ``targets`` (default ``X``) decoded from the posterior means of ``X``.

    In a group of processes each scores its share of ``X`` and the sums are
    added, so every process gets the same number (and stops at the same epoch).
    """
    model.eval()
    targets = X if targets is None else targets
    part = world.shard(len(X))
    X_part, targets_part = X[part], targets[part]
    total = 0.0
    for start in range(0, len(X_part), batch_size):
        mean, _ = model.encode(X_part[start:start + batch_size])
        total += model.reconstruction_nll(model.decode(mean), targets_part[start:start + batch_size]).sum().item()
    if world.size > 1:
        total = summed(torch.tensor(total, dtype=torch.float64, device=X.device), world).item()
    return total / len(X)


def train_vae(
    model: VAE,
    X_train: ArrayLike,
    X_val: ArrayLike | None = None,
    *,
    max_epochs: int = _settings.VAE.max_epochs,
    max_steps: int | None = _settings.VAE.max_steps,
    min_steps: int = _settings.VAE.min_steps,
    batch_size: int = _settings.VAE.batch_size,
    learning_rate: float = _settings.VAE.learning_rate,
    patience: int = _settings.VAE.patience,
    seed: int = 0,
    device: str = "auto",
    progress: bool = True,
    snapshot_step: int | None = None,
    corrupt: Callable | None = None,
    val_targets: ArrayLike | None = None,
) -> TrainingHistory:
    """Train ``model`` in place with Adam; early-stop on ``X_val`` if given.

    Parameters
    ----------
    model : vaeaug.vae.model.VAE
    X_train, X_val : array or tensor, each sample shaped like ``model.config.input_shape``
        ``X_val`` (optional) drives early stopping; without it training runs
        ``max_epochs`` epochs.
    batch_size : int
        Samples per optimiser step. Under ``torchrun`` it is the batch of the
        whole group: each of N processes takes about ``batch_size / N`` of it,
        so the run follows the loss curve of one process with this batch size.
    max_steps : int, optional
        Stop after this many optimiser steps (or ``max_epochs``, whichever
        comes first): a budget that does not grow with the data, like the
        2023 talk's "about 6000 steps".
    min_steps : int
        Train at least this many optimiser steps, in as many epochs beyond
        ``max_epochs`` as that takes; early stopping waits for them too. A VAE
        of a few samples (one class's k in a few-shot study) is otherwise left
        with a handful of steps.
    patience : int
        Epochs without a new best validation reconstruction loss before stopping.
    seed : int
        Seeds the shuffling and the reparameterisation noise (build the model
        inside ``seeded(seed)`` to seed its initial weights too). Same seed,
        same weights on CPU.
    progress : bool
        Show a progress bar over epochs with the current losses.
    snapshot_step : int, optional
        Keep a copy of the weights after this many optimiser steps in
        ``history.snapshot`` (the first epoch's, if training stops sooner): an
        undertrained decoder whose reconstructions serve as "bad" samples.
    corrupt : callable, optional
        ``corrupt(batch) -> noisy batch`` (tensors). When given, the model
        encodes a freshly corrupted copy of every training batch and learns to
        reconstruct the clean batch: a denoising VAE.
    val_targets : array or tensor shaped like ``X_val``, optional
        What the validation inputs should reconstruct to, when that is not
        ``X_val`` itself (for denoising: ``X_val`` noisy, ``val_targets`` clean).

    Returns
    -------
    TrainingHistory

    Notes
    -----
    Launched by ``torchrun --nproc_per_node N`` (or inside a process group the
    caller initialised), every process must call this with the same data and
    settings: each draws the same shuffled order and the same reparameterisation
    noise, trains on its part of every batch, and the gradients are averaged
    (``DistributedDataParallel``); validation is split and summed, so all stop
    at the same epoch with the same weights. A mismatch is a ``ValueError`` on
    every process.
    """
    check_positive(max_epochs, name="max_epochs", integer=True)
    check_positive(batch_size, name="batch_size", integer=True)
    check_positive(learning_rate, name="learning_rate")
    check_positive(patience, name="patience", integer=True)
    if max_steps is not None:
        check_positive(max_steps, name="max_steps", integer=True)
    check_positive(min_steps, name="min_steps", integer=True, allow_zero=True)
    world, device = join(select_device(device))
    model.to(device)
    X_train, X_val, val_targets = (None if a is None else torch.as_tensor(np.asarray(a, dtype=np.float32),
                                                                          device=device)
                                   for a in (X_train, X_val, val_targets))
    if world.size > 1:
        _check_group(world, X_train, X_val, seed=int(seed), batch_size=batch_size, max_epochs=max_epochs,
                     max_steps=max_steps, min_steps=min_steps, learning_rate=learning_rate, patience=patience)
    history = TrainingHistory()
    steps = _Steps(model, max_steps, snapshot_step)
    stopping = _EarlyStopping(patience, min_steps)
    epochs = epochs_for(max_epochs, min_steps, -(-len(X_train) // batch_size), max_steps)
    loop = TrainingLoop(epochs, seed=seed, device=device, desc="VAE", progress=progress if world.main else False)
    loop.optimise(model, learning_rate)
    step = _BatchStep(model, loop, corrupt, world, device)
    first_epoch = None
    with loop:
        for epoch in loop:
            model.train()
            loss, reconstruction, kl = _train_epoch(step, X_train, loop.order(len(X_train)).to(device), batch_size,
                                                    steps)
            if epoch == 1 and snapshot_step is not None and steps.count < snapshot_step:
                first_epoch = _weights(model)
            history.train_loss.append(loss)
            history.train_reconstruction.append(reconstruction)
            history.train_kl.append(kl)
            postfix = {"loss": f"{loss:.2f}", "kl": f"{kl:.2f}"}
            stop = False
            if X_val is not None:
                val = reconstruction_loss(model, X_val, val_targets, world=world)
                history.val_reconstruction.append(val)
                postfix["val_rec"] = f"{val:.2f}"
                stop = stopping.update(val, epoch, model, steps.count)
            loop.bar.set_postfix(postfix)
            if stop or steps.done:
                break

    history.best_epoch, history.stopped_early = stopping.best_epoch, stopping.stopped
    if world.main:
        _log_fit(history, len(history.train_loss), epochs, steps, stopping)
    # Training that ended before snapshot_step keeps the first epoch's weights as its snapshot.
    history.snapshot = steps.snapshot if steps.snapshot is not None else first_epoch
    if stopping.best_state is not None:
        model.load_state_dict(stopping.best_state)
    model.eval()
    return history


def _log_fit(history, ran, planned, steps, stopping) -> None:
    """One line per fit: epochs run, the best epoch, why it stopped, the validation loss."""
    if stopping.stopped:
        why = f"no better validation loss for {stopping.patience} epochs"
    elif steps.done:
        why = f"max_steps={steps.max_steps} reached"
    else:
        why = f"all {planned} epochs run"
    best = (f"best epoch {history.best_epoch}, validation reconstruction {stopping.best_loss:.3f}"
            if history.best_epoch else "no validation data")
    logger.info("%s trained: %d epochs (%d steps), %s; stopped: %s.", _FIT_NAME.get(), ran, steps.count, best, why)


def _weights(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class _Steps:
    """Counts optimiser steps, keeps the weights after ``snapshot_step`` of them, and knows ``max_steps``."""

    def __init__(self, model, max_steps, snapshot_step):
        self.model, self.max_steps, self.snapshot_step = model, max_steps, snapshot_step
        self.count, self.snapshot = 0, None

    def step(self) -> None:
        self.count += 1
        if self.count == self.snapshot_step:
            self.snapshot = _weights(self.model)

    @property
    def done(self) -> bool:
        return self.count == self.max_steps


class _EarlyStopping:
    """Keeps the best validation loss's weights; says stop after ``patience`` epochs without a new best,
    once ``min_steps`` optimiser steps have run."""

    def __init__(self, patience, min_steps):
        self.patience, self.min_steps = patience, min_steps
        self.best_loss, self.best_epoch, self.best_state = float("inf"), None, None
        self.waited, self.stopped = 0, False

    def update(self, loss, epoch, model, steps) -> bool:
        if loss < self.best_loss:
            self.best_loss, self.best_epoch, self.waited, self.best_state = loss, epoch, 0, _weights(model)
            return False
        self.waited += 1
        self.stopped = self.waited >= self.patience and steps >= self.min_steps
        return self.stopped


def _check_group(world, X_train, X_val, **settings) -> None:
    """Every process of the group must train on the same data with the same settings."""
    data = {"training samples": len(X_train), "training data sum": float(X_train.double().sum()),
            "validation samples": 0 if X_val is None else len(X_val),
            "validation data sum": 0.0 if X_val is None else float(X_val.double().sum())}
    check_same({**data, **settings}, world, "Start every process with the same data and settings: under torchrun, "
               "every process runs the same script on the same files with the same seed.")
    if settings["batch_size"] < world.size:
        raise ValueError(f"batch_size={settings['batch_size']} is smaller than the {world.size} processes that train "
                         f"together, so some would get no sample of a batch; use batch_size >= {world.size}.")


class _SummedLoss(nn.Module):
    """The VAE's loss summed over a batch, as the forward pass that DistributedDataParallel watches."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, x, target, noise):
        return self.vae.loss(x, target, noise, reduction="sum")


class _BatchStep:
    """One optimiser step on one batch, alone or as one process of a group."""

    def __init__(self, model, loop, corrupt, world, device):
        self.model, self.loop, self.corrupt, self.world = model, loop, corrupt, world
        if world.size > 1:
            self.summed_loss = DistributedDataParallel(_SummedLoss(model),
                                                       device_ids=[device.index] if device.type == "cuda" else None)

    def __call__(self, x) -> torch.Tensor:
        """Train on the batch ``x``; the batch's summed loss, reconstruction and KL (this process's share)."""
        inputs = x if self.corrupt is None else self.corrupt(x)
        # Every process draws the whole batch's eps and keeps its part: the draws of one process.
        noise = torch.randn((len(x), self.model.config.latent_dim), device=x.device)
        if self.world.size == 1:  # the mean, as before the group existed, so a lone process's numbers do not move
            losses = self.model.loss(inputs, x, noise)
            self.loop.step(losses["loss"])
            return len(x) * torch.stack([losses[k].detach() for k in ("loss", "reconstruction", "kl")])
        part = self.world.shard(len(x))
        losses = self.summed_loss(inputs[part], x[part], noise[part])
        # DistributedDataParallel averages gradients over processes; the sum over the whole batch is wanted.
        self.loop.step(losses["loss"] * (self.world.size / len(x)))
        return torch.stack([losses[k].detach() for k in ("loss", "reconstruction", "kl")])


def _train_epoch(step, X_train, order, batch_size, steps) -> list[float]:
    """One pass over ``X_train`` in ``order`` (ending early at ``steps.max_steps``); mean loss, reconstruction, KL."""
    # Sums stay on the device; one .item() per epoch avoids a sync per batch.
    sums, seen = torch.zeros(3, device=X_train.device), 0
    for start in range(0, len(order), batch_size):
        x = X_train[order[start:start + batch_size]]
        sums += step(x)
        steps.step()
        seen += len(x)
        if steps.done:
            break
    return (summed(sums, step.world) / seen).tolist()
