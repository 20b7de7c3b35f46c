"""One VAE trained by one process or by two (torchrun, gloo on CPU): throughput and the final losses.

The paper's ConvVAE (latent size 20, 1024 hidden units) learns MNIST training images for a fixed number of
epochs, with the same global batch, seed, initial weights and hold-out in every setting:

- 1 process, 1 thread;
- 1 process, 2 threads (PyTorch's default on 2 cores);
- 2 processes of 1 thread each, launched by ``torchrun --standalone --nproc_per_node 2`` (each process takes
  half of every batch; DistributedDataParallel averages the gradients over gloo).

Each setting is a new process (or pair), one after the other; the time is train_vae's alone (no imports, no
data loading). Writes benchmarks/results/ddp/ddp_training.{json,md}.

    python benchmarks/ddp_training.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from vaeaug import ConvVAE, VAEConfig, load_dataset, train_vae
from vaeaug.vae.loop import seeded
from vaeaug.vae.training import seed_and_holdout

SETTINGS = [("1 process, 1 thread", 1, 1), ("1 process, 2 threads", 1, 2), ("2 processes (gloo), 1 thread each", 2, 1)]


def worker(args) -> None:
    """Train once, in this process (alone or as one of torchrun's); rank 0 writes the time and the losses."""
    torch.set_num_threads(args.threads)
    images = load_dataset("mnist", args.data_dir).X[:args.samples, None].astype(np.float32)
    seed, train, validation = seed_and_holdout(images, 0.1, 0)
    with seeded(seed):
        model = ConvVAE(VAEConfig(input_shape=(1, 28, 28), latent_dim=20, hidden_units=1024))
    started = time.perf_counter()
    history = train_vae(model, train, validation, max_epochs=args.epochs, patience=args.epochs, batch_size=128,
                        seed=seed, device="cpu", progress=False)
    seconds = time.perf_counter() - started
    if int(os.environ.get("RANK", "0")) == 0:
        Path(args.worker).write_text(json.dumps({
            "seconds": seconds, "samples_per_second": args.epochs * len(train) / seconds,
            "train_loss": history.train_loss, "val_reconstruction": history.val_reconstruction,
            "training_samples": len(train)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--samples", type=int, default=12000, help="MNIST training images used (10 %% held out)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    common = ["--data-dir", args.data_dir, "--samples", str(args.samples), "--epochs", str(args.epochs)]
    runs = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, processes, threads in SETTINGS:
            out = Path(scratch) / f"{processes}-{threads}.json"
            launcher = ([sys.executable] if processes == 1 else
                        [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"])
            started = time.perf_counter()
            subprocess.run([*launcher, __file__, *common, "--threads", str(threads), "--worker", str(out)],
                           check=True, env={**os.environ, "OMP_NUM_THREADS": str(threads)})
            runs[name] = {**json.loads(out.read_text()), "wall_seconds_with_start": time.perf_counter() - started}
    report = {"command": "python benchmarks/ddp_training.py " + " ".join(common), "cpu_count": os.cpu_count(),
              "torch": torch.__version__, "machine": platform.machine(), "model": "ConvVAE, latent 20, 1024 units",
              "batch_size": 128, "epochs": args.epochs, "runs": runs}
    folder = Path(__file__).parent / "results" / "ddp"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ddp_training.json").write_text(json.dumps(report, indent=2) + "\n")
    rows = [f"| {name} | {r['seconds']:.1f} | {r['samples_per_second']:.0f} | {r['train_loss'][-1]:.3f} | "
            f"{r['val_reconstruction'][-1]:.3f} |" for name, r in runs.items()]
    (folder / "ddp_training.md").write_text(
        f"# One VAE, one process or two\n\n`{report['command']}` ({report['model']}, "
        f"{runs[SETTINGS[0][0]]['training_samples']} training images, batch 128, {args.epochs} epochs; "
        f"{os.cpu_count()} cores, torch {torch.__version__})\n\n"
        "| setting | training s | samples/s | final training loss | final validation reconstruction |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    print((folder / "ddp_training.md").read_text())


if __name__ == "__main__":
    main()
