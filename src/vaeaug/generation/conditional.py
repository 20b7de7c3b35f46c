"""Label-aware generation: a conditional model on the VAE's codes (M1+M2), and what it makes.

The single VAE learns without labels, so a move between two codes or a draw from its prior has no guarantee
of staying in its class. :class:`ConditionalAugmenter` trains, on the codes of every sample (labelled and
unlabelled), the conditional model of :mod:`vaeaug.vae.conditional_model`: a classifier q(y | z), a style encoder
q(z2 | z, y) and a code decoder p(z | z2, y). Its methods:

- ``conditional-prior``: a style z2 ~ N(0, I) decoded with a chosen class;
- ``style-transfer``: the style of an unlabelled sample (under its predicted class) decoded with each class,
  so every unlabelled sample lends its style to every class (Kingma et al.'s "analogies");
- ``pseudo-label``: unlabelled samples themselves, labelled by q(y | z) where it is at least ``threshold``
  sure: the honest rival of generating;
- any of the VAE's moves (``interpolation``, ...), made by the VAE;

and its filter ``agree`` keeps a new sample only when q(y | z) of its code names the sample's label.
``predict`` is q(y | z) on the codes of ``X``: the conditional model as a classifier of its own.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._choices import CONDITIONAL_METHODS
from .._settings import CONDITIONAL
from .._typing import ArrayLike, Labels, RandomState
from .._validation import (anything, boolean, check_labels, check_params, check_samples, check_same_layout, integer,
                           number, seed, verbosity)
from ..vae.conditional_model import ConditionalConfig, ConditionalLatentModel, load_conditional, train_conditional
from ..vae.saving import SavedEstimator
from ..vae.loop import seeded, select_device
from .amounts import check_amount, class_targets, per_sample, pool_targets, soft_rows, surest_rows
from .augmenter import VAEAugmenter
from .filtering import draw_until, warn_short
from .latent import parse_moves
from .sampler import SamplerMixin

__all__ = ["ConditionalAugmenter", "AGREE"]

AGREE = "agree"  # the filter: q(y | z) of a new sample's code must name its label
_MODEL_FOLDER = "conditional"
SOFT_FLOOR = 0.01  # soft_labels leaves out the classes below it: rows of near-zero weight
# The settings that say what the fitted model makes, not what it learns (a model cache ignores them)
GENERATION_ONLY = ("threshold", "soft_labels")


def _method(value, name):
    if value in CONDITIONAL_METHODS:
        return value
    try:
        return parse_moves(value)
    except ValueError:
        raise ValueError(f"{name} must be one of {', '.join(CONDITIONAL_METHODS)} or a move of the VAE such as "
                         f"'interpolation'; got {value!r}.") from None


def _probability(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1]; got {value!r}.")


class ConditionalAugmenter(SamplerMixin, SavedEstimator, BaseEstimator):
    """New labelled samples from a conditional model trained on a VAE's codes (Kingma et al.'s M1+M2).

    Parameters
    ----------
    augmenter : VAEAugmenter, optional
        The VAE (M1). Unfitted (default: ``VAEAugmenter(random_state=random_state)``), it is fitted on ``X``
        and ``X_unlabelled`` without labels; fitted, it is used as it is. Its ``space`` says whether new
        samples are decoded (``"data"``) or returned as codes (``"latent"``).
    method : str
        ``"conditional-prior"``, ``"style-transfer"``, ``"pseudo-label"``, or a move of the VAE
        (``"interpolation"``, ``"extrapolation+noise"``, ...).
    filter : {None, "agree"}
        ``"agree"`` keeps a new sample only when q(y | z) of its code names its label; draws repeat until
        each class has its amount (at most 10 rounds).
    n_per_sample, n_per_class : amount
        New samples per labelled sample (default: the VAE's ``n_neighbors``, as for every method), or per
        class (a count, a dict, or ``"balance"``).
    threshold : float
        The least q(y | z) for ``pseudo-label`` to take an unlabelled sample.
    soft_labels : bool
        ``pseudo-label`` gives each sample it takes once per class q(y | z) gives at least 0.01, weighing that
        probability (``sample_weight_``), instead of once under its likeliest class. A classifier trained with
        these weights minimises the cross-entropy to q(y | z)'s soft targets; one that takes no weights
        (kNN) would see the sample under several labels, so use it with one that does.
    style_dim, hidden_units, classification_weight, style_free_bits : the model
        See :class:`vaeaug.vae.conditional_model.ConditionalConfig`.
    epochs, min_steps, batch_size, learning_rate : training
        Passes over the unlabelled codes (more if fewer than ``min_steps`` steps), codes per step, Adam's
        step size.
    device, random_state, verbose

    Attributes
    ----------
    confidence_ : ndarray or None
        Set by ``generate``: for ``pseudo-label``, q(y | z) of each sample returned (what ``teacher`` weighs
        them by); None for the methods that make new samples.
    sample_weight_ : ndarray or None
        Set by ``generate``: with ``soft_labels``, the weight of each sample returned (its label's q(y | z));
        otherwise None (all alike).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> vae = VAEAugmenter(latent_dim=4, max_epochs=2, random_state=0).fit(X[100:] / 16)
    >>> model = ConditionalAugmenter(vae, method="conditional-prior", n_per_class=2, hidden_units=32,
    ...                              epochs=2, min_steps=0, random_state=0)
    >>> X_new, y_new = model.fit(X[:100] / 16, y[:100], X_unlabelled=X[100:] / 16).generate(X[:100] / 16, y[:100])
    >>> X_new.shape, np.bincount(y_new).tolist()
    ((20, 64), [2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    """

    _parameter_constraints = {
        "augmenter": anything,
        "method": _method,
        "filter": lambda value, name: _filter(value, name),
        "n_per_sample": integer(1, optional=True),
        "n_per_class": check_amount,
        "threshold": _probability,
        "soft_labels": boolean,
        "style_dim": integer(1),
        "hidden_units": integer(1),
        "classification_weight": number(),
        "style_free_bits": number(),
        "epochs": integer(1),
        "min_steps": integer(0),
        "batch_size": integer(1),
        "learning_rate": number(allow_zero=False),
        "device": lambda value, name: select_device(value),
        "random_state": seed,
        "verbose": verbosity,
    }
    saved_file = "conditional-augmenter.json"
    _saved_keys = ("params", "classes", "input_shape")
    _load_hint = "(a folder saved by VAEAugmenter has no conditional model: fit a ConditionalAugmenter on it)"

    def __init__(self, augmenter: VAEAugmenter | None = None, method: str = CONDITIONAL_METHODS[0],
                 filter: str | None = None, n_per_sample: int | None = None,
                 n_per_class: int | str | dict | None = None,
                 threshold: float = CONDITIONAL.threshold, soft_labels: bool = CONDITIONAL.soft_labels,
                 style_dim: int = CONDITIONAL.style_dim,
                 hidden_units: int = CONDITIONAL.hidden_units,
                 classification_weight: float = CONDITIONAL.classification_weight,
                 style_free_bits: float = CONDITIONAL.style_free_bits, epochs: int = CONDITIONAL.epochs,
                 min_steps: int = CONDITIONAL.min_steps, batch_size: int = CONDITIONAL.batch_size,
                 learning_rate: float = CONDITIONAL.learning_rate, device: str = "auto", random_state: RandomState = None,
                 verbose: bool | str = "auto"):
        self.augmenter = augmenter
        self.method = method
        self.filter = filter
        self.n_per_sample = n_per_sample
        self.n_per_class = n_per_class
        self.threshold = threshold
        self.soft_labels = soft_labels
        self.style_dim = style_dim
        self.hidden_units = hidden_units
        self.classification_weight = classification_weight
        self.style_free_bits = style_free_bits
        self.epochs = epochs
        self.min_steps = min_steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting -----------------------------------------------------------------

    def fit(self, X: ArrayLike, y: Labels, X_unlabelled: ArrayLike | None = None) -> ConditionalAugmenter:
        """Fit the VAE if it is not fitted, then the conditional model on the codes of ``X`` (with ``y``) and
        of ``X_unlabelled``; keep ``X_unlabelled`` as the pool that ``style-transfer`` and ``pseudo-label``
        draw from."""
        check_params(self)
        X = check_samples(X)
        y = check_labels(y, len(X), min_classes=2)
        pool = None
        if X_unlabelled is not None:
            pool = check_samples(X_unlabelled, name="X_unlabelled")
            check_same_layout(pool, X.shape[1:], name="X_unlabelled")
        vae = self.augmenter if self.augmenter is not None else \
            VAEAugmenter(random_state=self.random_state, verbose=self.verbose)
        if not hasattr(vae, "model_"):
            vae = clone(vae).fit(X, X_unlabelled=pool)
        self.augmenter_ = vae
        self.classes_, indices = np.unique(y, return_inverse=True)
        self.n_features_in_, self.input_shape_ = int(np.prod(X.shape[1:])), tuple(X.shape[1:])
        means, logvars = vae.encode_distribution(X)
        labels = indices
        if pool is not None:
            pool_means, pool_logvars = vae.encode_distribution(pool)
            means, logvars = np.concatenate([means, pool_means]), np.concatenate([logvars, pool_logvars])
            labels = np.concatenate([indices, np.full(len(pool), -1)])
        seed_ = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        config = ConditionalConfig(code_dim=means.shape[1], n_classes=len(self.classes_), style_dim=self.style_dim,
                                   hidden_units=self.hidden_units, classification_weight=self.classification_weight,
                                   style_free_bits=self.style_free_bits)
        with seeded(seed_):
            self.model_ = ConditionalLatentModel(config)
        self.history_ = train_conditional(self.model_, means, logvars, labels, epochs=self.epochs,
                                          min_steps=self.min_steps, batch_size=self.batch_size, learning_rate=self.learning_rate, seed=seed_,
                                          device=self.device, progress=self.verbose)
        self.pool_ = pool
        return self

    # -- the conditional model as a classifier -------------------------------------

    def _codes(self, X) -> torch.Tensor:
        check_is_fitted(self, "model_")
        return self._tensor(self.augmenter_.encode(X))

    def _tensor(self, codes) -> torch.Tensor:
        return torch.as_tensor(np.asarray(codes, dtype=np.float32), device=self.model_.code_logvar.device)

    @torch.no_grad()
    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """q(y | z) for the code of each row of ``X``, columns in the order of ``classes_``."""
        codes = self._codes(X)  # first: NotFittedError before the model is read
        return self.model_.class_probabilities(codes).cpu().numpy()

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The class q(y | z) finds likeliest for each row of ``X``."""
        probabilities = self.predict_proba(X)
        return self.classes_[probabilities.argmax(axis=1)]

    def score(self, X: ArrayLike, y: Labels) -> float:
        """Accuracy of :meth:`predict` on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    # -- styles ---------------------------------------------------------------------

    @torch.no_grad()
    def styles(self, X: ArrayLike) -> np.ndarray:
        """The style z2 of each row of ``X``: the mean of q(z2 | z, y) under the class q(y | z) predicts."""
        codes = self._codes(X)
        predicted = self.model_.class_probabilities(codes).argmax(dim=1)
        return self.model_.encode_style(codes, predicted)[0].cpu().numpy()

    @torch.no_grad()
    def decode_styles(self, styles: ArrayLike, labels: Labels) -> np.ndarray:
        """Samples (or codes, in latent space) of class ``labels[i]`` in the style ``styles[i]``."""
        return self._output(self._codes_of(styles, self._indices(labels)))

    def _codes_of(self, styles, indices) -> np.ndarray:
        with torch.no_grad():
            return self.model_.decode_codes(self._tensor(styles),
                                            torch.as_tensor(indices, device=self.model_.code_logvar.device)
                                            ).cpu().numpy()

    def _indices(self, labels) -> np.ndarray:
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        labels = np.asarray(labels).tolist()
        unknown = sorted(set(labels) - set(index), key=str)
        if unknown:
            raise ValueError(f"Unknown class(es) {unknown}: the conditional model learnt the classes "
                             f"{list(index)}; ask for those.")
        return np.array([index[label] for label in labels], dtype=np.int64)

    def _output(self, codes) -> np.ndarray:
        vae = self.augmenter_
        return vae.decode(codes) if vae.space == "data" else np.asarray(codes, dtype=np.float32)

    # -- generation -------------------------------------------------------------------

    def generate(self, X: ArrayLike, y: Labels, X_unlabelled: ArrayLike | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
        """New labelled samples for the labelled ``(X, y)``, by ``method``, through ``filter``.

        ``style-transfer`` and ``pseudo-label`` draw from ``X_unlabelled``, by default the pool given to
        ``fit`` (a loaded model has none: pass it).
        """
        check_is_fitted(self, "model_")
        method = check_params(self)["method"]
        X = check_samples(X)
        check_same_layout(X, self.input_shape_, owner=type(self).__name__)
        y = check_labels(y, len(X), min_classes=1)
        self._indices(y)  # every label is one the model knows
        pool = self.pool_ if X_unlabelled is None else check_samples(X_unlabelled, name="X_unlabelled")
        if method in FROM_POOL and (pool is None or len(pool) == 0):
            raise _no_pool(method)
        amount = {"n_per_sample": per_sample(self.n_per_sample, self.augmenter_.n_neighbors),
                  "n_per_class": self.n_per_class}
        rng = np.random.default_rng(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        self.confidence_ = self.sample_weight_ = None  # set by pseudo-label; the other methods make samples
        if method == "pseudo-label":
            X_new, y_new, report = self._pseudo_labels(y, pool, amount)
        else:
            targets = class_targets(y, **amount)
            draw = self._drawer(method, X, y, pool, rng)
            keep = self._agrees if self.filter == AGREE else None
            X_new, y_new, report = draw_until(draw, targets, keep=keep)
        self.generation_report_ = report
        warn_short(report, "Lower the amount, or the threshold.")
        if X_new is None:
            shape = (self.model_.config.code_dim,) if self.augmenter_.space == "latent" else self.input_shape_
            return np.empty((0,) + tuple(shape), dtype=np.float32), y[:0]
        return X_new, y_new

    def _drawer(self, method, X, y, pool, rng):
        """``draw(ask, round) -> (rows, labels, n_asked)`` for :func:`draw_until`."""
        def draw(ask, _round):
            labels = np.repeat(list(ask), list(ask.values()))
            if method == "conditional-prior":
                styles = rng.standard_normal((len(labels), self.model_.config.style_dim)).astype(np.float32)
            elif method == "style-transfer":
                rows = rng.choice(len(pool), size=len(labels), replace=len(labels) > len(pool))
                styles = self.styles(pool[rows])
            else:  # a move of the VAE, made by the VAE
                # A shallow copy shares the fitted VAE; its generation settings are read at generate().
                vae = copy.copy(self.augmenter_).set_params(
                    method=self.method, filter=None, n_per_class=ask,
                    random_state=int(rng.integers(np.iinfo(np.int32).max)))
                rows, labels = vae.generate(X, y)
                return rows, labels, len(labels)
            return self._output(self._codes_of(styles, self._indices(labels))), labels, len(labels)
        return draw

    def _agrees(self, rows, labels) -> np.ndarray:
        """Whether q(y | z) of each new row's code names its label."""
        codes = rows if self.augmenter_.space == "latent" else self.augmenter_.encode(rows)
        with torch.no_grad():
            predicted = self.model_.class_probabilities(self._tensor(codes)).argmax(dim=1).cpu().numpy()
        return predicted == self._indices(labels)

    def _pseudo_labels(self, y, pool, amount):
        """The unlabelled samples q(y | z) is at least ``threshold`` sure of, surest first, up to each class's
        ``amount`` (or all of them: ``n_per_class="all"``)."""
        probabilities = self.predict_proba(pool)
        best, confidence = self.classes_[probabilities.argmax(axis=1)], probabilities.max(axis=1)
        confidence = np.where(confidence >= self.threshold, confidence, -np.inf)
        targets = pool_targets(y, best, confidence, **amount)
        rows = surest_rows(best, confidence, targets)
        made = {label: int(np.sum(best[rows] == label)) for label in targets}
        report = {"requested": int(sum(targets.values())), "made": len(rows), "rounds": 1, "drawn": len(pool),
                  "dropped": 0, "repeated": 0, "rejected": 0, "acceptance_rate": None,
                  "missing": {c: targets[c] - made[c] for c in targets if made[c] < targets[c]}}
        labels, confidence = best[rows], confidence[rows]
        if self.soft_labels:
            rows, classes, confidence = soft_rows(rows, probabilities, SOFT_FLOOR)
            labels, report["soft_entries"] = self.classes_[classes], len(rows)
        self.confidence_ = confidence.astype(np.float32)
        self.sample_weight_ = self.confidence_ if self.soft_labels else None
        X_new = pool[rows] if self.augmenter_.space == "data" else self.augmenter_.encode(pool[rows])
        return (X_new if len(rows) else None), (labels if len(rows) else None), report

    def _check_resample(self, X, y, fit_params):
        if self.method in FROM_POOL and fit_params.get("X_unlabelled") is None:
            raise _no_pool(self.method)  # before any training

    def _originals(self, X, X_checked):
        return self.augmenter_.encode(X_checked) if self.augmenter_.space == "latent" else X_checked

    # -- persistence -------------------------------------------------------------------

    # -- persistence (vaeaug.vae.saving): the VAE, the conditional model under conditional/, then the JSON -----
    # The unlabelled pool is not saved: pass it to ``generate`` after loading.

    def _save_parts(self, path):
        self.augmenter_.save(path)
        self.model_.save(path / _MODEL_FOLDER)

    def _saved_state(self):
        params = {k: v for k, v in self.get_params(deep=False).items() if k != "augmenter"}
        return {"params": params, "classes": self.classes_.tolist(), "input_shape": list(self.input_shape_)}

    @classmethod
    def _from_saved(cls, state, device):
        model = cls(**{**state["params"], "device": str(device)})
        check_params(model)
        return model

    def _load_parts(self, path, state, device):
        self.augmenter_ = VAEAugmenter.load(path, device=device)
        self.model_ = load_conditional(path / _MODEL_FOLDER, device=device)
        self.classes_ = np.asarray(state["classes"])
        self.input_shape_ = tuple(state["input_shape"])
        self.n_features_in_ = int(np.prod(self.input_shape_))
        self.pool_ = None


FROM_POOL = ("style-transfer", "pseudo-label")  # the methods that draw from the unlabelled samples


def _no_pool(method) -> ValueError:
    return ValueError(f"method={method!r} draws from unlabelled samples, and none were given: pass them "
                      "(X_unlabelled in Python, --unlabelled FILE.npz on the command line), or use "
                      "conditional-prior, which needs none.")


def _filter(value, name):
    if value not in (None, AGREE):
        raise ValueError(f"{name} must be None or {AGREE!r} (keep what the conditional model's classifier "
                         f"labels as asked); got {value!r}.")
