"""vaeaug: labelled data augmentation with variational autoencoders, and the experiments that show whether it helps.

The package is the pipeline, one subpackage or module per step::

    data/          datasets (datasets: named and your own files; formats: the named ones' file formats; sources:
                   where their files come from), mixed-type tables to numbers and back (tables) and protocols
                   (labelled / unlabelled / validation / test)
    vae/           the VAE (model), how any network here trains: device, threads, seeding and the loop (loop),
                   the VAE's training with early stopping (training), processes under torchrun (distributed),
                   one save/load scheme for every fitted estimator (saving), the base of the VAE estimators
                   (estimator), the denoising VAE (denoiser), and the conditional model on the VAE's codes,
                   M1+M2's M2 (conditional_model)
    generation/    latent moves as pure functions (latent, amounts; codes: what they share, and the methods that
                   make codes in one go: prior draws, SMOTE), the method-name grammar (registry), the
                   augmenters (augmenter, multivae, conditional), the baselines, the tabular rivals TVAE and CTGAN
                   (rivals), the semi-supervised rivals that label the pool (semisupervised), the GC filter
                   (filtering),
                   what every sampler shares (sampler), chains (chain), auto (auto), auto narrowed to one
                   method, affine-cv and the conditional model as a teacher (tuned), their candidates
                   (candidates) and the fold models and halving of their folds (folds), and the generator
                   kinds, the one place that tells them apart
                   (kinds: make_augmenter)
    classifiers    the classifiers that judge the new data (make_classifier)
    evaluation     a classifier trained on the training rows and their weights, scored on held-out data
                   (score_classifier)
    report/        tables, figures and statistics over seeds (tables, figures, stats), and what a method made,
                   judged without a test set (quality)
    experiments/   YAML configs (config), the paper's numbers beside ours (reference), the model cache (cache),
                   one cell's dataset, split and models (context), the runner (runner) and how it runs
                   (execution: in parallel through joblib), the record log and results.json (results),
                   ``vaeaug run``'s built-in study (run_options, study), the denoising study (denoising)
    cli            the ``vaeaug`` command: its parser (cli) and what each command does (_commands)

Below them all: the names a user chooses among (_choices), every setting's default, one home per section
(_settings), the checks at the boundary (_validation), and atomic writes (_files).

Imports go one way, with no circle: data/ and vae/ use only those modules below them all;
classifiers uses vae/ (device and seeding); evaluation uses data.tables (a mixed table's categories);
generation/ uses vae/, classifiers and evaluation (auto scores its candidates) and data.tables (fit_resample
on a mixed-type table); report/ uses nothing of the pipeline; experiments/ uses all of those; _commands uses
experiments/; cli only what parses fast (``_choices``, ``_settings``, ``experiments.run_options``) and loads
_commands to run.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# The public API, name -> (module, name there). It is loaded on first use (PEP 562), not on
# ``import vaeaug``: the command line must answer --help without waiting seconds for PyTorch
# and scikit-learn. ``from vaeaug import VAEAugmenter`` works as usual.
_API = {
    "VAEAugmenter": ("generation.augmenter", "VAEAugmenter"),
    "MultiVAEAugmenter": ("generation.multivae", "MultiVAEAugmenter"),
    "ConditionalAugmenter": ("generation.conditional", "ConditionalAugmenter"),
    "AutoAugmenter": ("generation.auto", "AutoAugmenter"),
    "Teacher": ("generation.tuned", "Teacher"),
    "SMOTESampler": ("generation.baselines", "SMOTESampler"),
    "AffineSampler": ("generation.baselines", "AffineSampler"),
    "RealSampler": ("generation.baselines", "RealSampler"),
    "LabelSpreadingSampler": ("generation.semisupervised", "LabelSpreadingSampler"),
    "SelfTrainingSampler": ("generation.semisupervised", "SelfTrainingSampler"),
    "make_augmenter": ("generation.kinds", "make_augmenter"),
    "parse_method": ("generation.registry", "parse_method"),
    "MethodSpec": ("generation.registry", "MethodSpec"),
    "add_noise": ("generation.latent", "add_noise"),
    "interpolate": ("generation.latent", "interpolate"),
    "extrapolate": ("generation.latent", "extrapolate"),
    "sample_prior": ("generation.codes", "sample_prior"),
    "alter": ("generation.latent", "alter"),
    "ConvVAE": ("vae.model", "ConvVAE"),
    "MLPVAE": ("vae.model", "MLPVAE"),
    "VAEConfig": ("vae.model", "VAEConfig"),
    "load_vae": ("vae.model", "load_vae"),
    "train_vae": ("vae.training", "train_vae"),
    "VAEDenoiser": ("vae.denoiser", "VAEDenoiser"),
    "corrupt": ("vae.denoiser", "corrupt"),
    "TorchMLPClassifier": ("classifiers", "TorchMLPClassifier"),
    "CNNClassifier": ("classifiers", "CNNClassifier"),
    "make_classifier": ("classifiers", "make_classifier"),
    "score_classifier": ("evaluation", "score_classifier"),
    "load_dataset": ("data.datasets", "load"),
    "ExperimentConfig": ("experiments.config", "ExperimentConfig"),
    "load_config": ("experiments.config", "load_config"),
    "run_experiment": ("experiments.runner", "run_experiment"),
    "study_config": ("experiments.study", "study_config"),
    "run_study": ("experiments.study", "run_study"),
}
__all__ = list(_API)

if TYPE_CHECKING:  # what type checkers and IDEs see: the same names, imported eagerly
    from .classifiers import CNNClassifier, TorchMLPClassifier, make_classifier
    from .evaluation import score_classifier
    from .data.datasets import load as load_dataset
    from .experiments.config import ExperimentConfig, load_config
    from .experiments.runner import run_experiment
    from .experiments.study import run_study, study_config
    from .generation.augmenter import VAEAugmenter
    from .generation.auto import AutoAugmenter
    from .generation.baselines import AffineSampler, RealSampler, SMOTESampler
    from .generation.kinds import make_augmenter
    from .generation.codes import sample_prior
    from .generation.latent import add_noise, alter, extrapolate, interpolate
    from .generation.multivae import MultiVAEAugmenter
    from .generation.conditional import ConditionalAugmenter
    from .generation.registry import MethodSpec, parse_method
    from .generation.semisupervised import LabelSpreadingSampler, SelfTrainingSampler
    from .generation.tuned import Teacher
    from .vae.denoiser import VAEDenoiser, corrupt
    from .vae.model import MLPVAE, ConvVAE, VAEConfig, load_vae
    from .vae.training import train_vae


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'vaeaug' has no attribute {name!r}")
    module, attribute = _API[name]
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))


# A library logs, the application decides where to: the vaeaug command shows INFO lines on stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())
