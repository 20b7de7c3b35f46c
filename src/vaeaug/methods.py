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
* ``auto`` chooses among the VAE's moves, SMOTE and affine changes (and
  their alpha and amount) by cross-validation on the labelled samples, for
  each classifier (:mod:`vaeaug.selection`).

Each name resolves to a :class:`MethodSpec`: which model it needs (``MODELS``),
the generation settings for that model, and its filter. Models are trained
once and shared by every method that needs them; a method only sets how they
generate.
"""

from __future__ import annotations

from typing import NamedTuple

from .alteration import PRIOR, check_method
from . import augmenter, multivae
from .augmenter import VAEAugmenter
from .baselines import AffineSampler, RealSampler, SMOTESampler
from .multivae import MultiVAEAugmenter
from .selection import AutoAugmenter

__all__ = ["MethodSpec", "MODELS", "BASELINES", "AUTO", "PAPER_METHODS", "TALK_METHODS", "parse_method",
           "make_augmenter", "configure", "set_generation"]

PAPER_METHODS = ["noise", "interpolation", "extrapolation"]
TALK_METHODS = ["interpolation+noise", "extrapolation+noise", "prior", "prior+gc", "multi-vae"]
BASELINES = ["smote", "affine", "real"]
AUTO = "auto"
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


def parse_method(name) -> MethodSpec:
    """Read a method name; raises a ValueError that says what is wrong with it.

    Examples
    --------
    >>> parse_method("multi-vae+interpolation+gc")
    MethodSpec(name='multi-vae+interpolation+gc', model='class-vaes', generation='interpolation', filter='gc')
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"A method must be a name such as 'interpolation' or 'multi-vae'; got {name!r}.")
    if name in BASELINES + [AUTO]:
        return MethodSpec(name, name, None, None)
    tokens = name.split("+")
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
    """Set ``model`` (fitted or not) to generate as ``spec`` says, with further generation ``settings``."""
    return set_generation(model, spec.model, method=spec.generation, filter=spec.filter, **settings)


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
