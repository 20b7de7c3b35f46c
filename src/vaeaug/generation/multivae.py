"""``MultiVAEAugmenter``: one VAE per class (the 2023 talk's Multi-VAE, after Moreno-Barea et al. 2020).

Each class gets its own VAE, trained on that class's samples plus, optionally,
a share of other classes' samples (the "mix-in"). Every sample a class's VAE
makes takes that class's label, so prior sampling needs no labeller. Unlike the
single VAE it needs labels to train, and so cannot learn from unlabelled data.
"""

from __future__ import annotations


import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from .._settings import MULTI_VAE
from .._typing import ArrayLike, Labels, RandomState
from .._validation import (check_feature_names, check_labels, check_params, check_same_layout,
                           check_samples, remember_feature_names, seed, share, verbosity)
from ..vae.loop import bar_disable
from ..vae.saving import SavedEstimator
from ..vae.training import fitting_as
from .amounts import class_targets, per_sample
from .augmenter import GENERATION_SETTINGS, VAEAugmenter
from .sampler import SamplerMixin

__all__ = ["MultiVAEAugmenter"]



def _check_template(template, name):
    if template is None:
        return
    if not isinstance(template, VAEAugmenter):
        raise ValueError(f"{name} must be a VAEAugmenter; got {type(template).__name__}.")
    check_params(template)
    if template.space != "data":
        raise ValueError("MultiVAEAugmenter needs space='data': each class has its own latent space, so "
                         "codes from different classes cannot be compared. Use one VAEAugmenter for "
                         "latent features.")


class MultiVAEAugmenter(SamplerMixin, SavedEstimator, BaseEstimator):
    """One VAE per class; each class's new samples come from its own VAE.

    Parameters
    ----------
    augmenter : VAEAugmenter, optional
        The template for every class's VAE: its latent size, beta, training
        settings, and how it generates (``method``: ``"prior"`` by default
        here, or any alteration within the class's latent space; ``filter``;
        the amount). Defaults to ``VAEAugmenter(method="prior")``.
    mix_in : float, default=0.2
        Share of each class's VAE training set drawn from the other classes
        (0.2: 20 %, as in the talk); 0 trains on the class alone.
    random_state : int, RandomState or None
        Seeds the mix-in draw and every class's VAE.
    verbose : bool or "auto", default="auto"
        A progress bar over the classes: "auto" on a terminal or in a notebook only (not in a redirected log),
        True always, False never. Each class VAE's own bar follows its template's ``verbose``.

    Attributes
    ----------
    classes_ : ndarray
    augmenters_ : list of VAEAugmenter
        The fitted VAE of each class, in the order of ``classes_``.
    generation_report_ : dict
        The per-class reports of the last ``generate``, summed.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> template = VAEAugmenter(latent_dim=2, hidden_units=32, max_epochs=2, n_per_class=3)
    >>> multi = MultiVAEAugmenter(template, random_state=0).fit(X[:100] / 16, y[:100])
    >>> X_new, y_new = multi.generate(X[:100] / 16, y[:100])
    >>> X_new.shape, np.bincount(y_new).tolist()
    ((30, 64), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    """

    saved_file = "multivae.json"  # written last by save()
    _saved_keys = ("template", "mix_in", "random_state", "classes", "input_shape")
    _fitted_attribute = "augmenters_"
    _parameter_constraints = {"augmenter": _check_template, "mix_in": share(), "random_state": seed,
                              "verbose": verbosity}

    def __init__(self, augmenter: VAEAugmenter | None = None, mix_in: float = MULTI_VAE.mix_in, random_state: RandomState = None,
                 verbose: bool | str = "auto"):
        self.augmenter = augmenter
        self.mix_in = mix_in
        self.random_state = random_state
        self.verbose = verbose

    def _template(self) -> VAEAugmenter:
        """The checked template every class's VAE is cloned from."""
        check_params(self)
        return VAEAugmenter(method="prior", verbose=self.verbose) if self.augmenter is None else self.augmenter

    def fit(self, X: ArrayLike, y: Labels) -> MultiVAEAugmenter:
        """Train one VAE per class on its samples plus a ``mix_in`` share of the others'.

        Each class's VAE early-stops on its template's ``validation_fraction`` of
        its own training set.
        """
        template = self._template()
        if y is None:
            raise ValueError("MultiVAEAugmenter requires y to be passed, but the target y is None: it trains one VAE per class, so fit needs the "
                             "labels y.")
        remember_feature_names(self, X)
        X = check_samples(X)
        y = check_labels(y, len(X))
        rng = check_random_state(self.random_state)
        self.classes_ = np.unique(y)
        self.input_shape_ = tuple(X.shape[1:])
        self.n_features_in_ = int(np.prod(self.input_shape_))
        self.augmenters_ = []
        # One bar over the classes (on a terminal only); each class's VAE logs its own line when it is trained.
        for i, label in enumerate(tqdm(self.classes_, desc="class VAEs", unit="class", leave=False,
                                       disable=bar_disable(self.verbose))):
            own, others = np.flatnonzero(y == label), np.flatnonzero(y != label)
            # mix / (own + mix) = mix_in  =>  mix = own * mix_in / (1 - mix_in)
            n_mix = min(len(others), int(round(len(own) * self.mix_in / (1 - self.mix_in))))
            rows = np.concatenate([own, rng.choice(others, n_mix, replace=False)])
            seed = int(rng.randint(np.iinfo(np.int32).max))
            name = f"Class VAE {getattr(label, 'item', lambda: label)()!r} ({i + 1} of {len(self.classes_)}"
            seeded = isinstance(self.random_state, (int, np.integer))
            with fitting_as(name + (f", random_state {self.random_state})" if seeded else ")")):
                self.augmenters_.append(clone(template).set_params(random_state=seed).fit(X[rows]))
        return self

    def generate(self, X: ArrayLike, y: Labels) -> tuple[np.ndarray, np.ndarray]:
        """New samples for each class of ``y``, made by that class's VAE from that class's samples.

        How many per class follows the template's amount over the whole ``y``,
        so ``n_per_class="balance"`` balances across classes.
        """
        check_is_fitted(self, "augmenters_")
        template = self._template()
        check_feature_names(self, X)
        X = check_samples(X)
        check_same_layout(X, self.input_shape_)
        y = check_labels(y, len(X), min_classes=1)
        unknown = sorted(set(y.tolist()) - set(self.classes_.tolist()))
        if unknown:
            raise ValueError(f"Classes {unknown} have no VAE: this MultiVAEAugmenter was fitted on classes "
                             f"{self.classes_.tolist()}. Fit it on data with every class.")
        settings = {name: getattr(template, name) for name in GENERATION_SETTINGS}
        targets = class_targets(y, n_per_sample=per_sample(template.n_per_sample, template.n_neighbors),
                                n_per_class=template.n_per_class)
        parts, reports = [], []
        for label, augmenter in zip(self.classes_, self.augmenters_):
            rows = y == label
            key = label.item() if isinstance(label, np.generic) else label  # class_targets keys are Python values
            if not rows.any() or targets[key] == 0:
                continue
            augmenter.set_params(**{**settings, "n_per_class": targets[key]})
            parts.append(augmenter.generate(X[rows], y[rows]))
            reports.append(augmenter.generation_report_)
        self.generation_report_ = _sum_reports(reports)
        if not parts:
            return np.empty((0,) + self.input_shape_, dtype=np.float32), y[:0]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    # -- persistence (vaeaug.vae.saving): each class's VAE under class-<i>, then multivae.json ----------------

    def _save_parts(self, path):
        for i, augmenter in enumerate(self.augmenters_):
            augmenter.save(path / f"class-{i}")

    def _saved_state(self):
        return {"mix_in": self.mix_in, "random_state": self.random_state, "template": self._template().get_params(),
                "classes": self.classes_.tolist(), "input_shape": list(self.input_shape_)}

    @classmethod
    def _from_saved(cls, state, device):
        multi = cls(VAEAugmenter(**state["template"]), mix_in=state["mix_in"], random_state=state["random_state"])
        check_params(multi)
        return multi

    def _load_parts(self, path, state, device):
        self.classes_ = np.asarray(state["classes"])
        self.input_shape_ = tuple(state["input_shape"])
        self.n_features_in_ = int(np.prod(self.input_shape_))
        self.augmenters_ = [VAEAugmenter.load(path / f"class-{i}", device=device) for i in range(len(self.classes_))]


def _sum_reports(reports):
    total = {key: sum(r[key] for r in reports) for key in ("requested", "made", "rounds", "drawn", "dropped",
                                                           "repeated", "rejected")}
    judged = [r for r in reports if r["acceptance_rate"] is not None]
    accepted = sum(r["acceptance_rate"] * (r["drawn"] - r["dropped"]) for r in judged)
    seen = sum(r["drawn"] - r["dropped"] for r in judged)
    total["acceptance_rate"] = accepted / seen if judged and seen else None
    total["missing"] = {k: v for r in reports for k, v in r["missing"].items()}
    return total
