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

__all__ = ["CELL_KEYS", "ResultStore", "cell_id", "is_cell"]

CELL_KEYS = ("dataset", "protocol", "latent_dim", "variant", "method", "classifier", "seed")


def cell_id(record) -> str:
    """The identity of a cell: its place in the grid, as one string (runs from before variants have none)."""
    return json.dumps([record.get(k) for k in CELL_KEYS])


def is_cell(record) -> bool:
    """Whether ``record`` is an experiment cell's: its place in the grid and its scores."""
    return isinstance(record, dict) and all(k in record for k in CELL_KEYS if k != "variant") and \
        all(isinstance(record.get(m), (int, float)) for m in ("accuracy", "f1_weighted"))


class ResultStore:
    """The records of one run folder: those already there (to resume) and those added now.

    ``identity(record)`` names a record's place (default: an experiment cell's);
    ``is_record`` says whether a record read back is one this store writes.
    """

    def __init__(self, run_dir, config, *, identity=cell_id, is_record=is_cell):
        self.path, self.identity = Path(run_dir) / "results.json", identity
        # Compared as JSON, as saved: JSON turns the paper table's integer keys into strings.
        saved_config = json.loads(json.dumps(asdict(config)))
        self.results = {"config": saved_config, "complete": False, "records": [], "vaes": []}
        if self.path.is_file():
            fix = "restore it, or start a new run without --resume"
            previous = read_json(self.path, keys=("config", "complete", "records"), fix=fix)
            previous.setdefault("vaes", [])
            if not isinstance(previous["records"], list) or not isinstance(previous["vaes"], list) or \
                    not all(is_record(r) for r in previous["records"]):
                raise ValueError(f"{self.path} has records that are not vaeaug cells (edited by hand?); {fix}.")
            if previous["config"] != saved_config:
                raise ValueError(f"{self.path.parent} holds a run of a different configuration; resume it with the "
                                 "same config and options, or start a new run folder.")
            self.results = previous
        self.done = {identity(r) for r in self.results["records"]}

    def __contains__(self, cell_key: str) -> bool:
        return cell_key in self.done

    def add(self, record, trained=()) -> None:
        """Keep a finished cell (and the records of models trained for it), and write the file."""
        self.results["vaes"].extend(trained)
        self.results["records"].append(record)
        self.done.add(self.identity(record))
        write_json_atomic(self.path, self.results)

    def complete(self) -> dict:
        self.results["complete"] = True
        write_json_atomic(self.path, self.results)
        return self.results
