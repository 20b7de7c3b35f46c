"""The ``vaeaug`` command: ``run`` a whole study, ``experiment`` from YAML, ``augment`` or ``denoise`` a dataset."""

from __future__ import annotations

import argparse
import difflib
import logging
import signal
import sys
import threading
from importlib import metadata
from pathlib import Path

from ._files import check_exists, check_output
from ._choices import (AUTO, BACKENDS, BASELINES, RIVALS, CLASSIFIERS, CONDITIONAL_METHODS, NOISES, PAPER_METHODS,
                       SEMI_SUPERVISED, TALK_METHODS, TEACHER, TUNED_AFFINE)
from ._settings import CONDITIONAL, GENERATION
from .experiments.run_options import RUN_OPTIONS, study_default

class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default where it has one worth showing (not None, an empty list or an off switch)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False or action.default == [] or \
                action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


EXIT_CODES = ("exit status: 0 done; 2 a mistake in the input, options or files, said in one line "
              "(vaeaug: error: ...); 130 interrupted by Ctrl-C, 143 stopped by SIGTERM (run and experiment resume with "
              "--resume RUN_DIR)")
METHOD_HELP = ("[multi-vae+]GENERATION[+gc]: GENERATION is prior, latent-smote or latent moves (noise, "
               "interpolation, extrapolation, mixup) joined by +; e.g. " + ", ".join(PAPER_METHODS + TALK_METHODS)
               + "; or a baseline: " + ", ".join(BASELINES) + "; or a tabular rival (the rivals extra): "
               + ", ".join(RIVALS) + "; or a semi-supervised rival (labels for the unlabelled samples): "
               + ", ".join(SEMI_SUPERVISED) + f"; or {TUNED_AFFINE} (affine ranges chosen by "
               "cross-validation); or the conditional model on the VAE's codes: " + ", ".join(CONDITIONAL_METHODS)
               + f", with +agree to keep what its classifier labels as asked, or {TEACHER} (its pseudo-labels for "
               f"the whole pool, as sure as cross-validation says); or {AUTO} (chosen per classifier by "
               "cross-validation on the labelled samples)")


def _shared_options() -> dict[str, argparse.ArgumentParser]:
    """The options several commands take, each declared once (argparse parent parsers)."""
    def parent():
        return argparse.ArgumentParser(add_help=False, allow_abbrev=False)

    shared = {name: parent() for name in ("output", "data", "set", "quiet", "device", "seed", "writes", "execution")}
    where = shared["output"].add_mutually_exclusive_group()
    where.add_argument("--output-dir", default=".", help="parent folder of the new run folder")
    where.add_argument("--resume", metavar="RUN_DIR", help="finish an interrupted run in RUN_DIR")
    shared["data"].add_argument("--data-dir", help="folder with dataset files (else $VAEAUG_DATA, then the cache)")
    shared["set"].add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                               help="override a config setting, VALUE in YAML, KEY dotted for nested ones: "
                                    "--set 'seeds=[0]' --set vae.max_epochs=5 (repeatable)")
    talk = shared["quiet"].add_mutually_exclusive_group()
    talk.add_argument("--quiet", action="store_true", help="warnings and errors only: no progress bars, no log lines")
    talk.add_argument("-v", "--verbose", action="store_true", help="debug log lines too")
    shared["execution"].add_argument("--jobs", type=int, metavar="N",
                                     help="run the grid's independent groups of cells in N parallel workers "
                                          "(default: the config's execution.jobs (vaeaug run: 3), else 1)")
    shared["execution"].add_argument("--threads", type=int, metavar="T",
                                     help="PyTorch threads per worker (default: the config's execution.threads "
                                          "(vaeaug run: 1), else the cores shared among the workers). Results "
                                          "depend on it: the same seed gives the same numbers at the same "
                                          "threads per worker")
    shared["execution"].add_argument("--backend", choices=BACKENDS,
                                     help="joblib backend of the workers: loky (this machine), dask or ray (a "
                                          "cluster; needs the extra of that name) (default: loky)")
    shared["execution"].add_argument("--scheduler", metavar="ADDRESS",
                                     help="the Dask scheduler or Ray head to connect to, e.g. tcp://host:8786 "
                                          "(default: a local cluster of N workers)")
    shared["device"].add_argument("--device", default="auto", help="'auto' (CUDA when available), 'cpu' or 'cuda'")
    shared["seed"].add_argument("--seed", type=int, default=0, help="seeds the VAE, the generation and the noise")
    shared["writes"].add_argument("--save-model", metavar="DIR", help="also save the fitted model here")
    shared["writes"].add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    return shared


def _add_study_options(parser: argparse.ArgumentParser, options, dest) -> None:
    """Options from the table that names the config key each sets, with the built-in study's defaults;
    ``dest(option)`` is the attribute the parsed value goes to."""
    for option in options:
        default = study_default(option.key)
        flag, metavar = f"--{option.flag}", option.flag.upper().replace("-", "_")
        common = {"dest": dest(option), "help": METHOD_HELP if option.flag == "methods" else option.help}
        if isinstance(default, bool):
            parser.add_argument(flag, action="store_true", **common)
        elif isinstance(default, list):
            parser.add_argument(flag, nargs="+", type=type(default[0]), default=default, choices=option.choices,
                                metavar=None if option.choices else metavar, **common)
        else:
            parser.add_argument(flag, type=option.type or type(default), default=default, choices=option.choices,
                                metavar=None if option.choices else metavar, **common)


class _Parser(argparse.ArgumentParser):
    """A command's parser: no abbreviations, and an unknown option is named with the options it is close to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        namespace, extra = super().parse_known_args(args, namespace)
        unknown = [a.split("=")[0] for a in extra if a.startswith("-")]
        if unknown:
            known = [s for action in self._actions for s in action.option_strings]
            hints = [f"{u} (did you mean {' or '.join(close)}?)" if (close := _close(u, known)) else u
                     for u in unknown]
            self.error(f"unknown option(s): {', '.join(hints)}; see vaeaug {self.prog.split()[-1]} --help.")
        return namespace, extra


def _close(option, known) -> list[str]:
    """The options ``option`` abbreviates (what argparse would have guessed), else those it looks like."""
    return [k for k in known if k.startswith(option)][:2] or difflib.get_close_matches(option, known, 2, 0.75)


def _parser() -> argparse.ArgumentParser:
    shared = _shared_options()
    # allow_abbrev=False everywhere: a prefix (--method for --methods) is an error with a hint, never a guess
    parser = argparse.ArgumentParser(prog="vaeaug", description=__doc__, epilog=EXIT_CODES, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"vaeaug {metadata.version('vaeaug')}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run", formatter_class=_HelpFormatter, help="run a whole study and write a new run folder",
        parents=[shared[name] for name in ("output", "data", "set", "quiet", "device", "execution")],
        description="Train a VAE, augment the labelled samples with each method, train each classifier with and "
                    "without the synthetic data, and report the mean and its 95 % confidence interval over seeds. "
                    "The study is a built-in experiment config; each option sets one of its keys, and --set any.")
    _add_study_options(run, RUN_OPTIONS, dest=lambda option: option.key)

    experiment = commands.add_parser(
        "experiment", formatter_class=_HelpFormatter, help="run a grid from a YAML config (see configs/)",
        parents=[shared[name] for name in ("output", "data", "set", "quiet", "execution")],
        description="Run dataset x protocol x latent size x method x classifier x seed from a YAML "
                    "config, print tables beside the paper's numbers, and write JSON, CSV and Markdown.")
    experiment.add_argument("config", help="the YAML config file (with task: denoising, a denoising study)")
    experiment.add_argument("--vae-cache", metavar="DIR", help="folder of trained VAEs to reuse across runs "
                                                                 "(default: RUN_DIR/vaes)")

    commands.add_parser("datasets", help="list the datasets and whether their files are here",
                        parents=[shared["data"]])

    _add_augment(commands, shared)
    _add_denoise(commands, shared)
    return parser


def _add_augment(commands, shared):
    augment = commands.add_parser(
        "augment", formatter_class=_HelpFormatter, help="fit a VAE and write an augmented dataset (.npz, .csv, .parquet)",
        parents=[shared[name] for name in ("data", "device", "seed", "writes", "quiet")],
        description="Read X and y from an .npz file (or a named dataset), append synthetic samples "
                    "and write X, y and is_synthetic to a new .npz file. A table (.csv or .parquet; text, integer "
                    "and boolean columns included) is written back as a table: its columns in their order, "
                    "plus is_synthetic. Pseudo-labels that weigh their confidence (teacher, --soft-labels) come "
                    "with sample_weight too.")
    augment.add_argument("input", help="a dataset name (see `vaeaug datasets`), an .npz file with arrays X "
                                       "and y, a .csv or .parquet table with a 'label' column, or an image folder")
    augment.add_argument("output", help="the .npz (or, for a table input, .csv or .parquet) file to write (must "
                                        "not exist unless --force)")
    augment.add_argument("--impute", action="store_true",
                         help="a table: fill missing values (a column's median, or its most frequent category) "
                              "instead of refusing them")
    augment.add_argument("--unlabelled", help="unlabelled samples for the VAE (and the conditional model and the "
                                              "semi-supervised methods, which label them): an .npz file with an "
                                              "array X, or a table with the input table's columns")
    augment.add_argument("--method", default=GENERATION.method, help=METHOD_HELP)
    augment.add_argument("--input-dim", type=int, help="N in beta_norm (default: features per sample)")
    augment.add_argument("--classifier", default="svm", choices=list(CLASSIFIERS),
                         help="auto: the classifier to choose the method for")
    conditional = augment.add_argument_group("the conditional model (conditional-prior, style-transfer, "
                                             "pseudo-label, +agree)")
    conditional.add_argument("--threshold", type=float, default=CONDITIONAL.threshold,
                             help="pseudo-label: the least confidence of its classifier to label an unlabelled "
                                  "sample")
    conditional.add_argument("--soft-labels", action="store_true",
                             help="pseudo-label, teacher: each unlabelled sample once per class its classifier "
                                  "gives at least 0.01, weighing that probability (the file's sample_weight)")
    conditional.add_argument("--conditional-epochs", type=int, default=CONDITIONAL.epochs,
                             help="passes over the codes the conditional model trains for")
    conditional.add_argument("--conditional-steps", type=int, default=CONDITIONAL.min_steps,
                             help="the fewest optimiser steps it trains for, however small the data")
    conditional.add_argument("--auto-conditional", action="store_true",
                             help="auto: make the conditional model's methods candidates too (one conditional "
                                  "model trained per fold)")
    # The VAE and generation options vaeaug run has too: declared once, with one default.
    _add_study_options(augment, [option for option in RUN_OPTIONS if option.augment],
                       dest=lambda option: option.flag.replace("-", "_"))


def _add_denoise(commands, shared):
    denoise = commands.add_parser(
        "denoise", formatter_class=_HelpFormatter, help="denoise images with a VAE and write them to a new .npz",
        parents=[shared[name] for name in ("data", "device", "seed", "writes", "quiet")],
        description="Denoise the images X of an .npz file (or a named dataset's test images) with a VAE that "
                    "learnt noisy -> clean on the clean images given by --clean (or a model saved earlier), and "
                    "write the denoised images (and y, if present) to a new .npz file.")
    denoise.add_argument("input", help="an .npz file with an array X of images in [0, 1] (y is kept if present), "
                                       "or a dataset name, which stands for its test images")
    denoise.add_argument("output", help="the .npz file to write (must not exist unless --force)")
    source = denoise.add_mutually_exclusive_group(required=True)
    source.add_argument("--clean", help="clean images to learn from: an .npz with X, or a dataset name (its "
                                        "images outside the test split)")
    source.add_argument("--model", metavar="DIR", help="a denoiser saved earlier with --save-model")
    denoise.add_argument("--add-noise", action="store_true",
                         help="INPUT is clean: corrupt it with the noise model first, keep X_clean and X_noisy in "
                              "OUTPUT, and print PSNR and SSIM before and after")
    denoise.add_argument("--noise", default="gaussian",
                         help=f"noise model: {', '.join(NOISES)}, or gaussian+speckle")
    denoise.add_argument("--sigma", type=float, nargs="+", default=[0.3],
                         help="standard deviation of the noise, or one per part of --noise")
    denoise.add_argument("--latent-dim", type=int, default=32, help="size of the VAE's latent code")
    denoise.add_argument("--beta", type=float, default=0.1, help="KL weight of the VAE (0.1 denoised MNIST best of those measured)")
    denoise.add_argument("--max-epochs", type=int, default=30,
                         help="most epochs the VAE trains (early stopping ends it sooner)")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (a test's capture, a redirection)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _):
        pass


def _configure_logging(args) -> None:
    """vaeaug's log lines (one per model fit, say) on stderr: INFO by default, WARNING with --quiet, DEBUG with -v."""
    logger = logging.getLogger("vaeaug")
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    logger.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    if not any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


class _Stopped(KeyboardInterrupt):
    """SIGTERM (``kill``, a job scheduler's stop), handled as Ctrl-C is: what was claimed and not written is given
    back, and a run resumes."""


def _stop(signum, frame):
    raise _Stopped()


def _check_paths(args) -> None:
    """The mistakes a path alone shows (a missing input, an output that exists or has the wrong suffix), said
    before PyTorch loads: seconds, not nothing, on a busy machine. The commands check them again when they
    claim their files."""
    if args.command == "run":
        check_exists(args.__dict__["datasets[]"], "--dataset ")
        if args.unlabelled:
            check_exists(args.unlabelled, "--unlabelled ")
    if args.command in ("run", "experiment") and args.resume and not Path(args.resume).is_dir():
        raise ValueError(f"--resume {args.resume} is not a folder; give the run folder an earlier run printed "
                         "(Run folder: ...).")
    if args.command == "experiment" and not Path(args.config).is_file():
        raise ValueError(f"Config file {args.config} does not exist.")
    if args.command in ("augment", "denoise"):
        for what, path in (("", args.input), ("--unlabelled ", getattr(args, "unlabelled", None)),
                           ("--clean ", getattr(args, "clean", None))):
            if path:
                check_exists(path, what)
        check_output(args.output, args.input, force=args.force, save_model=args.save_model)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args)
    # SIGTERM as Ctrl-C; Python lets only the main thread set a handler (main() may run in another)
    handles = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, _stop) if handles else None
    try:
        _check_paths(args)
        # The one import inside a function in vaeaug: the commands load PyTorch and scikit-learn, which
        # takes seconds, so the parser above answers --help and usage mistakes without them.
        from . import _commands

        _commands.COMMANDS[args.command](args)
    except ValueError as error:
        print(f"vaeaug: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # unwritable folders, full disks: the file system's own sentence, one line
        where = f" {error.filename}" if error.filename else ""
        print(f"vaeaug: error: cannot write or read{where}: {error.strerror or error}; choose a path you can "
              "write to.", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        if args.command in ("run", "experiment"):
            print("vaeaug: interrupted; `--resume RUN_DIR` with the same command finishes the run.",
                  file=sys.stderr)
        else:
            print("vaeaug: interrupted; nothing was written.", file=sys.stderr)
        return 143 if isinstance(stop, _Stopped) else 130  # 128 + the signal's number, as shells report
    finally:
        if handles:  # None: a handler set outside Python, which cannot be put back; the default then
            signal.signal(signal.SIGTERM, signal.SIG_DFL if before is None else before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
