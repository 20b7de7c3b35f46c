"""Method names to estimators: the top of the generation package, above ``auto``.

:data:`ESTIMATORS` gives the class of each kind of model in
:data:`vaeaug.generation.registry.KINDS`; :func:`make_augmenter` builds an
unfitted one for a method name.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator

from .._typing import RandomState
from .augmenter import VAEAugmenter
from .auto import AutoAugmenter, TunedAffine
from .baselines import SAMPLERS
from .chain import configure
from .conditional import ConditionalAugmenter
from .multivae import MultiVAEAugmenter
from .registry import AUTO, KINDS, TUNED_AFFINE, MethodSpec, parse_method, set_generation

__all__ = ["ESTIMATORS", "make_augmenter"]

ESTIMATORS = {
    "vae": VAEAugmenter,
    "class-vaes": MultiVAEAugmenter,
    **SAMPLERS,
    "conditional": ConditionalAugmenter,
    AUTO: AutoAugmenter,
    TUNED_AFFINE: TunedAffine,
}


def make_augmenter(name: str | MethodSpec, *, mix_in: float = 0.2, random_state: RandomState = None,
                   **params) -> BaseEstimator:
    """An unfitted augmenter for the method ``name`` (or its parsed :class:`MethodSpec`); ``params`` are
    :class:`VAEAugmenter` parameters.

    A baseline takes the parameters it has (the amount) and ignores the VAE's.

    Examples
    --------
    >>> make_augmenter("multi-vae", latent_dim=2, random_state=0).augmenter.method
    'prior'
    >>> make_augmenter("smote", latent_dim=2, n_neighbors=5)
    SMOTESampler(n_neighbors=5)
    """
    spec = parse_method(name)
    if KINDS[spec.kind].latent_space is None:
        return set_generation(ESTIMATORS[spec.kind](random_state=random_state), spec.kind, **params)
    single = VAEAugmenter(random_state=random_state, **params)
    if spec.kind == AUTO:  # the unfitted VAE is fitted, without labels, in AutoAugmenter.fit
        return AutoAugmenter(single, n_neighbors=single.n_neighbors, random_state=random_state)
    if spec.kind == "conditional":  # the unfitted VAE is fitted, without labels, in ConditionalAugmenter.fit
        return configure(ConditionalAugmenter(single, device=single.device, random_state=random_state,
                                              verbose=single.verbose), spec)
    model = MultiVAEAugmenter(single, mix_in=mix_in, random_state=random_state) if spec.kind == "class-vaes" \
        else single
    return configure(model, spec)
