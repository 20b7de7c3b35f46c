"""Does the synthetic data help? A classifier trained on the training rows (each with its weight, where it
takes one), scored on held-out data: :func:`score_classifier`, and how features are scaled for it."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.validation import has_fit_parameter

from ._choices import SCALINGS
from ._typing import ArrayLike, Labels
from ._validation import check_choice, check_labels, check_samples, check_weights
from .data.tables import text_columns

__all__ = ["score_classifier", "test_scores", "takes_images", "needs_scaling", "with_scaling", "weight_params",
           "SCALINGS"]


def takes_images(classifier) -> bool:
    """Whether ``classifier`` wants samples in their own layout (scikit-learn's input tags say so)."""
    return not get_tags(classifier).input_tags.two_d_array


def needs_scaling(classifier) -> bool:
    """Whether a feature's scale changes what ``classifier`` learns: yes for the SVM, kNN and MLP (distances,
    dot products, gradients), no for trees and their ensembles (a split is the same on any monotone scale)."""
    if isinstance(classifier, Pipeline):
        classifier = classifier.steps[-1][1]
    return not takes_images(classifier) and not type(classifier).__module__.startswith(("sklearn.tree",
                                                                                        "sklearn.ensemble"))


def with_scaling(classifier: BaseEstimator, *, tabular: bool, scale: str | bool = "auto") -> BaseEstimator:
    """``classifier``, after a ``StandardScaler`` where ``scale`` asks for one ("auto": on tabular samples) and
    the classifier :func:`needs_scaling`."""
    if (scale is True or (scale == "auto" and tabular)) and needs_scaling(classifier):
        return make_pipeline(StandardScaler(), classifier)
    return classifier


def score_classifier(classifier: BaseEstimator, X_train: ArrayLike, y_train: Labels, X_test: ArrayLike,
                     y_test: Labels, *, scale: str | bool = "auto",
                     sample_weight: ArrayLike | None = None) -> dict[str, float]:
    """Fit on the training data and return test accuracy and weighted F1.

    Samples are flattened to vectors unless the classifier takes images (the CNN).

    Parameters
    ----------
    sample_weight : array of shape (n_train,), optional
        A weight per training sample, for a classifier whose ``fit`` takes one (the SVM, the forest, the
        boosted trees, the torch classifiers); a classifier without (kNN) learns from every sample alike.
    scale : {"auto", True, False}, default="auto"
        Standardise each feature (scikit-learn's ``StandardScaler``, fitted on
        ``X_train``: the originals and whatever was generated) before a
        classifier that :func:`needs_scaling`. ``"auto"`` does so for tabular
        data, ``(N, D)``, and leaves images, whose pixels share one scale, as
        they are (the paper's [0, 1]).

    A DataFrame with text columns (a mixed table, as ``fit_resample`` gives it back) goes through a
    ``ColumnTransformer``: its categories one-hot, its numbers standardised as above (``X_test`` needs the
    same columns; a category the training rows lack is all zeros).

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> rng = np.random.default_rng(0)
    >>> X = np.c_[rng.normal(0, 1e-3, 200), rng.normal(0, 1e3, 200)]  # the signal is in the small feature
    >>> y = (X[:, 0] > 0).astype(int)
    >>> unscaled = score_classifier(SVC(), X[:100], y[:100], X[100:], y[100:], scale=False)["accuracy"]
    >>> scaled = score_classifier(SVC(), X[:100], y[:100], X[100:], y[100:])["accuracy"]
    >>> bool(scaled > 0.9 > unscaled)
    True
    """
    check_choice(scale, SCALINGS, name="scale")
    if hasattr(X_train, "columns") and text_columns(X_train):
        return _score_table(classifier, X_train, y_train, X_test, y_test, scale=scale, sample_weight=sample_weight)
    tabular = np.ndim(X_train) == 2
    X_train = check_samples(X_train, name="X_train")
    X_test = check_samples(X_test, name="X_test")
    if not takes_images(classifier):
        X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    classifier = with_scaling(classifier, tabular=tabular, scale=scale)
    classifier.fit(X_train, check_labels(y_train, len(X_train), name="y_train"),
                   **weight_params(classifier, sample_weight, len(X_train)))
    return test_scores(y_test, classifier.predict(X_test))


def weight_params(classifier: BaseEstimator, sample_weight: ArrayLike | None, n: int) -> dict:
    """The ``fit`` parameters that hand ``sample_weight`` to ``classifier`` (the last step of a pipeline), or
    none when there is no weight or the classifier takes none (kNN)."""
    if sample_weight is None or not takes_weights(classifier):
        return {}
    weights = check_weights(sample_weight, n)
    name = classifier.steps[-1][0] if isinstance(classifier, Pipeline) else None
    return {f"{name}__sample_weight": weights} if name else {"sample_weight": weights}


def takes_weights(classifier: BaseEstimator) -> bool:
    """Whether ``classifier`` (the last step of a pipeline) takes ``sample_weight`` in ``fit`` (kNN does not)."""
    final = classifier.steps[-1][1] if isinstance(classifier, Pipeline) else classifier
    return has_fit_parameter(final, "sample_weight")


def _score_table(classifier, X_train, y_train, X_test, y_test, *, scale, sample_weight=None) -> dict[str, float]:
    """score_classifier for a DataFrame with text columns: one-hot categories, standardised numbers."""
    if not hasattr(X_test, "columns") or list(X_test.columns) != list(X_train.columns):
        raise ValueError(f"X_train is a table with the columns {list(X_train.columns)}; give X_test as a "
                         "DataFrame with the same columns.")
    categories = text_columns(X_train)
    # By position: a column's name may be a number (pd.DataFrame(X)), which ColumnTransformer reads as one
    at = [X_train.columns.get_loc(c) for c in categories]
    numbers = [i for i in range(X_train.shape[1]) if i not in at]
    scaled = scale is not False and needs_scaling(classifier)
    encoder = ColumnTransformer([("categories", OneHotEncoder(handle_unknown="ignore"), at),
                                 ("numbers", StandardScaler() if scaled else "passthrough", numbers)])
    X_train, X_test = (X.astype({c: str for c in categories}) for X in (X_train, X_test))  # one type per column
    model = make_pipeline(encoder, classifier)
    model.fit(X_train, check_labels(y_train, len(X_train), name="y_train"),
              **weight_params(model, sample_weight, len(X_train)))
    return test_scores(y_test, model.predict(X_test))


def test_scores(y_test: Labels, predicted: Labels) -> dict[str, float]:
    """Test accuracy and weighted F1 of ``predicted`` labels: what every table cell reports."""
    y_test = check_labels(y_test, len(predicted), name="y_test", min_classes=1)
    return {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "f1_weighted": float(f1_score(y_test, predicted, average="weighted")),
    }
