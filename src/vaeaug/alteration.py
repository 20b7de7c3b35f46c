"""Latent alterations: pure functions from codes and labels to new codes and labels.

Each function follows one equation of Jorge et al. (VISAPP 2018, Sec. 3.2):

* noise          z' = z + alpha * eps,        eps ~ N(0, sigma^2)     (eq. 8)
* interpolation  z' = z + alpha * (z_k - z)                           (eq. 9)
* extrapolation  z' = z + alpha * (z - z_k)                           (eq. 10)

where sigma is the per-dimension standard deviation of the encoded dataset and
z_k runs over the k nearest neighbours of z *in the same class*. Every new
code keeps the label of the code it came from. No model is involved: these are
maths on arrays, so they are tested directly against the equations.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ._validation import check_choice, check_labels, check_positive

__all__ = ["Alteration", "METHODS", "add_noise", "interpolate", "extrapolate", "alter"]


class Alteration(NamedTuple):
    """New codes, their labels, and the row of the code each one came from."""

    codes: np.ndarray
    labels: np.ndarray
    source: np.ndarray


def _check_codes(codes, labels):
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) == 0:
        raise ValueError(f"codes must be a non-empty 2-D array (N, latent_dim); got shape {codes.shape}.")
    if not np.isfinite(codes).all():
        raise ValueError("codes contain NaN or infinite values; check the encoder's output.")
    labels = check_labels(labels, len(codes), name="labels", min_classes=1)
    return codes, labels


def add_noise(codes, labels, *, alpha=0.5, n_per_sample=1, scale=None, random_state=None) -> Alteration:
    """Gaussian noise in latent space (eq. 8): ``z + alpha * eps``, ``eps ~ N(0, scale**2)``.

    Parameters
    ----------
    codes : array of shape (N, Z)
    labels : array of shape (N,)
    alpha : float
        Weight of the noise.
    n_per_sample : int
        New codes drawn for each code.
    scale : array of shape (Z,), optional
        Per-dimension standard deviation sigma. Defaults to that of ``codes``;
        pass the deviation of the whole encoded dataset when ``codes`` is a subset.
    random_state : int or numpy Generator, optional

    Returns
    -------
    Alteration
        ``N * n_per_sample`` codes, each sample's copies in consecutive rows.

    Examples
    --------
    >>> new = add_noise(np.zeros((2, 3)), [0, 1], scale=np.ones(3), random_state=0)
    >>> new.codes.shape, new.labels.tolist()
    ((2, 3), [0, 1])
    """
    codes, labels = _check_codes(codes, labels)
    check_positive(alpha, name="alpha", allow_zero=True)
    check_positive(n_per_sample, name="n_per_sample", integer=True)
    scale = codes.std(axis=0) if scale is None else np.asarray(scale, dtype=np.float64)
    if scale.shape != (codes.shape[1],):
        raise ValueError(f"scale must have one value per latent dimension ({codes.shape[1]}); got shape {scale.shape}.")
    rng = np.random.default_rng(random_state)
    source = np.repeat(np.arange(len(codes)), n_per_sample)
    eps = rng.standard_normal((len(source), codes.shape[1])) * scale
    return Alteration(codes[source] + alpha * eps, labels[source], source)


def _same_class_pairs(codes, labels, n_neighbors, n_per_sample, rng):
    """(sample, neighbour) index pairs: up to ``n_per_sample`` of each sample's k nearest same-class neighbours."""
    check_positive(n_neighbors, name="n_neighbors", integer=True)
    if n_per_sample is None:
        n_per_sample = n_neighbors
    check_positive(n_per_sample, name="n_per_sample", integer=True)
    if n_per_sample > n_neighbors:
        raise ValueError(
            f"n_per_sample={n_per_sample} exceeds n_neighbors={n_neighbors}: interpolation and "
            "extrapolation make one code per neighbour. Raise n_neighbors or lower n_per_sample."
        )
    sources, neighbours, short = [], [], []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        k = min(n_neighbors, len(members) - 1)
        if k < n_neighbors:
            short.append((label, len(members)))
        if k == 0:
            continue
        # kneighbors() without X leaves each point out of its own neighbour list.
        _, found = NearestNeighbors(n_neighbors=k).fit(codes[members]).kneighbors()
        for row, candidates in zip(members, members[found]):
            chosen = candidates if n_per_sample >= k else rng.choice(candidates, n_per_sample, replace=False)
            sources.extend([row] * len(chosen))
            neighbours.extend(chosen)
    if short:
        listing = ", ".join(f"{label} ({count})" for label, count in short)
        warnings.warn(
            f"Some classes have fewer than n_neighbors + 1 = {n_neighbors + 1} samples, so their "
            f"samples use the neighbours they have (a lone sample gets none); class (samples): {listing}.",
            UserWarning,
            stacklevel=3,
        )
    return np.asarray(sources, dtype=int), np.asarray(neighbours, dtype=int)


def _towards_neighbours(codes, labels, direction, alpha, n_neighbors, n_per_sample, random_state):
    codes, labels = _check_codes(codes, labels)
    check_positive(alpha, name="alpha", allow_zero=True)
    rng = np.random.default_rng(random_state)
    source, neighbour = _same_class_pairs(codes, labels, n_neighbors, n_per_sample, rng)
    z = codes[source]
    new = z + direction * alpha * (codes[neighbour] - z) if len(source) else np.empty((0, codes.shape[1]))
    return Alteration(new, labels[source], source)


def interpolate(codes, labels, *, alpha=0.5, n_neighbors=3, n_per_sample=None, random_state=None) -> Alteration:
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
        in the paper). A smaller value uses a random subset of the neighbours.
    random_state : int or numpy Generator, optional

    Returns
    -------
    Alteration

    Examples
    --------
    >>> new = interpolate([[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1], n_neighbors=1)
    >>> new.codes.ravel().tolist()
    [1.0, 1.0, 11.0, 11.0]
    """
    return _towards_neighbours(codes, labels, +1.0, alpha, n_neighbors, n_per_sample, random_state)


def extrapolate(codes, labels, *, alpha=0.5, n_neighbors=3, n_per_sample=None, random_state=None) -> Alteration:
    """Move each code away from its same-class neighbours (eq. 10): ``z + alpha * (z - z_k)``.

    Parameters are those of :func:`interpolate`.

    Examples
    --------
    >>> new = extrapolate([[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1], n_neighbors=1)
    >>> new.codes.ravel().tolist()
    [-1.0, 3.0, 9.0, 13.0]
    """
    return _towards_neighbours(codes, labels, -1.0, alpha, n_neighbors, n_per_sample, random_state)


METHODS = {"noise": add_noise, "interpolation": interpolate, "extrapolation": extrapolate}


def alter(method, codes, labels, *, alpha=0.5, n_neighbors=3, n_per_sample=None, scale=None, random_state=None):
    """Apply the alteration named ``method`` (one of :data:`METHODS`) with the parameters it takes.

    ``n_per_sample=None`` means ``n_neighbors`` new codes per sample for every
    method, so that noise adds as many rows as the neighbour methods do.
    """
    check_choice(method, tuple(METHODS), name="method")
    if method == "noise":
        return add_noise(codes, labels, alpha=alpha, n_per_sample=n_per_sample or n_neighbors,
                         scale=scale, random_state=random_state)
    return METHODS[method](codes, labels, alpha=alpha, n_neighbors=n_neighbors,
                           n_per_sample=n_per_sample, random_state=random_state)
