"""How many new samples each class gets (vaeaug.generation.amounts)."""

import numpy as np

from vaeaug import alter
from vaeaug.generation.amounts import class_targets


def test_per_class_amounts_and_balance():
    labels = np.array([0] * 6 + [1] * 2)
    assert class_targets(labels, n_per_class="balance") == {0: 0, 1: 4}
    assert class_targets(labels, n_per_sample=3) == {0: 18, 1: 6}
    new = alter("interpolation", np.random.default_rng(0).normal(size=(8, 2)), labels, n_neighbors=1,
                n_per_class=5, random_state=0)
    assert np.bincount(new.labels).tolist() == [5, 5]
    assert np.bincount(new.source[new.labels == 1]).tolist()[6:] == [3, 2] or \
        np.bincount(new.source[new.labels == 1]).tolist()[6:] == [2, 3]  # the 2 rows cycle to make 5
