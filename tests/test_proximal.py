"""The L1 part's proximal steps, against the update written out with numpy."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from descend import LinearRegression, LogisticClassifier


def _soft(z, cut):
    return np.sign(z) * np.maximum(np.abs(z) - cut, 0.0)


def _data(seed=0, m=120, n=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = X @ np.array([3.0, 0.0, -2.0, 0.0, 0.5, 0.0]) + 1.0 + 0.3 * rng.normal(size=m)
    return X, y


@pytest.mark.parametrize("batch_size", [None, 16])
def test_proximal_steps_are_the_soft_threshold_after_the_material_update(batch_size):
    """gd (the whole set) and sgd (batches in order) with a fixed step: each update is
    w <- S(w - t X_B^T r / |B|, t alpha rho), b <- b - t mean(r), r the residual."""
    X, y = _data()
    t, alpha, ratio, epochs = 0.05, 0.3, 0.8, 5
    m, n = X.shape
    w, b = np.zeros(n), 0.0
    size = m if batch_size is None else batch_size
    for _ in range(epochs):
        for lo in range(0, m, size):
            Xb, yb = X[lo:lo + size], y[lo:lo + size]
            r = Xb @ w + b - yb
            grad = Xb.T @ r / len(yb) + alpha * (1 - ratio) * w
            w, b = _soft(w - t * grad, t * alpha * ratio), b - t * r.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LinearRegression(
            solver="gd" if batch_size is None else "sgd", batch_size=batch_size, shuffle=False,
            schedule="constant", learning_rate=t, standardize=False, alpha=alpha,
            l1_ratio=ratio, max_iter=epochs, tol=0).fit(X, y, coef_init=np.zeros(n),
                                                         intercept_init=0.0)
    np.testing.assert_allclose(model.coef_, w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.intercept_, b, rtol=1e-12)
    assert np.array_equal(model.coef_ == 0, w == 0)


def test_partial_fit_streams_the_proximal_steps_of_one_sgd_epoch():
    X, y = _data(1)
    stream = LinearRegression(alpha=0.2, l1_ratio=1.0, batch_size=10, learning_rate=0.02,
                              standardize=False)
    for lo in range(0, len(y), 40):
        stream.partial_fit(X[lo:lo + 40], y[lo:lo + 40])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        epoch = LinearRegression(alpha=0.2, l1_ratio=1.0, batch_size=10, learning_rate=0.02,
                                 standardize=False, solver="sgd", shuffle=False, max_iter=1,
                                 schedule="constant", tol=0).fit(
            X, y, coef_init=np.zeros(X.shape[1]), intercept_init=float(np.mean(y[:40])))
    np.testing.assert_allclose(stream.coef_, epoch.coef_, rtol=1e-12, atol=1e-14)


def test_stochastic_lasso_comes_near_the_lasso():
    """Averaged proximal sgd ends within 1e-3 of the lasso's objective (scikit-learn's)."""
    from sklearn.linear_model import Lasso

    X, y = _data(2, m=400)
    ref = Lasso(alpha=0.1, tol=1e-12, max_iter=100_000).fit(X, y)

    def objective(coef, intercept):
        return 0.5 * np.mean((X @ coef + intercept - y) ** 2) + 0.1 * np.abs(coef).sum()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LinearRegression(alpha=0.1, l1_ratio=1.0, solver="sgd", batch_size=20,
                                 average=True, max_iter=60, tol=1e-4).fit(X, y)
    best = objective(ref.coef_, ref.intercept_)
    assert objective(model.coef_, model.intercept_) - best <= 1e-3 * best


def test_lbfgs_refuses_an_l1_part_and_names_what_takes_it():
    X, y = _data()
    with pytest.raises(ValueError, match="solver='lbfgs-newton' needs a smooth loss.*'sgd'"):
        LogisticClassifier(alpha=0.1, l1_ratio=0.5, solver="lbfgs-newton").fit(X, y > 1)


def test_k_class_lasso_never_claims_a_gap_it_cannot_bound():
    """Moving a weight row's classes together changes no probability but the L1 part: the
    certificate must see the loss risen there (it once curved that direction and said the
    gap was several times smaller than it was)."""
    from scipy.special import logsumexp

    from descend.models import objective_of

    rng = np.random.default_rng(24)
    m, n, K, alpha = 69, 3, 5, 0.0084
    X = rng.normal(size=(m, n)) * [1, 1, 10] + [0, -50, 0]
    y = np.argmax((X - X.mean(0)) / X.std(0) @ rng.normal(size=(n, K))
                  + rng.normal(size=(m, K)), axis=1)

    def J(W, b):                                           # written out
        Z = X @ W + b
        return np.mean(logsumexp(Z, axis=1) - Z[np.arange(m), y]) + alpha * np.abs(W).sum()

    best = LogisticClassifier(alpha=alpha, l1_ratio=1.0, solver="newton", tol=1e-12).fit(X, y)
    W, b = best.coef_.T, best.intercept_
    objective, _ = objective_of(LogisticClassifier(alpha=alpha, l1_ratio=1.0), X, y)
    for shift in (0.1, 1.0):
        moved = W.copy()
        moved[1] += shift
        theta = objective.theta(moved, b)
        loss, grad, _ = objective(theta)
        assert objective.certificate(theta, loss, grad) >= J(moved, b) - J(W, b)
    fit = LogisticClassifier(alpha=alpha, l1_ratio=1.0, solver="newton", standardize=False,
                             tol=1e-3).fit(X, y)
    assert not fit.converged_ or J(fit.coef_.T, fit.intercept_) - J(W, b) <= 1e-3 * J(W, b)


def test_the_lasso_does_not_depend_on_the_target_s_scale():
    """y times 1e70 (fitted in units of a power of two) with alpha times 1e70: the same
    weights times 1e70, as for y itself."""
    X, y = _data()
    plain = LinearRegression(alpha=0.05, l1_ratio=1.0).fit(X, y)
    for scale in (1e70, 1e-70):
        scaled = LinearRegression(alpha=0.05 * scale, l1_ratio=1.0).fit(X, y * scale)
        np.testing.assert_allclose(scaled.coef_ / scale, plain.coef_, rtol=1e-9, atol=1e-12)
        assert np.array_equal(scaled.coef_ == 0, plain.coef_ == 0)
