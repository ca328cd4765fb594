"""Losses and links: hand-worked values, references, stability, derivatives."""

import numpy as np
import pytest
from sklearn.metrics import log_loss as sk_log_loss
from sklearn.metrics import mean_squared_error

from descend import (
    binary_log_loss,
    log_loss_from_scores,
    sigmoid,
    sigmoid_derivative,
    squared_error_loss,
)
from descend.losses import LogLoss, SquaredError


def test_squared_error_by_hand():
    # residuals 0, 0, 2: J = 4 / (2 * 3)
    assert squared_error_loss([1, 2, 3], [1, 2, 5]) == pytest.approx(2 / 3, rel=1e-15)


def test_squared_error_is_half_sklearn_mse():
    rng = np.random.default_rng(0)
    y, yhat = rng.normal(size=50), rng.normal(size=50)
    assert squared_error_loss(y, yhat) == pytest.approx(0.5 * mean_squared_error(y, yhat), rel=1e-14)


def test_log_loss_by_hand():
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert binary_log_loss([1, 0], [0.8, 0.4]) == pytest.approx(expected, rel=1e-15)


def test_log_loss_matches_sklearn():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 100)
    p = rng.uniform(0.01, 0.99, 100)
    assert binary_log_loss(y, p) == pytest.approx(sk_log_loss(y, p), rel=1e-13)


def test_log_loss_finite_at_exact_zero_and_one():
    # p = 0 for a positive and p = 1 for a negative: clipped at float64 eps.
    value = binary_log_loss([1, 0, 1], [0.0, 1.0, 1.0])
    assert np.isfinite(value)
    assert value == pytest.approx(2 * -np.log(np.finfo(float).eps) / 3, rel=1e-12)


def test_coin_toss_loss_is_minimized_at_heads_over_tosses():
    # 7 heads in 10 tosses: the Bernoulli negative log-likelihood is least at p = 0.7.
    y = np.array([1] * 7 + [0] * 3)
    grid = np.linspace(0.01, 0.99, 981)
    losses = [binary_log_loss(y, np.full(10, p)) for p in grid]
    assert grid[int(np.argmin(losses))] == pytest.approx(0.7, abs=1e-9)


@pytest.mark.parametrize(
    "y, z, expected",
    [
        (1.0, 0.0, np.log(2.0)),
        (0.0, 0.0, np.log(2.0)),
        (1.0, 1e4, 0.0),
        (0.0, 1e4, 1e4),
        (1.0, -1e4, 1e4),
        (0.0, -1e4, 0.0),
        (1.0, 30.0, np.log1p(np.exp(-30.0))),   # tiny, and exact: no cancellation
        (0.0, -40.0, np.log1p(np.exp(-40.0))),
    ],
)
def test_log_loss_from_scores_exact(y, z, expected):
    assert log_loss_from_scores([y], [z]) == pytest.approx(expected, rel=1e-14, abs=0)


def test_log_loss_from_scores_equals_probability_form():
    rng = np.random.default_rng(2)
    z = rng.normal(scale=4, size=200)
    y = rng.integers(0, 2, 200)
    assert log_loss_from_scores(y, z) == pytest.approx(binary_log_loss(y, sigmoid(z)), rel=1e-12)


def test_sigmoid_stable_and_symmetric():
    z = np.array([-1e4, -745.0, -50.0, 0.0, 50.0, 745.0, 1e4])
    s = sigmoid(z)
    assert np.all(np.isfinite(s)) and s[3] == 0.5
    assert s[0] == 0.0 and s[-1] == 1.0
    np.testing.assert_allclose(sigmoid(-z), 1.0 - s, rtol=1e-15, atol=1e-15)


def test_sigmoid_derivative_by_finite_differences():
    z = np.linspace(-8, 8, 33)
    h = 1e-6
    numeric = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
    np.testing.assert_allclose(sigmoid_derivative(z), numeric, rtol=1e-6, atol=1e-9)
    assert sigmoid_derivative(0.0) == 0.25


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_delta_is_the_derivative_of_the_loss_in_z(loss):
    rng = np.random.default_rng(3)
    z = rng.normal(scale=3, size=20)
    y = rng.integers(0, 2, 20).astype(float)
    _, delta = loss.loss_sum_and_delta(z, y)
    h = 1e-6
    for i in range(z.size):
        zp, zm = z.copy(), z.copy()
        zp[i] += h
        zm[i] -= h
        # Row i's own term only: differencing the total of all rows would leave
        # steps of ulp(total) / 2h, about the size of the tolerance.
        row = slice(i, i + 1)
        numeric = (loss.loss_sum_and_delta(zp[row], y[row])[0]
                   - loss.loss_sum_and_delta(zm[row], y[row])[0]) / (2 * h)
        assert delta[i] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_mismatched_lengths_are_named():
    with pytest.raises(ValueError, match="y_true has 3 values but y_pred has 2"):
        squared_error_loss([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="zero examples"):
        binary_log_loss([], [])


# -- the shared exp(-|z|) and the compiled pass's row terms ---------------------

_EDGE_Z = np.array([-1e4, -800.0, -745.0, -40.0, -30.0, -1.0, -1e-300, -0.0, 0.0, 1e-300,
                    1e-8, 1.0, 30.0, 40.0, 745.0, 800.0, 1e4])


def _old_loss_and_delta(z, y):
    # The formulas before one exp was shared: terms summed, and scipy's expit.
    from scipy.special import expit
    terms = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return terms, expit(z) - y


def _assert_within_ulps(actual, expected, operand, ulps):
    """``|actual - expected| <= ulps`` units in the last place of ``operand``.

    Two implementations of the same formula (numpy's ``exp`` and scipy's
    ``expit``, numpy and ``math``) each round within a few ulps of their
    operands, and which ulp they land on depends on the library version and
    the CPU's SIMD path. A residual ``sigma(z) - y`` then differs by ulps of
    ``sigma(z)`` and ``y``, not of the (possibly much smaller) residual.
    """
    bound = ulps * np.spacing(np.abs(np.asarray(operand, dtype=float)))
    excess = np.abs(np.asarray(actual) - np.asarray(expected)) - bound
    worst = int(np.argmax(excess))
    assert np.all(excess <= 0), (
        f"{np.asarray(actual).ravel()[worst]!r} and {np.asarray(expected).ravel()[worst]!r} "
        f"differ by more than {ulps} ulps of {np.asarray(operand).ravel()[worst]!r}")


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_log_loss_shared_exp_equals_the_separate_formulas(y):
    rng = np.random.default_rng(5)
    z = np.concatenate([_EDGE_Z, rng.normal(scale=8, size=2000)])
    ys = np.full(z.size, y)
    terms, delta = _old_loss_and_delta(z, ys)
    a = delta + ys                                         # scipy's sigma(z)
    total, new_delta = LogLoss.loss_sum_and_delta(z, ys)
    # Each term within 4 ulps, and each pairwise sum of m terms within
    # ceil(log2 m) roundings of the summed magnitudes.
    rounds = 4 + 2 * int(np.ceil(np.log2(z.size)))
    assert abs(total - terms.sum()) <= rounds * np.finfo(float).eps * np.abs(terms).sum()
    # delta = sigma(z) - y: within 8 ulps of the larger operand, sigma(z) or y. Each
    # sigma is within an ulp of exp's error plus two roundings of the true value
    # (scipy 1.17's expit is 1/(1 + e^-z) for every z; ours is e/(1 + e) for z < 0),
    # so two of them differ by at most 8 ulps; 4 have been measured over 2e6 scores.
    operand = np.maximum(a, ys)
    _assert_within_ulps(new_delta, delta, operand, 8)
    # One row at a time, as the compiled pass calls it (math.exp, math.log1p).
    rows = np.array([LogLoss.term(float(zi), y) for zi in z])          # (m, 2)
    _assert_within_ulps(rows[:, 0], terms, np.maximum.reduce(
        [np.maximum(z, 0.0), np.abs(ys * z), np.log1p(np.exp(-np.abs(z)))]), 4)
    _assert_within_ulps(rows[:, 1], delta, operand, 8)


def test_within_ulps_fails_beyond_its_bound():
    _assert_within_ulps([1.0 + 2 * np.spacing(1.0)], [1.0], [1.0], 2)
    with pytest.raises(AssertionError, match="more than 2 ulps"):
        _assert_within_ulps([1.0 + 3 * np.spacing(1.0)], [1.0], [1.0], 2)
    # The residual 1 - (1 - 2^-53) is tiny, but its operand is 1.
    _assert_within_ulps([-0.25], [-0.25 + np.spacing(1.0)], [1.0], 1)
    with pytest.raises(AssertionError):
        _assert_within_ulps([-0.25], [-0.25 + np.spacing(1.0)], [0.25], 1)


def test_log_loss_row_term_by_hand_at_large_scores():
    assert LogLoss.term(1e4, 1.0) == (0.0, 0.0)
    assert LogLoss.term(1e4, 0.0) == (1e4, 1.0)
    assert LogLoss.term(-1e4, 1.0) == (1e4, -1.0)
    assert LogLoss.term(-1e4, 0.0) == (0.0, 0.0)
    loss, delta = LogLoss.term(30.0, 1.0)
    assert loss == pytest.approx(np.log1p(np.exp(-30.0)), rel=1e-15, abs=0)
    # sigma(30) = 1 - 9.4e-14 rounds at 1, so sigma - 1 is exact only to half an ulp of 1.
    assert delta == pytest.approx(-np.exp(-30.0), rel=0, abs=np.spacing(1.0) / 2)


def test_squared_error_row_term_is_the_block_formula():
    z, y = np.array([1.5, -2.0, 3.25]), np.array([1.0, 1.0, -1.0])
    total, delta = SquaredError.loss_sum_and_delta(z, y)
    rows = [SquaredError.term(zi, yi) for zi, yi in zip(z, y)]
    assert sum(r[0] for r in rows) == pytest.approx(total, rel=1e-15)
    assert [r[1] for r in rows] == delta.tolist()
    assert total == 0.5 * (0.25 + 9.0 + 18.0625)


def test_log_loss_row_term_derivative_by_finite_differences():
    h = 1e-6
    for z in (-7.0, -0.3, 0.0, 0.4, 6.0):
        for y in (0.0, 1.0):
            numeric = (LogLoss.term(z + h, y)[0] - LogLoss.term(z - h, y)[0]) / (2 * h)
            assert LogLoss.term(z, y)[1] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
