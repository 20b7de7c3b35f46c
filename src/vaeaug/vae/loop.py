"""How every network vaeaug trains is trained: the device, PyTorch's threads, seeding, and the loop itself.

:class:`TrainingLoop` is the loop the VAE (:func:`vaeaug.vae.training.train_vae`, which adds early stopping,
snapshots and several processes), the conditional model (:func:`vaeaug.vae.conditional_model.train_conditional`)
and the torch classifiers (:mod:`vaeaug.classifiers`) share: Adam, seeded epochs, each epoch's shuffled order
from a generator of its own, and a progress bar. Each of them writes only what its step computes.
"""

from __future__ import annotations

import contextlib
import sys

import torch
from tqdm.auto import tqdm

__all__ = ["select_device", "seeded", "torch_threads", "epochs_for", "TrainingLoop"]


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


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Let PyTorch use ``n`` threads inside the block (None: as it is), then restore the caller's setting.

    The thread count is part of what a result depends on: PyTorch's CPU kernels
    split their sums by thread, so the same seed gives the same numbers only at
    the same count.
    """
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def epochs_for(epochs: int, min_steps: int, steps_per_epoch: int, max_steps: int | None = None) -> int:
    """``epochs``, or more until ``min_steps`` optimiser steps have run; no more than ``max_steps`` allow.

    >>> epochs_for(30, 2000, 7), epochs_for(300, 0, 4, max_steps=10)
    (286, 3)
    """
    epochs = max(epochs, -(-min_steps // steps_per_epoch))
    if max_steps is not None:
        epochs = min(epochs, -(-max_steps // steps_per_epoch))
    return epochs


def bar_disable(verbose) -> bool | None:
    """tqdm's ``disable`` for a ``verbose`` setting. False: no bar. True: a bar, wherever the output goes.
    "auto" (the estimators' default): a bar where someone watches, a terminal or a Jupyter notebook, and none in
    a redirected log (which carriage returns would fill) or a test run."""
    if verbose is True:
        return False
    if verbose != "auto":
        return True
    # A notebook's stderr is no terminal, so tqdm's own test (disable=None) would hide the bar there
    return False if type(sys.stderr).__module__.startswith("ipykernel") else None


class TrainingLoop:
    """Seeded epochs with a progress bar, and Adam steps: ``with TrainingLoop(...) as loop: for epoch in loop:``.

    Inside the block torch's global generator is seeded with ``seed`` (initial weights, dropout, the
    reparameterisation noise), and restored after it. Epochs count from 1. :meth:`order` gives an epoch's
    shuffled order from a generator of its own (``shuffler``), seeded alike; :meth:`step` is one Adam step
    of the model that :meth:`optimise` was given.
    """

    def __init__(self, epochs: int, *, seed: int, device: torch.device | None = None, desc: str = "training",
                 progress: bool | str = False):
        self.epochs, self.seed, self.device, self.desc, self.progress = epochs, int(seed), device, desc, progress
        self.shuffler = torch.Generator().manual_seed(self.seed)
        self.optimiser = None
        self.bar = None

    def optimise(self, model: torch.nn.Module, learning_rate: float) -> torch.optim.Optimizer:
        """Adam on ``model``'s parameters, for :meth:`step`."""
        self.optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
        return self.optimiser

    def order(self, n: int) -> torch.Tensor:
        """A shuffled order of ``n`` rows, for one epoch."""
        return torch.randperm(n, generator=self.shuffler)

    def step(self, loss: torch.Tensor) -> None:
        """One optimiser step down ``loss``."""
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()

    def __enter__(self) -> TrainingLoop:
        self._seeded = seeded(self.seed, self.device)
        self._seeded.__enter__()
        self.bar = tqdm(range(1, self.epochs + 1), desc=self.desc, unit="epoch", leave=False,
                        disable=bar_disable(self.progress))
        return self

    def __iter__(self):
        return iter(self.bar)

    def __exit__(self, *exc_info):
        self.bar.close()
        return self._seeded.__exit__(*exc_info)
