"""An experiment's reference numbers (``paper:``): checked before the grid runs, and looked up for each cell.

``paper`` holds the source's numbers, by default test accuracies in percent, in
Table 2's form (``baseline``, ``results`` by classifier and latent size) or, for
any metric and any cells, as ``rows`` of selectors and columns (see
:class:`vaeaug.experiments.config.ExperimentConfig`).
"""

from __future__ import annotations

from .._choices import CLASSIFIERS
from .._validation import check_choice, reject_unknown
from ..data.datasets import dataset_identity
from ..data.protocols import expand_protocols
from ..generation.registry import parse_method
from ..report.tables import BASELINE, GENERATED_ONLY

__all__ = ["METRICS", "PAPER_SELECTORS", "check_reference", "reference_number"]

# What a reference table may be read in, and the range its numbers must fall in.
METRICS = {"accuracy": ("a percentage", 0, 100), "f1_weighted": ("a weighted F1", 0, 1)}
# Keys that pick the cells a row of ``paper.rows`` holds numbers for.
PAPER_SELECTORS = ("dataset", "protocol", "variant", "classifier", "latent_dim")


def check_reference(config, where):
    """The reference numbers of ``config``, checked now, so that a typo in them fails before the grid."""
    def mapping(value, at):
        if not isinstance(value, dict):
            raise ValueError(f"paper{at} in {where} must be a mapping; got {value!r}.")
        return value

    reject_unknown(mapping(config.paper, ""), ("source", "metric", "baseline", "results", "rows"),
                   f"paper of {where}")
    metric = check_choice(config.paper.get("metric", "accuracy"), METRICS, name=f"paper.metric in {where}")
    kind, low, high = METRICS[metric]

    def number(value, at):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"paper{at} in {where} must be {kind} between {low} and {high}; got {value!r}.")

    columns = _number_keys(config)
    baseline = mapping(config.paper.get("baseline", {}), ".baseline")
    reject_unknown(baseline, CLASSIFIERS, f"paper.baseline of {where}")
    for classifier, value in baseline.items():
        number(value, f".baseline.{classifier}")
    results = mapping(config.paper.get("results", {}), ".results")
    reject_unknown(results, CLASSIFIERS, f"paper.results of {where}")
    for classifier, by_dim in results.items():
        for latent_dim, by_method in mapping(by_dim, f".results.{classifier}").items():
            if not str(latent_dim).isdigit():
                raise ValueError(f"paper.results.{classifier} in {where} is keyed by latent size; got "
                                 f"{latent_dim!r}.")
            at = f".results.{classifier}.{latent_dim}"
            reject_unknown(mapping(by_method, at), columns, f"paper{at} of {where}")
            for method, value in by_method.items():
                number(value, f"{at}.{method}")
    rows = config.paper.get("rows", [])
    if not isinstance(rows, list):
        raise ValueError(f"paper.rows in {where} must be a list of mappings; got {rows!r}.")
    protocols = expand_protocols(config.protocols)
    choices = {"dataset": config.datasets, "protocol": [p["label"] for p in protocols], "variant": config.variant_names,
               "classifier": CLASSIFIERS, "latent_dim": config.latent_dims}
    parameters = {k for p in protocols for k in p if k not in ("name", "label")}
    for i, row in enumerate(rows):
        at = f".rows[{i}]"
        reject_unknown(mapping(row, at), [*PAPER_SELECTORS, *sorted(parameters), *columns], f"paper{at} of {where}")
        for key, value in row.items():
            if key in choices and value not in choices[key]:
                raise ValueError(f"paper{at}.{key} in {where} is {value!r}; choose one of {list(choices[key])}.")
            if key in columns:
                number(value, f"{at}.{key}")


def reference_number(config, dataset, context, method):
    """The paper's number for ``method`` in the table row ``context`` (protocol, classifier, variant,
    latent_dim), in ``paper.metric``'s units, or None when the paper gives none."""
    specs = {p["label"]: p for p in expand_protocols(config.protocols)}
    cell = {"dataset": dataset, **context}

    def matches(key, value):
        if key == "dataset":
            return value == dataset or dataset_identity(value) == dataset
        if key in PAPER_SELECTORS:
            return cell.get(key) == value or (key == "latent_dim" and str(cell.get(key)) == str(value))
        return specs.get(cell["protocol"], {}).get(key) == value  # a protocol parameter

    columns = _number_keys(config)
    for row in _paper_rows(config.paper):
        if method in row and all(matches(k, v) for k, v in row.items() if k != method and k not in columns):
            return row[method]
    return None


def _number_keys(config) -> list:
    """The keys of ``paper`` that hold numbers: the columns, and any other method the paper gives numbers for.

    A number for a classifier or method the grid leaves out is kept and unused, so that ``--set
    classifiers=[svm]`` or ``methods=[...]`` can narrow a config; a key that names no method is still a typo.
    """
    results, rows = config.paper.get("results", {}), config.paper.get("rows", [])
    named = [m for by_dim in (results.values() if isinstance(results, dict) else []) if isinstance(by_dim, dict)
             for by_method in by_dim.values() if isinstance(by_method, dict) for m in by_method]
    named += [key for row in (rows if isinstance(rows, list) else []) if isinstance(row, dict) for key in row]
    columns = [BASELINE] + config.columns
    return columns + sorted({m for m in named if m not in columns and _is_method(m)})


def _is_method(name) -> bool:
    try:
        parse_method(str(name).removesuffix(GENERATED_ONLY))
    except ValueError:
        return False
    return True


def _paper_rows(paper) -> list[dict]:
    """``paper`` as rows of selectors and columns; its Table 2 form (``baseline``, ``results``) included."""
    rows = [{"classifier": c, BASELINE: value} for c, value in paper.get("baseline", {}).items()]
    rows += [{"classifier": c, "latent_dim": int(z), **by_method}
             for c, by_dim in paper.get("results", {}).items() for z, by_method in by_dim.items()]
    return rows + list(paper.get("rows", []))
