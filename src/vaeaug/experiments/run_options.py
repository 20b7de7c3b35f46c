"""``vaeaug run``'s built-in study and its command-line options, as data.

Kept apart from :mod:`vaeaug.experiments.study`, which runs the study, so that the
command line can build its parser and help from this table without importing PyTorch
or scikit-learn.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from .._choices import (BASELINES, CLASSIFIERS, NOISE_SCALES, PAPER_CLASSIFIERS, PAPER_METHODS,
                        SEMI_SUPERVISED, SPACES, TRAIN_ON, parse_amount)
from .._settings import GENERATION, MULTI_VAE, VAE, section

__all__ = ["DEFAULT_STUDY", "RUN_OPTIONS", "RunOption", "study_default"]

# The run's cost, column by column, is measured in docs/cost.md (timings drift with the machine, so
# none is written here); it is kept within 5 minutes on 2 cores. The talk's combined moves
# (interpolation+noise, extrapolation+noise) are left to --methods, as is prior sampling:
# alpha, shared by all methods, scales the prior, and at the paper's 0.5 some digit classes
# never win a prior draw.
# The conditional model's best column on these digits (seeds 0-2, 2,000 steps: +1.85 SVM, +3.21 kNN, +4.94 MLP
# over the baseline; docs/guide/conditional.md), trained for 1,000 steps to keep the default run within
# its budget.
DEFAULT_CONDITIONAL_METHOD = "conditional-prior+agree"

# scikit-learn's digits, 10 labelled images per class, the VAE on the unlabelled rest, the paper's three
# methods, the conditional model's draws, the three baselines, label spreading (the
# semi-supervised rival: on these digits it beat every column, docs/runs/semi-supervised-rivals.md), the
# paper's three classifiers (the MLP with 256-unit layers: on 64 pixels the paper's 1,024 scored no better at
# 8x the cost), three seeds, and the VAE's defaults (vaeaug._settings.VAE: beta=0.25, chosen on these digits),
# written out so that a run's config.yaml shows them. affine-cv, auto and teacher are a --methods away: they
# fit per classifier by cross-validation, which cost 40 % of the default run's time (docs/runs/default-run.md)
# for columns that label spreading beat. So is the talk's Multi-VAE: its ten class VAEs cost a tenth of the run
# on the slower machine, for a column that was never the best. Each seed's cells run in a worker of their
# own, one PyTorch thread each: the numbers then do not depend on the machine's cores, and on 2 cores three
# single-threaded workers finish sooner than one process with two threads (docs/runs/default-run.md).
DEFAULT_STUDY = {
    "datasets": ["digits"],
    "label_column": "label",
    "unlabelled": None,
    "protocols": [{"name": "few-shot", "labelled_per_class": 10, "test_fraction": 0.3}],
    "latent_dims": [VAE.latent_dim],
    "methods": PAPER_METHODS + [DEFAULT_CONDITIONAL_METHOD] + BASELINES + [SEMI_SUPERVISED[0]],
    "classifiers": list(PAPER_CLASSIFIERS),
    "seeds": [0, 1, 2],
    "space": "data",
    "train_on": "both",
    "mix_in": MULTI_VAE.mix_in,
    "vae": section(VAE, "beta", "batch_size", "max_epochs", "patience", "normalize_beta"),
    "augmentation": section(GENERATION, "alpha", "n_neighbors", "noise_scale"),
    "classifier_options": {"mlp": {"hidden_units": 256}},
    "conditional": {"min_steps": 1000},
    "device": "auto",
    "execution": {"jobs": 3, "threads": 1},
}



class RunOption(NamedTuple):
    """One option of ``vaeaug run`` (and of ``vaeaug augment`` where ``augment`` is set): the config key it
    sets and what it is. Declared once here, so both commands read it the same way, with one default."""

    flag: str
    key: str  # dotted; a number indexes a list; a trailing "[]" wraps the one value in a list
    help: str
    choices: tuple | None = None
    type: Callable | None = None  # how the command line's text is read; default: the default value's type
    augment: bool = False  # vaeaug augment takes it too (as --FLAG, for the one VAE or the class VAEs it trains)


# ``vaeaug run``'s options; the CLI builds its parser from this table, with the defaults of DEFAULT_STUDY.
RUN_OPTIONS = [
    RunOption("dataset", "datasets[]", "a dataset name (see `vaeaug datasets`) or your own .npz (X, y), "
                                       ".csv / .parquet table (a 'label' column) or image folder"),
    RunOption("label-column", "label_column", "a table's label column (.csv, .parquet)", augment=True),
    RunOption("unlabelled", "unlabelled", "a second file of unlabelled rows for your dataset: a table with its "
                                       "feature columns, or an .npz with X (answered by k-fold on your labelled "
                                       "rows, as a file with empty labels is)", type=str),
    RunOption("labelled-per-class", "protocols.0.labelled_per_class",
              "labelled samples per class; the rest of the training pool is unlabelled (VAE only)"),
    RunOption("test-fraction", "protocols.0.test_fraction", "share of the data held out for testing"),
    RunOption("latent-dim", "latent_dims[]", "size of the VAE's latent code", augment=True),
    RunOption("methods", "methods", "the method columns (see METHODS below)"),
    RunOption("classifiers", "classifiers", "the classifiers", CLASSIFIERS),
    RunOption("seeds", "seeds", "the seeds: each draws its own labelled samples, VAE and classifiers"),
    RunOption("alpha", "augmentation.alpha", "strength of the latent moves", augment=True),
    RunOption("n-neighbors", "augmentation.n_neighbors", "same-class neighbours of the moves, and the default "
                                                         "number of new samples per labelled sample", augment=True),
    RunOption("n-per-sample", "augmentation.n_per_sample", "new samples per labelled sample (default: n-neighbors)",
              type=int, augment=True),
    RunOption("n-per-class", "augmentation.n_per_class", "new samples per class, 'balance', or 'all' (every "
                                                         "unlabelled sample a labelling method labels; default: "
                                                         "n-neighbors per labelled sample)", type=parse_amount,
              augment=True),
    RunOption("noise-scale", "augmentation.noise_scale",
              "noise deviation: alpha x the codes' deviation (paper) or alpha alone (talk)", NOISE_SCALES,
              augment=True),
    RunOption("mix-in", "mix_in", "multi-vae: share of other classes in each class's VAE training set", augment=True),
    RunOption("space", "space", "train classifiers on decoded samples (data) or on latent codes (latent)", SPACES),
    RunOption("train-on", "train_on", "method columns train on real + generated samples, or on generated ones "
                                      "only", TRAIN_ON),
    RunOption("beta", "vae.beta", "KL weight of the VAE", augment=True),
    RunOption("normalize-beta", "vae.normalize_beta", "use beta_norm = beta x latent-dim / features per sample "
                                                      "as the KL weight", augment=True),
    RunOption("batch-size", "vae.batch_size", "the VAE's mini-batch size", augment=True),
    RunOption("max-epochs", "vae.max_epochs", "most epochs the VAE trains (early stopping ends it sooner)",
              augment=True),
    RunOption("patience", "vae.patience", "epochs without a better validation loss before the VAE stops",
              augment=True),
    RunOption("mlp-hidden-units", "classifier_options.mlp.hidden_units",
              "width of the MLP classifier's hidden layers (the paper's is 1024)"),
]


def study_default(key: str):
    """The built-in value of a config key in :data:`RUN_OPTIONS`' notation."""
    value = DEFAULT_STUDY
    for part in key.removesuffix("[]").split("."):
        value = value[int(part)] if isinstance(value, list) else value.get(part)
        if value is None:
            return None
    return value[0] if key.endswith("[]") else value
