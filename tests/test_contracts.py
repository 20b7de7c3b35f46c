"""scikit-learn's and imbalanced-learn's common checks on vaeaug's estimators."""

import pytest
import sklearn
from sklearn.utils import estimator_checks as sklearn_checks  # noqa: E402

from vaeaug import VAEAugmenter  # noqa: E402

imblearn_checks = pytest.importorskip("imblearn.utils.estimator_checks")


if tuple(int(part) for part in sklearn.__version__.split(".")[:2]) < (1, 6):
    pytest.skip("estimator tags and expected_failed_checks arrived in scikit-learn 1.6", allow_module_level=True)


FAST = dict(latent_dim=2, hidden_units=8, max_epochs=1, batch_size=16, random_state=0)


NOT_APPLICABLE = {
    "check_dtype_object": "vaeaug raises ValueError for every bad input, so callers catch one type; "
                          "scikit-learn expects TypeError for a non-numeric X",
    "check_samplers_fit": "sampling_strategy_ belongs to imbalanced-learn's BaseSampler; vaeaug's amounts are "
                          "n_per_sample and n_per_class, read when generating, not when fitting the VAE",
    "check_samplers_multiclass_ova": "labels are one class per sample (1-D); one-hot label matrices are refused",
}


def expected_failures(estimator):
    return NOT_APPLICABLE


@imblearn_checks.parametrize_with_checks(
    [VAEAugmenter(**FAST), VAEAugmenter(**FAST, space="latent")], expected_failed_checks=expected_failures)
def test_sampler_checks(estimator, check):
    check(estimator)


@sklearn_checks.parametrize_with_checks(
    [VAEAugmenter(**FAST), VAEAugmenter(**FAST, space="latent")], expected_failed_checks=expected_failures)
def test_sklearn_common_checks(estimator, check):
    check(estimator)
