"""Every Python code block in the README and in docs/ runs, so an example cannot break silently.

The blocks of one file run in order in one namespace, as a reader would paste them, in a
temporary folder, at small settings: the VAE trains for at most two epochs and the torch
classifiers for one, so the whole README runs in seconds instead of minutes.
"""

import re
from pathlib import Path

import pytest

import vaeaug.classifiers
import vaeaug.vae.estimator

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(path):
    return BLOCK.findall(path.read_text())


@pytest.fixture
def small_settings(monkeypatch, tmp_path):
    train = vaeaug.vae.estimator.train_vae

    def quick(model, X_train, X_val=None, **options):
        return train(model, X_train, X_val, **{**options, "max_epochs": min(options.get("max_epochs", 2), 2),
                                               "min_steps": 0})

    monkeypatch.setattr(vaeaug.vae.estimator, "train_vae", quick)
    monkeypatch.setattr(vaeaug.classifiers._TorchClassifier, "_epochs", lambda self, n_samples: 1)
    monkeypatch.chdir(tmp_path)


def test_the_readme_has_python_examples():
    assert len(python_blocks(ROOT / "README.md")) >= 2


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if python_blocks(p)], ids=lambda p: p.name)
def test_every_python_block_runs(path, small_settings):
    namespace = {"__name__": "__docs__"}
    for number, block in enumerate(python_blocks(path), start=1):
        try:
            exec(compile(block, f"{path.name} block {number}", "exec"), namespace)
        except Exception as error:
            pytest.fail(f"{path.name}, Python block {number} fails: {type(error).__name__}: {error}")
