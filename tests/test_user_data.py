"""A user's own data: features on any scale, labels of any kind, pandas, and the answers must be right.

Each case here once gave a wrong answer with exit 0 or a traceback (the outside probe of issue 20).
"""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from vaeaug import ExperimentConfig, SMOTESampler, VAEAugmenter, run_experiment
from vaeaug.cli import main
from vaeaug.data.datasets import read_npz

FAST = dict(latent_dim=2, hidden_units=16, max_epochs=2, batch_size=16, random_state=0)


def mixed_scales(n=300, seed=0):
    """Three classes told apart by small features (scales 1e-3 to 1), beside noise features of scale 1e2, 1e3."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], n // 3)
    centres = np.c_[rng.normal(0, 2, (3, 4)), np.zeros((3, 2))]
    X = centres[y] + rng.normal(0, 1, (n, 6))
    return (X * np.array([1e-3, 1e-2, 1e-1, 1, 1e2, 1e3])).astype(np.float32), y


def test_tabular_features_are_scaled_for_the_svm_so_its_baseline_is_right(tmp_path):
    X, y = mixed_scales()
    np.savez(tmp_path / "mixed.npz", X=X, y=y)
    config = {"name": "mixed", "datasets": [str(tmp_path / "mixed.npz")], "methods": [], "classifiers": ["svm"],
              "protocols": [{"name": "fractions", "fractions": [0.5, 0.1, 0.4]}], "seeds": [0]}

    def baseline(**change):
        folder = tmp_path / str(change)
        results = run_experiment(ExperimentConfig.from_dict({**config, **change}), folder, progress=False,
                                 log=lambda _: None)
        return results["records"][0]["accuracy"]

    # the same split by hand: a scaled SVM is what a practitioner would fit
    train, rest = train_test_split(np.arange(len(y)), train_size=0.5, stratify=y, random_state=0)
    _, test = train_test_split(rest, train_size=0.1 / 0.5, stratify=y[rest], random_state=0)
    by_hand = make_pipeline(StandardScaler(), SVC()).fit(X[train], y[train]).score(X[test], y[test])
    assert baseline() == pytest.approx(by_hand)
    assert baseline(scale_features=False) < by_hand - 0.2  # unscaled, the 1e3 feature drowns the others


@pytest.mark.parametrize("labels", [np.arange(300) % 10 + 10, np.where(np.arange(300) % 2, 7, 3),
                                    np.array(["cat", "dog", "emu"] * 100)], ids=["10..19", "3-and-7", "strings"])
def test_augment_writes_the_labels_it_was_given(tmp_path, labels):
    X = np.random.default_rng(0).uniform(size=(300, 5)).astype(np.float32)
    np.savez(tmp_path / "in.npz", X=X, y=labels)
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "out.npz"), "--max-epochs", "1",
                 "--latent-dim", "2", "--quiet"]) == 0
    out = read_npz(tmp_path / "out.npz")
    assert out["y"].dtype == labels.dtype
    np.testing.assert_array_equal(out["y"][:300], labels)
    assert set(out["y"][300:].tolist()) <= set(labels.tolist())


def test_csv_class_names_are_kept(tmp_path):
    rows = ["a,b,label"] + [f"{i % 7},{i % 5},{'yes' if i % 2 else 'no'}" for i in range(60)]
    (tmp_path / "in.csv").write_text("\n".join(rows) + "\n")
    assert main(["augment", str(tmp_path / "in.csv"), str(tmp_path / "out.npz"), "--method", "smote"]) == 0
    assert set(read_npz(tmp_path / "out.npz")["y"].tolist()) == {"yes", "no"}


def test_a_dataframe_gives_a_dataframe_and_its_columns_are_checked():
    X, y = mixed_scales(120)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    labels = pd.Series(y, name="kind")
    augmenter = VAEAugmenter(**FAST)
    X_res, y_res = augmenter.fit_resample(frame, labels)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == list(frame.columns)
    assert isinstance(y_res, pd.Series) and y_res.name == "kind"
    assert list(augmenter.feature_names_in_) == list(frame.columns)
    with pytest.raises(ValueError, match="pass the fitted columns in the fitted order"):
        augmenter.generate(frame[frame.columns[::-1]], y)
    X_smote, _ = SMOTESampler(random_state=0).fit_resample(frame, labels)
    assert list(X_smote.columns) == list(frame.columns)


@pytest.mark.parametrize("arrays, message", [
    ({"X": np.zeros((20, 3)), "y": np.linspace(0, 1, 20)}, "continuous values, not class labels"),
    ({"X": np.ones((20, 3)) * (1 + 2j), "y": np.repeat([0, 1], 10)}, "Complex data not supported"),
])
def test_augment_refuses_what_the_library_refuses(tmp_path, capsys, arrays, message):
    np.savez(tmp_path / "in.npz", **arrays)
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "out.npz")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()


def test_denoise_refuses_8_bit_images(tmp_path, capsys):
    images = np.random.default_rng(0).integers(0, 256, (40, 8, 8)).astype(np.float32)
    np.savez(tmp_path / "clean.npz", X=images / 255)
    np.savez(tmp_path / "noisy.npz", X=images)
    code = main(["denoise", str(tmp_path / "noisy.npz"), str(tmp_path / "out.npz"), "--clean",
                 str(tmp_path / "clean.npz"), "--max-epochs", "1", "--latent-dim", "2", "--quiet"])
    assert code == 2 and "X / 255" in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()


@pytest.mark.parametrize("option", [["--n-per-class", "1000000000"], ["--n-per-sample", "1000000000"],
                                    ["--latent-dim", "1000000000"], ["--n-neighbors", "1000000"]])
def test_amounts_that_cannot_fit_are_one_sentence(tmp_path, capsys, option):
    X = np.random.default_rng(0).uniform(size=(200, 5)).astype(np.float32)
    np.savez(tmp_path / "in.npz", X=X, y=np.repeat([0, 1], 100))
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "out.npz"), "--max-epochs", "1",
                 "--quiet", *option]) == 2
    error = capsys.readouterr().err
    assert error.startswith("vaeaug: error: ") and "of memory, but only" in error and error.count("\n") == 1


@pytest.mark.parametrize("change", [{"augmentation": {"n_per_class": 1_000_000_000}},
                                    {"latent_dims": [1_000_000_000]}])
def test_a_config_asking_for_too_much_is_refused_with_a_sentence(tmp_path, change):
    with pytest.raises(ValueError, match="of memory, but only"):  # as the config is read, or before generating
        config = ExperimentConfig.from_dict({"name": "big", "methods": ["noise"], "classifiers": ["knn"],
                                             "vae": {"max_epochs": 1, "hidden_units": 16}, **change})
        run_experiment(config, tmp_path, progress=False, log=lambda _: None)


def test_n_neighbors_beyond_the_class_is_clipped_with_a_warning():
    X, y = mixed_scales(60)
    augmenter = VAEAugmenter(**FAST, n_neighbors=50, n_per_sample=1).fit(X)
    with pytest.warns(UserWarning, match="fewer than n_neighbors"):
        X_new, _ = augmenter.generate(X, y)
    assert len(X_new) == 60


def test_n_per_class_naming_an_unknown_class_is_an_error():
    X, y = mixed_scales(60)
    with pytest.raises(ValueError, match=r"class\(es\) \[99\] that the labels do not have"):
        SMOTESampler(n_per_class={99: 5}).fit_resample(X, y)


@pytest.mark.parametrize("edit", [{"input_shape": [1, -8, 8]}, {"hidden_units": 1_000_000_000},
                                  {"latent_dim": "ten"}])
def test_an_edited_model_config_is_a_sentence(tmp_path, edit):
    X = np.random.default_rng(0).uniform(size=(40, 8, 8)).astype(np.float32)
    VAEAugmenter(**FAST).fit(X).save(tmp_path)
    saved = json.loads((tmp_path / "config.json").read_text())
    saved["config"].update(edit)
    (tmp_path / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="delete the model folder and train the model again"):
        VAEAugmenter.load(tmp_path)


def test_library_type_mistakes_are_value_errors():
    X, y = mixed_scales(60)
    with pytest.raises(ValueError, match="validation_fraction must be a share"):
        VAEAugmenter(validation_fraction="x").fit(X)
    with pytest.raises(ValueError, match="contains None"):
        SMOTESampler().fit_resample(X, np.array([None] + [1] * 59, dtype=object))


def test_calls_before_fit_raise_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    from vaeaug import CNNClassifier, TorchMLPClassifier

    with pytest.raises(NotFittedError):
        VAEAugmenter().encode(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        TorchMLPClassifier().predict(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        CNNClassifier().predict(np.zeros((2, 8, 8)))


def test_an_unwritable_output_fails_before_training(tmp_path, capsys, monkeypatch):
    X = np.random.default_rng(0).uniform(size=(40, 5)).astype(np.float32)
    np.savez(tmp_path / "in.npz", X=X, y=np.repeat([0, 1], 20))
    blocked = tmp_path / "a-file"  # a folder that cannot be made: a file stands where it would go (as root,
    blocked.write_text("")         # which CI is, permission bits would not stop the write)
    monkeypatch.setattr(VAEAugmenter, "fit", lambda *a, **k: pytest.fail("trained before checking the output"))
    assert main(["augment", str(tmp_path / "in.npz"), str(blocked / "out.npz")]) == 2
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "out.npz"), "--save-model",
                 str(blocked / "model")]) == 2
    assert capsys.readouterr().err.count("cannot write or read") == 2
    assert not (tmp_path / "out.npz").exists()  # the claim on OUTPUT is given back


def test_a_second_run_to_the_same_new_file_fails_at_once(tmp_path, capsys, monkeypatch):
    X = np.random.default_rng(0).uniform(size=(40, 5)).astype(np.float32)
    np.savez(tmp_path / "in.npz", X=X, y=np.repeat([0, 1], 20))
    out = tmp_path / "out.npz"
    calls = []

    def second_run_meanwhile(self, *args, **kwargs):  # while the first run trains, a second one starts
        if not calls:
            calls.append(main(["augment", str(tmp_path / "in.npz"), str(out), "--method", "smote"]))
        return self

    monkeypatch.setattr(SMOTESampler, "fit", second_run_meanwhile)
    assert main(["augment", str(tmp_path / "in.npz"), str(out), "--method", "smote"]) == 0
    assert calls == [2] and "out.npz already exists" in capsys.readouterr().err
    assert len(read_npz(out)["y"]) == 40 + 120


def test_a_model_folder_being_written_is_not_written_twice(tmp_path, capsys):
    X = np.random.default_rng(0).uniform(size=(40, 5)).astype(np.float32)
    np.savez(tmp_path / "in.npz", X=X, y=np.repeat([0, 1], 20))
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / ".vaeaug-writing").write_text("")  # another run holds it
    assert main(["augment", str(tmp_path / "in.npz"), str(tmp_path / "out.npz"), "--save-model",
                 str(tmp_path / "model"), "--max-epochs", "1", "--quiet"]) == 2
    assert "is being written by another run" in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()


def test_a_corrupt_image_is_named(tmp_path):
    from PIL import Image

    from vaeaug import load_dataset

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(tmp_path / name / "ok.png")
    (tmp_path / "b" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png is not an image that can be read"):
        load_dataset(str(tmp_path))


@pytest.mark.parametrize("method", ["affine", "affine+interpolation"])
def test_affine_on_feature_vectors_fails_before_any_cell(tmp_path, method):
    X, y = mixed_scales(90)
    np.savez(tmp_path / "tab.npz", X=X, y=y)
    config = ExperimentConfig.from_dict({"name": "tab", "datasets": [str(tmp_path / "tab.npz")],
                                         "methods": ["noise", method], "classifiers": ["knn"],
                                         "protocols": [{"name": "few-shot", "labelled_per_class": 5}],
                                         "vae": {"max_epochs": 1, "hidden_units": 16}})
    with pytest.raises(ValueError, match="rotates, shifts and scales images"):
        run_experiment(config, tmp_path / "run", progress=False, log=lambda _: None)
    assert not (tmp_path / "run" / "results.json").exists()
