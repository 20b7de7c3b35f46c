"""A user's own files read as they were written (vaeaug.data.sources): CSV by pandas, npz checked before loading."""

import io
import zipfile

import numpy as np
import pytest

from PIL import Image

from vaeaug.data.sources import from_image_folder, from_npz, from_table, read_labelled_table

ROWS = "\n".join(f"{i % 2},{i * 0.5},{i}" for i in range(20))


def _write(tmp_path, text, name="d.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("labels", [[0, 1], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]])
def test_csv_labels_keep_their_type(tmp_path, labels):
    # issue 32: 0/1 and 10..19 came back as the strings '0', '10'
    text = "label,a\n" + "\n".join(f"{labels[i % len(labels)]},{i}" for i in range(40))
    data = from_table(_write(tmp_path, text))
    assert data.original_labels().dtype.kind == "i" and sorted(set(data.original_labels().tolist())) == labels


def test_blank_lines_and_an_excel_byte_order_mark_are_read(tmp_path):
    text = "label,a,b\n" + ROWS.replace("\n", "\n\n", 3) + "\n\n"
    data = from_table(_write(tmp_path, text, encoding="utf-8-sig"))
    assert data.X.shape == (20, 2) and data.original_labels().tolist() == [i % 2 for i in range(20)]


@pytest.mark.parametrize("text, encoding, message", [
    ("label,a,b\n" + ROWS + "\n,1,2\n", "utf-8", r"1 row\(s\) without a label \(first on line 22\); fill the label"),
    ("a,b,label\n" + ROWS + "\n1,2\n", "utf-8", "without a label"),  # a row short of its label cell
    ("label,a,b\n" + ROWS + "\n1,2,3,4\n", "utf-8", "Expected 3 fields in line 22, saw 4.*as many fields"),
    ("label,a,b\n" + ROWS + "\n0,1,café\n", "latin-1", r"not UTF-8 text \(byte 0xe9.*save it as UTF-8"),
    ("label,a,b\n" + ROWS + "\n1,,3\n0,?,3\n", "utf-8", r"missing values; column \(rows\): 'a' \(2\)\. Fill"),
    ("", "utf-8", "is empty"),
])
def test_each_csv_problem_is_one_sentence_naming_the_file(tmp_path, text, encoding, message):
    path = _write(tmp_path, text, encoding=encoding)
    with pytest.raises(ValueError, match=message) as error:
        read_labelled_table(path)  # what augment reads: every row must have its label
    assert str(path) in str(error.value)


@pytest.mark.parametrize("text", ["label,a,b\n" + ROWS + "\n,1,2\n", "a,b,label\n" + ROWS + "\n1,2\n"])
def test_a_row_without_a_label_is_an_unlabelled_row_of_the_dataset(tmp_path, text):
    # issue 35: the user's own split; an empty label cell marks an unlabelled row
    data = from_table(_write(tmp_path, text))
    assert list(data.splits["unlabelled"]) == [20] and data.y[20] == -1 and (data.y[:20] >= 0).all()
    assert "(20 labelled, 1 unlabelled)" in data.description


def test_npz_labels_of_nan_or_minus_one_mark_unlabelled_rows(tmp_path):
    X = np.random.default_rng(0).random((10, 3))
    np.savez(tmp_path / "nan.npz", X=X, y=np.array([0, 1] * 4 + [np.nan] * 2))
    np.savez(tmp_path / "neg.npz", X=X, y=np.array([3, 7] * 4 + [-1] * 2))
    assert list(from_npz(tmp_path / "nan.npz").splits["unlabelled"]) == [8, 9]
    with pytest.warns(UserWarning, match="2 rows with y = -1 are read as unlabelled"):
        data = from_npz(tmp_path / "neg.npz")
    assert list(data.splits["unlabelled"]) == [8, 9] and list(data.classes) == [3, 7]
    np.savez(tmp_path / "test.npz", X=X, y=np.zeros(10), X_test=X[:2], y_test=np.array([0, np.nan]))
    with pytest.raises(ValueError, match="y_test has rows without a label"):
        from_npz(tmp_path / "test.npz")


def test_a_csv_with_text_columns_is_read_one_hot_for_the_experiments(tmp_path):
    text = "label,size,colour\n" + "\n".join(f"{i % 2},{i},{'red' if i % 3 else 'blue'}" for i in range(12))
    data = from_table(_write(tmp_path, text))
    assert data.X.shape == (12, 3) and "1 text column(s) one-hot" in data.description
    np.testing.assert_allclose(data.X[:, 0], np.arange(12) / 11, rtol=1e-6)  # the number, scaled by its range
    assert set(data.X[:, 1:].sum(axis=1)) == {1.0}  # blue, red: one of them


def test_npz_rows_and_labels_are_counted_per_pair_before_the_test_rows_are_joined(tmp_path):
    # issue 32: y one too long and y_test one too short were accepted, so the test rows got the wrong labels
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((10, 3)), y=np.arange(11) % 2, X_test=np.zeros((5, 3)), y_test=np.arange(4) % 2)
    with pytest.raises(ValueError, match="X has 10 rows but y has 11 labels"):
        from_npz(path)


def test_an_npz_header_declaring_more_than_memory_is_refused_before_loading(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (100_000, 100_000)})
    labels = io.BytesIO()
    np.save(labels, np.zeros(3))
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:  # 1 kB on disk, 80 GB declared
        archive.writestr("X.npy", header.getvalue() + b"\0" * 512)
        archive.writestr("y.npy", labels.getvalue())
    with pytest.raises(ValueError, match=r"X, an array of shape \(100000, 100000\).*80.0 GB"):
        from_npz(path)


def test_an_object_array_is_named_with_the_fix(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((4, 2)), y=np.array(["a", "b", "a", "b"], dtype=object))
    with pytest.raises(ValueError, match=r"y is an array of Python objects.*to_numpy\(dtype=str\)"):
        from_npz(path)


def test_a_files_numbers_are_kept_as_written(tmp_path):
    path = tmp_path / "d.npz"
    X = np.array([[16_777_217.0, 1e6 + 0.03], [1.0, 2.0]])
    np.savez(path, X=X, y=[0, 1])
    np.testing.assert_array_equal(from_npz(path).X, X)


def _save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_images_are_read_at_their_own_depth(tmp_path):
    # issue 32: a 0.5-grey 16-bit PNG read as 1.0, and a float TIFF in [0, 1] as 0.0 (PIL's convert("L"))
    _save(tmp_path / "a" / "half.png", np.full((6, 5), 32768, dtype=np.uint16))
    _save(tmp_path / "b" / "quarter.tif", np.full((6, 5), 0.25, dtype=np.float32))
    data = from_image_folder(tmp_path)
    assert data.X.shape == (2, 6, 5)
    np.testing.assert_allclose(data.X[:, 0, 0], [32768 / 65535, 0.25])


def test_colour_is_kept_and_a_grey_image_among_colour_ones_is_said(tmp_path):
    # issue 32: a red image was turned grey
    red = np.zeros((6, 5, 3), dtype=np.uint8)
    red[..., 0] = 255
    _save(tmp_path / "red" / "r.png", red)
    _save(tmp_path / "grey" / "g.png", np.full((6, 5), 128, dtype=np.uint8))
    with pytest.warns(UserWarning, match=r"1 grey image\(s\) among 1 colour ones are read in colour"):
        data = from_image_folder(tmp_path)
    assert data.X.shape == (2, 3, 6, 5)
    grey, red_image = data.X[data.class_names.index("grey")], data.X[data.class_names.index("red")]
    np.testing.assert_allclose(red_image[:, 0, 0], [1, 0, 0])
    np.testing.assert_allclose(grey[:, 0, 0], [128 / 255] * 3)


def test_every_image_in_nested_folders_counts_for_its_top_level_class(tmp_path):
    # issue 32: 12 of 18 images were used, those in sub-sub-folders dropped without a word
    for i in range(18):
        _save(tmp_path / f"c{i % 2}" / ("" if i < 6 else f"batch{i % 3}") / f"{i}.png",
              np.full((4, 4), i * 10, dtype=np.uint8))
    data = from_image_folder(tmp_path)
    assert len(data.X) == 18 and np.bincount(data.y).tolist() == [9, 9]
    assert data.X.shape == (18, 4, 4)  # grey images stay one channel


def test_an_npz_of_channels_last_images_is_read_channels_first_and_said(tmp_path):
    # issue 32: (N, H, W, 3) was taken as H channels of W x 3 pixels
    path = tmp_path / "d.npz"
    X = np.random.default_rng(0).random((4, 8, 6, 3)).astype(np.float32)
    np.savez(path, X=X, y=[0, 1, 0, 1])
    with pytest.warns(UserWarning, match=r"channels last; they are read as \(N, C, H, W\)"):
        data = from_npz(path)
    np.testing.assert_array_equal(data.X, X.transpose(0, 3, 1, 2))


def test_the_library_refuses_channels_last_images_with_the_fix():
    from vaeaug import VAEAugmenter

    with pytest.raises(ValueError, match=r"channels last.*X.transpose\(0, 3, 1, 2\)"):
        VAEAugmenter().fit(np.zeros((4, 8, 6, 3)))


def test_numeric_labels_with_empty_cells_stay_integers(tmp_path):
    # pandas reads a 0/1 column with gaps as floats; the labels must come back as 0 and 1, not 0.0 and 1.0
    data = from_table(_write(tmp_path, "label,a\n" + "\n".join(f"{i % 2},{i}" for i in range(10)) + "\n,3\n"))
    assert list(data.classes) == [0, 1] and data.classes.dtype.kind == "i" and data.class_names == ["0", "1"]
