"""Method names: the grammar and the kinds of model they need (vaeaug.generation.registry)."""

import pytest

from vaeaug.generation.baselines import SAMPLERS, AffineSampler
from vaeaug.generation.kinds import KIND_OF, make_augmenter
from vaeaug.generation.registry import BASELINES, CHAINABLE, KINDS, parse_method


def test_baselines_are_methods_that_stand_alone():
    assert parse_method("smote").kind == "smote" and parse_method("real").generation is None
    assert parse_method("latent-smote").kind == "vae"
    for name in ("smote+gc", "multi-vae+affine", "real+noise"):
        with pytest.raises(ValueError, match="stand alone"):
            parse_method(name)
    affine = make_augmenter("affine", random_state=3, latent_dim=4, alpha=0.5, n_per_sample=2)
    assert isinstance(affine, AffineSampler) and affine.n_per_sample == 2 and affine.random_state == 3


def test_method_names_resolve_to_a_model_and_settings():
    assert parse_method("multi-vae") == ("multi-vae", "class-vaes", "prior", None, None)
    assert parse_method("extrapolation+noise+gc")[1:] == ("vae", "extrapolation+noise", "gc", None)
    multi = make_augmenter("multi-vae+interpolation", latent_dim=2, mix_in=0.3)
    assert (multi.mix_in, multi.augmenter.method, multi.augmenter.latent_dim) == (0.3, "interpolation", 2)


@pytest.mark.parametrize(
    "name, message",
    [
        ("rotation", "Unknown method 'rotation'"),
        ("prior+noise", "cannot be combined"),
        ("interpolation+extrapolation", "combines two neighbour moves"),
        ("noise+noise", "repeats a move"),
        ("gc+noise", "only last"),
        ("noise+multi-vae", "may only come first"),
        ("", "must be a name"),
    ],
)
def test_bad_method_names_are_clear_errors(name, message):
    with pytest.raises(ValueError, match=message):
        parse_method(name)


def test_auto_is_a_method_name_on_its_own():
    assert parse_method("auto").kind == "auto"
    with pytest.raises(ValueError, match="stand alone"):
        parse_method("auto+gc")


@pytest.mark.parametrize("name, message", [
    ("affine+smote", "goes before a method of the single VAE"),
    ("affine+multi-vae", "goes before a method of the single VAE"),
    ("affine+auto", "goes before a method of the single VAE"),
    ("smote+interpolation", "stand alone"),
])
def test_chains_start_with_affine_and_end_with_a_vae_move(name, message):
    with pytest.raises(ValueError, match=message):
        parse_method(name)


def test_every_kind_has_one_estimator_and_every_baseline_one_sampler():

    assert set(KIND_OF) == set(KINDS)
    assert set(SAMPLERS) == set(BASELINES) and set(CHAINABLE) <= set(SAMPLERS)
    assert all(KIND_OF[kind].estimator is SAMPLERS[kind] for kind in SAMPLERS)


def test_a_parsed_spec_passes_through_unchanged():
    spec = parse_method("interpolation+noise+gc")
    assert parse_method(spec) is spec
