import json

import numpy as np
import pytest

from vaeaug.cli import main

TINY = ["--labelled-per-class", "3", "--seeds", "0", "1", "--max-epochs", "2",
        "--classifiers", "svm", "knn", "--methods", "noise", "interpolation+noise", "prior+gc", "multi-vae",
        "--quiet"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    parent = tmp_path_factory.mktemp("runs")
    assert main(["run", *TINY, "--output-dir", str(parent)]) == 0
    (run_dir,) = parent.iterdir()
    return run_dir


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
    results_file.write_text(json.dumps({**finished, "records": seed_zero, "complete": False}))
    assert main(["run", *TINY, "--resume", str(tiny_run)]) == 0
    resumed = json.loads(results_file.read_text())
    assert resumed["complete"]
    assert [r["accuracy"] for r in resumed["records"] if r["seed"] == 0] == [-1.0] * 10
    assert sorted(r["seed"] for r in resumed["records"]) == [0] * 10 + [1] * 10
    assert "test accuracy (%)" in capsys.readouterr().out.lower()


def test_resume_with_other_options_is_refused(tiny_run, capsys):
    assert main(["run", *TINY, "--latent-dim", "4", "--resume", str(tiny_run)]) == 2
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
        (["augment", "digits", "out.csv"], "must end in .npz"),
        (["run", "--seeds", "0", "0"], "distinct"),
        (["run", "--resume", "nowhere"], "no results.json"),
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


def test_augment_rejects_a_bad_method_name_before_loading_data(capsys):
    assert main(["augment", "digits", "x.npz", "--method", "multi-vae+prior+prior"]) == 2
    assert "cannot be combined" in capsys.readouterr().err
