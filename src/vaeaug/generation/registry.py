"""Generation methods by name: the one place where a name in a config, a command or a table is read.

A method name is ``[multi-vae+]GENERATION[+gc]``, or a baseline's name:

* ``GENERATION`` is ``prior``, ``latent-smote`` or a chain of latent moves,
  ``noise``, ``interpolation``, ``extrapolation``, ``interpolation+noise`` and
  so on (:mod:`vaeaug.generation.latent`);
* a leading ``multi-vae`` uses one VAE per class (:class:`MultiVAEAugmenter`);
  ``multi-vae`` alone means ``multi-vae+prior``;
* a trailing ``gc`` keeps only what the generative classifier calls real
  (:mod:`vaeaug.generation.filtering`);
* ``smote``, ``affine`` and ``real`` are what a user would do instead
  (:mod:`vaeaug.generation.baselines`): SMOTE on the samples, rotated, shifted and scaled
  images, and more real labelled samples;
* ``tvae`` and ``ctgan`` are the tabular generators a user would try instead (the ``ctgan`` package,
  :mod:`vaeaug.generation.rivals`), trained on the labelled table;
* ``label-spreading``, ``label-spreading-codes`` and ``self-training`` are the semi-supervised methods a user
  would try instead (:mod:`vaeaug.generation.semisupervised`): unlabelled samples with the labels that label
  spreading (over the samples, or over the VAE's codes) or self-training of the cell's classifier gives them;
* ``affine+GENERATION`` (``affine+interpolation``) chains the two: affine
  copies first, then the VAE's method on the labelled samples and the copies
  together (:class:`AugmentationChain`);
* ``conditional-prior``, ``style-transfer`` and ``pseudo-label`` use a conditional
  model trained on the VAE's codes with the labels (M1+M2,
  :mod:`vaeaug.generation.conditional`); a trailing ``agree`` keeps only what its
  classifier labels as asked, after those or after the VAE's moves
  (``interpolation+agree``); ``conditional-classifier`` is a column of that
  model's own classifier, which makes no samples; ``teacher`` gives the user's classifier that model's
  pseudo-labels for the unlabelled samples, as sure as cross-validation says it must be
  (:class:`~vaeaug.generation.tuned.Teacher`);
* ``affine-cv`` is ``affine`` with its ranges (rotation, shift, an elastic
  distortion) chosen for each classifier by cross-validation;
* ``auto`` chooses among the VAE's moves, SMOTE and affine changes (and
  their alpha and amount) by cross-validation on the labelled samples, for
  each classifier (:mod:`vaeaug.generation.auto`).

Each name resolves to a :class:`MethodSpec`: the kind of generator it needs (``KINDS``),
the generation settings for it, and its filter. Models are trained
once and shared by every method that needs them; a method only sets how they
generate.
"""

from __future__ import annotations

from typing import NamedTuple

from .._choices import (AUTO, BASELINES, CONDITIONAL_METHODS, OWN_CLASSIFIER, PAPER_METHODS, RIVALS,
                        SEMI_SUPERVISED, TALK_METHODS, TEACHER, TUNED_AFFINE)
from .._validation import did_you_mean
from .latent import LATENT_SMOTE, MOVES, PRIOR, parse_moves

__all__ = ["MethodSpec", "KINDS", "GeneratorKind", "SINGLE_VAE", "CONDITIONAL_MODEL", "BASELINES", "AUTO", "TUNED_AFFINE", "PAPER_METHODS", "TALK_METHODS", "CHAINABLE", "parse_method",
           "needs_images", "set_generation"]

SINGLE_VAE = "vae"  # the kind of the one VAE every shared-latent-space method moves codes in
CONDITIONAL_MODEL = "conditional"  # the kind of the conditional model on that VAE's codes
CHAINABLE = ["affine"]  # baselines that may go first in a chain, as in affine+interpolation
_MULTI, _GC, _AGREE = "multi-vae", "gc", "agree"
STANDALONE = BASELINES + RIVALS + SEMI_SUPERVISED + [AUTO, TUNED_AFFINE, TEACHER]  # names that take no moves or filter


class GeneratorKind(NamedTuple):
    """A kind of generator a method needs (a trained model or a baseline): what it learns from, where it works.

    What each kind does (its estimator, cache key, training) is its object in
    :data:`vaeaug.generation.kinds.KIND_OF`; this table of plain facts is below every estimator, so that
    ``auto`` can read method names without importing itself.
    """

    prefix: str  # of its generation settings in ``set_params``
    learns_from: str | None  # "all" samples without labels, "all+labels" (the labelled ones' too), the "labelled"
    # ones, the labelled "pool", the "labelled+unlabelled" ones to label the latter, or nothing
    latent_space: str | None  # "shared", "per-class", or None: it makes samples, never codes
    trained: bool  # it learns weights worth keeping in the model cache
    built_on: str | None = None  # the kind of fitted model it takes as its ``augmenter``
    per_classifier: bool = False  # it is fitted for each classifier, so its samples differ by classifier
    images_only: bool = False  # it changes images as images (rotations, shifts), so it refuses feature vectors
    reads_tables: bool = False  # it takes a table in its own types (text columns as categories)

    @property
    def moves_codes(self) -> bool:
        """Its samples are the single VAE's latent moves: the VAE itself, which every fold of ``auto`` shares."""
        return self.learns_from == "all" and self.latent_space == "shared"

    @property
    def per_class_spaces(self) -> bool:
        """One VAE per class, so one latent space per class: no shared codes to classify."""
        return self.latent_space == "per-class"

    @property
    def learns_labels_of_codes(self) -> bool:
        """It learns from the labelled samples' codes and labels (the conditional model): ``auto`` trains one
        per fold, and it draws styles and pseudo-labels from the unlabelled samples."""
        return self.learns_from == "all+labels"

    @property
    def labels_pool(self) -> bool:
        """It labels the unlabelled samples, which its ``generate`` takes (a semi-supervised rival)."""
        return self.learns_from == "labelled+unlabelled"

    @property
    def uses_unlabelled(self) -> bool:
        """The single VAE learns from the unlabelled samples for it (it is that VAE, or is built on it)."""
        return self.learns_from in ("all", "all+labels") or self.built_on is not None


KINDS = {
    # one VAE, trained on all data without labels
    SINGLE_VAE: GeneratorKind("", "all", "shared", trained=True),
    # one VAE per class, trained on the labelled samples
    "class-vaes": GeneratorKind("augmenter__", "labelled", "per-class", trained=True),
    # the baselines, each its own kind: they need no VAE
    "smote": GeneratorKind("", None, None, trained=False, reads_tables=True),
    "affine": GeneratorKind("", None, None, trained=False, images_only=True),
    "real": GeneratorKind("", "pool", None, trained=False),
    # the tabular generators a user would try instead, each trained on the labelled table when it generates
    **{rival: GeneratorKind("", "labelled", None, trained=False, reads_tables=True) for rival in RIVALS},
    # a conditional model on the single VAE's codes, trained on every code with the labelled ones' labels
    CONDITIONAL_MODEL: GeneratorKind("", "all+labels", "shared", trained=True, built_on=SINGLE_VAE),
    # the semi-supervised rivals: labels for the unlabelled samples, from a graph of them (or of their codes in
    # the single VAE), or from the cell's classifier trained on its own surest labels
    "label-spreading": GeneratorKind("", "labelled+unlabelled", None, trained=False),
    "label-spreading-codes": GeneratorKind("", "labelled+unlabelled", None, trained=False, built_on=SINGLE_VAE),
    "self-training": GeneratorKind("", "labelled+unlabelled", None, trained=False, per_classifier=True),
    # the conditional model's pseudo-labels for the unlabelled samples, their threshold chosen per classifier by
    # cross-validation: each fold trains its own conditional model on the single VAE's codes
    TEACHER: GeneratorKind("", "labelled+unlabelled", None, trained=False, built_on=SINGLE_VAE, per_classifier=True),
    # affine copies with their ranges chosen per classifier by cross-validation on the labelled samples
    TUNED_AFFINE: GeneratorKind("", "labelled", None, trained=False, per_classifier=True, images_only=True),
    # chooses among the VAE's moves and the baselines by cross-validation on the labelled samples
    AUTO: GeneratorKind("", "labelled", "shared", trained=False, built_on=SINGLE_VAE, per_classifier=True),
}


class MethodSpec(NamedTuple):
    """What a method name asks for."""

    name: str
    kind: str  # the kind of generator it needs: a key of KINDS
    generation: str  # the augmenter's ``method``
    filter: str | None  # the augmenter's ``filter``
    first: str | None = None  # a baseline that augments the labelled samples before the VAE method does


def parse_method(name: str | MethodSpec) -> MethodSpec:
    """Read a method name (or pass a :class:`MethodSpec` through); raises a ValueError that says what is wrong.

    Commands and configs call it once, where a name comes in, and hand the spec down.

    Examples
    --------
    >>> parse_method("multi-vae+interpolation+gc")
    MethodSpec(name='multi-vae+interpolation+gc', kind='class-vaes', generation='interpolation', filter='gc', first=None)
    >>> parse_method("affine+interpolation").first
    'affine'
    """
    if isinstance(name, MethodSpec):
        return name
    if not isinstance(name, str) or not name:
        raise ValueError(f"A method must be a name such as 'interpolation' or 'multi-vae'; got {name!r}.")
    if name in STANDALONE:
        return MethodSpec(name, name, None, None)
    if name == OWN_CLASSIFIER:  # no samples: the conditional model classifies the test set itself
        return MethodSpec(name, CONDITIONAL_MODEL, None, None)
    tokens = name.split("+")
    if tokens[0] in CHAINABLE and len(tokens) > 1:
        then = parse_method("+".join(tokens[1:]))
        if then.kind != "vae":
            raise ValueError(f"Method {name!r}: {tokens[0]}+ goes before a method of the single VAE, as in "
                             f"'{tokens[0]}+interpolation'; {then.name!r} is not one.")
        return then._replace(name=name, first=tokens[0])
    if set(tokens) & set(STANDALONE):
        raise ValueError(f"Method {name!r}: the baselines {', '.join(BASELINES)}, the rivals and {AUTO!r} stand alone, "
                         "without moves, 'multi-vae' or 'gc'; for SMOTE on the VAE's codes use 'latent-smote'.")
    kind = "class-vaes" if tokens[0] == _MULTI else "vae"
    tokens = tokens[1:] if kind == "class-vaes" else tokens
    filter_ = tokens[-1] if tokens and tokens[-1] in (_GC, _AGREE) else None
    tokens = tokens[:-1] if filter_ else tokens
    if _MULTI in tokens or _GC in tokens or _AGREE in tokens:
        raise ValueError(f"Method {name!r}: 'multi-vae' may only come first, and one filter ('gc' or 'agree') "
                         "only last, as in 'multi-vae+interpolation+gc'.")
    conditional = [t for t in tokens if t in CONDITIONAL_METHODS]
    if conditional or filter_ == _AGREE:
        if kind == "class-vaes":
            raise ValueError(f"Method {name!r}: the conditional model ({', '.join(CONDITIONAL_METHODS)}, "
                             f"'{_AGREE}') works on the single VAE's codes, not on one VAE per class.")
        if conditional and len(tokens) > 1:
            raise ValueError(f"Method {name!r}: {conditional[0]!r} stands alone (with '+{_AGREE}' at most), "
                             "without the VAE's moves.")
        if not conditional:
            _check_moves(name, "+".join(tokens))
        return MethodSpec(name, CONDITIONAL_MODEL, "+".join(tokens), filter_)
    generation = "+".join(tokens) if tokens else (PRIOR if kind == "class-vaes" else "")
    _check_moves(name, generation)
    if kind == "class-vaes" and generation == LATENT_SMOTE:  # known here, not after every class VAE has trained
        raise ValueError(f"Method {name!r}: SMOTE needs codes of two classes, and each class's VAE holds one; use "
                         "'multi-vae+interpolation' (or 'latent-smote' on the single VAE).")
    return MethodSpec(name, kind, generation, filter_)


def _check_moves(name, generation):
    try:
        parse_moves(generation)
    except ValueError as error:
        # One unknown word: the closest name of any kind (a move, a baseline, auto, ...), not of moves alone
        named = list(MOVES) + [PRIOR] + STANDALONE + [OWN_CLASSIFIER] + CONDITIONAL_METHODS
        hint = did_you_mean(generation, named) if "+" not in generation and generation not in named else ""
        raise ValueError(f"{f'Unknown method {name!r}.{hint}' if hint else error} A method name is "
                         "[multi-vae+]GENERATION[+gc], as in 'multi-vae', "
                         "'prior+gc' or 'interpolation+noise', or a conditional method "
                         f"({', '.join(CONDITIONAL_METHODS)})[+agree].") from None


def needs_images(spec: MethodSpec) -> bool:
    """Whether the method of ``spec`` works on images only (``affine``, and chains that start with it)."""
    return KINDS[spec.kind].images_only or (spec.first is not None and KINDS[spec.first].images_only)


def set_generation(model, kind, **settings):
    """Set the generation ``settings`` that a model of ``kind`` has (a baseline has no alpha, say); return it."""
    prefix = KINDS[kind].prefix
    known = model.get_params()
    return model.set_params(**{prefix + key: value for key, value in settings.items() if prefix + key in known})
