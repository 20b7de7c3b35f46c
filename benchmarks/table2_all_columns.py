"""Table 2 (restricted MNIST) with every column, its seeds and latent sizes run side by side, with wall times.

The grid of ``configs/table2-restricted-mnist.yaml`` is split into one job per
(seed, latent size); the jobs run as separate ``vaeaug experiment`` processes,
``--jobs`` at a time, and share a VAE cache. Their records are then merged into
one ``results.json`` with the whole config (so ``vaeaug experiment CONFIG
--resume MERGED`` finds every cell done and would only rewrite the tables), and
the tables are written beside it. A job still running at ``--time-limit`` is
stopped; the merge keeps the cells it finished and says what is missing.

    python benchmarks/table2_all_columns.py --data-dir DIR --output OUT [--jobs 12] [--time-limit 540]
        [--set KEY=VALUE ...]

writes ``OUT/merged/results.{json,md,csv}`` and ``OUT/table2_all_columns.json``
(wall time of each job and of the whole, device, versions).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

from vaeaug._files import write_json_atomic
from vaeaug.report.tables import write_tables
from vaeaug.experiments.config import load_config
from vaeaug.experiments.results import cell_id
from vaeaug.generation.registry import KINDS, parse_method

CONFIG = Path(__file__).parent.parent / "configs" / "table2-restricted-mnist.yaml"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(CONFIG))
    parser.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE",
                        help="as for vaeaug experiment")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--vae-cache", help="folder of trained VAEs (default OUTPUT/vaes)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--threads", type=int, default=1, help="CPU threads per job (torch, BLAS)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds; stop jobs still running then")
    args = parser.parse_args()

    config = load_config(args.config, args.overrides)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **{k: str(args.threads) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                              "OPENBLAS_NUM_THREADS")}}
    # The data-space columns (smote, affine, real) need no VAE: one job per seed runs them, the others skip them.
    with_vae = [m for m in config.methods if KINDS[parse_method(m).kind].latent_space is not None]
    queue = [(seed, z) for seed in config.seeds for z in config.latent_dims]
    running, finished = {}, []
    started = time.perf_counter()
    while queue or running:
        while queue and len(running) < args.jobs:
            seed, z = queue.pop(0)
            folder = output / "runs" / f"seed{seed}-z{z}"
            command = [sys.executable, "-m", "vaeaug.cli", "experiment", args.config, *sum(
                (["--set", o] for o in args.overrides), []), "--set", f"seeds=[{seed}]", "--set",
                f"latent_dims=[{z}]", "--data-dir", args.data_dir,
                "--vae-cache", args.vae_cache or str(output / "vaes"),
                "--output-dir", str(folder), "--quiet"]
            if z != config.latent_dims[0]:
                command += ["--set", f"methods=[{', '.join(with_vae)}]"]
            folder.mkdir(parents=True, exist_ok=True)
            log = open(folder / "log.txt", "w")
            running[(seed, z)] = (subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env),
                                  time.perf_counter(), log)
        for job, (process, since, log) in list(running.items()):
            over = args.time_limit and time.perf_counter() - started > args.time_limit
            if process.poll() is None and over:
                process.kill()
                process.wait()
            if process.poll() is not None:
                log.close()
                finished.append({"seed": job[0], "latent_dim": job[1], "returncode": process.returncode,
                                 "seconds": round(time.perf_counter() - since, 1)})
                del running[job]
        time.sleep(1)
    wall = time.perf_counter() - started
    for job in finished:
        if job["returncode"] != 0:
            log = (output / "runs" / f"seed{job['seed']}-z{job['latent_dim']}" / "log.txt").read_text()
            print(f"job seed {job['seed']}, latent size {job['latent_dim']} ended with {job['returncode']}:\n"
                  + "\n".join(log.splitlines()[-15:]))

    records, vaes, seen = [], [], set()
    for path in sorted((output / "runs").glob("*/*/results.json")):
        part = json.loads(path.read_text())
        vaes += part["vaes"]
        for record in part["records"]:  # the data-space cells (baseline, smote, affine, real) are in every job
            if cell_id(record) not in seen:
                seen.add(cell_id(record))
                records.append(record)
    merged_dir = output / "merged"
    merged_dir.mkdir(exist_ok=True)
    without_vae = sum(KINDS[parse_method(m).kind].latent_space is None for m in config.methods)
    expected = len(config.seeds) * len(config.classifiers) * (
        1 + without_vae + len(config.latent_dims) * (len(config.methods) - without_vae))
    results = {"config": json.loads(json.dumps(asdict(config))), "complete": len(records) == expected,
               "records": records, "vaes": vaes}
    write_json_atomic(merged_dir / "results.json", results)
    write_tables(config, results, merged_dir, log=print, reference=config.reference,
                        metric=config.paper.get("metric", "accuracy"), source=config.paper.get("source", "paper"))
    summary = {
        "config": args.config, "overrides": args.overrides, "jobs": args.jobs, "threads_per_job": args.threads,
        "wall_seconds": round(wall, 1), "cells": len(records), "cells_expected": expected,
        "job_seconds": finished, "vae_seconds": [v["seconds"] for v in vaes],
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else platform.processor() or "cpu",
        "cpus": os.cpu_count(), "torch": torch.__version__, "python": platform.python_version(),
    }
    write_json_atomic(output / "table2_all_columns.json", summary)
    print(json.dumps({k: v for k, v in summary.items() if k != "job_seconds"}, indent=1))


if __name__ == "__main__":
    main()
