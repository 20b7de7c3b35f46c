"""A whole augmentation study: split, fit a VAE, augment, score classifiers, over several seeds.

This is what ``vaeaug run`` does. Results are written to the run folder after
every seed, so an interrupted study resumes from the seeds it finished.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from . import report
from ._validation import check_choice, check_positive
from .alteration import METHODS, alter
from .augmenter import SPACES, VAEAugmenter
from .datasets import load
from .evaluation import CLASSIFIERS, make_classifier, score_classifier
from .protocols import few_shot_split

__all__ = ["StudyConfig", "run_study"]

BASELINE = "baseline"
_MODEL_DIR = "model-first-seed"


@dataclass
class StudyConfig:
    """Everything that defines a study; saved in ``results.json``.

    The defaults are the embedded default run: scikit-learn's digits, 10
    labelled images per class, the VAE on the unlabelled rest, all three
    methods and classifiers, five seeds. On the ~1,100 8x8 digits a plain VAE
    (beta=1) collapses to codes of about 3 nats, too little to tell ten
    classes apart; beta=0.25 and batches of 32 keep about 8 nats (measured,
    see README), so those are the study's defaults.
    """

    dataset: str = "digits"
    labelled_per_class: int = 10
    test_fraction: float = 0.3
    latent_dim: int = 10
    methods: list[str] = field(default_factory=lambda: list(METHODS))
    classifiers: list[str] = field(default_factory=lambda: list(CLASSIFIERS))
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    alpha: float = 0.5
    n_neighbors: int = 3
    space: str = "data"
    beta: float = 0.25
    batch_size: int = 32
    max_epochs: int = 300
    patience: int = 10
    device: str = "auto"

    def validate(self):
        for method in self.methods:
            check_choice(method, tuple(METHODS), name="method")
        for classifier in self.classifiers:
            check_choice(classifier, CLASSIFIERS, name="classifier")
        check_choice(self.space, SPACES, name="space")
        if not self.methods or not self.classifiers or not self.seeds:
            raise ValueError("A study needs at least one method, one classifier and one seed.")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"Seeds must be distinct; got {self.seeds}.")
        check_positive(self.latent_dim, name="latent_dim", integer=True)
        check_positive(self.labelled_per_class, name="labelled_per_class", integer=True)
        return self


def _run_seed(config, data, seed, progress):
    """All records of one seed, and the fitted augmenter."""
    split = few_shot_split(data.y, config.labelled_per_class, test_fraction=config.test_fraction,
                           random_state=seed)
    X_lab, y_lab = data.X[split.labelled], data.y[split.labelled]
    X_test, y_test = data.X[split.test], data.y[split.test]
    augmenter = VAEAugmenter(
        latent_dim=config.latent_dim, alpha=config.alpha, n_neighbors=config.n_neighbors,
        space=config.space, beta=config.beta, batch_size=config.batch_size,
        max_epochs=config.max_epochs, patience=config.patience,
        device=config.device, random_state=seed, verbose=progress,
    ).fit(X_lab, X_unlabelled=data.X[split.unlabelled])
    if config.space == "latent":
        X_lab, X_test = augmenter.encode(X_lab), augmenter.encode(X_test)

    training_sets = {BASELINE: (X_lab, y_lab)}
    for method in config.methods:
        X_new, y_new = augmenter.set_params(method=method).sample(data.X[split.labelled], y_lab)
        training_sets[method] = (np.concatenate([X_lab, X_new]), np.concatenate([y_lab, y_new]))

    records = []
    for classifier in config.classifiers:
        for method, (X_train, y_train) in training_sets.items():
            scores = score_classifier(make_classifier(classifier, random_state=seed, device=config.device),
                                      X_train, y_train, X_test, y_test)
            records.append({"seed": seed, "classifier": classifier, "method": method,
                            "n_train": len(X_train), **scores})
    return records, augmenter


def _figures(run_dir, augmenter, X_lab, y_lab, X_test, methods, seed):
    """The paper's Fig. 2 (reconstructions), Fig. 3 (interpolation strip) and Fig. 7 (generated)."""
    if len(augmenter.input_shape_) < 2:
        return []  # tabular data has no picture
    rng = np.random.default_rng(seed)
    paths = []
    shown = X_test[rng.choice(len(X_test), min(10, len(X_test)), replace=False)]
    paths.append(report.plot_image_rows(
        [shown, augmenter.decode(augmenter.encode(shown))],
        run_dir / "reconstructions.png", row_labels=["original", "reconstructed"],
        title="Test images and their VAE reconstructions"))

    classes = np.unique(y_lab)
    first, last = classes[min(2, len(classes) - 1)], classes[min(6, len(classes) - 1)]
    a, b = X_lab[y_lab == first][0], X_lab[y_lab == last][0]
    codes = augmenter.encode(np.stack([a, b]))
    steps = np.linspace(0, 1, 10)[:, None]
    strip = augmenter.decode((1 - steps) * codes[0] + steps * codes[1])
    paths.append(report.plot_image_rows(
        [np.concatenate([a[None], strip, b[None]])], run_dir / "interpolation.png",
        column_labels=[f"{first}"] + [f"{s:.1f}" for s in steps.ravel()] + [f"{last}"],
        title=f"Linear interpolation in latent space between a {first} and a {last}"))

    # One source per class (up to 10), then one synthetic sample of each method made from it.
    sources = np.array([np.flatnonzero(y_lab == c)[0] for c in classes[:10]])
    codes = augmenter.encode(X_lab)
    rows, labels = [X_lab[sources]], ["original"]
    for method in methods:
        new = alter(method, codes, y_lab, alpha=augmenter.alpha, n_neighbors=augmenter.n_neighbors,
                    n_per_sample=1, scale=augmenter.latent_std_, random_state=seed)
        first_from = {int(s): i for i, s in reversed(list(enumerate(new.source)))}
        rows.append(augmenter.decode(new.codes[[first_from[int(s)] for s in sources]]))
        labels.append(method)
    paths.append(report.plot_image_rows(
        rows, run_dir / "generated.png", row_labels=labels, column_labels=[str(c) for c in classes[:10]],
        title="Synthetic samples from labelled originals"))
    return paths


def run_study(config: StudyConfig, run_dir, *, progress=True, log=print):
    """Run ``config`` into ``run_dir``; seeds already in its ``results.json`` are kept, not rerun.

    Returns the dict written to ``results.json``.
    """
    config.validate()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    results_file = run_dir / "results.json"
    records = []
    if results_file.is_file():
        previous = json.loads(results_file.read_text())
        if previous.get("config") != asdict(config):
            raise ValueError(
                f"{run_dir} holds a run with a different configuration; resume it with the same "
                "options or start a new run folder."
            )
        records = previous["records"]
    data = load(config.dataset)
    done = {record["seed"] for record in records}
    methods = [BASELINE] + list(config.methods)

    def write(records, complete):
        summary = {metric: report.summarise(records, metric) for metric in ("accuracy", "f1_weighted")}
        results = {
            "config": asdict(config), "complete": complete, "records": records,
            "summary": {metric: [{"classifier": c, "method": m, **cell} for (c, m), cell in table.items()]
                        for metric, table in summary.items()},
        }
        report.write_json_atomic(results_file, results)
        return results, summary

    for seed in tqdm(config.seeds, desc="seeds", unit="seed", disable=not progress):
        if seed in done:
            continue
        seed_records, augmenter = _run_seed(config, data, seed, progress)
        if seed == config.seeds[0]:  # saved before the seed counts as done, so a resume finds it
            augmenter.save(run_dir / _MODEL_DIR)
        records += seed_records
        write(records, complete=False)

    results, summary = write(records, complete=True)
    tables = {metric: report.format_table(summary[metric], config.classifiers, methods)
              for metric in ("accuracy", "f1_weighted")}
    n_seeds = len(config.seeds)
    markdown = (
        f"# vaeaug study: {config.dataset}\n\n"
        f"{config.labelled_per_class} labelled samples per class, latent size {config.latent_dim}, "
        f"{config.space} space, mean ± std over {n_seeds} seed(s) {config.seeds}.\n\n"
        f"## Test accuracy (%)\n\n{tables['accuracy']}\n\n"
        f"## Weighted F1 (×100)\n\n{tables['f1_weighted']}\n"
    )
    report.plot_scores(summary["accuracy"], config.classifiers, methods, run_dir / "scores.png")

    augmenter = VAEAugmenter.load(run_dir / _MODEL_DIR, device=config.device)
    split = few_shot_split(data.y, config.labelled_per_class, test_fraction=config.test_fraction,
                           random_state=config.seeds[0])
    figures = _figures(run_dir, augmenter, data.X[split.labelled], data.y[split.labelled],
                       data.X[split.test], config.methods, config.seeds[0])
    if figures:
        markdown += "\n## Figures\n\n" + "\n".join(f"![{p.stem}]({p.name})" for p in figures) + "\n"
    markdown += "\n![scores](scores.png)\n"
    report.write_text_atomic(run_dir / "results.md", markdown)
    log(f"\nTest accuracy (%), mean ± std over {n_seeds} seed(s):\n\n{tables['accuracy']}\n")
    log(f"Results, table and figures in {run_dir}")
    return results
