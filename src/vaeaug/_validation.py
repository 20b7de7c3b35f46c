"""The one place where user input is checked.

Every public entry point calls these helpers, so a bad array gets the same
clear ``ValueError`` wherever it enters, never a traceback from PyTorch.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import resource
import types
import typing
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.utils import check_array, check_scalar
from sklearn.utils.multiclass import type_of_target

# Samples arrive as tabular rows (N, D), grey images (N, H, W) or
# channel-first images (N, C, H, W).
_LAYOUTS = {2: "tabular (N, D)", 3: "images (N, H, W)", 4: "images (N, C, H, W)"}
_LARGEST = float(np.finfo(np.float32).max)


def check_samples(X, *, name: str = "X") -> np.ndarray:
    """Return ``X`` as a finite float32 array of 2, 3 or 4 dimensions.

    scikit-learn's ``check_array`` converts it (lists, DataFrames, numeric dtypes);
    the sentences that say what is wrong and how to fix it are vaeaug's.
    """
    if sparse.issparse(X):
        raise ValueError(f"Sparse data is not supported: {name} is a sparse matrix; the VAE needs a dense array "
                         "(X.toarray()).")
    try:
        X = check_array(X, dtype=np.float64, ensure_2d=False, allow_nd=True, ensure_all_finite=False,
                        ensure_min_samples=0, ensure_min_features=0, input_name=name)
    except (TypeError, ValueError) as error:
        if str(error).startswith("Complex data not supported"):
            raise ValueError(f"Complex data not supported: {name} holds complex numbers; pass real values (e.g. "
                             "the magnitude, np.abs(X)).") from None
        raise ValueError(f"{name} must be a numeric array; converting it failed: {error}") from None
    # Training runs in float32, which ends near 3.4e38: larger values would silently become inf.
    # (Statistics are taken in float64, so values up to that limit are fine.)
    if X.size and np.isfinite(X).all() and np.abs(X).max() > _LARGEST:
        raise ValueError(f"{name} has values up to {np.abs(X).max():.3g}, beyond float32's range "
                         f"({_LARGEST:.3g}) that training uses; rescale it (e.g. divide by its maximum) first.")
    X = X.astype(np.float32)
    if X.ndim not in _LAYOUTS:
        raise ValueError(
            f"{name} has {X.ndim} dimension(s) (shape {X.shape}); expected tabular data "
            "(N, D), grey images (N, H, W) or images with channels (N, C, H, W). Reshape your data, "
            "e.g. X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single sample."
        )
    if X.ndim == 4 and X.shape[-1] in (1, 3, 4) and X.shape[1] > 4:
        raise ValueError(f"{name} has shape {X.shape}, images with their channels last; vaeaug takes them first, "
                         f"(N, C, H, W): pass X.transpose(0, 3, 1, 2).")
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}); pass at least one sample.")
    if min(X.shape[1:]) == 0:
        raise ValueError(f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 is required; "
                         "every sample needs at least one value.")
    if not np.isfinite(X).all():
        bad = int((~np.isfinite(X)).sum())
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); impute or drop them before augmenting."
        )
    return X


def check_labels(y, n_samples: int, *, name: str = "y", min_classes: int = 2) -> np.ndarray:
    """Return ``y`` as a 1-D array with one label per sample and enough classes.

    scikit-learn's ``type_of_target`` says whether the values are classes at all.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels; got shape {y.shape}.")
    if len(y) != n_samples:
        raise ValueError(
            f"X and {name} have different lengths ({n_samples} samples, {len(y)} labels); "
            "pass one label per sample."
        )
    if y.dtype.kind == "O" and any(label is None for label in y.tolist()):
        raise ValueError(f"{name} contains None; every sample needs a class label.")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{name} contains NaN or infinite labels; every sample needs a class.")
    if y.dtype.kind == "O" and len({type(label) for label in y.tolist()} - {str}) and \
            any(isinstance(label, str) for label in y.tolist()):
        raise ValueError(f"{name} mixes text and numeric labels; convert them to one type, e.g. y.astype(str).")
    if y.dtype.kind == "c" or (len(y) and type_of_target(y).startswith("continuous")):
        raise ValueError(f"{name} holds continuous values, not class labels (scikit-learn's type_of_target "
                         "says so); augmentation here is for classification.")
    n_classes = len(np.unique(y))
    if n_classes < min_classes:
        raise ValueError(
            f"{name} has {n_classes} class(es); augmentation for classification needs at least "
            f"{min_classes}. Check that the labels were loaded correctly."
        )
    return y


def check_same_layout(X: np.ndarray, expected: tuple[int, ...], *, name: str = "X", owner: str = "the model") -> None:
    """Raise if ``X`` does not have the per-sample shape the model was fitted on."""
    if tuple(X.shape[1:]) != tuple(expected) and X.ndim == 2 and len(expected) == 1:
        # scikit-learn's wording for tabular data, which its common checks look for
        raise ValueError(f"{name} has {X.shape[1]} features, but {owner} is expecting {expected[0]} features as "
                         "input; pass data with the fitted columns.")
    if tuple(X.shape[1:]) != tuple(expected):
        raise ValueError(
            f"{name} has samples of shape {tuple(X.shape[1:])}, but the model was fitted on "
            f"samples of shape {tuple(expected)}; pass data with the fitted layout."
        )


def did_you_mean(value, choices) -> str:
    """" Did you mean 'x'?" for the closest of ``choices`` to a misspelt ``value``, or nothing: the one way every
    refusal of an unknown name, key or parameter suggests the right one."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_choice(value, choices, *, name: str):
    """Raise if ``value`` is not one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"Unknown {name} {value!r}.{did_you_mean(value, choices)} Choose one of {options}.")
    return value


def check_positive(value, *, name: str, integer: bool = False, allow_zero: bool = False):
    """Raise if ``value`` is not a (strictly, unless ``allow_zero``) positive finite number.

    scikit-learn's ``check_scalar`` does the checking; the message is vaeaug's.
    """
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds) or not np.isfinite(value):
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {kind}; got {value!r}.")
    try:
        check_scalar(value, name, kinds, min_val=0, include_boundaries="left" if allow_zero else "neither")
    except ValueError:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}.") from None
    return value


def check_seed(seed, *, name: str = "random_state (--seed)"):
    """Raise unless ``seed`` is None, a RandomState, or an integer in [0, 2**32)."""
    if seed is None or isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"{name} must be an integer from 0 to 2**32 - 1 (or None); got {seed!r}.")
    return seed


def check_distinct(values, *, name: str, key=None) -> None:
    """No value of ``values`` twice (``key(value)`` says when two spellings are one value); raises a
    ValueError naming the repeat."""
    seen = {}
    for value in values:
        identity = value if key is None else key(value)
        if identity in seen:
            first = seen[identity]
            spelled = "" if first == value else f" ({first!r} and {value!r} are one)"
            raise ValueError(f"{name} must be distinct; {value!r} comes twice{spelled}. Drop the repeat.")
        seen[identity] = value


def reject_unknown(given, allowed, where):
    """Raise on a key of ``given`` not in ``allowed``, suggesting the closest allowed one."""
    for key in given:
        if key not in allowed:
            raise ValueError(f"Unknown key {key!r} in {where}.{did_you_mean(key, allowed)} Allowed: "
                             f"{', '.join(sorted(allowed))}.")


# -- parameter constraints ------------------------------------------------------
#
# Each estimator declares ``_parameter_constraints``: a parameter name -> a check
# that raises a ValueError naming the parameter and the fix (scikit-learn's
# convention, with vaeaug's messages). ``check_params`` runs the table on an
# estimator's parameters, or on settings from a config file before any estimator
# exists, so a config and an estimator refuse the same values in the same words.


def integer(low=1, *, optional=False, why=""):
    """A check for an integer of at least ``low``; None passes too when ``optional``. ``why`` says why the
    least is ``low`` when it is above 1 (the folds of a cross-validation, say)."""
    def check(value, name):
        if value is None and optional:
            return
        check_positive(value, name=name, integer=True, allow_zero=low == 0)
        if value < low:
            raise ValueError(f"{name}{why} must be at least {low}; got {value}.")
    return check


def number(*, allow_zero=True):
    """A check for a finite number, >= 0 (or > 0 without ``allow_zero``)."""
    def check(value, name):
        check_positive(value, name=name, allow_zero=allow_zero)
    return check


def share(*, include_zero=True):
    """A check for a fraction in [0, 1) (or (0, 1) without ``include_zero``)."""
    interval = "a share in [0, 1)" if include_zero else "a share in (0, 1)"

    def check(value, name):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or \
                not (0 <= value < 1 if include_zero else 0 < value < 1):
            raise ValueError(f"{name} must be {interval}; got {value!r}.")
    return check


def one_of(*choices, optional=False):
    """A check for one of ``choices`` (None too when ``optional``)."""
    def check(value, name):
        if value is None and optional:
            return
        check_choice(value, choices, name=name)
    return check


def verbosity(value, name):
    """A ``verbose`` setting: True, False or "auto" (see :func:`vaeaug.vae.loop.bar_disable`)."""
    if value != "auto" and not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True, False or 'auto'; got {value!r}.")


def boolean(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}.")


def seed(value, name):
    check_seed(value)


def anything(value, name):
    """No check: the parameter is read by something that checks it itself (an estimator, a callable)."""


def check_params(estimator, params=None, *, where=None) -> dict:
    """Check ``params`` (default: the estimator's own) against ``estimator``'s ``_parameter_constraints``;
    return what each check returned (a parsed value, or None), by name.

    ``estimator`` is an estimator or its class; ``params`` may be a partial
    mapping (a config's settings), whose unknown keys are refused with a
    "Did you mean" suggestion. ``where`` names the config in messages.
    """
    constraints = estimator._parameter_constraints
    if params is None:
        params = estimator.get_params(deep=False)
    else:
        reject_unknown(params, constraints, where or type(estimator).__name__)
    return {name: constraints[name](value, name) for name, value in params.items()}


def build_config(cls, raw, where):
    """A config dataclass ``cls`` from the mapping ``raw`` (a YAML file's contents), validated.

    Unknown keys are refused with a suggestion; ``where`` names the file in messages.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be a mapping of keys to values; got {type(raw).__name__}.")
    reject_unknown(raw, [f.name for f in dataclasses.fields(cls)], where)
    return cls(**raw).validate(where)


def _matches(value, hint) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is list:
        return isinstance(value, list) and (not args or all(_matches(item, args[0]) for item in value))
    if origin is dict or hint is dict:
        return isinstance(value, dict)
    if hint is list:
        return isinstance(value, list)
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, (bool, np.bool_))
    if hint is float:
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    return isinstance(value, hint)


def _describe(hint) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in args)
    if origin is list or hint is list:
        return f"a list of {_describe(args[0]).removeprefix('a ').removeprefix('an ')}s" if args else "a list"
    if origin is dict or hint is dict:
        return "a mapping"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false",
            type(None): "empty (null)"}.get(hint, hint.__name__)


def check_field_types(config, where) -> None:
    """Raise if a field of the config dataclass ``config`` does not have its declared type.

    A YAML file or ``--set`` can put any value anywhere: a number where a list of
    names belongs, a list where a mapping does. This says which key and what it
    must be, before anything deeper trips over it.
    """
    hints = typing.get_type_hints(type(config))
    for item in dataclasses.fields(config):
        value = getattr(config, item.name)
        if not _matches(value, hints[item.name]):
            raise ValueError(f"{item.name} in {where} must be {_describe(hints[item.name])}; got {value!r}.")


# -- memory ----------------------------------------------------------------------


def available_memory() -> int:
    """Bytes this process can still allocate: the machine's available memory, or less under a cgroup's or an
    address-space limit (``ulimit -v``)."""
    limits = []
    try:
        with open("/proc/meminfo") as file:
            info = dict(line.split(":", 1) for line in file)
        limits.append(int(info["MemAvailable"].split()[0]) * 1024)
    except (OSError, KeyError, ValueError):
        limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    try:
        maximum = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if maximum != "max":
            limits.append(int(maximum) - int(Path("/sys/fs/cgroup/memory.current").read_text()))
    except (OSError, ValueError):
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        try:
            with open("/proc/self/statm") as file:
                used = int(file.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            used = 0
        limits.append(soft - used)
    return max(0, min(limits))


def check_fits(n_bytes, *, what, fix) -> None:
    """Raise before allocating if ``n_bytes`` (an estimate) cannot fit in the memory that is left.

    ``what`` says what needs the memory, ``fix`` what to change.
    """
    free = available_memory()
    if n_bytes > free:
        raise ValueError(f"{what} would take about {_size(n_bytes)} of memory, but only {_size(free)} is free; {fix}.")


def _size(n_bytes) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes / 1e3:.1f} kB"


# -- column names ------------------------------------------------------------------


def remember_feature_names(estimator, X) -> None:
    """In ``fit``: keep a DataFrame's column names as ``feature_names_in_``, as scikit-learn's estimators do."""
    columns = getattr(X, "columns", None)
    if columns is not None and all(isinstance(c, str) for c in columns):
        estimator.feature_names_in_ = np.asarray(columns, dtype=object)
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_


def check_feature_names(estimator, X) -> None:
    """After ``fit``: a DataFrame must have the fitted columns in the fitted order, or its values would be read
    as the wrong features."""
    fitted = getattr(estimator, "feature_names_in_", None)
    columns = getattr(X, "columns", None)
    if fitted is not None and columns is not None and list(columns) != list(fitted):
        raise ValueError(f"X has the columns {list(columns)}, but {type(estimator).__name__} was fitted on "
                         f"{list(fitted)}; pass the fitted columns in the fitted order: X[{list(fitted)}].")

def check_weights(sample_weight, n: int) -> np.ndarray:
    """``sample_weight`` as n finite weights >= 0, not all 0; a ValueError that says which is wrong."""
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n,):
        raise ValueError(f"sample_weight must hold one weight per training sample, {n}; got shape {weights.shape}.")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("sample_weight must be finite weights >= 0; it has negative, NaN or infinite ones.")
    if not weights.any():
        raise ValueError("sample_weight is all zero, so no sample would count; give some samples a weight above 0.")
    return weights
