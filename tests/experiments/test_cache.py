"""The model cache (vaeaug.experiments.cache)."""

import numpy as np
from helpers import GRID, ONE_CELL

from vaeaug.data.datasets import load
from vaeaug.data.protocols import expand_protocols
from vaeaug.experiments.cache import fitted_model
from vaeaug.experiments.config import ExperimentConfig, split_for
from vaeaug.experiments.runner import run_experiment


def test_a_cached_vae_augments_with_the_current_settings(tmp_path):

    data = load("digits")
    protocol = expand_protocols([{"name": "few-shot", "labelled_per_class": 4}])[0]
    got = []
    for alpha, space in ((0.1, "data"), (2.0, "latent")):
        config = ExperimentConfig.from_dict({**GRID, "augmentation": {"alpha": alpha}, "space": space})
        split = split_for(config, data, protocol, 0)
        got.append(fitted_model(config, data, split, protocol, 0, 3, tmp_path))
    (first, trained_first), (second, trained_second) = got
    assert trained_first is not None and trained_second is None  # the second came from the cache
    assert (second.alpha, second.space) == (2.0, "latent")  # ...but augments with its own settings


def test_a_cached_model_forgets_the_settings_of_the_run_that_trained_it(tmp_path):
    # A config that leaves a setting out means its default, not the value a run sharing the cache trained with
    data = load("digits")
    protocol = expand_protocols([{"name": "few-shot", "labelled_per_class": 4}])[0]
    models = {}
    for name, augmentation in (("trainer", {"n_per_sample": 1, "n_per_class": 5}), ("reader", {})):
        config = ExperimentConfig.from_dict({**GRID, "augmentation": augmentation})
        split = split_for(config, data, protocol, 0)
        models[name], _ = fitted_model(config, data, split, protocol, 0, 3, tmp_path)
    assert (models["trainer"].n_per_sample, models["trainer"].n_per_class) == (1, 5)
    assert (models["reader"].n_per_sample, models["reader"].n_per_class) == (None, None)


def test_two_files_of_one_name_do_not_share_cells_or_vaes(tmp_path):
    rng = np.random.default_rng(0)
    for folder, shift in (("a", 0.0), ("b", 0.5)):
        (tmp_path / folder).mkdir()
        np.savez(tmp_path / folder / "data.npz", X=rng.uniform(shift, shift + 0.5, (40, 5)), y=np.repeat([0, 1], 20))
    config = ExperimentConfig.from_dict({**ONE_CELL, "datasets": [str(tmp_path / "a" / "data.npz"),
                                                              str(tmp_path / "b" / "data.npz")]})
    results = run_experiment(config, tmp_path / "run", progress=False, log=lambda _: None)
    assert len({r["dataset"] for r in results["records"]}) == 2
    assert len(results["vaes"]) == 2 and len([p for p in (tmp_path / "run" / "vaes").iterdir() if p.is_dir()]) == 2


def test_a_file_changed_under_the_same_path_trains_a_new_model_in_a_shared_cache(tmp_path):
    """The cache keys a user's file by its content too (issue 33, item 2): a file replaced under the same path,
    its labels kept, must not reuse the VAE trained on its old samples."""
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    y = np.repeat([0, 1], 20)
    np.savez(path, X=rng.uniform(0, 0.5, (40, 5)), y=y)
    config = ExperimentConfig.from_dict({**ONE_CELL, "datasets": [str(path)]})
    first = run_experiment(config, tmp_path / "run1", vae_cache=tmp_path / "cache", progress=False,
                           log=lambda _: None)
    np.savez(path, X=rng.uniform(0.5, 1.0, (40, 5)), y=y)
    second = run_experiment(config, tmp_path / "run2", vae_cache=tmp_path / "cache", progress=False,
                            log=lambda _: None)
    assert len(first["vaes"]) == 1 and len(second["vaes"]) == 1  # trained again, not reused
    again = run_experiment(config, tmp_path / "run3", vae_cache=tmp_path / "cache", progress=False,
                           log=lambda _: None)
    assert len(again["vaes"]) == 0  # the same content: reused


def test_the_cache_key_holds_the_defaults_a_model_was_trained_under(monkeypatch):
    """A config that names a default shares the model of one that leaves it out; a model trained before a
    default changed is not handed to a run after it (the key held only the settings a config names)."""
    from dataclasses import replace

    from vaeaug.generation import kinds

    data = load("digits")
    protocol = expand_protocols([{"name": "few-shot", "labelled_per_class": 4}])[0]
    split = split_for(ExperimentConfig.from_dict(GRID), data, protocol, 0)

    def key(kind, vae=None, conditional=None):
        config = ExperimentConfig.from_dict({**GRID, "vae": vae or {}, "conditional": conditional or {}})
        return kinds.KIND_OF[kind].key("digits", split, 0, 3, config.settings_for("digits"))

    for kind in ("vae", "class-vaes", "conditional"):
        assert key(kind) == key(kind, vae={"batch_size": kinds.VAE.batch_size})
    assert key("conditional") == key("conditional", conditional={"epochs": kinds.CONDITIONAL.epochs})
    before = {kind: key(kind) for kind in ("vae", "class-vaes", "conditional")}
    monkeypatch.setattr(kinds, "VAE", replace(kinds.VAE, patience=kinds.VAE.patience + 1))
    assert all(key(kind) != before[kind] for kind in before)
    monkeypatch.setattr(kinds, "CONDITIONAL", replace(kinds.CONDITIONAL, style_free_bits=0.5))
    assert key("conditional") != key("conditional", conditional={"style_free_bits": 0.0})
