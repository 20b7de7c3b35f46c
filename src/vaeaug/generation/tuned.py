"""``auto`` narrowed to one method, whose settings are chosen per classifier by cross-validation on the
labelled samples: ``affine-cv`` (:class:`TunedAffine`) and ``teacher`` (:class:`Teacher`).

Each is an :class:`~vaeaug.generation.auto.AutoAugmenter` with its own grid of candidates, so it shares
``auto``'s folds, its scoring of no augmentation beside the candidates, its ``cv_results_`` and its summary.
"""

from __future__ import annotations

from sklearn.base import ClassifierMixin

from .._settings import GENERATION, TEACHER, TUNED_AFFINE
from .._typing import ArrayLike, Labels, PathType, RandomState
from .._validation import integer
from .amounts import per_sample
from .augmenter import VAEAugmenter
from .auto import AutoAugmenter
from .candidates import affine_candidates, teacher_candidates
from .conditional import ConditionalAugmenter

__all__ = ["TunedAffine", "Teacher"]


class TunedAffine(AutoAugmenter):
    """``method="affine-cv"``: affine copies whose ranges are chosen for the classifier by cross-validation
    on the labelled samples, as ``auto`` chooses its method: the strong form of the affine rival.

    Fixed ranges (15 degrees, 10 %, 10 %) can be far from right for a data set (on 28x28 images vaeaug was
    not tuned on they scored 1.3 to 3.0 points below milder ones), so a method that beats them may only beat
    a weak rival. The candidates are :func:`affine_candidates` (rotation, shift, elastic distortion) at the
    amount asked for (``n_per_sample``, by default ``n_neighbors``), or ``candidates``; no augmentation is one
    too, and wins unless a range beats it by ``margin``.
    """

    _label = "affine-cv"
    _parameter_constraints = {**AutoAugmenter._parameter_constraints, "n_per_sample": integer(1, optional=True)}

    def __init__(self, classifier: str | ClassifierMixin = "svm", candidates: list[dict] | None = None,
                 cv: int = TUNED_AFFINE.cv, margin: float = TUNED_AFFINE.margin, scoring: str = TUNED_AFFINE.scoring,
                 n_neighbors: int = GENERATION.n_neighbors, n_per_sample: int | None = GENERATION.n_per_sample,
                 random_state: RandomState = None, verbose: bool | str = "auto"):
        super().__init__(None, classifier, candidates, cv, margin, scoring, n_neighbors, random_state, verbose)
        self.n_per_sample = n_per_sample

    def _default_candidates(self, X, pool) -> list[dict]:
        if X.ndim < 3:
            raise ValueError(f"affine-cv changes images, shape (N, height, width) or (N, channels, height, "
                             f"width); got samples of shape {X.shape[1:]}. For feature vectors use smote or a "
                             "VAE method.")
        return affine_candidates(X.shape[-1], per_sample(self.n_per_sample, self.n_neighbors))


def _thresholds(value, name):
    if not isinstance(value, (list, tuple)) or not value or any(
            isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t <= 1 for t in value):
        raise ValueError(f"{name} must be a non-empty list of probabilities in [0, 1] (0: every unlabelled "
                         f"sample); got {value!r}.")


class Teacher(AutoAugmenter):
    """``method="teacher"``: the conditional model's classifier q(y | z) labels the unlabelled samples for the
    user's classifier, as sure as cross-validation says it must be.

    The conditional model (Kingma et al.'s M2 on the VAE's codes) learns from every unlabelled sample, so its
    own classifier can know more than a classifier of the labelled samples alone. Its pseudo-labels carry that
    to the user's classifier: every unlabelled sample it is at least ``threshold`` sure of, for each of
    ``thresholds`` (0: the whole pool), and none. In each stratified fold of the labelled samples a conditional
    model is trained on the fold's labelled part and the unlabelled samples (the held-out part is never seen),
    labels the pool, and the classifier learns from the fold's part and those labels. The threshold with the
    best mean wins, unless no pseudo-labels score as well (then it returns none): a teacher that is not good
    enough for this classifier says so.

    Parameters
    ----------
    augmenter : VAEAugmenter, optional
        The VAE (M1) whose codes the conditional model learns; unfitted, it is fitted without labels on ``X``
        and ``X_unlabelled``. Default: the fitted ``conditional``'s VAE, or ``VAEAugmenter(random_state=...)``.
    classifier : str or estimator, default="svm"
        The classifier to choose for, as in :class:`AutoAugmenter`.
    conditional : ConditionalAugmenter, optional
        The conditional model's settings for the fold models; a fitted one (on all of ``X``) labels the pool
        once the threshold is chosen, an unfitted one is fitted then. Default: ``ConditionalAugmenter()``.
    thresholds : list of float, default=(0.0, 0.5, 0.9, 0.99)
        The least confidences tried.
    weighted : bool, default=True
        Weigh each pseudo-label by q(y | z) of it, in the folds and in ``sample_weight_``, for a classifier
        that takes weights (the SVM, the torch MLP and CNN, the trees; kNN does not); the labelled samples
        weigh 1. With ``ConditionalAugmenter(soft_labels=True)`` as ``conditional``, each pseudo-labelled
        sample comes once per likely class, weighing q(y | z) of it: soft targets (hard ones for a classifier
        that takes no weights, or when not ``weighted``).
    max_pool : int, optional
        Label at most this many unlabelled samples, a random subset (None: all); the conditional models learn
        from them all. It bounds the classifier's fits: each threshold's, in each fold.
    cv_pool : int, optional
        Label at most this many of those in the folds (a random part; None: as many), which only rank the
        thresholds: on restricted MNIST the MLP's fits on 20,000 pseudo-labels are most of the teacher's cost.
    cv, margin, scoring
        As in :class:`AutoAugmenter` (margin 0: any gain over no pseudo-labels counts).
    random_state, verbose, fold_cache
        As in :class:`AutoAugmenter`: a ``fold_cache`` folder keeps the fold models for the next fit on the same
        samples (``auto``'s conditional candidates train the very same ones).

    Attributes
    ----------
    sample_weight_ : ndarray or None
        Set by ``generate``: the weight of each pseudo-label returned (None when not ``weighted``).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> vae = VAEAugmenter(latent_dim=4, max_epochs=2, random_state=0)
    >>> teacher = Teacher(vae, classifier="knn", thresholds=[0.9], random_state=0,
    ...                   conditional=ConditionalAugmenter(hidden_units=32, epochs=1, min_steps=0))
    >>> X_new, y_new = teacher.fit(X[:60] / 16, y[:60], X_unlabelled=X[60:300] / 16).generate(X[:60] / 16, y[:60])
    >>> [row["candidate"] for row in teacher.cv_results_]
    ['none', 'pseudo-label t=0.9 all']
    """

    _label = "teacher"
    _parameter_constraints = {**AutoAugmenter._parameter_constraints, "thresholds": _thresholds}

    def __init__(self, augmenter: VAEAugmenter | None = None, classifier: str | ClassifierMixin = "svm",
                 conditional: ConditionalAugmenter | None = None,
                 thresholds: tuple[float, ...] | list[float] = TEACHER.thresholds, cv: int = TEACHER.cv,
                 margin: float = TEACHER.margin, scoring: str = TEACHER.scoring, weighted: bool = TEACHER.weighted,
                 max_pool: int | None = TEACHER.max_pool, cv_pool: int | None = TEACHER.cv_pool,
                 random_state: RandomState = None, verbose: bool | str = "auto", fold_cache: PathType | None = None):
        super().__init__(augmenter, classifier, None, cv, margin, scoring, GENERATION.n_neighbors, random_state,
                         verbose, conditional, max_pool, cv_pool, None, fold_cache, weighted)
        self.thresholds = thresholds

    def _vae_template(self) -> VAEAugmenter:
        if self.augmenter is not None:
            return self.augmenter
        if hasattr(self.conditional, "augmenter_"):
            return self.conditional.augmenter_
        return VAEAugmenter(random_state=self.random_state, verbose=self.verbose)

    def _conditional_template(self) -> ConditionalAugmenter:
        return self.conditional if self.conditional is not None else \
            ConditionalAugmenter(random_state=self.random_state, verbose=self.verbose)

    def _default_candidates(self, X, pool) -> list[dict]:
        return teacher_candidates(self.thresholds)

    def fit(self, X: ArrayLike, y: Labels, X_unlabelled: ArrayLike | None = None) -> Teacher:
        """Choose the threshold on the folds of ``(X, y)``, each fold's conditional model learning from
        ``X_unlabelled`` too, the samples it labels."""
        if X_unlabelled is None or len(X_unlabelled) == 0:
            raise _no_pool()
        return super().fit(X, y, X_unlabelled=X_unlabelled)

    def _check_resample(self, X, y, fit_params):
        if fit_params.get("X_unlabelled") is None:
            raise _no_pool()


def _no_pool() -> ValueError:
    return ValueError("teacher labels unlabelled samples with the conditional model, and none were given; pass "
                      "them: fit(X, y, X_unlabelled=pool) or fit_resample(X, y, X_unlabelled=pool) (vaeaug "
                      "augment: --unlabelled FILE).")

