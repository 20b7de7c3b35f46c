"""The outside probe's defects: each input here once gave a traceback, a silent wrong result or a stray folder."""

import json
import os

import numpy as np
import pytest
from sklearn.datasets import load_digits

from vaeaug import VAEAugmenter
from vaeaug.cli import main
from vaeaug.data.datasets import read_npz
from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments.runner import run_experiment

FAST = dict(latent_dim=3, hidden_units=32, max_epochs=2, batch_size=16, random_state=0)
TINY = {"name": "tiny", "datasets": ["digits"], "protocols": [{"name": "few-shot", "labelled_per_class": 4}],
        "latent_dims": [3], "methods": ["noise"], "classifiers": ["knn"], "seeds": [0],
        "vae": {"max_epochs": 2, "hidden_units": 32}}


@pytest.fixture
def npz(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "in.npz"
    np.savez(path, X=rng.uniform(size=(30, 6)).astype(np.float32), y=np.repeat([0, 1, 2], 10))
    return path


def error_of(argv, capsys):
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    return err


# -- 1. huge values --------------------------------------------------------------------

def test_huge_values_give_finite_samples_or_a_clear_error():
    X, y = load_digits(return_X_y=True)
    X_res, _ = VAEAugmenter(**FAST).fit_resample(X[:100] * 1e30, y[:100])
    assert np.isfinite(X_res).all() and np.abs(X_res[100:]).max() > 1e29  # in the data's own units
    with pytest.raises(ValueError, match="beyond float32's range"):
        VAEAugmenter(**FAST).fit(X[:100] * 1e38)


# -- 2, 3, 4, 5: the config and the cell grid, checked before anything runs ----------------

@pytest.mark.parametrize(
    "change, message",
    [
        ({"paper": {"baseline": {"knn": "abc"}}}, "percentage"),
        ({"paper": {"results": {"knn": [1, 2]}}}, "must be a mapping"),
        ({"paper": {"baseline": {"knnn": 50}}}, "Did you mean 'knn'"),
        ({"paper": {"results": {"knn": {3: {"noize": 50}}}}}, "Did you mean 'noise'"),
        ({"vae": {"max_epochs": 0}}, "max_epochs must be > 0"),
        ({"vae": {"beta": -1}}, "beta must be >= 0"),
        ({"vae": {"batch_size": 0}}, "batch_size must be > 0"),
        ({"device": "tpu"}, "Unknown device 'tpu'"),
        ({"protocols": [{"name": "few-shot", "test_fraction": 1.5}]}, "test_fraction must be a share"),
        ({"protocols": [{"name": "few-shot", "labelled_per_class": [5, 0]}]}, "labelled_per_class must be > 0"),
        ({"name": "x/../../../escaped"}, "plain folder name"),
        ({"name": "a/b"}, "plain folder name"),
        ({"seeds": [True]}, "seeds .* must be an integer"),
        ({"seeds": [-1]}, "seeds .* must be an integer"),
    ],
)
def test_config_mistakes_fail_before_the_grid(change, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({**TINY, **change})


def test_device_in_the_vae_settings_is_checked_too():
    with pytest.raises(ValueError, match="Unknown device"):
        VAEAugmenter(device="tpu").fit(np.zeros((4, 3)))


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.ones((20, 3)), np.linspace(0, 1, 20), "continuous values"),
        (np.ones((20, 3)) * (1 + 1j), np.repeat([0, 1], 10), "complex numbers"),
        (np.ones((4, 3)), np.array(["a", 1, "b", 2], dtype=object), "mixes text and numeric"),
    ],
)
def test_bad_samples_and_labels_are_refused(X, y, message):
    with pytest.raises(ValueError, match=message):
        VAEAugmenter(**FAST).fit_resample(X, y)


def test_decoding_nan_codes_is_refused(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="NaN or infinite"):
        VAEAugmenter(**FAST).fit(X).decode(np.full((2, 3), np.nan))


def test_a_run_that_fails_before_its_first_cell_leaves_no_folder(tmp_path, capsys):
    (tmp_path / "empty.npz").write_bytes(b"")
    config = tmp_path / "c.yaml"
    config.write_text(json.dumps({**TINY, "datasets": [str(tmp_path / "empty.npz")]}))  # YAML reads JSON
    runs = tmp_path / "runs"
    assert "empty, truncated" in error_of(["experiment", config, "--output-dir", runs], capsys)
    assert not runs.exists() or list(runs.iterdir()) == []
    assert "must be an integer" in error_of(["run", "--seeds", "-1", "--output-dir", runs], capsys)
    assert not runs.exists() or list(runs.iterdir()) == []


# -- 6. damaged files and the file system ------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"PK\x03\x04" + b"\0" * 20, os.urandom(400)])
def test_damaged_npz_files_get_one_sentence(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.npz (is empty, truncated|is not an \.npz archive)") as error:
        read_npz(path)
    assert "allow_pickle" not in str(error.value) and "pickle.load" not in str(error.value)


@pytest.fixture
def saved(blobs, tmp_path):
    X, _ = blobs
    VAEAugmenter(**FAST).fit(X).save(tmp_path / "model")
    return tmp_path / "model"


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: (p / "weights.pt").write_bytes((p / "weights.pt").read_bytes()[:200]), r"weights\.pt is damaged"),
        (lambda p: (p / "config.json").write_text("{garbage"), r"config\.json is damaged or not JSON"),
        (lambda p: (p / "config.json").write_text('{"format_version": 1}'), r"config\.json lacks"),
        (lambda p: (p / "augmenter.json").write_text("[]"), r"augmenter\.json lacks"),
        (lambda p: (p / "augmenter.json").write_text(json.dumps(
            {**json.loads((p / "augmenter.json").read_text()), "params": {"latent_dims": 3}})), "invalid parameters"),
    ],
)
def test_damaged_saved_models_get_one_sentence(saved, damage, message):
    damage(saved)
    with pytest.raises(ValueError, match=message):
        VAEAugmenter.load(saved, device="cpu")


def test_damaged_results_and_cached_vaes_on_resume(tmp_path):
    config = ExperimentConfig.from_dict(TINY)
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


def test_output_paths_are_checked_before_training(npz, tmp_path, capsys, monkeypatch):
    trained = []
    monkeypatch.setattr(VAEAugmenter, "fit", lambda *a, **k: trained.append(1))
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "folder.npz").mkdir()
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "old.txt").write_text("x")
    assert "is a file" in error_of(["augment", npz, tmp_path / "o.npz", "--save-model", tmp_path / "a-file"], capsys)
    assert "is a folder" in error_of(["augment", npz, tmp_path / "folder.npz"], capsys)
    assert "not empty" in error_of(["augment", npz, tmp_path / "o.npz", "--save-model", tmp_path / "model"], capsys)
    assert trained == [] and not (tmp_path / "o.npz").exists()


def test_an_unwritable_output_folder_is_one_line(capsys):
    err = error_of(["run", "--seeds", "0", "--max-epochs", "1", "--output-dir", "/proc/vaeaug-cannot-write"], capsys)
    assert err.startswith("vaeaug: error: cannot write") and "/proc/vaeaug-cannot-write" in err


# -- 7. messages ---------------------------------------------------------------------------

def test_interrupting_augment_does_not_suggest_resume(npz, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(VAEAugmenter, "fit", interrupted)
    assert main(["augment", str(npz), str(tmp_path / "o.npz"), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "nothing was written" in err and "--resume" not in err


def test_seed_errors_name_the_option(npz, tmp_path, capsys):
    assert "random_state (--seed)" in error_of(["augment", npz, tmp_path / "o.npz", "--seed", "-1"], capsys)


# -- 8. paths --------------------------------------------------------------------------------

def test_two_files_of_one_name_do_not_share_cells_or_vaes(tmp_path):
    rng = np.random.default_rng(0)
    for folder, shift in (("a", 0.0), ("b", 0.5)):
        (tmp_path / folder).mkdir()
        np.savez(tmp_path / folder / "data.npz", X=rng.uniform(shift, shift + 0.5, (40, 5)), y=np.repeat([0, 1], 20))
    config = ExperimentConfig.from_dict({**TINY, "datasets": [str(tmp_path / "a" / "data.npz"),
                                                              str(tmp_path / "b" / "data.npz")]})
    results = run_experiment(config, tmp_path / "run", progress=False, log=lambda _: None)
    assert len({r["dataset"] for r in results["records"]}) == 2
    assert len(results["vaes"]) == 2 and len(list((tmp_path / "run" / "vaes").iterdir())) == 2


def test_augment_leaves_the_test_rows_out(tmp_path, capsys):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "split.npz", X=rng.uniform(size=(30, 4)), y=np.repeat([0, 1, 2], 10),
             X_test=np.full((6, 4), 7.0), y_test=np.repeat([0, 1, 2], 2))
    out = tmp_path / "o.npz"
    assert main(["augment", str(tmp_path / "split.npz"), str(out), "--max-epochs", "2", "--latent-dim", "2",
                 "--method", "noise", "--quiet"]) == 0
    with np.load(out) as written:
        assert (~written["is_synthetic"]).sum() == 30 and not (written["X"] == 7.0).all(axis=1).any()
    assert "6 test rows are left out" in capsys.readouterr().out
