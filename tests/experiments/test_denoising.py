"""The denoising study (vaeaug.experiments.denoising)."""

import pytest

from vaeaug.experiments.denoising import DenoisingStudyConfig, run_denoising_study

SMALL = {"latent_dim": 8, "hidden_units": 64, "batch_size": 32}


def test_the_denoising_study_runs_scores_and_resumes(tmp_path):
    config = DenoisingStudyConfig.from_dict({
        "name": "tiny", "dataset": "digits", "noise_levels": [{"noise": "gaussian", "sigma": 0.3}],
        "vae": {**SMALL, "max_epochs": 2}, "classifier": "knn", "test_subsample": 60, "figure_images": 3,
    })
    logs = []
    results = run_denoising_study(config, tmp_path, progress=False, log=logs.append)
    rows = {(r["noise_level"], r["denoiser"]): r for r in results["records"]}
    assert set(rows) == {("clean", "none")} | {("gaussian σ=0.3", d) for d in ("none", "vae", "tv", "wavelet",
                                                                               "gaussian")}
    assert rows[("gaussian σ=0.3", "tv")]["psnr"] > rows[("gaussian σ=0.3", "none")]["psnr"]
    assert "weight" in rows[("gaussian σ=0.3", "tv")]
    assert (tmp_path / "denoising-0.png").is_file() and "| Noise | Denoiser |" in (tmp_path / "results.md").read_text()
    again = run_denoising_study(config, tmp_path, progress=False, log=lambda _: None)
    assert again["records"] == results["records"]  # nothing was redone


@pytest.mark.parametrize(
    "change, message",
    [
        ({"denoisers": ["median"]}, "Unknown denoiser"),
        ({"noise_levels": [{"noise": "gaussian", "sigmaa": 0.1}]}, "Did you mean 'sigma'"),
        ({"vae": {"latent_dims": 3}}, "Did you mean 'latent_dim'"),
        ({"dataset": "nope"}, "Unknown dataset"),
    ],
)
def test_denoising_study_mistakes_fail_up_front(change, message):
    with pytest.raises(ValueError, match=message):
        DenoisingStudyConfig.from_dict({"name": "x", **change})
