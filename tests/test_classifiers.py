"""The classifiers and score_classifier (vaeaug.classifiers)."""

import numpy as np
import pytest
from sklearn.base import clone

from vaeaug import CNNClassifier, TorchMLPClassifier, make_classifier, score_classifier
from vaeaug.evaluation import takes_images


def test_paper_mlp_learns_a_separable_problem(blobs):
    X, y = blobs
    clf = TorchMLPClassifier(hidden_units=32, max_epochs=30, random_state=0, device="cpu")
    assert clf.fit(X[::2], y[::2]).score(X[1::2], y[1::2]) == 1.0  # held-out half; images are flattened
    assert clf.predict_proba(X).shape == (40, 2)
    assert len(clone(clf).get_params()) == 9


def test_paper_mlp_has_five_batchnorm_dropout_layers(blobs):
    X, y = blobs
    network = TorchMLPClassifier(max_epochs=1, random_state=0).fit(X, y).network_
    kinds = [type(layer).__name__ for layer in network]
    assert kinds.count("BatchNorm1d") == 5 and kinds.count("Dropout") == 5
    assert network[0].out_features == 1024


def test_paper_mlp_is_reproducible(blobs):
    X, y = blobs
    a = TorchMLPClassifier(hidden_units=16, max_epochs=3, random_state=1).fit(X, y).predict_proba(X)
    b = TorchMLPClassifier(hidden_units=16, max_epochs=3, random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_cnn_learns_images_in_their_own_layout(blobs):
    X, y = blobs
    clf = CNNClassifier(channels=(4, 8), hidden_units=16, random_state=0, device="cpu")
    assert clf.fit(X[::2], y[::2]).score(X[1::2], y[1::2]) == 1.0
    assert clf.predict_proba(X).shape == (40, 2)
    assert clf.network_[0].in_channels == 1  # (N, H, W) gained a channel axis
    with_channels = clone(clf).fit(X[:, None], y)  # (N, C, H, W) works as it is
    assert with_channels.predict(X[:, None]).shape == (40,)
    assert takes_images(clf) and not takes_images(TorchMLPClassifier())


def test_cnn_trains_at_least_min_steps():
    clf = CNNClassifier(max_epochs=10, min_steps=1000, batch_size=128)
    assert clf._epochs(100) == 1000  # one batch per epoch: 1,000 epochs
    assert clf._epochs(1280) == 100
    assert clf._epochs(55_000) == 10  # 430 steps per epoch: max_epochs decides
    assert clf.set_params(min_steps=0)._epochs(100) == 10


def test_cnn_is_reproducible(blobs):
    X, y = blobs
    a = CNNClassifier(channels=(2, 4), hidden_units=8, max_epochs=2, min_steps=0, random_state=3).fit(X, y).predict_proba(X)
    b = CNNClassifier(channels=(2, 4), hidden_units=8, max_epochs=2, min_steps=0, random_state=3).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "X, params, message",
    [
        (np.zeros((10, 64)), {}, r"needs images, \(N, H, W\) or \(N, C, H, W\), but got feature vectors"),
        (np.zeros((10, 3, 3)), {}, "at least 4 x 4 pixels"),
        (np.zeros((10, 8, 8)), {"channels": 32}, "two filter counts"),
        (np.zeros((10, 8, 8)), {"channels": (32, -1)}, "each of channels must be > 0"),
    ],
)
def test_cnn_bad_input_is_a_clear_error(X, params, message):
    with pytest.raises(ValueError, match=message):
        CNNClassifier(max_epochs=1, min_steps=0, **params).fit(X, [0, 1] * 5)


def test_cnn_refuses_images_of_another_size_at_predict(blobs):
    X, y = blobs
    clf = CNNClassifier(channels=(2, 4), hidden_units=8, max_epochs=1, min_steps=0, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(1, 8, 8\)"):
        clf.predict(np.zeros((3, 12, 12)))


@pytest.mark.parametrize("name", ["svm", "knn", "mlp", "cnn", "rf", "gbt"])
def test_score_classifier_reports_accuracy_and_weighted_f1(blobs, name):
    X, y = blobs
    scores = score_classifier(make_classifier(name, random_state=0), X, y, X, y)
    assert set(scores) == {"accuracy", "f1_weighted"}
    assert scores["accuracy"] > 0.9


def test_the_random_forest_follows_the_cell_seed(blobs):
    X, y = blobs
    X = X.reshape(len(X), -1)
    forests = [make_classifier("rf", random_state=seed).fit(X, y) for seed in (0, 0, 1)]
    importances = [forest.feature_importances_ for forest in forests]  # the blobs are separable: compare trees
    assert np.array_equal(importances[0], importances[1])
    assert not np.array_equal(importances[0], importances[2])
    assert make_classifier("rf", n_estimators=7).n_estimators == 7


def test_unknown_classifier_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown classifier 'forest'"):
        make_classifier("forest")


def test_a_torch_classifier_logs_one_line_per_fit(caplog):
    import logging

    X = np.r_[np.zeros((10, 3)), np.ones((10, 3))]
    with caplog.at_level(logging.DEBUG, logger="vaeaug"):
        TorchMLPClassifier(hidden_units=8, max_epochs=3, verbose=True, random_state=0).fit(X, [0] * 10 + [1] * 10)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("vaeaug")]
    assert len(lines) == 1 and lines[0].startswith("TorchMLPClassifier trained: 3 epochs")


@pytest.mark.parametrize("name", ["svm", "knn", "rf"])
def test_a_mixed_table_is_scored_with_its_categories_one_hot_and_numbers_scaled(name):
    # issue 32: a table with text columns reaches the classifier through a ColumnTransformer
    import pandas as pd

    rng = np.random.default_rng(0)
    city = rng.choice(["Paris", "Lyon", "Nice"], 300)
    table = pd.DataFrame({0: rng.normal(0, 1e4, 300), 1: city, 2: rng.random(300) > 0.5})  # integer names
    y = (city == "Lyon").astype(int)  # the label is the category alone, beside a number of large scale
    scores = score_classifier(make_classifier(name, random_state=0), table[:200], y[:200], table[200:], y[200:])
    assert scores["accuracy"] == 1.0
    with pytest.raises(ValueError, match="give X_test as a DataFrame with the same columns"):
        score_classifier(make_classifier(name), table[:200], y[:200], table[200:].to_numpy(), y[200:])


def _half_flipped(seed=0):
    """Two separable blobs, then the same points again with their labels swapped: weight decides who wins."""
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(-2, 0.5, (30, 4)), rng.normal(2, 0.5, (30, 4))]
    y = np.repeat([0, 1], 30)
    return np.r_[X, X], np.r_[y, 1 - y], X, y


@pytest.mark.parametrize("name", ["svm", "mlp"])
def test_a_sample_of_weight_zero_teaches_nothing_to_a_classifier_that_takes_weights(name):
    X_train, y_train, X_test, y_test = _half_flipped()
    options = {"hidden_layers": 1, "hidden_units": 16, "max_epochs": 40, "batch_size": 16} if name == "mlp" else {}
    weights = np.r_[np.ones(60), np.zeros(60)]  # the flipped copies weigh nothing
    weighted = score_classifier(make_classifier(name, random_state=0, **options), X_train, y_train, X_test, y_test,
                                sample_weight=weights)
    assert weighted["accuracy"] == 1.0
    unweighted = score_classifier(make_classifier(name, random_state=0, **options), X_train, y_train, X_test, y_test)
    assert unweighted["accuracy"] < 0.9  # the flipped copies pull as hard as the true ones


def test_knn_takes_no_weights_and_learns_as_without_them():
    X_train, y_train, X_test, y_test = _half_flipped()
    weights = np.r_[np.ones(60), np.zeros(60)]
    assert score_classifier(make_classifier("knn"), X_train, y_train, X_test, y_test, sample_weight=weights) == \
        score_classifier(make_classifier("knn"), X_train, y_train, X_test, y_test)


@pytest.mark.parametrize("weights, message", [(np.ones(5), "one weight per training sample, 120"),
                                              (np.r_[-np.ones(60), np.ones(60)], "finite weights >= 0"),
                                              (np.zeros(120), "all zero")])
def test_bad_weights_are_a_sentence(weights, message):
    X_train, y_train, X_test, y_test = _half_flipped()
    with pytest.raises(ValueError, match=message):
        score_classifier(make_classifier("svm"), X_train, y_train, X_test, y_test, sample_weight=weights)
