"""TVAE and CTGAN as rival columns (vaeaug.generation.rivals); run where the rivals extra is installed."""

import sys

import numpy as np
import pandas as pd
import pytest

from vaeaug import make_augmenter
from vaeaug.generation.rivals import TabularRival

RNG = np.random.default_rng(0)
TABLE = pd.DataFrame({"income": RNG.lognormal(10, 1, 40), "children": RNG.integers(0, 5, 40),
                      "city": RNG.choice(["Paris", "Lyon", "Nice"], 40)})
Y = np.repeat(["yes", "no"], [25, 15])


def test_without_the_extra_a_rival_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ctgan", None)  # as if not installed
    with pytest.raises(ValueError, match=r'needs the ctgan package: pip install "vaeaug\[rivals\]"'):
        make_augmenter("tvae", random_state=0).fit_resample(TABLE, Y)


def test_a_rival_refuses_images():
    with pytest.raises(ValueError, match="TVAE and CTGAN make table rows"):
        TabularRival().generate(np.zeros((4, 8, 8)), [0, 1, 0, 1])


@pytest.mark.parametrize("model", ["tvae", "ctgan"])
def test_a_rival_makes_the_amount_per_class_in_the_tables_types(model):
    pytest.importorskip("ctgan")
    rival = make_augmenter(model, random_state=0).set_params(epochs=300)
    X_out, y_out = rival.fit_resample(TABLE, Y)
    new, labels = X_out.iloc[40:], np.asarray(y_out)[40:]
    assert sorted(zip(*np.unique(labels, return_counts=True))) == [("no", 45), ("yes", 75)]
    assert (new.dtypes == TABLE.dtypes).all() and set(new["city"]) <= set(TABLE["city"])
    pd.testing.assert_frame_equal(X_out.iloc[:40], TABLE)
    again = make_augmenter(model, random_state=0).set_params(epochs=300).fit_resample(TABLE, Y)[0]
    pd.testing.assert_frame_equal(again, X_out)  # same seed, same rows
