"""SMOTE, affine and real, the baselines (vaeaug.generation.baselines)."""

import numpy as np
import pytest

from vaeaug.generation.baselines import AffineSampler, RealSampler, SMOTESampler
from vaeaug.generation.latent import alter


def test_smote_makes_the_vae_methods_amount_on_segments_within_each_class(two_lines):
    X, y = two_lines
    X_new, y_new = SMOTESampler(n_neighbors=3, random_state=0).generate(X, y)
    assert np.bincount(y_new).tolist() == [18, 18]  # 3 per sample, as the VAE methods make by default
    zero, one = X_new[y_new == 0], X_new[y_new == 1]
    np.testing.assert_allclose(zero[:, 0], zero[:, 1])
    np.testing.assert_allclose(one[:, 0], -one[:, 1])
    assert zero.min() >= X[y == 0].min() and zero.max() <= X[y == 0].max()
    again, _ = SMOTESampler(n_neighbors=3, random_state=0).generate(X, y)
    np.testing.assert_array_equal(X_new, again)
    X_res, y_res = SMOTESampler(n_per_class=4, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [10, 10] and np.allclose(X_res[:12], X)


def test_smote_keeps_image_shapes_and_says_what_it_cannot_do():
    images = np.random.default_rng(0).random((6, 4, 4)).astype(np.float32)
    X_new, y_new = SMOTESampler(n_neighbors=2, n_per_sample=1, random_state=0).generate(images, [0, 0, 0, 1, 1, 1])
    assert X_new.shape == (6, 4, 4) and X_new.dtype == np.float32
    with pytest.warns(UserWarning, match="uses 1 neighbours"):
        SMOTESampler(n_neighbors=3, random_state=0).generate(images[:4], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="at least 2 samples"):
        SMOTESampler(random_state=0).generate(images[:3], [0, 0, 1])
    with pytest.raises(ValueError, match="at least two classes"):
        alter("latent-smote", np.zeros((3, 2)), [0, 0, 0])


def test_affine_with_no_change_copies_and_with_change_moves_the_ink():
    rng = np.random.default_rng(0)
    images = np.zeros((4, 12, 12), dtype=np.float32)
    images[:, 3:9, 5:7] = 1.0
    y = np.array([0, 0, 1, 1])
    same, y_same = AffineSampler(rotation=0, shift=0, scale=0, n_per_sample=2, random_state=0).generate(images, y)
    np.testing.assert_allclose(same, np.repeat(images, 2, axis=0), atol=1e-6)
    assert y_same.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    moved, _ = AffineSampler(rotation=20, shift=0.1, scale=0.1, random_state=0).generate(images, y)
    assert moved.shape == (12, 12, 12) and moved.dtype == np.float32
    assert not np.allclose(moved, np.repeat(images, 3, axis=0))
    ink = moved.reshape(len(moved), -1).sum(axis=1)
    assert np.all(np.abs(ink - 12) < 0.35 * 12)  # a bar of 12 pixels stays about 12 (scale 0.9-1.1, squared)
    again, _ = AffineSampler(rotation=20, shift=0.1, scale=0.1, random_state=0).generate(images, y)
    np.testing.assert_array_equal(moved, again)
    channels, _ = AffineSampler(random_state=0).generate(images[:, None], y)
    assert channels.shape == (12, 1, 12, 12)
    with pytest.raises(ValueError, match="changes images"):
        AffineSampler().generate(rng.random((4, 5)), y)
    with pytest.raises(ValueError, match="below 1"):
        AffineSampler(scale=1.5).generate(images, y)


def test_real_draws_distinct_pool_samples_of_each_class_and_warns_when_short():
    pool = np.arange(40.0).reshape(20, 2)
    pool_labels = np.r_[np.zeros(15, int), np.ones(5, int)]
    labelled, labels = np.zeros((4, 2)), np.array([0, 0, 1, 1])
    real = RealSampler(n_per_sample=2, random_state=0).fit(pool, pool_labels)
    X_new, y_new = real.generate(labelled, labels)
    assert np.bincount(y_new).tolist() == [4, 4]
    rows = (X_new[:, 0] // 2).astype(int)
    assert len(set(rows.tolist())) == 8 and (pool_labels[rows] == y_new).all()
    with pytest.warns(UserWarning, match="too few"):
        X_new, y_new = RealSampler(n_per_class=7, random_state=0).fit(pool, pool_labels).generate(labelled, labels)
    assert np.bincount(y_new).tolist() == [7, 5] and real.generation_report_["missing"] == {}
    with pytest.raises(ValueError, match="pool's labels"):
        RealSampler().fit(pool)
    with pytest.raises(ValueError, match="pool of real samples is empty"):
        RealSampler().fit(pool[:0], pool_labels[:0])
    with pytest.raises(ValueError, match="X_pool=..., y_pool=..."):
        real.fit_resample(labelled, labels)
    # Through the one fit_resample of every sampler: the originals first, then the real samples drawn
    X_res, y_res = RealSampler(n_per_sample=2, random_state=0).fit_resample(labelled, labels, X_pool=pool,
                                                                            y_pool=pool_labels)
    assert X_res.shape == (12, 2) and np.bincount(y_res).tolist() == [6, 6] and (X_res[:4] == 0).all()


def test_smote_between_identical_samples_keeps_one_copy_and_says_so():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [6.0, 6.0]])  # class 0: the same sample twice
    with pytest.warns(UserWarning, match=r"Made 4 of the 8 .*Drop the duplicate rows"):
        X_new, y_new = SMOTESampler(n_neighbors=1, n_per_sample=2, random_state=0).generate(X, [0, 0, 1, 1])
    assert y_new.tolist() == [1, 1, 1, 1] and len(np.unique(X_new, axis=0)) == 4
