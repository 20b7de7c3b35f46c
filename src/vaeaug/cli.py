"""The ``vaeaug`` command: ``run`` a whole study, ``experiment`` from YAML, ``augment`` or ``denoise`` a dataset."""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import shutil
import sys
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np

from ._files import new_run_dir, write_bytes_atomic
from .classifiers import CLASSIFIERS
from .data.datasets import describe_all, load, read_npz
from .experiments.config import load_config
from .experiments.denoising import DenoisingStudyConfig, image_quality, run_denoising_study
from .experiments.runner import run_experiment
from .experiments.study import RUN_OPTIONS, run_study, study_config, study_default
from .generation.amounts import parse_amount
from .generation.augmenter import NOISE_SCALES
from .generation.factory import make_augmenter
from .generation.registry import BASELINES, KINDS, PAPER_METHODS, TALK_METHODS, parse_method
from .vae.denoiser import NOISES, VAEDenoiser, corrupt, parse_noise

EXIT_CODES = ("exit status: 0 done; 2 a mistake in the input, options or files, said in one line "
              "(vaeaug: error: ...); 130 interrupted (run and experiment resume with --resume RUN_DIR)")
METHOD_HELP = ("[multi-vae+]GENERATION[+gc]: GENERATION is prior, latent-smote or latent moves (noise, "
               "interpolation, extrapolation) joined by +; e.g. " + ", ".join(PAPER_METHODS + TALK_METHODS)
               + "; or a baseline: " + ", ".join(BASELINES) + "; or auto (chosen per classifier by "
               "cross-validation on the labelled samples)")


def _shared_options() -> dict[str, argparse.ArgumentParser]:
    """The options several commands take, each declared once (argparse parent parsers)."""
    def parent():
        return argparse.ArgumentParser(add_help=False)

    shared = {name: parent() for name in ("output", "data", "set", "quiet", "device", "seed", "writes")}
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
    shared["device"].add_argument("--device", default="auto", help="'auto' (CUDA when available), 'cpu' or 'cuda'")
    shared["seed"].add_argument("--seed", type=int, default=0, help="seeds the VAE, the generation and the noise")
    shared["writes"].add_argument("--save-model", metavar="DIR", help="also save the fitted model here")
    shared["writes"].add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    return shared


def _add_run_options(run):
    """``vaeaug run``'s study options, from the table that names the config key each one sets."""
    for option in RUN_OPTIONS:
        default = study_default(option.key)
        flag, metavar = f"--{option.flag}", option.flag.upper().replace("-", "_")
        if isinstance(default, bool):
            run.add_argument(flag, action="store_true", dest=option.key, help=option.help)
        elif isinstance(default, list):
            run.add_argument(flag, nargs="+", type=type(default[0]), default=default, choices=option.choices,
                             dest=option.key, metavar=None if option.choices else metavar,
                             help=METHOD_HELP if option.flag == "methods" else option.help)
        else:
            run.add_argument(flag, type=option.type or type(default), default=default, choices=option.choices,
                             dest=option.key, metavar=None if option.choices else metavar, help=option.help)


def _parser() -> argparse.ArgumentParser:
    shared = _shared_options()
    parser = argparse.ArgumentParser(prog="vaeaug", description=__doc__, epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"vaeaug {metadata.version('vaeaug')}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", formatter_class=argparse.ArgumentDefaultsHelpFormatter, help="run a whole study and write a new run folder",
        parents=[shared[name] for name in ("output", "data", "set", "quiet", "device")],
        description="Train a VAE, augment the labelled samples with each method, train each classifier with and "
                    "without the synthetic data, and report the mean and its 95 % confidence interval over seeds. "
                    "The study is a built-in experiment config; each option sets one of its keys, and --set any.")
    _add_run_options(run)

    experiment = commands.add_parser(
        "experiment", formatter_class=argparse.ArgumentDefaultsHelpFormatter, help="run a grid from a YAML config (see configs/)",
        parents=[shared[name] for name in ("output", "data", "set", "quiet")],
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
        "augment", formatter_class=argparse.ArgumentDefaultsHelpFormatter, help="fit a VAE and write an augmented dataset (.npz)",
        parents=[shared[name] for name in ("data", "device", "seed", "writes", "quiet")],
        description="Read X and y from an .npz file (or a named dataset), append synthetic samples "
                    "and write X, y and is_synthetic to a new .npz file.")
    augment.add_argument("input", help="a dataset name (see `vaeaug datasets`), an .npz file with arrays X "
                                       "and y, a .csv with a 'label' column, or an image folder")
    augment.add_argument("output", help="the .npz file to write (must not exist unless --force)")
    augment.add_argument("--unlabelled", help="an .npz file with an array X of unlabelled samples for the VAE")
    augment.add_argument("--method", default="interpolation", help=METHOD_HELP)
    augment.add_argument("--latent-dim", type=int, default=10, help="size of the VAE's latent code")
    augment.add_argument("--alpha", type=float, default=0.5, help="strength of the latent moves (prior: its scale)")
    augment.add_argument("--n-neighbors", type=int, default=3,
                         help="same-class neighbours of the moves, and the default number per labelled sample")
    augment.add_argument("--n-per-sample", type=int, help="new samples per labelled sample (default: n-neighbors)")
    augment.add_argument("--n-per-class", type=parse_amount, help="new samples per class, or 'balance'")
    augment.add_argument("--noise-scale", default="latent_std", choices=list(NOISE_SCALES),
                         help="noise deviation: alpha x the codes' deviation (paper) or alpha alone (talk)")
    augment.add_argument("--beta", type=float, default=1.0, help="KL weight of the VAE")
    augment.add_argument("--normalize-beta", action="store_true", help="use beta x latent-dim / input-dim")
    augment.add_argument("--input-dim", type=int, help="N in beta_norm (default: features per sample)")
    augment.add_argument("--mix-in", type=float, default=0.2, help="multi-vae: share of other classes")
    augment.add_argument("--classifier", default="svm", choices=list(CLASSIFIERS),
                         help="auto: the classifier to choose the method for (default svm)")
    augment.add_argument("--max-epochs", type=int, default=100,
                         help="most epochs the VAE trains (early stopping ends it sooner)")


def _add_denoise(commands, shared):
    denoise = commands.add_parser(
        "denoise", formatter_class=argparse.ArgumentDefaultsHelpFormatter, help="denoise images with a VAE and write them to a new .npz",
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
                         help=f"noise model: {', '.join(NOISES)}, or gaussian+speckle (default gaussian)")
    denoise.add_argument("--sigma", type=float, nargs="+", default=[0.3],
                         help="standard deviation of the noise, or one per part of --noise")
    denoise.add_argument("--latent-dim", type=int, default=32, help="size of the VAE's latent code")
    denoise.add_argument("--beta", type=float, default=0.1, help="KL weight of the VAE (default 0.1, measured best)")
    denoise.add_argument("--max-epochs", type=int, default=30,
                         help="most epochs the VAE trains (early stopping ends it sooner)")


def _run(args):
    options = {option.key: getattr(args, option.key) for option in RUN_OPTIONS}
    options["device"] = args.device
    config = study_config(options, args.overrides)
    with _run_dir(args) as run_dir:
        run_study(config, run_dir, data_dir=args.data_dir, progress=not args.quiet)


@contextlib.contextmanager
def _run_dir(args, prefix="vaeaug-run"):
    """The folder to resume, or a new one: a run never writes into an earlier run's folder.

    A new folder that a failure leaves without a single finished cell is removed,
    so a mistake found late (a missing data file, say) leaves nothing behind.
    """
    if args.resume:
        run_dir = Path(args.resume)
        if not (run_dir / "results.json").is_file():
            raise ValueError(f"{run_dir} has no results.json to resume; start a new run without --resume.")
        print(f"Run folder: {run_dir}", flush=True)
        yield run_dir
        return
    run_dir = new_run_dir(args.output_dir, prefix=prefix)
    print(f"Run folder: {run_dir}", flush=True)
    try:
        yield run_dir
    except BaseException:
        if not (run_dir / "results.json").is_file():
            shutil.rmtree(run_dir, ignore_errors=True)
            print(f"Removed {run_dir}: the run stopped before its first result.", file=sys.stderr)
        raise


def _experiment(args):
    config = load_config(args.config, args.overrides)
    with _run_dir(args, prefix=f"experiment-{config.name}") as run_dir:
        if isinstance(config, DenoisingStudyConfig):
            run_denoising_study(config, run_dir, data_dir=args.data_dir, progress=not args.quiet)
        else:
            run_experiment(config, run_dir, data_dir=args.data_dir, vae_cache=args.vae_cache,
                           progress=not args.quiet)


def _datasets(args):
    rows = describe_all(args.data_dir)
    width = max(len(name) for name, _ in rows)
    for name, status in rows:
        print(f"{name:<{width}}  {status}")
    print("Also: a path to an .npz (X, y[, X_test, y_test]), a .csv with a 'label' column, "
          "or a folder of images with one sub-folder per class.")


def _check_outputs(args):
    """Every path augment writes is checked before any training, so a bad one costs nothing."""
    output = Path(args.output)
    if output.suffix != ".npz":
        raise ValueError(f"OUTPUT must end in .npz; got {output}.")
    if output.is_dir():
        raise ValueError(f"{output} is a folder; OUTPUT must be the path of an .npz file.")
    if output.exists() and not args.force:
        raise ValueError(f"{output} already exists; choose another name or pass --force to replace it.")
    if args.save_model:
        model = Path(args.save_model)
        if model.exists() and not model.is_dir():
            raise ValueError(f"--save-model {model} is a file; give a folder to save the model in.")
        if model.is_dir() and any(p.name != LOCK for p in model.iterdir()) and not args.force:
            raise ValueError(f"--save-model {model} is a folder that is not empty; choose a new folder or pass "
                             "--force to replace the model in it.")
    return output


LOCK = ".vaeaug-writing"  # in a --save-model folder while a run writes a model there


@contextlib.contextmanager
def _claimed_outputs(args):
    """Claim every path the command writes before any work, and give back what a failed run claimed.

    OUTPUT is created, empty, exclusively: a second run to the same new file fails
    at once instead of both printing "Wrote", and a folder that cannot be written
    is found before training, not after. A --save-model folder holds a lock file
    while this run writes it, so two runs cannot mix their models there.
    """
    output = _check_outputs(args)
    claimed, lock, made_folder = None, None, None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if args.force:
            tempfile.TemporaryFile(dir=output.parent).close()  # writable?
        else:
            try:
                os.close(os.open(output, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            except FileExistsError:
                raise ValueError(f"{output} already exists (or another run is writing it); choose another name or "
                                 "pass --force to replace it.") from None
            claimed = output
        if args.save_model:
            folder = Path(args.save_model)
            made_folder = None if folder.exists() else folder
            folder.mkdir(parents=True, exist_ok=True)
            try:
                os.close(os.open(folder / LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            except FileExistsError:
                raise ValueError(f"--save-model {folder} is being written by another run (it holds {LOCK}); wait "
                                 f"for that run, or delete {folder / LOCK} if no run is writing it.") from None
            lock = folder / LOCK
        yield output
    except BaseException:
        if claimed is not None and claimed.is_file() and claimed.stat().st_size == 0:
            claimed.unlink()
        if lock is not None:
            lock.unlink(missing_ok=True)
            lock = None
        if made_folder is not None and made_folder.is_dir() and not any(made_folder.iterdir()):
            made_folder.rmdir()
        raise
    finally:
        if lock is not None:
            lock.unlink(missing_ok=True)


def _augment(args):
    with _claimed_outputs(args) as output:
        _write_augmented(args, output)


def _write_augmented(args, output):
    spec = parse_method(args.method)  # once, here; the spec goes down
    kind = KINDS[spec.kind]
    if args.unlabelled and "vae" not in (spec.kind, kind.built_on):
        raise ValueError(f"--unlabelled feeds the single VAE, but method {args.method!r} does not use it (it "
                         "learns from the labelled samples alone); drop --unlabelled or choose another method.")
    if kind.learns_from == "pool":
        raise ValueError(f"Method {args.method!r} adds real labelled samples from a pool, and augment has "
                         "only the labelled file; use it in `vaeaug run` or `vaeaug experiment`.")
    if args.save_model and not kind.trained:
        raise ValueError(f"Method {args.method!r} keeps no trained model, so there is nothing to --save-model; "
                         "drop --save-model.")
    augmenter = make_augmenter(
        spec, mix_in=args.mix_in, random_state=args.seed, latent_dim=args.latent_dim, alpha=args.alpha,
        n_neighbors=args.n_neighbors, n_per_sample=args.n_per_sample, n_per_class=args.n_per_class,
        noise_scale=args.noise_scale, beta=args.beta, normalize_beta=args.normalize_beta,
        input_dim=args.input_dim, max_epochs=args.max_epochs, device=args.device, verbose=not args.quiet,
    )
    if kind.per_classifier:
        augmenter.set_params(classifier=args.classifier)
    data = load(args.input, args.data_dir)
    X, y = data.X, data.original_labels()  # the labels as the file gave them, written back as they were
    if "test" in data.splits:
        # Test rows must never reach a training file: augment what is left.
        kept = np.setdiff1d(np.arange(len(X)), data.splits["test"])
        X, y = X[kept], y[kept]
        print(f"{args.input} has a test split; its {len(data.splits['test'])} test rows are left out, "
              f"{len(kept)} rows are augmented.")
    unlabelled = {"X_unlabelled": read_npz(args.unlabelled, ["X"])["X"]} if args.unlabelled else {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="auto for ")  # its summary is printed below
        X_res, y_res = augmenter.fit_resample(X, y, **unlabelled)
    is_synthetic = np.arange(len(X_res)) >= len(X)
    if args.save_model:
        augmenter.save(args.save_model)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, X=X_res, y=y_res, is_synthetic=is_synthetic)
    write_bytes_atomic(output, buffer.getvalue())
    made = augmenter.generation_report_
    rate = made["acceptance_rate"]
    print(f"Wrote {output}: {len(X)} original + {int(is_synthetic.sum())} synthetic samples ({args.method}"
          + (f"; the GC accepted {100 * rate:.0f} % of candidates" if rate is not None else "") + ").")
    if "summary" in made:
        print(made["summary"])


def _images(source, data_dir, part):
    """X (and y, if any) of an .npz file, or of a named dataset's ``part``: "test" or everything else."""
    if str(source).endswith(".npz"):
        arrays = read_npz(source, ["X"])
        return arrays["X"], arrays.get("y")
    data = load(source, data_dir)
    if "test" not in data.splits:
        return data.X, data.original_labels()
    test = np.isin(np.arange(len(data.X)), data.splits["test"])
    rows = test if part == "test" else ~test
    return data.X[rows], data.original_labels()[rows]


def _denoise(args):
    with _claimed_outputs(args) as output:
        _write_denoised(args, output)


def _write_denoised(args, output):
    sigma = args.sigma[0] if len(args.sigma) == 1 else args.sigma
    X, y = _images(args.input, args.data_dir, "test")
    if args.model:
        denoiser = VAEDenoiser.load(args.model, device=args.device)
    else:
        denoiser = VAEDenoiser(noise=args.noise, sigma=sigma, latent_dim=args.latent_dim, beta=args.beta,
                               max_epochs=args.max_epochs, device=args.device, random_state=args.seed,
                               verbose=not args.quiet)
        parse_noise(args.noise, sigma)  # a bad noise or sigma fails before the data is read
        denoiser.fit(_images(args.clean, args.data_dir, "train")[0])
        if args.save_model:
            denoiser.save(args.save_model)
    arrays = {}
    if args.add_noise:
        arrays = {"X_clean": X, "X_noisy": corrupt(X, denoiser.noise, denoiser.sigma, random_state=args.seed + 1)}
        X = arrays["X_noisy"]
    arrays["X"] = denoiser.transform(X)
    if y is not None:
        arrays["y"] = y
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_bytes_atomic(output, buffer.getvalue())
    print(f"Wrote {output}: {len(X)} denoised images (X)" + (", with X_clean and X_noisy" if args.add_noise else "")
          + (" and y" if y is not None else "") + ".")
    if args.add_noise:
        before, after = image_quality(arrays["X_clean"], X), image_quality(arrays["X_clean"], arrays["X"])
        print(f"PSNR {before['psnr']:.2f} -> {after['psnr']:.2f} dB, SSIM {before['ssim']:.3f} -> "
              f"{after['ssim']:.3f} (noisy -> denoised, against the clean images).")


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


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args)
    try:
        commands = {"run": _run, "experiment": _experiment, "datasets": _datasets, "augment": _augment,
                    "denoise": _denoise}
        commands[args.command](args)
    except ValueError as error:
        print(f"vaeaug: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # unwritable folders, full disks: the file system's own sentence, one line
        where = f" {error.filename}" if error.filename else ""
        print(f"vaeaug: error: cannot write or read{where}: {error.strerror or error}; choose a path you can "
              "write to.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.command in ("run", "experiment"):
            print("vaeaug: interrupted; `--resume RUN_DIR` with the same command finishes the run.",
                  file=sys.stderr)
        else:
            print("vaeaug: interrupted; nothing was written.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
