"""What a user would do instead of a VAE: SMOTE, small affine changes of images, or labelling more data.

Each baseline is a sampler shaped like the augmenters: parameters in
``__init__``, ``fit``, ``generate(X, y)`` returning the new samples only,
``fit_resample(X, y)`` returning the originals followed by them, and a
``generation_report_``. They make as many samples as the VAE methods do with
the same settings (:func:`vaeaug.generation.amounts.class_targets`: ``n_per_sample``
per labelled sample, by default ``n_neighbors``, or ``n_per_class``), so a
baseline column adds the same number of rows as a VAE column.

* :class:`SMOTESampler` - imbalanced-learn's SMOTE on the samples themselves
  (flattened pixels or features);
* :class:`AffineSampler` - each image rotated, shifted and scaled at random
  (scikit-image), the classic image augmentation;
* :class:`RealSampler` - more *real* labelled samples, drawn from a labelled
  pool: the upper bound of Wong et al. (2016), for when the pool's labels are
  known, as in the benchmarks.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._settings import GENERATION
from .._typing import ArrayLike, Labels, RandomState
from ..data.tables import TableCodec, is_mixed_table
from .._validation import check_labels, check_positive, check_samples, check_seed, remember_feature_names
from .amounts import check_amount_fits, class_targets, per_sample, source_rows
from .codes import mark_repeats, smote
from .filtering import warn_short
from .sampler import SamplerMixin

__all__ = ["SMOTESampler", "AffineSampler", "RealSampler", "SAMPLERS"]


class _Sampler(SamplerMixin, BaseEstimator):
    """What the baselines share: the amount, the report, and ``fit_resample``."""

    def __init__(self, n_neighbors: int = GENERATION.n_neighbors, n_per_sample: int | None = GENERATION.n_per_sample,
                 n_per_class: int | str | dict | None = GENERATION.n_per_class, random_state: RandomState = None):
        self.n_neighbors = n_neighbors
        self.n_per_sample = n_per_sample
        self.n_per_class = n_per_class
        self.random_state = random_state

    def _n_per_sample(self) -> int:
        return per_sample(self.n_per_sample, self.n_neighbors)

    def _targets(self, y, X=None) -> dict:
        targets = class_targets(y, n_per_sample=self._n_per_sample(), n_per_class=self.n_per_class)
        if X is not None:  # the new samples, in float64 and copied once more by imbalanced-learn's SMOTE
            check_amount_fits(targets, 3 * 8 * int(np.prod(X.shape[1:])))
        return targets

    def _checked(self, X, y):
        check_positive(self.n_neighbors, name="n_neighbors", integer=True)
        check_seed(self.random_state, name="random_state")
        X = check_samples(X)
        return X, check_labels(y, len(X), min_classes=1)

    def _report(self, targets, y_new, repeated=0) -> None:
        made = {c: int(np.sum(y_new == c)) for c in targets}
        self.generation_report_ = {
            "requested": int(sum(targets.values())), "made": len(y_new), "rounds": 1, "repeated": repeated,
            "acceptance_rate": None, "missing": {c: n - made[c] for c, n in targets.items() if made[c] < n},
        }

    def fit(self, X: ArrayLike | None = None, y: Labels | None = None) -> _Sampler:
        """Nothing to learn (SMOTE and affine changes work from the labelled samples alone); ``X`` and ``y``,
        when given, are checked and their layout kept."""
        if X is not None and is_mixed_table(X):
            self.n_features_in_ = X.shape[1]  # a table with text columns, read by generate itself
        elif X is not None:
            self._set_layout(X, y)
        return self

    def _set_layout(self, X, y=None):
        remember_feature_names(self, X)
        X = check_samples(X)
        if y is not None:
            check_labels(y, len(X), min_classes=1)
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        return X

class SMOTESampler(_Sampler):
    """SMOTE in data space: new samples on segments between same-class neighbours (imbalanced-learn).

    Parameters
    ----------
    n_neighbors : int
        SMOTE's k (fewer when a class is smaller), and, as for the VAE
        methods, the default number of new samples per labelled sample.
    n_per_sample, n_per_class : optional
        The amount, as in :class:`VAEAugmenter`.
    random_state : int, optional

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [6.0, 6.0]])
    >>> X_new, y_new = SMOTESampler(n_neighbors=1, random_state=0).generate(X, [0, 0, 1, 1])
    >>> X_new.shape, y_new.tolist()
    ((4, 2), [0, 0, 1, 1])
    """

    _reads_tables = True  # a DataFrame of mixed types: SMOTE-NC if it has text columns

    def generate(self, X: ArrayLike, y: Labels) -> tuple[np.ndarray, np.ndarray]:
        if is_mixed_table(X):  # integers stay integers; text columns make it SMOTE-NC
            return self._generate_table(X, y)
        X, y = self._checked(X, y)
        return self._smote(X, y)

    def _smote(self, X, y, categorical=None):
        self._targets(y, X)
        new = smote(X, y, n_neighbors=self.n_neighbors, n_per_sample=self.n_per_sample,
                    n_per_class=self.n_per_class, random_state=self.random_state, categorical=categorical)
        # Between two identical samples every new one is a copy of them: kept once would be a repeat.
        labelled = set()
        mark_repeats(X, labelled)
        rows = new.codes.astype(X.dtype, copy=False)
        repeated = mark_repeats(rows, labelled)
        self._report(self._targets(y), new.labels[~repeated], repeated=int(repeated.sum()))
        warn_short(self.generation_report_, "Drop the duplicate rows from the labelled data.")
        return rows[~repeated], new.labels[~repeated]

    def _generate_table(self, X, y):
        """A table with text columns: imbalanced-learn's SMOTE-NC, which interpolates the numbers and gives each
        category column the value most of the neighbours have; integers are rounded, ranges kept."""
        codec = TableCodec(categories="codes").fit(X)
        self.table_codec_ = codec
        encoded = codec.transform(X).astype(np.float64)
        rows, labels = self._smote(encoded, check_labels(y, len(X), min_classes=1),
                                   categorical=list(range(len(codec.numeric_), encoded.shape[1])))
        return codec.inverse_transform(rows), labels


class AffineSampler(_Sampler):
    """Each new image is a labelled image rotated, shifted and scaled at random about its centre.

    The classic image augmentation (as in Wong et al. 2016): angle, shift and
    scale are drawn uniformly from the ranges below, independently for each
    new image; pixels that come from outside the image are 0 (the background
    of MNIST and the digits), and values are interpolated bilinearly
    (scikit-image's ``warp``).

    Parameters
    ----------
    rotation : float
        Largest rotation, in degrees either way.
    shift : float
        Largest shift, as a fraction of the image's height and width.
    scale : float
        Largest relative change of size, either way (0.1: 90 % to 110 %).
    elastic : float
        Strength of an elastic distortion after the affine change (Simard et al. 2003), in pixels: each
        pixel moves by a random field, uniform in [-1, 1] per pixel and axis, smoothed by a Gaussian of
        ``elastic_sigma`` pixels and scaled by ``elastic``. 0 (default) leaves it out.
    elastic_sigma : float
        The smoothing of the elastic field, in pixels (Simard et al.: 4 on 28x28 MNIST).
    n_neighbors, n_per_sample, n_per_class, random_state
        The amount and seed, as in :class:`SMOTESampler` (``n_neighbors`` only
        sets the default amount here).

    Examples
    --------
    >>> images = np.zeros((2, 8, 8)); images[:, 2:6, 3:5] = 1.0
    >>> X_new, y_new = AffineSampler(n_per_sample=2, random_state=0).generate(images, [0, 1])
    >>> X_new.shape, y_new.tolist()
    ((4, 8, 8), [0, 0, 1, 1])
    """

    def __init__(self, rotation: float = 15.0, shift: float = 0.1, scale: float = 0.1, elastic: float = 0.0,
                 elastic_sigma: float = 4.0, n_neighbors: int = GENERATION.n_neighbors,
                 n_per_sample: int | None = GENERATION.n_per_sample,
                 n_per_class: int | str | dict | None = GENERATION.n_per_class, random_state: RandomState = None):
        super().__init__(n_neighbors, n_per_sample, n_per_class, random_state)
        self.rotation = rotation
        self.shift = shift
        self.scale = scale
        self.elastic = elastic
        self.elastic_sigma = elastic_sigma

    def fit(self, X: ArrayLike | None = None, y: Labels | None = None) -> AffineSampler:
        """Nothing to learn; samples other than images are refused here, before a chain trains its VAE."""
        if X is not None:
            _check_images(self._set_layout(X, y))
        return self

    def generate(self, X: ArrayLike, y: Labels) -> tuple[np.ndarray, np.ndarray]:
        from skimage.transform import AffineTransform, warp

        X, y = self._checked(X, y)
        _check_images(X)
        for value, name in ((self.rotation, "rotation"), (self.shift, "shift"), (self.scale, "scale"),
                            (self.elastic, "elastic")):
            check_positive(value, name=name, allow_zero=True)
        check_positive(self.elastic_sigma, name="elastic_sigma")
        if self.scale >= 1:
            raise ValueError(f"scale is the largest relative change of size and must be below 1; got {self.scale}.")
        self._targets(y, X)
        rng = np.random.default_rng(self.random_state)
        source = source_rows(y, n_per_sample=self._n_per_sample(), n_per_class=self.n_per_class, random_state=rng)
        height, width = X.shape[-2:]
        centre = np.array([(width - 1) / 2, (height - 1) / 2])
        angles = np.deg2rad(rng.uniform(-self.rotation, self.rotation, len(source)))
        scales = rng.uniform(1 - self.scale, 1 + self.scale, len(source))
        shifts = rng.uniform(-self.shift, self.shift, (len(source), 2)) * [width, height]
        X_new = np.empty((len(source),) + X.shape[1:], dtype=X.dtype)
        for i, row in enumerate(source):
            # About the centre: move it to the origin, rotate and scale, move it back and shift.
            change = (AffineTransform(translation=-centre)
                      + AffineTransform(scale=scales[i], rotation=angles[i])
                      + AffineTransform(translation=centre + shifts[i]))
            image = np.stack([warp(channel, change.inverse, order=1, mode="constant", cval=0.0, preserve_range=True)
                              for channel in X[row].reshape((-1, height, width))])
            X_new[i] = (_elastic(image, self.elastic, self.elastic_sigma, rng) if self.elastic else image
                        ).reshape(X.shape[1:])
        y_new = y[source]
        self._report(self._targets(y), y_new)
        return X_new, y_new


def _elastic(channels, strength, sigma, rng):
    """Simard et al.'s elastic distortion: every channel resampled along one smoothed random displacement field."""
    from scipy.ndimage import gaussian_filter, map_coordinates

    height, width = channels.shape[-2:]
    dy, dx = (strength * gaussian_filter(rng.uniform(-1, 1, (height, width)), sigma, mode="constant")
              for _ in range(2))
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    return np.stack([map_coordinates(channel, [rows + dy, cols + dx], order=1, mode="constant", cval=0.0)
                     for channel in channels])


def _check_images(X):
    if X.ndim not in (3, 4):
        raise ValueError(f"affine changes images, shape (N, height, width) or (N, channels, height, width); "
                         f"got samples of shape {X.shape[1:]}. For feature vectors use smote or a VAE method.")


class RealSampler(_Sampler):
    """More real labelled samples: for each new sample asked, an unused one of its class from the pool.

    ``fit(X_pool, y_pool)`` takes the pool (in the benchmarks, the unlabelled
    samples with their true labels); ``generate(X, y)`` draws from it as many
    samples per class as a VAE method would make from ``(X, y)``. A class whose
    pool runs out gives what it has, with a warning.

    Examples
    --------
    >>> pool, labels = np.arange(12.0).reshape(6, 2), np.array([0, 0, 0, 1, 1, 1])
    >>> real = RealSampler(n_per_sample=1, random_state=0).fit(pool, labels)
    >>> X_new, y_new = real.generate(np.zeros((2, 2)), [0, 1])
    >>> X_new.shape, y_new.tolist()
    ((2, 2), [0, 1])
    """

    def fit(self, X: ArrayLike, y: Labels | None = None) -> RealSampler:
        """Keep ``(X, y)`` as the pool of real labelled samples to draw from."""
        if y is None:
            raise ValueError("RealSampler draws real labelled samples, so fit needs the pool's labels: "
                             "fit(X_pool, y_pool).")
        if len(X) == 0:  # before the generic check, to say which array is empty
            raise ValueError("The pool of real samples is empty; 'real' needs unlabelled samples whose labels "
                             "are known.")
        self._set_layout(X)
        X, y = self._checked(X, y)
        self.X_pool_, self.y_pool_ = X, y
        return self

    def _check_resample(self, X, y, fit_params):
        if fit_params.get("X_pool") is None or fit_params.get("y_pool") is None:
            raise ValueError("RealSampler draws from a separate pool of labelled samples: "
                             "fit_resample(X, y, X_pool=..., y_pool=...), or fit(X_pool, y_pool) then generate(X, y).")

    def _fit_resample(self, X, y, *, X_pool=None, y_pool=None):
        return self.fit(X_pool, y_pool).generate(X, y)

    def generate(self, X: ArrayLike, y: Labels) -> tuple[np.ndarray, np.ndarray]:
        check_is_fitted(self, "X_pool_")
        X, y = self._checked(X, y)
        if X.shape[1:] != self.X_pool_.shape[1:]:
            raise ValueError(f"The labelled samples have shape {X.shape[1:]} but the pool's have "
                             f"{self.X_pool_.shape[1:]}; give samples of one layout.")
        rng = np.random.default_rng(self.random_state)
        targets = self._targets(y)
        chosen = [rng.choice(members, min(n, len(members)), replace=False)
                  for c, n in targets.items() for members in [np.flatnonzero(self.y_pool_ == c)]]
        chosen = np.concatenate(chosen).astype(int) if chosen else np.empty(0, dtype=int)
        self._report(targets, self.y_pool_[chosen])
        if self.generation_report_["missing"]:
            warnings.warn(f"The pool has too few samples of some classes; missing per class: "
                          f"{self.generation_report_['missing']}.", UserWarning, stacklevel=2)
        return self.X_pool_[chosen], self.y_pool_[chosen]


# Each baseline's method name (registry.BASELINES) and sampler.
SAMPLERS = {"smote": SMOTESampler, "affine": AffineSampler, "real": RealSampler}
