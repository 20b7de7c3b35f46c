"""The one save/load scheme (vaeaug.vae.saving): refuse before writing, and name the file when a saved one is
wrong (issue 33, items 8 and 10)."""

import json

import numpy as np
import pytest

from vaeaug import ConditionalAugmenter, MultiVAEAugmenter, VAEAugmenter

FAST = dict(latent_dim=2, hidden_units=16, max_epochs=1)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.uniform(size=(40, 6)).astype(np.float32), np.repeat([0, 1], 20)


def test_an_unsavable_random_state_is_refused_before_anything_is_written(data, tmp_path):
    X, y = data
    for model in (VAEAugmenter(**FAST, random_state=np.random.RandomState(0)).fit(X),
                  MultiVAEAugmenter(VAEAugmenter(**FAST), random_state=np.random.RandomState(0)).fit(X, y)):
        folder = tmp_path / type(model).__name__
        with pytest.raises(ValueError, match="cannot write .*Use an int seed"):
            model.save(folder)
        assert not folder.exists()  # no weights without their JSON


@pytest.mark.parametrize("edit, message", [
    (lambda state: state.update(feature_mean=[0.0] * 3), "feature_mean has 3 values for 6 features"),
    (lambda state: state.update(input_shape=[2, 5]), r"input_shape \[2, 5\] against the VAE's \[6\]"),
])
def test_an_edited_augmenter_json_is_refused_naming_the_file(data, tmp_path, edit, message):
    X, _ = data
    VAEAugmenter(**FAST, random_state=0).fit(X * 5).save(tmp_path)  # Gaussian: standardised, with a mean
    state = json.loads((tmp_path / "augmenter.json").read_text())
    edit(state)
    (tmp_path / "augmenter.json").write_text(json.dumps(state))
    with pytest.raises(ValueError, match=f"augmenter.json does not fit its VAE.*{message}"):
        VAEAugmenter.load(tmp_path)


def test_an_unknown_key_in_a_conditional_json_is_refused_naming_the_file(data, tmp_path):
    X, y = data
    model = ConditionalAugmenter(VAEAugmenter(**FAST, random_state=0), hidden_units=8, epochs=1, min_steps=0,
                                 random_state=0).fit(X, y)
    model.save(tmp_path)
    state = json.loads((tmp_path / "conditional-augmenter.json").read_text())
    state["params"]["colour"] = "red"
    (tmp_path / "conditional-augmenter.json").write_text(json.dumps(state))
    with pytest.raises(ValueError, match="conditional-augmenter.json holds invalid parameters"):
        ConditionalAugmenter.load(tmp_path)
