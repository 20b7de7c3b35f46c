"""The CUDA paths: each model trains and predicts on a GPU, and agrees with its CPU run on easy data.

Skipped without a GPU (`pytest -m cuda` selects them on a machine that has one).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from vaeaug import CNNClassifier, TorchMLPClassifier, VAEAugmenter, VAEDenoiser

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")]


def test_the_vae_trains_on_the_gpu_and_generates(blobs):
    X, y = blobs
    augmenter = VAEAugmenter(latent_dim=2, hidden_units=32, max_epochs=5, random_state=0, device="cuda")
    X_res, y_res = augmenter.fit_resample(X, y)
    assert next(augmenter.model_.parameters()).is_cuda
    assert X_res.shape[1:] == X.shape[1:] and len(X_res) > len(X) and np.isfinite(X_res).all()
    on_cpu = VAEAugmenter(latent_dim=2, hidden_units=32, max_epochs=5, random_state=0, device="cpu").fit(X)
    # Same seed, same hold-out and initial weights; the kernels differ, so the losses agree only roughly.
    assert augmenter.history_.train_loss[0] == pytest.approx(on_cpu.history_.train_loss[0], rel=0.05)


@pytest.mark.parametrize("make", [lambda: TorchMLPClassifier(hidden_units=32, max_epochs=30, random_state=0,
                                                             device="cuda"),
                                  lambda: CNNClassifier(channels=(4, 8), hidden_units=16, random_state=0,
                                                        device="cuda")])
def test_the_torch_classifiers_learn_on_the_gpu(make, blobs):
    X, y = blobs
    classifier = make().fit(X, y)
    assert classifier.score(X, y) >= 0.9


def test_the_denoiser_trains_on_the_gpu(blobs):
    X, _ = blobs
    denoiser = VAEDenoiser(latent_dim=4, hidden_units=32, max_epochs=3, random_state=0, device="cuda").fit(X)
    assert denoiser.transform(X).shape == X.shape


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="NCCL needs a GPU per process: fewer than 2 GPUs")
def test_two_gpus_train_one_vae_with_nccl(tmp_path):
    worker = Path(__file__).parent / "vae" / "ddp_worker.py"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    finished = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                               str(worker), str(tmp_path), "cuda"], capture_output=True, text=True, env=env,
                              timeout=600)
    assert finished.returncode == 0, finished.stderr[-4000:]
    ranks = [json.loads((tmp_path / f"rank-{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0]["world_size"] == 2 and ranks[0]["weights"] == ranks[1]["weights"]
