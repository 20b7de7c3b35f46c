"""The latent moves as pure functions, tested against the paper's equations (vaeaug.generation.latent)."""

import numpy as np
import pytest

from vaeaug import add_noise, alter, extrapolate, interpolate, sample_prior
from vaeaug.generation.codes import label_by_neighbours

CODES = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [1.5, 0.1], [10.0, 0.0]])


LABELS = np.array([0, 0, 0, 1, 1])


NEAREST = np.array([1, 0, 1, 4, 3])  # each code's nearest same-class code


def test_interpolation_follows_eq_9_with_same_class_neighbours():
    new = interpolate(CODES, LABELS, alpha=0.25, n_neighbors=1)
    # Nearest same-class neighbours: 0->1, 1->0, 3->1 (never the class-1 point at 1.5), 1.5->10, 10->1.5.
    neighbour = np.array([1, 0, 1, 4, 3])
    expected = CODES + 0.25 * (CODES[neighbour] - CODES)
    np.testing.assert_allclose(new.codes, expected)
    np.testing.assert_array_equal(new.labels, LABELS)
    np.testing.assert_array_equal(new.source, np.arange(5))


def _shares(new, codes, partner):
    """How far along the segment from its source to ``partner`` each new code lies (nan if off the segment)."""
    step = codes[partner] - codes[new.source]
    share = np.einsum("ij,ij->i", new.codes - codes[new.source], step) / np.einsum("ij,ij->i", step, step)
    on_line = np.allclose(codes[new.source] + share[:, None] * step, new.codes)
    return share if on_line else np.full(len(share), np.nan)


def test_mutual_neighbours_at_one_half_do_not_make_one_midpoint_twice():
    # At alpha = 0.5 the trips 0 -> 1 and 1 -> 0 reach the same point (so do 3 -> 4 and 4 -> 3): the second of
    # each goes a random share of the way instead, on the same segment (issue 33, item 1).
    new = interpolate(CODES, LABELS, alpha=0.5, n_neighbors=1, random_state=0)
    share = _shares(new, CODES, NEAREST)
    assert len(np.unique(new.codes, axis=0)) == 5
    np.testing.assert_allclose(share[[0, 2, 3]], 0.5)
    assert ((share[[1, 4]] > 0) & (share[[1, 4]] < 0.5)).all()


@pytest.mark.parametrize("method", ["interpolation", "extrapolation", "mixup"])
def test_more_codes_than_neighbours_are_all_distinct_points_of_the_same_segments(method):
    codes = np.random.default_rng(1).normal(size=(12, 3))
    labels = np.repeat([0, 1], 6)
    new = alter(method, codes, labels, alpha=0.5, n_neighbors=2, n_per_sample=10, random_state=0)
    assert len(new.codes) == 120 and len(np.unique(new.codes, axis=0)) == 120
    for row in range(12):  # the 10 codes of a row lie on the segments (or rays) to its 2 nearest neighbours
        mine = new.codes[new.source == row] - codes[row]
        same = labels == labels[row]
        nearest = np.flatnonzero(same)[np.argsort(np.linalg.norm(codes[same] - codes[row], axis=1))[1:3]]
        directions = (codes[nearest] - codes[row]) / np.linalg.norm(codes[nearest] - codes[row], axis=1)[:, None]
        cosines = np.abs(mine @ directions.T) / np.linalg.norm(mine, axis=1)[:, None]
        assert np.allclose(cosines.max(axis=1), 1.0)


def test_a_class_smaller_than_n_neighbors_still_makes_distinct_codes():
    codes = np.random.default_rng(2).normal(size=(30, 2))
    labels = np.repeat([0, 1, 2], 10)
    with pytest.warns(UserWarning, match="fewer than n_neighbors"):
        new = interpolate(codes, labels, n_neighbors=20, n_per_sample=9, random_state=0)
    assert len(new.codes) == 270 and len(np.unique(new.codes, axis=0)) == 270


def test_extrapolation_follows_eq_10():
    new = extrapolate(CODES, LABELS, alpha=0.25, n_neighbors=1)
    neighbour = np.array([1, 0, 1, 4, 3])
    np.testing.assert_allclose(new.codes, CODES + 0.25 * (CODES - CODES[neighbour]))


def test_one_new_code_per_neighbour_and_labels_kept():
    codes = np.random.default_rng(0).normal(size=(30, 4))
    labels = np.repeat(["a", "b", "c"], 10)
    new = interpolate(codes, labels, alpha=0.25, n_neighbors=3)
    assert new.codes.shape == (90, 4)
    np.testing.assert_array_equal(new.labels, labels[new.source])
    assert np.bincount(new.source).tolist() == [3] * 30
    # Every new code lies a quarter of the way from its source to a same-class code.
    partners = (new.codes - 0.75 * codes[new.source]) / 0.25
    for partner, label in zip(partners, new.labels):
        distances = np.linalg.norm(codes - partner, axis=1)
        assert labels[np.argmin(distances)] == label and distances.min() < 1e-9


def test_n_per_sample_picks_a_subset_of_neighbours():
    codes = np.random.default_rng(1).normal(size=(12, 3))
    labels = np.repeat([0, 1], 6)
    new = extrapolate(codes, labels, n_neighbors=3, n_per_sample=2, random_state=0)
    assert len(new.codes) == 24
    # More copies than neighbours go round them again: 5 copies with k = 2 meet each neighbour 2 or 3 times,
    # the first time all the way (alpha = 1), later a random share of it.
    more = interpolate(codes, labels, n_neighbors=2, n_per_sample=5, alpha=1.0, random_state=0)
    assert len(more.codes) == 60
    for row in range(12):
        steps = more.codes[more.source == row] - codes[row]
        directions, counts = np.unique((steps / np.linalg.norm(steps, axis=1)[:, None]).round(9), axis=0,
                                       return_counts=True)
        assert len(directions) == 2 and sorted(counts.tolist()) == [2, 3]
        assert sum(np.isclose(np.linalg.norm(codes - codes[row] - step, axis=1), 0).any() for step in steps) == 2


def test_noise_follows_eq_8():
    scale = np.array([1.0, 2.0])
    new = add_noise(CODES, LABELS, alpha=0.5, n_per_sample=2, scale=scale, random_state=7)
    eps = np.random.default_rng(7).standard_normal((10, 2)) * scale
    np.testing.assert_allclose(new.codes, np.repeat(CODES, 2, axis=0) + 0.5 * eps)
    np.testing.assert_array_equal(new.labels, np.repeat(LABELS, 2))


def test_noise_scale_defaults_to_the_codes_deviation():
    codes = np.random.default_rng(2).normal(scale=[1.0, 5.0], size=(2000, 2))
    new = add_noise(codes, np.zeros(2000), alpha=1.0, random_state=0)
    np.testing.assert_allclose((new.codes - codes).std(axis=0), codes.std(axis=0), rtol=0.1)


def test_same_seed_same_codes():
    a = add_noise(CODES, LABELS, random_state=3).codes
    b = add_noise(CODES, LABELS, random_state=3).codes
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, add_noise(CODES, LABELS, random_state=4).codes)


def test_small_classes_use_the_neighbours_they_have_and_warn():
    codes = np.array([[0.0, 0.3], [1.0, 0.0], [5.0, 0.0], [9.0, 0.1], [10.0, 0.7], [11.0, 0.2], [12.0, 0.9]])
    labels = np.array([0, 0, 1, 2, 2, 2, 2])  # class 0 has 2 samples, class 1 only one
    with pytest.warns(UserWarning, match=r"fewer than n_neighbors \+ 1 = 4.*: 0 \(2\), 1 \(1\)\."):
        new = interpolate(codes, labels, n_neighbors=3)
    counts = np.bincount(new.source, minlength=7)
    assert counts.tolist() == [3, 3, 0, 3, 3, 3, 3]  # class 0's two go to each other thrice, at distinct shares
    assert len(np.unique(new.codes, axis=0)) == 18


def test_alter_dispatches_and_rejects_unknown_methods():
    assert len(alter("noise", CODES, LABELS, n_neighbors=2).codes) == 10  # noise adds n_neighbors per sample
    with pytest.raises(ValueError, match="Unknown method 'rotation'"):
        alter("rotation", CODES, LABELS)


@pytest.mark.parametrize(
    "codes, labels, message",
    [
        (np.zeros(3), [0, 1, 2], "2-D"),
        (np.array([[np.nan, 0.0], [1.0, 1.0]]), [0, 1], "NaN"),
        (CODES, LABELS[:3], "different lengths"),
    ],
)
def test_bad_codes_are_clear_errors(codes, labels, message):
    with pytest.raises(ValueError, match=message):
        interpolate(codes, labels)


def test_latent_smote_is_a_whole_method_of_the_alterations(two_lines):
    X, y = two_lines
    new = alter("latent-smote", X, y, n_neighbors=2, n_per_class=5, random_state=1)
    assert np.bincount(new.labels).tolist() == [5, 5] and (new.source == -1).all()
    with pytest.raises(ValueError, match="alone"):
        alter("latent-smote+noise", X, y)


@pytest.mark.parametrize("method, sign", [("interpolation+noise", 1.0), ("extrapolation+noise", -1.0)])
def test_combined_moves_add_the_neighbour_step_and_the_noise(method, sign):
    scale = np.array([0.5, 2.0])
    new = alter(method, CODES, LABELS, alpha=0.25, n_neighbors=1, scale=scale, random_state=3)
    eps = np.random.default_rng(3).standard_normal((5, 2))
    # z' = ±alpha (z_k - z) + z + alpha * scale * eps
    expected = CODES + sign * 0.25 * (CODES[NEAREST] - CODES) + 0.25 * scale * eps
    np.testing.assert_allclose(new.codes, expected)
    np.testing.assert_array_equal(new.labels, LABELS)


def test_talk_noise_is_unit_scaled_and_paper_noise_follows_the_codes_spread():
    codes = np.random.default_rng(0).normal(scale=[0.1, 10.0], size=(4000, 2))
    labels = np.zeros(4000)
    unit = alter("noise", codes, labels, alpha=0.5, n_per_sample=1, scale=1.0, random_state=0)
    paper = alter("noise", codes, labels, alpha=0.5, n_per_sample=1, random_state=0)
    np.testing.assert_allclose((unit.codes - codes).std(axis=0), [0.5, 0.5], rtol=0.05)
    np.testing.assert_allclose((paper.codes - codes).std(axis=0), [0.05, 5.0], rtol=0.05)


def test_prior_draws_are_labelled_by_unanimous_neighbours():
    codes = np.r_[np.full((5, 2), -3.0), np.full((5, 2), 3.0)] + np.random.default_rng(0).normal(0, .1, (10, 2))
    labels = np.repeat(["left", "right"], 5)
    new = alter("prior", codes, labels, alpha=1.0, n_neighbors=3, n_per_sample=50, random_state=0)
    assert np.all(new.source == -1) and 0 < len(new.codes) <= 500
    assert set(new.labels[new.codes.sum(axis=1) < 0]) == {"left"}
    assert set(new.labels[new.codes.sum(axis=1) > 0]) == {"right"}
    found, sure = label_by_neighbours([[0.0, 0.0]], [[-1.0, 0.0], [1.0, 0.0]], [0, 1], n_neighbors=2)
    assert not sure[0]  # halfway between two classes: ambiguous, dropped
    np.testing.assert_array_equal(sample_prior(3, 2, alpha=0.5, random_state=1),
                                  0.5 * np.random.default_rng(1).standard_normal((3, 2)))


def test_mixup_mixes_each_code_with_a_same_class_neighbour_by_a_beta_share():
    """mixup, added as one move: z + lambda (z_k - z), lambda ~ Beta(alpha, alpha), on the segment to a neighbour."""
    from vaeaug.generation.registry import parse_method

    codes = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 10.0], [10.0, 11.0]])
    labels = np.array([0, 0, 1, 1])
    new = alter("mixup", codes, labels, alpha=0.4, n_neighbors=1, n_per_sample=200, random_state=0)
    share = np.where(new.source % 2 == 0, 1, -1)[:, None] * (new.codes - codes[new.source])
    share = share[:, 0] + share[:, 1]  # the partner is the class's other code, one unit away on one axis
    assert ((share >= 0) & (share <= 1)).all() and (new.labels == labels[new.source]).all()
    # Beta(0.4, 0.4) piles up near 0 and 1, with mean 1/2
    assert abs(share.mean() - 0.5) < 0.05 and ((share < 0.1) | (share > 0.9)).mean() > 0.4
    again = alter("mixup", codes, labels, alpha=0.4, n_neighbors=1, n_per_sample=200, random_state=0)
    np.testing.assert_array_equal(new.codes, again.codes)
    assert alter("mixup+noise", codes, labels, alpha=0.4, n_neighbors=1, scale=0.0, random_state=0).codes.shape == (4, 2)
    assert parse_method("mixup").kind == "vae" and parse_method("multi-vae+mixup+gc").generation == "mixup"
    with pytest.raises(ValueError, match="combines two neighbour moves"):
        alter("mixup+interpolation", codes, labels)
    with pytest.raises(ValueError, match="alpha must be above 0"):
        alter("mixup", codes, labels, alpha=0.0, n_neighbors=1)
