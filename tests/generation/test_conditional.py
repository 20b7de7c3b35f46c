"""The conditional model on the VAE's codes (M1+M2) and the samples it makes (vaeaug.generation.conditional)."""

import numpy as np
import pytest
import torch
from helpers import NeedsMore, bars

from vaeaug import VAEAugmenter
from vaeaug.generation.conditional import ConditionalAugmenter
from vaeaug.generation.kinds import make_augmenter
from vaeaug.generation.registry import parse_method
from vaeaug.vae.conditional_model import ConditionalConfig, ConditionalLatentModel, train_conditional
from vaeaug.vae.model import gaussian_kl


@pytest.fixture(scope="module")
def fitted():
    """A VAE on 200 unlabelled images, a conditional model on 12 labelled ones and those 200."""
    X_lab, y_lab = bars(12, seed=0)
    pool, _ = bars(200, seed=1)
    vae = VAEAugmenter(latent_dim=3, hidden_units=32, max_epochs=20, random_state=0).fit(pool)
    model = ConditionalAugmenter(vae, hidden_units=32, style_dim=2, epochs=15, min_steps=300, random_state=0)
    return model.fit(X_lab, y_lab, X_unlabelled=pool), X_lab, y_lab, pool


def test_its_classifier_beats_chance_on_a_separable_set(fitted):
    model, *_ = fitted
    X_test, y_test = bars(100, seed=2)
    assert model.score(X_test, y_test) >= 0.9
    assert model.predict_proba(X_test).shape == (100, 2)
    assert model.classes_.tolist() == ["bottom", "top"]


@pytest.mark.parametrize("method", ["conditional-prior", "style-transfer", "interpolation"])
def test_new_samples_take_the_classes_asked_for(fitted, method):
    model, X_lab, y_lab, _ = fitted
    model.set_params(method=method, n_per_class={"top": 3, "bottom": 5})
    X_new, y_new = model.generate(X_lab, y_lab)
    assert X_new.shape == (8, 8, 8) and sorted(y_new.tolist()) == ["bottom"] * 5 + ["top"] * 3
    # The samples look like their class: the bright half is where the label says.
    top_brighter = X_new[:, :4].mean(axis=(1, 2)) > X_new[:, 4:].mean(axis=(1, 2))
    assert (top_brighter == (y_new == "top")).mean() >= 0.75


def test_the_agree_filter_keeps_what_the_classifier_labels_as_asked(fitted):
    model, X_lab, y_lab, _ = fitted
    model.set_params(method="conditional-prior", filter="agree", n_per_class=6)
    X_new, y_new = model.generate(X_lab, y_lab)
    assert len(y_new) == 12 and (model.predict(X_new) == y_new).all()
    model.set_params(filter=None)


def test_pseudo_labels_are_unlabelled_samples_the_classifier_is_sure_of(fitted):
    model, X_lab, y_lab, pool = fitted
    model.set_params(method="pseudo-label", n_per_class=10, threshold=0.9)
    X_new, y_new = model.generate(X_lab, y_lab)
    assert len(X_new) == 20
    assert all(any(np.array_equal(row, p) for p in pool) for row in X_new)  # real samples, not decoded ones
    assert (model.predict_proba(X_new).max(axis=1) >= 0.9).all()
    assert (model.predict(X_new) == y_new).all()


def test_same_seed_same_output():
    X_lab, y_lab = bars(10, seed=0)
    pool, _ = bars(60, seed=1)
    vae = VAEAugmenter(latent_dim=2, hidden_units=16, max_epochs=2, random_state=0).fit(pool)
    runs = [ConditionalAugmenter(vae, hidden_units=16, epochs=2, min_steps=5, random_state=4).fit(X_lab, y_lab, pool)
            .generate(X_lab, y_lab) for _ in range(2)]
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])


def test_save_and_load_give_the_same_codes_and_samples(fitted, tmp_path):
    model, X_lab, y_lab, pool = fitted
    model.set_params(method="style-transfer", n_per_class=4)
    model.save(tmp_path / "m")
    loaded = ConditionalAugmenter.load(tmp_path / "m", device="cpu")
    assert np.array_equal(loaded.predict_proba(pool), model.predict_proba(pool))
    assert np.array_equal(loaded.styles(pool), model.styles(pool))
    assert np.array_equal(loaded.generate(X_lab, y_lab, X_unlabelled=pool)[0], model.generate(X_lab, y_lab)[0])
    with pytest.raises(ValueError, match="draws from unlabelled samples"):
        loaded.generate(X_lab, y_lab)  # the pool is not saved


def test_bad_settings_are_clear_errors(fitted, tmp_path):
    model, X_lab, y_lab, _ = fitted
    with pytest.raises(ValueError, match=r"Unknown class\(es\) \['left'\]"):
        model.generate(X_lab, np.where(y_lab == "top", "left", y_lab))
    with pytest.raises(ValueError, match=r"threshold must be a probability in \[0, 1\]"):
        ConditionalAugmenter(threshold=1.5).fit(X_lab, y_lab)
    with pytest.raises(ValueError, match="method must be one of conditional-prior"):
        ConditionalAugmenter(method="sideways").fit(X_lab, y_lab)
    with pytest.raises(ValueError, match="filter must be None or 'agree'"):
        ConditionalAugmenter(filter="gc").fit(X_lab, y_lab)
    model.augmenter_.save(tmp_path / "vae-only")
    with pytest.raises(ValueError, match="has no conditional model|not a saved ConditionalAugmenter"):
        ConditionalAugmenter.load(tmp_path / "vae-only")
    with pytest.raises(ValueError, match="at least 2"):
        ConditionalConfig(code_dim=3, n_classes=1)
    with pytest.raises(ValueError, match="needs labelled codes"):
        train_conditional(ConditionalLatentModel(ConditionalConfig(code_dim=2, n_classes=2, hidden_units=4)),
                          np.zeros((5, 2)), np.zeros((5, 2)), np.full(5, -1), device="cpu")


def test_method_names_reach_the_conditional_model():
    assert parse_method("style-transfer+agree").kind == "conditional"
    assert parse_method("interpolation+agree")[2:4] == ("interpolation", "agree")
    made = make_augmenter("conditional-prior+agree", latent_dim=2, random_state=0)
    assert isinstance(made, ConditionalAugmenter) and made.filter == "agree" and made.augmenter.latent_dim == 2
    for bad, message in [("multi-vae+agree", "single VAE"), ("conditional-prior+noise", "stands alone"),
                         ("interpolation+gc+agree", "one filter")]:
        with pytest.raises(ValueError, match=message):
            parse_method(bad)


def test_the_objective_learns_labels_from_few_codes_and_many_unlabelled():
    """Two Gaussian clusters of codes, 4 labelled: q(y | z) labels the unlabelled ones."""
    rng = np.random.default_rng(0)
    centres = np.array([[-2.0, 0.0], [2.0, 0.0]])
    truth = rng.integers(0, 2, 300)
    codes = centres[truth] + 0.5 * rng.standard_normal((300, 2))
    labels = np.full(300, -1)
    labels[:4] = truth[:4]
    model = ConditionalLatentModel(ConditionalConfig(code_dim=2, n_classes=2, style_dim=1, hidden_units=16))
    train_conditional(model, codes, np.full((300, 2), -6.0), labels, epochs=20, min_steps=0, batch_size=32,
                      seed=0, device="cpu")
    predicted = model.class_probabilities(torch.as_tensor(codes, dtype=torch.float32)).argmax(1).numpy()
    assert (predicted == truth).mean() >= 0.9


def test_auto_cross_validates_the_conditional_methods_without_seeing_the_held_out_part(fitted):
    from vaeaug.generation.auto import AutoAugmenter

    model, X_lab, y_lab, pool = fitted
    settings = {"hidden_units": 32, "style_dim": 2, "epochs": 1, "min_steps": 50, "random_state": 0}
    auto = AutoAugmenter(model.augmenter_, classifier="knn", cv=2, random_state=0,
                         conditional=ConditionalAugmenter(**settings))
    auto.fit(X_lab, y_lab, X_unlabelled=pool)
    names = [row["candidate"] for row in auto.cv_results_]
    assert {"conditional-prior+agree x1", "pseudo-label x3", "style-transfer x3"} <= set(names)
    assert all(row["mean"] is not None for row in auto.cv_results_)
    # One conditional model per fold, each fitted on that fold's labelled half alone (and the pool).
    folds = list(auto._conditionals.values())
    assert len(folds) == 2 + (auto.conditional_ is not None and auto.conditional_ not in folds)
    assert all(len(m.pool_) == len(pool) for m in folds)
    # The next classifier's choice reuses them: nothing is trained again.
    before = {id(m) for m in auto._conditionals.values()}
    auto.set_params(classifier="svm").fit(X_lab, y_lab, X_unlabelled=pool)
    assert before <= {id(m) for m in auto._conditionals.values()}
    # Told to, it generates with the conditional model, fitted on all the labelled samples.
    auto.set_params(candidates=[{"method": "conditional-prior+agree", "n_per_sample": 2}], classifier=NeedsMore(6))
    X_new, y_new = auto.fit(X_lab, y_lab, X_unlabelled=pool).generate(X_lab, y_lab)
    assert auto.choice_["method"] == "conditional-prior+agree" and len(y_new) == 2 * len(y_lab)
    assert (auto.conditional_.predict(X_new) == y_new).all()
    assert sorted(auto.conditional_.classes_.tolist()) == ["bottom", "top"]


def test_auto_uses_a_fitted_conditional_model_for_its_choice(fitted):
    from vaeaug.generation.auto import AutoAugmenter

    model, X_lab, y_lab, pool = fitted
    auto = AutoAugmenter(model.augmenter_, classifier=NeedsMore(6), cv=2, random_state=0, conditional=model,
                         candidates=[{"method": "pseudo-label", "n_per_sample": 1}])
    X_new, y_new = auto.fit(X_lab, y_lab, X_unlabelled=pool).generate(X_lab, y_lab)
    assert auto.conditional_.model_ is model.model_  # not trained again for the choice
    assert len(X_new) == len(y_lab) and all(any((row == p).all() for p in pool) for row in X_new)


@pytest.mark.parametrize("candidate, conditional, unlabelled, message", [
    ("conditional-prior", False, True, "conditional=ConditionalAugmenter"),
    ("conditional-classifier", True, True, "makes no samples"),
    ("pseudo-label", True, False, "pass X_unlabelled"),
])
def test_auto_names_what_a_conditional_candidate_lacks(fitted, candidate, conditional, unlabelled, message):
    from vaeaug.generation.auto import AutoAugmenter

    model, X_lab, y_lab, pool = fitted
    auto = AutoAugmenter(model.augmenter_, cv=2, candidates=[{"method": candidate, "n_per_sample": 1}],
                         conditional=ConditionalAugmenter() if conditional else None)
    with pytest.raises(ValueError, match=message):
        auto.fit(X_lab, y_lab, X_unlabelled=pool if unlabelled else None)


def test_an_unfitted_model_says_so_and_a_fitted_one_refuses_another_width(blobs):
    """predict before fit is NotFittedError, not an AttributeError; generate checks the samples' layout
    (issue 33, item 9)."""
    from sklearn.exceptions import NotFittedError

    X, y = blobs
    with pytest.raises(NotFittedError):
        ConditionalAugmenter().predict(X)
    model = ConditionalAugmenter(VAEAugmenter(latent_dim=2, hidden_units=16, max_epochs=1, random_state=0),
                                 hidden_units=8, epochs=1, min_steps=0, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="shape"):
        model.generate(X[:, :4], y)


def test_free_bits_leave_each_style_dimension_its_nats_for_free():
    mean = torch.tensor([[0.1, 3.0]], requires_grad=True)
    kl = gaussian_kl(mean, torch.zeros(1, 2), free_bits=1.0)
    assert kl.item() == pytest.approx(1.0 + 4.5)  # the first dimension's 0.005 nats count as 1, the second's 4.5
    kl.sum().backward()
    assert mean.grad.tolist() == [[0.0, 3.0]]  # under its free nats a dimension is not pulled to the prior
    assert gaussian_kl(mean, torch.zeros(1, 2)).item() == pytest.approx(0.005 + 4.5)
    with pytest.raises(ValueError, match="style_free_bits"):
        ConditionalConfig(code_dim=3, n_classes=2, style_free_bits=-1)
