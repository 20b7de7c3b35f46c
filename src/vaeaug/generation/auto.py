"""``method="auto"``: choose how to augment by cross-validation on the labelled samples, for one classifier.

Which method helps, at which alpha and in what amount, depends on the data and on the classifier (on the digits,
noise costs the kNN 5.7 points while interpolation gains it 3.3). :class:`AutoAugmenter` scores each candidate on
a stratified k-fold split of the *labelled* samples (never a test set), beside no augmentation, which wins unless
the best beats it by ``margin``. The VAE learnt without labels, so every fold shares it; a
:class:`ConditionalAugmenter` is trained once per fold, and kept while the data stays the same.
"""

from __future__ import annotations

import copy
import logging
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from .._settings import AUTO, GENERATION
from .._typing import ArrayLike, Labels, PathType, RandomState
from .._validation import (anything, boolean, check_feature_names, check_labels, check_params,
                           check_same_layout, check_samples, integer, number, one_of, remember_feature_names, seed,
                           verbosity)
from ..classifiers import make_classifier
from ..evaluation import score_classifier, takes_weights
from ..vae.loop import bar_disable
from .augmenter import VAEAugmenter
from .baselines import SAMPLERS
from .candidates import (NO_AUGMENTATION, WHOLE_POOL_RATIO, check_candidate, check_candidates, default_candidates,
                         describe)
from .chain import configure
from .conditional import ConditionalAugmenter
from .folds import cache_folder, fingerprint, fold_model, subset, survivors
from .registry import KINDS, parse_method
from .sampler import SamplerMixin
from .semisupervised import LabelSpreadingSampler

__all__ = ["AutoAugmenter", "labels_for"]

logger = logging.getLogger(__name__)

SCORINGS = ("accuracy", "f1_weighted")


def labels_for(model, weighs: bool):
    """``model``, set to give the pseudo-labels a classifier can learn from: soft targets (``soft_labels``) only
    for one that ``weighs`` its samples. Unweighted, a sample under each of its likely labels would count once
    per label, so it gets each sample once, under its likeliest. A copy when changed: the original keeps its
    settings for the next classifier."""
    if getattr(model, "soft_labels", False) and not weighs:
        model = copy.copy(model)  # shares the fitted network; set_params changes the copy only
        model.set_params(soft_labels=False)
    return model


class AutoAugmenter(SamplerMixin, BaseEstimator):
    """Choose the method, alpha and amount by stratified cross-validation on the labelled samples.

    Parameters
    ----------
    augmenter : VAEAugmenter, optional
        The VAE whose latent moves are candidates. A fitted one is used as it is (copied, never changed); an
        unfitted one is cloned and fitted, without labels, on ``X`` and ``X_unlabelled`` in :meth:`fit`.
    classifier : str or estimator, default="svm"
        The classifier to choose for: a name (``svm``, ``knn``, ``mlp``, ``rf``, ``gbt``) or a scikit-learn
        estimator, cloned for every fit.
    candidates : list of dict, optional
        Each ``{"method": name, "alpha": a, "n_per_sample": n}`` (alpha for the VAE's moves only); default
        :func:`default_candidates`.
    cv : int, default=3
        Folds of the stratified split; every class needs at least this many samples.
    margin : float, default=0.01
        How much better than no augmentation (in ``scoring``: 0.01 = 1 point of accuracy) the best must be.
    scoring : {"accuracy", "f1_weighted"}, default="accuracy"
    n_neighbors : int, default=3
        Same-class neighbours for the moves and for SMOTE.
    random_state : int, optional
        Seeds the folds, the baselines and a named classifier.
    verbose : bool or "auto", default="auto"
        A progress bar over the folds and candidates: "auto" on a terminal or in a notebook only, True always,
        False never. What was chosen is logged (``logging``, INFO) either way.
    conditional : ConditionalAugmenter, optional
        Makes the conditional model's methods candidates (by default ``conditional-prior+agree``, and with
        ``X_unlabelled`` also ``pseudo-label`` and ``style-transfer``). Its settings train one model per fold
        on the VAE's codes (the held-out part left out); a fitted one (on all of ``X``) generates once its
        method is chosen, an unfitted one is fitted then.
    max_pool : int, optional
        The candidates that label unlabelled samples (label spreading, pseudo-labels) label at most this many
        (a random subset drawn once per fit; None: all), so that each fold's classifier fits in bounds.
    cv_pool : int, optional
        In the folds, at most this many of those (None: as many): the folds only rank the candidates.
    halving_factor : int, optional
        Successive halving (the idea of scikit-learn's ``HalvingGridSearchCV``, with folds as the resource):
        every candidate is scored on the first fold, and only the best ``1 / halving_factor`` of them, beside no
        augmentation, on the others. The rest keep one score and no mean (``halved`` in ``cv_results_``).
        None: every candidate on every fold.
    fold_cache : str or Path, optional
        A folder where each fold's conditional model is saved, and from which the next fit on the same samples,
        VAE and settings loads it (another classifier's, another run's, ``teacher``'s beside ``auto``'s).
        None: kept in memory by this estimator only.
    weighted : bool, default=True
        Weigh each of the conditional model's pseudo-labels by q(y | z) of it, in the folds and in
        ``sample_weight_``, for a classifier that takes weights, as ``teacher`` does: its thresholds among the
        candidates are then the teacher's own. A classifier that takes none (kNN) learns them alike.

    Attributes
    ----------
    augmenter_ : VAEAugmenter or None
        The fitted VAE the moves come from.
    conditional_ : ConditionalAugmenter or None
        The fitted conditional model the chosen candidate generates with, when it is one of its methods.
    choice_ : dict
        The chosen candidate, or ``{"method": "none"}``.
    cv_results_ : list of dict
        One row per candidate, no augmentation first: its settings, ``scores`` per fold, ``mean`` and ``gain``.
    summary_ : str
        One sentence saying what was chosen and why.
    generation_report_ : dict
        Set by ``generate``: the chosen generator's report, with ``choice`` and ``cv``.
    sample_weight_ : ndarray or None
        Set by ``generate``: the weight of each new sample, when they weigh their confidence (``weighted``
        pseudo-labels for a classifier that takes weights); None: all alike.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from vaeaug import VAEAugmenter
    >>> X, y = load_digits(return_X_y=True)
    >>> vae = VAEAugmenter(latent_dim=4, max_epochs=2, random_state=0).fit(X[:300] / 16)
    >>> auto = AutoAugmenter(vae, classifier="knn", candidates=[{"method": "interpolation", "alpha": 0.5,
    ...                      "n_per_sample": 1}], random_state=0).fit(X[:60] / 16, y[:60])
    >>> [row["candidate"] for row in auto.cv_results_]
    ['none', 'interpolation a=0.5 x1']
    """

    _label = "auto"  # how its summary names it
    _parameter_constraints = {
        "augmenter": anything,  # its space is checked in fit, where it is used
        "classifier": anything,  # a name is checked by make_classifier, an estimator by scikit-learn
        "candidates": anything,  # check_candidates, in fit
        "cv": integer(2, why=" (the number of folds)"),
        "margin": number(),
        "scoring": one_of(*SCORINGS),
        "n_neighbors": integer(1),
        "random_state": seed,
        "verbose": verbosity,
        "conditional": anything,  # a ConditionalAugmenter, checked in fit
        "max_pool": integer(1, optional=True),
        "cv_pool": integer(1, optional=True),
        "halving_factor": integer(2, optional=True),
        "fold_cache": cache_folder,
        "weighted": boolean,
    }

    def __init__(self, augmenter: VAEAugmenter | None = None, classifier: str | ClassifierMixin = "svm",
                 candidates: list[dict] | None = None, cv: int = AUTO.cv, margin: float = AUTO.margin,
                 scoring: str = AUTO.scoring, n_neighbors: int = GENERATION.n_neighbors,
                 random_state: RandomState = None, verbose: bool | str = "auto",
                 conditional: ConditionalAugmenter | None = None, max_pool: int | None = AUTO.max_pool,
                 cv_pool: int | None = AUTO.cv_pool, halving_factor: int | None = AUTO.halving_factor,
                 fold_cache: PathType | None = None, weighted: bool = AUTO.weighted):
        self.augmenter = augmenter
        self.classifier = classifier
        self.candidates = candidates
        self.cv = cv
        self.margin = margin
        self.scoring = scoring
        self.n_neighbors = n_neighbors
        self.random_state = random_state
        self.verbose = verbose
        self.conditional = conditional
        self.max_pool = max_pool
        self.cv_pool = cv_pool
        self.halving_factor = halving_factor
        self.fold_cache = fold_cache
        self.weighted = weighted

    def _vae_template(self) -> VAEAugmenter | None:
        return self.augmenter  # the VAE whose moves are candidates, as given

    def _conditional_template(self) -> ConditionalAugmenter | None:
        return self.conditional  # the conditional model's settings (or a fitted one), as given

    def _default_candidates(self, X, pool) -> list[dict]:
        unlabelled = 0 if pool is None else min(len(pool), self.max_pool or len(pool))
        return default_candidates(images=X.ndim >= 3, conditional=self._conditional_template() is not None,
                                  unlabelled=unlabelled > 0, whole_pool=unlabelled <= WHOLE_POOL_RATIO * len(X))

    def _checked_candidates(self, X, pool) -> list[tuple[dict, object]]:
        """Each candidate with its method parsed once: ``(candidate, spec)``."""
        candidates = self._default_candidates(X, pool) if self.candidates is None else self.candidates
        has_vae, has_conditional = self._vae_template() is not None, self._conditional_template() is not None
        return [(check_candidate(candidate, spec, pool, has_vae=has_vae, has_conditional=has_conditional,
                                 n_neighbors=self.n_neighbors), spec)
                for candidate, spec in ((c, parse_method(c["method"])) for c in check_candidates(candidates))]

    def _conditional_for(self, X, y, pool, pool_key):
        """A conditional model with ``self.conditional``'s settings, fitted on ``(X, y)`` and ``pool`` over
        :attr:`augmenter_`; kept for the next fit on the same samples (the next classifier's), and saved in
        ``fold_cache``. ``pool_key`` is :func:`~vaeaug.generation.folds.fingerprint` of ``pool``, taken once per
        fit: the pool can be far larger than ``X``."""
        settings = {k: v for k, v in self._conditional_template().get_params(deep=False).items()
                    if k != "augmenter"}
        key = (fingerprint(X, y), pool_key, repr(sorted(settings.items())), id(self.augmenter_))
        kept = self.__dict__.setdefault("_conditionals", {})
        if key not in kept:
            kept[key] = fold_model(self.augmenter_, settings, X, y, pool, pool_key, self.fold_cache)
        return kept[key]

    def _generator(self, candidate, spec, conditional=None):
        """A model that generates as ``candidate`` (parsed as ``spec``) says; the user's augmenter is copied."""
        kind = KINDS[spec.kind]
        if kind.moves_codes:
            model = copy.copy(self.augmenter_)  # shares the trained network; set_params changes the copy only
        elif kind.learns_labels_of_codes:
            model = copy.copy(conditional)  # shares the fitted model
        elif kind.labels_pool:  # label spreading, over the samples or over the fitted VAE's codes
            model = LabelSpreadingSampler(encoder=self.augmenter_ if kind.built_on else None,
                                          random_state=self.random_state)
        else:
            model = SAMPLERS[spec.kind](random_state=self.random_state)
        settings = {"n_neighbors": self.n_neighbors, "n_per_class": None,
                    **{k: v for k, v in candidate.items() if k != "method"}}
        return labels_for(configure(model, spec, **settings), self._weighs())

    def _weighs(self) -> bool:
        """Whether the classifier gets the new samples' weights: q(y | z) of each pseudo-label."""
        return self.weighted and takes_weights(self._classifier())

    def _weights(self, generator, n_labelled=None) -> np.ndarray | None:
        """The new samples' weights (after ``n_labelled`` originals weighing 1), or None: all alike."""
        confidence = getattr(generator, "confidence_", None)  # set by the conditional model's pseudo-labels only
        if not self.weighted or confidence is None:  # kept for a classifier that takes none: scoring drops them
            return None
        return confidence if n_labelled is None else np.r_[np.ones(n_labelled, dtype=np.float32), confidence]

    @staticmethod
    def _pool_input(spec, pool) -> dict:
        """What a candidate that labels unlabelled samples labels (the conditional model's others draw on its own)."""
        return {"X_unlabelled": pool} if KINDS[spec.kind].labels_pool or spec.generation == "pseudo-label" else {}

    def _classifier(self):
        return make_classifier(self.classifier, random_state=self.random_state) if isinstance(self.classifier, str) \
            else clone(self.classifier)

    def fit(self, X: ArrayLike, y: Labels, X_unlabelled: ArrayLike | None = None) -> AutoAugmenter:
        """Score no augmentation and every candidate on the same folds of ``(X, y)``; keep the best.

        ``X_unlabelled`` is more data for an unfitted ``augmenter`` to learn from, and for the conditional
        model's candidates, the unlabelled samples its every fold learns from and draws on.
        """
        if y is None:
            raise ValueError("AutoAugmenter requires y to be passed, but the target y is None: it chooses by cross-validation on the labelled samples.")
        remember_feature_names(self, X)
        X = check_samples(X)
        y = check_labels(y, len(X))
        check_params(self)
        vae, conditional = self._vae_template(), self._conditional_template()
        if vae is not None and vae.space != "data":
            raise ValueError("AutoAugmenter compares samples, so its augmenter must have space='data'; "
                             "set_params(space='data') first.")
        classes, counts = np.unique(y, return_counts=True)
        if counts.min() < self.cv:
            raise ValueError(f"cv={self.cv} folds need at least {self.cv} labelled samples per class; class "
                             f"{classes[counts.argmin()]!r} has {counts.min()}. Use a smaller cv (at least 2).")
        pool = None if X_unlabelled is None else check_samples(X_unlabelled, name="X_unlabelled")
        if pool is not None:
            check_same_layout(pool, X.shape[1:], name="X_unlabelled")
        if conditional is not None and not isinstance(conditional, ConditionalAugmenter):
            raise ValueError(f"conditional must be a ConditionalAugmenter (its settings); got "
                             f"{type(conditional).__name__}.")
        parsed = [({"method": NO_AUGMENTATION}, None)] + self._checked_candidates(X, pool)
        candidates = [candidate for candidate, _ in parsed]
        self.augmenter_ = vae
        if vae is not None and not hasattr(vae, "model_"):
            self.augmenter_ = clone(vae).fit(X, X_unlabelled=pool)
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        pool_key = fingerprint(pool) if conditional is not None else None
        # What the candidates that label unlabelled samples label; in the folds a part, as they only rank them
        labelled_pool = subset(pool, self.max_pool, self.random_state)
        folds_pool = subset(labelled_pool, self.cv_pool, self.random_state)
        scores, errors = self._cross_validate(X, y, parsed, pool, pool_key, folds_pool)
        # A candidate that could not make samples in some fold (a class too small there for SMOTE, say) is left
        # out: compared on fewer folds, it would not be compared fairly.
        means = np.where([e is None for e in errors], scores.mean(axis=1), np.nan)
        self.cv_results_ = [{"candidate": describe(candidate), **candidate,
                             "scores": [round(float(v), 4) for v in scores[c] if not np.isnan(v)],
                             "mean": None if np.isnan(means[c]) else round(float(means[c]), 4),
                             "gain": None if np.isnan(means[c]) else round(float(means[c] - means[0]), 4),
                             **({"error": errors[c]} if errors[c] else
                                {"halved": True} if np.isnan(means[c]) else {})}  # left after the first fold
                            for c, candidate in enumerate(candidates)]
        if any(errors):
            warnings.warn("auto left out candidate(s) that could not make samples in every fold: " + "; ".join(
                f"{describe(candidates[c])} ({error})" for c, error in enumerate(errors) if error), UserWarning,
                stacklevel=2)
        self._choose(candidates, means)
        self.conditional_ = None
        chosen = self.choice_["method"]
        # what a chosen pool labeller labels when it generates
        self.pool_ = None if chosen == NO_AUGMENTATION or not self._pool_input(parse_method(chosen), pool) \
            else labelled_pool
        if chosen != NO_AUGMENTATION and KINDS[parse_method(chosen).kind].learns_labels_of_codes:
            if hasattr(conditional, "model_"):
                self.conditional_ = copy.copy(conditional)
                if self.conditional_.pool_ is None:  # a loaded model keeps no pool
                    self.conditional_.pool_ = pool
            else:
                self.conditional_ = self._conditional_for(X, y, pool, pool_key)
        logger.info(self.summary_)
        return self

    def _cross_validate(self, X, y, parsed, pool, pool_key, labelled_pool):
        """Each candidate's score in each fold, and for each the first error that stopped it (or None)."""
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state).split(np.zeros(len(y)), y)
        scores, errors = np.full((len(parsed), self.cv), np.nan), [None] * len(parsed)
        bar = tqdm(total=self.cv * len(parsed), desc="auto", unit="fit", leave=False,
                   disable=bar_disable(self.verbose))
        active = range(len(parsed))
        for f, (train, held_out) in enumerate(folds):
            if f == 1 and self.halving_factor:  # successive halving: the other folds for the first's best only
                active = survivors(scores[:, 0], [e is not None for e in errors], self.halving_factor)
                bar.total = len(parsed) + (self.cv - 1) * len(active)
            conditional = None
            for c in active:
                bar.update()
                candidate, spec = parsed[c]
                if errors[c]:
                    continue
                X_fit, y_fit = X[train], y[train]
                if spec is not None and KINDS[spec.kind].learns_labels_of_codes and conditional is None:
                    conditional = self._conditional_for(X_fit, y_fit, pool, pool_key)  # never sees the held-out part
                if spec is not None:
                    try:
                        with warnings.catch_warnings():  # a fold's smaller classes: SMOTE's k shrinks, and says so
                            warnings.simplefilter("ignore", UserWarning)
                            generator = self._generator(candidate, spec, conditional)
                            X_new, y_new = generator.generate(X_fit, y_fit, **self._pool_input(spec, labelled_pool))
                    except ValueError as error:
                        errors[c] = str(error)
                        continue
                    weights = self._weights(generator, len(X_fit))
                    X_fit, y_fit = np.concatenate([X_fit, X_new.astype(X.dtype)]), np.concatenate([y_fit, y_new])
                else:
                    weights = None
                scores[c, f] = score_classifier(self._classifier(), X_fit, y_fit, X[held_out], y[held_out],
                                                sample_weight=weights)[self.scoring]
        bar.close()
        return scores, errors

    def _choose(self, candidates, means):
        """The best candidate, if it beats no augmentation (``means[0]``) by more than the margin."""
        name = self.classifier if isinstance(self.classifier, str) else type(self.classifier).__name__
        if np.isnan(means[1:]).all():
            self.choice_ = candidates[0]
            self.summary_ = f"{self._label} for {name}: no augmentation; no candidate could be scored in every fold."
            return
        best = 1 + int(np.nanargmax(means[1:]))  # the first of equals: the grid lists cheaper amounts first
        gain = means[best] - means[0]
        if gain > self.margin:
            self.choice_ = candidates[best]
            self.summary_ = (f"{self._label} for {name}: {describe(candidates[best])}, {100 * gain:+.1f} points of "
                             f"{self.cv}-fold CV {self.scoring} over no augmentation.")
        else:
            self.choice_ = candidates[0]
            self.summary_ = (f"{self._label} for {name}: no augmentation; the best candidate, {describe(candidates[best])}, "
                             f"gains {100 * gain:+.1f} points of {self.cv}-fold CV {self.scoring}, not more than "
                             f"the margin of {100 * self.margin:.1f}. The originals are returned as they are.")

    def generate(self, X: ArrayLike, y: Labels) -> tuple[np.ndarray, np.ndarray]:
        """New samples from ``(X, y)`` by the chosen candidate; none when no augmentation was chosen."""
        check_is_fitted(self, "choice_")
        check_feature_names(self, X)
        X = check_samples(X)
        y = check_labels(y, len(X), min_classes=1)
        if self.choice_["method"] == NO_AUGMENTATION:
            X_new, y_new = X[:0], y[:0]
            report = {"requested": 0, "made": 0, "acceptance_rate": None, "missing": {}}
        else:
            spec = parse_method(self.choice_["method"])
            X_new, y_new = (generator := self._generator(self.choice_, spec, self.conditional_)).generate(
                X, y, **self._pool_input(spec, self.pool_))
            report = dict(generator.generation_report_)
        self.sample_weight_ = None if self.choice_["method"] == NO_AUGMENTATION else self._weights(generator)
        self.generation_report_ = {**report, "choice": describe(self.choice_), "summary": self.summary_,
                                   "cv": self.cv_results_}
        return X_new, y_new

    def _fit_resample(self, X, y, **fit_params):
        """Choose on ``(X, y)``, then the chosen new samples; when no candidate helps, none, with a warning
        that says so."""
        X_new, y_new = self.fit(X, y, **fit_params).generate(X, y)
        if self.choice_["method"] == NO_AUGMENTATION:
            warnings.warn(self.summary_, UserWarning, stacklevel=3)
        return X_new, y_new

