"""affine+MOVE chains (vaeaug.generation.chain)."""

import numpy as np
import pytest

from vaeaug.generation.chain import AugmentationChain, configure
from vaeaug.generation.registry import parse_method


def test_a_chain_makes_affine_copies_then_the_vae_move_from_both_and_keeps_the_amount(digits_vae):
    vae, X, y = digits_vae
    spec = parse_method("affine+interpolation")
    assert (spec.kind, spec.generation, spec.first) == ("vae", "interpolation", "affine")
    import copy

    chain = configure(copy.copy(vae), spec, n_per_sample=3)
    assert isinstance(chain, AugmentationChain)
    X_new, y_new = chain.generate(X, y)
    assert X_new.shape == (3 * len(X), 8, 8)
    np.testing.assert_array_equal(y_new[:len(X)], y)  # one affine copy per labelled sample comes first
    np.testing.assert_array_equal(np.bincount(y_new[len(X):]), 2 * np.bincount(y))  # then two moves per sample
    assert chain.generation_report_["made"] == chain.generation_report_["requested"] == 3 * len(X)
    assert chain.then.n_per_class is None  # the amount was set on a copy
    with pytest.raises(ValueError, match="at least 2 per sample"):
        configure(copy.copy(vae), spec, n_per_sample=1).generate(X, y)


def test_a_chain_meets_a_per_class_amount_in_all_copies_included(digits_vae):
    """affine+interpolation with n_per_class=5 adds 5 per class, not 5 plus one affine copy per sample."""
    import copy

    vae, X, y = digits_vae
    chain = configure(copy.copy(vae), "affine+interpolation", n_per_class=5)
    X_new, y_new = chain.generate(X, y)
    assert np.bincount(y_new).tolist() == [5] * 10
    assert chain.generation_report_["made"] == chain.generation_report_["requested"] == 50


def test_a_chain_balances_by_topping_the_small_classes_up(digits_vae):
    """balance on classes of 20, 6 and 6 adds 0, 14 and 14 (each class ends at 20)."""
    import copy

    vae, X, y = digits_vae
    big = np.concatenate([X[y == 0]] * 4)[:20]
    X_cls = np.concatenate([big, X[y == 1], X[y == 2]])
    y_cls = np.repeat([0, 1, 2], [20, 6, 6])
    X_new, y_new = configure(copy.copy(vae), "affine+interpolation", n_per_class="balance").generate(X_cls, y_cls)
    assert np.bincount(y_new, minlength=3).tolist() == [0, 14, 14]


def test_a_chain_resamples_through_the_one_sampler_template(digits_vae):
    """fit_resample of a chain checks its input, and gives back the originals first in the input's type."""
    import copy

    vae, X, y = digits_vae
    chain = configure(copy.copy(vae), "affine+interpolation", n_per_sample=2)
    chain.fit = lambda X, y, **_: chain  # the VAE is fitted already
    X_res, y_res = chain.fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list) and len(y_res) == 3 * len(y)
    np.testing.assert_array_equal(np.asarray(X_res[:len(X)]), X)
    with pytest.raises(ValueError, match="NaN"):
        chain.fit_resample(np.full_like(X, np.nan), y)
