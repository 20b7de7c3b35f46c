"""Combining: a baseline's copies first, then the VAE's method on the originals and the copies together.

``configure`` sets a model to generate as a method name says, and wraps it in an
:class:`AugmentationChain` when the name starts with a baseline (``affine+interpolation``).
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator

from .amounts import class_targets, per_sample
from .baselines import SAMPLERS
from .registry import parse_method, set_generation
from .sampler import SamplerMixin

__all__ = ["AugmentationChain", "configure", "check_chain_amount"]


def check_chain_amount(amount, first):
    """A chain makes one sample per labelled sample with ``first`` and the rest with the VAE: at least 2 each."""
    if amount < 2:
        raise ValueError(f"A chain makes one sample per labelled sample with {first} and the rest with the VAE, so "
                         f"it needs at least 2 per sample (n_per_sample); got {amount}.")


def configure(model, spec, **settings):
    """Set ``model`` (fitted or not) to generate as ``spec`` (a :class:`MethodSpec` or a name) says, with
    further generation ``settings``.

    Returns the model, or for a chain (``affine+interpolation``) the chain that ends with it.
    """
    spec = parse_method(spec)
    model = set_generation(model, spec.kind, method=spec.generation, filter=spec.filter, **settings)
    if spec.first is None:
        return model
    first = set_generation(SAMPLERS[spec.first](random_state=model.random_state), spec.first,
                           n_per_sample=1, n_per_class=None)
    return AugmentationChain(first, model)


class AugmentationChain(SamplerMixin, BaseEstimator):
    """``first`` makes one new sample per labelled sample; ``then`` generates the rest of the amount from the
    labelled samples and those together.

    The amount is ``then``'s (``n_per_sample``, by default ``n_neighbors``, per
    labelled sample; or its ``n_per_class``), so ``affine+interpolation`` adds
    as many rows as ``interpolation``: with 3 per sample, one affine copy and
    two interpolations per labelled sample, the interpolations drawn from the
    originals and their copies. Per class, a class's copies are half its target
    (rounded down, and at most one per labelled sample), the VAE makes the rest.

    Examples
    --------
    >>> from vaeaug.generation.baselines import AffineSampler, SMOTESampler
    >>> images = np.zeros((4, 8, 8))
    >>> for i in range(4): images[i, 2:6, 1 + i:3 + i] = 1.0  # four different images
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
        """Fit ``first`` (which learns nothing, but refuses what it cannot change), then ``then`` (the VAE)."""
        self.first.fit(X, y)
        self.then.fit(X, y, **fit_params)
        return self

    def generate(self, X, y):
        then = self.then
        if then.n_per_class is None:  # per labelled sample: one copy each, the rest of the amount by the VAE
            amount = per_sample(then.n_per_sample, then.n_neighbors)
            check_chain_amount(amount, type(self.first).__name__)
            first = self.first
            then = copy.copy(then).set_params(n_per_class=class_targets(y, n_per_sample=amount - 1))
        else:  # per class: each class's target met in all, up to half of it (one per sample at most) by copies
            targets = class_targets(y, n_per_class=then.n_per_class)
            counts = class_targets(y, n_per_sample=1)
            copies = {c: min(counts[c], target // 2) for c, target in targets.items()}
            first = copy.copy(self.first).set_params(n_per_sample=None, n_per_class=copies)
            then = copy.copy(then).set_params(n_per_class={c: targets[c] - copies[c] for c in targets})
        X_first, y_first = first.generate(X, y)
        X_then, y_then = then.generate(np.concatenate([np.asarray(X, dtype=X_first.dtype), X_first]),
                                       np.concatenate([np.asarray(y), y_first]))
        first, second = first.generation_report_, then.generation_report_
        self.generation_report_ = {**second, "requested": first["requested"] + second["requested"],
                                   "made": first["made"] + second["made"]}
        return np.concatenate([X_first, X_then.astype(X_first.dtype)]), np.concatenate([y_first, y_then])

    def save(self, path):
        """Save the VAE (``first`` has nothing to keep)."""
        return self.then.save(path)

