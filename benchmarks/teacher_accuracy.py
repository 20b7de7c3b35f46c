"""How good a teacher the conditional model is: the test accuracy of its own classifier q(y | z), by setting.

``teacher`` hands the conditional model's pseudo-labels to the user's classifier, so it can give no more than
q(y | z) knows. This measures q(y | z) on a run's protocol for each variant (the VAE's latent size, the
conditional model's classification weight, its training length), beside scikit-learn's ``LabelSpreading``
over the samples (the rival a user tries first), with the seconds each took, on the same splits.

    python benchmarks/teacher_accuracy.py --dataset digits --labelled-per-class 10 --seeds 0 1 2
    # writes benchmarks/results/teacher_accuracy/<dataset>-k<k>.{json,md}

On restricted MNIST, with the VAE of configs/rivals-restricted-mnist.yaml under every variant and each VAE kept
for the next run (the conditional variants share it):

    python benchmarks/teacher_accuracy.py --dataset mnist --data-dir ../shared/data --labelled-per-class 100 \
        --seeds 0 --vae latent_dim=20 beta=1 max_epochs=30 patience=5 batch_size=128 --vae-cache VAES \
        --variants default "classification weight 0.01" "classification weight 0.001" "3x training"
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from pathlib import Path

import numpy as np
import yaml
from sklearn.semi_supervised import LabelSpreading

from few_shot import few_shot_parser, few_shot_splits
from vaeaug import ConditionalAugmenter, VAEAugmenter

# name: (the VAE's settings, the conditional model's settings), each over the base --vae settings;
# the first is vaeaug's default. The objective is the ELBO per sample plus the labelled codes' mean log-loss
# times weight x their number: the default 0.1 is Kingma et al.'s alpha = 0.1 N read as a sum over the
# labelled samples; read as a mean it is 0.1 / their number (0.0001 on restricted MNIST).
VARIANTS = {
    "default": ({}, {}),
    "classification weight 1": ({}, {"classification_weight": 1.0}),
    "classification weight 0.01": ({}, {"classification_weight": 0.01}),
    "classification weight 0.001": ({}, {"classification_weight": 0.001}),
    "classification weight 0.0001": ({}, {"classification_weight": 0.0001}),
    "classification weight 0.001, 3x": ({}, {"classification_weight": 0.001, "epochs": 90, "min_steps": 6000}),
    "3x training": ({}, {"epochs": 90, "min_steps": 6000}),
    "latent 32": ({"latent_dim": 32}, {}),
    "latent 32, weight 1, 3x": ({"latent_dim": 32}, {"classification_weight": 1.0, "epochs": 90, "min_steps": 6000}),
    "latent 50": ({"latent_dim": 50}, {}),
    "latent 50, weight 0.001, 3x": ({"latent_dim": 50},
                                    {"classification_weight": 0.001, "epochs": 90, "min_steps": 6000}),
    "classification weight 0.001, 5x": ({}, {"classification_weight": 0.001, "epochs": 150, "min_steps": 10000}),
    "hidden 1000": ({}, {"hidden_units": 1000}),
}


def main(argv=None) -> None:
    parser = few_shot_parser(__doc__, "teacher_accuracy")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--vae", nargs="+", default=[], metavar="KEY=VALUE",
                        help="the VAE's settings under every variant (VALUE in YAML), e.g. latent_dim=20 beta=1")
    parser.add_argument("--vae-cache", type=Path, default=None,
                        help="a folder that keeps each VAE trained, for the next run of the same seed and settings")
    args = parser.parse_args(argv)
    if any("=" not in item for item in args.vae):
        parser.error(f"--vae takes KEY=VALUE settings, e.g. latent_dim=20 beta=1; got {args.vae}")
    args.base = base = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.vae)}

    rows = []
    for seed, (X_lab, y_lab), pool, (X_test, y_test) in few_shot_splits(args):
        started = time.perf_counter()
        features = np.concatenate([X_lab, pool, X_test]).reshape(len(X_lab) + len(pool) + len(X_test), -1)
        codes = np.searchsorted(np.unique(y_lab), y_lab)
        spreading = LabelSpreading(kernel="knn", n_neighbors=7).fit(
            features, np.r_[codes, np.full(len(pool) + len(X_test), -1)])
        predicted = np.unique(y_lab)[spreading.transduction_[-len(X_test):]]
        rows.append({"variant": "LabelSpreading (samples)", "seed": seed,
                     "accuracy": round(100 * float(np.mean(predicted == y_test)), 2),
                     "seconds": round(time.perf_counter() - started, 1)})
        vaes = {}
        for name in args.variants:
            vae_settings, conditional_settings = VARIANTS[name]
            vae_settings = {**base, **vae_settings}
            key = json.dumps(vae_settings, sort_keys=True)
            started = time.perf_counter()
            if key not in vaes:
                vaes[key] = _vae(args, seed, vae_settings, X_lab, pool)
            vae_seconds = time.perf_counter() - started
            started = time.perf_counter()
            model = ConditionalAugmenter(vaes[key], random_state=seed, verbose=False, **conditional_settings)
            model.fit(X_lab, y_lab, X_unlabelled=pool)
            rows.append({"variant": name, "seed": seed, "accuracy": round(100 * model.score(X_test, y_test), 2),
                         "seconds": round(time.perf_counter() - started + vae_seconds, 1)})
            print(rows[-1], flush=True)
            _write(args, rows)  # after each row: a run stopped early keeps what it measured
    _write(args, rows)


def _vae(args, seed, settings, X_lab, pool) -> VAEAugmenter:
    """The VAE of one seed and settings, from ``--vae-cache`` when it is there (its seconds are then ~0)."""
    identity = json.dumps([args.dataset, args.labelled_per_class, seed, settings], sort_keys=True)
    folder = args.vae_cache / hashlib.sha1(identity.encode()).hexdigest()[:16] if args.vae_cache else None
    if folder is not None and (folder / VAEAugmenter.saved_file).is_file():
        return VAEAugmenter.load(folder)
    vae = VAEAugmenter(random_state=seed, verbose=False, **settings).fit(X_lab, X_unlabelled=pool)
    if folder is not None:
        vae.save(folder)
    return vae


def _write(args, rows) -> None:
    """The rows so far as JSON, and their table as Markdown (mean and per seed)."""
    table = ["| variant | accuracy of q(y\\|z) on the test set, mean (per seed) | seconds per seed (VAE + model) |",
             "|---|---|---|"]
    for name in ["LabelSpreading (samples)"] + args.variants:
        mine = [r for r in rows if r["variant"] == name]
        if not mine:
            continue
        accuracies = [r["accuracy"] for r in mine]
        table.append(f"| {name} | {np.mean(accuracies):.2f} ({', '.join(f'{a:.2f}' for a in accuracies)}) | "
                     f"{np.mean([r['seconds'] for r in mine]):.1f} |")
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{args.dataset}-k{args.labelled_per_class}"
    result = {"dataset": args.dataset, "labelled_per_class": args.labelled_per_class, "seeds": args.seeds,
              "machine": platform.processor() or platform.machine(), "vae": args.base,
              "variants": {k: VARIANTS[k] for k in args.variants},
              "rows": rows}
    stem.with_suffix(".json").write_text(json.dumps(result, indent=1))
    stem.with_suffix(".md").write_text("\n".join(table) + "\n")


if __name__ == "__main__":
    main()
