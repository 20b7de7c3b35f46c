"""Generic sources: a user's own ``.npz``, table (``.csv``, ``.parquet``) or folder of images, read into a
:class:`Dataset`."""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from .._files import TABLE_SUFFIXES, is_table_file
from .._validation import check_fits, check_labels, check_samples
from .tables import TableCodec, check_no_missing, impute, text_columns

__all__ = ["Dataset", "TABLE_SUFFIXES", "is_table_file", "read_npz", "read_table", "read_labelled_table",
           "unlabelled_rows", "split_labels", "table_dataset", "write_table", "from_npz", "from_table", "from_image_folder",
           "content_digest", "file_state"]



@dataclass
class Dataset:
    """Samples ``X``, labels ``y``, class names, and named index splits (e.g. train/validation/test).

    ``y`` holds class codes 0..k-1 for every source. ``classes``, when set, holds
    the labels the source gave, one per code (``y == i`` means the label
    ``classes[i]``), in their own type: ``original_labels`` gives them back, so
    a file's labels 10..19, ``{3, 7}`` or ``"cat"``/``"dog"`` come out as they went in.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    class_names: list[str]
    splits: dict[str, np.ndarray] = field(default_factory=dict)
    description: str = ""
    classes: np.ndarray | None = None
    fingerprint: str | None = None  # a user's file: a digest of what was read, so a changed file is told apart
    table_codec: object | None = None  # a table with text columns: X is its encoding (data.tables.TableCodec)

    @property
    def labelled_rows(self) -> np.ndarray:
        """The rows that have a label (an unlabelled row's code is -1)."""
        return np.flatnonzero(self.y >= 0)

    def original_labels(self, codes=None) -> np.ndarray:
        """The source's labels for class ``codes`` (default: every sample's)."""
        codes = self.y if codes is None else np.asarray(codes)
        if (codes < 0).any():
            raise ValueError(f"{self.name} has unlabelled rows (code -1), which have no label to give back; "
                             "take the labelled rows first.")
        return codes if self.classes is None else self.classes[codes]


def read_npz(path, required=("X", "y")) -> dict[str, np.ndarray]:
    """All arrays of an ``.npz`` file; raises if one of ``required`` is missing.

    Each array's header is read first: an object array (which would need unpickling) and an array larger than
    the memory that is free are refused before anything is loaded.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} does not exist; pass an existing .npz file.")
    try:
        _check_npz_headers(path)
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as error:
        if str(error).startswith(str(path)):
            raise
        # numpy calls any file that is not an archive "pickled data"; vaeaug never unpickles.
        raise ValueError(f"{path} is not an .npz archive of arrays; save your arrays with "
                         "numpy.savez(path, X=..., y=...).") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is empty, truncated or not an .npz archive ({type(error).__name__}); "
                         "write it again with numpy.savez(path, X=..., y=...).") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise ValueError(f"{path} lacks the array(s) {missing}; it holds {list(arrays)}.")
    return arrays


def _check_npz_headers(path):
    """Refuse an object array or one too large for memory from its header, before numpy allocates it."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not member.endswith(".npy"):
                continue
            with archive.open(member) as file:
                version = np.lib.format.read_magic(file)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(file)
            key = member[:-len(".npy")]
            if dtype.hasobject:
                raise ValueError(f"{path}: {key} is an array of Python objects (pandas' .values of text or mixed "
                                 "columns gives one), which vaeaug does not unpickle; save it as numbers or "
                                 f"strings, e.g. {key}=df['label'].to_numpy(dtype=str).")
            check_fits(int(np.prod(shape, dtype=np.float64)) * dtype.itemsize,
                       what=f"{path}: {key}, an array of shape {shape} ({dtype})",
                       fix="check that the file is the one you meant, or load a part of it")


def from_npz(path, unlabelled=None) -> Dataset:
    """An .npz of X and y (and X_test, y_test), with the samples X of the .npz ``unlabelled`` as rows without a
    label."""
    arrays = read_npz(path)
    if unlabelled is not None:
        arrays["X_unlabelled"] = read_npz(unlabelled, ["X"])["X"]
    for key in ("X", "X_test", "X_unlabelled"):
        if key in arrays and _channels_last(arrays[key]):
            warnings.warn(f"{path}: {key} has shape {arrays[key].shape}, images with their channels last; they "
                          "are read as (N, C, H, W).", UserWarning, stacklevel=3)
            arrays[key] = arrays[key].transpose(0, 3, 1, 2)
    X, y, splits = arrays["X"], arrays["y"], {}
    _check_lengths(path, "X", "y", X, y)
    if "X_test" in arrays or "y_test" in arrays:
        if not {"X_test", "y_test"} <= set(arrays):
            raise ValueError(f"{path} has only one of X_test and y_test; give both or neither.")
        _check_lengths(path, "X_test", "y_test", arrays["X_test"], arrays["y_test"])
        splits = {"train": np.arange(len(X)), "test": np.arange(len(X), len(X) + len(arrays["X_test"]))}
        X, y = np.concatenate([X, arrays["X_test"]]), np.concatenate([y, arrays["y_test"]])
    missing = _unlabelled_rows(path, y, splits)
    if unlabelled is not None:
        extra = arrays["X_unlabelled"]
        if extra.shape[1:] != X.shape[1:]:
            raise ValueError(f"The samples of {unlabelled} have shape {extra.shape[1:]}, those of {path} "
                             f"{X.shape[1:]}; give unlabelled samples of the labelled ones' shape.")
        missing = np.concatenate([missing, np.arange(len(X), len(X) + len(extra))])
        X, y = np.concatenate([X, extra]), np.concatenate([y, np.repeat(y[:1], len(extra))])  # labels: placeholders
    return _with_names(Path(path).name, X, y, splits, unlabelled=missing)


def _unlabelled_rows(path, y, splits) -> np.ndarray:
    """The rows of an npz's ``y`` without a label: NaN, or -1 (scikit-learn's mark for unlabelled samples)."""
    missing = np.isnan(y) if y.dtype.kind == "f" else y == -1 if y.dtype.kind in "iu" else np.zeros(len(y), bool)
    if missing.any() and "test" in splits and missing[splits["test"]].any():
        raise ValueError(f"{path}: y_test has rows without a label (NaN or -1); every test row needs its label.")
    if missing.any() and y.dtype.kind in "iu":
        warnings.warn(f"{path}: {missing.sum()} rows with y = -1 are read as unlabelled (scikit-learn's "
                      "convention); if -1 is a class of yours, give it another number.", UserWarning, stacklevel=4)
    return np.flatnonzero(missing)


def _channels_last(X) -> bool:
    return X.ndim == 4 and X.shape[-1] in (1, 3, 4) and X.shape[1] > 4


def _check_lengths(path, x_name, y_name, X, y):
    if np.ndim(X) == 0 or np.ndim(y) == 0 or len(X) != len(y):
        raise ValueError(f"{path}: {x_name} has {len(np.atleast_1d(X))} rows but {y_name} has "
                         f"{len(np.atleast_1d(y))} labels; give one label per row.")


def from_table(path, label_column="label", unlabelled=None) -> Dataset:
    """A CSV with a header or a Parquet file, read by pandas; the label column keeps its type (numbers stay
    numbers). Text columns (categories) are one-hot and numbers scaled to [0, 1] by
    :class:`~vaeaug.data.tables.TableCodec` when the table has any; otherwise the numbers are kept as they are.
    The rows of the table ``unlabelled`` (the same feature columns) come after, without labels.
    Each problem is one sentence naming the file, the line and the fix."""
    frame = read_table(path)
    if unlabelled is not None and label_column in frame.columns:
        features = [column for column in frame.columns if column != label_column]
        extra = unlabelled_rows(read_table(unlabelled), features, label_column, path, unlabelled)
        # below the labelled rows, labels NaN (not None: integer labels stay numbers)
        frame = pd.concat([frame, extra.assign(**{label_column: np.nan})[frame.columns]], ignore_index=True)
    X, labels = split_labels(frame, label_column, where=path, unlabelled="keep")
    return table_dataset(Path(path).name, X, labels)


def unlabelled_rows(extra, features, label_column, path, extra_path) -> pd.DataFrame:
    """The rows of the table ``extra`` (read from ``extra_path``) as unlabelled rows of the table at ``path``:
    its ``features`` columns in their order; a label column only if it is empty, and no other column."""
    if label_column in extra.columns:
        if extra[label_column].notna().any():
            raise ValueError(f"{extra_path} has labels in its column {label_column!r}, but its rows are to be "
                             f"unlabelled; move the labelled rows into {path}, or empty that column.")
        extra = extra.drop(columns=label_column)
    lacks, besides = [c for c in features if c not in extra.columns], [c for c in extra.columns if c not in features]
    if lacks or besides:
        raise ValueError(f"{extra_path} must have the feature columns of {path}, but it "
                         + "; ".join(part for part in (f"lacks {lacks}" if lacks else "",
                                                       f"has {besides} besides" if besides else "") if part)
                         + "; give the unlabelled rows the same columns.")
    return extra[features]


def table_dataset(name, X: pd.DataFrame, labels: pd.Series, splits=None) -> Dataset:
    """A dataset of a table: its numbers as they are, or, with text columns, its :class:`TableCodec` encoding
    (kept as ``table_codec``, so that generated rows are decoded to rows the table could hold). Rows whose
    label is missing are the dataset's ``unlabelled`` split."""
    unlabelled = np.flatnonzero(labels.isna().to_numpy())
    if len(unlabelled):
        known = labels.dropna()
        if pd.api.types.is_float_dtype(known) and (known == known.round()).all():
            known = known.astype(np.int64)  # 0/1 with empty cells: pandas reads floats; the labels are 0 and 1
        labels = known.reindex(labels.index).fillna(known.iloc[0]).astype(known.dtype)  # placeholders, marked below
    labels = labels.to_numpy() if pd.api.types.is_numeric_dtype(labels) else labels.to_numpy(dtype=str)
    if not text_columns(X):
        return _with_names(name, X.to_numpy(dtype=np.float64), labels, splits or {}, unlabelled)
    codec = TableCodec().fit(X)
    data = _with_names(name, codec.transform(X), labels, splits or {}, unlabelled)
    data.table_codec = codec
    data.description += (f"; {len(codec.categorical_)} text column(s) one-hot, {len(codec.numeric_)} numeric "
                         "scaled to [0, 1]")
    return data


def read_labelled_table(path, label_column="label", *, fill_missing=False) -> tuple[pd.DataFrame, pd.Series]:
    """The feature columns and the label column of a table file (:func:`read_table`); see :func:`split_labels`."""
    return split_labels(read_table(path), label_column, where=path, fill_missing=fill_missing)


def split_labels(frame, label_column="label", *, where="The table", fill_missing=False, unlabelled="refuse"):
    """``frame``'s feature columns and its label column; missing values are refused, or with ``fill_missing``
    filled (:func:`~vaeaug.data.tables.impute`). A row without a label is refused, or with
    ``unlabelled="keep"`` kept as an unlabelled row (its label missing)."""
    if label_column not in frame.columns:
        raise ValueError(f"{where} has no column {label_column!r}; its columns are {list(frame.columns)}. Name "
                         "the column that holds the labels: --label-column NAME (vaeaug run, augment), "
                         "label_column: NAME in a config, or label_column= in vaeaug.load_dataset.")
    frame = frame.copy()
    labels = frame.pop(label_column)
    missing = np.flatnonzero(labels.isna().to_numpy())
    if len(missing) == len(labels):
        raise ValueError(f"{where} has no labelled row: its column {label_column!r} is empty; label some rows.")
    if len(missing) and unlabelled != "keep":
        raise ValueError(f"{where} has {len(missing)} row(s) without a label (first on line {missing[0] + 2}); "
                         "fill the label column, or delete those rows.")
    if fill_missing:
        frame = impute(frame)
    check_no_missing(frame, where=str(where))
    return frame, labels


def read_table(path) -> pd.DataFrame:
    """A table file by its suffix: a CSV (:func:`read_csv`) or a Parquet file (with pyarrow installed)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix != ".parquet":
        raise ValueError(f"{path} is not a table file vaeaug reads; give a .csv or a .parquet file.")
    _need_pyarrow(path)
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} could not be read as Parquet ({error}); write it with "
                         "DataFrame.to_parquet.") from None
    if frame.empty:
        raise ValueError(f"{path} has no data rows.")
    return frame


def write_table(frame, path) -> bytes:
    """The bytes of ``frame`` written in the format ``path``'s suffix names (CSV or Parquet), without the index."""
    buffer = io.BytesIO()
    if Path(path).suffix.lower() == ".parquet":
        _need_pyarrow(path)
        frame.to_parquet(buffer, index=False)
    else:
        frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def _need_pyarrow(path):
    try:
        import pyarrow  # noqa: F401  (pandas' Parquet engine)
    except ImportError:
        raise ValueError(f"{path} is a Parquet file, which needs pyarrow; pip install pyarrow (or "
                         "'vaeaug[parquet]'), or give the table as a CSV.") from None


def read_csv(path) -> pd.DataFrame:
    """A CSV by pandas (UTF-8, an Excel byte-order mark allowed), with pandas' errors as one sentence."""
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True, na_values=["?"])  # UCI marks gaps "?"
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text (byte {error.object[error.start]:#x} at position "
                         f"{error.start}); save it as UTF-8 (Excel: 'CSV UTF-8'), or convert it, e.g. iconv -f "
                         "latin1 -t utf-8.") from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty; write a header line and the data rows under it.") from None
    except pd.errors.ParserError as error:
        raise ValueError(f"{path} could not be read as CSV ({str(error).strip()}); every line needs as many "
                         "fields as the header.") from None
    if frame.empty:
        raise ValueError(f"{path} has no data rows under its header.")
    return frame


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"}
# The largest value of each PIL mode's integers, so that every image is read in [0, 1] at its own depth
# ("F", floats, is read as it is).
_FULL_SCALE = {"1": 1, "L": 255, "LA": 255, "P": 255, "RGB": 255, "RGBA": 255, "CMYK": 255, "YCbCr": 255,
               "I;16": 65535, "I;16L": 65535, "I;16B": 65535, "I;16N": 65535, "I": 65535}


def from_image_folder(path) -> Dataset:
    """One class per sub-folder of ``path``; every image below it counts, in nested folders too.

    Images keep their depth (a 16-bit PNG is read in [0, 1] from its 65,535 levels, a float TIFF as it is)
    and their colour: grey images give ``(N, H, W)``, colour ones ``(N, 3, H, W)``. A folder that mixes the
    two is read in colour, and says so.
    """
    path = Path(path)
    classes = sorted(p.name for p in path.iterdir() if p.is_dir())
    if not classes:
        raise ValueError(f"{path} has no sub-folders; put each class's images in a sub-folder named after it.")
    images, labels = [], []
    for index, name in enumerate(classes):
        for file in sorted(p for p in (path / name).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
            image = _read_image(file)
            if images and image.shape[:2] != images[0].shape[:2]:
                shape = images[0].shape
                raise ValueError(f"{file} is {image.shape[1]}x{image.shape[0]} pixels but earlier images are "
                                 f"{shape[1]}x{shape[0]}; resize them to one size.")
            images.append(image)
            labels.append(index)
    if not images:
        raise ValueError(f"No images (.png, .jpg, ...) found under {path}'s class folders.")
    coloured = sum(image.ndim == 3 for image in images)
    if coloured:
        if coloured < len(images):
            warnings.warn(f"{path}: {len(images) - coloured} grey image(s) among {coloured} colour ones are read "
                          "in colour (their grey in all three channels).", UserWarning, stacklevel=3)
        images = [np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image for image in images]
        X = np.stack(images).transpose(0, 3, 1, 2)  # (N, 3, H, W), the layout of PyTorch and the VAE
    else:
        X = np.stack(images)
    return Dataset(path.name, X, np.array(labels, dtype=np.int64), classes,
                   description=f"image folder {path}: {len(images)} {'colour' if coloured else 'grey'} images, "
                               f"{len(classes)} classes", classes=np.array(classes))


def _read_image(file) -> np.ndarray:
    """An image in [0, 1] at its own depth: (H, W) if grey, (H, W, 3) if its channels differ anywhere."""
    try:
        with Image.open(file) as opened:
            mode = opened.mode
            if mode in ("P", "CMYK", "YCbCr", "RGBA", "LA"):
                # A palette or another colour model as RGB; transparency is dropped.
                opened = opened.convert("RGB" if mode != "LA" else "L")
            image = np.asarray(opened, dtype=np.float32)
    except (UnidentifiedImageError, OSError, SyntaxError) as error:  # PIL's errors for a damaged file
        raise ValueError(f"{file} is not an image that can be read ({type(error).__name__}: {error}); "
                         "replace it or move it out of the class folder.") from None
    if mode != "F":
        image = image / np.float32(_FULL_SCALE.get(mode, 255))
    if image.ndim == 3:
        image = image[..., :3]
        if (image == image[..., :1]).all():  # stored as RGB, grey in fact
            image = image[..., 0]
    return image


def _with_names(name, X, y, splits, unlabelled=()) -> Dataset:
    """A dataset of ``X`` and ``y`` as the file gave them, checked before anything is converted or renumbered
    (complex samples or continuous labels are an error, not silently cast). The ``unlabelled`` rows get the
    code -1 and are the ``unlabelled`` split."""
    checked = check_samples(X, name=f"the samples of {name}")
    # A file's numbers are kept as they were (float64, integers): written back, originals are unchanged.
    X = X if X.dtype.kind in "iuf" else checked
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        check_labels(y, len(X), name=f"the labels of {name}")  # its sentence for the wrong shape or length
    labelled = np.setdiff1d(np.arange(len(y)), unlabelled)
    check_labels(y[labelled], len(labelled), name=f"the labels of {name}")
    classes, codes = np.unique(y[labelled], return_inverse=True)
    y_codes = np.full(len(y), -1, dtype=np.int64)
    y_codes[labelled] = codes
    description = f"{name}: {len(X)} samples of shape {X.shape[1:]}, {len(classes)} classes"
    if len(unlabelled):
        splits = {**splits, "unlabelled": np.asarray(unlabelled)}
        description += f" ({len(labelled)} labelled, {len(unlabelled)} unlabelled)"
    return Dataset(name, X, y_codes, [str(c) for c in classes], splits, description=description,
                   classes=classes)


def content_digest(*arrays) -> str:
    """A digest of the arrays' shapes, types and bytes."""
    digest = hashlib.sha1()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.shape}{array.dtype}".encode())
        digest.update(array.astype(str).tobytes() if array.dtype == object else array.tobytes())
    return digest.hexdigest()[:16]


def file_state(path) -> tuple:
    """The size and modification time of the files of a user's dataset (a file, or a folder's files): a file
    written again since it was read is told apart without reading it."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
