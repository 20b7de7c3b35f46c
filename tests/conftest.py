import numpy as np
import pytest


@pytest.fixture
def blobs():
    """Two classes of 8x8 images in [0, 1]: bright top half vs bright bottom half, with noise."""
    rng = np.random.default_rng(0)
    n = 40
    X = rng.uniform(0, 0.2, size=(n, 8, 8)).astype(np.float32)
    y = np.repeat([0, 1], n // 2)
    X[y == 0, :4] += 0.7
    X[y == 1, 4:] += 0.7
    return X, y
