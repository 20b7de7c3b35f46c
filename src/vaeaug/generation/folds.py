"""What ``auto``'s cross-validation keeps and prunes: each fold's conditional model, fitted or loaded from a
fold cache, the part of the pool the candidates label, and the candidates successive halving keeps after the
first fold.

Pure functions: :class:`~vaeaug.generation.auto.AutoAugmenter` holds the state (its folds, its kept models).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from filelock import FileLock
from sklearn.utils import check_random_state

from .._settings import CONDITIONAL, section
from .conditional import GENERATION_ONLY, ConditionalAugmenter

__all__ = ["cache_folder", "fingerprint", "fold_model", "subset", "survivors"]


def fingerprint(*arrays) -> str:
    """A digest of the arrays' contents (None: empty), piece by piece; object arrays (string labels) as text."""
    digest = hashlib.sha1()
    for array in arrays:
        if array is not None:
            array = np.asarray(array)
            digest.update(np.ascontiguousarray(array.astype(str) if array.dtype == object else array).data)
    return digest.hexdigest()


def cache_folder(value, name) -> None:
    """A ``fold_cache`` parameter's check: None, or a path that is a folder or can become one (made when first
    needed)."""
    if value is None:
        return
    if not isinstance(value, (str, os.PathLike)):
        raise ValueError(f"{name} must be a folder's path (a str or Path) or None; got {value!r}.")
    if Path(value).exists() and not Path(value).is_dir():
        raise ValueError(f"{name} must be a folder, but {value} is a file; give a folder's path (it is made if "
                         "missing).")


def fold_model(vae, settings: dict, X, y, pool, pool_key: str | None, cache=None) -> ConditionalAugmenter:
    """A conditional model with ``settings`` over the fitted ``vae``, fitted on ``(X, y)`` and ``pool``
    (whose :func:`fingerprint` is ``pool_key``: the pool can be far larger than ``X``).

    With a ``cache`` folder, it is loaded from there when a fit on the same samples, VAE and training settings
    saved it, or saved there, under a lock, as a run's model cache does: parallel workers wait for the first.
    """
    if cache is None:
        return ConditionalAugmenter(vae, **settings).fit(X, y, X_unlabelled=pool)
    # what shapes the model, as a run's model cache keys it: not the device (a loaded model names its own)
    training = {k: settings[k] for k in [*section(CONDITIONAL), "random_state"] if k not in GENERATION_ONLY}
    digest = fingerprint(X, y, np.array(repr(sorted(training.items()))), np.array(pool_key or ""),
                         getattr(vae, "feature_mean_", None), getattr(vae, "feature_std_", None),
                         *(t.detach().cpu().numpy() for t in vae.model_.state_dict().values()))
    folder = Path(cache) / f"conditional-{digest[:16]}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{folder}.lock"):
        if (folder / ConditionalAugmenter.saved_file).is_file():  # written last by save: the model is whole
            model = ConditionalAugmenter.load(folder, device=settings["device"]).set_params(**settings)
            model.augmenter_, model.pool_ = vae, pool  # the very VAE the key holds; the pool is not saved
            return model
        model = ConditionalAugmenter(vae, **settings).fit(X, y, X_unlabelled=pool)
        model.save(folder)
        return model


def survivors(first_scores, failed, factor: int) -> list[int]:
    """Successive halving's cut after the first fold: no augmentation (row 0), and the best ``1 / factor`` of
    the candidates that could be scored (at least one), ranked by ``first_scores``, the first of equals first
    (the grids list cheaper amounts first). ``failed[c]``: candidate c made no samples.

    >>> survivors(np.array([0.8, 0.7, 0.9, 0.9, 0.6, 0.95]), [False] * 5 + [True], factor=2)
    [0, 2, 3]
    """
    scores = np.where(np.asarray(failed), np.nan, np.asarray(first_scores, dtype=float))[1:]
    scored = np.flatnonzero(~np.isnan(scores))
    keep = max(1, -(-len(scored) // factor))
    ranked = scored[np.argsort(-scores[scored], kind="stable")][:keep]
    return [0, *sorted((1 + ranked).tolist())]


def subset(pool, size, random_state=None):
    """``pool``, or ``size`` of its samples drawn at random (seeded by ``random_state``), in their order.

    >>> subset(np.arange(10), 3, random_state=0).tolist()
    [2, 4, 8]
    """
    if pool is None or size is None or len(pool) <= size:
        return pool
    rows = check_random_state(random_state).choice(len(pool), size, replace=False)
    return pool[np.sort(rows)]
