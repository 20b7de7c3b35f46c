"""Every code block in the README and in docs/ runs, so an example cannot break silently.

The blocks of one file run in order, as a reader would paste them, in a temporary folder, at
small settings: the VAE trains for at most two epochs, the torch classifiers for one, and
``vaeaug run`` for one seed in this process, so the whole README runs in seconds instead of minutes.

- ``python`` blocks run in one namespace per file.
- ``bash`` blocks run line by line: ``pip`` lines (the set-up) are skipped, ``python -c`` lines
  run, and ``vaeaug`` lines run in this process when their data is here (a bundled dataset or a
  file an earlier block made). Those that need data from elsewhere (MNIST, PROBEN1) or hours
  of work are parsed by the real parser instead, and their configs are loaded and checked.
- ``yaml`` blocks parse, and those that are whole configs (with ``datasets``) pass validation.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import torch.distributed.run
import yaml

import vaeaug.classifiers
import vaeaug.generation.conditional
import vaeaug.vae.estimator
from vaeaug.cli import _parser, main
from vaeaug.experiments.config import ExperimentConfig, load_config

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)]
BLOCK = re.compile(r"^```(python|bash|yaml)\n(.*?)^```", re.MULTILINE | re.DOTALL)
BUNDLED = ("digits", "wine")


def blocks(path, language=None):
    return [(lang, code) for lang, code in BLOCK.findall(path.read_text()) if language in (None, lang)]


def commands(code):
    """The command lines of a bash block: continuations joined, comments dropped, env assignments apart."""
    for line in code.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        env = {}
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            key, value = words.pop(0).split("=", 1)
            env[key] = value
        if words:
            yield env, words


@pytest.fixture
def small_settings(monkeypatch, tmp_path):
    train = vaeaug.vae.estimator.train_vae

    def quick(model, X_train, X_val=None, **options):
        return train(model, X_train, X_val, **{**options, "max_epochs": min(options.get("max_epochs", 2), 2),
                                               "min_steps": 0})

    monkeypatch.setattr(vaeaug.vae.estimator, "train_vae", quick)
    conditional = vaeaug.generation.conditional.train_conditional
    monkeypatch.setattr(vaeaug.generation.conditional, "train_conditional",
                        lambda *args, **options: conditional(*args, **{**options, "epochs": 1, "min_steps": 0}))
    monkeypatch.setattr(vaeaug.classifiers._TorchClassifier, "_epochs", lambda self, n_samples: 1)
    monkeypatch.chdir(tmp_path)


def _runs_here(args, env) -> bool:
    """Whether a parsed vaeaug command has its data here: a bundled dataset or a file made by an earlier block."""
    if env or getattr(args, "data_dir", None):
        return False  # data from elsewhere: MNIST, PROBEN1
    def here(name):
        return name in BUNDLED or Path(name).exists()

    if args.command == "run":
        return here(getattr(args, "datasets[]"))
    if args.command == "augment":
        return here(args.input) and not args.unlabelled
    if args.command == "denoise":
        return here(args.input) and (args.clean is None or here(args.clean))
    return args.command == "datasets"


def run_bash(code, where):
    for env, words in commands(code):
        if words[0] == "pip":
            continue  # the set-up: the tests run in an installed environment already
        if words[:2] == ["python", "-c"]:
            subprocess.run([sys.executable, *words[1:]], check=True, capture_output=True)
            continue
        if words[0] == "torchrun":  # parsed, not run: it starts several processes (tests/vae/test_distributed.py)
            launch = torch.distributed.run.get_args_parser().parse_args(words[1:])
            assert launch.module and launch.training_script == "vaeaug", f"{where}: torchrun runs -m vaeaug"
            _parser().parse_args(launch.training_script_args)
            continue
        assert words[0] == "vaeaug", f"{where}: a bash line that is not pip, python -c, torchrun or vaeaug: {words}"
        argv = words[1:]
        args = _parser().parse_args(argv)  # a wrong option fails here, with argparse's exit
        if args.command == "experiment":
            load_config(ROOT / args.config, args.overrides)  # the config exists and is valid as overridden
        elif _runs_here(args, env):
            if args.command == "run":  # small settings reach only this process: no parallel workers
                argv += ["--set", "seeds=[0]", "--jobs", "1"]
            assert main(argv) == 0, f"{where}: `vaeaug {shlex.join(argv)}` failed"


def test_the_readme_has_python_and_command_line_examples():
    assert len(blocks(ROOT / "README.md", "python")) >= 1
    assert len(blocks(ROOT / "README.md", "bash")) >= 3


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_block_runs(path, small_settings):
    namespace = {"__name__": "__docs__"}
    for number, (language, code) in enumerate(blocks(path), start=1):
        where = f"{path.name}, block {number} ({language})"
        try:
            if language == "python":
                exec(compile(code, where, "exec"), namespace)
            elif language == "bash":
                run_bash(code, where)
            else:
                config = yaml.safe_load(code)
                if isinstance(config, dict) and "datasets" in config:
                    ExperimentConfig.from_dict(config, where=where)
        except SystemExit as error:  # argparse refused a command line
            pytest.fail(f"{where}: the command line was refused (exit {error.code})")
        except Exception as error:
            pytest.fail(f"{where} fails: {type(error).__name__}: {error}")


def test_every_public_name_is_in_the_api_reference():
    # issue 35: ConditionalAugmenter was public and missing from the API page
    import vaeaug

    page = (ROOT / "docs" / "api.md").read_text()
    missing = [name for name in vaeaug.__all__ if f"vaeaug.{name}\n" not in page]
    assert not missing, f"docs/api.md lacks {missing}: add an autoclass/autofunction line for each"
