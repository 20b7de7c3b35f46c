"""vaeaug: labelled data augmentation with variational autoencoders, and the experiments that show whether it helps.

The package is the pipeline, one subpackage or module per step::

    data/          datasets (named and your own files) and protocols (labelled / unlabelled / validation / test)
    vae/           the VAE (model), its training loop (training), the base of the VAE estimators (estimator),
                   and the denoising VAE (denoiser)
    generation/    latent moves as pure functions (latent, amounts), the method-name grammar (registry),
                   the augmenters (augmenter, multivae), the baselines, the GC filter (filtering),
                   chains (chain), auto (auto), and names to estimators (factory)
    classifiers    the classifiers that judge the new data, and score_classifier
    report/        tables, figures and statistics over seeds
    experiments/   YAML configs (config), the model cache (cache), the runner (runner), results.json
                   (results), the default study of ``vaeaug run`` (study), the denoising study (denoising)
    cli            the ``vaeaug`` command

Imports go one way, with no circle: data/ and vae/ use only vaeaug's own ``_validation`` and ``_files``;
classifiers uses vae/ (device and seeding); generation/ uses vae/ and classifiers (auto scores its
candidates); report/ uses nothing of the pipeline; experiments/ uses all of those; cli uses experiments/.
"""

import logging

from .classifiers import CNNClassifier, TorchMLPClassifier, make_classifier, score_classifier
from .data.datasets import load as load_dataset
from .experiments.config import ExperimentConfig, load_config
from .experiments.runner import run_experiment
from .experiments.study import run_study, study_config
from .generation.augmenter import VAEAugmenter
from .generation.auto import AutoAugmenter
from .generation.baselines import AffineSampler, RealSampler, SMOTESampler
from .generation.factory import make_augmenter
from .generation.latent import add_noise, alter, extrapolate, interpolate, sample_prior
from .generation.multivae import MultiVAEAugmenter
from .generation.registry import MethodSpec, parse_method
from .vae.denoiser import VAEDenoiser, corrupt
from .vae.model import ConvVAE, MLPVAE, VAEConfig, load_vae
from .vae.training import train_vae

__version__ = "0.1.0"

# A library logs, the application decides where to: the vaeaug command shows INFO lines on stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "VAEAugmenter", "MultiVAEAugmenter", "AutoAugmenter", "SMOTESampler", "AffineSampler", "RealSampler",
    "make_augmenter", "parse_method", "MethodSpec",
    "add_noise", "interpolate", "extrapolate", "sample_prior", "alter",
    "ConvVAE", "MLPVAE", "VAEConfig", "load_vae", "train_vae", "VAEDenoiser", "corrupt",
    "TorchMLPClassifier", "CNNClassifier", "make_classifier", "score_classifier",
    "load_dataset", "ExperimentConfig", "load_config", "run_experiment", "study_config", "run_study",
]
