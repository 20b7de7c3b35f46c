"""Figures: the paper's image grids, the score bars with their confidence intervals, the latent map.

matplotlib's object API (``Figure``) is used, so no display or backend is needed.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

from .._files import write_bytes_atomic
from .quality import QUALITY_KEYS
from .stats import mean_ci
from .tables import generated_sets

__all__ = ["plot_image_rows", "plot_scores", "plot_variants", "plot_points", "plot_quality"]

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


def plot_scores(records, classifiers, methods, path, *, metric="accuracy", baseline="baseline") -> Path:
    """``records`` of one latent size and variant, drawn in two panels: each column's mean ``metric`` per
    classifier with its 95 % confidence interval, the baseline as a dashed line; and each column's paired gain
    over the baseline (per seed, the same split), with the interval of those differences, which shows what the
    absolute panel hides under wide intervals.

    Dots, not bars: the differences worth seeing are a few points, so the axis spans the data rather than
    starting at 0. Each column has its own colour and marker, the same in both panels.
    """
    scores = {}  # (classifier, method) -> {(seed, protocol): score}: a method and its baseline share a split
    for record in records:
        pair = (record.get("seed"), record.get("protocol"))
        scores.setdefault((record["classifier"], record["method"]), {})[pair] = record[metric]
    counts = [len(v) for v in scores.values()]
    legend = 0.12 + 0.075 * max(len(m) for m in methods)  # inches for the longest column name
    width = 1.6 + 2.8 * len(classifiers) + legend
    figure = Figure(figsize=(width, 3.6))
    absolute, gain = figure.subplots(1, 2)
    shown = [m for m in methods if m != baseline]
    step = 0.8 / max(len(shown), 1)
    positions = np.arange(len(classifiers))
    styles = column_styles(len(shown))
    for c, classifier in enumerate(classifiers):
        base = scores.get((classifier, baseline), {})
        if base:
            absolute.hlines(100 * np.mean(list(base.values())), c - 0.45, c + 0.45, colors="grey",
                            linestyles="--", linewidth=1, label="Baseline" if c == 0 else None)
    gain.axhline(0, color="grey", linestyle="--", linewidth=1)
    for i, method in enumerate(shown):
        style = {**styles[i], "markersize": 4, "capsize": 2, "linestyle": "none"}
        x = positions - 0.4 + (i + 0.5) * step
        points = [score_and_gain(scores.get((c, method), {}), scores.get((c, baseline), {})) for c in classifiers]
        means, halves, gains, gain_halves = (100 * np.array(values) for values in zip(*points))
        absolute.errorbar(x, means, yerr=np.nan_to_num(halves), label=method.capitalize(), **style)
        gain.errorbar(x, gains, yerr=np.nan_to_num(gain_halves), **style)
    for axis, label in ((absolute, f"test {metric} (%)"), (gain, "gain over the baseline (points)")):
        axis.set_xticks(positions, [c.upper() for c in classifiers])
        axis.set_xlim(-0.5, len(classifiers) - 0.5)
        axis.set_ylabel(label)
        axis.grid(axis="y", alpha=0.3)
    if metric == "accuracy" and absolute.get_ylim()[1] > 100:  # a wide t interval can pass 100 %; accuracy cannot
        absolute.set_ylim(top=100.5)
    low, high = min(counts, default=0), max(counts, default=0)
    seeds = f"{low}" if low == high else f"{low}–{high}"
    interval = "one seed: no interval" if high < 2 else f"mean ± 95 % CI over {seeds} seeds"
    absolute.set_title(f"Test {metric} ({interval})", fontsize=9)
    gain.set_title("Paired gain over the baseline, per seed", fontsize=9)
    figure.tight_layout(rect=(0, 0, 1 - legend / width, 1))
    figure.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1 - legend / width, 0.95), frameon=False)
    return _save(figure, path)


def score_and_gain(scores, baseline) -> tuple[float, float, float, float]:
    """A column's mean and 95 % half-width over its seeds, and its paired gain over the ``baseline`` (the mean
    of its differences on the seeds both have) with that half-width; ``scores`` and ``baseline`` map a seed to a
    score. nan where there is nothing to average (a half-width needs two values)."""
    mean, half = mean_ci(list(scores.values())) if scores else (np.nan, np.nan)
    paired = [scores[k] - baseline[k] for k in scores if k in baseline]
    gain, gain_half = mean_ci(paired) if paired else (np.nan, np.nan)
    return mean, half, gain, gain_half


def column_styles(n) -> list[dict]:
    """A colour and a marker for each of ``n`` columns, no two alike: tab10's colours with dots, then tab20's
    light ones with squares, and so on through five markers (100 columns)."""
    colours = matplotlib.colormaps["tab10"].colors + matplotlib.colormaps["tab20"].colors[1::2]
    return [{"color": colours[i % 10 + 10 * (i // 10 % 2)], "marker": "os^Dv"[i // 10 % 5]} for i in range(n)]


def plot_variants(records, classifiers, methods, variants, path, *, metric="accuracy", baseline="baseline"
                  ) -> Path:
    """The mean ``metric`` of each method across a grid's variants (an amount curve, say), one panel per
    classifier, with 95 % confidence intervals over seeds; the baseline, which has no variant, as a dashed line.

    ``records`` are one dataset's, protocol's and latent size's; ``variants`` are the names in their order.
    """
    figure = Figure(figsize=(2.2 + 3.0 * len(classifiers), 3.4))
    axes = figure.subplots(1, len(classifiers), squeeze=False)[0]
    positions = np.arange(len(variants))
    for axis, classifier in zip(axes, classifiers):
        mine = [r for r in records if r["classifier"] == classifier]
        base = [r[metric] for r in mine if r["method"] == baseline]
        if base:
            axis.axhline(100 * float(np.mean(base)), color="grey", linestyle="--", linewidth=1, label="Baseline")
        for method in (m for m in methods if m != baseline):
            cells = [mean_ci([r[metric] for r in mine if r["method"] == method and r["variant"] == v] or [np.nan])
                     for v in variants]
            axis.errorbar(positions, [100 * mean for mean, _ in cells],
                          yerr=[0 if np.isnan(half) else 100 * half for _, half in cells], marker="o",
                          markersize=4, capsize=2, label=method.capitalize())
        axis.set_xticks(positions, variants)
        axis.set_title(classifier.upper(), fontsize=9)
        axis.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(f"test {metric} (%)")
    axes[-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.tight_layout()
    return _save(figure, path)


def plot_points(points, groups, path, *, title=None, axis_names=("PC 1", "PC 2")) -> Path:
    """Scatter points coloured by group; points of more than 2 dimensions are projected by PCA first.

    The 2023 talk's latent map (codes coloured by class) and the filter's
    accepted / rejected samples both use it.
    """
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
    for group in sorted(dict.fromkeys(groups.tolist()), key=_natural):  # 0, 1, 2, ... not first seen
        chosen = groups == group
        axis.scatter(points[chosen, 0], points[chosen, 1], s=8, alpha=0.7, label=str(group))
    axis.set_xlabel(axis_names[0])
    axis.set_ylabel(axis_names[1])
    axis.legend(fontsize=7, markerscale=1.5, ncol=2 if len(set(groups.tolist())) > 6 else 1)
    if title:
        axis.set_title(textwrap.fill(title, 64), fontsize=9)
    figure.tight_layout()
    return _save(figure, path)


def plot_quality(records, path) -> Path | None:
    """One panel per measure of :mod:`vaeaug.report.quality`, a dot per method column (its mean over the
    seeds, and each seed's value), with the line a method should sit near: what the labelled samples give
    themselves (1 for agreement, distinctness and spread; 1 for the nearest-distance ratio of a new real
    sample). None when no record has a quality report (latent space)."""
    runs = {method: {key: generated["quality"] for key, generated in sets.items() if generated.get("quality")}
            for method, sets in generated_sets(records).items()}
    runs = {method: qualities for method, qualities in runs.items() if qualities}
    if not runs:
        return None
    methods = list(runs)
    figure = Figure(figsize=(3.2 * len(QUALITY_KEYS), 0.9 + 0.28 * len(methods)), layout="constrained")
    titles = {"agreement": "judge agrees with the label", "distinct": "distinct samples",
              "spread": "within-class spread / labelled", "nearest": "distance to nearest labelled / labelled"}
    for i, key in enumerate(QUALITY_KEYS):
        axes = figure.add_subplot(1, len(QUALITY_KEYS), i + 1)
        for row, method in enumerate(methods):
            values = [q[key] for q in runs[method].values() if q.get(key) is not None]
            if values:
                axes.plot(values, [row] * len(values), "o", color="0.7", markersize=4)
                axes.plot([np.mean(values)], [row], "o", color="C0", markersize=7)
        axes.axvline(1.0, color="0.4", linestyle="--", linewidth=1)
        axes.set_yticks(range(len(methods)), methods if i == 0 else [""] * len(methods))
        axes.set_ylim(len(methods) - 0.5, -0.5)
        axes.set_title(titles[key], fontsize=9)
        axes.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def _natural(value):
    """Sort key: numbers by value (2 before 10), then text."""
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


def _save(figure, path) -> Path:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return write_bytes_atomic(path, buffer.getvalue())

