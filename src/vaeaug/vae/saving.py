"""How every fitted estimator is saved and loaded: one folder, its parts first, its JSON last.

:class:`SavedEstimator` is the one scheme: ``save(path)`` writes the estimator's parts (its networks, each
through :func:`vaeaug.vae.model.save_module`), then its JSON (``saved_file``), atomically and last, so a folder
whose JSON is there is whole (the model cache relies on it). ``load(path, device)`` reads the JSON back,
rebuilds the estimator from its parameters (a bad one is a ValueError that names the file and the fix), and
loads its parts. Under ``torchrun`` only rank 0 writes.

An estimator says what its JSON holds (:meth:`~SavedEstimator._saved_state`), how it is rebuilt from it
(:meth:`~SavedEstimator._from_saved`), and how its parts are written and read (``_save_parts``,
``_load_parts``). The files each one writes are unchanged from before this scheme, so saved models and model
caches load as they did.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from sklearn.utils.validation import check_is_fitted

from .._files import read_saved, write_json_atomic
from .._typing import PathType
from .distributed import on_main_process
from .loop import select_device

__all__ = ["SavedEstimator"]


def _check_json(state: dict, owner: str) -> None:
    """Refuse a state JSON cannot hold (a ``random_state`` that is a ``RandomState``, say), naming the setting."""
    for key, value in {**state.get("params", {}), **{k: v for k, v in state.items() if k != "params"}}.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise ValueError(f"{owner}.save cannot write {key}={value!r}: only numbers, text, lists and mappings "
                             f"can be saved. Use an int seed (or None) for random_state, and fit again.") from None


class SavedEstimator:
    """``save`` and ``load`` for a fitted estimator, as one folder (see the module's docstring)."""

    saved_file: str = ""  # its JSON, written last
    _saved_keys: tuple[str, ...] = ()  # what its JSON must hold
    _fitted_attribute: str = "model_"  # what fit sets: save refuses an unfitted estimator
    _load_hint: str | None = None  # what a folder without its JSON may be instead

    @on_main_process
    def save(self, path: PathType) -> Path:
        """Save the fitted estimator to the folder ``path``: its parts, then its JSON, written last.

        Under ``torchrun`` only rank 0 writes; the other processes return ``path``.
        """
        check_is_fitted(self, self._fitted_attribute)
        path = Path(path)
        state = self._saved_state()
        _check_json(state, type(self).__name__)  # before anything is written: no folder of weights without JSON
        self._save_parts(path)
        write_json_atomic(path / self.saved_file, state)
        return path

    @classmethod
    def load(cls, path: PathType, device: str = "auto") -> SavedEstimator:
        """Load an estimator saved with :meth:`save`; it transforms and generates without retraining."""
        path = Path(path)
        state, fix = read_saved(path, cls, keys=cls._saved_keys, hint=cls._load_hint)
        device = select_device(device)
        try:
            estimator = cls._from_saved(state, device)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path / cls.saved_file} holds invalid parameters ({error}); {fix}.") from None
        estimator._load_parts(path, state, device)
        return estimator

    def _save_parts(self, path: Path) -> None:
        """Write the estimator's networks (and anything else but its JSON) into ``path``."""
        raise NotImplementedError

    def _saved_state(self) -> dict:
        """The estimator's JSON: its parameters and what it learnt besides its networks."""
        raise NotImplementedError

    @classmethod
    def _from_saved(cls, state: dict, device: torch.device):
        """The estimator, unfitted, with the parameters its JSON holds (checked)."""
        raise NotImplementedError

    def _load_parts(self, path: Path, state: dict, device: torch.device) -> None:
        """Set the fitted attributes from ``path`` and the JSON's ``state``."""
        raise NotImplementedError
