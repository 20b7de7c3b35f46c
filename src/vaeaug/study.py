"""The default study behind ``vaeaug run``: one dataset, few labelled samples per class, several seeds.

It is a small grid for the experiment runner (one latent size), plus the
paper's figures drawn from the first seed's VAE. Like every experiment, it
writes each finished cell at once, so an interrupted study resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import report
from .alteration import METHODS, alter
from .datasets import load
from .evaluation import CLASSIFIERS
from .experiment import BASELINE, ExperimentConfig, expand_protocols, fitted_augmenter, run_experiment, split_for

__all__ = ["StudyConfig", "run_study"]


@dataclass
class StudyConfig:
    """Everything that defines a study.

    The defaults are the embedded default run: scikit-learn's digits, 10
    labelled images per class, the VAE on the unlabelled rest, all three
    methods and classifiers, five seeds. On the ~1,100 8x8 digits a plain VAE
    (beta=1) collapses to codes of about 3 nats, barely more than naming one
    of ten classes takes; beta=0.25 and batches of 32 keep about 8 nats
    (measured, see README), so those are the study's defaults.
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

    def to_experiment(self) -> ExperimentConfig:
        return ExperimentConfig(
            name=f"study-{self.dataset}",
            description=f"{self.labelled_per_class} labelled samples per class, the VAE on the unlabelled "
                        f"rest; latent size {self.latent_dim}, {self.space} space.",
            datasets=[self.dataset],
            protocols=[{"name": "few-shot", "labelled_per_class": self.labelled_per_class,
                        "test_fraction": self.test_fraction}],
            latent_dims=[self.latent_dim], methods=list(self.methods), classifiers=list(self.classifiers),
            seeds=list(self.seeds), space=self.space,
            vae={"beta": self.beta, "batch_size": self.batch_size, "max_epochs": self.max_epochs,
                 "patience": self.patience},
            augmentation={"alpha": self.alpha, "n_neighbors": self.n_neighbors},
            device=self.device,
        )

    def validate(self):
        self.to_experiment().validate("the study options")
        return self


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


def run_study(config: StudyConfig, run_dir, *, data_dir=None, progress=True, log=print):
    """Run ``config`` into ``run_dir`` (finished cells there are kept), then draw the figures.

    Returns the dict written to ``results.json``.
    """
    experiment = config.validate().to_experiment()
    run_dir = Path(run_dir)
    tables = []
    results = run_experiment(experiment, run_dir, data_dir=data_dir, progress=progress, log=tables.append)
    log("\n".join(tables[:-1]))

    summary = report.summarise(results["records"], "accuracy")
    summary = {(c, m): cell for (c, m), cell in summary.items()}
    report.plot_scores(summary, config.classifiers, [BASELINE] + list(config.methods), run_dir / "scores.png")

    data = load(config.dataset, data_dir)
    protocol = expand_protocols(experiment.protocols)[0]
    seed = config.seeds[0]
    split = split_for(experiment, data, protocol, seed)
    augmenter, _ = fitted_augmenter(experiment, data, split, protocol, seed, config.latent_dim, run_dir / "vaes")
    figures = _figures(run_dir, augmenter, data.X[split.labelled], data.y[split.labelled],
                       data.X[split.test], config.methods, seed)
    markdown = (run_dir / "results.md").read_text()
    markdown += "\n## Figures\n\n" + "".join(f"![{p.stem}]({p.name})\n" for p in figures + [run_dir / "scores.png"])
    report.write_text_atomic(run_dir / "results.md", markdown)
    log(f"Results, tables and figures in {run_dir}")
    return results
