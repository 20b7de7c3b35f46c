"""The default study of vaeaug run: a built-in experiment config plus overrides (vaeaug.experiments.study)."""

import pytest

from vaeaug.cli import _parser
from vaeaug.experiments.config import apply_override
from vaeaug.experiments.run_options import DEFAULT_STUDY, RUN_OPTIONS, study_default
from vaeaug.experiments.study import study_config


def test_every_run_option_names_a_key_of_the_built_in_config():
    for option in RUN_OPTIONS:
        study_config({option.key: study_default(option.key)})  # the default is valid where it is put


def test_options_and_set_override_the_built_in_config_and_leave_it_unchanged():
    before = repr(DEFAULT_STUDY)
    config = study_config({"latent_dims[]": 20, "protocols.0.labelled_per_class": 5, "vae.beta": 1.0},
                          ["seeds=[4]", "augmentation.alpha=0.25"])
    assert config.latent_dims == [20] and config.protocols[0]["labelled_per_class"] == 5
    assert config.vae["beta"] == 1.0 and config.seeds == [4] and config.augmentation["alpha"] == 0.25
    assert repr(DEFAULT_STUDY) == before


def test_the_command_line_defaults_are_the_built_in_config():
    args = _parser().parse_args(["run"])
    options = {option.key: getattr(args, option.key) for option in RUN_OPTIONS}
    assert study_config(options) == study_config()


def test_a_dataset_with_a_slash_names_a_plain_folder():
    assert study_config({"datasets[]": "proben1/card"}).name == "study-proben1-card"


def test_an_override_of_a_list_item_out_of_range_is_a_clear_error():
    with pytest.raises(ValueError, match="not an index"):
        apply_override({"protocols": [{}]}, "protocols.3.labelled_per_class", 5)
    with pytest.raises(ValueError, match="is not a mapping"):
        apply_override({"seeds": 3}, "seeds.x", 5)


def test_the_library_run_and_augment_share_one_set_of_vae_defaults():
    from vaeaug import VAEAugmenter

    library = VAEAugmenter().get_params()
    run = _parser().parse_args(["run"])
    augment = _parser().parse_args(["augment", "in.npz", "out.npz"])
    for key in ("beta", "batch_size", "max_epochs", "patience", "latent_dim", "alpha", "n_neighbors", "noise_scale"):
        run_key = next(o.key for o in RUN_OPTIONS if o.flag == key.replace("_", "-"))
        assert getattr(augment, key) == getattr(run, run_key) == library[key], key
    assert library["beta"] == 0.25


def test_the_figures_use_the_models_the_table_used(tmp_path, monkeypatch):
    """vaeaug run --dataset wine.npz: the figure step finds the VAE the cells trained (one per seed), by the
    dataset's identity, instead of training a second one under another cache key."""
    import numpy as np
    from sklearn.datasets import load_wine

    from vaeaug.experiments.study import run_study

    monkeypatch.chdir(tmp_path)
    wine = load_wine()
    np.savez("wine.npz", X=wine.data, y=wine.target)
    config = study_config({"datasets[]": "wine.npz"},
                          ["seeds=[0]", "methods=[interpolation]", "classifiers=[knn]", "vae.max_epochs=2",
                           "vae.hidden_units=16"])
    run_study(config, tmp_path / "run", progress=False, log=lambda _: None)
    trained = [p for p in (tmp_path / "run" / "vaes").iterdir() if (p / "augmenter.json").is_file()]
    assert len(trained) == 1
    assert (tmp_path / "run" / "latent_map.png").is_file()


def test_an_image_run_over_several_latent_sizes_draws_the_sweep_from_the_models_it_trained(tmp_path):
    # issue 32: the talk's latent-dimension sweep (reconstructions and prior draws per latent size, beta_norm)
    from vaeaug.experiments.study import run_study

    config = study_config({"vae.normalize_beta": True},
                          ["seeds=[0]", "methods=[interpolation]", "classifiers=[knn]", "vae.max_epochs=1",
                           "latent_dims=[2,4]"])
    run_study(config, tmp_path / "run", progress=False, log=lambda _: None)
    assert (tmp_path / "run" / "latent_sweep.png").is_file()
    assert "![latent_sweep](latent_sweep.png)" in (tmp_path / "run" / "results.md").read_text()
    trained = [p for p in (tmp_path / "run" / "vaes").iterdir() if (p / "augmenter.json").is_file()]
    assert len(trained) == 2  # one per latent size, trained by the cells and found again for the figure


def test_a_run_without_a_vae_method_trains_no_vae_for_its_figures(tmp_path):
    # issue 35: a SMOTE-only run trained a VAE just to draw the latent map
    from vaeaug.experiments.study import run_study

    config = study_config(None, ["seeds=[0]", "methods=[smote]", "classifiers=[knn]"])
    run_study(config, tmp_path / "run", progress=False, log=lambda _: None)
    assert not (tmp_path / "run" / "latent_map.png").exists() and (tmp_path / "run" / "generated.png").is_file()
    vaes = tmp_path / "run" / "vaes"
    assert not vaes.exists() or not any((p / "augmenter.json").is_file() for p in vaes.iterdir())
