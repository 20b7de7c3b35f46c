"""Run by test_distributed.py under torchrun: train in a group of processes, write what each one ended with.

    python -m torch.distributed.run --standalone --nproc_per_node 2 tests/vae/ddp_worker.py OUT [DEVICE]

Every process writes OUT/rank-R.json; rank 0 alone saves OUT/model.
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch

from vaeaug import MLPVAE, VAEAugmenter, VAEConfig
from vaeaug.vae.loop import seeded
from vaeaug.vae.training import train_vae

# 101 training rows in batches of 20: the last batch has one row, so one process gets none of it.
SETTINGS = {"max_epochs": 10, "batch_size": 20, "learning_rate": 1e-2, "patience": 3, "seed": 5, "progress": False}


def data():
    """Three binary prototypes with 10 % of their bits flipped: something a VAE can learn."""
    rng = np.random.default_rng(1)
    prototypes = rng.uniform(size=(3, 6)) < 0.5
    X = prototypes[rng.integers(3, size=131)] ^ (rng.uniform(size=(131, 6)) < 0.1)
    return X[:101].astype(np.float32), X[101:].astype(np.float32)


def model():
    with seeded(0):
        return MLPVAE(VAEConfig(input_shape=(6,), latent_dim=2, hidden_units=16))


def main(out: Path, device: str) -> None:
    torch.set_num_threads(1)
    train, val = data()
    vae = model()
    history = train_vae(vae, train, val, device=device, **SETTINGS)
    rank = torch.distributed.get_rank()
    record = {"world_size": torch.distributed.get_world_size(), "train_loss": history.train_loss,
              "val_reconstruction": history.val_reconstruction, "best_epoch": history.best_epoch,
              "weights": [p.detach().cpu().double().sum().item() for p in vae.parameters()]}
    try:  # rank 1 has a row fewer
        train_vae(model(), train if rank == 0 else train[:-1], device=device, **{**SETTINGS, "max_epochs": 1})
    except ValueError as error:
        record["mismatch"] = str(error)
    # No seed: rank 0's random state decides the hold-out and the seed for every process; rank 0 saves.
    augmenter = VAEAugmenter(latent_dim=2, hidden_units=16, max_epochs=3, batch_size=16, random_state=None,
                             device=device).fit(train)
    record["codes"] = augmenter.encode(train[:5]).tolist()
    augmenter.save(out / "model")
    (out / f"rank-{rank}.json").write_text(json.dumps(record))
    # Leave together: a process that tears the group down while the other still saves can abort at exit
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "cpu")
