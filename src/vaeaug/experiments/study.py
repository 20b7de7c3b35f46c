"""The default study behind ``vaeaug run``: a built-in experiment config, plus the paper's figures.

``vaeaug run`` is :data:`DEFAULT_STUDY` with the command line's overrides (each
option names the config key it sets, see :data:`RUN_OPTIONS`): one dataset,
few labelled samples per class, several seeds, one latent size. Like every
experiment it writes each finished cell at once, so an interrupted study
resumes; the figures are drawn from the first seed's models.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from .._files import write_text_atomic
from ..classifiers import CLASSIFIERS, PAPER_CLASSIFIERS
from ..data.datasets import NAMED, load
from ..generation.amounts import parse_amount
from ..generation.augmenter import NOISE_SCALES, SPACES
from ..generation.chain import configure
from ..generation.registry import AUTO, BASELINES, KINDS, PAPER_METHODS, parse_method
from ..report import figures as plots
from ..report.tables import BASELINE, summarise
from .cache import ModelSource
from ..data.protocols import expand_protocols
from .config import TRAIN_ON, ExperimentConfig, apply_override, parse_override, split_for
from .runner import run_experiment

__all__ = ["DEFAULT_STUDY", "RUN_OPTIONS", "study_default", "study_config", "run_study"]

# On 2 cores each seed's VAE takes 23 to 34 s, a method column under 1 s per seed with the
# 256-unit MLP, and auto's cross-validation about 30 s per seed (the MLP's 63 fits): the
# default run took 222 s, under the 5-minute budget. The talk's combined moves
# (interpolation+noise, extrapolation+noise) are left to --methods, as is prior sampling:
# alpha, shared by all methods, scales the prior, and at the paper's 0.5 some digit classes
# never win a prior draw.
DEFAULT_TALK_METHODS = ["multi-vae"]

# scikit-learn's digits, 10 labelled images per class, the VAE on the unlabelled rest, the paper's three
# methods, the talk's Multi-VAE, the three baselines and auto, the paper's three classifiers (the MLP with
# 256-unit layers: on 64 pixels the paper's 1,024 scored no better at 8x the cost), three seeds. On the
# ~1,100 8x8 digits a plain VAE (beta=1) collapses to codes of about 3 nats, barely more than naming one of
# ten classes takes; beta=0.25 and batches of 32 keep about 8 nats (measured), so those are the defaults.
DEFAULT_STUDY = {
    "datasets": ["digits"],
    "protocols": [{"name": "few-shot", "labelled_per_class": 10, "test_fraction": 0.3}],
    "latent_dims": [10],
    "methods": PAPER_METHODS + DEFAULT_TALK_METHODS + BASELINES + [AUTO],
    "classifiers": list(PAPER_CLASSIFIERS),
    "seeds": [0, 1, 2],
    "space": "data",
    "train_on": "both",
    "mix_in": 0.2,
    "vae": {"beta": 0.25, "normalize_beta": False, "batch_size": 32, "max_epochs": 300, "patience": 10},
    "augmentation": {"alpha": 0.5, "n_neighbors": 3, "noise_scale": "latent_std"},
    "classifier_options": {"mlp": {"hidden_units": 256}},
    "device": "auto",
}

class RunOption(NamedTuple):
    """One option of ``vaeaug run``: the config key it sets and what it is."""

    flag: str
    key: str  # dotted; a number indexes a list; a trailing "[]" wraps the one value in a list
    help: str
    choices: tuple | None = None
    type: Callable | None = None  # how the command line's text is read; default: the default value's type


# ``vaeaug run``'s options; the CLI builds its parser from this table, with the defaults of DEFAULT_STUDY.
RUN_OPTIONS = [
    RunOption("dataset", "datasets[]", "a dataset name (" + ", ".join(n for n in NAMED if not n[-1].isdigit())
              + ", ...; see `vaeaug datasets`) or your own .npz (X, y), .csv (a 'label' column) or image folder"),
    RunOption("labelled-per-class", "protocols.0.labelled_per_class",
              "labelled samples per class; the rest of the training pool is unlabelled (VAE only)"),
    RunOption("test-fraction", "protocols.0.test_fraction", "share of the data held out for testing"),
    RunOption("latent-dim", "latent_dims[]", "size of the VAE's latent code"),
    RunOption("methods", "methods", "the method columns (see METHODS below)"),
    RunOption("classifiers", "classifiers", "the classifiers", CLASSIFIERS),
    RunOption("seeds", "seeds", "the seeds: each draws its own labelled samples, VAE and classifiers"),
    RunOption("alpha", "augmentation.alpha", "strength of the latent moves"),
    RunOption("n-neighbors", "augmentation.n_neighbors", "same-class neighbours of the moves, and the default "
                                                         "number of new samples per labelled sample"),
    RunOption("n-per-class", "augmentation.n_per_class", "new samples per class, or 'balance' (default: "
                                                         "n-neighbors per labelled sample)", type=parse_amount),
    RunOption("noise-scale", "augmentation.noise_scale",
              "noise deviation: alpha x the codes' deviation (paper) or alpha alone (talk)", NOISE_SCALES),
    RunOption("mix-in", "mix_in", "multi-vae: share of other classes in each class's VAE training set"),
    RunOption("space", "space", "train classifiers on decoded samples (data) or on latent codes (latent)", SPACES),
    RunOption("train-on", "train_on", "method columns train on real + generated samples, or on generated ones "
                                      "only", TRAIN_ON),
    RunOption("beta", "vae.beta", "KL weight of the VAE"),
    RunOption("normalize-beta", "vae.normalize_beta", "use beta_norm = beta x latent-dim / features per sample "
                                                      "as the KL weight"),
    RunOption("batch-size", "vae.batch_size", "the VAE's mini-batch size"),
    RunOption("max-epochs", "vae.max_epochs", "most epochs the VAE trains (early stopping ends it sooner)"),
    RunOption("mlp-hidden-units", "classifier_options.mlp.hidden_units",
              "width of the MLP classifier's hidden layers (the paper's is 1024)"),
]


def study_default(key):
    """The built-in value of a config key in :data:`RUN_OPTIONS`' notation."""
    value = DEFAULT_STUDY
    for part in key.removesuffix("[]").split("."):
        value = value[int(part)] if isinstance(value, list) else value.get(part)
        if value is None:
            return None
    return value[0] if key.endswith("[]") else value


def study_config(options=None, overrides=()) -> ExperimentConfig:
    """:data:`DEFAULT_STUDY` with ``options`` ({config key: value}, keys as in :data:`RUN_OPTIONS`) and
    ``--set``-style ``overrides`` (``"KEY=VALUE"``) applied, validated.

    Examples
    --------
    >>> config = study_config({"latent_dims[]": 20, "vae.beta": 1.0})
    >>> config.latent_dims, config.vae["beta"], config.name
    ([20], 1.0, 'study-digits')
    """
    raw = copy.deepcopy(DEFAULT_STUDY)
    for key, value in (options or {}).items():
        if value is not None:
            apply_override(raw, key.removesuffix("[]"), [value] if key.endswith("[]") else value)
    for override in overrides:
        apply_override(raw, *parse_override(override))
    protocol = raw["protocols"][0] if isinstance(raw.get("protocols"), list) and raw["protocols"] else {}
    dataset = str(raw["datasets"][0]) if isinstance(raw.get("datasets"), list) and raw["datasets"] else "data"
    # The name is a folder name: a dataset such as proben1/card gives study-proben1-card.
    raw.setdefault("name", "study-" + re.sub(r"[^A-Za-z0-9._-]+", "-", dataset).strip("-"))
    raw.setdefault("description", f"{protocol.get('labelled_per_class')} labelled samples per class, the VAE on "
                                  f"the unlabelled rest; latent size {raw['latent_dims'][0] if raw.get('latent_dims') else None}, "
                                  f"{raw.get('space')} space.")
    return ExperimentConfig.from_dict(raw, where="the study options")


def _figures(run_dir, model_of, X_lab, y_lab, X_test, y_test, methods, seed) -> list[Path]:
    """The paper's Figs. 2, 3 and 7 (reconstructions, an interpolation strip, generated samples), and the
    talk's latent map, Multi-VAE prior samples and the GC's accepted / rejected samples.

    ``model_of(kind)`` gives the fitted model of a kind (see :data:`vaeaug.generation.registry.KINDS`).
    """
    vae = model_of("vae")
    test_codes = vae.encode(X_test)
    paths = [plots.plot_points(test_codes, y_test, run_dir / "latent_map.png",
                               title=f"Test samples in the {test_codes.shape[1]}-d latent space, by class")]
    specs = [parse_method(m) for m in methods]
    filtered = [s for s in specs if s.filter and s.kind == "vae"]
    if filtered:
        paths.append(_gc_figure(run_dir / "gc.png", vae, filtered[0], X_lab, y_lab, seed))
    if len(vae.input_shape_) < 2:
        return paths  # tabular data has no pictures of samples
    shown = X_test[np.random.default_rng(seed).choice(len(X_test), min(10, len(X_test)), replace=False)]
    paths.append(plots.plot_image_rows(
        [shown, vae.decode(vae.encode(shown))],
        run_dir / "reconstructions.png", row_labels=["original", "reconstructed"],
        title="Test images and their VAE reconstructions"))
    paths.append(_interpolation_figure(run_dir / "interpolation.png", vae, X_lab, y_lab))
    paths.append(_generated_figure(run_dir / "generated.png", model_of, specs, X_lab, y_lab))
    multi = [s for s in specs if s.kind == "class-vaes"]
    if multi:
        model = configure(model_of("class-vaes"), multi[0]._replace(generation="prior", filter=None),
                          n_per_class=8)
        X_new, y_new = model.generate(X_lab, y_lab)
        shown_classes = np.unique(y_lab)[:10]
        paths.append(plots.plot_image_rows(
            [X_new[y_new == c] for c in shown_classes], run_dir / "multivae_prior.png",
            row_labels=[str(c) for c in shown_classes], title="Multi-VAE: prior samples of each class's VAE"))
    return paths


def _gc_figure(path, vae, spec, X_lab, y_lab, seed) -> Path:
    """The samples the GC accepts and rejects: images in two rows, tabular samples as points beside the real."""
    candidates, _ = configure(vae, spec._replace(filter=None)).generate(X_lab, y_lab)
    passed = configure(vae, spec).make_filter(X_lab, seed).keep(candidates)
    title = f"{spec.name}: samples the GC accepts ({passed.sum()}) and rejects ({(~passed).sum()})"
    if len(vae.input_shape_) >= 2:
        return plots.plot_image_rows([candidates[passed][:10], candidates[~passed][:10]], path,
                                     row_labels=["accepted", "rejected"], title=title)
    groups = np.r_[np.full(len(X_lab), "real"), np.where(passed, "accepted", "rejected")]
    return plots.plot_points(np.r_[X_lab, candidates], groups, path, title=title)


def _interpolation_figure(path, vae, X_lab, y_lab) -> Path:
    """Decoded codes on the line between a labelled image of one class and one of another (paper Fig. 3)."""
    classes = np.unique(y_lab)
    first, last = classes[min(2, len(classes) - 1)], classes[min(6, len(classes) - 1)]
    a, b = X_lab[y_lab == first][0], X_lab[y_lab == last][0]
    codes = vae.encode(np.stack([a, b]))
    steps = np.linspace(0, 1, 11)[:, None]  # 0, 0.1, ..., 1
    strip = vae.decode((1 - steps) * codes[0] + steps * codes[1])
    return plots.plot_image_rows(
        [np.concatenate([a[None], strip, b[None]])], path,
        column_labels=[f"{first}"] + [f"{s:.1f}" for s in steps.ravel()] + [f"{last}"],
        title=f"Linear interpolation in latent space between a {first} and a {last}")


def _generated_figure(path, model_of, specs, X_lab, y_lab) -> Path:
    """One labelled original per class (up to 10), then one sample of that class from each method."""
    shown_classes = np.unique(y_lab)[:10]
    rows, labels = [X_lab[[np.flatnonzero(y_lab == c)[0] for c in shown_classes]]], ["original"]
    for spec in specs:
        if KINDS[spec.kind].per_classifier:
            continue  # auto makes what it chose, which differs by classifier: its choices are in results.md
        X_new, y_new = configure(model_of(spec.kind), spec, n_per_class=1).generate(X_lab, y_lab)
        rows.append([X_new[np.flatnonzero(y_new == c)[0]] if (y_new == c).any() else np.zeros_like(X_lab[0])
                     for c in shown_classes])
        labels.append(spec.name)
    return plots.plot_image_rows(rows, path, row_labels=labels, column_labels=[str(c) for c in shown_classes],
                                 title="Synthetic samples, one per class and method")


def run_study(config: ExperimentConfig, run_dir, *, data_dir=None, progress=True, log=print):
    """Run ``config`` (:func:`study_config`) into ``run_dir`` (finished cells there are kept), then draw the
    figures from its first dataset, protocol, seed and latent size. Returns the dict written to ``results.json``.
    """
    run_dir = Path(run_dir)
    tables = []
    results = run_experiment(config, run_dir, data_dir=data_dir, progress=progress, log=tables.append)
    log("\n".join(tables[:-1]))

    summary = summarise(results["records"], "accuracy")
    plots.plot_scores(summary, config.classifiers, [BASELINE] + config.columns, run_dir / "scores.png")

    data = load(config.datasets[0], data_dir)
    protocol = expand_protocols(config.protocols)[0]
    seed = config.seeds[0]
    split = split_for(config, data, protocol, seed)
    models = ModelSource(config, data, split, protocol, seed, config.latent_dims[0], None, run_dir / "vaes")
    figures = _figures(run_dir, models, data.X[split.labelled], data.y[split.labelled],
                       data.X[split.test], data.y[split.test], config.methods, seed)
    markdown = (run_dir / "results.md").read_text()
    markdown += "\n## Figures\n\n" + "".join(f"![{p.stem}]({p.name})\n" for p in figures + [run_dir / "scores.png"])
    write_text_atomic(run_dir / "results.md", markdown)
    log(f"Results, tables and figures in {run_dir}")
    return results
