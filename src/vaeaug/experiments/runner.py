"""The experiment runner: plan the cells, train or reuse the models they need, score them, write the results.

A cell is one (dataset, protocol, seed, latent size, variant, method column,
classifier): a classifier trained on the labelled samples, with or without the
samples a method made, and scored on the test split. In data space the
baseline and the baselines that need no VAE (smote, affine, real) are one cell
per classifier, not one per latent size and variant.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby, product, zip_longest
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import delayed
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from .._typing import PathType
from .._choices import OWN_CLASSIFIER
from .._settings import EXECUTION
from ..classifiers import make_classifier
from ..evaluation import score_classifier, takes_weights, test_scores
from ..generation.auto import labels_for
from ..generation.chain import configure
from ..generation.kinds import KIND_OF
from ..generation.registry import SINGLE_VAE, MethodSpec, parse_method
from ..report import figures, tables
from ..report.quality import sample_quality
from ..vae.loop import bar_disable, torch_threads
from .context import cell_context, data_folder, load_grid_dataset
from ..data.datasets import dataset_identity
from ..data.protocols import expand_protocols
from .config import AUGMENTATION_SETTINGS, BASELINE, ExperimentConfig, column_name
from .execution import execution_context, parallel, threads_per_worker
from .results import ResultStore, cell_id

logger = logging.getLogger(__name__)

__all__ = ["Cell", "plan_cells", "run_experiment"]

# What a record keeps of a generator's report: the amount, the filter's rate, and auto's choice and CV table
# (and, from the runner, the samples' quality: vaeaug.report.quality).
GENERATION_KEYS = ("made", "requested", "acceptance_rate", "choice", "cv")


@dataclass(frozen=True)
class Cell:
    """One cell of the grid: a ``column`` of the table (its record's ``method``), and the parsed method it
    trains with (``spec``; None for the baseline)."""

    dataset: str
    protocol: dict
    seed: int
    latent_dim: int | None
    variant: str | None
    column: str
    classifier: str
    spec: MethodSpec | None = None  # the parsed method; None: the baseline, on the labelled samples alone
    target: str = "both"  # train on the labelled and generated samples, or the "generated" alone

    @property
    def record(self) -> dict:
        return {"dataset": self.dataset, "protocol": self.protocol["label"], "latent_dim": self.latent_dim,
                "variant": self.variant, "method": self.column, "classifier": self.classifier, "seed": self.seed}

    @property
    def key(self) -> str:
        return cell_id(self.record)


def plan_cells(config: ExperimentConfig) -> list[Cell]:
    """Every cell of ``config``'s grid, in the order the runner scores them.

    Per (dataset, protocol, seed): in data space the baseline and the methods
    that need no VAE first, then per (latent size, variant) the rest (and in
    latent space the baseline, on the codes).
    """
    targets = config.train_on if isinstance(config.train_on, list) else [config.train_on]
    in_data = config.space == "data"
    specs = {method: parse_method(method) for method in config.methods}  # once, for every cell
    without_vae = [m for m in config.methods if in_data and KIND_OF[specs[m].kind].latent_space is None
                   and KIND_OF[specs[m].kind].built_on is None]
    with_vae = [m for m in config.methods if m not in without_vae]

    def cells(dataset, protocol, seed, latent_dim, variant, methods, baseline):
        out = [Cell(dataset, protocol, seed, latent_dim, variant, BASELINE, c) for c in config.classifiers
               if baseline]
        for method in methods:
            out += [Cell(dataset, protocol, seed, latent_dim, variant, column_name(method, target), classifier,
                         specs[method], target) for target, classifier in product(targets, config.classifiers)]
        return out

    # A variant that changes how samples are made (the amount, alpha) changes the baselines' samples too, so
    # they run per variant; variants of the VAE alone leave them as they are, and they run once.
    per_variant = any(set(variant) & set(AUGMENTATION_SETTINGS) for variant in config.variants)
    plan = []
    for dataset, protocol, seed in product(map(dataset_identity, config.datasets),
                                           expand_protocols(config.protocols), config.seeds):
        if in_data:
            plan += cells(dataset, protocol, seed, None, None, [] if per_variant else without_vae, baseline=True)
            for variant in config.variant_names if per_variant else []:
                plan += cells(dataset, protocol, seed, None, variant, without_vae, baseline=False)
        for latent_dim, variant in product(config.latent_dims, config.variant_names):
            plan += cells(dataset, protocol, seed, latent_dim, variant, with_vae, baseline=not in_data)
    return plan


def _generate(config, cell, models, labelled, made, pool, codec=None):
    """The samples ``cell``'s method makes from ``labelled`` (X, y): once per method, or once per classifier
    for a kind fitted per classifier (``auto``, whose choice and CV table go into the record). A table read
    through a ``codec`` gets rows it could hold: valid categories, integers, values in range."""
    spec = cell.spec
    kind = KIND_OF[spec.kind]
    model = configure(models(spec.kind), spec)
    if not kind.per_classifier:  # the teacher chooses for its classifier itself
        model = labels_for(model, takes_weights(_classifier(config, cell.classifier, cell.seed)))
    key = (spec.name, cell.classifier if kind.per_classifier else None, getattr(model, "soft_labels", None))
    if key not in made:
        if kind.per_classifier:
            model = kind.fit_for_classifier(model, _classifier(config, cell.classifier, cell.seed), labelled,
                                            config.auto, models, pool)
        reads_table = codec is not None and kind.reads_tables  # SMOTE-NC or a rival: its text as text
        if reads_table:
            rows, y_new = model.generate(codec.inverse_transform(labelled[0]), labelled[1])
            # within each column's range and decimals, as every generated row is
            X_new = codec.transform(rows) if len(rows) else labelled[0][:0]
            rows = codec.inverse_transform(X_new) if len(rows) else rows
        else:
            X_new, y_new = model.generate(*labelled, **kind.generate_inputs(pool))
            # rows the table could hold: valid categories, integers, values in range
            rows = codec.inverse_transform(X_new) if codec is not None and config.space == "data" else None
        # judged beside the labelled samples, as numbers, before a table's become rows again
        quality = {"quality": sample_quality(*labelled, X_new, y_new, random_state=cell.seed)} \
            if config.space == "data" else {}
        if rows is not None and config.space == "data":
            X_new = rows  # the table's own rows, as its classifiers take them
        elif rows is not None:
            X_new = codec.transform(rows) if len(rows) else labelled[0][:0]
        if config.space == "latent" and kind.latent_space is None:
            X_new = models(SINGLE_VAE).encode(X_new)  # a baseline's samples, as codes like the rest
        # a kind fitted per classifier makes a set of its own for each: the report counts each once
        per = {"classifier": cell.classifier} if kind.per_classifier else {}
        made[key] = X_new, y_new, {**{k: model.generation_report_[k] for k in GENERATION_KEYS
                                      if k in model.generation_report_}, **quality, **per}, \
            getattr(model, "sample_weight_", None)  # teacher's pseudo-labels weigh their confidence
    return made[key]


def _classifier(config, name, seed):
    return make_classifier(name, random_state=seed, device=config.device, **config.classifier_options.get(name, {}))


def _score_group(config, context, cells):
    """Score ``cells`` (one latent size and variant of one split, in ``context``); yield each finished record."""
    data, models = context.data, context.models
    (X_lab, y_lab), (X_test, y_test) = context.labelled, context.test
    features_lab, features_test = X_lab, X_test
    if config.space == "latent":
        features_lab, features_test = models(SINGLE_VAE).encode(X_lab), models(SINGLE_VAE).encode(X_test)
    if data.table_codec is not None and config.space == "data":
        # A table with text columns reaches the classifiers as its rows (categories one-hot, numbers scaled
        # there), decoded once here; _generate gives the new ones as rows
        features_lab, features_test = (data.table_codec.inverse_transform(X) for X in (X_lab, X_test))
    made = {}
    for cell in cells:
        started = time.perf_counter()
        generation = weights = None
        X_train, y_train = features_lab, y_lab
        if cell.column == OWN_CLASSIFIER:  # the conditional model's q(y|x), beside the classifiers it feeds
            yield {**cell.record, "n_train": len(X_train),
                   **test_scores(y_test, models(cell.spec.kind).predict(X_test)),
                   "seconds": round(time.perf_counter() - started, 2)}
            continue
        if cell.spec is not None:
            X_new, y_new, generation, weights = _generate(config, cell, models, (X_lab, y_lab), made,
                                                          context.pool, data.table_codec)
            if cell.target == "generated" and len(np.unique(y_new)) < 2:
                raise ValueError(f"{cell.column} made {len(y_new)} sample(s) of {len(np.unique(y_new))} class(es) "
                                 f"(seed {cell.seed}), so its generated-only classifier has nothing to learn from; "
                                 "ask for more (augmentation.n_per_class), train the VAE longer, or drop the "
                                 "method from this train_on: generated run.")
            X_train, y_train = (X_new, y_new) if cell.target == "generated" else \
                (_joined(features_lab, X_new), np.concatenate([y_lab, y_new]))
            if weights is not None and cell.target != "generated":  # the labelled samples weigh 1
                weights = np.r_[np.ones(len(y_lab), dtype=weights.dtype), weights]
        scores = score_classifier(_classifier(config, cell.classifier, cell.seed), X_train, y_train, features_test,
                                  y_test, scale=_scaling(config, data), sample_weight=weights)
        yield {**cell.record, "n_train": len(X_train), **scores, **({"generated": generation} if generation else {}),
               "seconds": round(time.perf_counter() - started, 2)}


def _joined(first, second):
    """Two blocks of training rows, one after the other: arrays, or a table's DataFrames."""
    return pd.concat([first, second], ignore_index=True) if isinstance(first, pd.DataFrame) else \
        np.concatenate([first, second])


def _scaling(config, data) -> bool:
    """Whether the classifiers standardise features: ``auto`` does for tabular datasets (in either space: their
    codes too), not for images, whose pixels and codes keep the paper's scales."""
    return data.X.ndim == 2 if config.scale_features == "auto" else bool(config.scale_features)


def _groups(plan: list[Cell], store: ResultStore) -> list[list[Cell]]:
    """The cells not yet done, in the groups that share a split and models: one (dataset, protocol, seed,
    latent size, variant) each. Groups are independent of each other, so they can run in any order or at once."""
    todo = [c for c in plan if c.key not in store]
    return [list(g) for _, g in groupby(todo, key=lambda c: (c.dataset, c.protocol["label"], c.seed, c.latent_dim,
                                                             c.variant))]


def _cells_as_tasks(groups: list[list[Cell]]) -> list[list[Cell]]:
    """Each cell a task of its own, for a grid with fewer groups than workers (Table 1: five groups, hours per
    SVM cell). A cell alone loads its group's models from the cache and makes its method's samples itself (once
    per classifier, not once per group). The groups take turns, so the first tasks to start need different
    models and the workers do not queue behind one model's training."""
    return [[cell] for turn in zip_longest(*groups) for cell in turn if cell is not None]


def _score_cells(config, name, data_dir, cells, cache, progress, threads=None):
    """Score one group of cells (see :func:`_groups`), training or loading its models; yield ``(record, the
    records of the models trained for it)``. Runs in this process or in a worker of a parallel run, with
    ``threads`` PyTorch threads (None: as set). ``name`` is the cells' dataset identity: a named dataset, or
    the absolute path of a file, which any worker can load."""
    # scikit-learn's BLAS and OpenMP too: a kNN graph's ties break by sums whose order follows the thread count
    with torch_threads(threads), threadpool_limits(limits=threads):
        first = cells[0]
        context = cell_context(config, name, first.protocol, first.seed, first.latent_dim, first.variant,
                               data_dir=data_dir, cache=cache, progress=progress)
        for record in _score_group(config, context, cells):
            yield record, context.models.pop_trained()


def _score_cells_at_once(*args, **kwargs) -> list:
    return list(_score_cells(*args, **kwargs))


def run_experiment(config: ExperimentConfig, run_dir: PathType, *, data_dir: PathType | None = None,
                   vae_cache: PathType | None = None, progress: bool = True,
                   log: Callable[[str], None] = print) -> dict:
    """Run every cell of ``config`` not already in ``run_dir/results.json``; return the results.

    ``data_dir`` (else the config's) is where dataset files are looked for first;
    ``vae_cache`` (default ``run_dir/vaes``) holds trained models for reuse. With
    ``config.execution["jobs"]`` above 1 the independent groups of cells run in
    parallel through joblib (:mod:`vaeaug.experiments.execution`);
    this process alone writes the results, as each group finishes.
    """
    config.validate()
    # Absolute paths: a worker process may have started in another folder (joblib reuses its workers).
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(vae_cache).resolve() if vae_cache else run_dir / "vaes"
    if cache.exists() and not cache.is_dir():  # before any cell, not when the first model is saved
        raise ValueError(f"The model cache {cache} is a file; --vae-cache takes a folder (new or one used before).")
    data_dir = data_folder(config, data_dir)
    store = ResultStore(run_dir, config)
    plan = plan_cells(config)
    for name in config.datasets[1:]:  # the first is checked as it loads, the others before its first cell
        load_grid_dataset(config, name, data_dir)
    bar = tqdm(total=len(plan), initial=len(store.done), desc="cells", unit="cell",
               disable=bar_disable("auto" if progress else False))
    groups = _groups(plan, store)
    jobs = config.execution.get("jobs", EXECUTION.jobs)
    if jobs > len(groups):
        groups = _cells_as_tasks(groups)
    jobs = min(jobs, max(len(groups), 1))
    threads = config.execution.get("threads") or (threads_per_worker(jobs) if jobs > 1 else None)
    with execution_context(config.execution, jobs, threads):
        if jobs == 1:
            finished = ([pair] for group in groups
                        for pair in _score_cells(config, group[0].dataset, data_dir, group, cache, progress, threads))
        else:
            finished = parallel(jobs)(
                delayed(_score_cells_at_once)(config, group[0].dataset, data_dir, group, cache, False, threads)
                for group in groups)
        clock = _Progress(len(plan), len(store.done))
        for pairs in finished:
            for record, trained in pairs:
                store.add(record, trained=trained)
                bar.update(1)
                if bar.disable and progress:  # no bar (output redirected): a line a log file keeps
                    logger.info(clock.tick(record))
    bar.close()
    results = store.complete(order=[c.key for c in plan])
    metric = config.paper.get("metric", "accuracy")
    tables.write_tables(config, results, run_dir, log, reference=config.reference, metric=metric,
                        source=config.paper.get("source", "paper"))
    if len(config.variants) > 1 and len(config.latent_dims) == 1 and \
            len({(r["dataset"], r["protocol"]) for r in results["records"]}) == 1:
        # An axis of variants (amounts, betas) reads best as curves; one dataset, protocol and latent size only
        figures.plot_variants(results["records"], config.classifiers, config.columns, config.variant_names,
                              run_dir / "variants.png", metric=metric)
    figures.plot_quality(results["records"], run_dir / "quality.png")
    _draw_styles(config, plan, run_dir, data_dir, cache)
    return results


class _Progress:
    """"cell k of n" lines with the time since the run (or its resume) started and an estimate of what is left."""

    def __init__(self, total, done):
        self.total, self.done, self.started, self.now_done = total, done, time.perf_counter(), 0

    def tick(self, record) -> str:
        self.done, self.now_done = self.done + 1, self.now_done + 1
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.now_done * (self.total - self.done)
        cell = ", ".join(str(record[k]) for k in ("dataset", "method", "classifier") if k in record)
        return (f"cell {self.done} of {self.total} done ({cell}, seed {record.get('seed')}); {_duration(elapsed)} "
                f"elapsed, about {_duration(left)} left")


def _duration(seconds) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def style_figure(path, model, pool, seed) -> Path:
    """Kingma et al.'s Fig. 1: unlabelled samples (first column), each one's style decoded with every class."""
    shown = pool[np.random.default_rng(seed).choice(len(pool), min(8, len(pool)), replace=False)]
    classes = model.classes_[:10]
    rows = [np.concatenate([sample[None], model.decode_styles(np.repeat(style[None], len(classes), axis=0),
                                                              classes)])
            for sample, style in zip(shown, model.styles(shown))]
    return figures.plot_image_rows(rows, path, column_labels=["unlabelled"] + [str(c) for c in classes],
                                   title="The style of unlabelled samples, decoded with each class (M1+M2)")


def _draw_styles(config, plan, run_dir, data_dir, cache) -> Path | None:
    """``styles.png`` (:func:`style_figure`) from the conditional model of the grid's first cell that has one,
    when its samples are images with unlabelled ones beside them; the model is the cached one, trained already."""
    cell = next((c for c in plan if c.spec is not None and KIND_OF[c.spec.kind].learns_labels_of_codes),
                None)
    if cell is None or config.space != "data":
        return None
    context = cell_context(config, cell.dataset, cell.protocol, cell.seed, cell.latent_dim, cell.variant,
                           data_dir=data_dir, cache=cache)
    if context.data.X.ndim < 3 or len(context.split.unlabelled) == 0:
        return None
    return style_figure(run_dir / "styles.png", context.models(cell.spec.kind), context.pool(), cell.seed)
