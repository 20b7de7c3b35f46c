"""Protocols: labelled / unlabelled / validation / test splits (vaeaug.data.protocols)."""

import numpy as np
import pytest

from vaeaug.data.datasets import Dataset, load
from vaeaug.data.protocols import few_shot_split, make_split


def _with_splits():
    y = np.repeat(np.arange(3), 40)
    order = np.random.default_rng(0).permutation(120)
    splits = {"train": np.sort(order[:80]), "validation": np.sort(order[80:90]), "test": np.sort(order[90:])}
    return Dataset("toy", np.zeros((120, 2), np.float32), y, ["a", "b", "c"], splits)


def test_few_shot_split_is_disjoint_and_stratified():
    y = np.repeat(np.arange(4), 25)
    split = few_shot_split(y, 3, test_fraction=0.2, random_state=0)
    assert np.bincount(y[split.labelled]).tolist() == [3] * 4
    assert np.bincount(y[split.test]).tolist() == [5] * 4
    everything = np.concatenate(split)
    assert len(everything) == len(np.unique(everything)) == 100
    with pytest.raises(ValueError, match="fewer than labelled_per_class=30"):
        few_shot_split(y, 30, random_state=0)


def test_predefined_uses_the_datasets_own_split():
    data = _with_splits()
    split = make_split(data, "predefined")
    np.testing.assert_array_equal(split.labelled, data.splits["train"])
    assert len(split.unlabelled) == 0 and len(split.validation) == 10 and len(split.test) == 30


def test_few_shot_takes_labelled_from_train_and_keeps_validation_and_test():
    data = _with_splits()
    split = make_split(data, {"name": "few-shot", "labelled_per_class": 4}, random_state=0)
    assert np.bincount(data.y[split.labelled]).tolist() == [4, 4, 4]
    assert set(split.labelled) | set(split.unlabelled) == set(data.splits["train"])
    np.testing.assert_array_equal(split.test, data.splits["test"])
    np.testing.assert_array_equal(split.validation, data.splits["validation"])


def test_few_shot_can_draw_from_train_and_validation():
    data = _with_splits()
    spec = {"name": "few-shot", "labelled_per_class": 25, "pool": "train+validation"}  # > any class's train part
    split = make_split(data, spec, random_state=0)
    assert np.bincount(data.y[split.labelled]).tolist() == [25, 25, 25] and len(split.validation) == 0
    assert set(split.labelled) | set(split.unlabelled) == set(data.splits["train"]) | set(data.splits["validation"])
    with pytest.raises(ValueError, match="fewer than labelled_per_class=25"):
        make_split(data, {**spec, "pool": "train"}, random_state=0)
    with pytest.raises(ValueError, match="Unknown few-shot pool 'all'"):
        make_split(data, {**spec, "pool": "all"})


def test_ujipen_preset_splits_50_5_45_stratified():
    data = load("digits")
    split = make_split(data, "ujipen", random_state=0)
    sizes = np.array([len(split.labelled), len(split.validation), len(split.test)]) / len(data.y)
    np.testing.assert_allclose(sizes, [0.5, 0.05, 0.45], atol=0.01)
    assert len(np.unique(np.concatenate(split))) == len(data.y)


def test_presets_and_bad_protocols():
    data = _with_splits()
    with pytest.raises(ValueError, match="fewer than labelled_per_class=100"):
        make_split(data, "mnist-restricted")
    with pytest.raises(ValueError, match="Unknown protocol 'shuffle'"):
        make_split(data, "shuffle")
    with pytest.raises(ValueError, match=r"unknown: \['k'\]"):
        make_split(data, {"name": "few-shot", "k": 3})
    with pytest.raises(ValueError, match="summing to 1"):
        make_split(data, {"name": "fractions", "fractions": [0.5, 0.5, 0.5]})
    with pytest.raises(ValueError, match="defines no train/test split"):
        make_split(load("digits"), "predefined")
