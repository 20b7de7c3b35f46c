"""Generation methods by name: the one place where a name in a config, a command or a table is read.

A method name is ``[multi-vae+]GENERATION[+gc]``, or a baseline's name:

* ``GENERATION`` is ``prior``, ``latent-smote`` or a chain of latent moves,
  ``noise``, ``interpolation``, ``extrapolation``, ``interpolation+noise`` and
  so on (:mod:`vaeaug.alteration`);
* a leading ``multi-vae`` uses one VAE per class (:class:`MultiVAEAugmenter`);
  ``multi-vae`` alone means ``multi-vae+prior``;
* a trailing ``gc`` keeps only what the generative classifier calls real
  (:mod:`vaeaug.filtering`);
* ``smote``, ``affine`` and ``real`` are what a user would do instead
  (:mod:`vaeaug.baselines`): SMOTE on the samples, rotated, shifted and scaled
  images, and more real labelled samples;
* ``affine+GENERATION`` (``affine+interpolation``) chains the two: affine
  copies first, then the VAE's method on the labelled samples and the copies
  together (:class:`AugmentationChain`);
* ``auto`` chooses among the VAE's moves, SMOTE and affine changes (and
  their alpha and amount) by cross-validation on the labelled samples, for
  each classifier (:mod:`vaeaug.selection`).

Each name resolves to a :class:`MethodSpec`: which model it needs (``MODELS``),
the generation settings for that model, and its filter. Models are trained
once and shared by every method that needs them; a method only sets how they
generate.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from .alteration import PRIOR, check_method, class_targets
from . import augmenter, multivae
from .augmenter import VAEAugmenter
from .baselines import AffineSampler, RealSampler, SMOTESampler
from .multivae import MultiVAEAugmenter
from .selection import AutoAugmenter

__all__ = ["MethodSpec", "MODELS", "BASELINES", "AUTO", "PAPER_METHODS", "TALK_METHODS", "parse_method",
           "make_augmenter", "configure", "set_generation", "AugmentationChain"]

PAPER_METHODS = ["noise", "interpolation", "extrapolation"]
TALK_METHODS = ["interpolation+noise", "extrapolation+noise", "prior", "prior+gc", "multi-vae"]
BASELINES = ["smote", "affine", "real"]
AUTO = "auto"
CHAINABLE = ["affine"]  # baselines that may go first in a chain, as in affine+interpolation
_MULTI, _GC = "multi-vae", "gc"


class ModelKind(NamedTuple):
    """A kind of model a method needs: what it learns from, where it works, and how it is stored."""

    estimator: type
    prefix: str  # of its generation settings in ``set_params``
    learns_from: str | None  # "all" samples without labels, the "labelled" ones, the labelled "pool", or nothing
    latent_space: str | None  # "shared", "per-class", or None: it makes samples, never codes
    saved_file: str | None  # the file ``save`` writes last into its folder; None: nothing trained to keep
    built_on: str | None = None  # the kind of fitted model it takes as its ``augmenter``
    per_classifier: bool = False  # it is fitted for each classifier, so its samples differ by classifier


MODELS = {
    # one VAE, trained on all data without labels
    "vae": ModelKind(VAEAugmenter, "", "all", "shared", augmenter.SAVED_FILE),
    # one VAE per class, trained on the labelled samples
    "class-vaes": ModelKind(MultiVAEAugmenter, "augmenter__", "labelled", "per-class", multivae.SAVED_FILE),
    # the baselines, each its own kind: they need no VAE
    "smote": ModelKind(SMOTESampler, "", None, None, None),
    "affine": ModelKind(AffineSampler, "", None, None, None),
    "real": ModelKind(RealSampler, "", "pool", None, None),
    # chooses among the VAE's moves and the baselines by cross-validation on the labelled samples
    AUTO: ModelKind(AutoAugmenter, "", "labelled", "shared", None, built_on="vae", per_classifier=True),
}


class MethodSpec(NamedTuple):
    """What a method name asks for."""

    name: str
    model: str  # a key of MODELS
    generation: str  # the augmenter's ``method``
    filter: str | None  # the augmenter's ``filter``
    first: str | None = None  # a baseline that augments the labelled samples before the VAE method does


def parse_method(name) -> MethodSpec:
    """Read a method name; raises a ValueError that says what is wrong with it.

    Examples
    --------
    >>> parse_method("multi-vae+interpolation+gc")
    MethodSpec(name='multi-vae+interpolation+gc', model='class-vaes', generation='interpolation', filter='gc', first=None)
    >>> parse_method("affine+interpolation").first
    'affine'
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"A method must be a name such as 'interpolation' or 'multi-vae'; got {name!r}.")
    if name in BASELINES + [AUTO]:
        return MethodSpec(name, name, None, None)
    tokens = name.split("+")
    if tokens[0] in CHAINABLE and len(tokens) > 1:
        then = parse_method("+".join(tokens[1:]))
        if then.model != "vae":
            raise ValueError(f"Method {name!r}: {tokens[0]}+ goes before a method of the single VAE, as in "
                             f"'{tokens[0]}+interpolation'; {then.name!r} is not one.")
        return then._replace(name=name, first=tokens[0])
    if set(tokens) & set(BASELINES + [AUTO]):
        raise ValueError(f"Method {name!r}: the baselines {', '.join(BASELINES)} and {AUTO!r} stand alone, "
                         "without moves, 'multi-vae' or 'gc'; for SMOTE on the VAE's codes use 'latent-smote'.")
    model = "class-vaes" if tokens[0] == _MULTI else "vae"
    tokens = tokens[1:] if model == "class-vaes" else tokens
    filter_ = _GC if tokens and tokens[-1] == _GC else None
    tokens = tokens[:-1] if filter_ else tokens
    if _MULTI in tokens or _GC in tokens:
        raise ValueError(f"Method {name!r}: 'multi-vae' may only come first and 'gc' only last, as in "
                         "'multi-vae+interpolation+gc'.")
    generation = "+".join(tokens) if tokens else (PRIOR if model == "class-vaes" else "")
    try:
        check_method(generation)
    except ValueError as error:
        raise ValueError(f"{error} A method name is [multi-vae+]GENERATION[+gc], as in 'multi-vae', "
                         "'prior+gc' or 'interpolation+noise'.") from None
    return MethodSpec(name, model, generation, filter_)


def set_generation(model, kind, **settings):
    """Set the generation ``settings`` that a model of ``kind`` has (a baseline has no alpha, say); return it."""
    prefix = MODELS[kind].prefix
    known = model.get_params()
    return model.set_params(**{prefix + key: value for key, value in settings.items() if prefix + key in known})


def configure(model, spec: MethodSpec, **settings):
    """Set ``model`` (fitted or not) to generate as ``spec`` says, with further generation ``settings``.

    Returns the model, or for a chain (``affine+interpolation``) the chain that ends with it.
    """
    model = set_generation(model, spec.model, method=spec.generation, filter=spec.filter, **settings)
    if spec.first is None:
        return model
    first = set_generation(MODELS[spec.first].estimator(random_state=model.random_state), spec.first,
                           n_per_sample=1, n_per_class=None)
    return AugmentationChain(first, model)


class AugmentationChain(BaseEstimator):
    """``first`` makes one new sample per labelled sample; ``then`` generates the rest of the amount from the
    labelled samples and those together.

    The amount is ``then``'s (``n_per_sample``, by default ``n_neighbors``, per
    labelled sample; or its ``n_per_class``), so ``affine+interpolation`` adds
    as many rows as ``interpolation``: with 3 per sample, one affine copy and
    two interpolations per labelled sample, the interpolations drawn from the
    originals and their copies.

    Examples
    --------
    >>> from vaeaug.baselines import AffineSampler, SMOTESampler
    >>> images = np.zeros((4, 8, 8)); images[:, 2:6, 3:5] = 1.0
    >>> chain = AugmentationChain(AffineSampler(n_per_sample=1, random_state=0),
    ...                           SMOTESampler(n_neighbors=1, n_per_sample=2, random_state=0))
    >>> X_new, y_new = chain.generate(images, [0, 0, 1, 1])  # 2 per sample: an affine copy, then SMOTE
    >>> X_new.shape, np.bincount(y_new).tolist()
    ((8, 8, 8), [4, 4])
    """

    def __init__(self, first=None, then=None):
        self.first = first
        self.then = then

    @property
    def random_state(self):
        return self.then.random_state

    def fit(self, X, y=None, **fit_params):
        """Fit ``then`` (the VAE; ``first`` learns nothing)."""
        self.then.fit(X, y, **fit_params)
        return self

    def generate(self, X, y):
        X_first, y_first = self.first.generate(X, y)
        then = self.then
        if then.n_per_class is None:
            amount = then.n_neighbors if then.n_per_sample is None else then.n_per_sample
            if amount < 2:
                raise ValueError(f"A chain makes one sample per labelled sample with {type(self.first).__name__} "
                                 f"and the rest with the VAE, so it needs at least 2 per sample; got {amount}.")
            then = copy.copy(then).set_params(n_per_class=class_targets(y, n_per_sample=amount - 1))
        X_then, y_then = then.generate(np.concatenate([np.asarray(X, dtype=X_first.dtype), X_first]),
                                       np.concatenate([np.asarray(y), y_first]))
        first, second = self.first.generation_report_, then.generation_report_
        self.generation_report_ = {**second, "requested": first["requested"] + second["requested"],
                                   "made": first["made"] + second["made"]}
        return np.concatenate([X_first, X_then.astype(X_first.dtype)]), np.concatenate([y_first, y_then])

    def save(self, path):
        """Save the VAE (``first`` has nothing to keep)."""
        return self.then.save(path)

    def fit_resample(self, X, y, **fit_params):
        """Fit the VAE, then return the originals followed by the chain's new samples."""
        X_new, y_new = self.fit(X, y, **fit_params).generate(X, y)
        return np.concatenate([np.asarray(X, dtype=X_new.dtype), X_new]), np.concatenate([np.asarray(y), y_new])


def make_augmenter(name, *, mix_in=0.2, random_state=None, **params):
    """An unfitted augmenter for the method ``name``; ``params`` are :class:`VAEAugmenter` parameters.

    A baseline takes the parameters it has (the amount) and ignores the VAE's.

    Examples
    --------
    >>> make_augmenter("multi-vae", latent_dim=2, random_state=0).augmenter.method
    'prior'
    >>> make_augmenter("smote", latent_dim=2, n_neighbors=5)
    SMOTESampler(n_neighbors=5)
    """
    spec = parse_method(name)
    if MODELS[spec.model].latent_space is None:
        return set_generation(MODELS[spec.model].estimator(random_state=random_state), spec.model, **params)
    single = VAEAugmenter(random_state=random_state, **params)
    if spec.model == AUTO:  # the unfitted VAE is fitted, without labels, in AutoAugmenter.fit
        return AutoAugmenter(single, n_neighbors=single.n_neighbors, random_state=random_state)
    model = MultiVAEAugmenter(single, mix_in=mix_in, random_state=random_state) if spec.model == "class-vaes" \
        else single
    return configure(model, spec)
