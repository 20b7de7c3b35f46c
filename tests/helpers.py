"""Small data and configs that tests in several folders share (tests/ is on pytest's pythonpath)."""

import json
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import KNeighborsClassifier

# A grid of 2 protocols x 2 latent sizes x 2 methods x 2 seeds, for the runner, the cache and the CLI.
GRID = {
    "name": "tiny",
    "datasets": ["digits"],
    "protocols": [{"name": "few-shot", "labelled_per_class": [4, 6]}],
    "latent_dims": [3, 5],
    "methods": ["noise", "extrapolation"],
    "classifiers": ["knn"],
    "seeds": [0, 1],
    "vae": {"max_epochs": 2, "hidden_units": 32},
    "paper": {"baseline": {"knn": 50.0}, "results": {"knn": {5: {"noise": 40.0}}}},
}

# One cell: the cheapest grid that trains a VAE.
ONE_CELL = {"name": "tiny", "datasets": ["digits"], "protocols": [{"name": "few-shot", "labelled_per_class": 4}],
            "latent_dims": [3], "methods": ["noise"], "classifiers": ["knn"], "seeds": [0],
            "vae": {"max_epochs": 2, "hidden_units": 32}}

# The talk's methods on a one-seed grid, and auto beside the chains.
# The VAE settings are pinned: two epochs at the library's defaults leave the prior draws too ambiguous to label.
TALK = {**GRID, "protocols": [{"name": "few-shot", "labelled_per_class": 5}], "latent_dims": [3], "seeds": [0],
        "methods": ["interpolation+noise", "prior+gc", "multi-vae"], "augmentation": {"n_per_class": 4}, "paper": {},
        "vae": {**GRID["vae"], "beta": 1.0, "batch_size": 128, "patience": 5}}

TINY_AUTO = {
    "name": "tiny-auto", "datasets": ["digits"], "protocols": [{"name": "few-shot", "labelled_per_class": 6}],
    "latent_dims": [3], "methods": ["interpolation", "affine+extrapolation", "auto"], "classifiers": ["knn", "svm"], "seeds": [0],
    "vae": {"max_epochs": 2, "hidden_units": 32},
}


def strokes(n=300, size=12, seed=0):
    """Clean images: one bright horizontal or vertical bar per image, at a random place."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n, size, size), dtype=np.float32)
    for image, place, vertical in zip(X, rng.integers(2, size - 3, n), rng.integers(0, 2, n)):
        if vertical:
            image[:, place:place + 2] = 1
        else:
            image[place:place + 2, :] = 1
    return X


def interrupt(run_dir, keep):
    """Make ``run_dir`` look like a run stopped after the records ``keep`` finished: its log holds them, and the
    summary (results.json, written when a grid completes) is not there yet."""
    log = Path(run_dir) / "records.jsonl"
    header, *lines = log.read_text().splitlines()
    trained = [v for line in lines for v in json.loads(line)["vaes"]]  # the models stay trained, in the cache
    entries = [{"record": r, "vaes": trained if n == 0 else []} for n, r in enumerate(keep)]
    log.write_text(header + "\n" + "".join(json.dumps(e) + "\n" for e in entries))
    (Path(run_dir) / "results.json").unlink(missing_ok=True)


def bars(n, seed):
    """Images of a bright top half (class 'top') or bottom half ('bottom'), with noise: separable."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 0.2, size=(n, 8, 8)).astype(np.float32)
    y = np.where(rng.uniform(size=n) < 0.5, "top", "bottom")
    X[y == "top", :4] += 0.7
    X[y == "bottom", 4:] += 0.7
    return X, y


class NeedsMore(ClassifierMixin, BaseEstimator):
    """1-NN given more than ``least`` training rows, else the first class always: more data always scores higher."""

    def __init__(self, least=6):
        self.least = least

    def fit(self, X, y):
        self.knn_ = KNeighborsClassifier(1).fit(X.reshape(len(X), -1), y) if len(X) > self.least else None
        self.classes_, self.first_ = np.unique(y), np.asarray(y)[0]
        return self

    def predict(self, X):
        return self.knn_.predict(X.reshape(len(X), -1)) if self.knn_ else np.full(len(X), self.first_)
