"""Tables: the paper's layout (classifier x latent size, one column per method) beside the paper's numbers,
the paired comparison with the baseline, and the result files of a run (CSV, Markdown)."""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np

from .._files import write_text_atomic
from .quality import QUALITY_KEYS
from .stats import mean_ci, paired_difference, share_of_gain

__all__ = ["BASELINE", "UPPER_BOUND", "summarise", "format_paper_table", "format_comparison_table", "write_tables",
           "generated_sets"]

BASELINE = "baseline"  # the column of classifiers trained on the real samples alone
GENERATED_ONLY = " (generated only)"  # ends the column of a method whose classifiers trained on its samples alone
UPPER_BOUND = "real"  # the column that adds real labelled samples: what a method's gain is a share of
ONE_SEED_NOTE = ("Against the baseline (one seed, so no p-value): the difference, and the share of the gain of more "
                 "real data (when the real column is there).")
COMPARISON_NOTE = ("Against the baseline, seed by seed: the mean difference, the paired t-test's p-value, and "
                   "the share of the gain of more real data (when the real column is there).")




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


QUALITY_NOTE = ("Means over the seeds (`vaeaug.report.quality`): *judge agrees*, the share of new samples whose label "
                "a 3-nearest-neighbour classifier of the labelled samples alone gives them too; *distinct*, the "
                "share of different samples; *spread*, their within-class variety over the labelled samples' "
                "(1: as varied); *nearest*, their median distance to the nearest labelled sample over the labelled "
                "samples' own (near 0: near-copies).\n")


def generated_sets(records) -> dict[str, dict[tuple, dict]]:
    """Each method's sets of new samples (their ``generated`` reports), counted once each: a method makes one
    set per split, latent size and variant, shared by the classifiers, and a kind fitted per classifier (auto,
    teacher, self-training, affine-cv) one for each classifier."""
    sets = {}
    for record in records:
        if "generated" in record:
            generated = record["generated"]
            # before the report named the classifier, only a cross-validated kind's said so, by its choice
            per = generated.get("classifier", record["classifier"] if "choice" in generated else None)
            sets.setdefault(record["method"], {})[(record["dataset"], record["protocol"], record["latent_dim"],
                                                   record.get("variant"), record["seed"], per)] = generated
    return sets


def _generation_table(records) -> str:
    """Per method: samples made of those asked for, and the filter's acceptance rate, over all cells."""
    by_method = generated_sets(records)
    lines = ["## Generated samples\n", QUALITY_NOTE,
             "| Method | made / asked (all seeds) | filter acceptance | judge agrees | distinct | spread | nearest |",
             "|---|---|---|---|---|---|---|"]
    for method, runs in by_method.items():
        made = sum(r["made"] for r in runs.values())
        asked = sum(r["requested"] for r in runs.values())
        rates = [r["acceptance_rate"] for r in runs.values() if r["acceptance_rate"] is not None]
        rate = f"{100 * np.mean(rates):.1f} % (mean of {len(rates)})" if rates else "no filter"
        quality = [_mean_of(runs.values(), key) for key in QUALITY_KEYS]
        lines.append(f"| {method} | {made} / {asked} | {rate} | {' | '.join(quality)} |")
    return "\n".join(lines) + "\n"


def _mean_of(reports, key) -> str:
    """The mean of one quality measure over a method's runs (seeds, classifiers), as a table cell."""
    values = [r["quality"][key] for r in reports if r.get("quality", {}).get(key) is not None]
    if not values:
        return "-"
    return f"{100 * np.mean(values):.0f} %" if key in ("agreement", "distinct") else f"{np.mean(values):.2f}"


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
        scored = [row for row in r["generated"]["cv"][1:] if row["mean"] is not None]  # some fail in a fold
        best = max(scored, key=lambda row: row["mean"]) if scored else None
        gain = f"{best['candidate']}: {100 * best['gain']:+.1f}" if best else "none could be scored"
        lines.append(f"| {r['protocol']} | {r['latent_dim']} | {r['classifier']} | {r['seed']} | "
                     f"{r['generated']['choice']} | {gain} |")
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
            several = len(config.seeds) > 1
            spread = (f"Mean ± 95 % confidence interval over seeds {config.seeds} (Student's t)." if several else
                      f"One seed ({config.seeds[0]}): no interval, and no p-value.")
            note = COMPARISON_NOTE if several else ONE_SEED_NOTE
            sections.append(f"## {dataset}: {title}\n\n{spread}\n\n{table}\n\n{note}\n\n{versus}\n")
            if shown == metric:
                heading = f"mean ± 95 % CI over seeds {config.seeds}" if several else \
                    f"one seed ({config.seeds[0]}): no interval"
                log(f"\n{dataset}: {title}, {heading}\n\n{table}\n\n{note}\n\n{versus}\n")
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
