"""An experiment's config: a grid of dataset x protocol x latent size x method x classifier x seed.

An experiment is data, a YAML file (see ``configs/``), checked up front so that a
typo fails in a second, not after hours. The runner (:mod:`vaeaug.experiments.runner`)
trains each model once (:mod:`vaeaug.experiments.cache`) and writes every finished
cell at once (:mod:`vaeaug.experiments.results`), so an interrupted grid resumes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import train_test_split

from .._typing import PathType
from .._files import check_exists, read_yaml
from .._settings import CONDITIONAL, MULTI_VAE, VAE, section
from .._choices import CLASSIFIERS, IMAGE_CLASSIFIERS, PAPER_CLASSIFIERS, PAPER_METHODS, SCALINGS, SPACES, TRAIN_ON
from .._validation import (build_config, check_choice, check_distinct, check_field_types, check_fits, check_params,
                           check_positive, check_seed, reject_unknown)
from ..classifiers import make_classifier
from ..data.datasets import NAMED, dataset_identity
from ..data.protocols import expand_protocols, make_split
from ..generation.augmenter import GENERATION_SETTINGS, VAEAugmenter
from ..generation.auto import AutoAugmenter
from ..generation.candidates import check_candidates
from ..generation.conditional import ConditionalAugmenter
from ..generation.multivae import MultiVAEAugmenter
from ..generation.kinds import kind_of
from ..generation.registry import parse_method
from ..report.tables import BASELINE, GENERATED_ONLY
from .denoising import DenoisingStudyConfig
from .execution import check_execution
from .reference import check_reference, reference_number

__all__ = ["ExperimentConfig", "load_config", "parse_override", "apply_override", "split_for", "column_name"]

# A config's ``vae`` settings shape the trained VAE; its ``augmentation`` settings are how it generates. The
# method name gives the method and filter, and ``space`` is the config's own; the latent size is an axis.
VAE_SETTINGS = tuple(p for p in section(VAE) if p != "latent_dim")  # the latent size is an axis of the grid
AUGMENTATION_SETTINGS = tuple(p for p in GENERATION_SETTINGS if p not in ("method", "filter", "space"))
DATASET_SETTINGS = ("vae", "augmentation", "mix_in")
# The conditional model's settings (conditional-prior, style-transfer, pseudo-label, +agree): one set per config.
CONDITIONAL_SETTINGS = tuple(section(CONDITIONAL))
# How ``auto`` (and ``teacher``) chooses: its folds, its margin, whether the conditional model's methods are
# candidates (one conditional model trained per fold), how many unlabelled samples its labellers label.
AUTO_SETTINGS = ("cv", "margin", "conditional", "candidates", "max_pool", "cv_pool", "halving_factor")


def column_name(method, train_on="both") -> str:
    """A table column (and a record's ``method``): the method, marked when it trained on generated samples alone."""
    return method if train_on == "both" else f"{method}{GENERATED_ONLY}"


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

    ``scale_features`` standardises each feature before the SVM, kNN and MLP (a scaler fitted on each cell's
    training rows, originals and generated): ``auto`` for tabular datasets, whose features can have any scale
    (and their codes, in latent space), not for images, whose pixels keep the paper's [0, 1] and whose codes
    the paper's scale; ``true`` or ``false`` always. See :func:`vaeaug.evaluation.score_classifier`.

    ``auto`` sets how the ``auto`` column chooses: ``{cv: 3, margin: 0.01}``, ``candidates`` (a list of
    ``{method, alpha, n_per_sample}``, instead of the default grid), and ``conditional: true`` to make the
    conditional model's methods candidates (``conditional-prior+agree``, ``pseudo-label``, ``style-transfer``;
    a conditional model trained in each fold with the ``conditional`` settings, so costlier); ``max_pool``
    caps the unlabelled samples that ``auto``'s, ``teacher``'s and ``self-training``'s labellers label (a random
    subset), ``cv_pool`` those they label in folds; ``halving_factor: 3``: successive halving (docs/yaml.md).

    ``execution`` says how the grid runs, not what it computes: ``{jobs: 4}``
    runs independent groups of cells in 4 processes (joblib's loky backend),
    ``{jobs: 8, backend: dask, scheduler: tcp://host:8786}`` on a Dask cluster
    (or ``ray``). Results are the same with any setting, so a run may resume
    with another.

    ``methods`` are names read by :func:`vaeaug.generation.registry.parse_method`
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
    mix_in: float = MULTI_VAE.mix_in
    labelled_subsample: int | None = None
    vae: dict = field(default_factory=dict)
    variants: list[dict] = field(default_factory=list)
    augmentation: dict = field(default_factory=dict)
    per_dataset: dict = field(default_factory=dict)
    classifier_options: dict = field(default_factory=dict)
    conditional: dict = field(default_factory=dict)
    auto: dict = field(default_factory=dict)
    paper: dict = field(default_factory=dict)
    scale_features: str | bool = "auto"
    data_dir: str | None = None
    label_column: str = "label"  # a table's label column
    unlabelled: str | None = None  # a second file of the one dataset's kind: its rows, without labels, join it
    device: str = "auto"
    execution: dict = field(default_factory=dict)  # how it runs, not what: {jobs, backend, scheduler}

    @classmethod
    def from_dict(cls, raw: dict, *, where: str = "the config") -> ExperimentConfig:
        return build_config(cls, raw, where)

    @classmethod
    def from_yaml(cls, path: PathType) -> ExperimentConfig:
        return cls.from_dict(read_yaml(path), where=str(path))

    def validate(self, where: str = "the config") -> ExperimentConfig:
        """Check every setting now, so that a typo fails before the grid runs, not hours into it."""
        check_field_types(self, where)
        self._check_grid(where)
        self._check_methods(where)
        self._check_variants(where)
        self._check_settings(where)
        self._check_paper(where)
        check_execution(self.execution, where)
        return self

    def _list(self, name, where) -> list:
        value = getattr(self, name)
        if not isinstance(value, list) or not value:
            raise ValueError(f"{name} in {where} must be a non-empty list; got {value!r}.")
        return value

    def _check_grid(self, where):
        """The axes of the grid: datasets, protocols, latent sizes, classifiers, seeds; the name and space."""
        for dataset in self._list("datasets", where):
            if dataset not in NAMED and not Path(dataset).exists():
                check_exists(dataset, "Dataset ")
                raise ValueError(f"Unknown dataset {dataset!r} in {where}; choose one of "
                                 f"{', '.join(NAMED)}, or give the path of a file or image folder.")
        check_distinct(self.datasets, name=f"datasets in {where}", key=dataset_identity)
        if self.unlabelled is not None:
            check_exists(self.unlabelled, f"unlabelled in {where}: ")
            if len(self.datasets) != 1:
                raise ValueError(f"unlabelled in {where} adds rows to one dataset, and the grid has "
                                 f"{len(self.datasets)}; give one dataset, or mark unlabelled rows in each file (an "
                                 "empty label, or y = -1 in an .npz).")
        protocols = expand_protocols(self._list("protocols", where))
        check_distinct([p["label"] for p in protocols], name=f"the protocols in {where}")
        for z in self._list("latent_dims", where):
            check_positive(z, name="each of latent_dims", integer=True)
        check_distinct(self.latent_dims, name=f"latent_dims in {where}")
        for classifier in self._list("classifiers", where):
            check_choice(classifier, CLASSIFIERS, name=f"classifier in {where}")
        check_distinct(self.classifiers, name=f"classifiers in {where}")
        image_only = [c for c in self.classifiers if c in IMAGE_CLASSIFIERS]
        if image_only and self.space == "latent":
            raise ValueError(f"The {image_only[0]} classifier in {where} needs images, but space: latent gives it "
                             "latent codes; use space: data, or the svm, knn or mlp classifier.")
        seeds = self._list("seeds", where)
        for seed in seeds:
            check_seed(seed, name=f"each of seeds in {where}")
        check_distinct(seeds, name=f"seeds in {where}")
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", self.name):
            raise ValueError(f"name in {where} must be a plain folder name (letters, digits, '.', '_', '-'; no "
                             f"'/'), as it names the run folder; got {self.name!r}.")
        check_choice(self.space, SPACES, name=f"space in {where}")
        check_choice(self.scale_features, SCALINGS, name=f"scale_features in {where}")
        train_on = self.train_on if isinstance(self.train_on, list) else [self.train_on]
        if not train_on or len(set(map(str, train_on))) != len(train_on):
            raise ValueError(f"train_on in {where} must be 'both', 'generated' or a list of them without "
                             f"repeats; got {self.train_on!r}.")
        for target in train_on:
            check_choice(target, TRAIN_ON, name=f"train_on in {where}")
        if self.labelled_subsample is not None:
            check_positive(self.labelled_subsample, name="labelled_subsample", integer=True)

    def _check_methods(self, where):
        """Each method name parses, none repeats, and each can work in the config's space."""
        methods = self.methods  # an empty list runs the baselines alone (e.g. to choose a classifier)
        if not isinstance(methods, list):
            raise ValueError(f"methods in {where} must be a list (empty for baselines only); got {methods!r}.")
        if len(set(methods)) != len(methods) or BASELINE in methods:
            raise ValueError(f"methods in {where} must be distinct and must not name {BASELINE!r} (every table "
                             f"has a baseline column); got {methods}.")
        specs = [parse_method(method) for method in methods]
        if self.space == "latent" and any(kind_of(s).per_class_spaces for s in specs):
            raise ValueError(f"space: latent in {where} needs one shared latent space, but multi-vae has one per "
                             "class; drop the multi-vae methods or use space: data.")
        if self.space == "latent" and any(s.first for s in specs):
            raise ValueError(f"space: latent in {where} gives codes, but {next(s.name for s in specs if s.first)} "
                             "mixes affine images into them; drop it or use space: data.")
        if self.space == "latent" and any(kind_of(s).per_classifier for s in specs):
            raise ValueError(f"{next(s.name for s in specs if kind_of(s).per_classifier)} in {where} is fitted per "
                             "classifier on samples in data space; drop it or use space: data.")

    def _check_settings(self, where):
        """The VAE's, the augmentation's and the classifiers' settings, overall and per dataset and variant."""
        reject_unknown(self.vae, VAE_SETTINGS, f"vae of {where}")
        reject_unknown(self.augmentation, AUGMENTATION_SETTINGS, f"augmentation of {where}")
        reject_unknown(self.classifier_options, CLASSIFIERS, f"classifier_options of {where}")
        if not isinstance(self.conditional, dict):
            raise ValueError(f"conditional in {where} must be a mapping of the conditional model's settings, e.g. "
                             f"{{epochs: 30}}; got {self.conditional!r}.")
        reject_unknown(self.conditional, CONDITIONAL_SETTINGS, f"conditional of {where}")
        check_params(ConditionalAugmenter, self.conditional, where=where)
        if not isinstance(self.auto, dict):
            raise ValueError(f"auto in {where} must be a mapping of how auto chooses, e.g. {{conditional: true}}; "
                             f"got {self.auto!r}.")
        reject_unknown(self.auto, AUTO_SETTINGS, f"auto of {where}")
        if not isinstance(self.auto.get("conditional", False), bool):
            raise ValueError(f"auto.conditional in {where} must be true or false; got {self.auto['conditional']!r}.")
        check_params(AutoAugmenter, {k: v for k, v in self.auto.items() if k not in ("conditional", "candidates")},
                     where=f"auto of {where}")
        if "candidates" in self.auto:
            check_candidates(self.auto["candidates"], where=f"auto.candidates in {where}")
        for name, options in self.classifier_options.items():
            if not isinstance(options, dict):
                raise ValueError(f"classifier_options.{name} in {where} must be a mapping of the classifier's "
                                 f"parameters, e.g. {{n_neighbors: 5}}; got {options!r}.")
            make_classifier(name, **options)  # raises on an unknown option
        if not isinstance(self.per_dataset, dict):
            raise ValueError(f"per_dataset in {where} must map dataset names to settings; got {self.per_dataset!r}.")
        reject_unknown(self.per_dataset, self.datasets, f"per_dataset of {where} (it names datasets of the grid)")
        for dataset, own in self.per_dataset.items():
            at = f"per_dataset.{dataset} of {where}"
            if not isinstance(own, dict):
                raise ValueError(f"{at} must be a mapping of {', '.join(DATASET_SETTINGS)}; got {own!r}.")
            reject_unknown(own, DATASET_SETTINGS, at)
            for key in ("vae", "augmentation"):
                if not isinstance(own.get(key, {}), dict):
                    raise ValueError(f"{key} of {at} must be a mapping of settings; got {own[key]!r}.")
            reject_unknown(own.get("vae", {}), VAE_SETTINGS, f"vae of {at}")
            reject_unknown(own.get("augmentation", {}), AUGMENTATION_SETTINGS, f"augmentation of {at}")
        for dataset, variant in product(self.datasets, self.variant_names):
            settings = self.settings_for(dataset, variant)
            check_params(VAEAugmenter, {**settings["vae"], **settings["augmentation"], "device": self.device},
                         where=where)
            check_params(MultiVAEAugmenter, {"mix_in": settings["mix_in"]}, where=where)
            hidden = settings["vae"].get("hidden_units", VAE.hidden_units)
            for z in self.latent_dims:  # its latent layers alone, before the data says how big the rest is
                check_fits(6 * 4 * 3 * z * hidden, what=f"A VAE with latent size {z} and {hidden} hidden units",
                           fix=f"use smaller latent_dims or vae.hidden_units in {where}")

    @property
    def variant_names(self) -> list:
        """The names of the variants, or ``[None]`` when the config has none."""
        return [variant["name"] for variant in self.variants] or [None]

    def settings_for(self, dataset: str, variant: dict | None = None) -> dict:
        """The ``vae``, ``augmentation`` and ``mix_in`` of one dataset (a name, or a file's full path) and variant."""
        own = next((v for k, v in self.per_dataset.items() if k == dataset or dataset_identity(k) == dataset), {})
        override = next((v for v in self.variants if v["name"] == variant), {})
        return {"vae": {**self.vae, **own.get("vae", {}), **{k: v for k, v in override.items() if k in VAE_SETTINGS}},
                "augmentation": {**self.augmentation, **own.get("augmentation", {}),
                                 **{k: v for k, v in override.items() if k in AUGMENTATION_SETTINGS}},
                "mix_in": override.get("mix_in", own.get("mix_in", self.mix_in)), "conditional": self.conditional}

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
        check_reference(self, where)

    def reference(self, dataset: str, context: dict, method: str) -> float | None:
        """The paper's number for ``method`` in the table row ``context`` (protocol, classifier, variant,
        latent_dim), in ``paper.metric``'s units, or None when the paper gives none."""
        return reference_number(self, dataset, context, method)


def parse_override(override) -> tuple[str, object]:
    """``"KEY=VALUE"`` -> (KEY, VALUE read as YAML): ``seeds=[0]``, ``vae.max_epochs=5``."""
    key, sep, value = str(override).partition("=")
    if not sep or not key:
        raise ValueError(f"--set takes KEY=VALUE (e.g. seeds=[0] or vae.max_epochs=5); got {override!r}.")
    try:
        return key, yaml.safe_load(value)
    except yaml.YAMLError as error:
        raise ValueError(f"The value of --set {key} is not YAML ({error.problem}); quote lists as "
                         f"'{key}=[1, 2]'.") from None


def apply_override(raw, key, value) -> None:
    """Set the dotted ``key`` of the config mapping ``raw`` to ``value``; a number in the key indexes a list
    (``protocols.0.labelled_per_class``)."""
    *parents, leaf = key.split(".")
    target = raw
    for part in parents:
        target = _child(target, part, key)
        if not isinstance(target, (dict, list)):
            raise ValueError(f"--set {key}: {part} is not a mapping in the config.")
    if isinstance(target, list):
        _index(target, leaf, key)
        target[int(leaf)] = value
    else:
        target[leaf] = value


def _index(items, part, key) -> int:
    if not part.isdigit() or int(part) >= len(items):
        raise ValueError(f"--set {key}: {part!r} is not an index of that list (it has {len(items)} items).")
    return int(part)


def _child(target, part, key):
    if isinstance(target, list):
        return target[_index(target, part, key)]
    return target.setdefault(part, {}) if isinstance(target, dict) else None


def load_config(path: PathType, overrides: Iterable[str] = ()) -> ExperimentConfig | DenoisingStudyConfig:
    """The config in a YAML file: an ``ExperimentConfig``, or with ``task: denoising`` a ``DenoisingStudyConfig``.

    ``overrides`` are ``"KEY=VALUE"`` strings applied first, VALUE read as YAML
    and KEY dotted for nested settings (``seeds=[0]``, ``vae.max_epochs=5``):
    the documented subsample of a costly config is the config plus overrides.
    """
    raw = read_yaml(path)
    for override in overrides:
        if not isinstance(raw, dict):
            break  # build_config says what is wrong with the file
        apply_override(raw, *parse_override(override))
    if isinstance(raw, dict) and raw.get("task") == "denoising":
        return DenoisingStudyConfig.from_dict(raw, where=str(path))
    return ExperimentConfig.from_dict(raw, where=str(path))


def _spec(protocol):
    return {k: v for k, v in protocol.items() if k != "label"}


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
