"""The model cache: each model an experiment needs is trained once and kept, keyed by what shapes it.

The single VAE learns from the labelled and unlabelled samples together,
without labels, so it is keyed by those samples (in index order), not by the
protocol: the protocols of a few-shot sweep share one VAE per seed. The class
VAEs learn from the labelled samples and their labels; the conditional model
from the VAE's codes of both parts and the labelled part's labels. How a model generates is
not in the key: every method that needs a model shares it.
"""

from __future__ import annotations

import time
from pathlib import Path

from filelock import FileLock

from .._settings import GENERATION, section
from ..generation.kinds import KIND_OF
from ..generation.registry import SINGLE_VAE
from .config import AUGMENTATION_SETTINGS

__all__ = ["ModelSource", "fitted_model"]

AUGMENTATION_DEFAULTS = section(GENERATION, *AUGMENTATION_SETTINGS)


def fitted_model(config, data, split, protocol, seed, latent_dim, cache, kind=SINGLE_VAE, progress=False,
                 variant=None, built_on=None):
    """The model of ``kind`` (a name in :data:`vaeaug.generation.kinds.KIND_OF`) for one (dataset, split, seed,
    latent size, variant), loaded from ``cache`` or trained and saved there.

    Returns the model, set to this config's generation settings, and, when it
    was trained now, a record of the training. A kind built on another
    (``auto`` on the VAE) takes that fitted model as ``built_on``.
    """
    kind = KIND_OF[kind]
    settings = config.settings_for(data.name, variant)
    # Every setting, not only those the config names: a model from the cache still has the ones it was trained
    # with, by another run or variant (n_per_sample=1, say), where a config that leaves one out means its default.
    settings["augmentation"] = {**AUGMENTATION_DEFAULTS, "space": config.space, "verbose": "auto" if progress else False,
                                **settings["augmentation"]}
    # A user's file is keyed by its content too: a file changed under the same path trains a new model
    key = kind.key(data.name if data.fingerprint is None else f"{data.name}@{data.fingerprint}", split, seed,
                   latent_dim, settings)
    if key is None:  # a baseline or auto: nothing to keep
        return kind.untrained(data, split, seed, settings, built_on), None
    folder = Path(cache) / key
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Parallel workers may need the same model (the protocols of a few-shot sweep share one VAE per seed):
    # the first trains it while the others wait, then load it.
    with FileLock(f"{folder}.lock"):
        if (folder / kind.estimator.saved_file).is_file():  # written last by save(), so the model is whole
            return kind.ready(kind.load(folder, config.device), settings), None
        started = time.perf_counter()
        model = kind.train(data, split, seed, latent_dim, settings, device=config.device, built_on=built_on)
        model.save(folder)
        epochs = [len(a.history_.train_loss) for a in getattr(model, "augmenters_", [model])]
        record = {"key": key, "kind": kind.name, "dataset": data.name, "protocol": protocol["label"], "seed": seed,
                  "latent_dim": latent_dim, "variant": variant, "seconds": round(time.perf_counter() - started, 2),
                  "epochs": max(epochs),
                  "best_epoch": getattr(getattr(model, "history_", None), "best_epoch", None),
                  **kind.scores(model, data, split)}
        # As a loaded model is: set to this config's generation settings
        return kind.ready(model, settings), record


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
            base = KIND_OF[kind].built_on
            self.models[kind], trained = fitted_model(
                self.config, self.data, self.split, self.protocol, self.seed, self.latent_dim, self.cache, kind,
                self.progress, self.variant, self(base) if base else None)
            if trained:
                self.trained.append(trained)
        return self.models[kind]
