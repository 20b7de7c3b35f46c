"""What each ``vaeaug`` command does, once :mod:`vaeaug.cli` has parsed its options.

Apart from the parser so that ``vaeaug --help`` answers before PyTorch and scikit-learn load:
the CLI imports this module only when a command runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ._files import (SAVE_LOCK, check_output, is_table_file, new_run_dir, run_folder_lock,
                     write_bytes_atomic)
from .data.datasets import describe_all, load, read_npz
from .data.sources import read_table, split_labels, unlabelled_rows, write_table
from .data.tables import text_columns
from .experiments.config import load_config
from .experiments.denoising import DenoisingStudyConfig, image_quality, run_denoising_study
from .experiments.context import data_folder, inapplicable, read_grid_dataset
from .experiments.run_options import RUN_OPTIONS, study_default
from .experiments.results import has_results
from .experiments.runner import run_experiment
from .experiments.study import run_study, study_config
from ._choices import OWN_CLASSIFIER
from .generation.kinds import KIND_OF
from .generation.registry import parse_method
from .vae.denoiser import VAEDenoiser, corrupt, parse_noise
from .vae.distributed import is_main_process, launched


def _one_process(command):
    """Refuse a torchrun launch of a command that trains many models: grids go in parallel with --jobs."""
    if launched():
        raise ValueError(f"vaeaug {command} trains a model per cell, and torchrun starts several processes to train "
                         "one model; run the grid in parallel with --jobs N instead (python -m vaeaug or vaeaug, "
                         "without torchrun). Under torchrun, use vaeaug augment or vaeaug denoise.")


def _writer(args):
    """Claim the outputs on the process that writes them: the only one, or rank 0 of a torchrun launch.

    The other processes of a launch train their share and write nothing (their OUTPUT is None).
    """
    return _claimed_outputs(args) if is_main_process() else contextlib.nullcontext()


def _run(args):
    _one_process("run")
    options = {option.key: getattr(args, option.key) for option in RUN_OPTIONS}
    options["device"] = args.device
    config = _with_execution(_study_for_the_data(options, args), args)
    print(f"Protocol: {config.description}", flush=True)
    with _run_dir(args) as run_dir:
        run_study(config, run_dir, data_dir=args.data_dir, progress=not args.quiet)


CROSS_VALIDATION = {"name": "cross-validation", "folds": 5}  # the study of a file with unlabelled rows


def _study_for_the_data(options, args):
    """The study for the dataset: on a file with rows without a label, the user's own split (k-fold over the
    labelled rows, each seed a fold) unless a protocol option was given; and the default methods and
    classifiers the data cannot take left out (those that need images, for feature vectors; ``real``, for rows
    without labels), with one line saying so. What the user named stays, and is refused in one sentence."""
    named = {override.split("=")[0].strip().split(".")[0] for override in args.overrides}
    default = {key: getattr(args, key) == study_default(key) and key.split(".")[0] not in named
               for key in ("methods", "classifiers", "seeds", "protocols.0.labelled_per_class",
                           "protocols.0.test_fraction")}
    config = study_config(options, args.overrides)
    # Read as the run will (the same key), so the run's own load is free
    data = read_grid_dataset(config.datasets[0], data_folder(config, args.data_dir), config.label_column,
                             config.unlabelled)
    if "unlabelled" in data.splits and default["protocols.0.labelled_per_class"] and \
            default["protocols.0.test_fraction"]:
        options = {key: value for key, value in options.items() if not key.startswith("protocols.")}
        options["protocols"] = [CROSS_VALIDATION]
        if default["seeds"]:
            options["seeds"] = list(range(CROSS_VALIDATION["folds"]))  # one whole k-fold pass
        config = study_config(options, args.overrides)
    refused = inapplicable(config, data)
    dropped = [name for name in refused if default["methods" if name in config.methods else "classifiers"]]
    if dropped:
        config.methods = [m for m in config.methods if m not in dropped]
        config.classifiers = [c for c in config.classifiers if c not in dropped]
        print(f"The default study leaves out what {config.datasets[0]} cannot take: "
              + "; ".join(f"{name} ({refused[name][1]})" for name in dropped) + ".", flush=True)
    return config


@contextlib.contextmanager
def _run_dir(args, prefix="vaeaug-run"):
    """The folder to resume, or a new one: a run never writes into an earlier run's folder.

    A new folder that a failure leaves without a single finished cell is removed,
    so a mistake found late (a missing data file, say) leaves nothing behind.
    """
    if args.resume:
        run_dir = Path(args.resume)
        if not has_results(run_dir):
            raise ValueError(f"{run_dir} has no results.json or records.jsonl to resume; start a new run without "
                             "--resume.")
        with run_folder_lock(run_dir):
            print(f"Run folder: {run_dir}", flush=True)
            yield run_dir
        return
    run_dir = new_run_dir(args.output_dir, prefix=prefix)
    print(f"Run folder: {run_dir}", flush=True)
    try:
        with run_folder_lock(run_dir):
            yield run_dir
    except BaseException:
        if not has_results(run_dir):
            shutil.rmtree(run_dir, ignore_errors=True)
            print(f"Removed {run_dir}: the run stopped before its first result.", file=sys.stderr)
        raise


def _with_execution(config, args):
    """The config with the command line's --jobs, --threads, --backend and --scheduler over its own."""
    given = {key: getattr(args, key) for key in ("jobs", "threads", "backend", "scheduler")
             if getattr(args, key) is not None}
    if given and isinstance(config, DenoisingStudyConfig):
        raise ValueError("--jobs, --threads, --backend and --scheduler say how a grid's cells run; a denoising "
                         "study has no grid. Drop them.")
    if given:
        config.execution = {**config.execution, **given}
        config.validate()
    return config


def _experiment(args):
    _one_process("experiment")
    config = _with_execution(load_config(args.config, args.overrides), args)
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


@contextlib.contextmanager
def _claimed_outputs(args):
    """Claim every path the command writes before any work, and give back what a failed run claimed.

    OUTPUT is created, empty, exclusively: a second run to the same new file fails
    at once instead of both printing "Wrote", and a folder that cannot be written
    is found before training, not after. A --save-model folder holds a lock file
    while this run writes it, so two runs cannot mix their models there.
    """
    output = check_output(args.output, args.input, force=args.force, save_model=args.save_model)
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
                os.close(os.open(folder / SAVE_LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            except FileExistsError:
                raise ValueError(f"--save-model {folder} is being written by another run (it holds {SAVE_LOCK}); "
                                 f"wait for that run, or delete {folder / SAVE_LOCK} if no run is writing it."
                                 ) from None
            lock = folder / SAVE_LOCK
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
    with _writer(args) as output:
        _write_augmented(args, output)


def _augment_settings(args) -> dict:
    """``vaeaug augment``'s options as a run's settings, by section (see :mod:`vaeaug.generation.kinds`)."""
    return {"vae": {"latent_dim": args.latent_dim, "beta": args.beta, "normalize_beta": args.normalize_beta,
                    "input_dim": args.input_dim, "batch_size": args.batch_size, "max_epochs": args.max_epochs,
                    "patience": args.patience, "device": args.device, "verbose": False if args.quiet else "auto"},
            "augmentation": {"alpha": args.alpha, "n_neighbors": args.n_neighbors, "n_per_sample": args.n_per_sample,
                             "n_per_class": args.n_per_class, "noise_scale": args.noise_scale},
            "mix_in": args.mix_in,
            "conditional": {"threshold": args.threshold, "soft_labels": args.soft_labels,
                            "epochs": args.conditional_epochs, "min_steps": args.conditional_steps},
            "auto": {"conditional": args.auto_conditional}}


def _write_augmented(args, output):
    spec = parse_method(args.method)  # once, here; the spec goes down
    kind = KIND_OF[spec.kind]
    if args.unlabelled and not (kind.uses_unlabelled or kind.labels_pool):
        raise ValueError(f"--unlabelled feeds the single VAE, but method {args.method!r} does not use it (it "
                         "learns from the labelled samples alone); drop --unlabelled or choose another method.")
    if kind.learns_from == "pool":
        raise ValueError(f"Method {args.method!r} adds real labelled samples from a pool, and augment has "
                         "only the labelled file; use it in `vaeaug run` or `vaeaug experiment`.")
    if spec.name == OWN_CLASSIFIER:
        raise ValueError(f"Method {args.method!r} is the conditional model's own classifier and makes no samples; "
                         "choose conditional-prior, style-transfer or pseudo-label (each with +agree or not).")
    if args.soft_labels and "conditional" not in kind.sections:
        raise ValueError(f"--soft-labels shapes pseudo-labels, and {args.method!r} makes none; use --method "
                         "pseudo-label or teacher, or drop --soft-labels.")
    if args.auto_conditional and "auto" not in kind.sections:
        raise ValueError(f"--auto-conditional adds candidates to auto, but the method is {args.method!r}; use "
                         "--method auto, or drop --auto-conditional.")
    if args.save_model and not kind.trained:
        raise ValueError(f"Method {args.method!r} keeps no trained model, so there is nothing to --save-model; "
                         "drop --save-model.")
    augmenter = kind.build(spec, _augment_settings(args), random_state=args.seed)
    if kind.per_classifier:
        augmenter.set_params(classifier=args.classifier)
    X, y, header = _augment_input(args, output)
    unlabelled = {"X_unlabelled": _augment_pool(args, header)} if args.unlabelled else {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="auto for ")  # its summary is printed below
        X_res, y_res = augmenter.fit_resample(X, y, **unlabelled)
    if output is None:
        return
    is_synthetic = np.arange(len(X_res)) >= len(X)
    new_weights = getattr(augmenter, "sample_weight_", None)  # weighed pseudo-labels (teacher, auto, soft targets)
    weights = None if new_weights is None else np.r_[np.ones(len(X)), new_weights]
    if args.save_model:
        augmenter.save(args.save_model)
    write_bytes_atomic(output, _augmented_bytes(output, X_res, y_res, is_synthetic, header, args.label_column,
                                                weights))
    made = augmenter.generation_report_
    rate = made["acceptance_rate"]
    judge = "the GC" if spec.filter == "gc" else f"the {spec.filter} filter"
    _tell(f"Wrote {output}: {len(X)} original + {int(is_synthetic.sum())} synthetic samples ({args.method}"
          + (f"; {judge} accepted {100 * rate:.0f} % of candidates" if rate is not None else "") + ")"
          + (", with sample_weight: pass it to your classifier's fit" if weights is not None else "") + ".")
    if "summary" in made:
        _tell(made["summary"])


def _augment_pool(args, header):
    """The unlabelled samples of ``--unlabelled``: an .npz's X, or a table's rows with the feature columns of the
    input table (whose columns are ``header``), as ``vaeaug run --unlabelled`` reads them."""
    if not is_table_file(args.unlabelled):
        return read_npz(args.unlabelled, ["X"])["X"]
    if header is None:
        raise ValueError(f"--unlabelled {args.unlabelled} is a table, but the input {args.input} is not; give the "
                         "unlabelled samples as an .npz with X.")
    features = [column for column in header if column != args.label_column]
    return unlabelled_rows(read_table(args.unlabelled), features, args.label_column, args.input, args.unlabelled)


def _augment_input(args, output):
    """The labelled samples to augment, their labels as the file gave them, and a table's column order (None
    otherwise): a table's columns as a DataFrame (text, integers and booleans keep their types), or a
    dataset's arrays without its test rows."""
    if is_table_file(args.input):
        frame = read_table(args.input)
        written = [column for column in ("is_synthetic", "sample_weight") if column in frame.columns]  # ours
        if written:
            raise ValueError(f"{args.input} has a column {written[0]!r}, which vaeaug augment writes (is it a file "
                             "it wrote?): it would be learnt as a feature, and replaced. Drop the column, or keep "
                             "the rows where is_synthetic is False, and augment those.")
        X, y = split_labels(frame, args.label_column, where=args.input, fill_missing=args.impute)
        if output is not None and output.suffix == ".npz" and text_columns(X):
            raise ValueError(f"{args.input} has text columns, which an .npz cannot hold beside numbers; write "
                             f"the output as a table ({Path(args.output).with_suffix('.csv')}).")
        return X, y, list(frame.columns)
    data = load(args.input, args.data_dir, label_column=args.label_column)
    X, y = data.X, data.original_labels()  # the labels as the file gave them, written back as they were
    if "test" in data.splits:
        # Test rows must never reach a training file: augment what is left.
        kept = np.setdiff1d(np.arange(len(X)), data.splits["test"])
        X, y = X[kept], y[kept]
        print(f"{args.input} has a test split; its {len(data.splits['test'])} test rows are left out, "
              f"{len(kept)} rows are augmented.")
    return X, y, None


def _augmented_bytes(output, X_res, y_res, is_synthetic, header, label_column, sample_weight=None) -> bytes:
    """The file's bytes: an .npz of X, y and is_synthetic, or a table (CSV, Parquet) with the input's columns
    in their ``header`` order (the label where it was) and an is_synthetic column; and sample_weight, when
    the samples weigh differently."""
    extra = {"is_synthetic": is_synthetic, **({"sample_weight": sample_weight} if sample_weight is not None else {})}
    if is_table_file(output):
        table = X_res.copy()
        table.insert(header.index(label_column), label_column, np.asarray(y_res))
        for name, values in extra.items():
            table[name] = values
        return write_table(table, output)
    X_res = X_res.to_numpy() if hasattr(X_res, "to_numpy") else X_res
    y_res = np.asarray(y_res)
    y_res = y_res.astype(str) if y_res.dtype == object else y_res  # text labels as text, never pickled
    buffer = io.BytesIO()
    np.savez_compressed(buffer, X=X_res, y=y_res, **extra)
    return buffer.getvalue()


def _tell(text):
    """Say what was done. It is done already, so a reader who left (a closed pipe: ``| head``) or a stdout that
    cannot show a character (an output named ``ü.npz`` on an ASCII terminal) must not turn it into a failure."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        print(text.encode(encoding, errors="backslashreplace").decode(encoding), flush=True)
    except BrokenPipeError:  # nothing more reaches the reader; the exit's own flush must not fail either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


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
    if args.model and args.save_model:  # before any folder is made
        raise ValueError(f"--save-model saves a model trained now, but --model {args.model} loads one that is "
                         "saved already; drop --save-model (or --model, to train a new one).")
    with _writer(args) as output:
        _write_denoised(args, output)


def _write_denoised(args, output):
    sigma = args.sigma[0] if len(args.sigma) == 1 else args.sigma
    X, y = _images(args.input, args.data_dir, "test")
    if args.model:
        denoiser = VAEDenoiser.load(args.model, device=args.device)
    else:
        denoiser = VAEDenoiser(noise=args.noise, sigma=sigma, latent_dim=args.latent_dim, beta=args.beta,
                               max_epochs=args.max_epochs, device=args.device, random_state=args.seed,
                               verbose=False if args.quiet else "auto")
        parse_noise(args.noise, sigma)  # a bad noise or sigma fails before the data is read
        clean = _images(args.clean, args.data_dir, "train")[0]
        if clean.shape[1:] != X.shape[1:]:  # before 30 epochs of training, not after
            raise ValueError(f"The images to denoise have shape {X.shape[1:]} but the clean ones (--clean) have "
                             f"{clean.shape[1:]}; the denoiser learns one shape, so give images of one shape.")
        denoiser.fit(clean)
        if args.save_model:
            denoiser.save(args.save_model)
    if output is None:
        return
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
    _tell(f"Wrote {output}: {len(X)} denoised images (X)" + (", with X_clean and X_noisy" if args.add_noise else "")
          + (" and y" if y is not None else "") + ".")
    if args.add_noise:
        before, after = image_quality(arrays["X_clean"], X), image_quality(arrays["X_clean"], arrays["X"])
        _tell(f"PSNR {before['psnr']:.2f} -> {after['psnr']:.2f} dB, SSIM {before['ssim']:.3f} -> "
              f"{after['ssim']:.3f} (noisy -> denoised, against the clean images).")


# command name -> what it does with the parsed options
COMMANDS = {"run": _run, "experiment": _experiment, "datasets": _datasets, "augment": _augment, "denoise": _denoise}
