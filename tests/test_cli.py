"""The vaeaug command: run, experiment, augment, denoise, datasets, and their one-line errors (vaeaug.cli)."""

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import GRID, ONE_CELL, interrupt, strokes

from vaeaug import VAEAugmenter
from vaeaug._commands import _study_for_the_data
from vaeaug.cli import _parser, main
from vaeaug.experiments.run_options import RUN_OPTIONS

RUN_ARGS = ["--labelled-per-class", "3", "--seeds", "0", "1", "--max-epochs", "2",
        "--classifiers", "svm", "knn", "--methods", "noise", "interpolation+noise", "prior+gc", "multi-vae",
        "--quiet"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    parent = tmp_path_factory.mktemp("runs")
    assert main(["run", *RUN_ARGS, "--output-dir", str(parent)]) == 0
    (run_dir,) = parent.iterdir()
    return run_dir


QUICK = dict(latent_dim=3, hidden_units=32, max_epochs=2, batch_size=16, random_state=0)


def error_of(argv, capsys):
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    return err


@pytest.fixture
def saved(blobs, tmp_path):
    X, _ = blobs
    VAEAugmenter(**QUICK).fit(X).save(tmp_path / "model")
    return tmp_path / "model"


def test_run_writes_results_table_and_figures(tiny_run, capsys):
    results = json.loads((tiny_run / "results.json").read_text())
    assert results["complete"]
    assert len(results["records"]) == 2 * 2 * 5  # seeds x classifiers x (baseline + 4 methods)
    markdown = (tiny_run / "results.md").read_text()
    assert "| Classifier | # dims | Baseline | Noise | Interpolation+noise | Prior+gc | Multi-vae |" in markdown
    assert "| SVM |" in markdown and " ± " in markdown
    for figure in ("reconstructions.png", "interpolation.png", "generated.png", "scores.png", "latent_map.png",
                   "gc.png", "multivae_prior.png"):
        assert (tiny_run / figure).read_bytes()[:4] == b"\x89PNG"
        assert f"]({figure})" in markdown
    gc_cells = [r for r in results["records"] if r["method"] == "prior+gc"]
    assert all(0 <= r["generated"]["acceptance_rate"] <= 1 for r in gc_cells)


def test_a_run_with_the_conditional_model_draws_its_styles(tmp_path):
    assert main(["run", "--labelled-per-class", "3", "--max-epochs", "2", "--classifiers", "knn", "--methods",
                 "conditional-prior", "--seeds", "0", "--quiet", "--set", "conditional.min_steps=20",
                 "--output-dir", str(tmp_path)]) == 0
    run_dir, = tmp_path.iterdir()
    assert (run_dir / "styles.png").read_bytes()[:4] == b"\x89PNG"
    assert "](styles.png)" in (run_dir / "results.md").read_text()


def test_each_run_gets_a_new_folder(tmp_path):
    for _ in range(2):
        assert main(["run", "--labelled-per-class", "3", "--max-epochs", "2", "--classifiers", "knn",
                     "--methods", "noise", "--seeds", "0", "--quiet", "--output-dir", str(tmp_path)]) == 0
    assert len(list(tmp_path.iterdir())) == 2


def test_an_interrupted_run_resumes_from_finished_seeds(tiny_run, capsys):
    results_file = tiny_run / "results.json"
    finished = json.loads(results_file.read_text())
    seed_zero = [r for r in finished["records"] if r["seed"] == 0]
    # Pretend the run stopped after seed 0, with a marker value that a rerun would not reproduce.
    for record in seed_zero:
        record["accuracy"] = -1.0
    interrupt(tiny_run, seed_zero)
    assert main(["run", *RUN_ARGS, "--resume", str(tiny_run)]) == 0
    resumed = json.loads(results_file.read_text())
    assert resumed["complete"]
    assert [r["accuracy"] for r in resumed["records"] if r["seed"] == 0] == [-1.0] * 10
    assert sorted(r["seed"] for r in resumed["records"]) == [0] * 10 + [1] * 10
    assert "test accuracy (%)" in capsys.readouterr().out.lower()


def test_resume_with_other_options_is_refused(tiny_run, capsys):
    assert main(["run", *RUN_ARGS, "--latent-dim", "4", "--resume", str(tiny_run)]) == 2
    assert "different configuration" in capsys.readouterr().err


def test_augment_writes_an_npz_and_never_overwrites(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, 6)).astype(np.float32)
    y = np.repeat([0, 1, 2], 10)
    np.savez(tmp_path / "in.npz", X=X, y=y)
    out = tmp_path / "out.npz"
    args = ["augment", str(tmp_path / "in.npz"), str(out), "--method", "extrapolation",
            "--max-epochs", "2", "--latent-dim", "2", "--quiet", "--save-model", str(tmp_path / "model")]
    assert main(args) == 0
    with np.load(out) as written:
        assert written["X"].shape == (120, 6)
        np.testing.assert_array_equal(written["X"][:30], X)
        np.testing.assert_array_equal(written["y"][:30], y)  # originals keep their labels
        assert written["is_synthetic"].sum() == 90
        assert np.bincount(written["y"][30:]).tolist() == [30, 30, 30]  # 3 per sample, in each class
    assert (tmp_path / "model" / "config.json").is_file()
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["augment", "missing.npz", "out.npz"], "does not exist"),
        (["augment", "digits", "out.csv"], "is a table, but the input digits is not; write an .npz"),
        (["augment", "digits", "out.txt"], "must end in .npz"),
        (["run", "--seeds", "0", "0"], "distinct"),
        (["run", "--resume", "nowhere"], "is not a folder"),
        (["augment", "digits", "o.npz", "--method", "real"], "adds real labelled samples from a pool"),
        (["augment", "digits", "o.npz", "--method", "smote", "--save-model", "m"], "nothing to --save-model"),
    ],
)
def test_bad_cli_input_is_a_one_line_error(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("vaeaug: error:") and message in err


def test_npz_without_labels_is_a_clear_error(tmp_path, capsys):
    np.savez(tmp_path / "x.npz", X=np.zeros((4, 3)))
    assert main(["augment", str(tmp_path / "x.npz"), str(tmp_path / "o.npz")]) == 2
    assert "lacks the array(s) ['y']" in capsys.readouterr().err


@pytest.mark.parametrize("method", ["multi-vae", "prior+gc", "extrapolation+noise", "smote"])
def test_augment_with_the_talks_methods_balances_tabular_data(method, tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (24, 5)), rng.normal(3, 1, (8, 5))].astype(np.float32)
    y = np.repeat([0, 1], [24, 8])
    np.savez(tmp_path / "in.npz", X=X, y=y)
    out = tmp_path / "out.npz"
    assert main(["augment", str(tmp_path / "in.npz"), str(out), "--method", method, "--n-per-class", "balance",
                 "--latent-dim", "2", "--max-epochs", "3", "--normalize-beta", "--alpha", "1", "--quiet"]) == 0
    with np.load(out) as written:
        synthetic = written["y"][written["is_synthetic"]]
        assert set(synthetic.tolist()) <= {1} and len(synthetic) <= 16  # only the minority class is topped up
        np.testing.assert_array_equal(written["X"][:32], X)
    printed = capsys.readouterr().out
    assert ("the GC accepted" in printed) == method.endswith("+gc")


def test_augment_with_the_conditional_model_names_its_filter_and_asks_for_a_pool_up_front(tmp_path, capsys,
                                                                                            monkeypatch):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "in.npz", X=rng.normal(size=(30, 4)).astype(np.float32),
             y=np.repeat(["ant", "bee", "cat"], 10))
    trained = []
    monkeypatch.setattr("vaeaug.generation.conditional.ConditionalAugmenter.fit",
                        lambda *args, **kwargs: trained.append(1))
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "p.npz"), "--method", "pseudo-label"]) == 2
    assert "--unlabelled FILE.npz" in capsys.readouterr().err and not trained  # refused before any training
    monkeypatch.undo()
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "c.npz"), "--method", "conditional-prior+agree",
                 "--latent-dim", "2", "--max-epochs", "3", "--quiet"]) == 0
    assert "the agree filter accepted" in capsys.readouterr().out
    with np.load(tmp_path / "c.npz") as written:
        assert set(written["y"][written["is_synthetic"]].tolist()) <= {"ant", "bee", "cat"}


def test_augment_takes_the_conditional_models_settings_and_auto_its_candidates(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.3, (15, 4)), rng.normal(2, 0.3, (15, 4))].astype(np.float32)
    np.savez(tmp_path / "in.npz", X=X, y=np.repeat(["ant", "bee"], 15))
    np.savez(tmp_path / "pool.npz", X=np.r_[rng.normal(0, 0.3, (40, 4)), rng.normal(2, 0.3, (40, 4))])
    common = ["--unlabelled", str(tmp_path / "pool.npz"), "--latent-dim", "2", "--max-epochs", "3", "--quiet",
              "--conditional-steps", "50", "--conditional-epochs", "1"]
    # A threshold of 0 takes unlabelled samples however unsure: 45 asked per class, and all 80 taken, each once.
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "p.npz"), "--method", "pseudo-label",
                 "--threshold", "0", *common]) == 0
    with np.load(tmp_path / "p.npz") as written:
        assert written["is_synthetic"].sum() == 80 and "sample_weight" not in written  # all weigh alike
    # Soft targets: an unsure sample once per likely label, so the file says what each weighs.
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "s.npz"), "--method", "pseudo-label",
                 "--threshold", "0", "--soft-labels", *common]) == 0
    assert "with sample_weight" in capsys.readouterr().out
    with np.load(tmp_path / "s.npz") as written:
        weights, synthetic = written["sample_weight"], written["is_synthetic"]
        assert len(weights) == len(written["y"]) and (weights[~synthetic] == 1).all()
        assert synthetic.sum() >= 80 and ((weights[synthetic] >= 0.01) & (weights[synthetic] <= 1)).all()
        # each pool sample's entries weigh its labels' probabilities, which sum to about 1
        assert weights[synthetic].sum() == pytest.approx(80, abs=80 * 0.01 * 2)
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "a.npz"), "--method", "auto",
                 "--auto-conditional", "--classifier", "knn", *common]) == 0
    assert "auto for knn" in capsys.readouterr().out
    for extra, message in [(["--method", "pseudo-label", "--threshold", "1.5"], "probability in \\[0, 1\\]"),
                           (["--method", "conditional-classifier"], "makes no samples"),
                           (["--method", "interpolation", "--auto-conditional"], "--method auto"),
                           (["--method", "interpolation", "--soft-labels"], "makes none")]:
        assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "x.npz"), *common, *extra]) == 2
        assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "x.npz").exists()


def test_augment_rejects_a_bad_method_name_before_loading_data(capsys):
    assert main(["augment", "digits", "x.npz", "--method", "multi-vae+prior+prior"]) == 2
    assert "cannot be combined" in capsys.readouterr().err


def test_denoise_command_writes_a_new_file_and_never_overwrites(tmp_path, capsys):
    X = strokes(200)
    np.savez(tmp_path / "clean.npz", X=X[:150])
    np.savez(tmp_path / "test.npz", X=X[150:], y=np.arange(50))
    out = tmp_path / "out.npz"
    args = [str(tmp_path / "test.npz"), str(out), "--clean", str(tmp_path / "clean.npz"), "--add-noise",
            "--noise", "gaussian+speckle", "--sigma", "0.2", "0.3", "--latent-dim", "4", "--max-epochs", "2",
            "--quiet", "--save-model", str(tmp_path / "model")]
    assert main(["denoise", *args]) == 0
    with np.load(out) as saved:
        assert set(saved.files) == {"X", "X_clean", "X_noisy", "y"} and saved["X"].shape == (50, 12, 12)
        first = saved["X"].copy()
    assert "PSNR" in capsys.readouterr().out
    assert main(["denoise", *args]) == 2  # exists: refused
    assert "already exists" in capsys.readouterr().err
    assert main(["denoise", str(tmp_path / "test.npz"), str(out), "--model", str(tmp_path / "model"),
                 "--add-noise", "--force", "--quiet"]) == 0  # the saved model, same noise draw
    with np.load(out) as saved:
        np.testing.assert_allclose(saved["X"], first, atol=1e-6)
    assert main(["denoise", str(tmp_path / "test.npz"), str(tmp_path / "b.npz"), "--clean",
                 str(tmp_path / "clean.npz"), "--noise", "pepper"]) == 2
    assert "Unknown noise 'pepper'" in capsys.readouterr().err and not (tmp_path / "b.npz").exists()


def test_cli_experiment_errors_and_dataset_listing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**GRID, "methodz": ["noise"]}))
    assert main(["experiment", str(bad), "--output-dir", str(tmp_path)]) == 2
    assert "Unknown key 'methodz'" in capsys.readouterr().err
    assert main(["experiment", str(tmp_path / "none.yaml")]) == 2
    assert main(["datasets"]) == 0
    listing = capsys.readouterr().out
    assert "digits" in listing and "proben1/thyroid" in listing


def test_cli_set_overrides_and_their_mistakes(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump({**GRID, "paper": {}}))
    run = ["experiment", str(path), "--output-dir", str(tmp_path), "--quiet", "--set", "seeds=[3]",
           "--set", "latent_dims=[2]", "--set", "protocols=[{name: few-shot, labelled_per_class: 3}]"]
    assert main(run) == 0
    (results,) = tmp_path.glob("experiment-tiny-*/results.json")
    saved = json.loads(results.read_text())
    assert {r["seed"] for r in saved["records"]} == {3} and saved["config"]["latent_dims"] == [2]
    capsys.readouterr()
    for bad, message in (("seeds", "takes KEY=VALUE"), ("seeds=[0", "not YAML"), ("name.x=1", "not a mapping"),
                         ("sedes=[0]", "Did you mean 'seeds'")):
        assert main(["experiment", str(path), "--output-dir", str(tmp_path), "--set", bad]) == 2
        assert message in capsys.readouterr().err


def test_a_run_that_fails_before_its_first_cell_leaves_no_folder(tmp_path, capsys):
    (tmp_path / "empty.npz").write_bytes(b"")
    config = tmp_path / "c.yaml"
    config.write_text(json.dumps({**ONE_CELL, "datasets": [str(tmp_path / "empty.npz")]}))  # YAML reads JSON
    runs = tmp_path / "runs"
    assert "empty, truncated" in error_of(["experiment", config, "--output-dir", runs], capsys)
    assert not runs.exists() or list(runs.iterdir()) == []
    assert "must be an integer" in error_of(["run", "--seeds", "-1", "--output-dir", runs], capsys)
    assert not runs.exists() or list(runs.iterdir()) == []


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


def test_interrupting_augment_does_not_suggest_resume(npz, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(VAEAugmenter, "fit", interrupted)
    assert main(["augment", str(npz), str(tmp_path / "o.npz"), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "nothing was written" in err and "--resume" not in err


def test_seed_errors_name_the_option(npz, tmp_path, capsys):
    assert "random_state (--seed)" in error_of(["augment", npz, tmp_path / "o.npz", "--seed", "-1"], capsys)


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


def test_augment_with_auto_prints_its_choice(tmp_path, capsys):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = np.concatenate([np.flatnonzero(y == c)[:6] for c in range(3)])
    source = tmp_path / "small.npz"
    np.savez(source, X=(X[keep] / 16).reshape(-1, 8, 8), y=y[keep])
    main(["augment", str(source), str(tmp_path / "out.npz"), "--method", "auto", "--classifier", "knn",
          "--latent-dim", "2", "--max-epochs", "1", "--quiet"])
    printed = capsys.readouterr().out
    assert "auto for knn:" in printed
    with np.load(tmp_path / "out.npz") as out:
        assert out["X"].shape[0] >= 18 and out["is_synthetic"][:18].sum() == 0


def test_version_help_defaults_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("vaeaug ")
    with pytest.raises(SystemExit):
        main(["augment", "--help"])
    assert "(default: 10)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "exit status: 0 done; 2" in capsys.readouterr().out


def test_a_redirected_log_has_one_line_per_fit_and_no_progress_bar(tmp_path, capsys):
    X = np.random.default_rng(0).uniform(size=(60, 5)).astype(np.float32)
    np.savez(tmp_path / "in.npz", X=X, y=np.repeat([0, 1], 30))
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "out.npz"), "--max-epochs", "2",
                 "--latent-dim", "2"]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b[" not in err
    assert err.count("VAE trained: 2 epochs") == 1 and "stopped: all 2 epochs run" in err


def test_experiment_runs_in_parallel_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(ONE_CELL))
    assert main(["experiment", str(path), "--jobs", "2", "--threads", "1", "--output-dir", str(tmp_path),
                 "--quiet"]) == 0
    results = json.loads(next(tmp_path.glob("experiment-tiny-*/results.json")).read_text())
    assert results["complete"] and len(results["records"]) == 2
    with pytest.raises(SystemExit):  # argparse refuses a backend it does not know
        main(["experiment", str(path), "--backend", "spark"])
    assert main(["experiment", str(path), "--jobs", "0", "--output-dir", str(tmp_path)]) == 2
    assert "execution.jobs" in capsys.readouterr().err


def test_late_refusals_come_before_any_training(tmp_path, capsys, monkeypatch):
    """Each mistake is refused before a model trains, and leaves nothing behind (issue 33, items 11 and 12)."""
    from vaeaug.vae.denoiser import VAEDenoiser

    fits = []
    monkeypatch.setattr(VAEDenoiser, "fit", lambda self, X: fits.append(X) or self)
    small, big = strokes(60, size=8), strokes(60, size=16)
    np.savez(tmp_path / "small.npz", X=small)
    np.savez(tmp_path / "big.npz", X=big)
    err = error_of(["denoise", tmp_path / "big.npz", tmp_path / "d.npz", "--clean", tmp_path / "small.npz"], capsys)
    assert "have shape (16, 16) but the clean ones (--clean) have (8, 8)" in err and fits == []
    err = error_of(["denoise", tmp_path / "big.npz", tmp_path / "e.npz", "--model", tmp_path / "m",
                    "--save-model", tmp_path / "m2"], capsys)
    assert "drop --save-model" in err and not (tmp_path / "m2").exists() and not (tmp_path / "e.npz").exists()
    err = error_of(["augment", "digits", tmp_path / "f.npz", "--method", "multi-vae+latent-smote"], capsys)
    assert "each class's VAE holds one" in err
    (tmp_path / "cache").write_text("a file")
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(ONE_CELL))
    err = error_of(["experiment", config, "--vae-cache", tmp_path / "cache", "--output-dir", tmp_path / "out"],
                   capsys)
    assert "is a file; --vae-cache takes a folder" in err


def _vaeaug(*argv, **popen):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "vaeaug", *map(str, argv)], **popen)


def test_sigterm_gives_back_what_augment_claimed(tmp_path):
    """kill (SIGTERM) mid-run is handled as Ctrl-C: no 0-byte output, no lock left, and a rerun works
    (issue 33, item 4)."""
    import subprocess
    import time

    out, model = tmp_path / "out.npz", tmp_path / "model"
    proc = _vaeaug("augment", "digits", out, "--save-model", model, "--max-epochs", "300", "--quiet",
                   stderr=subprocess.PIPE)
    waited = 0.0
    while not (model / ".vaeaug-writing").exists() and proc.poll() is None and waited < 60:
        time.sleep(0.1)
        waited += 0.1
    time.sleep(1.0)  # loading and training by now
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "interrupted; nothing was written" in err.decode()
    assert not out.exists() and not (model / ".vaeaug-writing").exists()


def test_a_written_file_is_a_success_whatever_stdout_can_take(tmp_path):
    """The "Wrote ..." line failing (a closed pipe, an ASCII-only stdout) no longer turns a written file into
    exit 2 (issue 33, item 7)."""
    import os
    import subprocess

    np.savez(tmp_path / "a.npz", X=np.random.default_rng(0).uniform(size=(30, 4)), y=np.repeat([0, 1, 2], 10))
    common = ["--max-epochs", "2", "--quiet"]
    closed = _vaeaug("augment", tmp_path / "a.npz", tmp_path / "out.npz", *common, stdout=subprocess.PIPE)
    closed.stdout.close()  # as `| true` does
    assert closed.wait(timeout=120) == 0 and (tmp_path / "out.npz").is_file()
    ascii_only = _vaeaug("augment", tmp_path / "a.npz", tmp_path / "ü.npz", *common, stdout=subprocess.PIPE,
                         env={**os.environ, "PYTHONIOENCODING": "ascii"})
    printed, _ = ascii_only.communicate(timeout=120)
    assert ascii_only.returncode == 0 and (tmp_path / "ü.npz").is_file() and b"\\xfc.npz" in printed


def test_a_run_folder_written_by_one_process_is_refused_to_another(tmp_path, capsys):
    """Two `--resume` of one folder at once would both run every remaining cell; the second is refused, naming
    the first (issue 33, item 5)."""
    import os

    from vaeaug._files import run_folder_lock

    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(ONE_CELL))
    assert main(["experiment", str(config), "--output-dir", str(tmp_path), "--quiet"]) == 0
    run_dir = next(tmp_path.glob("experiment-tiny-*"))
    with run_folder_lock(run_dir):  # as another process holds it (flock locks are per open file)
        err = error_of(["experiment", config, "--resume", run_dir, "--quiet"], capsys)
    assert f"is being written by another vaeaug run (process {os.getpid()} on" in err
    assert main(["experiment", str(config), "--resume", str(run_dir), "--quiet"]) == 0  # free again


@pytest.mark.parametrize("argv, hint", [
    (["run", "--method", "interpolation"], "--method (did you mean --methods?)"),
    (["augment", "digits", "o.npz", "--methd", "smote"], "--methd (did you mean --method?)"),
    (["run", "--label", "kind"], "--label (did you mean --label-column or --labelled-per-class?)"),
])
def test_an_option_prefix_is_an_error_naming_the_option_meant(argv, hint, capsys):
    # issue 35: argparse read --method as --methods and started the whole default study
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and hint in capsys.readouterr().err


def test_run_takes_n_per_sample_and_a_label_column(tmp_path, capsys):
    import pandas as pd

    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "kind": np.repeat(["x", "y"], 30)}) \
        .to_csv(tmp_path / "t.csv", index=False)
    assert main(["run", "--dataset", str(tmp_path / "t.csv"), "--label-column", "kind", "--methods", "noise",
                 "--n-per-sample", "2", "--classifiers", "knn", "--seeds", "0", "--max-epochs", "1",
                 "--output-dir", str(tmp_path)]) == 0
    # issue 35: with no terminal for a bar, each finished cell is a log line with the time left
    assert re.search(r"cell 2 of 2 done \(.*t.csv, noise, knn, seed 0\); .* elapsed, about 0 s left",
                     capsys.readouterr().err)
    record = next(r for r in json.loads(next(tmp_path.glob("vaeaug-run-*/results.json")).read_text())["records"]
                  if r["method"] == "noise")
    assert record["n_train"] == 20 + 2 * 20  # 10 labelled per class, 2 new per labelled sample


def test_the_default_study_leaves_out_what_needs_images_for_a_table_and_says_so(tmp_path, capsys):
    # issue 35: `vaeaug run --dataset my.csv` stopped on affine, then on affine-cv
    import pandas as pd

    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(size=60), "label": np.repeat([0, 1], 30)}).to_csv(tmp_path / "t.csv",
                                                                                    index=False)
    args = _parser().parse_args(["run", "--dataset", str(tmp_path / "t.csv")])
    config = _study_for_the_data({o.key: getattr(args, o.key) for o in RUN_OPTIONS}, args)
    assert "affine" not in config.methods and "affine-cv" not in config.methods and "interpolation" in config.methods
    said = capsys.readouterr().out
    assert said.count("\n") == 1 and "leaves out what" in said and "affine (it rotates" in said
    assert main(["run", "--dataset", str(tmp_path / "t.csv"), "--methods", "affine", "affine-cv", "--classifiers",
                 "cnn", "--output-dir", str(tmp_path)]) == 2
    error = capsys.readouterr().err  # what the user named is refused, every one in one sentence
    assert "'affine'" in error and "'affine-cv'" in error and "cnn classifier" in error


def test_a_table_with_unlabelled_rows_is_answered_by_k_fold_on_its_labelled_rows(tmp_path, capsys):
    # issue 35: "does it help on my data?" for the user's own split: breast cancer, 60 rows labelled, the rest not
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    table = data.data.assign(label=data.target.astype("Int64"))
    unlabelled = np.setdiff1d(np.arange(len(table)), np.random.default_rng(0).choice(len(table), 60, replace=False))
    table.loc[unlabelled, "label"] = pd.NA
    table.to_csv(tmp_path / "bc.csv", index=False)
    assert main(["run", "--dataset", str(tmp_path / "bc.csv"), "--classifiers", "knn", "--max-epochs", "1",
                 "--methods", "interpolation", "smote", "--output-dir", str(tmp_path), "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "5-fold cross-validation" in said and "unlabelled rows as the VAE's pool" in said
    results = json.loads(next(tmp_path.glob("vaeaug-run-*/results.json")).read_text())
    baseline = [r for r in results["records"] if r["method"] == "baseline"]
    assert sorted(r["seed"] for r in baseline) == [0, 1, 2, 3, 4]  # each seed a fold
    assert all(r["n_train"] == 48 for r in baseline)  # four fifths of the 60 labelled rows
    assert main(["run", "--dataset", str(tmp_path / "bc.csv"), "--methods", "real", "--output-dir",
                 str(tmp_path)]) == 2
    assert "your unlabelled rows have none" in capsys.readouterr().err



def test_unlabelled_rows_may_come_in_a_second_file(tmp_path, capsys):
    # issue 35: --unlabelled FILE: the same labelled rows, the pool in its own file (a table without labels)
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    table = data.data.assign(label=data.target)
    labelled = np.random.default_rng(0).choice(len(table), 60, replace=False)
    table.iloc[labelled].to_csv(tmp_path / "labelled.csv", index=False)
    table.drop(index=labelled).drop(columns="label").to_csv(tmp_path / "pool.csv", index=False)
    assert main(["run", "--dataset", str(tmp_path / "labelled.csv"), "--unlabelled", str(tmp_path / "pool.csv"),
                 "--classifiers", "knn", "--max-epochs", "1", "--methods", "interpolation", "--output-dir",
                 str(tmp_path), "--quiet"]) == 0
    assert "5-fold cross-validation" in capsys.readouterr().out
    run_dir = next(tmp_path.glob("vaeaug-run-*"))
    records = json.loads((run_dir / "results.json").read_text())["records"]
    assert all(r["n_train"] == 48 for r in records if r["method"] == "baseline")
    assert sorted({r["seed"] for r in records}) == [0, 1, 2, 3, 4]
    # a pool file that is not the labelled file's kind, or that carries labels, is refused in a sentence
    table.drop(index=labelled).to_csv(tmp_path / "labelled-pool.csv", index=False)
    assert main(["run", "--dataset", str(tmp_path / "labelled.csv"), "--unlabelled",
                 str(tmp_path / "labelled-pool.csv"), "--output-dir", str(tmp_path)]) == 2
    assert "has labels in its column 'label'" in capsys.readouterr().err
    table.drop(index=labelled).drop(columns=["label", "mean radius"]).to_csv(tmp_path / "short.csv", index=False)
    assert main(["run", "--dataset", str(tmp_path / "labelled.csv"), "--unlabelled", str(tmp_path / "short.csv"),
                 "--output-dir", str(tmp_path)]) == 2
    assert "lacks ['mean radius']" in capsys.readouterr().err
    assert main(["run", "--dataset", "digits", "--unlabelled", str(tmp_path / "pool.csv"), "--output-dir",
                 str(tmp_path)]) == 2
    assert "a file of the dataset's kind" in capsys.readouterr().err
    assert len(list(tmp_path.glob("vaeaug-run-*"))) == 1  # the refused runs left no folder


def test_paths_are_checked_before_pytorch_loads(tmp_path, capsys):
    # issue 35: a missing input or a wrong output suffix is said at once, with nothing heavy imported
    code = ("import sys; from vaeaug.cli import main; code = main(sys.argv[1:]); "
            "print(code, 'torch' in sys.modules)")
    for args, said in ((["run", "--dataset", "missing.csv"], "--dataset missing.csv does not exist"),
                       (["augment", "digits", "out.txt"], "OUTPUT must end in .npz"),
                       (["augment", "missing.npz", "out.npz"], "missing.npz does not exist"),
                       (["experiment", "missing.yaml"], "Config file missing.yaml does not exist"),
                       (["run", "--resume", "missing-run"], "--resume missing-run is not a folder")):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path)
        assert done.stdout.split() == ["2", "False"] and said in done.stderr, (args, done.stderr)


def test_augment_labels_an_unlabelled_file_with_a_semi_supervised_rival(tmp_path, capsys):
    # issue 34: the rivals are methods like any other: vaeaug augment --method label-spreading --unlabelled FILE
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    np.savez(tmp_path / "labelled.npz", X=X[:50] / 16, y=y[:50])
    np.savez(tmp_path / "pool.npz", X=X[50:250] / 16)
    assert main(["augment", str(tmp_path / "labelled.npz"), str(tmp_path / "out.npz"), "--method",
                 "label-spreading", "--unlabelled", str(tmp_path / "pool.npz"), "--quiet"]) == 0
    out = np.load(tmp_path / "out.npz")
    assert out["X"].shape == (250, 64) and out["is_synthetic"].sum() == 200
    pool_row = [np.abs(X[50:250] / 16 - row).sum(axis=1).argmin() for row in out["X"][50:]]  # class by class
    assert sorted(pool_row) == list(range(200)) and (out["y"][50:] == y[50:250][pool_row]).mean() > 0.8
    assert main(["augment", str(tmp_path / "labelled.npz"), str(tmp_path / "out2.npz"), "--method",
                 "self-training"]) == 2
    assert "none were given; pass them" in capsys.readouterr().err


def test_augment_takes_an_unlabelled_table_beside_a_labelled_one(tmp_path, capsys):
    # a table's pool is a table with its columns (the label column empty or left out), not an .npz
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"size": rng.normal(size=120), "city": rng.choice(["Paris", "Lyon"], 120),
                          "label": rng.choice([3, 7], 120)})
    table[:40].to_csv(tmp_path / "labelled.csv", index=False)
    table[40:].drop(columns="label").to_csv(tmp_path / "pool.csv", index=False)
    table[40:].to_csv(tmp_path / "labelled-pool.csv", index=False)
    assert main(["augment", str(tmp_path / "labelled.csv"), str(tmp_path / "out.csv"), "--method",
                 "label-spreading", "--unlabelled", str(tmp_path / "pool.csv"), "--quiet"]) == 0
    out = pd.read_csv(tmp_path / "out.csv")
    assert len(out) == 120 and out["is_synthetic"].sum() == 80 and set(out["label"]) == {3, 7}
    assert set(out.loc[out["is_synthetic"], "city"]) <= {"Paris", "Lyon"}
    assert main(["augment", str(tmp_path / "labelled.csv"), str(tmp_path / "out2.csv"), "--method",
                 "label-spreading", "--unlabelled", str(tmp_path / "labelled-pool.csv")]) == 2
    assert "has labels in its column 'label'" in capsys.readouterr().err
    # A file augment wrote, augmented again: its is_synthetic column would be learnt as a feature.
    assert main(["augment", str(tmp_path / "out.csv"), str(tmp_path / "again.csv"), "--method", "smote"]) == 2
    assert "has a column 'is_synthetic'" in capsys.readouterr().err and not (tmp_path / "again.csv").exists()
