"""A run's record log and results.json, read back to resume (vaeaug.experiments.results)."""

import json

import pytest
from helpers import ONE_CELL

from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments.results import LOG, ResultStore, cell_id
from vaeaug.experiments.runner import run_experiment

RECORD = {"dataset": "digits", "protocol": "p", "latent_dim": 3, "variant": None, "method": "noise",
          "classifier": "knn", "seed": 0, "accuracy": 0.5, "f1_weighted": 0.5}


def test_damaged_logs_and_cached_vaes_on_resume(tmp_path):
    config = ExperimentConfig.from_dict(ONE_CELL)
    results = run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    log = tmp_path / LOG
    header = log.read_text().splitlines()[0]
    log.write_text(header + "\n" + json.dumps({"record": {"accuracy": "high"}}) + "\n")
    with pytest.raises(ValueError, match="not vaeaug cells"):
        run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    log.write_text(header + "\n{not json\n" + json.dumps({"record": results["records"][0]}) + "\n")
    with pytest.raises(ValueError, match=r"records\.jsonl has a damaged line 2"):
        run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    log.write_text(header + "\n")  # a log with no cell yet
    (weights,) = (tmp_path / "vaes").glob("*/weights.pt")
    weights.write_bytes(b"\0" * 10)
    with pytest.raises(ValueError, match=r"weights\.pt is damaged"):
        run_experiment(config, tmp_path, progress=False, log=lambda _: None)


def test_a_run_killed_while_writing_a_line_resumes_from_the_lines_before(tmp_path):
    config = ExperimentConfig.from_dict(ONE_CELL)
    store = ResultStore(tmp_path, config)
    store.add(RECORD)
    with open(tmp_path / LOG, "a") as log:
        log.write('{"record": {"dataset": "dig')  # the process died here
    again = ResultStore(tmp_path, config)
    assert [cell_id(r) for r in again.results["records"]] == [cell_id(RECORD)]
    again.add({**RECORD, "seed": 1})  # the cut line is gone, so the next one starts clean
    assert len(ResultStore(tmp_path, config).results["records"]) == 2


def test_each_cell_appends_one_line_and_the_summary_comes_at_the_end(tmp_path):
    config = ExperimentConfig.from_dict(ONE_CELL)
    store = ResultStore(tmp_path, config)
    for seed in range(3):
        store.add({**RECORD, "seed": seed})
    assert len((tmp_path / LOG).read_text().splitlines()) == 4  # the config, then a line per cell
    assert not (tmp_path / "results.json").exists()
    store.complete(order=[cell_id({**RECORD, "seed": s}) for s in (2, 1, 0)])
    summary = json.loads((tmp_path / "results.json").read_text())
    assert summary["complete"] and [r["seed"] for r in summary["records"]] == [2, 1, 0]


def test_a_run_from_before_the_log_resumes_from_its_results_json(tmp_path):
    config = ExperimentConfig.from_dict(ONE_CELL)
    store = ResultStore(tmp_path, config)
    store.add(RECORD, trained=[{"key": "k"}])
    old = {**store.results}
    (tmp_path / LOG).unlink()
    (tmp_path / "results.json").write_text(json.dumps(old))
    again = ResultStore(tmp_path, config)
    assert cell_id(RECORD) in again
    again.add({**RECORD, "seed": 1})  # the old records move into the new log, so none is lost
    assert len(ResultStore(tmp_path, config).results["records"]) == 2
    (tmp_path / "results.json").write_text("{not json")
    (tmp_path / LOG).unlink()
    with pytest.raises(ValueError, match=r"results\.json is damaged"):
        ResultStore(tmp_path, config)


def test_the_store_resumes_what_it_wrote_and_refuses_another_config(tmp_path):
    config = ExperimentConfig.from_dict(ONE_CELL)
    store = ResultStore(tmp_path, config)
    store.add(RECORD, trained=[{"key": "k"}])
    again = ResultStore(tmp_path, config)
    assert cell_id(RECORD) in again and again.results["vaes"] == [{"key": "k"}]
    with pytest.raises(ValueError, match="different configuration"):
        ResultStore(tmp_path, ExperimentConfig.from_dict({**ONE_CELL, "seeds": [1]}))
    assert ResultStore(tmp_path, ExperimentConfig.from_dict({**ONE_CELL, "execution": {"jobs": 2}})).done
