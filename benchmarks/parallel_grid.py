"""Wall time of a grid at --jobs 1 and --jobs N on this machine, each from scratch (new run folder, new model cache).

Each run is a separate `vaeaug` process, one after the other, so they do not share the cores. Writes
benchmarks/results/parallel/<name>.json and .md with the times, their ratio, and the largest difference
between the two runs' cells (jobs N trains with fewer PyTorch threads per worker, and PyTorch's CPU sums
depend on the thread count, so the numbers can differ in the last digits: see docs/guide/parallel.md).

    python benchmarks/parallel_grid.py run                                   # vaeaug run, the default study
    python benchmarks/parallel_grid.py experiment configs/talk-thyroid-fewshot.yaml --data-dir ../shared/data
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

import torch


def timed(command: list[str], jobs: int, folder: Path) -> tuple[float, dict]:
    """Run ``vaeaug COMMAND --jobs JOBS`` into a new folder; its wall time and results."""
    folder.mkdir(parents=True)
    argv = [sys.executable, "-m", "vaeaug", *command, "--jobs", str(jobs), "--output-dir", str(folder), "--quiet"]
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    (results,) = folder.glob("*/results.json")
    return seconds, json.loads(results.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the vaeaug command and its arguments")
    parser.add_argument("--jobs", type=int, default=2, help="the parallel run's workers")
    parser.add_argument("--name", help="the results' file name (default: from the command)")
    args = parser.parse_args()
    name = args.name or ("run" if args.command[0] == "run" else Path(args.command[1]).stem)
    with tempfile.TemporaryDirectory() as scratch:
        one, results_one = timed(args.command, 1, Path(scratch) / "one")
        many, results_many = timed(args.command, args.jobs, Path(scratch) / "many")
    key = lambda r: json.dumps([r.get(k) for k in ("dataset", "protocol", "latent_dim", "variant", "method",  # noqa: E731
                                                   "classifier", "seed")])
    other = {key(r): r for r in results_many["records"]}
    differences = [abs(r["accuracy"] - other[key(r)]["accuracy"]) for r in results_one["records"]]
    report = {
        "command": "vaeaug " + " ".join(args.command), "cells": len(results_one["records"]),
        "cpu_count": os.cpu_count(), "torch": torch.__version__, "machine": platform.machine(),
        "seconds": {"jobs 1": round(one, 1), f"jobs {args.jobs}": round(many, 1)},
        "speed-up": round(one / many, 2),
        "cells_equal": sum(d == 0 for d in differences), "largest_accuracy_difference": max(differences),
        "models_trained": {"jobs 1": len(results_one["vaes"]), f"jobs {args.jobs}": len(results_many["vaes"])},
    }
    out = Path(__file__).parent / "results" / "parallel" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(
        f"# `{report['command']}`: --jobs 1 against --jobs {args.jobs}\n\n"
        f"{report['cells']} cells on {report['cpu_count']} cores (torch {report['torch']}).\n\n"
        f"| jobs | wall (s) | models trained |\n|---|---|---|\n"
        f"| 1 | {report['seconds']['jobs 1']} | {report['models_trained']['jobs 1']} |\n"
        f"| {args.jobs} | {report['seconds'][f'jobs {args.jobs}']} | {report['models_trained'][f'jobs {args.jobs}']} |\n\n"
        f"Speed-up: **{report['speed-up']}x**. Cells with the same accuracy: {report['cells_equal']} of "
        f"{report['cells']}; the largest difference {report['largest_accuracy_difference']:.4f} (thread counts "
        "differ: 1 job uses all cores, each of N workers its share).\n")
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
