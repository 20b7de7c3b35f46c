"""vaeaug: labelled data augmentation with variational autoencoders.

The pipeline, one module per step::

    datasets -> protocols -> model -> training -> alteration -> augmenter -> filtering -> evaluation -> report
    (data)      (splits)     (VAE)    (fit)       (codes)        (decode)     (keep)       (classifiers)  (tables, figures)

``multivae`` is one VAE per class; ``baselines`` are what a user would do instead (SMOTE,
affine changes of images, more real data); ``stats`` compares methods over seeds;
``selection`` is ``auto``, the method, alpha and amount chosen by cross-validation
for one classifier; ``methods`` reads method names (``interpolation+noise``,
``multi-vae``, ``prior+gc``, ``smote``, ``auto``) into models and settings; ``experiment`` runs grids from
YAML, ``study`` the default run; ``cli`` is the ``vaeaug`` command.
"""

from .alteration import add_noise, alter, extrapolate, interpolate, sample_prior
from .augmenter import VAEAugmenter
from .multivae import MultiVAEAugmenter
from .baselines import AffineSampler, RealSampler, SMOTESampler
from .selection import AutoAugmenter
from .datasets import load as load_dataset
from .methods import make_augmenter
from .evaluation import CNNClassifier, PaperMLPClassifier, make_classifier, score_classifier
from .model import ConvVAE, MLPVAE, VAEConfig, load_vae
from .study import StudyConfig, run_study
from .training import train_vae

__version__ = "0.1.0"

__all__ = [
    "VAEAugmenter", "MultiVAEAugmenter", "make_augmenter", "SMOTESampler", "AffineSampler", "RealSampler",
    "AutoAugmenter",
    "ConvVAE", "MLPVAE", "VAEConfig", "load_vae", "train_vae",
    "add_noise", "interpolate", "extrapolate", "sample_prior", "alter",
    "PaperMLPClassifier", "CNNClassifier", "make_classifier", "score_classifier",
    "load_dataset", "StudyConfig", "run_study",
]
