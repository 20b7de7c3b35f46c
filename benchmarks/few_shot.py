"""What the few-shot benchmarks share: their command line and their splits (a run's ``few-shot`` protocol).

Imported by the scripts beside it (``python benchmarks/<script>.py`` puts this folder on the path)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vaeaug import load_dataset
from vaeaug.data.protocols import make_split


def few_shot_parser(doc: str, results: str) -> argparse.ArgumentParser:
    """The options every few-shot benchmark takes; its results go to ``benchmarks/results/<results>``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--labelled-per-class", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default=Path(__file__).parent / "results" / results, type=Path)
    return parser


def few_shot_splits(args):
    """For each seed: ``seed, (X_lab, y_lab), pool, (X_test, y_test)`` of the run's few-shot split."""
    data = load_dataset(args.dataset, args.data_dir)
    for seed in args.seeds:
        split = make_split(data, {"name": "few-shot", "labelled_per_class": args.labelled_per_class},
                           random_state=seed)
        yield (seed, (data.X[split.labelled], data.y[split.labelled]), data.X[split.unlabelled],
               (data.X[split.test], data.y[split.test]))
