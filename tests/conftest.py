import numpy as np
import pytest

from vaeaug import VAEAugmenter


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


@pytest.fixture
def npz(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "in.npz"
    np.savez(path, X=rng.uniform(size=(30, 6)).astype(np.float32), y=np.repeat([0, 1, 2], 10))
    return path


@pytest.fixture(scope="session")
def digits_vae():
    """A small VAE on 8x8 digits (without labels), and 60 labelled images: 6 per class."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X / 16).reshape(-1, 8, 8).astype(np.float32)
    labelled = np.concatenate([np.flatnonzero(y == c)[:6] for c in range(10)])
    vae = VAEAugmenter(latent_dim=4, hidden_units=64, max_epochs=3, random_state=0).fit(X[400:])
    return vae, X[labelled], y[labelled]


@pytest.fixture
def two_lines():
    """Class 0 on the segment x = y in [0, 1], class 1 on x = -y in [5, 6]: SMOTE stays on each."""
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 1, 12)
    X = np.r_[np.c_[t[:6], t[:6]], np.c_[5 + t[6:], -(5 + t[6:])]]
    return X, np.repeat([0, 1], 6)
