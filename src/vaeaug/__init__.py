"""vaeaug: labelled data augmentation with variational autoencoders.

The pipeline, one module per step::

    datasets -> protocols -> model -> training -> alteration -> augmenter -> evaluation -> report
    (data)      (splits)     (VAE)    (fit)       (codes)        (decode)     (classifiers)  (tables, figures)

``study`` runs all of it over seeds; ``cli`` is the ``vaeaug`` command.
"""

from .alteration import add_noise, alter, extrapolate, interpolate, sample_prior
from .augmenter import VAEAugmenter
from .datasets import load as load_dataset
from .evaluation import PaperMLPClassifier, make_classifier, score_classifier
from .model import ConvVAE, MLPVAE, VAEConfig, load_vae
from .study import StudyConfig, run_study
from .training import train_vae

__version__ = "0.1.0"

__all__ = [
    "VAEAugmenter",
    "ConvVAE", "MLPVAE", "VAEConfig", "load_vae", "train_vae",
    "add_noise", "interpolate", "extrapolate", "alter",
    "PaperMLPClassifier", "make_classifier", "score_classifier",
    "load_dataset", "StudyConfig", "run_study",
]
