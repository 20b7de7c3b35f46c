"""One VAE per class (vaeaug.generation.multivae)."""

import numpy as np
import pytest

from vaeaug import MultiVAEAugmenter, VAEAugmenter

FAST = dict(latent_dim=3, hidden_units=32, max_epochs=3, batch_size=16, random_state=0)


def test_multi_vae_labels_are_their_class_and_it_saves_as_one(blobs, tmp_path):
    X, y = blobs
    multi = MultiVAEAugmenter(VAEAugmenter(**FAST, n_per_class=7), random_state=0).fit(X, y)
    assert len(multi.augmenters_) == 2
    X_new, y_new = multi.generate(X, y)
    assert X_new.shape == (14, 8, 8) and np.bincount(y_new).tolist() == [7, 7]
    # Class 0 is bright on top, class 1 at the bottom: each class's VAE draws its own kind.
    top = X_new[:, :4].mean(axis=(1, 2)) > X_new[:, 4:].mean(axis=(1, 2))
    np.testing.assert_array_equal(top, y_new == 0)
    multi.save(tmp_path / "multi")
    loaded = MultiVAEAugmenter.load(tmp_path / "multi", device="cpu")
    np.testing.assert_array_equal(loaded.generate(X, y)[0], X_new)


def test_multi_vae_mixes_in_other_classes(blobs, monkeypatch):
    X, y = blobs
    sizes = []
    original = VAEAugmenter.fit
    monkeypatch.setattr(VAEAugmenter, "fit", lambda self, X, *a, **k: sizes.append(len(X)) or original(self, X))
    MultiVAEAugmenter(VAEAugmenter(**FAST), mix_in=0.2, random_state=0).fit(X, y)
    MultiVAEAugmenter(VAEAugmenter(**FAST), mix_in=0.0, random_state=0).fit(X, y)
    assert sizes == [25, 25, 20, 20]  # 20 own + 5 others is 20 % mixed in


def test_multi_vae_balances_across_classes(blobs):
    X, y = blobs
    keep = np.r_[np.arange(20), np.arange(20, 26)]  # 20 of class 0, 6 of class 1
    multi = MultiVAEAugmenter(VAEAugmenter(**FAST, n_per_class="balance"), random_state=0)
    _, y_res = multi.fit_resample(X[keep], y[keep])
    assert np.bincount(y_res).tolist() == [20, 20]


def test_bad_multi_vae_use_is_a_clear_error(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="mix_in must be a share"):
        MultiVAEAugmenter(mix_in=1.0).fit(X, y)
    with pytest.raises(ValueError, match="space='data'"):
        MultiVAEAugmenter(VAEAugmenter(space="latent")).fit(X, y)
    with pytest.raises(ValueError, match="needs the labels"):
        MultiVAEAugmenter().fit(X, None)
    multi = MultiVAEAugmenter(VAEAugmenter(**FAST), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"Classes \[7\] have no VAE"):
        multi.generate(X, np.where(y == 1, 7, y))
    with pytest.raises(ValueError, match="generate needs the labels"):
        VAEAugmenter(**FAST).fit(X).generate(X, None)


def test_each_class_vae_is_named_by_its_class_in_the_log(caplog):
    # issue 35: a long run's log said "VAE trained" ten times, without which class
    rng = np.random.default_rng(0)
    X, y = rng.random((60, 4)), np.repeat(["cat", "dog", "owl"], 20)
    with caplog.at_level("INFO", logger="vaeaug"):
        MultiVAEAugmenter(VAEAugmenter(**{**FAST, "max_epochs": 1}), random_state=3).fit(X, y)
    lines = [r.getMessage() for r in caplog.records if "trained:" in r.getMessage()]
    assert [line.split(" trained:")[0] for line in lines] == [
        f"Class VAE {name!r} ({i} of 3, random_state 3)" for i, name in enumerate(["cat", "dog", "owl"], 1)]
