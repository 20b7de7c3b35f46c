"""The experiment runner: a grid of dataset x protocol x latent size x method x classifier x seed.

An experiment is data, a YAML file (see ``configs/``), checked up front so that a
typo fails in a second, not after hours. Each VAE is trained once per (dataset,
the samples it learns from, seed, latent size, VAE settings), saved in a cache
folder and reused by every method, classifier and protocol that shares it: a
few-shot sweep over k labelled samples per class trains one VAE per seed, as
every k leaves the VAE the same training pool. Every finished cell is written at once
(atomically) to ``results.json``, so an interrupted grid resumes from the cells
it finished.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field, fields, replace
from itertools import product
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

from . import report
from ._files import read_json, read_yaml
from ._validation import check_choice, check_positive, check_seed, reject_unknown
from .augmenter import SPACES, VAEAugmenter
from .datasets import NAMED, load
from .evaluation import CLASSIFIERS, IMAGE_CLASSIFIERS, PAPER_CLASSIFIERS, make_classifier, score_classifier
from .methods import MODELS, PAPER_METHODS, configure, parse_method, set_generation
from .multivae import MultiVAEAugmenter
from .protocols import check_protocol, make_split

__all__ = ["ExperimentConfig", "load_config", "run_experiment", "expand_protocols", "split_for", "fitted_model"]

BASELINE = report.BASELINE
VAE_SETTINGS = ("beta", "normalize_beta", "input_dim", "hidden_units", "max_epochs", "max_steps", "min_steps",
                "patience",
                "batch_size", "learning_rate", "validation_fraction")
AUGMENTATION_SETTINGS = ("alpha", "n_neighbors", "n_per_sample", "n_per_class", "noise_scale")
TRAIN_ON = ("both", "generated")
DATASET_SETTINGS = ("vae", "augmentation", "mix_in")
# What a record keeps of a generator's report: the amount, the filter's rate, and auto's choice and CV table.
GENERATION_KEYS = ("made", "requested", "acceptance_rate", "choice", "cv")
# What a reference table (``paper:``) may be read in, and the range its numbers must fall in.
METRICS = {"accuracy": ("a percentage", 0, 100), "f1_weighted": ("a weighted F1", 0, 1)}
# Keys that pick the cells a row of ``paper.rows`` holds numbers for.
PAPER_SELECTORS = ("dataset", "protocol", "variant", "classifier", "latent_dim")


def column_name(method, train_on="both") -> str:
    """A table column (and a record's ``method``): the method, marked when it trained on generated samples alone."""
    return method if train_on == "both" else f"{method} (generated only)"


@dataclass
class ExperimentConfig:
    """One experiment: the grid, the VAE and augmentation settings, and the paper's numbers.

    ``paper`` holds reference numbers, by default test accuracies in percent::

        paper:
          baseline: {svm: 90.00, knn: 87.57, mlp: 90.01}
          results:  {svm: {100: {noise: 90.64, interpolation: 91.46, extrapolation: 91.16}}}

    or, for any metric and any cells, ``rows``: each row's selectors (any of
    dataset, protocol, variant, classifier, latent_dim, or a protocol parameter
    such as labelled_per_class) pick the cells, its other keys are columns::

        paper:
          source: talk
          metric: f1_weighted
          rows:
            - {dataset: proben1/card, variant: beta-norm, baseline: 0.871, multi-vae: 0.873}

    ``variants`` adds an axis of settings, each a named override of ``vae``,
    ``augmentation`` or ``mix_in``: the talk's beta in {norm, 0.5, 1}, or an
    amount sweep. Variants that differ only in how they generate share their
    VAE (the cache is keyed by what shapes the model)::

        variants: [{name: beta-norm, normalize_beta: true}, {name: beta-0.5, beta: 0.5}]
        variants: [{name: "2", n_per_class: 2}, {name: "20", n_per_class: 20}]

    ``per_dataset`` overrides ``vae``, ``augmentation`` and ``mix_in`` for one
    dataset (e.g. its ``input_dim`` for beta_norm, or ``n_per_class: balance``).

    ``labelled_subsample`` keeps a stratified subsample of that many labelled
    samples (the rest join the unlabelled data the VAE learns from): a
    documented way to price a table too costly to run whole.

    ``methods`` are names read by :func:`vaeaug.methods.parse_method`
    (``interpolation+noise``, ``prior+gc``, ``multi-vae``, ...). ``mix_in`` is
    the Multi-VAE's share of other classes. ``train_on: generated`` trains the
    classifiers of method columns on the generated samples alone (the talk's
    generated-only table), in columns named ``"<method> (generated only)"``;
    ``train_on: [both, generated]`` gives each method both columns. The
    baseline always trains on the real samples.
    """

    name: str = "experiment"
    description: str = ""
    datasets: list[str] = field(default_factory=lambda: ["digits"])
    protocols: list = field(default_factory=lambda: [{"name": "few-shot", "labelled_per_class": 10}])
    latent_dims: list[int] = field(default_factory=lambda: [10])
    methods: list[str] = field(default_factory=lambda: list(PAPER_METHODS))
    classifiers: list[str] = field(default_factory=lambda: list(PAPER_CLASSIFIERS))
    seeds: list[int] = field(default_factory=lambda: [0])
    space: str = "data"
    train_on: str | list[str] = "both"
    mix_in: float = 0.2
    labelled_subsample: int | None = None
    vae: dict = field(default_factory=dict)
    variants: list[dict] = field(default_factory=list)
    augmentation: dict = field(default_factory=dict)
    per_dataset: dict = field(default_factory=dict)
    classifier_options: dict = field(default_factory=dict)
    paper: dict = field(default_factory=dict)
    data_dir: str | None = None
    device: str = "auto"

    @classmethod
    def from_dict(cls, raw: dict, *, where="the config") -> "ExperimentConfig":
        if not isinstance(raw, dict):
            raise ValueError(f"{where} must be a mapping of keys to values; got {type(raw).__name__}.")
        reject_unknown(raw, [f.name for f in fields(cls)], where)
        return cls(**raw).validate(where)

    @classmethod
    def from_yaml(cls, path) -> "ExperimentConfig":
        return cls.from_dict(read_yaml(path), where=str(path))

    def validate(self, where="the config") -> "ExperimentConfig":
        def as_list(name):
            value = getattr(self, name)
            if not isinstance(value, list) or not value:
                raise ValueError(f"{name} in {where} must be a non-empty list; got {value!r}.")
            return value

        for dataset in as_list("datasets"):
            if dataset not in NAMED and not Path(dataset).exists():
                raise ValueError(f"Unknown dataset {dataset!r} in {where}; choose one of "
                                 f"{', '.join(NAMED)}, or give the path of a file or image folder.")
        expand_protocols(as_list("protocols"))
        for z in as_list("latent_dims"):
            check_positive(z, name="each of latent_dims", integer=True)
        methods = self.methods  # an empty list runs the baselines alone (e.g. to choose a classifier)
        if not isinstance(methods, list):
            raise ValueError(f"methods in {where} must be a list (empty for baselines only); got {methods!r}.")
        if len(set(methods)) != len(methods) or BASELINE in methods:
            raise ValueError(f"methods in {where} must be distinct and must not name {BASELINE!r} (every table "
                             f"has a baseline column); got {methods}.")
        specs = [parse_method(method) for method in methods]
        if self.space == "latent" and any(MODELS[s.model].latent_space == "per-class" for s in specs):
            raise ValueError(f"space: latent in {where} needs one shared latent space, but multi-vae has one per "
                             "class; drop the multi-vae methods or use space: data.")
        if self.space == "latent" and any(s.first for s in specs):
            raise ValueError(f"space: latent in {where} gives codes, but {next(s.name for s in specs if s.first)} "
                             "mixes affine images into them; drop it or use space: data.")
        if self.space == "latent" and any(MODELS[s.model].per_classifier for s in specs):
            raise ValueError(f"auto in {where} chooses among samples in data space; drop it or use space: data.")
        for classifier in as_list("classifiers"):
            check_choice(classifier, CLASSIFIERS, name=f"classifier in {where}")
        image_only = [c for c in self.classifiers if c in IMAGE_CLASSIFIERS]
        if image_only and self.space == "latent":
            raise ValueError(f"The {image_only[0]} classifier in {where} needs images, but space: latent gives it "
                             "latent codes; use space: data, or the svm, knn or mlp classifier.")
        seeds = as_list("seeds")
        for seed in seeds:
            check_seed(seed, name=f"each of seeds in {where}")
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"seeds in {where} must be distinct integers; got {seeds}.")
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", self.name):
            raise ValueError(f"name in {where} must be a plain folder name (letters, digits, '.', '_', '-'; no "
                             f"'/'), as it names the run folder; got {self.name!r}.")
        check_choice(self.space, SPACES, name=f"space in {where}")
        train_on = self.train_on if isinstance(self.train_on, list) else [self.train_on]
        if not train_on or len(set(map(str, train_on))) != len(train_on):
            raise ValueError(f"train_on in {where} must be 'both', 'generated' or a list of them without "
                             f"repeats; got {self.train_on!r}.")
        for target in train_on:
            check_choice(target, TRAIN_ON, name=f"train_on in {where}")
        if self.labelled_subsample is not None:
            check_positive(self.labelled_subsample, name="labelled_subsample", integer=True)
        reject_unknown(self.vae, VAE_SETTINGS, f"vae of {where}")
        reject_unknown(self.augmentation, AUGMENTATION_SETTINGS, f"augmentation of {where}")
        reject_unknown(self.classifier_options, CLASSIFIERS, f"classifier_options of {where}")
        for name, options in self.classifier_options.items():
            make_classifier(name, **options)  # raises on an unknown option
        self._check_variants(where)
        if not isinstance(self.per_dataset, dict):
            raise ValueError(f"per_dataset in {where} must map dataset names to settings; got {self.per_dataset!r}.")
        reject_unknown(self.per_dataset, self.datasets, f"per_dataset of {where} (it names datasets of the grid)")
        for dataset, own in self.per_dataset.items():
            at = f"per_dataset.{dataset} of {where}"
            if not isinstance(own, dict):
                raise ValueError(f"{at} must be a mapping of {', '.join(DATASET_SETTINGS)}; got {own!r}.")
            reject_unknown(own, DATASET_SETTINGS, at)
            reject_unknown(own.get("vae", {}), VAE_SETTINGS, f"vae of {at}")
            reject_unknown(own.get("augmentation", {}), AUGMENTATION_SETTINGS, f"augmentation of {at}")
        for dataset, variant in product(self.datasets, self.variant_names):
            settings = self.settings_for(dataset, variant)
            VAEAugmenter(**settings["vae"], **settings["augmentation"], device=self.device)._check_params()
            MultiVAEAugmenter(mix_in=settings["mix_in"])._template()  # raises on a bad mix_in
        self._check_paper(where)
        return self

    @property
    def variant_names(self) -> list:
        """The names of the variants, or ``[None]`` when the config has none."""
        return [variant["name"] for variant in self.variants] or [None]

    def settings_for(self, dataset, variant=None) -> dict:
        """The ``vae``, ``augmentation`` and ``mix_in`` of one dataset (a name, or a file's full path) and variant."""
        own = next((v for k, v in self.per_dataset.items() if k == dataset or _identity(k) == dataset), {})
        override = next((v for v in self.variants if v["name"] == variant), {})
        return {"vae": {**self.vae, **own.get("vae", {}), **{k: v for k, v in override.items() if k in VAE_SETTINGS}},
                "augmentation": {**self.augmentation, **own.get("augmentation", {}),
                                 **{k: v for k, v in override.items() if k in AUGMENTATION_SETTINGS}},
                "mix_in": override.get("mix_in", own.get("mix_in", self.mix_in))}

    def _check_variants(self, where):
        if not isinstance(self.variants, list):
            raise ValueError(f"variants in {where} must be a list of named settings; got {self.variants!r}.")
        for i, variant in enumerate(self.variants):
            at = f"variants[{i}] of {where}"
            if not isinstance(variant, dict) or not isinstance(variant.get("name"), str) or not variant["name"]:
                raise ValueError(f"{at} must be a mapping with a name (text) and settings, e.g. "
                                 f"{{name: beta-0.5, beta: 0.5}}; got {variant!r}.")
            reject_unknown(variant, ("name", "mix_in") + VAE_SETTINGS + AUGMENTATION_SETTINGS, at)
        names = [variant["name"] for variant in self.variants]
        if len(set(names)) != len(names):
            raise ValueError(f"variants in {where} must have distinct names; got {names}.")

    @property
    def columns(self) -> list[str]:
        """The method columns of the tables, in order: each method once per ``train_on`` target."""
        targets = self.train_on if isinstance(self.train_on, list) else [self.train_on]
        return [column_name(method, target) for method in self.methods for target in targets]

    def _check_paper(self, where):
        """The reference numbers, checked now so that a typo in them fails before the grid, not after it."""
        def mapping(value, at):
            if not isinstance(value, dict):
                raise ValueError(f"paper{at} in {where} must be a mapping; got {value!r}.")
            return value

        reject_unknown(mapping(self.paper, ""), ("source", "metric", "baseline", "results", "rows"),
                       f"paper of {where}")
        metric = check_choice(self.paper.get("metric", "accuracy"), METRICS, name=f"paper.metric in {where}")
        kind, low, high = METRICS[metric]

        def number(value, at):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                raise ValueError(f"paper{at} in {where} must be {kind} between {low} and {high}; got {value!r}.")

        columns = [BASELINE] + self.columns
        baseline = mapping(self.paper.get("baseline", {}), ".baseline")
        reject_unknown(baseline, self.classifiers, f"paper.baseline of {where}")
        for classifier, value in baseline.items():
            number(value, f".baseline.{classifier}")
        results = mapping(self.paper.get("results", {}), ".results")
        reject_unknown(results, self.classifiers, f"paper.results of {where}")
        for classifier, by_dim in results.items():
            for latent_dim, by_method in mapping(by_dim, f".results.{classifier}").items():
                if not str(latent_dim).isdigit():
                    raise ValueError(f"paper.results.{classifier} in {where} is keyed by latent size; got "
                                     f"{latent_dim!r}.")
                at = f".results.{classifier}.{latent_dim}"
                reject_unknown(mapping(by_method, at), columns, f"paper{at} of {where}")
                for method, value in by_method.items():
                    number(value, f"{at}.{method}")
        rows = self.paper.get("rows", [])
        if not isinstance(rows, list):
            raise ValueError(f"paper.rows in {where} must be a list of mappings; got {rows!r}.")
        protocols = expand_protocols(self.protocols)
        choices = {"dataset": self.datasets, "protocol": [p["label"] for p in protocols], "variant": self.variant_names,
                   "classifier": self.classifiers, "latent_dim": self.latent_dims}
        parameters = {k for p in protocols for k in p if k not in ("name", "label")}
        for i, row in enumerate(rows):
            at = f".rows[{i}]"
            reject_unknown(mapping(row, at), [*PAPER_SELECTORS, *sorted(parameters), *columns], f"paper{at} of {where}")
            for key, value in row.items():
                if key in choices and value not in choices[key]:
                    raise ValueError(f"paper{at}.{key} in {where} is {value!r}, which is not in the grid; "
                                     f"choose one of {choices[key]}.")
                if key in columns:
                    number(value, f"{at}.{key}")

    def reference(self, dataset, context, method):
        """The paper's number for ``method`` in the table row ``context`` (protocol, classifier, variant,
        latent_dim), in ``paper.metric``'s units, or None when the paper gives none."""
        specs = {p["label"]: p for p in expand_protocols(self.protocols)}
        cell = {"dataset": dataset, **context}

        def matches(key, value):
            if key == "dataset":
                return value == dataset or _identity(value) == dataset
            if key in PAPER_SELECTORS:
                return cell.get(key) == value or (key == "latent_dim" and str(cell.get(key)) == str(value))
            return specs.get(cell["protocol"], {}).get(key) == value  # a protocol parameter

        for row in _paper_rows(self.paper):
            if method in row and all(matches(k, v) for k, v in row.items()
                                     if k != method and k not in ([BASELINE] + self.columns)):
                return row[method]
        return None


def _paper_rows(paper) -> list[dict]:
    """``paper`` as rows of selectors and columns; its Table 2 form (``baseline``, ``results``) included."""
    rows = [{"classifier": c, BASELINE: value} for c, value in paper.get("baseline", {}).items()]
    rows += [{"classifier": c, "latent_dim": int(z), **by_method}
             for c, by_dim in paper.get("results", {}).items() for z, by_method in by_dim.items()]
    return rows + list(paper.get("rows", []))


def _identity(dataset) -> str:
    """How the grid names a dataset: a named one by its name, a file by its full path (two data.npz differ)."""
    return dataset if dataset in NAMED else str(Path(dataset).resolve())


def load_config(path, overrides=()):
    """The config in a YAML file: an ``ExperimentConfig``, or with ``task: denoising`` a ``DenoisingStudyConfig``.

    ``overrides`` are ``"KEY=VALUE"`` strings applied first, VALUE read as YAML
    and KEY dotted for nested settings (``seeds=[0]``, ``vae.max_epochs=5``):
    the documented subsample of a costly config is the config plus overrides.
    """
    from .denoising_study import DenoisingStudyConfig  # it builds on this module

    raw = read_yaml(path)
    for override in overrides:
        key, sep, value = override.partition("=")
        if not sep or not key:
            raise ValueError(f"--set takes KEY=VALUE (e.g. seeds=[0] or vae.max_epochs=5); got {override!r}.")
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise ValueError(f"The value of --set {key} is not YAML ({error.problem}); quote lists as "
                             f"'{key}=[1, 2]'.") from None
        *parents, leaf = key.split(".")
        target = raw if isinstance(raw, dict) else {}
        for parent in parents:
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise ValueError(f"--set {key}: {parent} in {path} is not a mapping.")
        target[leaf] = value
    if isinstance(raw, dict) and raw.get("task") == "denoising":
        return DenoisingStudyConfig.from_dict(raw, where=str(path))
    return ExperimentConfig.from_dict(raw, where=str(path))


def expand_protocols(protocols) -> list[dict]:
    """Protocol specs with every list-valued parameter expanded (``labelled_per_class: [2, 5]`` -> two)."""
    expanded = []
    for protocol in protocols:
        spec = check_protocol(protocol)
        label = protocol if isinstance(protocol, str) else None
        sweeps = {k: v for k, v in spec.items() if isinstance(v, list) and k != "fractions"}
        for values in product(*sweeps.values()):
            one = {**spec, **dict(zip(sweeps, values))}
            one["label"] = label or " ".join([one["name"]] + [f"{k}={one[k]}" for k in one if k != "name"])
            expanded.append(one)
    return expanded


def _spec(protocol):
    return {k: v for k, v in protocol.items() if k != "label"}


def _key(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _subsample(split, y, n, seed):
    """Keep a stratified ``n`` of the labelled samples; the others become unlabelled."""
    if n is None or n >= len(split.labelled):
        return split
    kept, moved = train_test_split(split.labelled, train_size=n, stratify=y[split.labelled], random_state=seed)
    return split._replace(labelled=np.sort(kept), unlabelled=np.sort(np.concatenate([split.unlabelled, moved])))


def split_for(config, data, protocol, seed):
    """The split of one (dataset, protocol, seed): the protocol's, then ``labelled_subsample``."""
    return _subsample(make_split(data, _spec(protocol), random_state=seed), data.y,
                      config.labelled_subsample, seed)


def _digest(indices) -> str:
    return hashlib.sha1(np.ascontiguousarray(indices, dtype=np.int64).tobytes()).hexdigest()[:16]


def fitted_model(config, data, split, protocol, seed, latent_dim, cache, kind="vae", progress=False, variant=None,
                 built_on=None):
    """The model of ``kind`` (see :data:`vaeaug.methods.MODELS`) for one (dataset, split, seed, latent size, variant).

    Loaded from ``cache`` or trained and saved there. The single VAE learns
    from the labelled and unlabelled samples together, without labels, so it
    is keyed by those samples (in index order), not by the protocol: the
    protocols of a few-shot sweep share one VAE per seed. The class VAEs learn
    from the labelled samples and their labels. Returns the model, set to this
    config's generation settings, and, when it was trained now, a record of the
    training. A kind built on another (``auto`` on the VAE) takes that fitted
    model as ``built_on``.
    """
    estimator = MODELS[kind].estimator
    settings = config.settings_for(data.name, variant)
    generation = {"space": config.space, "verbose": progress, **settings["augmentation"]}
    if MODELS[kind].saved_file is None:  # a baseline: nothing to train or keep
        model = estimator(random_state=seed, **({"augmenter": built_on} if MODELS[kind].built_on else {}))
        if MODELS[kind].learns_from == "pool":  # the unlabelled samples, with the labels the benchmark knows
            model.fit(data.X[split.unlabelled], data.y[split.unlabelled])
        return set_generation(model, kind, **generation), None
    if kind == "vae":
        learns_from = np.union1d(split.labelled, split.unlabelled)
        key = _key(data.name, _digest(learns_from), _digest(split.validation), seed, latent_dim, settings["vae"])
    else:
        key = _key(data.name, _digest(split.labelled), _digest(split.validation), seed, latent_dim,
                   settings["vae"], kind, settings["mix_in"])
    folder = Path(cache) / key
    if (folder / MODELS[kind].saved_file).is_file():  # written last by save(), so the model is whole
        # The cache key covers what shapes the model; how it generates is this config's.
        return set_generation(estimator.load(folder, device=config.device), kind, **generation), None
    started = time.perf_counter()
    single = VAEAugmenter(latent_dim=latent_dim, device=config.device, random_state=seed, **generation,
                          **settings["vae"])
    validation = data.X[split.validation] if len(split.validation) else None
    if kind == "vae":
        model = single.fit(data.X[learns_from], X_validation=validation)
    else:
        model = MultiVAEAugmenter(single, mix_in=settings["mix_in"], random_state=seed).fit(
            data.X[split.labelled], data.y[split.labelled])
    model.save(folder)
    epochs = [len(a.history_.train_loss) for a in getattr(model, "augmenters_", [model])]
    return model, {"key": key, "kind": kind, "dataset": data.name, "protocol": protocol["label"], "seed": seed,
                   "latent_dim": latent_dim, "variant": variant, "seconds": round(time.perf_counter() - started, 2),
                   "epochs": max(epochs), "best_epoch": getattr(getattr(model, "history_", None), "best_epoch", None)}


_CELL_KEYS = ("dataset", "protocol", "latent_dim", "variant", "method", "classifier", "seed")


def _read_results(path) -> dict:
    """A run's ``results.json``, checked enough to resume from: damaged or hand-edited files are an error."""
    fix = "restore it, or start a new run without --resume"
    results = read_json(path, keys=("config", "complete", "records", "vaes"), fix=fix)
    records, vaes = results["records"], results["vaes"]
    if not isinstance(records, list) or not isinstance(vaes, list) or not all(
            isinstance(r, dict) and all(k in r for k in _CELL_KEYS if k != "variant")
            and all(isinstance(r.get(m), (int, float)) for m in ("accuracy", "f1_weighted")) for r in records):
        raise ValueError(f"{path} has records that are not vaeaug cells (edited by hand?); {fix}.")
    return results


def _cell_id(record):
    return json.dumps([record.get(k) for k in _CELL_KEYS])  # runs from before variants have none


def run_experiment(config: ExperimentConfig, run_dir, *, data_dir=None, vae_cache=None, progress=True,
                   log=print):
    """Run every cell of ``config`` not already in ``run_dir/results.json``; return the results.

    ``data_dir`` (else the config's) is where dataset files are looked for first;
    ``vae_cache`` (default ``run_dir/vaes``) holds trained VAEs for reuse.
    """
    config.validate()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(vae_cache) if vae_cache else run_dir / "vaes"
    results_file = run_dir / "results.json"
    # Compared as JSON, as saved: JSON turns the paper table's integer keys into strings.
    saved_config = json.loads(json.dumps(asdict(config)))
    results = {"config": saved_config, "complete": False, "records": [], "vaes": []}
    if results_file.is_file():
        previous = _read_results(results_file)
        if previous.get("config") != saved_config:
            raise ValueError(f"{run_dir} holds a run of a different configuration; resume it with the same "
                             "config and options, or start a new run folder.")
        results = previous
    done = {_cell_id(r) for r in results["records"]}
    protocols = expand_protocols(config.protocols)
    targets = config.train_on if isinstance(config.train_on, list) else [config.train_on]

    def columns_of(methods):
        return [column_name(method, target) for method in methods for target in targets]

    # In data space the baseline, and the baselines that need no VAE (smote, affine, real), are one cell per
    # classifier, not one per latent size and variant.
    without_vae = [m for m in config.methods
                   if config.space == "data" and MODELS[parse_method(m).model].latent_space is None]
    with_vae = [m for m in config.methods if m not in without_vae]
    baseline_dims = config.latent_dims if config.space == "latent" else [None]
    baseline_variants = config.variant_names if config.space == "latent" else [None]
    models_per_seed = len(config.latent_dims) * len(config.variant_names)
    per_seed = len(config.classifiers) * (len(baseline_dims) * len(baseline_variants) + len(columns_of(without_vae))
                                          + models_per_seed * len(columns_of(with_vae)))
    total = len(config.datasets) * len(protocols) * len(config.seeds) * per_seed
    bar = tqdm(total=total, initial=len(done), desc="cells", unit="cell", disable=not progress)

    def finish(record, started):
        record["seconds"] = round(time.perf_counter() - started, 2)
        results["records"].append(record)
        done.add(_cell_id(record))
        report.write_json_atomic(results_file, results)
        bar.update(1)

    def cell(data, protocol, seed, latent_dim, variant, method, classifier):
        return {"dataset": data.name, "protocol": protocol["label"], "latent_dim": latent_dim, "variant": variant,
                "method": method, "classifier": classifier, "seed": seed}

    def new_classifier(name, seed):
        return make_classifier(name, random_state=seed, device=config.device,
                               **config.classifier_options.get(name, {}))

    def score(record, data, split, X_train, y_train, X_test, started, generation=None):
        if _cell_id(record) in done:
            return
        model = new_classifier(record["classifier"], record["seed"])
        scores = score_classifier(model, X_train, y_train, X_test, data.y[split.test])
        finish({**record, "n_train": len(X_train), **scores, **({"generated": generation} if generation else {})},
               started)

    def pending(data, protocol, seed, dims, variants, methods):
        return any(_cell_id(cell(data, protocol, seed, z, v, m, c)) not in done
                   for z in dims for v in variants for m in methods for c in config.classifiers)

    def model_source(data, split, protocol, seed, latent_dim, variant):
        """``model_of(kind)``: the fitted model of a kind for this cell's latent size and variant, made once."""
        models = {}

        def model_of(kind):
            if kind not in models:
                base = MODELS[kind].built_on
                models[kind], trained = fitted_model(config, data, split, protocol, seed, latent_dim, cache, kind,
                                                     progress, variant, model_of(base) if base else None)
                if trained:
                    results["vaes"].append(trained)
            return models[kind]
        return model_of

    def run_method(method, data, split, protocol, seed, latent_dim, variant, model_of, labelled, features_lab,
                   features_test):
        """Generate with ``method`` from ``labelled`` (X, y), then score every classifier on each target.

        The samples are made once, or once per classifier for a kind fitted per
        classifier (``auto``, which keeps its choice and CV table in the record).
        """
        if not pending(data, protocol, seed, [latent_dim], [variant], columns_of([method])):
            return
        spec = parse_method(method)
        kind = MODELS[spec.model]
        X_lab, y_lab = labelled
        made = {}

        def generated(classifier):
            key = classifier if kind.per_classifier else None
            if key not in made:
                model = configure(model_of(spec.model), spec)
                if kind.per_classifier:
                    model.set_params(classifier=new_classifier(classifier, seed)).fit(X_lab, y_lab)
                X_new, y_new = model.generate(X_lab, y_lab)
                if config.space == "latent" and kind.latent_space is None:
                    X_new = model_of("vae").encode(X_new)  # a baseline's samples, as codes like the rest
                made[key] = X_new, y_new, {k: model.generation_report_[k] for k in GENERATION_KEYS
                                           if k in model.generation_report_}
            return made[key]

        started = time.perf_counter()
        for target, classifier in product(targets, config.classifiers):
            record = cell(data, protocol, seed, latent_dim, variant, column_name(method, target), classifier)
            if _cell_id(record) in done:
                continue
            X_new, y_new, generation = generated(classifier)
            if target == "generated":
                X_train, y_train = X_new, y_new
            else:
                X_train, y_train = np.concatenate([features_lab, X_new]), np.concatenate([y_lab, y_new])
            score(record, data, split, X_train, y_train, features_test, started, generation)
            started = time.perf_counter()

    for dataset_name in config.datasets:
        data = replace(load(dataset_name, data_dir or config.data_dir), name=_identity(dataset_name))
        image_only = [c for c in config.classifiers if c in IMAGE_CLASSIFIERS]
        if image_only and data.X.ndim < 3:
            raise ValueError(f"The {image_only[0]} classifier needs images, but {dataset_name} holds feature "
                             f"vectors (shape {data.X.shape}); drop it for this dataset, or use svm, knn or mlp.")
        for protocol, seed in product(protocols, config.seeds):
            if not pending(data, protocol, seed, baseline_dims, baseline_variants,
                           [BASELINE] + columns_of(without_vae)) and \
                    not pending(data, protocol, seed, config.latent_dims, config.variant_names, columns_of(with_vae)):
                continue
            split = split_for(config, data, protocol, seed)
            X_lab, y_lab, X_test = data.X[split.labelled], data.y[split.labelled], data.X[split.test]
            if config.space == "data":
                for classifier in config.classifiers:
                    score(cell(data, protocol, seed, None, None, BASELINE, classifier), data, split, X_lab, y_lab,
                          X_test, time.perf_counter())
                model_of = model_source(data, split, protocol, seed, None, None)
                for method in without_vae:
                    run_method(method, data, split, protocol, seed, None, None, model_of, (X_lab, y_lab), X_lab,
                               X_test)
            for latent_dim, variant in product(config.latent_dims, config.variant_names):
                methods_here = columns_of(with_vae) + ([BASELINE] if config.space == "latent" else [])
                if not pending(data, protocol, seed, [latent_dim], [variant], methods_here):
                    continue
                model_of = model_source(data, split, protocol, seed, latent_dim, variant)
                features_lab, features_test = X_lab, X_test
                if config.space == "latent":
                    features_lab, features_test = model_of("vae").encode(X_lab), model_of("vae").encode(X_test)
                    for classifier in config.classifiers:
                        score(cell(data, protocol, seed, latent_dim, variant, BASELINE, classifier), data, split,
                              features_lab, y_lab, features_test, time.perf_counter())
                for method in with_vae:
                    run_method(method, data, split, protocol, seed, latent_dim, variant, model_of, (X_lab, y_lab),
                               features_lab, features_test)
    bar.close()
    results["complete"] = True
    report.write_json_atomic(results_file, results)
    report.write_tables(config, results, run_dir, log, reference=config.reference,
                        metric=config.paper.get("metric", "accuracy"), source=config.paper.get("source", "paper"))
    return results
