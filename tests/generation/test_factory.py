"""Method names to seeded estimators (vaeaug.generation.factory)."""

import numpy as np

from vaeaug.generation.factory import make_augmenter

FAST = dict(latent_dim=3, hidden_units=32, max_epochs=3, batch_size=16, random_state=0)


def test_same_seed_same_samples_for_every_new_method(blobs):
    X, y = blobs
    for name in ("interpolation+noise", "prior", "multi-vae", "extrapolation+noise+gc"):
        first = make_augmenter(name, **FAST, n_per_class=4).fit_resample(X, y)
        second = make_augmenter(name, **FAST, n_per_class=4).fit_resample(X, y)
        np.testing.assert_array_equal(first[0], second[0])
        np.testing.assert_array_equal(first[1], second[1])
