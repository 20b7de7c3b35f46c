"""The semi-supervised methods a practitioner would try before generating anything: labels for the pool.

Each is a sampler shaped like the baselines (:mod:`vaeaug.generation.baselines`):
``generate(X, y, X_unlabelled=pool)`` returns unlabelled samples with the labels the method gives them: every one
it labels, as the method is used, or, with an amount (``n_per_sample``, ``n_per_class``, as for the VAE methods:
:func:`~vaeaug.generation.amounts.class_targets`), the surest up to it. The user's classifier then learns from
the labelled samples and those. They make no new samples; they are the rival columns that say whether
generating beats labelling what is there.

* :class:`LabelSpreadingSampler` - scikit-learn's ``LabelSpreading``: labels spread over a kNN graph of the
  labelled and unlabelled samples; with ``encoder``, a graph of their codes in a fitted VAE (Kingma et al.'s
  M1 with a graph method in place of M2): ``label-spreading`` and ``label-spreading-codes``.
* :class:`SelfTrainingSampler` - scikit-learn's ``SelfTrainingClassifier`` around the user's classifier: the
  rows it labelled, earliest round first: ``self-training``.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from .._settings import AUTO, POOL_LABELLING
from .._typing import ArrayLike, Labels, RandomState
from .._validation import anything, check_labels, check_params, check_same_layout, check_samples, integer, seed, share
from ..classifiers import make_classifier
from ..evaluation import with_scaling
from .amounts import pool_targets, surest_rows
from .baselines import _Sampler
from .folds import subset

__all__ = ["LabelSpreadingSampler", "SelfTrainingSampler"]


class _PoolLabeller(_Sampler):
    """What the two share: the pool, the labels as codes, and the surest rows kept."""

    _fit_needs_labels = True
    _amount = {"n_per_sample": anything, "n_per_class": anything, "random_state": seed}

    def _checked(self, X, y):
        X = check_samples(X)
        return X, check_labels(y, len(X), min_classes=1)

    def _check_resample(self, X, y, fit_params):
        if fit_params.get("X_unlabelled") is None:
            raise _no_pool(type(self).__name__)

    def _fit_resample(self, X, y, *, X_unlabelled=None):
        return self.fit(X, y).generate(X, y, X_unlabelled=X_unlabelled)

    def _inputs(self, X, y, X_unlabelled):
        """The labelled samples, their labels as codes 0..k-1 with the classes, and the pool, checked."""
        check_params(self)
        if X_unlabelled is None:
            raise _no_pool(type(self).__name__)
        X, y = self._checked(X, y)
        pool = check_samples(X_unlabelled, name="X_unlabelled")
        check_same_layout(pool, X.shape[1:], name="X_unlabelled")
        if len(pool) == 0:
            raise _no_pool(type(self).__name__)
        classes, codes = np.unique(y, return_inverse=True)
        return X, y, classes, codes, pool

    def _kept(self, y, pool, labels, confidence):
        """The pool rows to return: surest first, up to each class's amount; the report says what was short."""
        targets = pool_targets(y, labels, confidence, n_per_sample=self.n_per_sample, n_per_class=self.n_per_class)
        rows = surest_rows(labels, confidence, targets)
        self._report(targets, labels[rows])
        if self.generation_report_["missing"]:
            warnings.warn(f"{type(self).__name__} labelled too few unlabelled samples of some classes for the amount "
                          f"asked; missing per class: {self.generation_report_['missing']}.", UserWarning,
                          stacklevel=3)
        return pool[rows], labels[rows]


def _no_pool(name):
    return ValueError(f"{name} labels unlabelled samples, and none were given; pass them: "
                      "fit_resample(X, y, X_unlabelled=pool) or generate(X, y, X_unlabelled=pool) (vaeaug augment: "
                      "--unlabelled FILE).")


class LabelSpreadingSampler(_PoolLabeller):
    """Unlabelled samples labelled by label spreading over a kNN graph (scikit-learn's ``LabelSpreading``).

    Parameters
    ----------
    graph_neighbors : int, default=7
        Neighbours of each sample in the graph (scikit-learn's default).
    alpha : float, default=0.2
        How much of its label a sample takes from its neighbours in each round (scikit-learn's default).
    threshold : float, default=0.0
        The least share of the spread label mass for a sample to be kept.
    encoder : VAEAugmenter, optional
        Spread over its codes of the samples instead of the samples themselves. An unfitted one is fitted (a
        clone, without labels) on the labelled and unlabelled samples first.
    n_per_sample, n_per_class : optional
        At most this many per labelled sample, or per class (as in :class:`VAEAugmenter`), surest first;
        by default every unlabelled sample it labels.
    random_state : int, optional
        Unused (label spreading is deterministic); kept so that every sampler takes one.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> pool = np.r_[rng.normal(0, 0.1, (20, 2)), rng.normal(3, 0.1, (20, 2))]
    >>> X_new, y_new = LabelSpreadingSampler().generate([[0, 0], [3, 3]], ["a", "b"], X_unlabelled=pool)
    >>> y_new.tolist() == ["a"] * 20 + ["b"] * 20 and bool((X_new[20:] > 2).all())
    True
    >>> LabelSpreadingSampler(n_per_sample=5).generate([[0, 0], [3, 3]], ["a", "b"], X_unlabelled=pool)[1].shape
    (10,)
    """

    _parameter_constraints = {"graph_neighbors": integer(1), "alpha": share(include_zero=False), "threshold": share(),
                              "encoder": anything, **_PoolLabeller._amount}

    def __init__(self, graph_neighbors: int = POOL_LABELLING.graph_neighbors,
                 alpha: float = POOL_LABELLING.spreading_alpha, threshold: float = POOL_LABELLING.spreading_threshold,
                 encoder: BaseEstimator | None = None,
                 n_per_sample: int | None = None, n_per_class: int | str | dict | None = None,
                 random_state: RandomState = None):
        self.n_per_sample = n_per_sample
        self.n_per_class = n_per_class
        self.random_state = random_state
        self.graph_neighbors = graph_neighbors
        self.alpha = alpha
        self.threshold = threshold
        self.encoder = encoder

    def generate(self, X: ArrayLike, y: Labels, X_unlabelled: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
        X, y, classes, codes, pool = self._inputs(X, y, X_unlabelled)
        features = np.concatenate([X, pool])
        if self.encoder is not None:
            encoder = self.encoder if hasattr(self.encoder, "model_") else \
                clone(self.encoder).fit(X, X_unlabelled=pool)
            features = encoder.encode(features)
        features = features.reshape(len(features), -1)
        if self.encoder is None and X.ndim == 2:  # a table's columns on one scale, as the classifiers see them; pixels share one already
            features = StandardScaler().fit_transform(features)
        spreading = LabelSpreading(kernel="knn", n_neighbors=min(self.graph_neighbors, len(features) - 1),
                                   alpha=self.alpha, max_iter=100)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="max_iter=")  # it converges in fewer rounds almost always
            spreading.fit(features, np.r_[codes, np.full(len(pool), -1)])
        mass = np.nan_to_num(spreading.label_distributions_[len(X):])  # a sample no label reached: all zero
        confidence = mass.max(axis=1)
        confidence = np.where((confidence > 0) & (confidence >= self.threshold), confidence, -np.inf)
        return self._kept(y, pool, classes[mass.argmax(axis=1)], confidence)


class SelfTrainingSampler(_PoolLabeller):
    """Unlabelled samples labelled by self-training the user's classifier (scikit-learn's
    ``SelfTrainingClassifier``): each round it labels the samples it is at least ``threshold`` sure of and
    learns again; the rows labelled in the earliest rounds come first.

    Parameters
    ----------
    classifier : estimator or str, optional
        The classifier to self-train, or its name in :func:`~vaeaug.classifiers.make_classifier` (default: the
        SVM). One without ``predict_proba`` (the SVM) is calibrated by cross-validation
        (``CalibratedClassifierCV(..., ensemble=False)``, up to 5 folds). Tabular samples are standardised first,
        as :func:`~vaeaug.evaluation.score_classifier` does for it.
    threshold : float, default=0.75
        The least predicted probability to label a sample in a round (scikit-learn's default).
    max_iter : int, default=10
        The most rounds (scikit-learn's default).
    max_pool : int, optional
        Self-train on at most this many unlabelled samples, a random subset drawn with ``random_state`` (None:
        all), as ``max_pool`` caps what ``auto``'s and ``teacher``'s labellers label. The classifier is refitted
        on the labelled samples and all it has labelled in every round, and a calibrated SVM 6 times a round, so
        a pool of 54,000 MNIST images costs hours on 2 cores.
    n_per_sample, n_per_class : optional
        At most this many per labelled sample, or per class, earliest round first; by default every unlabelled
        sample it labels.
    random_state : int, optional
        The seed of the default classifier.
    """

    _parameter_constraints = {"classifier": anything, "threshold": share(), "max_iter": integer(1),
                              "max_pool": integer(1, optional=True), **_PoolLabeller._amount}

    def __init__(self, classifier: BaseEstimator | str | None = None,
                 threshold: float = POOL_LABELLING.self_training_threshold,
                 max_iter: int = POOL_LABELLING.self_training_rounds, max_pool: int | None = AUTO.max_pool,
                 n_per_sample: int | None = None, n_per_class: int | str | dict | None = None,
                 random_state: RandomState = None):
        self.n_per_sample = n_per_sample
        self.n_per_class = n_per_class
        self.random_state = random_state
        self.classifier = classifier
        self.threshold = threshold
        self.max_iter = max_iter
        self.max_pool = max_pool

    def generate(self, X: ArrayLike, y: Labels, X_unlabelled: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
        X, y, classes, codes, pool = self._inputs(X, y, X_unlabelled)
        pool = subset(pool, self.max_pool, self.random_state)
        classifier = make_classifier(self.classifier or "svm", random_state=self.random_state) \
            if self.classifier is None or isinstance(self.classifier, str) else clone(self.classifier)
        if not hasattr(classifier, "predict_proba"):  # self-training ranks by probability: calibrate (an SVM)
            folds = int(np.bincount(codes).min())
            if folds < 2:
                raise ValueError(f"self-training needs probabilities, and {type(classifier).__name__} gives them "
                                 "only through calibration by cross-validation, which needs 2 labelled samples of "
                                 "each class; label another of the smallest class, or self-train a classifier "
                                 "with predict_proba (knn, mlp).")
            classifier = CalibratedClassifierCV(classifier, cv=min(5, folds), ensemble=False)
        features = np.concatenate([X, pool]).reshape(len(X) + len(pool), -1)
        training = SelfTrainingClassifier(with_scaling(classifier, tabular=X.ndim == 2), threshold=self.threshold,
                                          max_iter=self.max_iter)
        training.fit(features, np.r_[codes, np.full(len(pool), -1)])
        rounds = training.labeled_iter_[len(X):]
        probability = training.predict_proba(features[len(X):]).max(axis=1)  # in [0, 1]: orders within a round
        confidence = np.where(rounds > 0, -rounds + probability, -np.inf)
        labelled = np.clip(training.transduction_[len(X):], 0, None)
        return self._kept(y, pool, classes[labelled], confidence)
