"""The estimators against independent references, and their behaviour."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression

from descend import (
    DivergenceError,
    LinearRegression,
    LogisticClassifier,
    SeparationWarning,
    datasets,
)


@pytest.fixture(scope="module")
def housing():
    data = datasets.load_housing()
    return data.X, np.asarray(data.y, dtype=float)


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


def _lstsq(X, y):
    A = np.column_stack([X, np.ones(len(y))])
    sol, *_ = np.linalg.lstsq(A, y, rcond=None)
    return sol[:-1], sol[-1], 0.5 * np.mean((A @ sol - y) ** 2)


def _rel(a, b):
    """Largest difference relative to the largest reference value."""
    return np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b))


# -- references ---------------------------------------------------------------

def test_linear_regression_matches_lstsq_on_housing(housing):
    X, y = housing                         # unscaled, condition number ~7e5
    coef, intercept, J = _lstsq(X, y)
    model = LinearRegression(tol=1e-8).fit(X, y)
    assert model.converged_
    assert (model.history_["loss"][-1] - J) / J < 1e-8
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-4)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-4)


def test_linear_regression_defaults_reach_the_optimum(housing):
    X, y = housing
    _, _, J = _lstsq(X, y)
    model = LinearRegression().fit(X, y)
    assert abs(model.history_["loss"][-1] - J) / J < 1e-6
    assert model.score(X, y) == pytest.approx(1 - 2 * J / np.var(y), rel=1e-6)


def _statsmodels_logit(X, y):
    res = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-10, maxiter=100, disp=0)
    assert res.mle_retvals["converged"]
    return res.params[1:], res.params[0], -res.llf / len(y)


def test_logistic_matches_statsmodels_on_spector():
    df = sm.datasets.spector.load_pandas().data
    X, y = df[["GPA", "TUCE", "PSI"]].to_numpy(), df["GRADE"].to_numpy()
    coef, intercept, J = _statsmodels_logit(X, y)
    model = LogisticClassifier(tol=1e-10).fit(X, y)
    assert abs(model.history_["loss"][-1] - J) / J < 1e-8
    np.testing.assert_allclose(model.coef_[0], coef, rtol=1e-4)
    assert model.intercept_[0] == pytest.approx(intercept, rel=1e-4)


def test_logistic_matches_statsmodels_on_ten_cancer_features(cancer):
    X, y = cancer[0][:, :10], cancer[1]   # not separable, unscaled, correlated
    coef, intercept, J = _statsmodels_logit(X, y)
    model = LogisticClassifier(tol=1e-10).fit(X, y)
    assert abs(model.history_["loss"][-1] - J) / J < 1e-8
    assert _rel(model.coef_[0], coef) < 1e-4
    assert model.intercept_[0] == pytest.approx(intercept, rel=1e-4)
    default = LogisticClassifier().fit(X, y)
    assert abs(default.history_["loss"][-1] - J) / J < 1e-6


# tol=1e-10 asks for more than float64 resolves on these data; the fit stops
# "stalled" with a ConvergenceWarning, and is then at the optimum to rounding.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_penalized_logistic_matches_sklearn_C(cancer, C):
    X, y = cancer
    ref = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    alpha = 1.0 / (C * len(y))
    model = LogisticClassifier(alpha=alpha, tol=1e-10, max_iter=5000).fit(X, y)
    z = X @ ref.coef_[0] + ref.intercept_[0]
    J_ref = np.mean(np.logaddexp(0, z) - y * z) + 0.5 * alpha * ref.coef_[0] @ ref.coef_[0]
    assert abs(model.history_["loss"][-1] - J_ref) / J_ref < 1e-8
    assert _rel(model.coef_, ref.coef_) < 1e-4
    assert model.intercept_[0] == pytest.approx(ref.intercept_[0], rel=1e-4)


@pytest.mark.parametrize("solver", ["gd", "nesterov", "lbfgs"])
@pytest.mark.parametrize("standardize", [True, False])
def test_every_solver_reaches_the_reference(solver, standardize):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) * [1.0, 2.0, 0.5, 1.5] + [0.5, -1.0, 0.0, 0.3]
    y = (X @ [1.0, -0.5, 2.0, 0.3] + rng.logistic(size=300) > 0).astype(int)
    coef, intercept, J = _statsmodels_logit(X, y)
    model = LogisticClassifier(solver=solver, standardize=standardize, tol=1e-9,
                               max_iter=50_000).fit(X, y)
    assert model.converged_
    assert abs(model.history_["loss"][-1] - J) / J < 1e-10
    assert _rel(model.coef_[0], coef) < 1e-5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_standardize_changes_the_path_not_the_answer(cancer):
    X, y = cancer
    a = LogisticClassifier(alpha=1e-3, standardize=True, tol=1e-10, max_iter=20_000).fit(X[:, :5], y)
    b = LogisticClassifier(alpha=1e-3, standardize=False, tol=1e-10, max_iter=20_000).fit(X[:, :5], y)
    assert _rel(a.coef_, b.coef_) < 1e-4


# -- separable data, divergence, non-convergence ------------------------------

def test_separable_cancer_data_warn_and_stay_finite(cancer):
    X, y = cancer                          # all 30 features: perfectly separable
    with pytest.warns(SeparationWarning, match="perfectly separable"):
        model = LogisticClassifier().fit(X, y)
    assert model.stop_reason_ == "separable" and not model.converged_
    assert np.all(np.isfinite(model.coef_)) and model.score(X, y) == 1.0


def test_penalty_removes_the_separation_warning(cancer):
    X, y = cancer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticClassifier(alpha=1e-3).fit(X, y)
    assert model.converged_


def test_each_solvers_stated_stable_rate_is_stable_and_its_double_is_not(housing):
    # The bound a DivergenceError names is the solver's own: just below it the fit
    # runs; gd is stable to 2/L, accelerated descent only to about 1/L.
    X, y = housing
    with pytest.raises(DivergenceError) as err:
        LinearRegression(solver="gd", learning_rate=10.0).fit(X, y)
    two_over_L = err.value.stable_rate
    for solver, factor in (("gd", 2.0), ("nesterov", 1.0)):
        stable = factor / 2.0 * two_over_L
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)      # 300 steps: not the point
            model = LinearRegression(solver=solver, learning_rate=0.99 * stable,
                                     max_iter=300).fit(X, y)
        assert model.history_["loss"][-1] < model.history_["loss"][0]
    with pytest.raises(DivergenceError, match=r"solver='nesterov' for these data is 1/L") as err:
        LinearRegression(solver="nesterov", learning_rate=0.99 * two_over_L, max_iter=300).fit(X, y)
    assert err.value.stable_rate == pytest.approx(two_over_L / 2, rel=1e-12)


def test_too_large_learning_rate_is_stopped_with_the_stable_rate(housing):
    X, y = housing
    model = LinearRegression(solver="gd", learning_rate=5.0)
    with pytest.raises(DivergenceError, match=r"learning_rate=5.*largest stable rate.*2/L = ") as err:
        model.fit(X, y)
    assert isinstance(err.value, ValueError)
    assert not hasattr(model, "coef_")           # never NaN weights
    # 2/L from the estimate agrees with the exact largest eigenvalue.
    mean, std = X.mean(0), X.std(0)
    Z = np.column_stack([(X - mean) / std, np.ones(len(y))])
    exact = 2.0 / np.linalg.eigvalsh(Z.T @ Z / len(y))[-1]
    stated = float(str(err.value).split("2/L = ")[1].split(" ")[0])
    assert stated == pytest.approx(exact, rel=2e-3)


def test_auto_rate_never_diverges_and_gd_loss_never_rises(housing):
    X, y = housing
    model = LinearRegression(solver="gd", max_iter=200)
    with pytest.warns(ConvergenceWarning, match=r"did not converge in max_iter=200 .* times the tolerance"):
        model.fit(X, y)
    assert np.all(np.diff(model.history_["loss"]) <= 0)
    assert model.history_["learning_rate"][1] > 0


def test_history_has_one_entry_per_iteration_plus_start(cancer):
    X, y = cancer[0][:, :4], cancer[1]
    model = LogisticClassifier(solver="nesterov", max_iter=100_000).fit(X, y)
    assert model.converged_
    for key in ("loss", "grad_norm", "learning_rate"):
        assert model.history_[key].shape == (model.n_iter_ + 1,)
    assert model.history_["loss"][0] == pytest.approx(
        -np.mean(y * np.log(y.mean()) + (1 - y) * np.log(1 - y.mean())), rel=1e-12)
    assert model.history_["loss"][-1] < model.history_["loss"][0]


# -- the material's two methods -------------------------------------------------

def _material_loop(model, X, y, link, w0, b0, steps):
    """The material's training loop, written with the estimator's two methods."""
    m = X.shape[0]
    model._set_fitted(np.asarray(w0, dtype=float), b0)
    for _ in range(steps):
        y_hat = link(X @ np.ravel(model.coef_) + np.ravel(model.intercept_)[0])
        delta = (y_hat - y) / m                         # the mean error vector
        grad_w, grad_b = model._compute_loss_grad(X, delta)
        model._update_params(grad_w, grad_b)
    return np.ravel(model.coef_), float(np.ravel(model.intercept_)[0])


def _unscaled(seed, m=300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3)) * [1.0, 3.0, 0.5] + [0.0, 1.0, -1.0]
    return rng, X


@pytest.mark.parametrize("estimator", [LinearRegression, LogisticClassifier])
def test_the_material_loop_matches_fit_with_gd_step_for_step(estimator):
    rng, X = _unscaled(4)
    if estimator is LinearRegression:
        y = X @ [1.0, -0.5, 2.0] + 3.0 + rng.normal(size=X.shape[0])
        link, b0, rate = (lambda z: z), y.mean(), 0.05
    else:
        y = (X @ [1.0, 0.3, -2.0] + rng.normal(size=X.shape[0]) > 0.5).astype(float)
        link, b0, rate = (lambda z: 1.0 / (1.0 + np.exp(-z))), np.log(y.mean() / (1 - y.mean())), 0.5
    steps = 60
    fitted = estimator(solver="gd", learning_rate=rate, standardize=False, max_iter=steps, tol=0)
    with pytest.warns(ConvergenceWarning):
        fitted.fit(X, y)
    assert fitted.n_iter_ == steps
    # fit starts from w = 0 and the best constant b; the loop starts there too.
    w, b = _material_loop(estimator(learning_rate=rate), X, y, link, np.zeros(3), b0, steps)
    scale = max(np.abs(fitted.coef_).max(), abs(np.ravel(fitted.intercept_)[0]))
    np.testing.assert_allclose(w, np.ravel(fitted.coef_), rtol=1e-12, atol=1e-12 * scale)
    assert b == pytest.approx(np.ravel(fitted.intercept_)[0], rel=1e-12, abs=1e-12 * scale)
    # Sixty steps moved the weights: the comparison is not between two starting points.
    assert np.abs(w).min() > 1e-3


def test_compute_loss_grad_is_the_material_formula_on_an_unfitted_model():
    rng = np.random.default_rng(0)
    X, y_hat, y = rng.normal(size=(20, 3)), rng.normal(size=20), rng.normal(size=20)
    delta = (y_hat - y) / 20
    for model in (LinearRegression(), LogisticClassifier()):
        grad_w, grad_b = model._compute_loss_grad(X, delta)
        # By hand, one sum at a time: the formula is X^T delta and sum(delta), nothing divided again.
        by_hand = [sum(X[i, j] * delta[i] for i in range(20)) for j in range(3)]
        np.testing.assert_allclose(grad_w, by_hand, rtol=1e-13)
        assert grad_b == pytest.approx(sum(delta), rel=1e-13)
        assert not hasattr(model, "coef_")              # nothing was fitted or stored


def test_compute_loss_grad_ignores_a_fits_standardization(housing):
    X, y = housing[0][:200], housing[1][:200]
    model = LinearRegression().fit(X, y)                 # standardizes: x_mean_ is not zero
    assert np.abs(model.x_mean_).max() > 1
    delta = (model.predict(X) - y) / 200
    np.testing.assert_allclose(model._compute_loss_grad(X, delta)[0], X.T @ delta, rtol=1e-12)


def test_update_params_steps_coef_and_intercept_by_the_learning_rate():
    model = LogisticClassifier(learning_rate=0.1)
    model._update_params(np.array([1.0, -2.0]), 0.5)               # from w = 0, b = 0
    np.testing.assert_array_equal(model.coef_, [[-0.1, 0.2]])
    np.testing.assert_array_equal(model.intercept_, [-0.05])
    model._update_params(np.array([1.0, 0.0]), -1.0, 1.0)           # an explicit rate
    np.testing.assert_array_equal(model.coef_, [[-1.1, 0.2]])
    np.testing.assert_array_equal(model.intercept_, [0.95])
    linear = LinearRegression(learning_rate=2.0)
    linear._update_params([0.25], [0.5])
    assert linear.coef_.tolist() == [-0.5] and linear.intercept_ == -1.0


@pytest.mark.parametrize("call, message", [
    (lambda: LinearRegression()._update_params([1.0], 1.0), "learning_rate is 'auto'"),
    (lambda: LinearRegression(learning_rate=0.1)._update_params([1.0], [1.0, 2.0]),
     "grad_b must be one number"),
    (lambda: LinearRegression(learning_rate=0.1, solver="gd").fit([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]],
                                                                  [1.0, 2.0, 3.0])._update_params([1.0], 1.0),
     "grad_w has 1 values but the model has 2 weights"),
    (lambda: LinearRegression()._compute_loss_grad(np.ones((4, 2)), np.ones(3)),
     r"one value per row of X \(4\)"),
    (lambda: LinearRegression()._compute_loss_grad(np.ones(4), np.ones(4)), "2-D array"),
])
def test_the_material_methods_name_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("standardize", [False, True])
def test_a_fits_gradient_is_the_material_formula(standardize):
    # Step k of fit(solver="gd") is theta_k - rate * grad(theta_k), so the gradient the
    # fit used at theta_1 is (theta_1 - theta_2) / rate. (At theta_0 = (0, log-odds)
    # the intercept's gradient is zero, which would test nothing.) With standardization
    # it is the gradient of the standardized parameters: the chain rule's fold of X^T delta.
    rng, X = _unscaled(7)
    y = (X @ [1.0, 0.3, -2.0] + rng.normal(size=X.shape[0]) > 0.5).astype(float)
    m, rate = X.shape[0], 0.25

    def theta_after(steps):
        model = LogisticClassifier(solver="gd", learning_rate=rate, standardize=standardize,
                                   max_iter=steps, tol=0)
        with pytest.warns(ConvergenceWarning):
            model.fit(X, y)
        w, b = model.coef_[0], model.intercept_[0]
        return w, b, np.append(w * model.x_scale_, b + model.x_mean_ @ w), model

    w1, b1, theta1, model = theta_after(1)
    _, _, theta2, _ = theta_after(2)
    fit_grad = (theta1 - theta2) / rate
    delta = (1.0 / (1.0 + np.exp(-(X @ w1 + b1))) - y) / m     # at theta_1, in X's units
    grad_w, grad_b = LogisticClassifier()._compute_loss_grad(X, delta)
    assert abs(grad_b) > 1e-5                                  # a gradient worth comparing
    expected = np.append((grad_w - model.x_mean_ * grad_b) / model.x_scale_, grad_b)
    np.testing.assert_allclose(fit_grad, expected, rtol=1e-9)


# -- predictions and labels -----------------------------------------------------

@pytest.mark.parametrize("labels", [("no", "yes"), (-1, 1), (False, True), (0, 1), (3, 7)])
def test_any_two_labels_come_back_as_given(labels):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    raw = X[:, 0] + 0.5 * rng.normal(size=80) > 0
    y = np.where(raw, labels[1], labels[0])
    model = LogisticClassifier().fit(X, y)
    assert list(model.classes_) == sorted(labels)
    pred = model.predict(X)
    assert set(pred.tolist()) <= set(labels)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    z = model.decision_function(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_array_equal(pred == model.classes_[1], z > 0)


def test_dataframe_feature_names_and_float32():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 3))
    y = X @ [1.0, 2.0, -1.0] + 0.5
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    model = LinearRegression(tol=1e-12).fit(df, y)
    assert list(model.feature_names_in_) == ["a", "b", "c"]
    np.testing.assert_allclose(model.coef_, [1.0, 2.0, -1.0], rtol=1e-9)
    m32 = LinearRegression(tol=1e-12).fit(X.astype(np.float32), y)
    assert m32.coef_.dtype == np.float64
    np.testing.assert_allclose(m32.coef_, [1.0, 2.0, -1.0], rtol=1e-5)


def test_input_is_not_modified():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 2)) * 100 + 7
    X.setflags(write=False)
    y = (X[:, 0] > 7).astype(int)
    before = X.copy()
    LogisticClassifier(alpha=0.01).fit(X, y)
    np.testing.assert_array_equal(X, before)


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        LinearRegression().predict(np.ones((2, 2)))


def test_verbose_prints_progress(capsys):
    X = np.arange(20.0).reshape(10, 2)
    LinearRegression(verbose=2, max_iter=50).fit(X, X[:, 0] * 3)
    out = capsys.readouterr().out
    assert "[LinearRegression] iter      1  loss" in out


def test_callback_sees_each_step_in_the_units_of_X():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 2)) * [10.0, 0.1] + 5
    y = X @ [0.3, 20.0] + 1.0
    steps = []
    model = LinearRegression(callback=steps.append, tol=1e-12).fit(X, y)
    assert [s.iteration for s in steps] == list(range(1, model.n_iter_ + 1))
    np.testing.assert_array_equal([s.loss for s in steps], model.history_["loss"][1:])
    np.testing.assert_allclose(steps[-1].coef, model.coef_, rtol=1e-12)
    assert steps[-1].intercept == pytest.approx(model.intercept_, rel=1e-12)


@pytest.mark.parametrize("x_scale, y_scale", [(1.0, 1e-7), (1e-200, 1.0), (1e200, 1.0), (1e160, 1e-5)])
def test_units_of_X_and_y_do_not_matter(x_scale, y_scale):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, 2.0, 3.0] + 4.0 + 0.01 * rng.normal(size=50)
    coef, intercept, _ = _lstsq(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # no overflow, no convergence warning
        model = LinearRegression().fit(X * x_scale, y * y_scale)
    assert model.converged_
    np.testing.assert_allclose(model.coef_ * x_scale / y_scale, coef, rtol=1e-5)
    assert model.intercept_ / y_scale == pytest.approx(intercept, rel=1e-5)


def test_repeated_fits_are_identical():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(100, 4)) * [1, 10, 100, 1000]
    y = rng.integers(0, 2, 100)
    a, b = LogisticClassifier().fit(X, y), LogisticClassifier().fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not hasattr(a, "_w") and not hasattr(a, "_step")


def test_class_zero_probability_keeps_its_precision():
    X = np.array([[-3.0], [-1.0], [1.0], [3.0]])
    model = LogisticClassifier(alpha=1e-3).fit(X * 10, [0, 1, 0, 1])
    proba = model.predict_proba(np.array([[200.0]]))
    assert proba[0, 0] > 0 and proba[0, 0] == pytest.approx(
        1 / (1 + np.exp(model.decision_function(np.array([[200.0]]))[0])), rel=1e-12)


@pytest.mark.parametrize("params", [{"standardize": "no"}, {"max_iter": True}, {"learning_rate": True},
                                    {"callback": "print"}])
def test_loose_parameter_types_are_refused(params):
    with pytest.raises(ValueError, match="must be"):
        LinearRegression(**params).fit(np.eye(3), [1.0, 2.0, 3.0])


# -- any finite scale of y, and never a NaN model ---------------------------------------

@pytest.mark.parametrize("exponent", [-30, -20, -12, -6, 0, 6, 16, 20, 30])
def test_the_linear_fit_is_the_same_at_any_scale_of_y(exponent):
    # J(w; s y) = s^2 J(w / s; y): the coefficients of s*y are s times those of y.
    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 3)) * [1.0, 30.0, 0.1]
    y = X @ [1.0, -0.02, 5.0] + 3.0 + rng.normal(size=200) * 0.1
    ref_coef, ref_b, ref_J = _lstsq(X, y)
    s = 10.0 ** exponent
    with warnings.catch_warnings():
        warnings.simplefilter("error")                     # no warning at any scale
        model = LinearRegression().fit(X, y * s)
    assert model.converged_ and model.n_iter_ > 0
    np.testing.assert_allclose(model.coef_ / s, ref_coef, rtol=1e-6)
    assert model.intercept_ / s == pytest.approx(ref_b, rel=1e-6)
    assert model.history_["loss"][-1] / s**2 == pytest.approx(ref_J, rel=1e-9)
    assert model.score(X, y * s) == pytest.approx(1 - 2 * ref_J / np.var(y), rel=1e-9)


def test_a_power_of_two_scale_of_y_gives_the_same_fit_bit_for_bit():
    rng = np.random.default_rng(12)
    X, y = rng.normal(size=(100, 2)), rng.normal(size=100)
    a = LinearRegression(alpha=0.01).fit(X, y)
    b = LinearRegression(alpha=0.01).fit(X, y * 2.0**70)
    np.testing.assert_array_equal(b.coef_, a.coef_ * 2.0**70)
    np.testing.assert_array_equal(b.history_["loss"], a.history_["loss"] * 2.0**140)
    assert b.n_iter_ == a.n_iter_


@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
@pytest.mark.parametrize("y, message", [
    (np.array([1, 0, None, 1, 0, 1], dtype=object), r"y has 1 missing value \(None, NA or NaN\) at position 2"),
    (np.array(["a", "b", None, None, "a", "b"], dtype=object), "y has 2 missing values .* at positions 2, 3"),
    (pd.Series([1.0, 0.0, None, 1.0, 0.0, 1.0], dtype=object), "y has 1 missing value"),
])
def test_a_target_with_gaps_is_refused_before_any_fit(Model, y, message):
    X = np.arange(12.0).reshape(6, 2) ** 1.5
    model = Model()
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)
    assert not hasattr(model, "coef_")


def _no_nan_cases():
    rng = np.random.default_rng(13)
    base = rng.normal(size=(40, 3))
    yield "constant column", np.column_stack([base[:, :2], np.full(40, 7.0)])
    yield "subnormal column", np.column_stack([base[:, :2], base[:, 2] * 1e-310])
    yield "huge column", np.column_stack([base[:, :2], base[:, 2] * 1e300])
    yield "tiny and huge", base * [1e-150, 1.0, 1e150]
    yield "duplicate columns", np.column_stack([base[:, :2], base[:, 1]])
    yield "one row per feature", base[:3]


@pytest.mark.parametrize("case, X", list(_no_nan_cases()), ids=[c for c, _ in _no_nan_cases()])
@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
@pytest.mark.parametrize("solver", ["lbfgs", "nesterov", "gd"])
@pytest.mark.parametrize("y_scale", [1e-200, 1.0, 1e200])
def test_no_public_path_returns_nan_coefficients(case, X, Model, solver, y_scale):
    rng = np.random.default_rng(14)
    y = X[:, 0] * 0 + rng.normal(size=X.shape[0])
    y = y * y_scale if Model is LinearRegression else (y > 0).astype(int)
    model = Model(solver=solver, max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit(X, y)
        except (ValueError, DivergenceError) as err:       # a clear error is allowed
            assert str(err) and not hasattr(model, "coef_")
            return
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.intercept_))
    assert np.all(np.isfinite(model.predict(X)))


def test_the_material_loop_runs_on_k_classes_as_fit_does():
    """The material's loop with the softmax's residual (m, K) takes fit's steps exactly."""
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    m, n = X.shape
    Y = np.eye(3)[y]                                       # one-hot
    clf = LogisticClassifier(solver="gd", learning_rate=0.05, standardize=False)
    clf.coef_, clf.intercept_ = np.zeros((3, n)), np.zeros(3)
    for _ in range(50):
        Z = X @ clf.coef_.T + clf.intercept_
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)                  # softmax, written out
        grad_w, grad_b = clf._compute_loss_grad(X, (P - Y) / m)
        assert grad_w.shape == (n, 3) and grad_b.shape == (3,)
        clf._update_params(grad_w, grad_b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = LogisticClassifier(solver="gd", learning_rate=0.05, standardize=False,
                                    max_iter=50, tol=0).fit(
            X, y, coef_init=np.zeros((3, n)), intercept_init=np.zeros(3))
    np.testing.assert_allclose(clf.coef_, fitted.coef_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(clf.intercept_, fitted.intercept_, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="grad_b must hold one number per class"):
        clf._update_params(grad_w, grad_b[:2])
