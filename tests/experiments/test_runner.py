"""The runner: cells, shared models, resume, spaces and variants (vaeaug.experiments.runner)."""

import json

import pytest
from helpers import GRID, ONE_CELL, TALK, TINY_AUTO, interrupt

from vaeaug.experiments.config import ExperimentConfig
from vaeaug.experiments import runner
from vaeaug.experiments.runner import plan_cells, run_experiment
from vaeaug.generation.augmenter import VAEAugmenter
from vaeaug.generation.candidates import default_candidates


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("experiment")
    lines = []
    results = run_experiment(ExperimentConfig.from_dict(GRID), run_dir, progress=False, log=lines.append)
    return run_dir, results, "\n".join(lines)


def test_an_experiment_runs_the_baselines_beside_the_vae_methods(tmp_path):

    def run(space, methods):
        config = ExperimentConfig(name="baselines", datasets=["digits"], seeds=[0, 1], latent_dims=[3],
                                  protocols=[{"name": "few-shot", "labelled_per_class": 4}], methods=methods,
                                  classifiers=["knn"], space=space, vae={"max_epochs": 2, "hidden_units": 32})
        printed = []
        results = run_experiment(config, tmp_path / space, progress=False, log=printed.append)
        return {(r["method"], r["seed"]): r for r in results["records"]}, "\n".join(printed)

    records, printed = run("data", ["noise", "smote", "affine", "real"])
    for method in ("noise", "smote", "affine", "real"):
        assert records[method, 0]["n_train"] == 40 + 120  # 3 new per labelled image, as every method makes
    assert "| Smote | Affine | Real |" in printed and "of real" in printed
    latent, _ = run("latent", ["smote", "real", "latent-smote"])
    assert {m for m, _ in latent} == {"baseline", "smote", "real", "latent-smote"}
    assert latent["real", 1]["n_train"] == 160  # the pool's images, encoded like the labelled ones


def test_every_cell_runs_and_each_vae_is_trained_once(grid_run):
    run_dir, results, _ = grid_run
    # 2 protocols x 2 seeds x (1 baseline + 2 latent sizes x 2 methods) x 1 classifier
    assert len(results["records"]) == 2 * 2 * 5
    # The VAE learns from the same pool whatever k is labelled, so the two protocols share it:
    # one per seed and latent size, shared by both methods.
    assert len(results["vaes"]) == 2 * 2
    assert {v["protocol"] for v in results["vaes"]} == {"few-shot labelled_per_class=4"}
    assert len([p for p in (run_dir / "vaes").iterdir() if p.is_dir()]) == 4  # beside them, their lock files
    assert (run_dir / "results.csv").read_text().count("\n") == 21


def test_tables_show_the_papers_number_and_the_difference(grid_run):
    import numpy as np
    from scipy import stats

    _, results, printed = grid_run
    protocol = "few-shot labelled_per_class=4"
    table = printed.split("test accuracy")[1]

    def cell(method, latent_dim):
        scores = [100 * r["accuracy"] for r in results["records"] if r["method"] == method
                  and r["protocol"] == protocol and r["latent_dim"] == latent_dim]
        half = stats.t.ppf(0.975, len(scores) - 1) * np.std(scores, ddof=1) / np.sqrt(len(scores))
        return f"{np.mean(scores):.2f} ± {half:.2f}", np.mean(scores)

    baseline, mean = cell("baseline", None)  # mean ± 95 % CI over both seeds, the paper's 50.00, the difference
    row = f"| {protocol} | KNN | 5 | {baseline} (paper 50.00, {mean - 50:+.2f}) |"
    assert row in table
    text, mean = cell("noise", 5)
    assert f"{row} {text} (paper 40.00, {mean - 40:+.2f}) |" in table
    text, _ = cell("noise", 3)
    assert f"| {text} |" in table.split(f"| {protocol} | KNN | 3 |")[1]  # no paper number for latent size 3


def test_an_interrupted_grid_resumes_without_retraining(grid_run):
    run_dir, results, _ = grid_run
    saved = json.loads((run_dir / "results.json").read_text())
    kept = saved["records"][:7]
    interrupt(run_dir, kept)
    resumed = run_experiment(ExperimentConfig.from_dict(GRID), run_dir, progress=False, log=lambda _: None)
    assert resumed["complete"] and len(resumed["records"]) == 20
    assert resumed["records"][:7] == kept
    assert len(resumed["vaes"]) == 4  # every VAE came from the cache
    same = {json.dumps({k: r[k] for k in ("protocol", "latent_dim", "method", "seed", "accuracy")})
            for r in results["records"]}
    again = {json.dumps({k: r[k] for k in ("protocol", "latent_dim", "method", "seed", "accuracy")})
             for r in resumed["records"]}
    assert same == again  # same seeds, same numbers


def test_latent_space_and_labelled_subsample(tmp_path):
    config = ExperimentConfig.from_dict({**GRID, "space": "latent", "latent_dims": [3], "seeds": [0],
                                         "protocols": ["ujipen"], "labelled_subsample": 50})
    results = run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    baseline = [r for r in results["records"] if r["method"] == "baseline"]
    assert [r["latent_dim"] for r in baseline] == [3]  # in latent space the baseline depends on the VAE
    assert baseline[0]["n_train"] == 50
    assert {r["n_train"] for r in results["records"] if r["method"] != "baseline"} == {200}


def test_a_one_class_dataset_fails_before_any_training(tmp_path):
    import numpy as np

    np.savez(tmp_path / "one.npz", X=np.random.default_rng(0).uniform(size=(20, 4)), y=np.zeros(20))
    with pytest.raises(ValueError, match="1 class"):
        run_experiment(ExperimentConfig.from_dict({**GRID, "datasets": [str(tmp_path / "one.npz")]}),
                       tmp_path / "run", progress=False, log=lambda _: None)
    assert not (tmp_path / "run" / "vaes").exists()


def test_talk_methods_share_their_models_and_train_on_generated_only(tmp_path):
    config = ExperimentConfig.from_dict({**TALK, "train_on": "generated"})
    results = run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    assert sorted(v["kind"] for v in results["vaes"]) == ["class-vaes", "vae"]  # one of each, shared
    cells = {r["method"]: r for r in results["records"]}
    assert cells["baseline"]["n_train"] == 50  # the baseline trains on the real samples
    for method in TALK["methods"]:
        only = cells[f"{method} (generated only)"]
        assert only["n_train"] == only["generated"]["made"] <= 40
    assert cells["prior+gc (generated only)"]["generated"]["acceptance_rate"] is not None
    assert "## Generated samples" in (tmp_path / "results.md").read_text()
    again = run_experiment(config, tmp_path / "again", vae_cache=tmp_path / "vaes", progress=False,
                           log=lambda _: None)
    assert again["vaes"] == []  # both kinds of model came from the cache
    assert [r["accuracy"] for r in again["records"]] == [r["accuracy"] for r in results["records"]]

    # Both targets in one run: each method gets a column per target, from the same generated samples.
    both = ExperimentConfig.from_dict({**TALK, "train_on": ["both", "generated"]})
    assert both.columns[:2] == [TALK["methods"][0], f"{TALK['methods'][0]} (generated only)"]
    mixed = run_experiment(both, tmp_path / "both", vae_cache=tmp_path / "vaes", progress=False,
                           log=lambda _: None)
    cells = {r["method"]: r for r in mixed["records"]}
    for method in TALK["methods"]:
        assert cells[method]["n_train"] == 50 + cells[f"{method} (generated only)"]["n_train"]
        assert cells[method]["generated"] == cells[f"{method} (generated only)"]["generated"]
    table = (tmp_path / "both" / "results.md").read_text()
    assert "Prior+gc (generated only)" in table


def test_an_empty_method_list_runs_the_baselines_alone(tmp_path):
    config = ExperimentConfig.from_dict({**GRID, "methods": [], "paper": {}, "classifiers": ["knn", "svm"]})
    results = run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    assert {r["method"] for r in results["records"]} == {"baseline"}
    assert len(results["records"]) == 2 * 2 * 2  # protocols x seeds x classifiers
    assert results["vaes"] == [] and not (tmp_path / "vaes").exists()  # no VAE is trained for baselines
    assert "| Classifier | # dims | Baseline |" in (tmp_path / "results.md").read_text()


def test_the_cnn_runs_on_images_and_is_refused_feature_vectors_before_any_training(tmp_path):
    import numpy as np

    config = {**GRID, "protocols": [{"name": "few-shot", "labelled_per_class": 4}], "latent_dims": [3],
              "methods": ["noise"], "seeds": [0], "classifiers": ["cnn"], "paper": {},
              "classifier_options": {"cnn": {"max_epochs": 1, "min_steps": 0, "channels": [2, 4], "hidden_units": 8}}}
    results = run_experiment(ExperimentConfig.from_dict(config), tmp_path / "ok", progress=False,
                             log=lambda _: None)
    assert {r["method"] for r in results["records"]} == {"baseline", "noise"}

    with pytest.raises(ValueError, match="needs images, but space: latent"):
        ExperimentConfig.from_dict({**config, "space": "latent"})
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "table.npz", X=rng.uniform(size=(40, 4)), y=np.repeat([0, 1], 20))
    with pytest.raises(ValueError, match=r"cannot take the cnn classifier \(it needs images; the data are feature"):
        run_experiment(ExperimentConfig.from_dict({**config, "datasets": [str(tmp_path / "table.npz")]}),
                       tmp_path / "run", progress=False, log=lambda _: None)
    assert not (tmp_path / "run" / "vaes").exists()


def test_vae_variants_per_dataset_settings_and_talk_style_references(tmp_path):
    """The talk's PROBEN1 layout: a VAE-variant axis, a per-dataset input_dim for beta_norm, weighted F1 references."""
    config = ExperimentConfig.from_dict({
        **GRID, "protocols": [{"name": "few-shot", "labelled_per_class": [4, 6]}], "latent_dims": [2],
        "seeds": [0], "methods": ["noise"],
        "variants": [{"name": "beta-norm", "beta": 1.0, "normalize_beta": True}, {"name": "beta-0.5", "beta": 0.5}],
        "per_dataset": {"digits": {"vae": {"input_dim": 16}, "augmentation": {"n_per_class": 2}}},
        "paper": {"source": "talk", "metric": "f1_weighted",
                  "rows": [{"variant": "beta-norm", "labelled_per_class": 6, "baseline": 0.5, "noise": 0.25}]},
    })
    assert config.settings_for("digits", "beta-0.5")["vae"] == {"max_epochs": 2, "hidden_units": 32, "input_dim": 16,
                                                               "beta": 0.5}
    lines = []
    results = run_experiment(config, tmp_path, progress=False, log=lines.append)
    assert len(results["vaes"]) == 2  # one per variant, shared by both protocols
    assert not (tmp_path / "styles.png").exists()  # no conditional model, no style grid

    betas = {v["variant"]: VAEAugmenter.load(tmp_path / "vaes" / v["key"]).beta_ for v in results["vaes"]}
    assert betas == {"beta-norm": pytest.approx(2 / 16), "beta-0.5": 0.5}  # beta_norm = beta * d / input_dim
    noise = [r for r in results["records"] if r["method"] == "noise"]
    assert {r["variant"] for r in noise} == {"beta-norm", "beta-0.5"} and {r["n_train"] for r in noise} == {60, 80}

    printed = "\n".join(lines)
    assert "weighted F1" in printed and "test accuracy" not in printed  # the reference's metric is logged
    row = next(line for line in printed.splitlines() if "labelled_per_class=6 | KNN | beta-norm" in line)
    ours = [r["f1_weighted"] for r in results["records"]
            if r["protocol"].endswith("=6") and r["method"] == "noise" and r["variant"] == "beta-norm"][0]
    assert f"{ours:.3f} (talk 0.250, {ours - 0.25:+.3f})" in row and "(talk 0.500," in row
    other = next(line for line in printed.splitlines() if "labelled_per_class=4 | KNN | beta-norm" in line)
    assert "talk" not in other  # the row's selectors chose k = 6 only


def test_variants_that_change_only_generation_share_one_vae_and_reach_every_method(tmp_path):
    config = ExperimentConfig.from_dict({**GRID, "protocols": [{"name": "few-shot", "labelled_per_class": 4}],
                                         "latent_dims": [2], "seeds": [0], "paper": {},
                                         "methods": ["noise", "smote", "conditional-prior"],
                                         "conditional": {"min_steps": 20, "hidden_units": 16},
                                         "variants": [{"name": "2", "n_per_class": 2},
                                                      {"name": "7", "n_per_class": 7}]})
    results = run_experiment(config, tmp_path, progress=False, log=lambda _: None)
    assert sorted(v["kind"] for v in results["vaes"]) == ["conditional", "vae"]  # one of each for both amounts
    n_train = {(r["method"], r["variant"]): r["n_train"] for r in results["records"]}
    # The amount reaches the VAE's methods, the baselines (run per amount) and the conditional model alike.
    assert n_train == {("baseline", None): 40, **{(m, v): 40 + 10 * int(v) for m in config.methods
                                                   for v in ("2", "7")}}
    # An axis of variants is drawn as curves: a PNG, one panel per classifier.
    assert (tmp_path / "variants.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # With the conditional model on images: Kingma's class x style grid, from the cached model.
    assert (tmp_path / "styles.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_runner_chooses_per_classifier_and_keeps_the_choice_and_cv_table(tmp_path):
    lines = []
    results = run_experiment(ExperimentConfig.from_dict(TINY_AUTO), tmp_path, progress=False, log=lines.append)
    auto = [r for r in results["records"] if r["method"] == "auto"]
    assert [r["classifier"] for r in auto] == ["knn", "svm"]
    for record in auto:
        cv = record["generated"]["cv"]
        # the run hands auto its unlabelled pool, so label spreading over it is a candidate
        assert cv[0]["candidate"] == "none" and len(cv) == 1 + len(default_candidates(images=True, unlabelled=True))
        assert record["generated"]["choice"] in [row["candidate"] for row in cv]
        assert record["n_train"] == 60 + record["generated"]["made"]
    assert len(results["vaes"]) == 1  # auto and the chain use the VAE the other methods use
    chained = [r for r in results["records"] if r["method"] == "affine+extrapolation"]
    assert {r["n_train"] for r in chained} == {60 * 4}  # as many new rows as extrapolation alone
    markdown = (tmp_path / "results.md").read_text()
    assert "## What auto chose" in markdown and "| knn | 0 |" in markdown
    assert any("What auto chose" in line for line in lines)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["records"][-1]["generated"]["cv"] == auto[-1]["generated"]["cv"]


def test_the_plan_lists_every_cell_once_in_the_order_they_run():
    config = ExperimentConfig.from_dict({**GRID, "methods": ["noise", "smote"], "train_on": ["both", "generated"],
                                         "paper": {}})
    plan = plan_cells(config)
    keys = [cell.key for cell in plan]
    assert len(keys) == len(set(keys))
    per_split = len(config.classifiers) * (1 + 2 + 2 * len(config.latent_dims))  # baseline, smote x2, noise x2 per z
    assert len(plan) == 2 * 2 * per_split  # 2 protocols x 2 seeds
    first = plan[:per_split]
    # the data-space baseline and the baselines come first, without a latent size; then each latent size
    assert [(c.column, c.latent_dim) for c in first[:3]] == [("baseline", None), ("smote", None),
                                                            ("smote (generated only)", None)]
    assert {c.latent_dim for c in first[3:]} == set(config.latent_dims)
    assert all(c.spec is None for c in plan if c.column == "baseline")
    assert {c.spec.name for c in plan if c.spec} == {"noise", "smote"}


def _scores(results):
    """The records without their timings: what a run computes, whatever ran it."""
    return [{k: v for k, v in r.items() if k != "seconds"} for r in results["records"]]


def test_two_workers_give_the_same_results_cell_for_cell_and_train_each_model_once(tmp_path):
    # At the same threads per worker: PyTorch's CPU sums depend on the thread count, not on the worker count.
    one = run_experiment(ExperimentConfig.from_dict({**GRID, "execution": {"jobs": 1, "threads": 1}}),
                         tmp_path / "one", progress=False, log=lambda _: None)
    two = run_experiment(ExperimentConfig.from_dict({**GRID, "execution": {"jobs": 2, "threads": 1}}),
                         tmp_path / "two", progress=False, log=lambda _: None)
    assert _scores(two) == _scores(one)  # the same cells, in the plan's order, with the same scores
    keys = [v["key"] for v in two["vaes"]]
    assert len(keys) == len(set(keys)) == len(one["vaes"])  # each model trained once, by one worker


cells_as_tasks = runner._cells_as_tasks


def test_with_more_workers_than_groups_each_cell_is_a_task_with_the_same_results(tmp_path, monkeypatch):
    """Two groups (the baselines, the VAE's methods) and four workers: the cells run apart, the VAE trains once,
    and each cell scores what it scores inside its group (every method's samples, every classifier)."""
    grid = {**ONE_CELL, "methods": ["noise", "interpolation", "smote", "multi-vae", "auto"],
            "classifiers": ["knn", "svm"]}
    one = run_experiment(ExperimentConfig.from_dict({**grid, "execution": {"jobs": 1, "threads": 1}}),
                         tmp_path / "one", progress=False, log=lambda _: None)
    split = []
    monkeypatch.setattr(runner, "_cells_as_tasks", lambda groups: split.append(groups) or cells_as_tasks(groups))
    four = run_experiment(ExperimentConfig.from_dict({**grid, "execution": {"jobs": 4, "threads": 1}}),
                          tmp_path / "four", progress=False, log=lambda _: None)
    assert [len(groups) for groups in split] == [2]
    plan = plan_cells(ExperimentConfig.from_dict(grid))
    assert len({(c.protocol["label"], c.latent_dim, c.variant) for c in plan}) == 2 < 4
    assert _scores(four) == _scores(one)
    keys = [v["key"] for v in four["vaes"]]
    assert len(keys) == len(set(keys)) == len(one["vaes"])


def test_an_interrupted_run_resumes_in_parallel(tmp_path):
    whole = run_experiment(ExperimentConfig.from_dict({**GRID, "execution": {"threads": 1}}), tmp_path / "whole",
                           progress=False, log=lambda _: None)
    interrupt(tmp_path / "whole", whole["records"][:5])  # as if stopped after five cells
    resumed = run_experiment(ExperimentConfig.from_dict({**GRID, "execution": {"jobs": 2, "threads": 1}}),
                             tmp_path / "whole",
                             progress=False, log=lambda _: None)
    assert _scores(resumed) == _scores(whole) and resumed["complete"]


@pytest.mark.parametrize("execution, message", [
    ({"jobs": 0}, "jobs"), ({"backend": "spark"}, "backend"), ({"jobs": 2, "workers": 3}, "Unknown key"),
    ({"scheduler": "tcp://host:8786"}, "scheduler"), ({"threads": 0}, "threads"),
])
def test_bad_execution_settings_are_refused_before_anything_runs(execution, message):
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_dict({**GRID, "execution": execution}).validate()


def test_a_grid_runs_on_a_dask_cluster_with_the_same_results(tmp_path):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    one = run_experiment(ExperimentConfig.from_dict({**ONE_CELL, "execution": {"threads": 1}}), tmp_path / "one",
                         progress=False, log=lambda _: None)
    dask = run_experiment(ExperimentConfig.from_dict({**ONE_CELL, "execution": {"jobs": 2, "threads": 1,
                                                                                 "backend": "dask"}}),
                          tmp_path / "dask", progress=False, log=lambda _: None)
    assert _scores(dask) == _scores(one)


def test_a_parallel_run_given_relative_paths_writes_only_where_it_was_asked(tmp_path, monkeypatch):
    """joblib reuses its workers, which keep the folder they started in: the runner hands them absolute paths."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run_experiment(ExperimentConfig.from_dict({**ONE_CELL, "execution": {"jobs": 2}}), "first", progress=False,
                   log=lambda _: None)  # the workers start here
    monkeypatch.chdir(tmp_path)
    run_experiment(ExperimentConfig.from_dict({**ONE_CELL, "seeds": [1], "execution": {"jobs": 2}}), "second",
                   progress=False, log=lambda _: None)
    assert (tmp_path / "second" / "results.json").is_file() and not (elsewhere / "second").exists()
    assert [p.is_dir() for p in (tmp_path / "second" / "vaes").iterdir()].count(True) == 1


def test_the_conditional_methods_run_in_a_grid_and_their_model_is_cached(tmp_path):
    grid = {**ONE_CELL, "methods": ["conditional-prior", "style-transfer+agree", "pseudo-label", "interpolation+agree",
                                    "conditional-classifier"],
            "conditional": {"epochs": 1, "min_steps": 300, "hidden_units": 16, "threshold": 0.0}}
    first = run_experiment(ExperimentConfig.from_dict(grid), tmp_path / "first", vae_cache=tmp_path / "cache",
                           progress=False, log=lambda _: None)
    methods = {r["method"]: r for r in first["records"]}
    assert set(methods) == {"baseline", *grid["methods"]}
    assert all(r["generated"]["made"] > 0 for m, r in methods.items() if m not in ("baseline", "conditional-classifier"))
    assert sorted(v["kind"] for v in first["vaes"]) == ["conditional", "vae"]
    # The model's own classifier is a column: its test accuracy, the one in the model's training record.
    assert methods["conditional-classifier"]["accuracy"] == pytest.approx(
        next(v for v in first["vaes"] if v["kind"] == "conditional")["test_accuracy"], abs=1e-6)
    again = run_experiment(ExperimentConfig.from_dict(grid), tmp_path / "again", vae_cache=tmp_path / "cache",
                           progress=False, log=lambda _: None)
    assert again["vaes"] == [] and _scores(again) == _scores(first)  # both models loaded, same scores
    with pytest.raises(ValueError, match="Unknown key"):
        ExperimentConfig.from_dict({**grid, "conditional": {"epoch": 3}}).validate()


def test_soft_targets_reach_only_the_classifiers_that_weigh_them(tmp_path):
    """kNN ignores weights: given soft targets it would see an unsure sample under every likely label, so it
    gets each pseudo-labelled sample once; the SVM, in the same run, gets the soft targets."""
    grid = {**ONE_CELL, "methods": ["pseudo-label"], "classifiers": ["knn", "svm"],
            "augmentation": {"n_per_class": 5},
            "conditional": {"epochs": 1, "min_steps": 30, "hidden_units": 16, "threshold": 0.0, "soft_labels": True}}
    results = run_experiment(ExperimentConfig.from_dict(grid), tmp_path, progress=False, log=lambda _: None)
    made = {r["classifier"]: r for r in results["records"] if r["method"] == "pseudo-label"}
    labelled = next(r["n_train"] for r in results["records"] if r["method"] == "baseline")
    assert made["knn"]["n_train"] == labelled + made["knn"]["generated"]["made"]  # one entry per sample
    assert made["svm"]["generated"]["made"] == made["knn"]["generated"]["made"]
    assert made["svm"]["n_train"] > made["knn"]["n_train"]  # an unsure sample once per likely label


def test_auto_with_the_conditional_candidates_in_a_grid(tmp_path):
    candidates = [{"method": "pseudo-label", "n_per_sample": 1}, {"method": "interpolation", "alpha": 0.25}]
    grid = {**TINY_AUTO, "methods": ["auto"], "classifiers": ["knn"],
            "auto": {"conditional": True, "cv": 2, "candidates": candidates},
            "conditional": {"epochs": 1, "min_steps": 30, "hidden_units": 16}}
    results = run_experiment(ExperimentConfig.from_dict(grid), tmp_path, progress=False, log=lambda _: None)
    (record,) = [r for r in results["records"] if r["method"] == "auto"]
    cv = record["generated"]["cv"]
    assert [row["candidate"] for row in cv] == ["none", "pseudo-label x1", "interpolation a=0.25 x3"]
    assert all(len(row["scores"]) == 2 and row["mean"] is not None for row in cv)  # auto.cv reached it
    assert sorted(v["kind"] for v in results["vaes"]) == ["conditional", "vae"]


def test_a_table_with_text_columns_trains_its_classifiers_on_rows_it_could_hold(tmp_path, monkeypatch):
    # issue 32: generated rows of a mixed table are decoded to valid categories before a classifier sees them
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    pd.DataFrame({"size": rng.normal(size=80), "colour": rng.choice(["red", "blue", "green"], 80),
                  "label": np.repeat(["a", "b"], 40)}).to_csv(tmp_path / "t.csv", index=False)
    seen = []
    original = runner.score_classifier
    monkeypatch.setattr(runner, "score_classifier", lambda clf, X, y, *rest, **kw: seen.append(X)
                        or original(clf, X, y, *rest, **kw))
    grid = {**ONE_CELL, "datasets": [str(tmp_path / "t.csv")], "methods": ["interpolation", "smote"],
            "classifiers": ["knn"]}
    run_experiment(ExperimentConfig.from_dict(grid), tmp_path / "run", progress=False, log=lambda _: None)
    assert len(seen) == 3  # the baseline, interpolation, SMOTE
    for X in seen:  # the table's own rows: score_classifier one-hots the colour, scales the size
        assert list(X.columns) == ["size", "colour"] and set(X["colour"]) <= {"red", "blue", "green"}
