"""The names a user chooses among, written once, in a module that imports nothing heavy (the defaults of
every setting are in :mod:`vaeaug._settings`).

The command line builds its help from these (``vaeaug --help`` must not wait for PyTorch
or scikit-learn to load), and each module that implements a choice imports its names from
here, so a name has one home.
"""

from __future__ import annotations

__all__ = ["RIVALS", "SEMI_SUPERVISED", "CLASSIFIERS", "PAPER_CLASSIFIERS", "IMAGE_CLASSIFIERS", "PAPER_METHODS", "TALK_METHODS", "BASELINES", "CONDITIONAL_METHODS", "OWN_CLASSIFIER",
           "AUTO", "TUNED_AFFINE", "SPACES", "NOISE_SCALES", "TRAIN_ON", "NOISES", "BACKENDS", "BALANCE", "ALL", "TEACHER", "SCALINGS",
           "parse_amount"]

CLASSIFIERS = ("svm", "knn", "mlp", "cnn", "rf", "gbt")  # vaeaug.classifiers makes each of them
PAPER_CLASSIFIERS = ("svm", "knn", "mlp")  # the paper's three: the default wherever classifiers are chosen
IMAGE_CLASSIFIERS = ("cnn",)  # these need images; the others take any samples, flattened

PAPER_METHODS = ["noise", "interpolation", "extrapolation"]
TALK_METHODS = ["interpolation+noise", "extrapolation+noise", "prior", "prior+gc", "multi-vae"]
BASELINES = ["smote", "affine", "real"]
RIVALS = ["tvae", "ctgan"]  # the tabular generators a user would try instead (the ctgan package, an extra)
# The semi-supervised methods a user would try instead: labels for the unlabelled pool (scikit-learn)
SEMI_SUPERVISED = ["label-spreading", "label-spreading-codes", "self-training"]
# The conditional model on the VAE's codes (M1+M2): its own ways to make labelled samples, and its filter
CONDITIONAL_METHODS = ["conditional-prior", "style-transfer", "pseudo-label"]
OWN_CLASSIFIER = "conditional-classifier"  # a column: the conditional model's q(y|x) itself, without augmenting
AUTO = "auto"
TUNED_AFFINE = "affine-cv"  # affine copies with their ranges chosen by cross-validation: the strong affine rival
TEACHER = "teacher"  # the conditional model's pseudo-labels for the unlabelled pool, its threshold chosen by CV

SPACES = ("data", "latent")  # classifiers learn from decoded samples, or from latent codes
NOISE_SCALES = ("latent_std", "unit")  # alpha x the codes' deviation (the paper), or alpha alone (the talk)
TRAIN_ON = ("both", "generated")  # a method column's classifiers learn from originals + generated, or generated
NOISES = ("gaussian", "speckle")  # the denoiser's noise models
BACKENDS = ("loky", "dask", "ray")  # joblib backends a grid's cells can run on in parallel

SCALINGS = ("auto", True, False)  # standardise features before a classifier: on tables ("auto"), always, never
BALANCE = "balance"  # as an amount: top every class up to the largest
ALL = "all"  # as an amount of a method that labels unlabelled samples: every one it labels


def parse_amount(text: str) -> int | str:
    """An amount typed on a command line: a count, ``"balance"`` or ``"all"``."""
    return text if text in (BALANCE, ALL) else int(text)
