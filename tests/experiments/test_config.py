"""Experiment configs: every mistake fails before the grid runs (vaeaug.experiments.config)."""

from pathlib import Path

import numpy as np
import pytest
from helpers import GRID, ONE_CELL, TALK, TINY_AUTO

from vaeaug import VAEAugmenter
from vaeaug.data.protocols import expand_protocols
from vaeaug.experiments.config import ExperimentConfig, load_config


@pytest.mark.parametrize(
    "change, message",
    [
        ({"latent_dim": [10]}, "Did you mean 'latent_dims'"),
        ({"methods": ["noise", "cutmix"]}, "Unknown method"),
        ({"classifiers": ["forest"]}, "Unknown classifier"),
        ({"vae": {"betta": 2}}, "Did you mean 'beta'"),
        ({"classifier_options": {"mlp": {"epochs": 3}}}, "Unknown option"),
        ({"seeds": [1, 1]}, "distinct"),
        ({"datasets": ["cifar"]}, "Unknown dataset"),
        ({"protocols": [{"name": "few-shot", "k": 3}]}, r"unknown: \['k'\]"),
        ({"space": "pixels"}, "Unknown space"),
    ],
)
def test_config_mistakes_fail_up_front(change, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({**GRID, **change})


def test_shipped_configs_are_valid():
    configs = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))
    assert len(configs) >= 5
    assert type(load_config(configs[0].parent / "report-denoising-mnist.yaml")).__name__ == "DenoisingStudyConfig"
    for path in configs:
        config = load_config(path)
        if path.name.startswith("table"):
            assert config.paper["baseline"], path
    sweep = ExperimentConfig.from_yaml(configs[0].parent / "talk-mnist-fewshot.yaml")
    assert len(expand_protocols(sweep.protocols)) == 13
    subsample = load_config(configs[0].parent / "talk-mnist-fewshot.yaml",
                            ["protocols=[{name: few-shot, labelled_per_class: [2, 200]}]", "vae.max_epochs=2"])
    assert len(expand_protocols(subsample.protocols)) == 2 and subsample.vae["max_epochs"] == 2
    assert subsample.vae["beta"] == 0.5  # the rest of the nested setting is kept


def test_protocol_sweeps_expand():
    labels = [p["label"] for p in expand_protocols(["mnist-full", {"name": "few-shot", "labelled_per_class": [2, 3]}])]
    assert labels == ["mnist-full", "few-shot labelled_per_class=2", "few-shot labelled_per_class=3"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"train_on": "synthetic"}, "Unknown train_on"),
        ({"train_on": ["both", "both"]}, "without repeats"),
        ({"train_on": []}, "without repeats"),
        ({"space": "latent"}, "one shared latent space"),
        ({"methods": ["baseline", "noise"]}, "must not name 'baseline'"),
        ({"methods": ["noise", "noise"]}, "must be distinct"),
        ({"methods": ["prior+interpolation"]}, "cannot be combined"),
        ({"mix_in": 1.5}, "mix_in must be a share"),
        ({"augmentation": {"n_per_class": "most"}}, "Unknown n_per_class"),
        ({"augmentation": {"noise_scale": "big"}}, "Unknown noise_scale"),
        ({"vae": {"normalize_beta": True, "input_dim": -2}}, "input_dim must be > 0"),
    ],
)
def test_talk_config_mistakes_fail_up_front(change, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({**TALK, **change})


@pytest.mark.parametrize(
    "change, message",
    [
        ({"variants": [{"name": "a", "beta": 1}, {"name": "a", "beta": 2}]}, "distinct names"),
        ({"variants": [{"beta": 1}]}, "with a name"),
        ({"variants": [{"name": "few", "n_per_clas": 2}]}, "Did you mean 'n_per_class'"),
        ({"variants": [{"name": "a", "betta": 1}]}, "Did you mean 'beta'"),
        ({"variants": [{"name": "a", "beta": -1}]}, "beta must be >= 0"),
        ({"per_dataset": {"mnist": {"vae": {"input_dim": 8}}}}, "Unknown key 'mnist' in per_dataset"),
        ({"per_dataset": {"digits": {"vae": {"input_dimm": 8}}}}, "Did you mean 'input_dim'"),
        ({"per_dataset": {"digits": {"mix_in": 2}}}, "mix_in"),
        ({"paper": {"metric": "f1_weighted", "rows": [{"baseline": 50}]}}, "weighted F1 between 0 and 1"),
        ({"paper": {"metric": "auc"}}, "Unknown paper.metric"),
        ({"paper": {"rows": [{"classifier": "svn", "baseline": 50}]}}, "is 'svn'; choose one of"),
        ({"paper": {"rows": [{"labelled_per_class": 4, "noize": 50}]}}, "Did you mean 'noise'"),
        ({"vae": {"max_steps": 0}}, "max_steps must be > 0"),
    ],
)
def test_variant_dataset_and_reference_mistakes_fail_up_front(change, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({**GRID, **change})


@pytest.mark.parametrize(
    "change, message",
    [
        ({"paper": {"baseline": {"knn": "abc"}}}, "percentage"),
        ({"paper": {"results": {"knn": [1, 2]}}}, "must be a mapping"),
        ({"paper": {"baseline": {"knnn": 50}}}, "Did you mean 'knn'"),
        ({"paper": {"results": {"knn": {3: {"noize": 50}}}}}, "Did you mean 'noise'"),
        ({"vae": {"max_epochs": 0}}, "max_epochs must be > 0"),
        ({"vae": {"beta": -1}}, "beta must be >= 0"),
        ({"vae": {"batch_size": 0}}, "batch_size must be > 0"),
        ({"device": "tpu"}, "Unknown device 'tpu'"),
        ({"protocols": [{"name": "few-shot", "test_fraction": 1.5}]}, "test_fraction must be a share"),
        ({"protocols": [{"name": "few-shot", "labelled_per_class": [5, 0]}]}, "labelled_per_class must be > 0"),
        ({"name": "x/../../../escaped"}, "plain folder name"),
        ({"name": "a/b"}, "plain folder name"),
        ({"seeds": [True]}, "seeds .* must be a list of integers"),
        ({"seeds": [-1]}, "seeds .* must be an integer"),
    ],
)
def test_config_mistakes_fail_before_the_grid(change, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({**ONE_CELL, **change})


def test_narrowing_a_config_keeps_the_references_of_what_it_leaves_out():
    """--set classifiers=[...] or methods=[...] on a config whose paper names the others is no mistake: their
    numbers wait unused, and the rows that hold them still give the columns that are run theirs."""
    path = Path(__file__).resolve().parents[2] / "configs"
    narrowed = load_config(path / "table2-restricted-mnist.yaml", ["classifiers=[knn]", "methods=[noise]"])
    cell = {"protocol": "mnist-restricted", "classifier": "knn", "latent_dim": 20}
    whole = load_config(path / "table2-restricted-mnist.yaml")
    assert narrowed.reference("mnist", cell, "noise") == whole.reference("mnist", cell, "noise") is not None
    few = load_config(path / "conditional-mnist-fewshot.yaml", ["methods=[smote]"])  # rows also name interpolation
    assert few.reference("mnist", {"protocol": "few-shot labelled_per_class=2", "classifier": "svm"},
                         "baseline") == 0.660


def test_device_in_the_vae_settings_is_checked_too():
    with pytest.raises(ValueError, match="Unknown device"):
        VAEAugmenter(device="tpu").fit(np.zeros((4, 3)))


def test_auto_is_refused_in_latent_space():
    with pytest.raises(ValueError, match="auto .* data space"):
        ExperimentConfig.from_dict({**TINY_AUTO, "methods": ["auto"], "space": "latent"})


def test_a_chain_is_refused_in_latent_space():
    with pytest.raises(ValueError, match="mixes affine images"):
        ExperimentConfig.from_dict({**TINY_AUTO, "methods": ["affine+interpolation"], "space": "latent"})


@pytest.mark.parametrize("change, message", [
    ({"datasets": [123]}, "datasets in the config must be a list of strings; got \\[123\\]"),
    ({"datasets": [{"a": 1}]}, "datasets in the config must be a list of strings"),
    ({"methods": [["noise"]]}, "methods in the config must be a list of strings"),
    ({"vae": 5}, "vae in the config must be a mapping; got 5"),
    ({"vae": {"validation_fraction": "x"}}, "validation_fraction must be a share in \\[0, 1\\); got 'x'"),
    ({"classifier_options": {"knn": 5}}, "classifier_options.knn in the config must be a mapping"),
    ({"per_dataset": {"digits": {"vae": 5}}}, "vae of per_dataset.digits of the config must be a mapping"),
    ({"protocols": [5]}, "A protocol is a name .* or a mapping"),
    ({"scale_features": "sometimes"}, "Unknown scale_features in the config 'sometimes'"),
])
def test_values_of_the_wrong_type_are_a_sentence_not_a_type_error(change, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({"name": "x", **change})


def test_set_with_the_wrong_type_is_a_sentence(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: x\n")
    with pytest.raises(ValueError, match="vae in .*c.yaml must be a mapping; got 5"):
        load_config(path, ["vae=5"])


def test_an_undecodable_config_names_its_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(ValueError, match="binary.yaml is not a text file"):
        load_config(path)


@pytest.mark.parametrize("auto, message", [
    ({"conditional": "yes"}, "auto.conditional .* true or false"),
    ({"folds": 3}, "folds"),
    ({"cv": 1}, "at least 2"),
    ([1], "mapping"),
    ({"candidates": [{"method": "interp"}]}, "auto.candidates .* Unknown method 'interp'. Did you mean 'interpolation'"),
    ({"candidates": [{"method": "noise", "beta": 1}]}, "unknown setting"),
    ({"candidates": []}, "non-empty list"),
])
def test_auto_settings_are_checked(auto, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({**TINY_AUTO, "auto": auto})


@pytest.mark.parametrize("change, repeat", [
    ({"classifiers": ["knn", "knn"]}, "'knn' comes twice"),
    ({"latent_dims": [2, 2]}, "2 comes twice"),
    ({"datasets": ["digits", "digits"]}, "'digits' comes twice"),
    ({"protocols": [{"name": "few-shot", "labelled_per_class": [4, 4]}]}, "'few-shot labelled_per_class=4' comes"),
])
def test_a_repeated_grid_entry_is_refused_naming_the_repeat(change, repeat):
    """A repeated axis entry would run its cells twice and keep them twice (issue 33, item 6)."""
    with pytest.raises(ValueError, match=f"must be distinct; {repeat}"):
        ExperimentConfig.from_dict({**GRID, **change})


def test_one_file_under_two_spellings_is_one_dataset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.savez("w.npz", X=np.zeros((4, 2)), y=[0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"'./w.npz' comes twice \('w.npz' and './w.npz' are one\)"):
        ExperimentConfig.from_dict({**GRID, "datasets": ["w.npz", "./w.npz"]})


@pytest.mark.parametrize("change, suggestion", [
    ({"methods": ["interpolaton"]}, "Did you mean 'interpolation'"),
    ({"methods": ["smoet"]}, "Did you mean 'smote'"),
    ({"classifiers": ["svn"]}, "Did you mean 'svm'"),
    ({"protocols": [{"name": "few-shot", "labeled_per_class": 4}]}, "Did you mean 'labelled_per_class'"),
    ({"protocols": [{"name": "few-shoot"}]}, "Did you mean 'few-shot'"),
])
def test_a_misspelt_method_classifier_or_protocol_gets_did_you_mean(change, suggestion):
    """docs/yaml.md promises "Did you mean ...?" for a misspelt value too, not only for keys (issue 33, item 14)."""
    with pytest.raises(ValueError, match=suggestion):
        ExperimentConfig.from_dict({**GRID, **change})
