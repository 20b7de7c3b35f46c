"""Method names to seeded estimators (vaeaug.generation.kinds)."""

import numpy as np

from vaeaug.generation.kinds import make_augmenter

FAST = dict(latent_dim=3, hidden_units=32, max_epochs=3, batch_size=16, random_state=0)


def test_same_seed_same_samples_for_every_new_method(blobs):
    X, y = blobs
    for name in ("interpolation+noise", "prior", "multi-vae", "extrapolation+noise+gc"):
        first = make_augmenter(name, **FAST, n_per_class=4).fit_resample(X, y)
        second = make_augmenter(name, **FAST, n_per_class=4).fit_resample(X, y)
        np.testing.assert_array_equal(first[0], second[0])
        np.testing.assert_array_equal(first[1], second[1])


def test_the_conditional_model_makes_the_amount_asked_for(blobs):
    """make_augmenter gives the amount to the conditional model itself, not only to its inner VAE."""
    X, y = blobs
    model = make_augmenter("conditional-prior", **FAST, n_per_sample=5)
    assert model.n_per_sample == 5
    model.set_params(hidden_units=16, epochs=1, min_steps=0)
    X_new, y_new = model.fit(X, y).generate(X, y)
    assert np.bincount(y_new).tolist() == [5 * 20, 5 * 20]
    # Left out, the amount is every method's default: n_neighbors per labelled sample
    default = make_augmenter("conditional-prior", **FAST, n_neighbors=2)
    default.set_params(hidden_units=16, epochs=1, min_steps=0)
    assert len(default.fit(X, y).generate(X, y)[1]) == 2 * len(y)
