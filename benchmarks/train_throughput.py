"""Training throughput of ConvVAE on 28x28 inputs: vaeaug's loop vs a plain PyTorch loop.

Both loops train the same network (same initial weights), on the same data,
with the same batch size and optimiser, in one process. Measurements alternate
between the two loops and the median of the repeats is reported, so a slow
moment of the machine hits both alike. The library loop runs with its progress
bar on and keeps the early snapshot, as VAEAugmenter does: the costlier setting.

    python benchmarks/train_throughput.py            # writes benchmarks/results/train_throughput.{json,md}
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from vaeaug import ConvVAE, VAEConfig, train_vae
from vaeaug.generation.augmenter import SNAPSHOT_STEP
from vaeaug.vae.loop import seeded


def plain_loop(model, X, epochs, batch_size, seed):
    """What a user would write by hand: shuffle, slice, forward, backward, step."""
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            loss = model.loss(X[order[start:start + batch_size]])["loss"]
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=2, help="epochs per measurement")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "train_throughput"))
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = torch.as_tensor((rng.uniform(size=(args.samples, 1, 28, 28)) < 0.2).astype(np.float32))
    config = VAEConfig(input_shape=(1, 28, 28), latent_dim=10)

    def fresh_model():
        with seeded(0):
            return ConvVAE(config)

    def timed(run):
        model = fresh_model()
        start = time.perf_counter()
        run(model)
        return args.samples * args.epochs / (time.perf_counter() - start)

    # As VAEAugmenter trains: with the early snapshot the GC filter's bad images come from.
    library = lambda m: train_vae(m, X, None, max_epochs=args.epochs, batch_size=args.batch_size,
                                  seed=0, device="cpu", progress=True, snapshot_step=SNAPSHOT_STEP)
    plain = lambda m: plain_loop(m, X, args.epochs, args.batch_size, 0)
    timed(library), timed(plain)  # warm-up: allocator, thread pools
    samples = {"vaeaug": [], "plain": []}
    for _ in range(args.repeats):
        samples["vaeaug"].append(timed(library))
        samples["plain"].append(timed(plain))
    median = {k: statistics.median(v) for k, v in samples.items()}
    result = {
        "benchmark": "ConvVAE training throughput, 28x28, CPU",
        "samples": args.samples, "batch_size": args.batch_size, "epochs_per_measurement": args.epochs,
        "repeats": args.repeats, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "samples_per_second": samples, "median_samples_per_second": median,
        "ratio_vaeaug_to_plain": median["vaeaug"] / median["plain"],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    table = (
        "| loop | median samples/s | all repeats |\n|---|---|---|\n"
        + "".join(f"| {k} | {median[k]:.0f} | {', '.join(f'{v:.0f}' for v in samples[k])} |\n" for k in samples)
    )
    text = (f"# {result['benchmark']}\n\n{args.samples} samples, batch {args.batch_size}, "
            f"{args.epochs} epochs per measurement, {args.repeats} alternating repeats, "
            f"torch {torch.__version__} on {torch.get_num_threads()} threads.\n\n{table}\n"
            f"Ratio vaeaug / plain: **{result['ratio_vaeaug_to_plain']:.3f}** (target >= 0.95)\n")
    out.with_suffix(".md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
