"""A run's results: an append-only log of finished cells (``records.jsonl``), and ``results.json`` built from it.

Each finished cell is one line appended to the log (flushed to disk before the
next cell starts), so the cost of a write does not grow with the grid and an
interrupted run resumes from the log. ``results.json``, the summary every
report reads (the config the run was started with, the records, the models
trained, whether the grid is complete), is written once, atomically, when the
grid completes. A resumed run must have the same config.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from .._files import read_json, write_json_atomic

__all__ = ["CELL_KEYS", "LOG", "ResultStore", "cell_id", "has_results", "is_cell"]

CELL_KEYS = ("dataset", "protocol", "latent_dim", "variant", "method", "classifier", "seed")
LOG = "records.jsonl"  # first line {"config": ...}, then one {"record": ..., "vaes": [...]} per finished cell


def cell_id(record) -> str:
    """The identity of a cell: its place in the grid, as one string (runs from before variants have none)."""
    return json.dumps([record.get(k) for k in CELL_KEYS])


def is_cell(record) -> bool:
    """Whether ``record`` is an experiment cell's: its place in the grid and its scores."""
    return isinstance(record, dict) and all(k in record for k in CELL_KEYS if k != "variant") and \
        all(isinstance(record.get(m), (int, float)) for m in ("accuracy", "f1_weighted"))


def has_results(run_dir) -> bool:
    """Whether ``run_dir`` holds a run with at least its log or its summary (something to resume)."""
    return (Path(run_dir) / LOG).is_file() or (Path(run_dir) / "results.json").is_file()


class ResultStore:
    """The records of one run folder: those already there (to resume) and those added now.

    ``identity(record)`` names a record's place (default: an experiment cell's);
    ``is_record`` says whether a record read back is one this store writes.
    """

    def __init__(self, run_dir, config, *, identity=cell_id, is_record=is_cell):
        run_dir = Path(run_dir)
        self.path, self.log_path, self.identity = run_dir / "results.json", run_dir / LOG, identity
        # Compared as JSON, as saved: JSON turns the paper table's integer keys into strings. How the grid runs
        # (jobs, backend) is not what it computes, so a run may resume with other execution settings.
        saved_config = json.loads(json.dumps({k: v for k, v in asdict(config).items() if k != "execution"}))
        self.results = {"config": saved_config, "complete": False, "records": [], "vaes": []}
        fix = "restore it, or start a new run without --resume"
        previous = self._read_log(fix) if self.log_path.is_file() else None
        if previous is None and self.path.is_file():  # a run from before the log
            previous = read_json(self.path, keys=("config", "complete", "records"), fix=fix)
            previous.setdefault("vaes", [])
        self._logged = previous is not None and self.log_path.is_file()
        if previous is not None:
            if not isinstance(previous["records"], list) or not isinstance(previous["vaes"], list) or \
                    not all(is_record(r) for r in previous["records"]):
                raise ValueError(f"{self.path.parent} has records that are not vaeaug cells (edited by hand?); "
                                 f"{fix}.")
            if isinstance(previous["config"], dict):
                previous["config"].pop("execution", None)
            if previous["config"] != saved_config:
                raise ValueError(f"{self.path.parent} holds a run of a different configuration; resume it with the "
                                 "same config and options, or start a new run folder.")
            self.results = previous
        self.done = {identity(r) for r in self.results["records"]}

    def _read_log(self, fix) -> dict:
        """The log's config, records and trained models. A last line cut short (the process was killed while
        writing it) is dropped, and cut from the file, so the next line starts clean."""
        data = self.log_path.read_bytes()
        entries, end = [], 0
        for line in data.splitlines(keepends=True):
            try:
                entry = json.loads(line) if line.endswith(b"\n") else None
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                if data[end + len(line):].strip():
                    raise ValueError(f"{self.log_path} has a damaged line {len(entries) + 1}; {fix}.")
                break
            entries.append(entry)
            end += len(line)
        if end < len(data):
            with open(self.log_path, "r+b") as log:
                log.truncate(end)
        if not entries or "config" not in entries[0] or any("record" not in e for e in entries[1:]):
            raise ValueError(f"{self.log_path} is not a vaeaug record log (edited by hand?); {fix}.")
        return {"config": entries[0]["config"], "complete": False, "records": [e["record"] for e in entries[1:]],
                "vaes": [v for e in entries[1:] for v in e.get("vaes", [])]}

    def __contains__(self, cell_key: str) -> bool:
        return cell_key in self.done

    def add(self, record, trained=()) -> None:
        """Keep a finished cell (and the records of models trained for it): one line appended to the log."""
        lines = []
        if not self._logged:  # the header, and the records of a run from before the log
            lines.append({"config": self.results["config"]})
            lines += [{"record": r, "vaes": []} for r in self.results["records"]]
            if lines[1:]:
                lines[1]["vaes"] = list(self.results["vaes"])
        lines.append({"record": record, "vaes": list(trained)})
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write("".join(json.dumps(line) + "\n" for line in lines))
            log.flush()
            os.fsync(log.fileno())
        self._logged = True
        self.results["vaes"].extend(trained)
        self.results["records"].append(record)
        self.done.add(self.identity(record))

    def complete(self, order=None) -> dict:
        """Mark the run complete and write ``results.json``; ``order`` (cell identities in the plan's order)
        sorts the records, so a run whose cells finished in another order (in parallel, or resumed) writes the
        same file."""
        if order is not None:
            rank = {key: n for n, key in enumerate(order)}
            self.results["records"].sort(key=lambda r: rank.get(self.identity(r), len(rank)))
        self.results["complete"] = True
        write_json_atomic(self.path, self.results)
        return self.results
