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
