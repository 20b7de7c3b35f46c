"""Generation methods by name: the one place where a name in a config, a command or a table is read.

A method name is ``[multi-vae+]GENERATION[+gc]``:

* ``GENERATION`` is ``prior`` or a chain of latent moves, ``noise``,
  ``interpolation``, ``extrapolation``, ``interpolation+noise`` and so on
  (:mod:`vaeaug.alteration`);
* a leading ``multi-vae`` uses one VAE per class (:class:`MultiVAEAugmenter`);
  ``multi-vae`` alone means ``multi-vae+prior``;
* a trailing ``gc`` keeps only what the generative classifier calls real
  (:mod:`vaeaug.filtering`).

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
from .multivae import MultiVAEAugmenter

__all__ = ["MethodSpec", "MODELS", "PAPER_METHODS", "TALK_METHODS", "parse_method", "make_augmenter", "configure"]

PAPER_METHODS = ["noise", "interpolation", "extrapolation"]
TALK_METHODS = ["interpolation+noise", "extrapolation+noise", "prior", "prior+gc", "multi-vae"]
_MULTI, _GC = "multi-vae", "gc"


class ModelKind(NamedTuple):
    """A kind of model a method needs, and the prefix its generation settings take in ``set_params``."""

    estimator: type
    prefix: str
    needs_labels: bool
    saved_file: str  # the file ``save`` writes last into its folder


MODELS = {
    # one VAE, trained on all data without labels
    "vae": ModelKind(VAEAugmenter, "", needs_labels=False, saved_file=augmenter.SAVED_FILE),
    # one VAE per class, trained on the labelled samples
    "class-vaes": ModelKind(MultiVAEAugmenter, "augmenter__", needs_labels=True, saved_file=multivae.SAVED_FILE),
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
    tokens = name.split("+")
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


def configure(model, spec: MethodSpec, **settings):
    """Set ``model`` (fitted or not) to generate as ``spec`` says, with further generation ``settings``."""
    prefix = MODELS[spec.model].prefix
    values = {"method": spec.generation, "filter": spec.filter, **settings}
    return model.set_params(**{prefix + key: value for key, value in values.items()})


def make_augmenter(name, *, mix_in=0.2, random_state=None, **params):
    """An unfitted augmenter for the method ``name``; ``params`` are :class:`VAEAugmenter` parameters.

    Examples
    --------
    >>> make_augmenter("multi-vae", latent_dim=2, random_state=0).augmenter.method
    'prior'
    """
    spec = parse_method(name)
    single = VAEAugmenter(random_state=random_state, **params)
    model = MultiVAEAugmenter(single, mix_in=mix_in, random_state=random_state) if spec.model == "class-vaes" \
        else single
    return configure(model, spec)
