"""Latent alterations: pure functions from codes and labels to new codes and labels.

A *move* is a displacement added to a source code. Moves compose by summing
their displacements, so a method is a chain of moves written with ``+``:

* ``noise``          Δ = alpha * eps,            eps ~ N(0, scale^2)      (paper eq. 8)
* ``interpolation``  Δ = +alpha * (z_k - z)                                (paper eq. 9)
* ``extrapolation``  Δ = -alpha * (z_k - z)                                (paper eq. 10)
* ``mixup``          Δ = λ (z_k - z), λ ~ Beta(alpha, alpha): mixup (Zhang et al.
  2018) of two codes of one class, a random share of the way to a neighbour
* ``interpolation+noise``, ``extrapolation+noise``:
  z' = ±alpha * (z_k - z) + z + eps, the 2023 talk's combined alterations.

z_k runs over the k nearest neighbours of z *in the same class*. A row asked for
more codes than it has neighbours goes round them again. Every new code is a new
point: a trip that would land where an earlier one did (the same segment again, or
at alpha = 0.5 the midpoint that a mutual neighbour made already) goes a random
``alpha * u`` of the way instead, u ~ U(0, 1]; the paper's eq. 9 would repeat it. ``scale`` is
the per-dimension deviation sigma of the encoded data in the paper's eq. 8,
or 1 for the talk's ``z + eps, eps ~ N(0, alpha)`` (``noise_scale="unit"`` in
the augmenter; alpha is then the deviation of the noise).

Two methods are not chains of moves but make their codes in one go:

* ``prior`` does not start from a labelled code: codes are drawn from
  ``alpha * N(0, I)`` and labelled by their k nearest labelled codes
  (:func:`~vaeaug.generation.codes.label_by_neighbours`); a draw whose neighbours do not all share one
  class is dropped as ambiguous.
* ``latent-smote`` is imbalanced-learn's SMOTE on the codes (:func:`~vaeaug.generation.codes.smote`):
  interpolation with a random fraction in [0, 1] instead of alpha.

Every new code keeps the label of the code it came from. No model is involved:
these are maths on arrays, tested directly against the equations.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.neighbors import NearestNeighbors

from .._settings import GENERATION
from .._typing import ArrayLike, Labels, RandomState
from .._validation import check_positive, did_you_mean
from .amounts import class_targets, per_sample, source_rows
from .codes import Alteration, check_codes, label_by_neighbours, sample_prior, smote

__all__ = ["MOVES", "PRIOR", "LATENT_SMOTE", "add_noise", "interpolate", "extrapolate", "parse_moves", "alter"]

PRIOR = "prior"
LATENT_SMOTE = "latent-smote"
WHOLE_METHODS = (PRIOR, LATENT_SMOTE)  # make their codes in one go, so they take no moves


# -- moves: displacements of source codes ----------------------------------------

def _neighbours(codes, labels, source, n_neighbors, rng):
    """For each entry of ``source``, one of that row's k nearest same-class neighbours.

    A row that appears c times gets its k neighbours in order c // k times, then
    a random c % k of them, so a row repeated k times meets each neighbour once.
    """
    check_positive(n_neighbors, name="n_neighbors", integer=True)
    partner = np.empty(len(source), dtype=int)
    order = np.argsort(source, kind="stable")
    rows, starts = np.unique(source[order], return_index=True)
    slots_of = dict(zip(rows.tolist(), np.split(order, starts[1:])))
    for label in np.unique(labels[rows]):
        members = np.flatnonzero(labels == label)
        k = min(n_neighbors, len(members) - 1)
        # kneighbors() without X leaves each point out of its own neighbour list.
        _, found = NearestNeighbors(n_neighbors=k).fit(codes[members]).kneighbors()
        for position, row in enumerate(members):
            slots = slots_of.get(int(row))
            if slots is None:
                continue
            candidates = members[found[position]]
            rounds, rest = divmod(len(slots), k)
            partner[slots] = np.concatenate([np.tile(candidates, rounds),
                                             rng.choice(candidates, rest, replace=False)])
    return partner


def _noise_move(codes, labels, source, rng, *, alpha, scale, **_):
    return alpha * rng.standard_normal((len(source), codes.shape[1])) * scale


def _towards_neighbour(fraction):
    """A move along the segment to one of the code's k nearest same-class neighbours: ``fraction(rng, n,
    alpha)`` of the way (negative: away from it). A trip that would land where an earlier one did goes a
    random ``share * u`` of the way instead, u ~ U(0, 1], so no two new codes repeat."""
    def move(codes, labels, source, rng, *, alpha, n_neighbors, **_):
        partner = _neighbours(codes, labels, source, n_neighbors, rng)
        share = fraction(rng, len(source), alpha)
        again = _repeat_trips(source, partner, share)
        share[again] *= 1.0 - rng.random(int(again.sum()))
        return share[:, None] * (codes[partner] - codes[source])
    move.needs_neighbours = True
    return move


def _repeat_trips(source, partner, share):
    """True for each trip (source, partner, share) whose point an earlier trip reached: the same share of the
    same segment from the same end, or the complementary share from the other end (at alpha = 0.5 two mutual
    neighbours meet at one midpoint). Asked for more codes than a row has neighbours, rows go round again."""
    forward = source < partner
    ends = np.column_stack([np.where(forward, source, partner), np.where(forward, partner, source),
                            np.where(forward, share, 1.0 - share)])
    _, first = np.unique(ends, axis=0, return_index=True)
    repeated = np.ones(len(source), dtype=bool)
    repeated[first] = False
    return repeated


def _mixup_share(rng, n, alpha):
    if alpha <= 0:
        raise ValueError(f"mixup draws each code's share of the way to its neighbour from Beta(alpha, alpha), so "
                         f"alpha must be above 0 (0.2 to 1 is usual); got {alpha}.")
    return rng.beta(alpha, alpha, n)


MOVES = {
    "noise": _noise_move,
    "interpolation": _towards_neighbour(lambda rng, n, alpha: np.full(n, alpha)),
    "extrapolation": _towards_neighbour(lambda rng, n, alpha: np.full(n, -alpha)),
    "mixup": _towards_neighbour(_mixup_share),
}
_NEEDS_NEIGHBOURS = {name for name, move in MOVES.items() if getattr(move, "needs_neighbours", False)}


def parse_moves(method) -> tuple[str, ...]:
    """The moves of ``method`` (``"prior"``, or moves joined by ``+``); raises on an unknown or repeated one.

    A tuple that this function returned is passed through, so a caller that parsed once can hand it on.

    Examples
    --------
    >>> parse_moves("interpolation+noise")
    ('interpolation', 'noise')
    """
    if isinstance(method, tuple):  # parsed already (the augmenter parses once per generate)
        return method
    if not isinstance(method, str) or not method:
        raise ValueError(f"method must be a non-empty string such as 'interpolation'; got {method!r}.")
    if method in WHOLE_METHODS:
        return (method,)
    moves = tuple(method.split("+"))
    for move in moves:
        if move not in MOVES and move not in WHOLE_METHODS:
            raise ValueError(f"Unknown method {method!r}: {move!r} is not a move."
                             f"{did_you_mean(move, list(MOVES) + list(WHOLE_METHODS))} Moves are "
                             f"{', '.join(map(repr, MOVES))}, joined by '+' (e.g. 'interpolation+noise'); "
                             f"or use {' or '.join(map(repr, WHOLE_METHODS))} alone. (A filter such as 'gc' is "
                             "the augmenter's filter parameter.)")
    whole = [move for move in moves if move in WHOLE_METHODS]
    if whole:
        raise ValueError(f"method {method!r}: {whole[0]!r} makes its codes in one go and cannot be combined "
                         f"with moves; use {whole[0]!r} alone.")
    if len(set(moves)) != len(moves) or len(_NEEDS_NEIGHBOURS & set(moves)) > 1:
        raise ValueError(f"method {method!r} repeats a move or combines two neighbour moves "
                         f"({', '.join(sorted(_NEEDS_NEIGHBOURS))}); use at most one, optionally followed by "
                         "'+noise'.")
    return moves


def _fit_to_neighbours(labels, source, n_neighbors):
    """Warn about classes too small for k neighbours, and drop the rows of one-sample classes: a lone sample
    has no neighbour to move towards."""
    classes, counts = np.unique(labels, return_counts=True)
    used = set(labels[source].tolist())
    short = [(c, m) for c, m in zip(classes.tolist(), counts) if m - 1 < n_neighbors and c in used]
    if not short:
        return source
    listing = ", ".join(f"{label} ({count})" for label, count in short)
    warnings.warn(
        f"Some classes have fewer than n_neighbors + 1 = {n_neighbors + 1} samples, so their "
        f"samples use the neighbours they have (a lone sample gets none); class (samples): {listing}.",
        UserWarning, stacklevel=4,
    )
    lone = classes[counts == 1]
    return source[~np.isin(labels[source], lone)]


def _apply_moves(moves, codes, labels, source, rng, *, alpha, n_neighbors, scale):
    if _NEEDS_NEIGHBOURS & set(moves):
        source = _fit_to_neighbours(labels, source, n_neighbors)
    new = codes[source].copy()
    for move in moves:
        new += MOVES[move](codes, labels, source, rng, alpha=alpha, n_neighbors=n_neighbors, scale=scale)
    return Alteration(new, labels[source], source)


def _scale(codes, scale):
    if scale is None:
        return codes.std(axis=0)
    scale = np.asarray(scale, dtype=np.float64)
    if scale.shape not in ((), (codes.shape[1],)):
        raise ValueError(f"scale must be one number or one value per latent dimension ({codes.shape[1]}); "
                         f"got shape {scale.shape}.")
    if not np.isfinite(scale).all():
        raise ValueError("scale must be finite; got NaN or infinite values.")
    return scale


# -- the paper's three, as functions -------------------------------------------

def add_noise(codes: ArrayLike, labels: Labels, *, alpha: float = GENERATION.alpha, n_per_sample: int = 1,
              scale: ArrayLike | None = None, random_state: RandomState = None) -> Alteration:
    """Gaussian noise in latent space (eq. 8): ``z + alpha * eps``, ``eps ~ N(0, scale**2)``.

    Parameters
    ----------
    codes : array of shape (N, Z)
    labels : array of shape (N,)
    alpha : float
        Weight of the noise.
    n_per_sample : int
        New codes drawn for each code.
    scale : float or array of shape (Z,), optional
        Per-dimension standard deviation sigma. Defaults to that of ``codes``
        (the paper); pass 1 for the talk's ``eps ~ N(0, alpha)``, or the deviation
        of the whole encoded dataset when ``codes`` is a subset.
    random_state : int or numpy Generator, optional

    Returns
    -------
    Alteration
        ``N * n_per_sample`` codes, each sample's copies in consecutive rows.

    Examples
    --------
    >>> new = add_noise(np.zeros((2, 3)), [0, 1], scale=1.0, random_state=0)
    >>> new.codes.shape, new.labels.tolist()
    ((2, 3), [0, 1])
    """
    return alter("noise", codes, labels, alpha=alpha, n_per_sample=n_per_sample, scale=scale,
                 random_state=random_state)


def interpolate(codes: ArrayLike, labels: Labels, *, alpha: float = GENERATION.alpha, n_neighbors: int = GENERATION.n_neighbors,
                n_per_sample: int | None = None, random_state: RandomState = None) -> Alteration:
    """Move each code towards its same-class neighbours (eq. 9): ``z + alpha * (z_k - z)``.

    Parameters
    ----------
    codes : array of shape (N, Z)
    labels : array of shape (N,)
    alpha : float
        Fraction of the way to the neighbour (0.5 in the paper).
    n_neighbors : int
        k, the number of nearest same-class neighbours (3 in the paper).
    n_per_sample : int, optional
        New codes per sample; defaults to ``n_neighbors`` (one per neighbour, as
        in the paper). Fewer use a random subset of the neighbours; more go round
        them again, each further trip a random ``alpha * u`` of the way (u ~ U(0, 1]),
        so that no code repeats.
    random_state : int or numpy Generator, optional

    Returns
    -------
    Alteration

    Examples
    --------
    >>> new = interpolate([[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1], alpha=0.25, n_neighbors=1)
    >>> new.codes.ravel().tolist()
    [0.5, 1.5, 10.5, 11.5]
    """
    return alter("interpolation", codes, labels, alpha=alpha, n_neighbors=n_neighbors,
                 n_per_sample=n_per_sample, random_state=random_state)


def extrapolate(codes: ArrayLike, labels: Labels, *, alpha: float = GENERATION.alpha, n_neighbors: int = GENERATION.n_neighbors,
                n_per_sample: int | None = None, random_state: RandomState = None) -> Alteration:
    """Move each code away from its same-class neighbours (eq. 10): ``z + alpha * (z - z_k)``.

    Parameters are those of :func:`interpolate`.

    Examples
    --------
    >>> new = extrapolate([[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1], n_neighbors=1)
    >>> new.codes.ravel().tolist()
    [-1.0, 3.0, 9.0, 13.0]
    """
    return alter("extrapolation", codes, labels, alpha=alpha, n_neighbors=n_neighbors,
                 n_per_sample=n_per_sample, random_state=random_state)


# -- prior sampling --------------------------------------------------------------

# -- one entry point ---------------------------------------------------------------

def alter(method: str | tuple[str, ...], codes: ArrayLike, labels: Labels, *, alpha: float = GENERATION.alpha, n_neighbors: int = GENERATION.n_neighbors,
          n_per_sample: int | None = None, n_per_class: int | str | dict | None = None, scale: ArrayLike | None = None,
          random_state: RandomState = None) -> Alteration:
    """Make new codes with ``method``: a chain of :data:`MOVES` joined by ``+``, or ``"prior"``.

    Parameters
    ----------
    method : str
        ``"noise"``, ``"interpolation"``, ``"extrapolation"``, a chain such as
        ``"interpolation+noise"``, or ``"prior"`` or ``"latent-smote"`` alone.
    n_per_sample : int, optional
        New codes per sample; defaults to ``n_neighbors`` for every method, so
        that noise adds as many rows as the neighbour methods do.
    n_per_class : int, dict or "balance", optional
        New codes per class instead (see :func:`class_targets`).
    scale : float or array, optional
        The noise's per-dimension deviation (see :func:`add_noise`).

    Prior draws are labelled by :func:`~vaeaug.generation.codes.label_by_neighbours` and ambiguous ones
    dropped, so fewer than asked may come back; the augmenter draws again.

    Examples
    --------
    >>> new = alter("interpolation+noise", [[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1], alpha=0.25,
    ...             n_neighbors=1, scale=0.0)
    >>> new.codes.ravel().tolist()
    [0.5, 1.5, 10.5, 11.5]
    """
    moves = parse_moves(method)
    codes, labels = check_codes(codes, labels)
    check_positive(alpha, name="alpha", allow_zero=True)
    check_positive(n_neighbors, name="n_neighbors", integer=True)
    rng = np.random.default_rng(random_state)
    n_per_sample = per_sample(n_per_sample, n_neighbors)
    if moves == (LATENT_SMOTE,):
        return smote(codes, labels, n_neighbors=n_neighbors, n_per_sample=n_per_sample, n_per_class=n_per_class,
                     random_state=rng)
    targets = class_targets(labels, n_per_sample=n_per_sample, n_per_class=n_per_class)
    if moves == (PRIOR,):
        drawn = sample_prior(sum(targets.values()), codes.shape[1], alpha=alpha, random_state=rng)
        found, unanimous = label_by_neighbours(drawn, codes, labels, n_neighbors=n_neighbors)
        return Alteration(drawn[unanimous], found[unanimous], np.full(int(unanimous.sum()), -1))
    source = source_rows(labels, n_per_sample=n_per_sample, n_per_class=n_per_class, random_state=rng)
    return _apply_moves(moves, codes, labels, source, rng, alpha=alpha, n_neighbors=n_neighbors,
                        scale=_scale(codes, scale))
