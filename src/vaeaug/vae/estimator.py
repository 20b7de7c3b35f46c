"""``VAEEstimator``: what every estimator built on one trained VAE shares.

The input layout (grey images gain a channel axis; Gaussian data is
standardised with the fitting data's mean and deviation), seeding, the
hold-out for early stopping, training, the fitted-state checks, and saving and
loading a fitted estimator as one folder (the VAE's ``config.json`` and
``weights.pt``, then the estimator's JSON, written last). ``VAEAugmenter`` and
``VAEDenoiser`` are subclasses; the Multi-VAE's class VAEs are ``VAEAugmenter``\\ s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._typing import ArrayLike
from .._validation import (check_feature_names, check_params, check_same_layout, check_samples, integer,
                           number, seed, share, verbosity)
from .distributed import from_main_process, join
from .model import VAEConfig, load_vae, make_vae
from .loop import seeded, select_device
from .saving import SavedEstimator
from .training import seed_and_holdout, train_vae

__all__ = ["VAEEstimator", "TRAINING_CONSTRAINTS"]


def _device(value, name):
    select_device(value)  # an unknown device, or CUDA without a GPU, fails here


# The VAE's size and training, shared by every VAE estimator.
TRAINING_CONSTRAINTS = {
    "latent_dim": integer(1),
    "beta": number(),
    "hidden_units": integer(1),
    "max_epochs": integer(1),
    "patience": integer(1),
    "batch_size": integer(1),
    "learning_rate": number(allow_zero=False),
    "validation_fraction": share(),
    "device": _device,
    "random_state": seed,
    "verbose": verbosity,
}


class VAEEstimator(SavedEstimator, BaseEstimator):
    """The base of the estimators that own one trained VAE (``model_``).

    Subclasses set ``_parameter_constraints`` (with :data:`TRAINING_CONSTRAINTS`),
    ``saved_file`` (their JSON, written last by ``save``, :mod:`vaeaug.vae.saving`), and say what
    they add to that JSON (:meth:`_fitted_state`, :meth:`_restore_state`).

    The VAE's size and training parameters, which the augmenters share (the
    defaults are :class:`vaeaug._settings.VAESettings`; the denoiser has its own):

    Parameters
    ----------
    normalize_beta : bool, default=False
        Use beta_norm = beta * latent_dim / input_dim as the KL weight.
    input_dim : int, optional
        N in beta_norm; defaults to the number of features of one sample.
    likelihood : {"auto", "bernoulli", "gaussian"}, default="auto"
        ``auto`` picks Bernoulli for data in [0, 1], otherwise Gaussian on
        features standardised with the fitting data's mean and deviation.
    hidden_units : int, default=1024
        Width of the VAE's fully connected layers.
    max_epochs, patience, batch_size, learning_rate : training settings
        Adam with early stopping on the validation reconstruction loss; by
        default at most 300 epochs, patience 10, batches of 32, rate 1e-3.
    max_steps : int, optional
        Also stop after this many optimiser steps (the 2023 talk trains its
        VAEs for about 6000 steps, however small the data).
    min_steps : int, default=0
        Train at least this many optimiser steps, beyond ``max_epochs`` if need
        be: a few-shot class VAE of 5 images gets 1 step an epoch otherwise.
    validation_fraction : float, default=0.1
        Share of the fitting data held out for early stopping (0 disables it).
    """

    _parameter_constraints: dict = TRAINING_CONSTRAINTS
    _saved_keys = ("params", "input_shape")
    _saved_params_skip: tuple[str, ...] = ()  # parameters not saved (e.g. the device, chosen at load)

    # -- layout: user arrays <-> model tensors -------------------------------

    def _validate_params(self) -> dict:
        """Check every parameter; return the parsed ones (e.g. the augmenter's method) by name."""
        return check_params(self)

    def _set_layout(self, X, data=None, *, standardise=False):
        """Remember one sample's shape; with ``standardise``, the mean and deviation of ``data`` (default X)."""
        self.input_shape_ = tuple(X.shape[1:])
        self.n_features_in_ = int(np.prod(self.input_shape_))
        data = X if data is None else data
        if standardise:
            self.feature_mean_ = data.mean(axis=0, dtype=np.float64).astype(np.float32)
            std = data.std(axis=0, dtype=np.float64)
            self.feature_std_ = np.where(std > 0, std, 1.0).astype(np.float32)
        else:
            self.feature_mean_ = self.feature_std_ = None

    def _to_model(self, X):
        """User layout -> model layout: grey images gain a channel axis, Gaussian data is standardised."""
        if getattr(self, "feature_mean_", None) is not None:
            X = (X - self.feature_mean_) / self.feature_std_
        if len(self.input_shape_) == 2:
            X = X[:, None]
        return np.ascontiguousarray(X, dtype=np.float32)

    def _from_model(self, X):
        X = X.reshape((len(X),) + self.input_shape_)
        if getattr(self, "feature_mean_", None) is not None:
            X *= self.feature_std_
            X += self.feature_mean_
        return X

    def _checked(self, X):
        """``X`` checked against the fitted layout and columns (NotFittedError before ``fit``)."""
        check_is_fitted(self, "model_")
        check_feature_names(self, X)
        X = check_samples(X)
        check_same_layout(X, self.input_shape_, owner=type(self).__name__)
        return X

    # -- codes and samples, in the user's layout ------------------------------

    def encode(self, X: ArrayLike) -> np.ndarray:
        """Latent means of ``X``, shape (N, latent_dim)."""
        X = self._checked(X)  # first: NotFittedError before the model is touched
        return self.model_.encode_array(self._to_model(X))

    def encode_distribution(self, X: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Mean and log-variance of q(z | x) for each row of ``X``, each of shape (N, latent_dim)."""
        X = self._checked(X)
        return self.model_.encode_array(self._to_model(X), logvar=True)

    def decode(self, codes: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Samples (in ``X``'s layout) decoded from latent codes, in batches to bound memory."""
        check_is_fitted(self, "model_")
        codes = np.asarray(codes, dtype=np.float32)
        if codes.ndim != 2 or codes.shape[1] != self.model_.config.latent_dim:
            raise ValueError(
                f"codes must have shape (N, {self.model_.config.latent_dim}); got {codes.shape}."
            )
        if not np.isfinite(codes).all():
            raise ValueError("codes contain NaN or infinite values; decode only finite latent codes.")
        decoded = self._from_model(self.model_.decode_array(codes, batch_size))
        if not np.isfinite(decoded).all():
            raise ValueError("Decoding gave non-finite values: the data's scale is too large for float32 once "
                             "the standardisation is undone. Rescale the data (e.g. divide by its maximum).")
        return decoded

    # -- training --------------------------------------------------------------

    def _train(self, prepared, *, likelihood, beta, validation=None, noisy_inputs=None, **options):
        """Build ``model_`` (seeded) and train it on ``prepared`` (model layout); return the device.

        The training seed and a random ``validation_fraction`` hold-out come from
        ``random_state``; a given ``validation`` (model layout) replaces the
        hold-out. ``noisy_inputs(seed, validation) -> (corrupt, validation_inputs)``
        makes a denoiser: training batches are corrupted afresh by ``corrupt``
        and validation scores ``validation_inputs`` against the clean samples.
        ``options`` go to :func:`vaeaug.vae.training.train_vae`.
        """
        world, device = join(select_device(self.device))
        # Under torchrun every process must hold out the same samples and train from the same seed.
        random_state = from_main_process(check_random_state(self.random_state), world)
        train_seed, train, val = seed_and_holdout(prepared, self.validation_fraction, random_state)
        if validation is not None:
            train, val = prepared, validation
        config = VAEConfig(input_shape=prepared.shape[1:], latent_dim=self.latent_dim,
                           hidden_units=self.hidden_units, likelihood=likelihood, beta=beta)
        with seeded(train_seed, device):
            self.model_ = make_vae(config)
        if noisy_inputs is not None:
            corrupt, val_inputs = noisy_inputs(train_seed, val)
            options.update(corrupt=corrupt, val_targets=val)
            val = val_inputs
        self.history_ = train_vae(
            self.model_, train, val, max_epochs=self.max_epochs, batch_size=self.batch_size,
            learning_rate=self.learning_rate, patience=self.patience, seed=train_seed, device=device,
            progress=self.verbose, **options)
        return device

    # -- persistence (vaeaug.vae.saving): the VAE's config and weights, then the estimator's JSON -------------

    def _save_parts(self, path):
        self.model_.save(path)

    def _saved_state(self) -> dict:
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()
                  if k not in self._saved_params_skip}
        return {"params": params, "input_shape": list(self.input_shape_),
                "feature_mean": None if self.feature_mean_ is None else self.feature_mean_.tolist(),
                "feature_std": None if self.feature_std_ is None else self.feature_std_.tolist(),
                **self._fitted_state()}

    @classmethod
    def _from_saved(cls, state, device):
        estimator = cls(**state["params"])
        if "device" in cls._saved_params_skip:
            estimator.set_params(device=str(device))
        estimator._validate_params()
        return estimator

    def _load_parts(self, path, state, device):
        self.model_ = load_vae(path, device=device)
        self.input_shape_ = tuple(state["input_shape"])
        self.n_features_in_ = int(np.prod(self.input_shape_))
        wrong = f"{path / self.saved_file} does not fit its VAE: it was edited or written by something else; " \
                f"delete the folder and fit the {type(self).__name__} again."
        if self.n_features_in_ != int(np.prod(self.model_.config.input_shape)):
            raise ValueError(f"{wrong} (input_shape {list(self.input_shape_)} against the VAE's "
                             f"{list(self.model_.config.input_shape)})")
        for key in ("feature_mean", "feature_std"):
            value = None if state.get(key) is None else np.asarray(state[key], dtype=np.float32)
            if value is not None and value.size != self.n_features_in_:
                raise ValueError(f"{wrong} ({key} has {value.size} values for {self.n_features_in_} features)")
            setattr(self, key + "_", value)
        self._restore_state(state, path, device)

    def _fitted_state(self) -> dict:
        """What the estimator's JSON keeps besides its parameters and layout."""
        return {}

    def _restore_state(self, state: dict, path: Path, device) -> None:
        """Set the fitted attributes that :meth:`_fitted_state` kept."""
