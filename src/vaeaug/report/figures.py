"""Figures: the paper's image grids, the score bars with their confidence intervals, the latent map.

matplotlib's object API (``Figure``) is used, so no display or backend is needed.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

from .._files import write_bytes_atomic
from .stats import mean_ci

__all__ = ["plot_image_rows", "plot_scores", "plot_variants", "plot_points"]

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
    """The mean per classifier and method with its 95 % confidence interval over seeds, as dots and bars.

    Dots, not bars: the differences worth seeing are a few points, so the axis spans the data rather than
    starting at 0, which bars would make misleading. The legend stands beside the plot, clear of the data.
    """
    n_seeds = max((cell["n"] for cell in summary.values()), default=0)
    figure = Figure(figsize=(2.8 + 1.4 * len(classifiers), 3.4))
    axis = figure.subplots()
    width = 0.8 / len(methods)
    positions = np.arange(len(classifiers))
    for i, method in enumerate(methods):
        cells = [summary.get((c, method), {"mean": np.nan, "ci": 0.0}) for c in classifiers]
        axis.errorbar(positions - 0.4 + (i + 0.5) * width, [100 * x["mean"] for x in cells],
                      yerr=[100 * x["ci"] for x in cells], fmt="o", markersize=4, capsize=2,
                      label=method.capitalize())
    axis.set_xticks(positions, [c.upper() for c in classifiers])
    axis.set_ylabel(f"test {metric} (%)")
    axis.grid(axis="y", alpha=0.3)
    if metric == "accuracy" and axis.get_ylim()[1] > 100:  # a wide t interval can pass 100 %; accuracy cannot
        axis.set_ylim(top=100.5)
    interval = "one seed: no interval" if n_seeds < 2 else f"mean ± 95 % CI over {n_seeds} seeds"
    axis.set_title(f"Test {metric} with and without the new samples ({interval})", fontsize=9)
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.tight_layout()
    return _save(figure, path)


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

