"""One cell's dataset, split and models (vaeaug.experiments.context)."""

import os

import numpy as np
from helpers import ONE_CELL

from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments.runner import run_experiment


def test_a_second_run_in_one_process_reads_a_file_written_again(tmp_path):
    """A notebook runs an experiment, changes its file, runs again (issue 33, item 3): the second run sees the
    new file, not the dataset the process kept in memory."""
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, X=rng.uniform(size=(60, 5)), y=np.repeat([0, 1, 2], 20))
    config = ExperimentConfig.from_dict({**ONE_CELL, "datasets": [str(path)], "methods": []})
    first = run_experiment(config, tmp_path / "run1", progress=False, log=lambda _: None)
    np.savez(path, X=rng.uniform(size=(40, 5)), y=np.repeat([0, 1], 20))  # class 2 dropped
    os.utime(path, ns=(0, 10**18))  # a later modification time, even on a coarse clock
    second = run_experiment(config, tmp_path / "run2", progress=False, log=lambda _: None)
    assert first["records"][0]["n_train"] == 12 and second["records"][0]["n_train"] == 8
