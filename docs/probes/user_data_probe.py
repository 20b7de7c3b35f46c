"""The outside probe's cases of issue 20, each run once and summed up in a line: what happens to a user.

Runs against whichever vaeaug is installed (the old flat layout or the new one), in a temporary folder:

    python docs/probes/user_data_probe.py
"""

import contextlib
import io
import json
import os
import stat
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from vaeaug import SMOTESampler, VAEAugmenter
from vaeaug.cli import main

try:
    from vaeaug.experiments.config import ExperimentConfig
    from vaeaug.experiments.runner import run_experiment
except ImportError:  # the flat layout
    from vaeaug.experiment import ExperimentConfig, run_experiment

FAST = dict(latent_dim=2, hidden_units=16, max_epochs=1, batch_size=16, random_state=0)
warnings.simplefilter("ignore")


def cli(*argv):
    """Exit code and the first line of stderr of a vaeaug command."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main([str(a) for a in argv])
        except BaseException as error:  # a traceback is what the user would see
            return f"traceback {type(error).__name__}"
    first = err.getvalue().strip().splitlines()
    return f"exit {code}" + (f": {first[-1][:110]}" if first and code else "")


def cli_capped(*argv, gigabytes=8):
    """``cli`` in a child process whose address space is capped, so that a request for too much memory fails
    there (as MemoryError or a kill) instead of taking the machine."""
    import resource
    import subprocess

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (gigabytes << 30, gigabytes << 30))

    code = "import sys; from vaeaug.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, *map(str, argv)], capture_output=True, text=True,
                          preexec_fn=cap, timeout=600)
    lines = done.stderr.strip().splitlines()
    if done.returncode not in (0, 2):
        return f"exit {done.returncode}, traceback: {lines[-1][:100] if lines else 'killed'}"
    return f"exit {done.returncode}" + (f": {lines[-1][:110]}" if lines and done.returncode else "")


def call(function):
    try:
        result = function()
        return f"ok: {result}" if result is not None else "ok"
    except ValueError as error:
        return f"ValueError: {str(error)[:100]}"
    except BaseException as error:
        return f"{type(error).__name__}: {str(error)[:80]}"


def mixed_scales(n=300):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], n // 3)
    centres = np.c_[rng.normal(0, 2, (3, 4)), np.zeros((3, 2))]
    X = centres[y] + rng.normal(0, 1, (n, 6))
    return (X * np.array([1e-3, 1e-2, 1e-1, 1, 1e2, 1e3])).astype(np.float32), y


def main_probe(folder: Path):
    rng = np.random.default_rng(0)
    rows = {}
    X, y = mixed_scales()
    np.savez(folder / "mixed.npz", X=X, y=y)
    config = {"name": "mixed", "datasets": [str(folder / "mixed.npz")], "methods": [], "classifiers": ["svm"],
              "protocols": [{"name": "fractions", "fractions": [0.5, 0.1, 0.4]}], "seeds": [0]}
    results = run_experiment(ExperimentConfig.from_dict(config), folder / "A1", progress=False, log=lambda _: None)
    rows["A1 SVM baseline, features on scales 1e-3..1e3"] = f"{100 * results['records'][0]['accuracy']:.1f} %"
    for name, labels in (("10..19", np.arange(300) % 10 + 10), ("{3, 7}", np.where(np.arange(300) % 2, 7, 3)),
                         ("strings", np.array(["cat", "dog", "emu"] * 100))):
        np.savez(folder / "labels.npz", X=rng.uniform(size=(300, 5)).astype(np.float32), y=labels)
        out = folder / f"labels-{len(rows)}.npz"
        cli("augment", folder / "labels.npz", out, "--method", "smote")
        written = np.load(out)["y"] if out.exists() else None
        rows[f"A2 augment, labels {name}"] = "not written" if written is None else (
            f"y[:3] {written[:3].tolist()} ({written.dtype}); originals equal: {np.array_equal(written[:300], labels)}")
    try:
        import pandas as pd
        frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
        out = SMOTESampler(random_state=0).fit_resample(frame, y)[0]
        rows["A3 DataFrame in"] = f"{type(out).__name__} out"
    except ImportError:
        rows["A3 DataFrame in"] = "pandas not installed"
    rows["B1 run --dataset proben1/card (validation)"] = call(lambda: _study("proben1/card"))
    np.savez(folder / "cont.npz", X=np.zeros((20, 3)), y=np.linspace(0, 1, 20))
    rows["B2 augment, continuous labels"] = cli("augment", folder / "cont.npz", folder / "b2.npz")
    np.savez(folder / "complex.npz", X=np.ones((20, 3)) * (1 + 2j), y=np.repeat([0, 1], 10))
    rows["B2 augment, complex X"] = cli("augment", folder / "complex.npz", folder / "b2c.npz")
    images = rng.integers(0, 256, (40, 8, 8)).astype(np.float32)
    np.savez(folder / "clean.npz", X=images / 255)
    np.savez(folder / "noisy.npz", X=images)
    rows["B3 denoise 8-bit images"] = cli("denoise", folder / "noisy.npz", folder / "b3.npz", "--clean",
                                          folder / "clean.npz", "--max-epochs", "1", "--latent-dim", "2", "--quiet")
    np.savez(folder / "small.npz", X=rng.uniform(size=(200, 5)).astype(np.float32), y=np.repeat([0, 1], 100))
    for option in (["--n-per-class", "1000000000"], ["--latent-dim", "1000000000"]):
        rows[f"B4 augment {' '.join(option)} (8 GB cap)"] = cli_capped(
            "augment", folder / "small.npz", folder / "b4.npz", "--max-epochs", "1", "--quiet", *option)
    rows["B5 model with input_shape [1, -8, 8]"] = call(lambda: _edited(folder / "b5", {"input_shape": [1, -8, 8]}))
    for name, change in (("datasets: [123]", {"datasets": [123]}), ("methods: [[noise]]", {"methods": [["noise"]]}),
                         ("vae: 5", {"vae": 5}), ("classifier_options: {knn: 5}", {"classifier_options": {"knn": 5}})):
        rows[f"B6 config {name}"] = call(lambda change=change: ExperimentConfig.from_dict({"name": "x", **change})
                                         and None)
    rows["B7 validation_fraction='x'"] = call(lambda: VAEAugmenter(validation_fraction="x").fit(X) and None)
    rows["B8 encode before fit"] = call(lambda: VAEAugmenter().encode(X))
    rows["B9 n_per_class={99: 5}"] = call(lambda: len(SMOTESampler(n_per_class={99: 5}).fit_resample(X, y)[0]))
    (folder / "a-file").write_text("")
    rows["B10 augment to an unmakeable folder"] = cli("augment", folder / "small.npz", folder / "a-file" / "o.npz",
                                                      "--max-epochs", "1", "--quiet")
    for name in ("a", "b"):
        (folder / "img" / name).mkdir(parents=True)
        from PIL import Image
        Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(folder / "img" / name / "ok.png")
    (folder / "img" / "b" / "broken.png").write_bytes(b"not a png")
    rows["B12 corrupt image"] = cli("augment", folder / "img", folder / "b12.npz")
    np.savez(folder / "tab.npz", X=X, y=y)
    tab = {"name": "tab", "datasets": [str(folder / "tab.npz")], "methods": ["noise", "smote", "affine"],
           "classifiers": ["knn"], "protocols": [{"name": "few-shot", "labelled_per_class": 5}],
           "vae": {"max_epochs": 1, "hidden_units": 16}}
    rows["B13 affine on tabular data"] = call(lambda: _cells(folder / "b13", tab))
    path = folder / "mode.npz"
    cli("augment", folder / "small.npz", path, "--method", "smote")
    rows["B15 mode of a written file (umask 022)"] = oct(stat.S_IMODE(path.stat().st_mode)) if path.exists() else "-"
    for key, value in rows.items():
        print(f"| {key} | {value} |")


def _study(dataset):
    try:
        from vaeaug.experiments.study import study_config
        return study_config({"datasets[]": dataset}).name
    except ImportError:
        from vaeaug.study import StudyConfig
        return StudyConfig(dataset=dataset).validate().to_experiment().name


def _edited(folder, edit):
    VAEAugmenter(**FAST).fit(np.random.default_rng(0).uniform(size=(40, 8, 8)).astype(np.float32)).save(folder)
    saved = json.loads((folder / "config.json").read_text())
    saved["config"].update(edit)
    (folder / "config.json").write_text(json.dumps(saved))
    VAEAugmenter.load(folder)


def _cells(folder, config):
    try:
        run_experiment(ExperimentConfig.from_dict(config), folder, progress=False, log=lambda _: None)
    finally:
        done = json.loads((folder / "results.json").read_text())["records"] if (folder / "results.json").exists() \
            else []
        print(f"   (B13: {len(done)} cells written before it stopped)", file=sys.stderr)


if __name__ == "__main__":
    os.umask(0o022)
    with tempfile.TemporaryDirectory() as tmp:
        main_probe(Path(tmp))
