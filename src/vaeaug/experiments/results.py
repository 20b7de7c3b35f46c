"""A run's ``results.json``: one record per finished cell, written atomically after each, so a run resumes.

The file holds the config the run was started with (a resumed run must have the
same), the records, the records of the models trained, and whether the grid is
complete.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .._files import read_json, write_json_atomic

__all__ = ["CELL_KEYS", "ResultStore", "cell_id"]

CELL_KEYS = ("dataset", "protocol", "latent_dim", "variant", "method", "classifier", "seed")


def cell_id(record) -> str:
    """The identity of a cell: its place in the grid, as one string (runs from before variants have none)."""
    return json.dumps([record.get(k) for k in CELL_KEYS])


def read_results(path) -> dict:
    """A run's ``results.json``, checked enough to resume from: damaged or hand-edited files are an error."""
    fix = "restore it, or start a new run without --resume"
    results = read_json(path, keys=("config", "complete", "records", "vaes"), fix=fix)
    records, vaes = results["records"], results["vaes"]
    if not isinstance(records, list) or not isinstance(vaes, list) or not all(
            isinstance(r, dict) and all(k in r for k in CELL_KEYS if k != "variant")
            and all(isinstance(r.get(m), (int, float)) for m in ("accuracy", "f1_weighted")) for r in records):
        raise ValueError(f"{path} has records that are not vaeaug cells (edited by hand?); {fix}.")
    return results


class ResultStore:
    """The records of one run folder: those already there (to resume) and those added now."""

    def __init__(self, run_dir, config):
        self.path = Path(run_dir) / "results.json"
        # Compared as JSON, as saved: JSON turns the paper table's integer keys into strings.
        saved_config = json.loads(json.dumps(asdict(config)))
        self.results = {"config": saved_config, "complete": False, "records": [], "vaes": []}
        if self.path.is_file():
            previous = read_results(self.path)
            if previous.get("config") != saved_config:
                raise ValueError(f"{self.path.parent} holds a run of a different configuration; resume it with the "
                                 "same config and options, or start a new run folder.")
            self.results = previous
        self.done = {cell_id(r) for r in self.results["records"]}

    def __contains__(self, cell_key: str) -> bool:
        return cell_key in self.done

    def add(self, record, trained=()) -> None:
        """Keep a finished cell (and the records of models trained for it), and write the file."""
        self.results["vaes"].extend(trained)
        self.results["records"].append(record)
        self.done.add(cell_id(record))
        write_json_atomic(self.path, self.results)

    def complete(self) -> dict:
        self.results["complete"] = True
        write_json_atomic(self.path, self.results)
        return self.results
