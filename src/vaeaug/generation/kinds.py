"""Generator kinds: the one place that tells them apart.

A method name (:func:`vaeaug.generation.registry.parse_method`) needs a *kind* of
generator: the single VAE, one VAE per class, the conditional model on the VAE's
codes, a baseline (SMOTE, affine, real), ``auto`` or ``affine-cv``. Each kind is an
object here that answers what the rest of the package asks of it:

* :meth:`Kind.build`: the unfitted estimator for a parsed method and its settings
  (``make_augmenter``, ``vaeaug augment``);
* :meth:`Kind.key`: what its model cache keys a trained model by (None: nothing to keep);
* :meth:`Kind.train`, :meth:`Kind.load`, :meth:`Kind.ready`: train or load its model for one
  split, then set it to generate with the run's settings;
* :meth:`Kind.untrained`: the generator of a kind that keeps no model;
* :meth:`Kind.generate_inputs`, :meth:`Kind.fit_for_classifier`: what it needs from the split
  (the unlabelled pool) and, for a kind fitted per classifier, how it is fitted.

Its plain facts (what it learns from, its latent space, whether it is fitted per
classifier or takes images only) are :data:`vaeaug.generation.registry.KINDS`,
read here through the kind (``kind.per_classifier``): that table sits below the
estimators, so ``auto`` can read method names without importing this module.

``settings`` is a run's settings by section, as
:meth:`vaeaug.experiments.config.ExperimentConfig.settings_for` gives them:
``{"vae": {...}, "augmentation": {...}, "mix_in": 0.2, "conditional": {...}}``;
a missing section means its defaults.

Adding a kind is one class here, one line in :data:`KIND_OF`, and one line in
``KINDS`` with the grammar's name for it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

from .._choices import AUTO, RIVALS, SEMI_SUPERVISED, TEACHER, TUNED_AFFINE
from .._settings import CONDITIONAL, MULTI_VAE, VAE, section
from .._typing import RandomState
from .augmenter import VAEAugmenter
from .auto import AutoAugmenter
from .baselines import AffineSampler, RealSampler, SMOTESampler
from .chain import configure
from .conditional import GENERATION_ONLY, ConditionalAugmenter
from .multivae import MultiVAEAugmenter
from .registry import CONDITIONAL_MODEL, KINDS, SINGLE_VAE, MethodSpec, parse_method, set_generation
from .rivals import TabularRival
from .semisupervised import LabelSpreadingSampler, SelfTrainingSampler
from .tuned import Teacher, TunedAffine

__all__ = ["Kind", "KIND_OF", "kind_of", "make_augmenter"]


def _key(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _shaping(defaults, given) -> dict:
    """The settings that shaped a model, the defaults included: a key of the given ones alone would hand a model
    trained under an old default to a run after the default changed."""
    return {**section(defaults), **given}


def _digest(indices) -> str:
    return hashlib.sha1(np.ascontiguousarray(indices, dtype=np.int64).tobytes()).hexdigest()[:16]


def _single_vae(settings, random_state, **extra) -> VAEAugmenter:
    """The single VAE, unfitted, with the run's VAE and generation settings (``extra``: the latent size and
    device a grid sets per cell)."""
    return VAEAugmenter(random_state=random_state, **extra, **settings.get("augmentation", {}),
                        **settings.get("vae", {}))


def _fold_cache(models):
    """Where ``auto``'s and ``teacher``'s fold models are kept: beside the run's other models, so that the
    classifiers, the two methods and the next run share them (None: a source with no cache folder)."""
    cache = getattr(models, "cache", None)
    return None if cache is None else Path(cache) / "folds"


def _param(settings, name, default=None):
    """A setting of the VAE or generation sections (``device``, ``verbose``, an amount), whichever gives it."""
    return settings.get("augmentation", {}).get(name, settings.get("vae", {}).get(name, default))


class Kind:
    """A kind of generator. The base is a kind that keeps no trained model (a baseline)."""

    estimator: type = BaseEstimator
    sections: tuple[str, ...] = ("augmentation",)  # the settings sections it reads

    def __init__(self, name: str):
        self.name = name
        self.info = KINDS[name]

    def __getattr__(self, attribute):  # the kind's plain facts: learns_from, per_classifier, images_only, ...
        if attribute == "info":
            raise AttributeError(attribute)
        return getattr(self.info, attribute)

    def __repr__(self) -> str:
        return f"<kind {self.name}>"

    # -- building ------------------------------------------------------------------------

    def _estimator(self, settings, random_state, built_on=None) -> BaseEstimator:
        return self.estimator(random_state=random_state)

    def build(self, spec: MethodSpec, settings: dict, *, random_state: RandomState = None) -> BaseEstimator:
        """The unfitted estimator for ``spec`` with ``settings``, set to generate as ``spec`` says."""
        model = self._estimator(settings, random_state)
        model = set_generation(model, self.name, **{**settings.get("vae", {}), **settings.get("augmentation", {})})
        return configure(model, spec)

    # -- the model cache -------------------------------------------------------------------

    def key(self, data_name, split, seed, latent_dim, settings) -> str | None:
        """The cache key of this kind's model for one split (None: it keeps no model)."""
        return None

    def untrained(self, data, split, seed, settings, built_on=None) -> BaseEstimator:
        """The generator of a kind that keeps no model, for one split, set to ``settings``."""
        return self.ready(self._estimator(settings, seed, built_on), settings)

    def train(self, data, split, seed, latent_dim, settings, *, device, built_on=None) -> BaseEstimator:
        """This kind's model, trained on one split."""
        raise NotImplementedError(f"The {self.name} kind keeps no trained model.")

    def load(self, folder, device) -> BaseEstimator:
        return self.estimator.load(folder, device=device)

    def ready(self, model, settings) -> BaseEstimator:
        """``model`` (trained now or loaded) set to the run's generation ``settings``."""
        return set_generation(model, self.name, **settings.get("augmentation", {}))

    def scores(self, model, data, split) -> dict:
        """What the training record keeps of the model besides its training (a classifier's test accuracy)."""
        return {}

    # -- generating --------------------------------------------------------------------------

    def generate_inputs(self, pool) -> dict:
        """What ``generate`` takes besides the labelled samples; ``pool()`` gives the unlabelled ones."""
        return {}

    def fit_for_classifier(self, model, classifier, labelled, auto_settings, models, pool) -> BaseEstimator:
        """Fit a kind fitted per classifier (``per_classifier``) for ``classifier`` on the ``labelled`` (X, y),
        with a grid's ``auto`` settings; ``models(kind)`` gives the split's other models."""
        return model


class _SingleVAE(Kind):
    """One VAE, trained without labels on the labelled and unlabelled samples: the paper's methods."""

    estimator = VAEAugmenter
    sections = ("vae", "augmentation")

    def _estimator(self, settings, random_state, built_on=None):
        return _single_vae(settings, random_state)

    def key(self, data_name, split, seed, latent_dim, settings):
        learns_from = np.union1d(split.labelled, split.unlabelled)
        return _key(data_name, _digest(learns_from), _digest(split.validation), seed, latent_dim,
                    _shaping(VAE, settings["vae"]))

    def train(self, data, split, seed, latent_dim, settings, *, device, built_on=None):
        validation = data.X[split.validation] if len(split.validation) else None
        return _single_vae(settings, seed, latent_dim=latent_dim, device=device).fit(
            data.X[np.union1d(split.labelled, split.unlabelled)], X_validation=validation)


class _ClassVAEs(Kind):
    """One VAE per class, each trained on its class's labelled samples and a ``mix_in`` share of the others'."""

    estimator = MultiVAEAugmenter
    sections = ("vae", "augmentation", "mix_in")

    def _estimator(self, settings, random_state, built_on=None, **extra):
        return MultiVAEAugmenter(_single_vae(settings, random_state, **extra), mix_in=settings.get("mix_in", MULTI_VAE.mix_in),
                                 random_state=random_state, verbose=_param(settings, "verbose", "auto"))

    def build(self, spec, settings, *, random_state=None):
        return configure(self._estimator(settings, random_state), spec)

    def key(self, data_name, split, seed, latent_dim, settings):
        return _key(data_name, _digest(split.labelled), _digest(split.validation), seed, latent_dim,
                    _shaping(VAE, settings["vae"]), self.name, settings["mix_in"])

    def train(self, data, split, seed, latent_dim, settings, *, device, built_on=None):
        return self._estimator(settings, seed, latent_dim=latent_dim, device=device).fit(
            data.X[split.labelled], data.y[split.labelled])


class _Conditional(Kind):
    """A conditional model (M1+M2) on the single VAE's codes, trained on every code and the labelled labels."""

    estimator = ConditionalAugmenter
    sections = ("vae", "augmentation", "conditional")

    def _estimator(self, settings, random_state, built_on=None):
        vae = _single_vae(settings, random_state) if built_on is None else built_on
        return ConditionalAugmenter(vae, device=_param(settings, "device", "auto"), random_state=random_state,
                                    verbose=_param(settings, "verbose", "auto"),
                                    n_per_sample=_param(settings, "n_per_sample"),
                                    n_per_class=_param(settings, "n_per_class"), **settings.get("conditional", {}))

    def build(self, spec, settings, *, random_state=None):
        # The unfitted VAE is fitted, without labels, in ConditionalAugmenter.fit
        return configure(self._estimator(settings, random_state), spec)

    def key(self, data_name, split, seed, latent_dim, settings):
        training = {k: v for k, v in _shaping(CONDITIONAL, settings["conditional"]).items()
                    if k not in GENERATION_ONLY}
        return _key(data_name, _digest(split.labelled), _digest(split.unlabelled), _digest(split.validation), seed,
                    latent_dim, _shaping(VAE, settings["vae"]), self.name, training)

    def train(self, data, split, seed, latent_dim, settings, *, device, built_on=None):
        model = ConditionalAugmenter(built_on, device=device, random_state=seed,
                                     verbose=_param(settings, "verbose", "auto"), **settings["conditional"])
        return model.fit(data.X[split.labelled], data.y[split.labelled], X_unlabelled=data.X[split.unlabelled])

    def ready(self, model, settings):
        model.set_params(**settings.get("conditional", {}))  # a loaded model has its training run's threshold
        return super().ready(model, settings)

    def scores(self, model, data, split):
        # The conditional model is a classifier too: its own test accuracy, beside Kingma et al.'s M1+M2.
        return {"test_accuracy": round(model.score(data.X[split.test], data.y[split.test]), 6)} \
            if len(split.test) else {}

    def generate_inputs(self, pool):
        # It draws styles and pseudo-labels from the unlabelled part, which it does not save.
        return {"X_unlabelled": pool()}


class _SMOTE(Kind):
    """SMOTE on the samples themselves (imbalanced-learn)."""

    estimator = SMOTESampler


class _Affine(Kind):
    """Affine copies of images: rotated, shifted and scaled at random."""

    estimator = AffineSampler


class _RealPool(Kind):
    """More real labelled samples, from the unlabelled pool with the labels a benchmark knows."""

    estimator = RealSampler

    def untrained(self, data, split, seed, settings, built_on=None):
        model = self._estimator(settings, seed).fit(data.X[split.unlabelled], data.y[split.unlabelled])
        return self.ready(model, settings)


class _Rival(Kind):
    """TVAE or CTGAN (the ctgan package), trained on the labelled table when it generates."""

    estimator = TabularRival

    def _estimator(self, settings, random_state, built_on=None):
        return TabularRival(model=self.name, random_state=random_state)


class _LabelSpreading(Kind):
    """Label spreading over the samples, or (``label-spreading-codes``) over their codes in the single VAE."""

    estimator = LabelSpreadingSampler

    def _estimator(self, settings, random_state, built_on=None):
        encoder = None if self.built_on is None else built_on or _single_vae(settings, random_state)
        return LabelSpreadingSampler(encoder=encoder, random_state=random_state)

    def generate_inputs(self, pool):
        return {"X_unlabelled": pool()}


class _SelfTraining(Kind):
    """Self-training of the cell's classifier on the labelled and unlabelled samples."""

    estimator = SelfTrainingSampler

    def generate_inputs(self, pool):
        return {"X_unlabelled": pool()}

    def fit_for_classifier(self, model, classifier, labelled, auto_settings, models, pool):
        # the classifier refits on what it labelled every round: the cap on auto's and teacher's labellers bounds it
        return model.set_params(classifier=classifier, max_pool=auto_settings.get("max_pool")).fit(*labelled)


class _Auto(Kind):
    """``auto``: chooses among the single VAE's moves and the baselines by cross-validation, per classifier."""

    estimator = AutoAugmenter
    sections = ("vae", "augmentation", "auto", "conditional")

    def _estimator(self, settings, random_state, built_on=None):
        # An unfitted VAE is fitted, without labels, in AutoAugmenter.fit
        vae = _single_vae(settings, random_state) if built_on is None else built_on
        return AutoAugmenter(vae, n_neighbors=vae.n_neighbors, random_state=random_state, verbose=vae.verbose)

    def build(self, spec, settings, *, random_state=None):
        model = self._estimator(settings, random_state)
        if settings.get("auto", {}).get("conditional"):  # the conditional model's methods are candidates too
            model.set_params(conditional=ConditionalAugmenter(device=_param(settings, "device", "auto"),
                                                              random_state=random_state, verbose=model.verbose,
                                                              **settings.get("conditional", {})))
        return model

    def fit_for_classifier(self, model, classifier, labelled, auto_settings, models, pool):
        model.set_params(classifier=classifier, **{k: v for k, v in auto_settings.items() if k != "conditional"})
        if auto_settings.get("conditional"):  # its fold models learn from the unlabelled part too
            model.set_params(conditional=models(CONDITIONAL_MODEL), fold_cache=_fold_cache(models))
        unlabelled = pool()  # label spreading over it is a candidate; a split may have none (a predefined one)
        return model.fit(*labelled, X_unlabelled=unlabelled if len(unlabelled) else None)


class _Teacher(Kind):
    """``teacher``: the conditional model's pseudo-labels, their threshold chosen per classifier by
    cross-validation; the split's conditional model labels the pool once the threshold is chosen."""

    estimator = Teacher
    sections = ("vae", "augmentation", "auto", "conditional")

    def _estimator(self, settings, random_state, built_on=None):
        vae = _single_vae(settings, random_state) if built_on is None else built_on
        conditional = ConditionalAugmenter(device=_param(settings, "device", "auto"), random_state=random_state,
                                           verbose=vae.verbose, **settings.get("conditional", {}))
        return Teacher(vae, conditional=conditional, random_state=random_state, verbose=vae.verbose)

    def build(self, spec, settings, *, random_state=None):
        return self._estimator(settings, random_state)

    def fit_for_classifier(self, model, classifier, labelled, auto_settings, models, pool):
        model.set_params(classifier=classifier, conditional=models(CONDITIONAL_MODEL),
                         fold_cache=_fold_cache(models),
                         **{k: v for k, v in auto_settings.items() if k in ("cv", "max_pool", "cv_pool")})
        return model.fit(*labelled, X_unlabelled=pool())


class _TunedAffine(Kind):
    """``affine-cv``: affine copies with their ranges chosen per classifier by cross-validation."""

    estimator = TunedAffine

    def fit_for_classifier(self, model, classifier, labelled, auto_settings, models, pool):
        return model.set_params(classifier=classifier).fit(*labelled)


KIND_OF: dict[str, Kind] = {
    SINGLE_VAE: _SingleVAE(SINGLE_VAE),
    "class-vaes": _ClassVAEs("class-vaes"),
    CONDITIONAL_MODEL: _Conditional(CONDITIONAL_MODEL),
    "smote": _SMOTE("smote"),
    "affine": _Affine("affine"),
    "real": _RealPool("real"),
    **{rival: _Rival(rival) for rival in RIVALS},
    SEMI_SUPERVISED[0]: _LabelSpreading(SEMI_SUPERVISED[0]),
    SEMI_SUPERVISED[1]: _LabelSpreading(SEMI_SUPERVISED[1]),
    SEMI_SUPERVISED[2]: _SelfTraining(SEMI_SUPERVISED[2]),
    AUTO: _Auto(AUTO),
    TEACHER: _Teacher(TEACHER),
    TUNED_AFFINE: _TunedAffine(TUNED_AFFINE),
}


def kind_of(method: str | MethodSpec) -> Kind:
    """The kind a method name (or its parsed :class:`MethodSpec`) needs.

    >>> kind_of("multi-vae+interpolation").name, kind_of("affine-cv").per_classifier
    ('class-vaes', True)
    """
    return KIND_OF[parse_method(method).kind]


def make_augmenter(name: str | MethodSpec, *, mix_in: float = MULTI_VAE.mix_in, random_state: RandomState = None,
                   **params) -> BaseEstimator:
    """An unfitted augmenter for the method ``name`` (or its parsed :class:`MethodSpec`); ``params`` are
    :class:`VAEAugmenter` parameters (the VAE's and how it generates).

    A baseline takes the parameters it has (the amount) and ignores the VAE's.

    Examples
    --------
    >>> make_augmenter("multi-vae", latent_dim=2, random_state=0).augmenter.method
    'prior'
    >>> make_augmenter("smote", latent_dim=2, n_neighbors=5)
    SMOTESampler(n_neighbors=5)
    """
    spec = parse_method(name)
    return KIND_OF[spec.kind].build(spec, {"vae": params, "mix_in": mix_in}, random_state=random_state)
