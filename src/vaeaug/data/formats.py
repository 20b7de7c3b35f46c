"""The file formats of the named datasets, as pure readers: MNIST's idx, UJI Pen Characters' strokes (and
drawing them), PROBEN1's ``.dt`` and the raw UCI tables behind PROBEN1's ``card`` and ``horse``.

Where each file is found or downloaded is :mod:`vaeaug.data.datasets`; these only read what they are given.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["read_idx", "parse_ujipen", "render_strokes", "read_proben1", "read_crx", "read_horse_colic"]


def read_idx(path) -> np.ndarray:
    """Read an idx file (optionally gzipped) into an array of its declared shape."""
    with (gzip.open if str(path).endswith(".gz") else open)(path, "rb") as file:
        data = file.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte idx file (bad magic number).")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated: expected {int(np.prod(shape))} values, found {body.size}.")
    return body.reshape(shape)


def parse_ujipen(text: str):
    """Parse UJI Pen Characters text into ``[(character, sample_id, [stroke, ...]), ...]``.

    A stroke is an (n, 2) array of pen coordinates. The format is line based::

        WORD <char> <id>
          NUMSTROKES <n>
          POINTS <k> # x1 y1 x2 y2 ...

    Lines starting with ``//`` are comments.
    """
    samples, current, expected = [], None, 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        words = line.split()
        keyword = words[0]
        if keyword == "WORD":
            if current is not None and len(current[2]) != expected:
                raise ValueError(f"line {number}: sample {current[1]!r} declared {expected} strokes "
                                 f"but has {len(current[2])}.")
            if len(words) < 3:
                raise ValueError(f"line {number}: expected 'WORD <char> <id>', got {line!r}.")
            current = (words[1], words[2], [])
            samples.append(current)
            expected = 0
        elif keyword == "NUMSTROKES" and current is not None:
            expected = int(words[1])
        elif keyword == "POINTS" and current is not None:
            count = int(words[1])
            coordinates = np.array(line.split("#", 1)[1].split(), dtype=np.float64)
            if coordinates.size != 2 * count:
                raise ValueError(f"line {number}: POINTS declares {count} points but gives "
                                 f"{coordinates.size} numbers.")
            current[2].append(coordinates.reshape(count, 2))
        else:
            raise ValueError(f"line {number}: unexpected {line[:40]!r} in a UJI Pen Characters file.")
    if current is not None and len(current[2]) != expected:
        raise ValueError(f"sample {current[1]!r} declared {expected} strokes but has {len(current[2])}.")
    if not samples:
        raise ValueError("No 'WORD' entries found: this is not a UJI Pen Characters file.")
    return samples


def render_strokes(strokes, size=70, margin=4, width=3) -> np.ndarray:
    """Draw pen strokes as a ``size`` x ``size`` grey image in [0, 1] (ink is 1).

    The character is scaled to fit, keeping its aspect ratio, and centred. It is
    drawn at four times the size and averaged down, for smooth edges.
    """
    from PIL import Image, ImageDraw

    scale_up = 4
    big = size * scale_up
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = max(float((high - low).max()), 1e-9)
    usable = big - 2 * margin * scale_up
    offset = (big - (high - low) / extent * usable) / 2
    canvas = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in strokes:
        xy = [tuple(p) for p in (stroke - low) / extent * usable + offset]
        if len(xy) == 1:
            x, y = xy[0]
            r = width * scale_up / 2
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
        else:
            draw.line(xy, fill=255, width=width * scale_up, joint="curve")
    small = canvas.resize((size, size), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


def read_proben1(path):
    """Parse a PROBEN1 ``.dt`` file: (inputs, one-hot outputs, split sizes)."""
    lines = Path(path).read_text().split("\n")
    header = dict(line.split("=", 1) for line in lines[:7] if "=" in line)
    try:
        n_in = int(header["bool_in"]) + int(header["real_in"])
        n_out = int(header["bool_out"]) + int(header["real_out"])
        sizes = [int(header[k]) for k in ("training_examples", "validation_examples", "test_examples")]
    except (KeyError, ValueError):
        raise ValueError(f"{path} lacks the 7-line PROBEN1 header (bool_in=, real_in=, ...).") from None
    rows = np.array([line.split() for line in lines[7:] if line.strip()], dtype=np.float64)
    if rows.shape != (sum(sizes), n_in + n_out):
        raise ValueError(f"{path}: expected {sum(sizes)} rows of {n_in + n_out} numbers, found {rows.shape}.")
    return rows[:, :n_in], rows[:, n_in:], sizes


# The raw UCI tables, as in their .names files: text columns stay text, codes of categories become text too.
CRX_NUMERIC = ["A2", "A3", "A8", "A11", "A14", "A15"]
HORSE_COLUMNS = ["surgery", "age", "hospital_number", "rectal_temperature", "pulse", "respiratory_rate",
                 "temperature_of_extremities", "peripheral_pulse", "mucous_membranes", "capillary_refill_time",
                 "pain", "peristalsis", "abdominal_distension", "nasogastric_tube", "nasogastric_reflux",
                 "nasogastric_reflux_ph", "rectal_examination", "abdomen", "packed_cell_volume", "total_protein",
                 "abdominocentesis_appearance", "abdomcentesis_total_protein", "outcome", "surgical_lesion",
                 "lesion_1", "lesion_2", "lesion_3", "cp_data"]
HORSE_NUMERIC = ["rectal_temperature", "pulse", "respiratory_rate", "nasogastric_reflux_ph", "packed_cell_volume",
                 "total_protein", "abdomcentesis_total_protein"]
HORSE_OUTCOMES = {"1": "lived", "2": "died", "3": "euthanized"}


def read_crx(path) -> tuple[pd.DataFrame, pd.Series]:
    """UCI credit approval (``crx.data``): 15 columns A1..A15, 6 of them numbers, and the label (``+``/``-``);
    ``?`` is missing."""
    columns = [f"A{i}" for i in range(1, 16)] + ["label"]
    table = pd.read_csv(path, header=None, names=columns, na_values="?", dtype=str, skipinitialspace=True)
    table[CRX_NUMERIC] = table[CRX_NUMERIC].apply(pd.to_numeric)
    return table.drop(columns="label"), table["label"]


def read_horse_colic(paths) -> tuple[pd.DataFrame, pd.Series]:
    """UCI horse colic (``horse-colic.data`` and ``.test``, space-separated, ``?`` missing): the outcome (lived,
    died, euthanized) is the label, as in PROBEN1's ``horse``. The hospital number (an identifier) and the
    lesion codes (which give the outcome away) are left out; coded categories are read as text."""
    table = pd.concat([pd.read_csv(p, sep=r"\s+", header=None, names=HORSE_COLUMNS, na_values="?",
                                   dtype=str) for p in paths], ignore_index=True)
    table = table[table["outcome"].notna()].reset_index(drop=True)
    labels = table["outcome"].map(HORSE_OUTCOMES)
    keep = [c for c in HORSE_COLUMNS[:22] if c != "hospital_number"]
    features = table[keep].copy()
    features[HORSE_NUMERIC] = features[HORSE_NUMERIC].apply(pd.to_numeric)
    return features, labels
