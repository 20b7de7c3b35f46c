"""The model cache: each model an experiment needs is trained once and kept, keyed by what shapes it.

The single VAE learns from the labelled and unlabelled samples together,
without labels, so it is keyed by those samples (in index order), not by the
protocol: the protocols of a few-shot sweep share one VAE per seed. The class
VAEs learn from the labelled samples and their labels; the conditional model
from the VAE's codes of both parts and the labelled part's labels. How a model generates is
not in the key: every method that needs a model shares it.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
from filelock import FileLock

from ..generation.factory import ESTIMATORS
from ..generation.multivae import MultiVAEAugmenter
from ..generation.augmenter import GENERATION_SETTINGS, VAEAugmenter
from ..generation.conditional import ConditionalAugmenter
from ..generation.registry import KINDS, set_generation

__all__ = ["ModelSource", "fitted_model"]

GENERATION_DEFAULTS = {k: v for k, v in VAEAugmenter().get_params().items()
                       if k in GENERATION_SETTINGS and k not in ("method", "filter", "space")}


def _key(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _digest(indices) -> str:
    return hashlib.sha1(np.ascontiguousarray(indices, dtype=np.int64).tobytes()).hexdigest()[:16]


def fitted_model(config, data, split, protocol, seed, latent_dim, cache, kind="vae", progress=False, variant=None,
                 built_on=None):
    """The model of ``kind`` (see :data:`vaeaug.generation.registry.KINDS`) for one (dataset, split, seed,
    latent size, variant), loaded from ``cache`` or trained and saved there.

    Returns the model, set to this config's generation settings, and, when it
    was trained now, a record of the training. A kind built on another
    (``auto`` on the VAE) takes that fitted model as ``built_on``.
    """
    kind_info, estimator = KINDS[kind], ESTIMATORS[kind]
    settings = config.settings_for(data.name, variant)
    # Every setting, not only those the config names: a model from the cache still has the ones it was trained
    # with, by another run or variant (n_per_sample=1, say), where a config that leaves one out means its default.
    generation = {**GENERATION_DEFAULTS, "space": config.space, "verbose": progress, **settings["augmentation"]}
    if not kind_info.trained:  # a baseline or auto: nothing to keep
        model = estimator(random_state=seed, **({"augmenter": built_on} if kind_info.built_on else {}))
        if kind_info.learns_from == "pool":  # the unlabelled samples, with the labels the benchmark knows
            model.fit(data.X[split.unlabelled], data.y[split.unlabelled])
        return set_generation(model, kind, **generation), None
    if kind == "vae":
        learns_from = np.union1d(split.labelled, split.unlabelled)
        key = _key(data.name, _digest(learns_from), _digest(split.validation), seed, latent_dim, settings["vae"])
    elif kind == "conditional":  # the VAE's codes of both parts, the labelled part's labels
        training = {k: v for k, v in settings["conditional"].items() if k != "threshold"}
        key = _key(data.name, _digest(split.labelled), _digest(split.unlabelled), _digest(split.validation), seed,
                   latent_dim, settings["vae"], kind, training)
    else:
        key = _key(data.name, _digest(split.labelled), _digest(split.validation), seed, latent_dim,
                   settings["vae"], kind, settings["mix_in"])
    folder = Path(cache) / key
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Parallel workers may need the same model (the protocols of a few-shot sweep share one VAE per seed):
    # the first trains it while the others wait, then load it.
    with FileLock(f"{folder}.lock"):
        if (folder / estimator.saved_file).is_file():  # written last by save(), so the model is whole
            model = estimator.load(folder, device=config.device)
            if kind == "conditional":
                model.set_params(**settings["conditional"])
            return set_generation(model, kind, **generation), None
        model, trained = _train(config, data, split, protocol, seed, latent_dim, variant, kind, key, folder,
                                settings, generation, built_on)
        # As a loaded model is: set to this config's generation settings (the conditional model is built bare)
        return set_generation(model, kind, **generation), trained


def _train(config, data, split, protocol, seed, latent_dim, variant, kind, key, folder, settings, generation,
           built_on):
    """Train the model of ``kind``, save it in ``folder`` and describe the training."""
    started = time.perf_counter()
    single = VAEAugmenter(latent_dim=latent_dim, device=config.device, random_state=seed, **generation,
                          **settings["vae"])
    validation = data.X[split.validation] if len(split.validation) else None
    if kind == "vae":
        model = single.fit(data.X[np.union1d(split.labelled, split.unlabelled)], X_validation=validation)
    elif kind == "conditional":
        model = ConditionalAugmenter(built_on, device=config.device, random_state=seed, verbose=generation["verbose"],
                                     **settings["conditional"])
        model.fit(data.X[split.labelled], data.y[split.labelled], X_unlabelled=data.X[split.unlabelled])
    else:
        model = MultiVAEAugmenter(single, mix_in=settings["mix_in"], random_state=seed).fit(
            data.X[split.labelled], data.y[split.labelled])
    model.save(folder)
    # The conditional model is a classifier too: its own test accuracy, beside Kingma et al.'s M1+M2.
    scored = {"test_accuracy": round(model.score(data.X[split.test], data.y[split.test]), 6)} \
        if kind == "conditional" and len(split.test) else {}
    epochs = [len(a.history_.train_loss) for a in getattr(model, "augmenters_", [model])]
    return model, {"key": key, "kind": kind, "dataset": data.name, "protocol": protocol["label"], "seed": seed,
                   "latent_dim": latent_dim, "variant": variant, "seconds": round(time.perf_counter() - started, 2),
                   "epochs": max(epochs), "best_epoch": getattr(getattr(model, "history_", None), "best_epoch", None),
                   **scored}


class ModelSource:
    """The fitted models of one (dataset, split, seed, latent size, variant), each made once on first use.

    ``trained`` collects the records of the models trained (not loaded) so far.
    """

    def __init__(self, config, data, split, protocol, seed, latent_dim, variant, cache, progress=False):
        self.config, self.data, self.split, self.protocol = config, data, split, protocol
        self.seed, self.latent_dim, self.variant, self.cache, self.progress = seed, latent_dim, variant, cache, progress
        self.models, self.trained = {}, []

    def pop_trained(self) -> list:
        """The records of the models trained since the last call, handed over once."""
        trained, self.trained = self.trained, []
        return trained

    def __call__(self, kind):
        if kind not in self.models:
            base = KINDS[kind].built_on
            self.models[kind], trained = fitted_model(
                self.config, self.data, self.split, self.protocol, self.seed, self.latent_dim, self.cache, kind,
                self.progress, self.variant, self(base) if base else None)
            if trained:
                self.trained.append(trained)
        return self.models[kind]
