"""``VAEAugmenter``: encode, alter, decode, filter, as a scikit-learn estimator and imbalanced-learn sampler."""

from __future__ import annotations


import numpy as np
from sklearn.utils import TransformerTags, check_random_state
from sklearn.utils.metaestimators import available_if

from .._choices import NOISE_SCALES, SPACES
from .._settings import GENERATION, VAE, section
from .._typing import ArrayLike, Labels, RandomState
from .._validation import (boolean, check_labels, check_same_layout, check_samples, integer, number, one_of,
                           remember_feature_names)
from ..vae.estimator import TRAINING_CONSTRAINTS, VAEEstimator
from ..vae.model import load_vae, make_vae, normalized_beta
from .amounts import check_amount, check_amount_fits, class_targets, per_sample
from .filtering import FILTERS, GenerativeFilter, draw_until, fit_filter, warn_short
from .latent import alter, parse_moves
from .sampler import SamplerMixin

__all__ = ["VAEAugmenter", "GENERATION_SETTINGS", "SPACES", "NOISE_SCALES"]

# The parameters that generate() reads: one fitted VAE serves any of their values. The others shape the
# trained VAE, so they key the model cache and cannot change without refitting.
GENERATION_SETTINGS = tuple(section(GENERATION))
# The GC's "bad" images: reconstructions after this many optimiser steps (or the first epoch, if sooner), blurred
SNAPSHOT_STEP = 100
_EARLY_FOLDER = "early"


def _latent_space_only(augmenter):
    # imbalanced-learn rejects a pipeline step that has both ``transform`` and
    # ``fit_resample``; a data-space augmenter is a sampler, so it has no ``transform``.
    if augmenter.space != "latent":
        raise AttributeError(
            "transform() exists when space='latent' (the augmenter then makes latent feature "
            "vectors); with space='data' it is a sampler for imbalanced-learn pipelines. "
            "Use encode(X) for the latent means."
        )
    return True


class VAEAugmenter(SamplerMixin, VAEEstimator):
    """Make labelled samples by altering VAE codes of labelled samples.

    ``fit`` trains a VAE without labels (on ``X`` plus any extra unlabelled
    data); ``generate`` encodes labelled samples, makes new codes with the
    chosen ``method``, decodes them (or keeps the codes, ``space="latent"``)
    and, with a ``filter``, keeps those that pass it.

    Parameters
    ----------
    latent_dim : int, default=10
        Size of the latent code.
    method : str, default="interpolation"
        ``"noise"``, ``"interpolation"``, ``"extrapolation"``, a chain such as
        ``"interpolation+noise"``, or ``"prior"`` (see :mod:`vaeaug.generation.latent`).
    alpha : float, default=0.5
        Strength of the alteration; for ``prior``, the scale of ``N(0, I)``.
    n_neighbors : int, default=3
        Same-class neighbours for the neighbour moves, and labelled codes that
        must agree on a prior draw's class.
    n_per_sample : int, optional
        New samples per labelled sample; defaults to ``n_neighbors`` for every method.
    n_per_class : int, dict or "balance", optional
        New samples per class instead: the same number for each class, a count
        per class, or ``"balance"`` (every class topped up to the largest).
    noise_scale : {"latent_std", "unit"}, default="latent_std"
        The noise move's deviation per latent dimension: sigma of the encoded
        data times alpha (the paper's eq. 8), or alpha alone (the 2023 talk's
        ``z + eps, eps ~ N(0, alpha)``). They differ when the code's dimensions
        are not of unit spread, as in a beta < 1 VAE.
    filter : {None, "gc"}, default=None
        ``"gc"`` keeps only the samples the generative classifier calls real
        (see :mod:`vaeaug.generation.filtering`) and draws again, up to 10 rounds, for the rest.
    space : {"data", "latent"}, default="data"
        Decode new codes into samples like ``X``, or return latent codes (the
        paper's "feature space"); in latent mode ``fit_resample`` returns the
        codes of the originals followed by the new codes, and ``transform`` exists.
    beta : float, default=0.25
        KL weight (beta-VAE). The paper's VAE has 1; on small data that collapses
        towards the prior, so the default is 0.25 (see docs/guide/defaults.md).
    normalize_beta, input_dim, likelihood, hidden_units, max_epochs, max_steps, min_steps, patience, \
batch_size, learning_rate, validation_fraction
        The VAE's size and training, shared by every VAE estimator: see
        :class:`~vaeaug.vae.estimator.VAEEstimator` (defaults: :class:`vaeaug._settings.VAESettings`).
    device : str, default="auto"
        "auto" (CUDA if available), "cpu" or "cuda".
    random_state : int, RandomState or None
        Seeds the VAE's weights, its training, the alterations and the filter.
    verbose : bool or "auto", default="auto"
        A progress bar with the training losses: "auto" on a terminal or in a notebook only (not in a
        redirected log), True always, False never.

    Attributes
    ----------
    model_ : vaeaug.vae.model.VAE
    early_model_ : vaeaug.vae.model.VAE
        The VAE early in training; its reconstructions are the GC's bad images.
    history_ : vaeaug.vae.training.TrainingHistory
    beta_ : float
        The KL weight used (beta, or beta_norm).
    input_shape_ : tuple
        Shape of one sample as given to ``fit``.
    latent_std_ : ndarray of shape (latent_dim,)
        Per-dimension deviation of the encoded fitting data (sigma in eq. 8).
    generation_report_ : dict
        Set by ``generate`` (see :func:`vaeaug.generation.filtering.draw_until`): samples
        requested and made, rounds, draws, prior draws dropped as ambiguous,
        samples the filter rejected and its acceptance rate.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> aug = VAEAugmenter(latent_dim=4, max_epochs=2, random_state=0).fit(X[:200] / 16)
    >>> X_new, y_new = aug.generate(X[:50] / 16, y[:50])
    >>> X_new.shape
    (150, 64)
    >>> _ = aug.set_params(method="interpolation+noise", n_per_class=2)  # same VAE, no retraining
    >>> X_new, y_new = aug.generate(X[:50] / 16, y[:50])
    >>> np.bincount(y_new).tolist()
    [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    """

    saved_file = "augmenter.json"
    _saved_keys = VAEEstimator._saved_keys + ("likelihood", "latent_std")
    _fit_needs_labels = False  # the VAE learns without labels; fit_resample takes them
    _parameter_constraints = {
        **TRAINING_CONSTRAINTS,
        "method": lambda value, name: parse_moves(value),
        "alpha": number(),
        "n_neighbors": integer(1),
        "n_per_sample": integer(1, optional=True),
        "n_per_class": check_amount,
        "noise_scale": one_of(*NOISE_SCALES),
        "filter": one_of(*FILTERS, optional=True),
        "space": one_of(*SPACES),
        "normalize_beta": boolean,
        "input_dim": integer(1, optional=True),
        "likelihood": one_of("auto", "bernoulli", "gaussian"),
        "max_steps": integer(1, optional=True),
        "min_steps": integer(0),
    }

    def __init__(
        self,
        latent_dim: int = VAE.latent_dim,
        method: str = GENERATION.method,
        alpha: float = GENERATION.alpha,
        n_neighbors: int = GENERATION.n_neighbors,
        n_per_sample: int | None = GENERATION.n_per_sample,
        n_per_class: int | str | dict | None = GENERATION.n_per_class,
        noise_scale: str = GENERATION.noise_scale,
        filter: str | None = GENERATION.filter,
        space: str = GENERATION.space,
        beta: float = VAE.beta,
        normalize_beta: bool = VAE.normalize_beta,
        input_dim: int | None = VAE.input_dim,
        likelihood: str = VAE.likelihood,
        hidden_units: int = VAE.hidden_units,
        max_epochs: int = VAE.max_epochs,
        max_steps: int | None = VAE.max_steps,
        min_steps: int = VAE.min_steps,
        patience: int = VAE.patience,
        batch_size: int = VAE.batch_size,
        learning_rate: float = VAE.learning_rate,
        validation_fraction: float = VAE.validation_fraction,
        device: str = "auto",
        random_state: RandomState = None,
        verbose: bool | str = "auto",
    ):
        self.latent_dim = latent_dim
        self.method = method
        self.alpha = alpha
        self.n_neighbors = n_neighbors
        self.n_per_sample = n_per_sample
        self.n_per_class = n_per_class
        self.noise_scale = noise_scale
        self.filter = filter
        self.space = space
        self.beta = beta
        self.normalize_beta = normalize_beta
        self.input_dim = input_dim
        self.likelihood = likelihood
        self.hidden_units = hidden_units
        self.max_epochs = max_epochs
        self.max_steps = max_steps
        self.min_steps = min_steps
        self.patience = patience
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting -------------------------------------------------------------

    def fit(self, X: ArrayLike, y: Labels | None = None, X_unlabelled: ArrayLike | None = None,
            X_validation: ArrayLike | None = None) -> VAEAugmenter:
        """Train the VAE on ``X`` and ``X_unlabelled`` (labels are not used).

        Parameters
        ----------
        X : array of shape (N, D), (N, H, W) or (N, C, H, W)
        y : ignored
            Accepted for scikit-learn compatibility; the VAE is unsupervised.
        X_unlabelled : array with samples shaped like ``X``'s, optional
            More data for the VAE only (e.g. 55k unlabelled MNIST images).
        X_validation : array with samples shaped like ``X``'s, optional
            Held-out data for early stopping (the paper's validation split);
            without it, ``validation_fraction`` of the fitting data is held out.

        Returns
        -------
        self
        """
        self._validate_params()
        remember_feature_names(self, X)
        X = check_samples(X)
        if y is not None:
            check_labels(y, len(X), min_classes=1)
        data = X
        if X_unlabelled is not None:
            X_unlabelled = check_samples(X_unlabelled, name="X_unlabelled")
            check_same_layout(X_unlabelled, X.shape[1:], name="X_unlabelled")
            data = np.concatenate([X, X_unlabelled])
        self.likelihood_ = self._resolve_likelihood(data)
        self._set_layout(X, data, standardise=self.likelihood_ == "gaussian")
        self.beta_ = (normalized_beta(self.beta, self.latent_dim, self.input_dim or self.n_features_in_)
                      if self.normalize_beta else float(self.beta))
        validation = None
        if X_validation is not None:
            X_validation = check_samples(X_validation, name="X_validation")
            check_same_layout(X_validation, X.shape[1:], name="X_validation")
            validation = self._to_model(X_validation)
        prepared = self._to_model(data)
        device = self._train(prepared, likelihood=self.likelihood_, beta=self.beta_, validation=validation,
                             max_steps=self.max_steps, min_steps=self.min_steps, snapshot_step=SNAPSHOT_STEP)
        self.early_model_ = make_vae(self.model_.config).to(device)
        self.early_model_.load_state_dict(self.history_.snapshot)
        self.early_model_.eval()
        self.history_.snapshot = None
        self.latent_std_ = self.model_.encode_array(prepared).std(axis=0)
        return self

    def _resolve_likelihood(self, data):
        in_unit_range = data.min() >= 0 and data.max() <= 1
        if self.likelihood == "auto":
            return "bernoulli" if in_unit_range else "gaussian"
        if self.likelihood == "bernoulli" and not in_unit_range:
            raise ValueError(
                f"likelihood='bernoulli' needs data in [0, 1], but it spans [{data.min():g}, "
                f"{data.max():g}]; scale it (e.g. X / X.max()) or use likelihood='gaussian'."
            )
        return self.likelihood

    def __sklearn_tags__(self):
        # A sampler; in latent space also a transformer, as it then has transform().
        tags = super().__sklearn_tags__()
        if self.space == "latent":
            tags.transformer_tags = TransformerTags(preserves_dtype=["float32"])  # the VAE computes in float32
        return tags

    # -- public transforms ---------------------------------------------------

    @available_if(_latent_space_only)
    def transform(self, X: ArrayLike) -> np.ndarray:
        """Latent means of ``X`` (N, latent_dim); available with ``space="latent"``."""
        return self.encode(X)

    @available_if(_latent_space_only)
    def fit_transform(self, X: ArrayLike, y: Labels | None = None, **fit_params) -> np.ndarray:
        """Fit the VAE, then return the latent means of ``X``; available with ``space="latent"``."""
        return self.fit(X, y, **fit_params).encode(X)

    # -- generation ------------------------------------------------------------

    def reconstruct(self, X: ArrayLike, *, early: bool = False) -> np.ndarray:
        """The VAE's reconstructions of ``X`` (decoded posterior means), or with ``early`` those of its
        snapshot early in training: blurred, not yet shaped (the GC's bad images)."""
        X = self._checked(X)
        if not early:
            return self.decode(self.encode(X))
        if getattr(self, "early_model_", None) is None:
            raise ValueError("filter='gc' on images needs the VAE's early snapshot, which this model was "
                             "saved without; fit it again with this version of vaeaug.")
        return self._from_model(self.early_model_.decode_array(self.early_model_.encode_array(self._to_model(X))))

    def make_filter(self, X: ArrayLike, seed: int = 0) -> GenerativeFilter:
        """The filter ``generate`` uses for the labelled ``X``, fitted (see :func:`fit_filter`); None when
        ``filter`` is None."""
        return None if self.filter is None else fit_filter(self, self._checked(X), seed)

    def generate(self, X: ArrayLike, y: Labels) -> tuple[np.ndarray, np.ndarray]:
        """New labelled samples made from the labelled ``(X, y)``.

        The method, alpha, neighbours, amount, filter and space are read here,
        so one fitted VAE serves every method (``set_params(method=...)`` between calls).

        Returns
        -------
        X_new : array
            Synthetic samples in ``X``'s layout, or latent codes with ``space="latent"``.
        y_new : array
            Their labels: the label of the sample each came from, or for prior
            draws the class its nearest labelled codes agree on.
        """
        moves = self._validate_params()["method"]  # parsed once here, not once per round of drawing
        if y is None:
            raise ValueError("generate needs the labels y: new samples take their labels from the labelled "
                             "samples (prior draws from their nearest labelled codes). For labels without "
                             "labelled codes, use MultiVAEAugmenter, whose prior draws take their VAE's class.")
        X = self._checked(X)
        y = check_labels(y, len(X), min_classes=1)
        targets = self._targets(y, self.input_shape_)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        rng = np.random.default_rng(seed)
        codes = self.encode(X)
        n_per_sample = per_sample(self.n_per_sample, self.n_neighbors)
        scale = self.latent_std_ if self.noise_scale == "latent_std" else 1.0
        gc = self.make_filter(X, seed)

        def draw(ask, round_number):
            # The first round asks as the user did (per sample keeps each sample's copies
            # together); later rounds ask per class (see draw_until).
            new = alter(moves, codes, y, alpha=self.alpha, n_neighbors=self.n_neighbors,
                        n_per_sample=n_per_sample, n_per_class=self.n_per_class if round_number == 1 else ask,
                        scale=scale, random_state=rng)
            # The filter judges decoded samples, in either space; the rows returned are in the chosen space.
            rows = self.decode(new.codes) if self.space == "data" else new.codes.astype(np.float32)
            return rows, new.labels, sum(ask.values())

        keep = None
        if gc is not None:
            keep = (lambda rows, _: gc.keep(rows)) if self.space == "data" else \
                (lambda codes_, _: gc.keep(self.decode(codes_)))
        X_new, y_new, report = draw_until(draw, targets, keep=keep)
        self.generation_report_ = report
        warn_short(report, "The filter or the prior's labeller may have dropped too many: lower the amount, or "
                   "use a method that starts from labelled samples.")
        if X_new is None:
            return self._empty_output(), y[:0]
        return X_new, y_new

    def _targets(self, y, sample_shape) -> dict:
        """The amount per class for labels ``y``, refused up front if its samples would not fit in memory."""
        n_per_sample = per_sample(self.n_per_sample, self.n_neighbors)
        targets = class_targets(y, n_per_sample=n_per_sample, n_per_class=self.n_per_class)
        shape = (self.latent_dim,) if self.space == "latent" else sample_shape
        # new codes and their moves in float64, the decoded samples and their copy in the output, in float32
        check_amount_fits(targets, 2 * 8 * self.latent_dim + 2 * 4 * int(np.prod(shape)),
                          each=f" (each {int(np.prod(shape)):,} values, from a code of {self.latent_dim:,})",
                          fix=", or a smaller latent_dim")
        return targets

    def _empty_output(self):
        shape = (self.model_.config.latent_dim,) if self.space == "latent" else self.input_shape_
        return np.empty((0,) + tuple(shape), dtype=np.float32)

    def _check_resample(self, X, y, fit_params):
        self._validate_params()
        self._targets(y, X.shape[1:])  # an amount that cannot fit is refused before the VAE trains

    def _originals(self, X, X_checked):
        return self.encode(X) if self.space == "latent" else X_checked

    def _columns_out(self):  # in data space a DataFrame keeps its own columns, names of any type included
        return self.get_feature_names_out() if self.space == "latent" else None

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the output features: the input's (data space) or ``vaeaugmenter0``... (latent space)."""
        names_in = super().get_feature_names_out(input_features)  # checks input_features against fit's
        if self.space != "latent":
            return names_in
        return np.asarray([f"{type(self).__name__.lower()}{i}" for i in range(self.model_.config.latent_dim)],
                          dtype=object)

    # -- persistence: the early snapshot (the GC's "bad" reconstructions), then the VAE and the fitted state --

    def _save_parts(self, path):
        if getattr(self, "early_model_", None) is not None:
            self.early_model_.save(path / _EARLY_FOLDER)
        super()._save_parts(path)

    def _fitted_state(self):
        return {"likelihood": self.likelihood_, "beta": self.beta_, "latent_std": self.latent_std_.tolist()}

    def _restore_state(self, state, path, device):
        early = path / _EARLY_FOLDER
        self.early_model_ = load_vae(early, device=device) if early.is_dir() else None
        self.likelihood_ = state["likelihood"]
        self.beta_ = state.get("beta", self.model_.config.beta)
        self.latent_std_ = np.asarray(state["latent_std"], dtype=np.float32)
