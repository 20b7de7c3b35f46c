"""Datasets: samples, labels, class names and the splits the source defines.

Images are float32 in [0, 1] with layout (N, H, W); tabular data is (N, D).
Named datasets: ``digits`` and ``wine`` (bundled with scikit-learn), ``mnist``, ``ujipen``
and ``proben1/<set>``. A path loads a generic source instead: an ``.npz``
with ``X`` and ``y`` (optionally ``X_test`` and ``y_test``), a ``.csv`` or ``.parquet`` table with a
label column, or a folder of images with one sub-folder per class.

Files are looked for in ``data_dir``, then ``$VAEAUG_DATA``, then the user
cache (``$VAEAUG_CACHE`` if set), where missing files with a published
checksum are downloaded and verified.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from .._files import check_exists
from .._typing import PathType
from .._validation import check_labels, check_samples
from .formats import parse_ujipen, read_crx, read_horse_colic, read_idx, read_proben1, render_strokes
from .sources import (Dataset, content_digest, from_image_folder, from_npz, from_table, is_table_file, read_npz,
                      table_dataset)
from .tables import impute

__all__ = ["Dataset", "NAMED", "load", "describe_all", "read_npz", "parse_ujipen", "render_strokes"]



# -- where files are ----------------------------------------------------------

def _cache_dir() -> Path:
    import pooch

    return Path(os.environ.get("VAEAUG_CACHE") or pooch.os_cache("vaeaug"))


def _search_dirs(data_dir) -> list[Path]:
    dirs = [Path(data_dir)] if data_dir else []
    if os.environ.get("VAEAUG_DATA"):
        dirs.append(Path(os.environ["VAEAUG_DATA"]))
    dirs.append(_cache_dir())
    return dirs


def _locate(relative: str, data_dir, sha256: str | None = None, urls=()) -> Path:
    """Find ``relative`` (e.g. ``mnist/t10k-labels-idx1-ubyte.gz``) or download it; return its path.

    A file found under a search folder, directly or in its sub-folder, is
    checked against ``sha256`` when one is known, so a truncated copy is an
    error rather than a wrong result.
    """
    import pooch

    name = Path(relative).name
    for folder in _search_dirs(data_dir):
        for candidate in (folder / relative, folder / name):
            if candidate.is_file():
                if sha256 and pooch.file_hash(str(candidate)) != sha256:
                    raise ValueError(
                        f"{candidate} does not have the published sha256 {sha256}; it is damaged or "
                        "another file. Delete it and put the original there."
                    )
                return candidate
    errors = []
    for url in urls:
        try:
            target = _cache_dir() / Path(relative).parent
            return Path(pooch.retrieve(url, known_hash=f"sha256:{sha256}" if sha256 else None,
                                       fname=name, path=target, progressbar=False))
        except Exception as error:  # offline, mirror down, checksum mismatch: try the next mirror
            errors.append(f"{url}: {type(error).__name__}")
    raise FileNotFoundError(name, errors)


def _missing_files_error(dataset, names, data_dir, errors=(), how=""):
    where = ", ".join(str(d) for d in _search_dirs(data_dir))
    tried = f" Downloads failed ({'; '.join(errors)})." if errors else ""
    return ValueError(
        f"The {dataset} files {', '.join(names)} were not found in {where}.{tried} "
        f"{how}Put them in one of those folders (or a '{dataset}' sub-folder of it), "
        "or point $VAEAUG_DATA or data_dir at the folder that holds them."
    )


# -- scikit-learn digits ------------------------------------------------------

def _digits(data_dir=None) -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # Pixel intensities are 0..16; scaling to [0, 1] suits a Bernoulli likelihood.
    return Dataset(
        name="digits",
        X=(bunch.images / 16.0).astype(np.float32),
        y=bunch.target.astype(np.int64),
        class_names=[str(c) for c in bunch.target_names],
        description="scikit-learn's bundled handwritten digits: 1,797 images of 8x8 pixels, 10 classes.",
    )


def _wine(data_dir=None) -> Dataset:
    from sklearn.datasets import load_wine

    bunch = load_wine()
    # Kept in its own units on purpose: 13 chemical measurements from about 0.1 (hue) to about 1,700 (proline),
    # the kind of tabular data whose classifiers need their features scaled.
    return Dataset(
        name="wine",
        X=bunch.data.astype(np.float32),
        y=bunch.target.astype(np.int64),
        class_names=[str(c) for c in bunch.target_names],
        description="scikit-learn's bundled wine recognition data: 178 samples, 13 features on scales from 0.1 to "
                    "1,700, 3 classes.",
    )


# -- MNIST --------------------------------------------------------------------

MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


def _mnist(data_dir=None) -> Dataset:
    paths = {}
    for name, sha256 in MNIST_FILES.items():
        try:
            paths[name] = _locate(f"mnist/{name}", data_dir, sha256, [m + name for m in MNIST_MIRRORS])
        except FileNotFoundError as missing:
            raise _missing_files_error("mnist", list(MNIST_FILES), data_dir, missing.args[1]) from None
    images = np.concatenate([read_idx(paths["train-images-idx3-ubyte.gz"]),
                             read_idx(paths["t10k-images-idx3-ubyte.gz"])])
    labels = np.concatenate([read_idx(paths["train-labels-idx1-ubyte.gz"]),
                             read_idx(paths["t10k-labels-idx1-ubyte.gz"])])
    return Dataset(
        name="mnist",
        X=(images / 255.0).astype(np.float32),
        y=labels.astype(np.int64),
        class_names=[str(i) for i in range(10)],
        # The paper's split: the first 55k training images train, the last 5k validate.
        splits={"train": np.arange(55_000), "validation": np.arange(55_000, 60_000),
                "test": np.arange(60_000, 70_000)},
        description="MNIST: 70,000 handwritten digits of 28x28 pixels; train 55k / validation 5k / test 10k.",
    )


def _coloured_mnist(data_dir=None) -> Dataset:
    """MNIST in colour, the "coloured MNIST" of the invariance literature: each digit's ink tinted with a random
    colour and its background with another (dark), drawn once from a fixed seed, so that every user gets the
    same images. Stands in for the talk's CelebA, which cannot be had offline."""
    mnist = _mnist(data_dir)
    rng = np.random.default_rng(2018)
    ink = rng.uniform(0.3, 1.0, (len(mnist.X), 3, 1, 1)).astype(np.float32)
    background = rng.uniform(0.0, 0.3, (len(mnist.X), 3, 1, 1)).astype(np.float32)
    grey = mnist.X[:, None]
    X = grey * ink + (1 - grey) * background  # (N, 3, 28, 28) in [0, 1]
    return Dataset(name="coloured-mnist", X=X, y=mnist.y, class_names=mnist.class_names, splits=mnist.splits,
                   description="MNIST in colour: each digit's ink and background tinted with random colours "
                               "(seed 2018); 70,000 images of 3x28x28, MNIST's splits.")


# -- UJI Pen Characters v2 ----------------------------------------------------

UJIPEN_FILE = "ujipenchars2.txt"
UJIPEN_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/uji-penchars/version2/ujipenchars2.txt"


def _ujipen(data_dir=None) -> Dataset:
    try:
        path = _locate(f"ujipen/{UJIPEN_FILE}", data_dir)
    except FileNotFoundError:
        raise _missing_files_error(
            "ujipen", [UJIPEN_FILE], data_dir,
            how=f"Download it from the UCI repository (dataset 177, {UJIPEN_URL}). ") from None
    samples = parse_ujipen(Path(path).read_text(encoding="latin-1"))
    characters = sorted({character for character, _, _ in samples})
    index = {c: i for i, c in enumerate(characters)}
    return Dataset(
        name="ujipen",
        X=np.stack([render_strokes(strokes) for _, _, strokes in samples]),
        y=np.array([index[character] for character, _, _ in samples], dtype=np.int64),
        class_names=characters,
        description=f"UJI Pen Characters v2 drawn as 70x70 images: {len(samples)} samples, "
                    f"{len(characters)} classes.",
    )


# -- PROBEN1 ------------------------------------------------------------------

PROBEN1_SETS = ("card", "diabetes", "gene", "glass", "horse", "thyroid")
_PROBEN1_COMMIT = "1c63a400c5811fdd924510e08ccdba631d118c96"
PROBEN1_SHA256 = {
    "card1": "8f40ae157636053793e5ff0b4534ef177a8e46facbb23f6671a5ca0a4911dfb3",
    "card2": "cbe3509cb7249576a5cc86ab5266e88bafd10516b71364a1d39ce3982baafe2d",
    "card3": "8ac5e2924a4dfe78c106713c1080f1ab073f17d5bb7a07f6be19773886412103",
    "diabetes1": "861ce702681972348e0b9337485fb5c08f66616ed8eb50423498f817dd32ea1e",
    "diabetes2": "caf2cce2f67aed21f27176665923d431a7102d9f730a54a95e17ccdefd6b1ea9",
    "diabetes3": "5e1d89089264e31ad02a273d0bb3a7836f30da2bdbf8b24554e2e504339d4b32",
    "gene1": "02fd78c25ece0908b93246e4292ef18d13b7f11bd5f35e358a33da3be2a46273",
    "gene2": "403026b8dc0472553853bb984cd6f3e4f14e56a8e66aca9b5c9daf791b86e10d",
    "gene3": "49505cb738c4e8987c3b57f78f1dd1e75e307b560e61b3220fd097b2684ebfe7",
    "glass1": "9d6181819d162c766e2924012c9654d154b45af97690286635e25d3cb75ccc88",
    "glass2": "b4b74cac6d299caec7dd7ff031d69f0651fe0a92e1b49e850b07ce23e2c3e59c",
    "glass3": "9322eb386da9d1350fed6a67e00f83ab77d014a7c3f175b106ac07937654304b",
    "horse1": "7d81df6dac069f50f1458b04e441c58d15702e545111e55e9b782296600e3470",
    "horse2": "cb8f79bc8b64d170fd7c3bba6db841703b0ce5cef248546e2d1c36ff3058b5f3",
    "horse3": "0a15601ed717d98993131c6d686072bab7d046acf696c3417f219f416f058871",
    "thyroid1": "9bb69756a08b96d8ca51823ee8ad53379b702ab5bdc21b43f44af80e68f82e97",
    "thyroid2": "6758b97d8c36fbf29fb0694d55ec0b616b179b3240da6d2f460b77a9a0466d1c",
    "thyroid3": "0174bc78c161ac8c531cf7add9e9f9dd53f71384b354433efb1c0bf9d54a3d66",
}


def _proben1(set_name, permutation=1):
    def loader(data_dir=None) -> Dataset:
        stem = f"{set_name}{permutation}"
        url = f"https://raw.githubusercontent.com/jeffheaton/proben1/{_PROBEN1_COMMIT}/{set_name}/{stem}.dt"
        try:
            path = _locate(f"proben1/{set_name}/{stem}.dt", data_dir, PROBEN1_SHA256[stem], [url])
        except FileNotFoundError as missing:
            raise _missing_files_error(f"proben1/{set_name}", [f"{stem}.dt"], data_dir, missing.args[1]) from None
        inputs, outputs, (n_train, n_val, n_test) = read_proben1(path)
        bounds = np.cumsum([0, n_train, n_val, n_test])
        return Dataset(
            name=f"proben1/{set_name}" + ("" if permutation == 1 else str(permutation)),
            X=inputs.astype(np.float32),
            y=outputs.argmax(axis=1).astype(np.int64),
            class_names=[f"output {i}" for i in range(outputs.shape[1])],
            splits={"train": np.arange(bounds[0], bounds[1]), "validation": np.arange(bounds[1], bounds[2]),
                    "test": np.arange(bounds[2], bounds[3])},
            description=f"PROBEN1 {set_name} (file {stem}.dt): {inputs.shape[1]} inputs, {outputs.shape[1]} "
                        f"classes, train/validation/test {n_train}/{n_val}/{n_test}.",
        )
    return loader


# -- the raw UCI tables behind PROBEN1's card and horse: mixed types, missing values -----------

def _uci_table(name, files, reader):
    def loader(data_dir=None) -> Dataset:
        try:
            paths = [_locate(f, data_dir) for f in files]
        except FileNotFoundError as missing:
            raise _missing_files_error(name, [Path(f).name for f in files], data_dir, missing.args[1],
                                       how="Get them from the UCI repository (they come with PROBEN1). ") from None
        features, labels = reader(paths[0] if len(paths) == 1 else paths)
        gaps = int(features.isna().sum().sum())
        data = table_dataset(name, impute(features), labels)
        data.description = (f"{name}: {len(features)} rows of the raw UCI table, {features.shape[1]} columns; "
                            f"its {gaps} missing values filled (a column's median or most frequent value); "
                            + data.description.split("; ", 1)[1])
        return data
    return loader


# -- the registry -------------------------------------------------------------

NAMED = {"digits": _digits, "wine": _wine, "mnist": _mnist, "coloured-mnist": _coloured_mnist, "ujipen": _ujipen,
         "uci/crx": _uci_table("uci/crx", ["proben1/card/crx.data"], read_crx),
         "uci/horse-colic": _uci_table("uci/horse-colic", ["proben1/horse/horse-colic.data",
                                                           "proben1/horse/horse-colic.test"], read_horse_colic)}
NAMED.update({f"proben1/{name}": _proben1(name) for name in PROBEN1_SETS})
NAMED.update({f"proben1/{name}{p}": _proben1(name, p) for name in PROBEN1_SETS for p in (2, 3)})


def load(name: str, data_dir: PathType | None = None, *, label_column: str = "label",
         unlabelled: PathType | None = None) -> Dataset:
    """Load a named dataset (see :data:`NAMED`) or a generic source given by its path; ``unlabelled``, the path
    of a second file of the same kind (.npz with X, or a table with the same feature columns), adds its rows
    as the ``unlabelled`` split.

    Examples
    --------
    >>> data = load("digits")
    >>> data.X.shape, len(data.class_names)
    ((1797, 8, 8), 10)
    """
    if unlabelled is not None:
        _check_unlabelled_file(name, unlabelled)
    data = _load(name, data_dir, label_column, unlabelled)
    # Bad data fails here, when it is loaded, not after a VAE has trained on it
    check_samples(data.X, name=f"the samples of {data.name}")
    check_labels(data.y[data.labelled_rows], len(data.labelled_rows), name=f"the labels of {data.name}")
    data.fingerprint = None if name in NAMED else content_digest(data.X, data.y)  # a user's file: its content
    return data


def _check_unlabelled_file(name, unlabelled) -> None:
    check_exists(unlabelled, "The unlabelled file ")
    kind = "table" if is_table_file(name) else ".npz" if Path(name).suffix == ".npz" else None
    if kind is None or (kind == "table") != is_table_file(unlabelled) or not Path(unlabelled).is_file():
        raise ValueError(f"Unlabelled rows come from a file of the dataset's kind (an .npz with X beside an .npz, "
                         f"a table beside a table); {name} and {unlabelled} are not. For a named dataset or an image "
                         "folder, its own unlabelled samples are used.")


def _load(name, data_dir, label_column, unlabelled=None) -> Dataset:
    if name in NAMED:
        return NAMED[name](data_dir)
    path = Path(name)
    if path.suffix == ".npz" and path.is_file():
        return from_npz(path, unlabelled)
    if is_table_file(path) and path.is_file():
        return from_table(path, label_column, unlabelled)
    if path.is_dir():
        return from_image_folder(path)
    check_exists(name)
    raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(NAMED)}, "
                     "or pass an .npz file, a .csv or .parquet file, or an image folder.")


def describe_all(data_dir=None) -> list[tuple[str, str]]:
    """(name, status) for every named dataset: whether its files are found here, without downloading."""
    needed = {"digits": [], "wine": [], "mnist": [f"mnist/{f}" for f in MNIST_FILES],
              "coloured-mnist": [f"mnist/{f}" for f in MNIST_FILES], "ujipen": [f"ujipen/{UJIPEN_FILE}"],
              "uci/crx": ["proben1/card/crx.data"],
              "uci/horse-colic": ["proben1/horse/horse-colic.data", "proben1/horse/horse-colic.test"]}
    for key in NAMED:
        if key.startswith("proben1/"):
            set_name = re.sub(r"\d$", "", key.split("/")[1])
            stem = key.split("/")[1] if key[-1].isdigit() else f"{set_name}1"
            needed[key] = [f"proben1/{set_name}/{stem}.dt"]
    rows = []
    for key, files in needed.items():
        found = all(any((d / f).is_file() or (d / Path(f).name).is_file() for d in _search_dirs(data_dir))
                    for f in files)
        downloaded = key.startswith(("mnist", "coloured-mnist", "proben1"))
        status = "bundled" if not files else ("found" if found else "missing (downloaded on first use)"
                                              if downloaded else "missing (download from UCI)")
        rows.append((key, status))
    return rows


def dataset_identity(dataset) -> str:
    """How the grid names a dataset: a named one by its name, a file by its full path (two data.npz differ)."""
    return dataset if dataset in NAMED else str(Path(dataset).resolve())
