"""Training one VAE on several processes: the process group that ``torchrun`` describes.

Under ``torchrun --nproc_per_node N``, every process runs the same script on the
same data; :func:`vaeaug.vae.training.train_vae` joins the group that
``torchrun``'s environment describes (``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK``,
``MASTER_ADDR``), gives each process its share of every batch and lets
:class:`torch.nn.parallel.DistributedDataParallel` average the gradients. A
script that set up its own group (``torch.distributed.init_process_group``)
trains in that one. Without either, everything here describes a group of one.
"""

from __future__ import annotations

import atexit
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import distributed as dist

__all__ = ["World", "join", "launched", "is_main_process", "on_main_process", "from_main_process", "check_same",
           "summed"]


@dataclass(frozen=True)
class World:
    """This process's place among the processes that train one model together."""

    rank: int = 0
    size: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def shard(self, n: int) -> slice:
        """This process's contiguous part of ``n`` items (the first ``n % size`` processes take one more)."""
        return slice(self.rank * n // self.size, (self.rank + 1) * n // self.size)


def launched() -> bool:
    """Whether a launcher (``torchrun``) started this process as one of several."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def is_main_process() -> bool:
    """Rank 0 of the group, or of ``torchrun``'s launch before the group is joined; a lone process is main."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    return int(os.environ.get("RANK", "0")) == 0


def on_main_process(save):
    """Decorate a ``save(self, path)`` so that only the main process writes; the others return the path."""
    @functools.wraps(save)
    def wrapper(self, path, *args, **kwargs):
        if not is_main_process():
            return Path(path)
        return save(self, path, *args, **kwargs)
    return wrapper


def join(device: torch.device) -> tuple[World, torch.device]:
    """The group this process trains in, and the device it trains on.

    Joins ``torchrun``'s group on first use (NCCL on CUDA, gloo on CPU; one
    GPU per process, ``cuda:LOCAL_RANK``) and leaves it when the process exits.
    """
    if not launched() and not (dist.is_available() and dist.is_initialized()):
        return World(), device
    if not dist.is_available():
        raise ValueError(f"torchrun started {os.environ['WORLD_SIZE']} processes, but this PyTorch build has no "
                         "torch.distributed; install a build that has it, or run one process.")
    if not dist.is_initialized():
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        atexit.register(_leave)
    elif device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    return World(dist.get_rank(), dist.get_world_size()), device


def _leave() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def from_main_process(value, world: World):
    """``value`` as the main process has it, on every process (pickled); ``value`` itself in a group of one."""
    if world.size == 1:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def check_same(values: dict, world: World, fix: str) -> None:
    """Raise the same ``ValueError`` on every process unless every process has the same ``values``."""
    if world.size == 1:
        return
    gathered: list = [None] * world.size
    dist.all_gather_object(gathered, values)
    for rank, other in enumerate(gathered):
        for name, value in values.items():
            if other[name] != gathered[0][name]:
                raise ValueError(f"Processes disagree on {name}: rank 0 has {gathered[0][name]!r}, rank {rank} has "
                                 f"{other[name]!r}. {fix}")


def summed(tensor: torch.Tensor, world: World) -> torch.Tensor:
    """``tensor`` summed over the group, in place (itself in a group of one)."""
    if world.size > 1:
        dist.all_reduce(tensor)
    return tensor
