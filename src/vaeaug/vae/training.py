"""Training a VAE: Adam, mini-batches, early stopping on validation reconstruction.

As in the paper, training stops when the validation reconstruction loss has not
improved for ``patience`` epochs, and the weights of the best epoch are restored.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

from .._validation import check_positive

__all__ = ["TrainingHistory", "select_device", "seeded", "train_vae", "reconstruction_loss", "seed_and_holdout"]


def select_device(device="auto") -> torch.device:
    """The one place that picks the device: CUDA when available, unless told otherwise."""
    if isinstance(device, torch.device):
        return device
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"Unknown device {device!r}; use 'auto', 'cpu' or 'cuda'.") from None
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but no CUDA GPU is available; use 'cpu' or 'auto'.")
    return chosen


@contextlib.contextmanager
def seeded(seed: int, device: torch.device | None = None):
    """Seed torch's global generator inside the block and restore it afterwards.

    Weight initialisation, dropout and the reparameterisation noise all draw
    from the global generator; forking it makes a seeded run reproducible
    without changing the caller's random state.
    """
    devices = [device] if device is not None and device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield


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
def reconstruction_loss(model, X: torch.Tensor, targets: torch.Tensor | None = None, batch_size: int = 1024) -> float:
    """Mean reconstruction NLL of ``targets`` (default ``X``) decoded from the posterior means of ``X``."""
    model.eval()
    targets = X if targets is None else targets
    total = 0.0
    for start in range(0, len(X), batch_size):
        mean, _ = model.encode(X[start:start + batch_size])
        total += model.reconstruction_nll(model.decode(mean), targets[start:start + batch_size]).sum().item()
    return total / len(X)


def train_vae(
    model,
    X_train,
    X_val=None,
    *,
    max_epochs: int = 100,
    max_steps: int | None = None,
    min_steps: int = 0,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    patience: int = 5,
    seed: int = 0,
    device="auto",
    progress: bool = True,
    snapshot_step: int | None = None,
    corrupt=None,
    val_targets=None,
) -> TrainingHistory:
    """Train ``model`` in place with Adam; early-stop on ``X_val`` if given.

    Parameters
    ----------
    model : vaeaug.model.VAE
    X_train, X_val : array or tensor of shape (N, *model.config.input_shape)
        ``X_val`` (optional) drives early stopping; without it training runs
        ``max_epochs`` epochs.
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
    """
    check_positive(max_epochs, name="max_epochs", integer=True)
    check_positive(batch_size, name="batch_size", integer=True)
    check_positive(learning_rate, name="learning_rate")
    check_positive(patience, name="patience", integer=True)
    if max_steps is not None:
        check_positive(max_steps, name="max_steps", integer=True)
    check_positive(min_steps, name="min_steps", integer=True, allow_zero=True)
    device = select_device(device)
    model.to(device)
    X_train = torch.as_tensor(np.asarray(X_train, dtype=np.float32), device=device)
    if X_val is not None:
        X_val = torch.as_tensor(np.asarray(X_val, dtype=np.float32), device=device)
    if val_targets is not None:
        val_targets = torch.as_tensor(np.asarray(val_targets, dtype=np.float32), device=device)

    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    history = TrainingHistory()
    best_loss, best_state, epochs_without_improvement = float("inf"), None, 0
    shuffler = torch.Generator().manual_seed(int(seed))
    n = len(X_train)
    step, first_epoch = 0, None

    def keep_snapshot():
        history.snapshot = {k: v.detach().clone() for k, v in model.state_dict().items()}

    steps_per_epoch = -(-n // batch_size)
    epochs = max(max_epochs, -(-min_steps // steps_per_epoch))
    if max_steps is not None:
        epochs = min(epochs, -(-max_steps // steps_per_epoch))
    with seeded(seed, device):
        bar = tqdm(range(1, epochs + 1), desc="VAE", unit="epoch", disable=not progress, leave=False)
        for epoch in bar:
            model.train()
            order = torch.randperm(n, generator=shuffler).to(device)
            # Sums stay on the device; one .item() per epoch avoids a sync per batch.
            sums, seen = torch.zeros(3, device=device), 0
            for start in range(0, n, batch_size):
                x = X_train[order[start:start + batch_size]]
                losses = model.loss(x) if corrupt is None else model.loss(corrupt(x), target=x)
                optimiser.zero_grad(set_to_none=True)
                losses["loss"].backward()
                optimiser.step()
                step += 1
                if step == snapshot_step:
                    keep_snapshot()
                seen += len(x)
                sums += len(x) * torch.stack(
                    [losses["loss"].detach(), losses["reconstruction"].detach(), losses["kl"].detach()]
                )
                if step == max_steps:
                    break
            if epoch == 1 and snapshot_step is not None and step < snapshot_step:
                first_epoch = {k: v.detach().clone() for k, v in model.state_dict().items()}
            loss, reconstruction, kl = (sums / seen).tolist()
            history.train_loss.append(loss)
            history.train_reconstruction.append(reconstruction)
            history.train_kl.append(kl)
            postfix = {"loss": f"{loss:.2f}", "kl": f"{kl:.2f}"}

            if X_val is not None:
                val = reconstruction_loss(model, X_val, val_targets)
                history.val_reconstruction.append(val)
                postfix["val_rec"] = f"{val:.2f}"
                if val < best_loss:
                    best_loss, history.best_epoch, epochs_without_improvement = val, epoch, 0
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                else:
                    epochs_without_improvement += 1
                    if epochs_without_improvement >= patience and step >= min_steps:
                        history.stopped_early = True
                        bar.set_postfix(postfix)
                        break
            bar.set_postfix(postfix)
            if step == max_steps:
                break
        bar.close()

    if snapshot_step is not None and history.snapshot is None:
        history.snapshot = first_epoch  # training ended before snapshot_step: the first epoch's weights
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history
