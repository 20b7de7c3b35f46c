"""The candidates ``auto`` and ``affine-cv`` choose among: the default grids, their check, and how a
candidate reads in a table.

A candidate is a mapping: a method name and the settings it generates with, as
``{"method": "interpolation", "alpha": 0.5, "n_per_sample": 1}``; no augmentation is ``{"method": "none"}``.
"""

from __future__ import annotations

from .._choices import ALL
from .._settings import TEACHER
from .._validation import check_params, check_positive
from .amounts import check_amount
from .chain import check_chain_amount
from .conditional import FROM_POOL, ConditionalAugmenter
from .registry import KINDS, parse_method

__all__ = ["NO_AUGMENTATION", "CANDIDATE_SETTINGS", "WHOLE_POOL_RATIO", "default_candidates", "affine_candidates", "teacher_candidates",
           "check_candidates", "check_candidate", "describe"]

NO_AUGMENTATION = "none"
# The candidates' own settings; the rest (n_neighbors, noise_scale) are the augmenter's.
CANDIDATE_SETTINGS = ("method", "alpha", "n_per_sample", "n_per_class", "threshold", "rotation", "shift", "scale",
                      "elastic", "elastic_sigma")


# A candidate that adds the whole unlabelled pool makes each fold's classifier learn from all of it: offered by
# default only for a pool at most this many times the labelled samples (the digits: 12x; restricted MNIST: 54x,
# where the SVM on every fold's 37,000 pseudo-labelled images would cost hours on 2 cores).
WHOLE_POOL_RATIO = 20


def default_candidates(images=True, conditional=False, unlabelled=False, whole_pool=None) -> list[dict]:
    """The default grid: the paper's three moves at alpha 0.25 and 0.5, SMOTE and (for images) affine
    changes, each at 1 and 3 new samples per labelled sample; for images also interpolation and
    extrapolation on top of affine copies, at 3 per sample. With a ``conditional`` model, its filtered
    class-conditional draws, and with ``unlabelled`` samples its pseudo-labels and style transfer, at 1 and 3,
    and the teacher's: pseudo-labels for the whole pool at each of :func:`teacher_candidates`' confidences.
    With ``unlabelled`` samples, label spreading over them too: the rival, so that ``auto`` can choose it.
    ``whole_pool=False`` leaves out the candidates that add the whole pool (the teacher's, label spreading);
    by default they come with ``unlabelled``.

    >>> len(default_candidates()), default_candidates()[0]
    (20, {'method': 'noise', 'alpha': 0.25, 'n_per_sample': 1})
    >>> len(default_candidates(unlabelled=True)), len(default_candidates(conditional=True, unlabelled=True))
    (21, 31)
    """
    moves = [{"method": method, "alpha": alpha, "n_per_sample": n}
             for method in ("noise", "interpolation", "extrapolation") for alpha in (0.25, 0.5) for n in (1, 3)]
    baselines = [{"method": method, "n_per_sample": n}
                 for method in ("smote",) + (("affine",) if images else ()) for n in (1, 3)]
    chains = [{"method": f"affine+{method}", "alpha": alpha, "n_per_sample": 3}
              for method in ("interpolation", "extrapolation") for alpha in (0.25, 0.5)] if images else []
    label_aware = ["conditional-prior+agree"] + (["pseudo-label", "style-transfer"] if unlabelled else [])
    label_aware = [{"method": method, "n_per_sample": n} for method in label_aware for n in (1, 3)] \
        if conditional else []
    whole_pool = unlabelled if whole_pool is None else whole_pool and unlabelled
    teacher = teacher_candidates() if conditional and whole_pool else []
    rival = [{"method": "label-spreading", "n_per_class": ALL}] if whole_pool else []
    return moves + baselines + chains + label_aware + teacher + rival


def teacher_candidates(thresholds=TEACHER.thresholds) -> list[dict]:
    """The teacher's candidates: the conditional model's pseudo-labels for every unlabelled sample it is at
    least ``threshold`` sure of (0: the whole pool), for each threshold.

    >>> teacher_candidates((0.0, 0.9))[1]
    {'method': 'pseudo-label', 'threshold': 0.9, 'n_per_class': 'all'}
    """
    return [{"method": "pseudo-label", "threshold": float(t), "n_per_class": ALL} for t in thresholds]


def affine_candidates(width: int, n_per_sample: int = 3) -> list[dict]:
    """The ranges :class:`TunedAffine` tries: rotations up to 8 or 15 degrees, shifts up to 5 or 10 % of the
    image, sizes within 10 %, with and without Simard et al.'s elastic distortion (their 34 px and sigma 4 on
    28 px images, scaled to ``width``), each at ``n_per_sample`` copies.

    >>> len(affine_candidates(28)), affine_candidates(28)[-1]["elastic"]
    (8, 34.0)
    """
    elastic = [{}, {"elastic": round(34 * width / 28, 1), "elastic_sigma": round(4 * width / 28, 2)}]
    return [{"method": "affine", "rotation": rotation, "shift": shift, "scale": 0.1, **distortion,
             "n_per_sample": n_per_sample}
            for rotation in (8, 15) for shift in (0.05, 0.1) for distortion in elastic]


def check_candidates(candidates, where="candidates") -> list:
    """Each candidate a mapping of known settings with a method name that parses; raises a ValueError that
    says which is wrong. What a candidate needs of the data or the models is checked in ``fit``."""
    if not isinstance(candidates, (list, tuple)) or not candidates:
        raise ValueError(f"{where} must be a non-empty list of {{'method': ..., 'n_per_sample': ...}}; "
                         f"got {candidates!r}.")
    for candidate in candidates:
        if not isinstance(candidate, dict) or "method" not in candidate:
            raise ValueError(f"Each of {where} is a mapping with a method, e.g. {{'method': 'interpolation', "
                             f"'alpha': 0.5, 'n_per_sample': 1}}; got {candidate!r}.")
        unknown = set(candidate) - set(CANDIDATE_SETTINGS)
        if unknown:
            raise ValueError(f"Candidate {candidate!r} in {where} has unknown setting(s) {sorted(unknown)}; a "
                             f"candidate sets {', '.join(CANDIDATE_SETTINGS)}.")
        try:
            parse_method(candidate["method"])
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
    return list(candidates)


def check_candidate(candidate, spec, pool, *, has_vae: bool, has_conditional: bool, n_neighbors: int) -> dict:
    """That ``candidate`` (its method parsed as ``spec``) can be cross-validated with these models and
    unlabelled samples (``pool``, or None); the candidate with its amount filled in (``n_neighbors`` per
    labelled sample by default). Raises a ValueError that says what is missing."""
    kind = KINDS[spec.kind]
    if kind.learns_labels_of_codes:
        _check_conditional_candidate(spec, pool, has_conditional)
    elif kind.labels_pool and not kind.per_classifier:  # label spreading: it labels the pool in each fold
        if pool is None or len(pool) == 0:
            raise ValueError(f"Candidate {spec.name!r} labels unlabelled samples: pass X_unlabelled to fit.")
    elif not kind.moves_codes and kind.learns_from is not None:
        raise ValueError(f"Candidate {spec.name!r} cannot be cross-validated here: it learns from "
                         f"{kind.learns_from} samples of its own. Candidates are the VAE's moves, "
                         "'smote', 'affine', 'affine+' a move, label spreading, and with "
                         "conditional=ConditionalAugmenter() the conditional model's methods.")
    if (kind.latent_space == "shared" or kind.built_on) and not has_vae:
        raise ValueError(f"Candidate {spec.name!r} needs a VAE: AutoAugmenter(augmenter=VAEAugmenter(...)).")
    if kind.moves_codes and "alpha" in candidate:
        check_positive(candidate["alpha"], name=f"alpha of candidate {spec.name!r}", allow_zero=True)
    if ("threshold" in candidate or "n_per_class" in candidate) and not (
            spec.generation == "pseudo-label" or kind.labels_pool):
        raise ValueError(f"Candidate {candidate!r}: threshold and n_per_class are the settings of the methods "
                         "that label unlabelled samples (how sure, and how many: 'all'); drop them.")
    if "threshold" in candidate:
        check_params(ConditionalAugmenter, {"threshold": candidate["threshold"]}, where="a candidate")
    check_amount(candidate.get("n_per_class"), name=f"n_per_class of candidate {spec.name!r}")
    amount = candidate.get("n_per_sample", n_neighbors)
    check_positive(amount, integer=True, name=f"n_per_sample of candidate {spec.name!r}")
    if spec.first:
        check_chain_amount(amount, f"{spec.first} (candidate {spec.name!r})")
    return {"n_per_sample": n_neighbors, **candidate}


def _check_conditional_candidate(spec, pool, has_conditional: bool) -> None:
    """That a candidate of the conditional model's (``spec``, parsed) can be cross-validated: there are its
    model's settings, it makes samples, and it has the unlabelled samples it draws from."""
    if not has_conditional:
        raise ValueError(f"Candidate {spec.name!r} uses the conditional model: pass "
                         "AutoAugmenter(conditional=ConditionalAugmenter(...)) with its settings.")
    if spec.generation is None:
        raise ValueError(f"{spec.name!r} is the conditional model's own classifier and makes no samples, so "
                         "it cannot be a candidate; compare it as a column of its own.")
    if spec.generation in FROM_POOL and (pool is None or len(pool) == 0):
        raise ValueError(f"Candidate {spec.name!r} draws from unlabelled samples: pass X_unlabelled to fit.")


def describe(candidate) -> str:
    """A candidate as one table cell: ``interpolation a=0.25 x3``, ``affine r=8 s=0.05 e=9.7 x3``,
    ``pseudo-label t=0.9 all``."""
    if candidate["method"] == NO_AUGMENTATION:
        return NO_AUGMENTATION
    alpha = f" a={candidate['alpha']:g}" if "alpha" in candidate else ""
    ranges = "".join(f" {short}={candidate[key]:g}" for key, short in (("rotation", "r"), ("shift", "s"),
                                                                         ("elastic", "e"), ("threshold", "t"))
                     if key in candidate)
    amount = candidate.get("n_per_class")
    amount = f" {amount}" if amount is not None else f" x{candidate['n_per_sample']}"
    return f"{candidate['method']}{alpha}{ranges}{amount}"
