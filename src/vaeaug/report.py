"""Reporting: atomic result files, new run folders, the paper-layout tables beside the paper's numbers, figures.

Figures use matplotlib's object API (``Figure``), so no display or backend is needed.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import textwrap
from datetime import datetime
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ._files import write_bytes_atomic, write_json_atomic, write_text_atomic
from .stats import mean_ci, paired_difference, share_of_gain

__all__ = [
    "write_bytes_atomic", "write_text_atomic", "write_json_atomic", "new_run_dir",
    "summarise", "format_paper_table", "format_comparison_table", "write_tables", "plot_image_rows", "plot_scores",
    "plot_points",
]

BASELINE = "baseline"  # the column of classifiers trained on the real samples alone
UPPER_BOUND = "real"  # the column that adds real labelled samples: what a method's gain is a share of
COMPARISON_NOTE = ("Against the baseline, seed by seed: the mean difference, the paired t-test's p-value, and "
                   "the share of the gain of more real data (when the real column is there).")


# -- files -------------------------------------------------------------------

def new_run_dir(parent=".", prefix="vaeaug-run") -> Path:
    """Create and return a new folder ``parent/prefix-YYYYmmdd-HHMMSS[-n]``; never reuses one."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1000):
        candidate = parent / (f"{prefix}-{stamp}" + (f"-{attempt}" if attempt else ""))
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"Could not create a new run folder under {parent}.")


# -- tables ------------------------------------------------------------------

def summarise(records, metric="accuracy"):
    """Mean, standard deviation, 95 % CI half-width and count of ``metric`` per (classifier, method).

    ``records`` are dicts with keys ``classifier``, ``method`` and the metric;
    the deviation is the sample standard deviation over seeds and the CI
    Student's t over seeds (both 0 for one seed).
    """
    groups: dict[tuple[str, str], list[float]] = {}
    for record in records:
        groups.setdefault((record["classifier"], record["method"]), []).append(record[metric])
    summary = {}
    for key, values in groups.items():
        mean, half = mean_ci(values)
        summary[key] = {"mean": mean, "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                        "ci": 0.0 if np.isnan(half) else half, "n": len(values)}
    return summary


# -- experiment tables ----------------------------------------------------------

ROW_KEYS = ("protocol", "classifier", "variant", "latent_dim")  # what a table row is; the columns are methods
_SHOWN = {"accuracy": (100, 2), "f1_weighted": (1, 3)}  # accuracy in %, weighted F1 as a fraction, as papers do


def _by_seed(records, metric):
    """``scores(context, method)``: {seed: score} of the records that fill that cell (see format_paper_table)."""
    values: dict[tuple, dict] = {}
    for record in records:
        key = (record["method"],) + tuple(record.get(k) for k in ROW_KEYS)
        values.setdefault(key, {})[record["seed"]] = record[metric]

    def scores(context, method):
        found = {}
        for (m, *keys), by_seed in values.items():
            if m == method and all(key is None or key == context[k] for k, key in zip(ROW_KEYS, keys)):
                found.update(by_seed)
        return found
    return scores


def _table(rows, columns, cell) -> str:
    """Markdown table: label columns for what varies between ``rows``, then ``cell(context, method)`` per method."""
    # Label columns: the classifier and latent size always, the protocol and variant when they vary.
    shown = [k for k in ROW_KEYS if k in ("classifier", "latent_dim") or len({str(r[k]) for r in rows}) > 1]
    titles = {"protocol": "Protocol", "classifier": "Classifier", "variant": "Variant", "latent_dim": "# dims"}
    labels = {"classifier": str.upper}
    lines = ["| " + " | ".join(titles[k] for k in shown) + " | " + " | ".join(m.capitalize() for m in columns) + " |",
             "|" + "---|" * (len(shown) + len(columns))]
    for context in rows:
        keys = [labels.get(k, str)(context[k]) for k in shown]
        lines.append("| " + " | ".join(keys + [cell(context, m) for m in columns]) + " |")
    return "\n".join(lines)


def format_paper_table(records, rows, columns, *, metric="accuracy", reference=None, source="paper") -> str:
    """Markdown table: one row per context in ``rows`` (dicts over :data:`ROW_KEYS`), one column per method.

    A record fills a cell when it agrees with the row on every key it sets; the
    data-space baseline sets no latent size or variant, so it fills every
    row of its classifier. Each cell reads ``ours`` (mean ± the half-width of
    the 95 % confidence interval over seeds when there are several), then, when
    ``reference(context, method)`` gives a number, ``(source number, difference)``.
    """
    scale, digits = _SHOWN[metric]
    scores = _by_seed(records, metric)

    def cell(context, method):
        got = list(scores(context, method).values())
        if not got:
            return "—"
        mean, half = (scale * v for v in mean_ci(got))
        text = f"{mean:.{digits}f}" + (f" ± {half:.{digits}f}" if len(got) > 1 else "")
        theirs = reference(context, method) if reference else None
        if theirs is not None:
            text += f" ({source} {theirs:.{digits}f}, {mean - theirs:+.{digits}f})"
        return text

    return _table(rows, [BASELINE, *columns], cell)


def format_comparison_table(records, rows, columns, *, metric="accuracy", upper=None) -> str:
    """Markdown table of each method against the baseline, seed by seed.

    A cell reads the mean difference from the baseline over the seeds both
    have, the paired t-test's p-value, and, when the column ``upper`` (e.g.
    ``real``, more real data) is there, the share of its gain the method
    recovers: ``(method - baseline) / (upper - baseline)`` of the means.
    """
    scale, digits = _SHOWN[metric]
    scores = _by_seed(records, metric)

    def cell(context, method):
        ours, base = scores(context, method), scores(context, BASELINE)
        difference, p = paired_difference(ours, base)
        if np.isnan(difference):
            return "—"
        text = f"{scale * difference:+.{digits}f}" + ("" if np.isnan(p) else f" (p {p:.3f})" if p >= 0.001
                                                     else " (p < 0.001)")
        top = scores(context, upper) if upper and method != upper else {}
        if top and base:
            share = share_of_gain(np.mean(list(ours.values())), np.mean(list(base.values())),
                                  np.mean(list(top.values())))
            text += f", {share:.0%} of {upper}" if not np.isnan(share) else f", {upper} gains nothing"
        return text

    return _table(rows, columns, cell)


def _generation_table(records) -> str:
    """Per method: samples made of those asked for, and the filter's acceptance rate, over all cells."""
    by_method = {}
    for record in records:
        if "generated" in record:
            # A method makes one set per seed; auto makes one per classifier as well.
            per = record["classifier"] if "choice" in record["generated"] else None
            by_method.setdefault(record["method"], {})[json.dumps([record["dataset"], record["protocol"],
                                                                   record["latent_dim"], record["seed"], per])] = \
                record["generated"]
    lines = ["## Generated samples\n", "| Method | made / asked (all seeds) | filter acceptance |", "|---|---|---|"]
    for method, runs in by_method.items():
        made = sum(r["made"] for r in runs.values())
        asked = sum(r["requested"] for r in runs.values())
        rates = [r["acceptance_rate"] for r in runs.values() if r["acceptance_rate"] is not None]
        rate = f"{100 * np.mean(rates):.1f} % (mean of {len(rates)})" if rates else "no filter"
        lines.append(f"| {method} | {made} / {asked} | {rate} |")
    return "\n".join(lines) + "\n"


def _choice_table(records) -> str:
    """What ``auto`` chose in each cell, and by how much it beat no augmentation in cross-validation."""
    rows = [r for r in records if "choice" in r.get("generated", {})]
    if not rows:
        return ""
    lines = ["## What auto chose\n", "By stratified cross-validation on the labelled samples alone; the gain is "
             "the CV score's over no augmentation, in points.\n",
             "| protocol | latent size | classifier | seed | choice | CV gain of the best candidate |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        best = max(r["generated"]["cv"][1:], key=lambda row: row["mean"])
        lines.append(f"| {r['protocol']} | {r['latent_dim']} | {r['classifier']} | {r['seed']} | "
                     f"{r['generated']['choice']} | {best['candidate']}: {100 * best['gain']:+.1f} |")
    return "\n".join(lines) + "\n"


def write_tables(config, results, run_dir, log=print, *, reference=None, metric="accuracy", source="paper"):
    """Write ``results.csv`` and ``results.md`` (a table per dataset and metric); log the ``metric`` tables.

    ``reference(dataset, context, method)`` gives the reference number of a cell
    in ``metric``'s units, or None.
    """
    records = results["records"]
    upper = UPPER_BOUND if UPPER_BOUND in config.columns else None
    buffer = io.StringIO()
    columns = ["dataset", "protocol", "latent_dim", "variant", "method", "classifier", "seed", "n_train",
               "accuracy", "f1_weighted", "seconds"]
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    write_text_atomic(run_dir / "results.csv", buffer.getvalue())

    sections = [f"# {config.name}\n\n{config.description}".rstrip() + "\n"]
    for dataset in dict.fromkeys(r["dataset"] for r in records):
        rows = [dict(zip(ROW_KEYS, values)) for values in itertools.product(
            dict.fromkeys(r["protocol"] for r in records if r["dataset"] == dataset), config.classifiers,
            config.variant_names, sorted(config.latent_dims, reverse=True))]
        chosen = [r for r in records if r["dataset"] == dataset]
        for shown, title in (("accuracy", "test accuracy (%)"), ("f1_weighted", "weighted F1")):
            def theirs(context, method, dataset=dataset, shown=shown):
                return reference(dataset, context, method) if reference and shown == metric else None

            table = format_paper_table(chosen, rows, config.columns, metric=shown, reference=theirs, source=source)
            versus = format_comparison_table(chosen, rows, config.columns, metric=shown, upper=upper)
            sections.append(f"## {dataset}: {title}\n\nMean ± 95 % confidence interval over seeds {config.seeds} "
                            f"(Student's t).\n\n{table}\n\n{COMPARISON_NOTE}\n\n{versus}\n")
            if shown == metric:
                log(f"\n{dataset}: {title}, mean ± 95 % CI over seeds {config.seeds}\n\n{table}\n\n"
                    f"{COMPARISON_NOTE}\n\n{versus}\n")
    sections.append(_generation_table(records))
    choices = _choice_table(records)
    sections.append(choices)
    if choices:
        log(choices)
    vae_seconds = sum(v["seconds"] for v in results["vaes"])
    cell_seconds = sum(r.get("seconds", 0) for r in records)
    sections.append(f"Cost: {len(results['vaes'])} VAE(s) trained in {vae_seconds:.0f} s; "
                    f"{len(records)} cells (augment + fit + score) in {cell_seconds:.0f} s.\n")
    write_text_atomic(run_dir / "results.md", "\n".join(sections))
    log(f"Results in {run_dir} (results.json, results.csv, results.md)")


# -- figures -----------------------------------------------------------------

def _as_displayable(images):
    """(N, H, W) or (N, C, H, W) -> (N, H, W) or (N, H, W, 3) for imshow."""
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[:, 0] if images.shape[1] == 1 else np.moveaxis(images[:, :3], 1, -1)
    return images


def plot_image_rows(rows, path, *, row_labels=None, column_labels=None, title=None) -> Path:
    """Save a grid of images: one list/array of images per row (all of one shape)."""
    rows = [_as_displayable(row) for row in rows]
    n_rows, n_cols = len(rows), max(len(row) for row in rows)
    figure = Figure(figsize=(1.0 * n_cols + (1.4 if row_labels else 0.2), 1.0 * n_rows + 0.5))
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    vmin = min(float(np.min(r)) for r in rows if len(r))
    vmax = max(float(np.max(r)) for r in rows if len(r))
    for r, row in enumerate(rows):
        for c in range(n_cols):
            axis = axes[r][c]
            axis.set_xticks([])
            axis.set_yticks([])
            for spine in axis.spines.values():
                spine.set_visible(False)
            if c < len(row):
                axis.imshow(row[c], cmap="gray_r", vmin=vmin, vmax=vmax)
            if c == 0 and row_labels:
                axis.set_ylabel(row_labels[r], rotation=0, ha="right", va="center", fontsize=9)
            if r == 0 and column_labels and c < len(column_labels):
                axis.set_title(str(column_labels[c]), fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return _save(figure, path)


def plot_scores(summary, classifiers, methods, path, *, metric="accuracy") -> Path:
    """Bar chart of the mean per classifier and method, with its 95 % confidence interval over seeds."""
    figure = Figure(figsize=(1.6 + 1.5 * len(classifiers), 3.2))
    axis = figure.subplots()
    width = 0.8 / len(methods)
    positions = np.arange(len(classifiers))
    for i, method in enumerate(methods):
        cells = [summary.get((c, method), {"mean": np.nan, "ci": 0.0}) for c in classifiers]
        axis.bar(positions + i * width, [100 * x["mean"] for x in cells], width,
                 yerr=[100 * x["ci"] for x in cells], capsize=2, label=method.capitalize())
    axis.set_xticks(positions + width * (len(methods) - 1) / 2, [c.upper() for c in classifiers])
    axis.set_ylabel(f"test {metric} (%)")
    means = [100 * v["mean"] for v in summary.values()]
    if means:
        axis.set_ylim(max(0.0, min(means) - 10), min(100.0, max(means) + 5))
    axis.legend(fontsize=8, ncol=2)
    figure.tight_layout()
    return _save(figure, path)


def plot_points(points, groups, path, *, title=None, axis_names=("PC 1", "PC 2")) -> Path:
    """Scatter points coloured by group; points of more than 2 dimensions are projected by PCA first.

    The 2023 talk's latent map (codes coloured by class) and the filter's
    accepted / rejected samples both use it.
    """
    from sklearn.decomposition import PCA

    points = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    groups = np.asarray(groups)
    if points.shape[1] > 2:
        pca = PCA(n_components=2, random_state=0).fit(points)
        points = pca.transform(points)
        share = pca.explained_variance_ratio_.sum()
        title = f"{title or ''} (PCA, {100 * share:.0f}\u00a0% of variance)".strip()  # no break before %
    elif points.shape[1] == 2:
        axis_names = ("z 1", "z 2") if axis_names == ("PC 1", "PC 2") else axis_names
    else:
        points = np.c_[points, np.zeros(len(points))]
    figure = Figure(figsize=(5.2, 4.4))
    axis = figure.subplots()
    for group in dict.fromkeys(groups.tolist()):
        chosen = groups == group
        axis.scatter(points[chosen, 0], points[chosen, 1], s=8, alpha=0.7, label=str(group))
    axis.set_xlabel(axis_names[0])
    axis.set_ylabel(axis_names[1])
    axis.legend(fontsize=7, markerscale=1.5, ncol=2 if len(set(groups.tolist())) > 6 else 1)
    if title:
        axis.set_title(textwrap.fill(title, 64), fontsize=9)
    figure.tight_layout()
    return _save(figure, path)


def _save(figure, path) -> Path:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return write_bytes_atomic(path, buffer.getvalue())
