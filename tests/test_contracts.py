"""scikit-learn's and imbalanced-learn's common checks on vaeaug's estimators: each passes, or says why not."""

import pytest
import sklearn
from sklearn.utils import estimator_checks as sklearn_checks

from vaeaug import AutoAugmenter, MultiVAEAugmenter, SMOTESampler, TorchMLPClassifier, VAEAugmenter, VAEDenoiser

imblearn_checks = pytest.importorskip("imblearn.utils.estimator_checks")


if tuple(int(part) for part in sklearn.__version__.split(".")[:2]) < (1, 6):
    pytest.skip("estimator tags and expected_failed_checks arrived in scikit-learn 1.6", allow_module_level=True)


FAST = dict(latent_dim=2, hidden_units=8, max_epochs=1, batch_size=16, random_state=0)
SAMPLERS = [
    VAEAugmenter(**FAST), VAEAugmenter(**FAST, space="latent"),
    AutoAugmenter(VAEAugmenter(**FAST), classifier="knn", cv=2, random_state=0,
                  candidates=[{"method": "interpolation", "n_per_sample": 1}, {"method": "smote", "n_per_sample": 1}]),
    MultiVAEAugmenter(VAEAugmenter(**FAST, method="noise"), random_state=0),
    SMOTESampler(n_neighbors=2, random_state=0),
]
OTHERS = [TorchMLPClassifier(hidden_layers=1, hidden_units=16, max_epochs=50, random_state=0),
          VAEDenoiser(latent_dim=2, hidden_units=8, max_epochs=1, random_state=0)]

NOT_APPLICABLE = {
    "check_dtype_object": "vaeaug raises ValueError for every bad input, so callers catch one type; "
                          "scikit-learn expects TypeError for a non-numeric X",
    "check_samplers_fit": "sampling_strategy_ belongs to imbalanced-learn's BaseSampler; vaeaug's amounts are "
                          "n_per_sample and n_per_class, read when generating, not when fitting",
    "check_samplers_multiclass_ova": "labels are one class per sample (1-D); one-hot label matrices are refused",
    "check_samplers_pandas_sparse": "sparse data is refused with a sentence: the VAE and the moves need dense arrays",
}
# VAEDenoiser learns images in [0, 1] (a Bernoulli likelihood, and scikit-image's noise model clips there) and
# refuses other values, as it should: scikit-learn's test data go beyond 1. No tag says "at most 1"; it declares
# positive_only, and these checks, which feed it values above 1, are expected to fail for that reason.
BEYOND_ONE = "VAEDenoiser refuses values above 1 (images in [0, 1]); scikit-learn's test data have them"
DENOISER_CHECKS = [
    "check_estimators_overwrite_params", "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
    "check_readonly_memmap_input", "check_n_features_in_after_fitting", "check_estimators_dtypes",
    "check_pipeline_consistency", "check_estimators_pickle", "check_f_contiguous_array_estimator",
    "check_transformer_data_not_an_array", "check_transformer_general", "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance", "check_methods_subset_invariance", "check_fit2d_1sample",
    "check_fit2d_1feature", "check_dict_unchanged", "check_fit_idempotent", "check_fit_check_is_fitted",
    "check_n_features_in", "check_fit2d_predict1d",
]


# A weight of 2 is not two copies for a net trained in shuffled mini-batches: a copy can land in another batch.
STOCHASTIC = {"check_sample_weight_equivalence_on_dense_data": "a weight of 2 and two copies of a sample train "
              "a mini-batch net differently: the copies can fall in different batches (as for scikit-learn's "
              "MLPClassifier, which takes no weights for this reason)"}


def expected_failures(estimator):
    if isinstance(estimator, TorchMLPClassifier):
        return {**NOT_APPLICABLE, **STOCHASTIC}
    if isinstance(estimator, VAEDenoiser):
        return {**NOT_APPLICABLE, **{name: BEYOND_ONE for name in DENOISER_CHECKS}}
    if getattr(estimator, "space", "data") == "latent":
        return {**NOT_APPLICABLE, "check_samplers_pandas": "in latent space the columns out are the codes "
                                                           "(vaeaugmenter0, ...), not the input's"}
    return NOT_APPLICABLE


@imblearn_checks.parametrize_with_checks(SAMPLERS, expected_failed_checks=expected_failures)
def test_sampler_checks(estimator, check):
    check(estimator)


@sklearn_checks.parametrize_with_checks(SAMPLERS + OTHERS, expected_failed_checks=expected_failures)
def test_sklearn_common_checks(estimator, check):
    check(estimator)
