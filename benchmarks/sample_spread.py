"""How varied each method's samples are within a class: the mean pairwise distance between samples of one class.

A method whose samples sit close together adds little a classifier did not
have; this is the diagnosis behind the conditional model's small gains for SVM
and MLP on restricted MNIST (docs/reproductions/conditional-restricted-mnist.md).
The models are an experiment's own, read from its --vae-cache (trained there if
missing), so the samples are the ones its table scored.

    python benchmarks/sample_spread.py configs/conditional-restricted-mnist.yaml --data-dir ../shared/data \\
        --vae-cache VAES --seed 0      # writes benchmarks/results/sample_spread/<config>-seed<seed>.{json,md}
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

import numpy as np
from sklearn.metrics import pairwise_distances

from vaeaug.experiments.config import load_config
from vaeaug.experiments.context import cell_context, data_folder
from vaeaug.experiments.runner import plan_cells
from vaeaug.generation.chain import configure
from vaeaug.generation.kinds import KIND_OF
from vaeaug.generation.registry import SINGLE_VAE, parse_method

METHODS = ["affine", "interpolation", "conditional-prior", "conditional-prior+agree", "style-transfer",
           "pseudo-label"]
PER_CLASS = 100  # samples per class the distances are taken over


def spread(X, y, rng) -> float:
    """Mean over classes of the mean pairwise Euclidean distance of up to PER_CLASS samples of the class."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    means = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        rows = rng.choice(rows, min(PER_CLASS, len(rows)), replace=False)
        distances = pairwise_distances(X[rows])
        means.append(distances[np.triu_indices(len(rows), 1)].mean())
    return float(np.mean(means))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--vae-cache", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", default=METHODS)
    parser.add_argument("--out", default=Path(__file__).parent / "results" / "sample_spread", type=Path)
    args = parser.parse_args(argv)

    config = load_config(args.config)
    cell = next(c for c in plan_cells(config) if c.seed == args.seed and c.latent_dim is not None)
    context = cell_context(config, cell.dataset, cell.protocol, cell.seed, cell.latent_dim, cell.variant,
                           data_dir=data_folder(config, args.data_dir), cache=Path(args.vae_cache).resolve())
    models = context.models
    X_lab, y_lab = context.labelled

    samples = {"labelled images": (X_lab, y_lab),
               "VAE reconstructions": (models(SINGLE_VAE).reconstruct(X_lab), y_lab)}
    for method in args.methods:
        spec = parse_method(method)
        model = configure(models(spec.kind), spec)
        samples[method] = model.generate(X_lab, y_lab, **KIND_OF[spec.kind].generate_inputs(context.pool))
    rows = [{"samples": name, "n": len(X), "spread": round(spread(X, y, np.random.default_rng(args.seed)), 3)}
            for name, (X, y) in samples.items()]

    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{config.name}-seed{args.seed}"
    meta = {"config": args.config, "seed": args.seed, "latent_dim": cell.latent_dim, "per_class": PER_CLASS,
            "machine": platform.platform(), "processor": platform.processor()}
    stem.with_suffix(".json").write_text(json.dumps({**meta, "rows": rows}, indent=2) + "\n")
    lines = [f"# Within-class spread: {config.name}, seed {args.seed}", "",
             f"Mean pairwise Euclidean distance between up to {PER_CLASS} samples of one class, averaged over "
             "the classes (pixels on the dataset's own scale).", "", "| samples | n | spread |", "|---|---|---|"]
    lines += [f"| {r['samples']} | {r['n']} | {r['spread']:.2f} |" for r in rows]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
