"""A run's results.json, read back to resume (vaeaug.experiments.results)."""

import json

import pytest
from helpers import ONE_CELL

from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments.results import ResultStore, cell_id
from vaeaug.experiments.runner import run_experiment


def test_damaged_results_and_cached_vaes_on_resume(tmp_path):
    config = ExperimentConfig.from_dict(ONE_CELL)
    run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    results = json.loads((tmp_path / "results.json").read_text())
    (tmp_path / "results.json").write_text(json.dumps({**results, "records": [{"accuracy": "high"}]}))
    with pytest.raises(ValueError, match="not vaeaug cells"):
        run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    (tmp_path / "results.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"results\.json is damaged"):
        run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    (tmp_path / "results.json").write_text(json.dumps({**results, "records": [], "complete": False}))
    (weights,) = (tmp_path / "vaes").glob("*/weights.pt")
    weights.write_bytes(b"\0" * 10)
    with pytest.raises(ValueError, match=r"weights\.pt is damaged"):
        run_experiment(config, tmp_path, progress=False, log=lambda _: None)


def test_the_store_resumes_what_it_wrote_and_refuses_another_config(tmp_path):
    config = ExperimentConfig.from_dict(ONE_CELL)
    store = ResultStore(tmp_path, config)
    record = {"dataset": "digits", "protocol": "p", "latent_dim": 3, "variant": None, "method": "noise",
              "classifier": "knn", "seed": 0, "accuracy": 0.5, "f1_weighted": 0.5}
    store.add(record, trained=[{"key": "k"}])
    again = ResultStore(tmp_path, config)
    assert cell_id(record) in again and again.results["vaes"] == [{"key": "k"}]
    with pytest.raises(ValueError, match="different configuration"):
        ResultStore(tmp_path, ExperimentConfig.from_dict({**ONE_CELL, "seeds": [1]}))
