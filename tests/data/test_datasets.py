"""Named datasets and a user's own files (vaeaug.data.datasets, vaeaug.data.sources)."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vaeaug.data import datasets
from vaeaug.data.datasets import load, parse_ujipen, read_npz, render_strokes

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


needs_shared = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason="../shared/data is not here")


UJIPEN_TEXT = """// a comment
WORD a trn_UJI-W01-a
  NUMSTROKES 1
  POINTS 3 # 0 0 10 10 20 0
WORD - trn_UJI-W01-dash
  NUMSTROKES 1
  POINTS 2 # 0 50 100 50
WORD a trn_UJI-W02-a
  NUMSTROKES 2
  POINTS 2 # 5 5 15 15
  POINTS 1 # 30 30
"""


@needs_shared
def test_mnist_loads_with_the_papers_split():
    data = load("mnist", SHARED)
    assert data.X.shape == (70_000, 28, 28) and data.X.dtype == np.float32
    assert 0 <= data.X.min() and data.X.max() <= 1
    assert {k: len(v) for k, v in data.splits.items()} == {"train": 55_000, "validation": 5_000, "test": 10_000}
    assert np.bincount(data.y[data.splits["test"]]).tolist()[:3] == [980, 1135, 1032]


@needs_shared
def test_mnist_is_found_through_the_environment_variable(monkeypatch):
    monkeypatch.setenv("VAEAUG_DATA", str(SHARED))
    assert load("mnist").X.shape[0] == 70_000


def test_a_damaged_mnist_file_is_refused(tmp_path):
    (tmp_path / "mnist").mkdir()
    for name in datasets.MNIST_FILES:
        (tmp_path / "mnist" / name).write_bytes(b"not really mnist")
    with pytest.raises(ValueError, match="published sha256"):
        load("mnist", tmp_path)


def test_missing_mnist_offline_names_the_four_files(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", ("http://127.0.0.1:9/",))  # nothing listens there
    with pytest.raises(ValueError) as error:
        load("mnist", tmp_path / "empty")
    message = str(error.value)
    assert all(name in message for name in datasets.MNIST_FILES)
    assert "VAEAUG_DATA" in message and "Downloads failed" in message


@needs_shared
@pytest.mark.parametrize(
    "name, features, classes, sizes",
    [
        ("card", 51, 2, (345, 173, 172)),
        ("diabetes", 8, 2, (384, 192, 192)),
        ("gene", 120, 3, (1588, 794, 793)),
        ("glass", 9, 6, (107, 54, 53)),
        ("horse", 58, 3, (182, 91, 91)),
        ("thyroid", 21, 3, (3600, 1800, 1800)),
    ],
)
def test_proben1_sets_load_with_their_documented_sizes(name, features, classes, sizes):
    data = load(f"proben1/{name}", SHARED)
    assert data.X.shape == (sum(sizes), features)
    assert len(data.class_names) == classes == len(np.unique(data.y))
    assert tuple(len(data.splits[s]) for s in ("train", "validation", "test")) == sizes


def test_a_proben1_file_without_its_header_is_a_clear_error(tmp_path):
    bad = tmp_path / "glass1.dt"
    bad.write_text("1 2 3\n")
    with pytest.raises(ValueError, match="PROBEN1 header"):
        datasets.read_proben1(bad)


def test_ujipen_text_is_parsed_into_strokes():
    samples = parse_ujipen(UJIPEN_TEXT)
    assert [(c, i, len(s)) for c, i, s in samples] == [
        ("a", "trn_UJI-W01-a", 1), ("-", "trn_UJI-W01-dash", 1), ("a", "trn_UJI-W02-a", 2)]
    np.testing.assert_array_equal(samples[0][2][0], [[0, 0], [10, 10], [20, 0]])


@pytest.mark.parametrize(
    "text, message",
    [
        ("WORD a x\n NUMSTROKES 1\n POINTS 2 # 1 2 3\n", "declares 2 points"),
        ("WORD a x\n NUMSTROKES 2\n POINTS 1 # 1 2\n", "declared 2 strokes"),
        ("hello\n", "unexpected"),
        ("// only a comment\n", "No 'WORD'"),
    ],
)
def test_malformed_ujipen_text_is_a_clear_error(text, message):
    with pytest.raises(ValueError, match=message):
        parse_ujipen(text)


def test_strokes_are_drawn_centred_in_a_70_pixel_square():
    image = render_strokes([np.array([[0.0, 50.0], [100.0, 50.0]])])  # one horizontal line
    assert image.shape == (70, 70) and 0 <= image.min() and image.max() <= 1
    ink_rows = np.flatnonzero(image.max(axis=1) > 0.5)
    ink_cols = np.flatnonzero(image.max(axis=0) > 0.5)
    assert ink_rows.max() - ink_rows.min() < 6  # a thin horizontal stroke...
    assert abs((ink_rows.min() + ink_rows.max()) / 2 - 34.5) < 2  # ...through the middle
    assert ink_cols.min() <= 6 and ink_cols.max() >= 63  # ...across the width, inside the margin


def test_ujipen_loads_from_the_data_folder(tmp_path):
    (tmp_path / "ujipenchars2.txt").write_text(UJIPEN_TEXT)
    data = load("ujipen", tmp_path)
    assert data.X.shape == (3, 70, 70)
    assert data.class_names == ["-", "a"] and data.y.tolist() == [1, 0, 1]


def test_missing_ujipen_says_where_to_get_it(tmp_path):
    with pytest.raises(ValueError, match="UCI repository"):
        load("ujipen", tmp_path)


def test_generic_npz_csv_and_image_folder(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.ones((4, 3)), y=[0, 1, 0, 1], X_test=np.zeros((2, 3)), y_test=[1, 0])
    data = load(str(tmp_path / "d.npz"))
    assert data.X.shape == (6, 3) and len(data.splits["test"]) == 2

    (tmp_path / "d.csv").write_text("a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n")
    data = load(str(tmp_path / "d.csv"))
    assert data.X.tolist() == [[1, 2], [3, 4], [5, 6]] and data.class_names == ["cat", "dog"]
    with pytest.raises(ValueError, match="no column 'kind'"):
        load(str(tmp_path / "d.csv"), label_column="kind")

    for label, value in (("bright", 255), ("dark", 0)):
        (tmp_path / "images" / label).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(np.full((5, 6), value, dtype=np.uint8)).save(tmp_path / "images" / label / f"{i}.png")
    data = load(str(tmp_path / "images"))
    assert data.X.shape == (4, 5, 6) and data.class_names == ["bright", "dark"]
    assert data.X[data.y == 0].min() == 1.0


def test_unknown_and_missing_sources_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="Unknown dataset 'cifar'.*digits"):
        load("cifar")
    with pytest.raises(ValueError, match="does not exist"):
        load(str(tmp_path / "nothing.npz"))
    (tmp_path / "mixed" / "a").mkdir(parents=True)
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "mixed" / "a" / "0.png")
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(tmp_path / "mixed" / "a" / "1.png")
    with pytest.raises(ValueError, match="resize them"):
        load(str(tmp_path / "mixed"))


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04" + b"\0" * 20, os.urandom(400)])
def test_damaged_npz_files_get_one_sentence(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.npz (is empty, truncated|is not an \.npz archive)") as error:
        read_npz(path)
    assert "allow_pickle" not in str(error.value) and "pickle.load" not in str(error.value)


@needs_shared
def test_coloured_mnist_is_mnist_tinted_the_same_way_for_everyone():
    # issue 32: a colour image dataset built from the MNIST files, in place of the talk's CelebA
    first, again, grey = load("coloured-mnist", SHARED), load("coloured-mnist", SHARED), load("mnist", SHARED)
    assert first.X.shape == (70_000, 3, 28, 28) and 0 <= first.X.min() and first.X.max() <= 1
    np.testing.assert_array_equal(first.X[:50], again.X[:50])
    np.testing.assert_array_equal(first.y, grey.y)
    ink = grey.X[0] > 0.9  # the digit's pixels share one colour, the background another
    assert np.ptp(first.X[0][:, ink], axis=1).max() < 0.1 and not np.allclose(first.X[0][:, ink].mean(axis=1),
                                                                              first.X[0][:, ~ink].mean(axis=1))


def test_an_npz_of_unlabelled_samples_joins_an_npz_dataset_as_its_unlabelled_split(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "labelled.npz", X=rng.random((12, 5)), y=np.repeat([3, 7], 6))
    np.savez(tmp_path / "pool.npz", X=rng.random((30, 5)))
    data = load(str(tmp_path / "labelled.npz"), unlabelled=tmp_path / "pool.npz")
    assert data.X.shape == (42, 5) and list(data.splits["unlabelled"]) == list(range(12, 42))
    assert list(data.classes) == [3, 7] and (data.y[12:] == -1).all() and len(data.labelled_rows) == 12
    np.savez(tmp_path / "wide.npz", X=rng.random((30, 6)))
    with pytest.raises(ValueError, match="have shape \\(6,\\), those of .* \\(5,\\)"):
        load(str(tmp_path / "labelled.npz"), unlabelled=tmp_path / "wide.npz")
    with pytest.raises(ValueError, match="does not exist"):
        load(str(tmp_path / "labelled.npz"), unlabelled=tmp_path / "missing.npz")
