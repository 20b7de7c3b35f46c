"""Generic sources: a user's own ``.npz``, ``.csv`` or folder of images, read into a :class:`Dataset`."""

from __future__ import annotations

import csv
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .._validation import check_labels, check_samples

__all__ = ["Dataset", "read_npz", "from_npz", "from_csv", "from_image_folder", "content_digest", "file_state"]


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

    def original_labels(self, codes=None) -> np.ndarray:
        """The source's labels for class ``codes`` (default: every sample's)."""
        codes = self.y if codes is None else np.asarray(codes)
        return codes if self.classes is None else self.classes[codes]


def read_npz(path, required=("X", "y")) -> dict[str, np.ndarray]:
    """All arrays of an ``.npz`` file; raises if one of ``required`` is missing."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} does not exist; pass an existing .npz file.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError:
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


def from_npz(path) -> Dataset:
    arrays = read_npz(path)
    X, y, splits = arrays["X"], arrays["y"], {}
    if "X_test" in arrays or "y_test" in arrays:
        if not {"X_test", "y_test"} <= set(arrays):
            raise ValueError(f"{path} has only one of X_test and y_test; give both or neither.")
        splits = {"train": np.arange(len(X)), "test": np.arange(len(X), len(X) + len(arrays["X_test"]))}
        X, y = np.concatenate([X, arrays["X_test"]]), np.concatenate([y, arrays["y_test"]])
    return _with_names(Path(path).name, X, y, splits)


def from_csv(path, label_column="label") -> Dataset:
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    if len(rows) < 2:
        raise ValueError(f"{path} has no data rows under its header.")
    header, body = rows[0], rows[1:]
    if label_column not in header:
        raise ValueError(f"{path} has no column {label_column!r}; its columns are {header}. "
                         "Name the label column with label_column.")
    at = header.index(label_column)
    try:
        X = np.array([[float(v) for i, v in enumerate(row) if i != at] for row in body], dtype=np.float32)
    except ValueError as error:
        raise ValueError(f"{path}: every column but {label_column!r} must be numeric ({error}).") from None
    return _with_names(Path(path).name, X, np.array([row[at] for row in body]), {})


def from_image_folder(path) -> Dataset:
    path = Path(path)
    classes = sorted(p.name for p in path.iterdir() if p.is_dir())
    if not classes:
        raise ValueError(f"{path} has no sub-folders; put each class's images in a sub-folder named after it.")
    images, labels, shape = [], [], None
    for index, name in enumerate(classes):
        for file in sorted((path / name).iterdir()):
            if file.suffix.lower() not in {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"}:
                continue
            try:
                with Image.open(file) as opened:
                    image = np.asarray(opened.convert("L"), dtype=np.float32) / 255.0
            except (UnidentifiedImageError, OSError, SyntaxError) as error:  # PIL's errors for a damaged file
                raise ValueError(f"{file} is not an image that can be read ({type(error).__name__}: {error}); "
                                 "replace it or move it out of the class folder.") from None
            if shape is None:
                shape = image.shape
            elif image.shape != shape:
                raise ValueError(f"{file} is {image.shape[1]}x{image.shape[0]} pixels but earlier images are "
                                 f"{shape[1]}x{shape[0]}; resize them to one size.")
            images.append(image)
            labels.append(index)
    if not images:
        raise ValueError(f"No images (.png, .jpg, ...) found under {path}'s class folders.")
    return Dataset(path.name, np.stack(images), np.array(labels, dtype=np.int64), classes,
                   description=f"image folder {path}: {len(images)} images, {len(classes)} classes",
                   classes=np.array(classes))


def _with_names(name, X, y, splits) -> Dataset:
    """A dataset of ``X`` and ``y`` as the file gave them, checked before anything is converted or renumbered
    (complex samples or continuous labels are an error, not silently cast)."""
    X = check_samples(X, name=f"the samples of {name}")
    y = check_labels(y, len(X), name=f"the labels of {name}")
    classes, codes = np.unique(y, return_inverse=True)
    return Dataset(name, X, codes.astype(np.int64), [str(c) for c in classes], splits,
                   description=f"{name}: {len(X)} samples of shape {X.shape[1:]}, {len(classes)} classes",
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
