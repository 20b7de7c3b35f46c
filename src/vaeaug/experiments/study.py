"""The default study behind ``vaeaug run``: a built-in experiment config, plus the paper's figures.

``vaeaug run`` is :data:`~vaeaug.experiments.run_options.DEFAULT_STUDY` with the command line's overrides (each
option names the config key it sets, see :data:`~vaeaug.experiments.run_options.RUN_OPTIONS`): one dataset,
few labelled samples per class, several seeds, one latent size. Like every
experiment it writes each finished cell at once, so an interrupted study
resumes; the figures are drawn from the first seed's models.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .._choices import OWN_CLASSIFIER
from .._typing import PathType
from .._files import write_text_atomic
from ..data.protocols import expand_protocols
from ..generation.chain import configure
from ..generation.kinds import KIND_OF
from ..generation.registry import SINGLE_VAE, parse_method
from ..report import figures as plots
from ..report.tables import BASELINE
from .config import ExperimentConfig, apply_override, parse_override
from .context import cell_context, data_folder
from .run_options import DEFAULT_STUDY
from .runner import run_experiment

__all__ = ["study_config", "run_study"]


def study_config(options: dict | None = None, overrides: Iterable[str] = ()) -> ExperimentConfig:
    """The built-in study (:data:`~vaeaug.experiments.run_options.DEFAULT_STUDY`) with ``options`` and
    ``--set``-style ``overrides`` (``"KEY=VALUE"``) applied, validated.

    ``options`` maps config keys, written as in :data:`~vaeaug.experiments.run_options.RUN_OPTIONS`, to values.

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
    latent = raw["latent_dims"][0] if raw.get("latent_dims") else None
    if protocol.get("name") == "cross-validation":
        split = (f"your labelled rows in {protocol.get('folds', 5)}-fold cross-validation (each seed a fold), "
                 "your unlabelled rows as the VAE's pool")
    else:
        split = f"{protocol.get('labelled_per_class')} labelled samples per class, the VAE on the unlabelled rest"
    raw.setdefault("description", f"{split[0].upper()}{split[1:]}; latent size {latent}, {raw.get('space')} "
                                  "space.")
    return ExperimentConfig.from_dict(raw, where="the study options")


def _figures(run_dir, model_of, X_lab, y_lab, X_test, y_test, methods, seed, pool, class_names) -> list[Path]:
    """The paper's Figs. 2, 3 and 7 (reconstructions, an interpolation strip, generated samples), the
    talk's latent map, Multi-VAE prior samples and the GC's accepted / rejected samples, and Kingma et al.'s
    styles in every class.

    ``model_of(kind)`` gives the fitted model of a kind (see :data:`vaeaug.generation.kinds.KIND_OF`);
    ``pool()`` gives the unlabelled samples.
    """
    specs = [parse_method(m) for m in methods]
    paths = []
    if any(KIND_OF[s.kind].uses_unlabelled for s in specs):  # no VAE trained for a figure alone (SMOTE only)
        paths += _vae_figures(run_dir, model_of(SINGLE_VAE), specs, X_lab, y_lab, X_test, y_test, seed,
                              class_names)
    if X_lab.ndim < 3:
        return paths  # tabular data has no pictures of samples
    paths.append(_generated_figure(run_dir / "generated.png", model_of, specs, X_lab, y_lab, pool, class_names))
    if (run_dir / "styles.png").is_file():  # drawn by run_experiment, with the conditional model
        paths.append(run_dir / "styles.png")
    multi = [s for s in specs if KIND_OF[s.kind].per_class_spaces]
    if multi:
        model = configure(model_of(multi[0].kind), multi[0]._replace(generation="prior", filter=None),
                          n_per_class=8)
        X_new, y_new = model.generate(X_lab, y_lab)
        shown_classes = np.unique(y_lab)[:10]
        paths.append(plots.plot_image_rows(
            [X_new[y_new == c] for c in shown_classes], run_dir / "multivae_prior.png",
            row_labels=[class_names[c] for c in shown_classes], title="Multi-VAE: prior samples of each class's VAE"))
    return paths


def _vae_figures(run_dir, vae, specs, X_lab, y_lab, X_test, y_test, seed, class_names) -> list[Path]:
    """The single VAE's figures: the latent map (the user's labels), the GC's choices, reconstructions and an
    interpolation strip (the last two for images)."""
    test_codes = vae.encode(X_test)
    paths = [plots.plot_points(test_codes, np.asarray(class_names)[y_test], run_dir / "latent_map.png",
                               title=f"Test samples in the {test_codes.shape[1]}-d latent space, by class")]
    filtered = [s for s in specs if s.filter and KIND_OF[s.kind].moves_codes]
    if filtered:
        paths.append(_gc_figure(run_dir / "gc.png", vae, filtered[0], X_lab, y_lab, seed))
    if len(vae.input_shape_) < 2:
        return paths
    shown = X_test[np.random.default_rng(seed).choice(len(X_test), min(10, len(X_test)), replace=False)]
    paths.append(plots.plot_image_rows(
        [shown, vae.decode(vae.encode(shown))],
        run_dir / "reconstructions.png", row_labels=["original", "reconstructed"],
        title="Test images and their VAE reconstructions"))
    paths.append(_interpolation_figure(run_dir / "interpolation.png", vae, X_lab, y_lab, class_names))
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


def _interpolation_figure(path, vae, X_lab, y_lab, class_names) -> Path:
    """Decoded codes on the line between a labelled image of one class and one of another (paper Fig. 3)."""
    classes = np.unique(y_lab)
    first, last = classes[min(2, len(classes) - 1)], classes[min(6, len(classes) - 1)]
    a, b = X_lab[y_lab == first][0], X_lab[y_lab == last][0]
    codes = vae.encode(np.stack([a, b]))
    steps = np.linspace(0, 1, 11)[:, None]  # 0, 0.1, ..., 1
    strip = vae.decode((1 - steps) * codes[0] + steps * codes[1])
    return plots.plot_image_rows(
        [np.concatenate([a[None], strip, b[None]])], path,
        column_labels=[class_names[first]] + [f"{s:.1f}" for s in steps.ravel()] + [class_names[last]],
        title=f"Linear interpolation in latent space between a {class_names[first]} and a {class_names[last]}")


def _latent_sweep_figure(path, vaes, X_test, seed, *, beta_norm) -> Path:
    """The talk's dimension sweep: for each latent size, the same test images reconstructed and new images
    decoded from the prior N(0, I). Small codes blur and lose detail (colour first); large ones keep it in
    reconstructions while prior draws may stray from the data."""
    rng = np.random.default_rng(seed)
    shown = X_test[rng.choice(len(X_test), min(10, len(X_test)), replace=False)]
    rows, labels = [shown], ["original"]
    for size, vae in vaes.items():
        rows += [vae.decode(vae.encode(shown)), vae.decode(rng.standard_normal((len(shown), size)))]
        labels += [f"d={size} rec.", f"d={size} prior"]
    beta = "\u03b2_norm" if beta_norm else "\u03b2"
    return plots.plot_image_rows(rows, path, row_labels=labels,
                                 title=f"Latent-size sweep ({beta}): reconstructions and prior draws")


def _generated_figure(path, model_of, specs, X_lab, y_lab, pool, class_names) -> Path:
    """One labelled original per class (up to 10), then one sample of that class from each method."""
    shown_classes = np.unique(y_lab)[:10]
    rows, labels = [X_lab[[np.flatnonzero(y_lab == c)[0] for c in shown_classes]]], ["original"]
    for spec in specs:
        kind = KIND_OF[spec.kind]
        if kind.per_classifier or spec.name == OWN_CLASSIFIER:
            continue  # auto makes what it chose, which differs by classifier (its choices are in results.md);
            # the conditional model's own classifier makes nothing
        X_new, y_new = configure(model_of(spec.kind), spec, n_per_class=1).generate(X_lab, y_lab,
                                                                                  **kind.generate_inputs(pool))
        rows.append([X_new[np.flatnonzero(y_new == c)[0]] if (y_new == c).any() else np.zeros_like(X_lab[0])
                     for c in shown_classes])
        labels.append(f"{spec.name} (from the pool)" if spec.kind == "real" else spec.name)
    return plots.plot_image_rows(rows, path, row_labels=labels, column_labels=[class_names[c] for c in shown_classes],
                                 title="New training samples, one per class and method")


def run_study(config: ExperimentConfig, run_dir: PathType, *, data_dir: PathType | None = None, progress: bool = True,
              log: Callable[[str], None] = print) -> dict:
    """Run ``config`` (:func:`study_config`) into ``run_dir`` (finished cells there are kept), then draw the
    figures from its first dataset, protocol, seed and latent size. Returns the dict written to ``results.json``.
    """
    run_dir = Path(run_dir)
    tables = []
    results = run_experiment(config, run_dir, data_dir=data_dir, progress=progress, log=tables.append)
    log("\n".join(tables[:-1]))

    first = [r for r in results["records"] if r.get("latent_dim") in (None, config.latent_dims[0])]
    plots.plot_scores(first, config.classifiers, [BASELINE] + config.columns, run_dir / "scores.png")

    # The first cell's context, as the runner built it: the same dataset identity, split and cached models
    seed = config.seeds[0]

    def context_at(latent_dim):
        return cell_context(config, config.datasets[0], expand_protocols(config.protocols)[0], seed, latent_dim,
                            None, data_dir=data_folder(config, data_dir), cache=Path(run_dir).resolve() / "vaes")

    context = context_at(config.latent_dims[0])
    figures = _figures(run_dir, context.models, *context.labelled, *context.test, config.methods, seed,
                       context.pool, context.data.class_names)
    if len(config.latent_dims) > 1 and context.data.X.ndim > 2:
        vaes = {d: context_at(d).models(SINGLE_VAE) for d in config.latent_dims}
        figures.append(_latent_sweep_figure(run_dir / "latent_sweep.png", vaes, context.test[0], seed,
                                            beta_norm=config.vae.get("normalize_beta", False)))
    markdown = (run_dir / "results.md").read_text()
    markdown += "\n## Figures\n\n" + "".join(f"![{p.stem}]({p.name})\n" for p in figures + [run_dir / "scores.png"])
    write_text_atomic(run_dir / "results.md", markdown)
    log(f"Results, tables and figures in {run_dir}")
    return results
