"""fit_resample's one template (vaeaug.generation.sampler): the originals come back exactly as they went in."""

import numpy as np
import pandas as pd
import pytest

from vaeaug import VAEAugmenter, make_augmenter

X = np.random.default_rng(0).normal(size=(40, 3))
X[0, 0], X[1, 1] = 16_777_217.0, 1e6 + 0.03
Y = np.repeat([0, 1], 20)


@pytest.mark.parametrize("sampler", [lambda: make_augmenter("smote", random_state=0),
                                     lambda: VAEAugmenter(latent_dim=2, max_epochs=1, random_state=0)])
def test_the_originals_are_returned_in_their_own_precision(sampler):
    # issue 32: they were rounded to float32 (16,777,217 became 16,777,216; values near 1e6 moved by 0.03)
    X_out, _ = sampler().fit_resample(X, Y)
    np.testing.assert_array_equal(X_out[:len(X)], X)


def test_a_dataframe_keeps_its_integer_column_names_and_values():
    # issue 32: pd.DataFrame(X) came back with columns x0, x1, x2
    frame = pd.DataFrame(X)
    out, _ = VAEAugmenter(latent_dim=2, max_epochs=1, random_state=0).fit_resample(frame, Y)
    assert list(out.columns) == [0, 1, 2]
    pd.testing.assert_frame_equal(out.iloc[:len(X)], frame)
