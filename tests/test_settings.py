"""Every default has one home (vaeaug._settings): each place a default can be read agrees with it."""

import dataclasses
import inspect

import pytest

from vaeaug import _settings
from vaeaug.cli import _parser
from vaeaug.experiments.config import AUGMENTATION_SETTINGS, CONDITIONAL_SETTINGS, VAE_SETTINGS, ExperimentConfig
from vaeaug.experiments.execution import EXECUTION_KEYS
from vaeaug.experiments.run_options import DEFAULT_STUDY, RUN_OPTIONS
from vaeaug.generation.auto import AutoAugmenter
from vaeaug.generation.augmenter import VAEAugmenter
from vaeaug.generation.baselines import AffineSampler, RealSampler, SMOTESampler
from vaeaug.generation.conditional import ConditionalAugmenter
from vaeaug.generation.kinds import make_augmenter
from vaeaug.generation.codes import label_by_neighbours, smote
from vaeaug.generation.latent import alter, extrapolate, interpolate
from vaeaug.generation.multivae import MultiVAEAugmenter
from vaeaug.generation.tuned import Teacher, TunedAffine
from vaeaug.vae.conditional_model import ConditionalConfig, train_conditional
from vaeaug.vae.model import VAEConfig
from vaeaug.vae.training import train_vae

SECTIONS = {"vae": _settings.VAE, "generation": _settings.GENERATION, "multi_vae": _settings.MULTI_VAE,
            "conditional": _settings.CONDITIONAL, "auto": _settings.AUTO, "tuned_affine": _settings.TUNED_AFFINE,
            "teacher": _settings.TEACHER, "execution": _settings.EXECUTION}


def signature_defaults(function):
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


def field_defaults(cls):
    return {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}


AMOUNTS = ("n_per_sample", "n_per_class")
# Each place a default is read, and the sections whose settings it takes.
READERS = [
    ("VAEAugmenter", signature_defaults(VAEAugmenter), ["vae", "generation"]),
    ("MultiVAEAugmenter", signature_defaults(MultiVAEAugmenter), ["multi_vae"]),
    # Its method is its own (conditional-prior); the amounts are every method's
    ("ConditionalAugmenter", signature_defaults(ConditionalAugmenter), ["conditional", "generation:amounts"]),
    ("AutoAugmenter", signature_defaults(AutoAugmenter), ["auto", "generation"]),
    ("TunedAffine", signature_defaults(TunedAffine), ["tuned_affine", "generation"]),
    ("Teacher", signature_defaults(Teacher), ["teacher"]),
    ("SMOTESampler", signature_defaults(SMOTESampler), ["generation"]),
    ("AffineSampler", signature_defaults(AffineSampler), ["generation"]),
    ("RealSampler", signature_defaults(RealSampler), ["generation"]),
    ("make_augmenter", signature_defaults(make_augmenter), ["multi_vae"]),
    # A model's likelihood is resolved ("bernoulli" or "gaussian"); the estimators' "auto" picks one from the data
    ("VAEConfig", {k: v for k, v in field_defaults(VAEConfig).items() if k != "likelihood"}, ["vae"]),
    ("train_vae", signature_defaults(train_vae), ["vae"]),
    ("ConditionalConfig", field_defaults(ConditionalConfig), ["conditional"]),
    ("train_conditional", signature_defaults(train_conditional), ["conditional"]),
    ("interpolate", signature_defaults(interpolate), ["generation"]),
    ("extrapolate", signature_defaults(extrapolate), ["generation"]),
    ("alter", signature_defaults(alter), ["generation"]),
    ("smote", signature_defaults(smote), ["generation"]),
    ("label_by_neighbours", signature_defaults(label_by_neighbours), ["generation"]),
    ("ExperimentConfig", field_defaults(ExperimentConfig), ["multi_vae"]),
    ("vaeaug run's built-in study", {**DEFAULT_STUDY["vae"], **DEFAULT_STUDY["augmentation"],
                                     "mix_in": DEFAULT_STUDY["mix_in"], "latent_dim": DEFAULT_STUDY["latent_dims"][0]},
     ["vae", "generation", "multi_vae"]),
]


def _augment_defaults():
    return vars(_parser().parse_args(["augment", "in.npz", "out.npz"]))


def _run_defaults():
    args = _parser().parse_args(["run"])
    return {option.key.split(".")[-1].removesuffix("[]"): getattr(args, option.key) for option in RUN_OPTIONS
            if not option.key.startswith("classifier_options")}


@pytest.mark.parametrize("where, defaults, sections", READERS + [
    ("vaeaug augment's flags", _augment_defaults(), ["vae", "generation", "multi_vae"]),
    ("vaeaug augment's conditional flags", {"threshold": _augment_defaults()["threshold"],
                                            "epochs": _augment_defaults()["conditional_epochs"],
                                            "min_steps": _augment_defaults()["conditional_steps"]}, ["conditional"]),
    ("vaeaug run's options", _run_defaults(), ["vae", "generation", "multi_vae"]),
], ids=lambda value: value if isinstance(value, str) else "")
def test_every_default_agrees_with_its_section(where, defaults, sections):
    checked = 0
    for section in sections:
        section, _, only = section.partition(":")
        for name, default in _settings.section(SECTIONS[section]).items():
            if name in defaults and (not only or name in AMOUNTS):
                assert defaults[name] == default, f"{where}: {name} is {defaults[name]!r}, {section} says {default!r}"
                checked += 1
    assert checked, f"{where} reads none of {sections}"


def test_the_yaml_schema_is_the_sections():
    assert set(VAE_SETTINGS) == set(_settings.section(_settings.VAE)) - {"latent_dim"}
    assert set(CONDITIONAL_SETTINGS) == set(_settings.section(_settings.CONDITIONAL))
    assert set(AUGMENTATION_SETTINGS) == set(_settings.section(_settings.GENERATION)) - {"method", "filter", "space"}
    assert set(EXECUTION_KEYS) == set(_settings.section(_settings.EXECUTION))


def test_no_default_is_written_twice_in_the_source():
    """A literal default of a section's setting in an estimator's signature is a second home: read it instead."""
    import ast
    from pathlib import Path

    import vaeaug

    names = {name for defaults in SECTIONS.values() for name in _settings.section(defaults)}
    literal = []
    # Not these: the classifiers' and the denoiser's settings are sections of their own (an MLP's hidden_units,
    # the report's denoising VAE at beta 0.1), and the GC's threshold is a probability, not pseudo-label's.
    others = {"_settings.py", "classifiers.py", "denoiser.py", "filtering.py"}
    for path in Path(vaeaug.__file__).parent.rglob("*.py"):
        if path.name in others:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "__init__":
                arguments = node.args.args[-len(node.args.defaults):] if node.args.defaults else []
                for argument, default in zip(arguments, node.args.defaults):
                    if argument.arg in names and isinstance(default, ast.Constant) and default.value is not None:
                        literal.append(f"{path.name}:{node.lineno} {argument.arg}={default.value!r}")
    assert literal == []
