r"""The L1 and elastic-net penalties, :math:`\alpha(\rho\lVert w\rVert_1 +
(1-\rho)/2\lVert w\rVert^2)`, against references computed here: scikit-learn's ElasticNet,
Lasso, LARS path and saga, glum's coordinate descent, and the objectives written out."""

import warnings

import glum                    # a test dependency (pyproject's test extra): never skipped
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, lars_path
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.preprocessing import StandardScaler

from descend import LinearRegression, LogisticClassifier


def _sklearn_version():
    import sklearn
    return tuple(int(part) for part in sklearn.__version__.split(".")[:2])


#: scikit-learn before 1.8 reads l1_ratio only with penalty="elasticnet" (from 1.8 the
#: penalty is deprecated, and l1_ratio alone sets it).
SAGA_PENALTY = {} if _sklearn_version() >= (1, 8) else {"penalty": "elasticnet"}


# -- the objectives, written out ------------------------------------------------------------
def penalty(coef, alpha, l1_ratio):
    coef = np.asarray(coef)
    return alpha * (l1_ratio * float(np.sum(np.abs(coef)))
                    + 0.5 * (1 - l1_ratio) * float(np.sum(coef * coef)))


def squared(X, y, coef, intercept, alpha, l1_ratio):
    r = y - X @ coef - intercept
    return 0.5 * float(r @ r) / len(y) + penalty(coef, alpha, l1_ratio)


def log_loss(X, y, coef, intercept, alpha, l1_ratio):
    z = X @ np.ravel(coef) + np.ravel(intercept)[0]
    return float(np.mean(np.logaddexp(0, z) - y * z)) + penalty(coef, alpha, l1_ratio)


def cross_entropy(X, y, coef, intercept, alpha, l1_ratio):
    Z = X @ coef.T + intercept
    return (float(np.mean(np.logaddexp.reduce(Z, axis=1) - Z[np.arange(len(y)), y]))
            + penalty(coef, alpha, l1_ratio))


def _last_gap(model):
    gaps = model.history_["gap"][np.isfinite(model.history_["gap"])]
    return gaps[-1]


def _check_fit(model, J_fit, best, zeros, tol, rtol=1e-8):
    """The fit's objective within ``rtol`` of the reference's, the same weights exactly zero,
    ``converged_``, its certified gap within ``tol`` of the loss, and its recorded loss the
    one written out here."""
    assert abs(J_fit - best) <= rtol * best
    np.testing.assert_array_equal(np.asarray(model.coef_) == 0, zeros)
    assert model.converged_
    assert _last_gap(model) <= tol * model.history_["loss"][-1]
    assert model.history_["loss"][-1] == pytest.approx(J_fit, rel=1e-12)


# -- linear: scikit-learn's ElasticNet and Lasso -----------------------------------------------
@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)       # columns centred, of norm 1; y up to 346


# alpha_max = 2.148 here: from 3 weights to all 10
LINEAR_PENALTIES = [(1.0, 1.0), (0.1, 1.0), (0.5, 0.5), (0.05, 0.9), (0.01, 0.2)]


@pytest.mark.parametrize("alpha, l1_ratio", LINEAR_PENALTIES)
@pytest.mark.parametrize("solver", ["auto", "newton", "nesterov", "gd"])
def test_linear_elastic_net_is_scikit_learn_s(diabetes, solver, alpha, l1_ratio):
    X, y = diabetes
    Ref = Lasso if l1_ratio == 1.0 else ElasticNet
    params = {} if l1_ratio == 1.0 else {"l1_ratio": l1_ratio}
    sk = Ref(alpha=alpha, tol=1e-14, max_iter=1_000_000, **params).fit(X, y)
    best = squared(X, y, sk.coef_, sk.intercept_, alpha, l1_ratio)
    tol = 1e-12
    model = LinearRegression(alpha=alpha, l1_ratio=l1_ratio, solver=solver, tol=tol,
                             max_iter=100_000).fit(X, y)
    assert model.solver_ == ("newton" if solver == "auto" else solver)
    J = squared(X, y, model.coef_, model.intercept_, alpha, l1_ratio)
    _check_fit(model, J, best, sk.coef_ == 0, tol)
    assert 0 < np.sum(model.coef_ != 0)


def test_linear_elastic_net_is_glum_s_and_does_not_depend_on_standardize(diabetes):
    X, y = diabetes
    X = X * [1, 10, 100, 0.1, 1, 1, 1e3, 1, 1, 0.01] + 5.0      # scales the penalty sees
    alpha, l1_ratio = 0.3, 0.7
    with warnings.catch_warnings():
        # glum solves the normal family's parabola in one IRLS step (to 1e-16 here) and
        # then warns that one step is its max_iter
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family="normal", alpha=alpha, l1_ratio=l1_ratio,
                                              gradient_tol=1e-12).fit(X, y)
    best = squared(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    for standardize in (True, False):
        model = LinearRegression(alpha=alpha, l1_ratio=l1_ratio, standardize=standardize,
                                 tol=1e-12).fit(X, y)
        J = squared(X, y, model.coef_, model.intercept_, alpha, l1_ratio)
        _check_fit(model, J, best, ref.coef_ == 0, 1e-12)
        assert np.any(model.coef_ == 0)


# -- two classes: glum and scikit-learn's saga ------------------------------------------------
class LogisticCase:
    def __init__(self, X, y, alpha, l1_ratio):
        self.X, self.y, self.alpha, self.l1_ratio = X, y, alpha, l1_ratio
        self.glum = glum.GeneralizedLinearRegressor(
            family="binomial", alpha=alpha, l1_ratio=l1_ratio, gradient_tol=1e-12,
            max_iter=10_000).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")           # saga's own ConvergenceWarning
            self.saga = SkLogistic(C=1.0 / (alpha * len(y)), l1_ratio=l1_ratio, solver="saga",
                                   **SAGA_PENALTY,
                                   tol=1e-10, max_iter=100_000).fit(X, y)

    def J(self, coef, intercept):
        return log_loss(self.X, self.y, coef, intercept, self.alpha, self.l1_ratio)


LOGISTIC_PENALTIES = [(0.05, 1.0), (0.02, 0.5), (0.003, 0.8)]     # 4, 18, 21 of 30 weights


@pytest.fixture(scope="module")
def cancer_cases():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return {key: LogisticCase(X, y, *key) for key in LOGISTIC_PENALTIES}


@pytest.mark.parametrize("alpha, l1_ratio", LOGISTIC_PENALTIES)
@pytest.mark.parametrize("solver", ["auto", "newton", "nesterov"])
def test_logistic_elastic_net_is_glum_s_and_saga_s(cancer_cases, solver, alpha, l1_ratio):
    case = cancer_cases[(alpha, l1_ratio)]
    best = case.J(case.glum.coef_, case.glum.intercept_)
    assert abs(case.J(case.saga.coef_, case.saga.intercept_) - best) <= 1e-10 * best
    np.testing.assert_array_equal(case.saga.coef_[0] == 0, case.glum.coef_ == 0)
    tol = 1e-12
    model = LogisticClassifier(alpha=alpha, l1_ratio=l1_ratio, solver=solver, tol=tol,
                               max_iter=100_000).fit(case.X, case.y)
    _check_fit(model, case.J(model.coef_, model.intercept_), best,
               case.glum.coef_[None, :] == 0, tol)
    np.testing.assert_allclose(model.predict_proba(case.X), case.saga.predict_proba(case.X),
                               rtol=0, atol=1e-6)


def test_proximal_gradient_descent_reaches_the_same_optimum(cancer_cases):
    # Plain proximal steps crawl near this optimum (3700 iterations); the gap certified at
    # tol=1e-10 leaves the objective within 1e-12.
    case = cancer_cases[(0.02, 0.5)]
    model = LogisticClassifier(alpha=0.02, l1_ratio=0.5, solver="gd", tol=1e-10,
                               max_iter=100_000).fit(case.X, case.y)
    _check_fit(model, case.J(model.coef_, model.intercept_),
               case.J(case.glum.coef_, case.glum.intercept_), case.glum.coef_[None, :] == 0,
               1e-10)


# -- K classes: scikit-learn's multinomial saga ----------------------------------------------
MULTINOMIAL_PENALTIES = [(0.05, 1.0), (0.01, 0.5), (0.02, 0.9)]


@pytest.fixture(scope="module")
def iris_saga():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    refs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alpha, l1_ratio in MULTINOMIAL_PENALTIES:
            refs[alpha, l1_ratio] = SkLogistic(C=1.0 / (alpha * len(y)), l1_ratio=l1_ratio,
                                               solver="saga", **SAGA_PENALTY, tol=1e-12,
                                               max_iter=200_000).fit(X, y)
    return X, y, refs


@pytest.mark.parametrize("alpha, l1_ratio", MULTINOMIAL_PENALTIES)
@pytest.mark.parametrize("solver", ["auto", "newton", "nesterov"])
def test_multinomial_elastic_net_is_saga_s(iris_saga, solver, alpha, l1_ratio):
    X, y, refs = iris_saga
    sk = refs[alpha, l1_ratio]
    best = cross_entropy(X, y, sk.coef_, sk.intercept_, alpha, l1_ratio)
    tol = 1e-12
    if solver == "nesterov" and l1_ratio == 1.0:
        # No L2 part curves a weight row's shared shift, along which the L1 part is not
        # flat: a gradient solver's point bounds the gap there only where the subgradient
        # along it is at the level of rounding, so whether it may say converged turns on
        # the last bits (proximal Newton moves along it, and certifies). Either way the
        # loss is saga's, and a claim of convergence must hold.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = LogisticClassifier(alpha=alpha, l1_ratio=l1_ratio, solver=solver,
                                       tol=tol, max_iter=3000).fit(X, y)
        J = cross_entropy(X, y, model.coef_, model.intercept_, alpha, l1_ratio)
        assert abs(J - best) <= 1e-8 * best
        assert not model.converged_ or J - best <= tol * best + 1e-15
        np.testing.assert_array_equal(model.coef_ == 0, sk.coef_ == 0)
        return
    model = LogisticClassifier(alpha=alpha, l1_ratio=l1_ratio, solver=solver, tol=tol,
                               max_iter=100_000).fit(X, y)
    assert model.coef_.shape == (3, 4)
    J = cross_entropy(X, y, model.coef_, model.intercept_, alpha, l1_ratio)
    _check_fit(model, J, best, sk.coef_ == 0, tol)
    assert np.any(model.coef_ == 0)
    np.testing.assert_allclose(model.predict_proba(X), sk.predict_proba(X), rtol=0, atol=1e-6)


# -- the intercept is never penalized ---------------------------------------------------------
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("solver", ["newton", "nesterov", "gd"])
def test_a_huge_penalty_leaves_only_the_intercept(diabetes, solver, l1_ratio):
    X, y = diabetes
    s = np.random.default_rng(0).uniform(0.0, 2.0, size=len(y))
    alpha = 1e4
    linear = LinearRegression(alpha=alpha, l1_ratio=l1_ratio, solver=solver).fit(
        X, y, sample_weight=s)
    np.testing.assert_array_equal(linear.coef_, 0.0)
    assert linear.intercept_ == pytest.approx(np.average(y, weights=s), rel=1e-12)
    labels = (y > 100).astype(int)
    p = np.average(labels, weights=s)
    two = LogisticClassifier(alpha=alpha, l1_ratio=l1_ratio, solver=solver).fit(
        X, labels, sample_weight=s)
    np.testing.assert_array_equal(two.coef_, 0.0)
    assert two.intercept_[0] == pytest.approx(np.log(p / (1 - p)), rel=1e-10)
    three = np.digitize(y, [100, 200])
    shares = np.bincount(three, weights=s) / s.sum()
    many = LogisticClassifier(alpha=alpha, l1_ratio=l1_ratio, solver=solver).fit(
        X, three, sample_weight=s)
    np.testing.assert_array_equal(many.coef_, 0.0)
    np.testing.assert_allclose(many.predict_proba(X[:3]), np.tile(shares, (3, 1)), rtol=1e-10)


# -- the lasso path -----------------------------------------------------------------------------
def test_the_lasso_path_is_lars_s(diabetes):
    """At alpha >= alpha_max = max|X_c^T y_c|/m every weight is zero; just below, one is not;
    between two of LARS's knots the weights are the line between the knots', and the
    active set grows by one weight at each of the first knots."""
    X, y = diabetes
    m = len(y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alpha_max = np.max(np.abs(Xc.T @ yc)) / m
    knots, _, path = lars_path(Xc, yc, method="lasso")
    assert knots[0] == pytest.approx(alpha_max, rel=1e-12)

    def fit(alpha):
        return LinearRegression(alpha=alpha, l1_ratio=1.0, tol=1e-12).fit(X, y)

    np.testing.assert_array_equal(fit(alpha_max).coef_, 0.0)
    np.testing.assert_array_equal(fit(1.5 * alpha_max).coef_, 0.0)
    below = fit(alpha_max * (1 - 1e-3)).coef_
    assert np.flatnonzero(below).tolist() == [int(np.argmax(np.abs(Xc.T @ yc)))]
    entered = []
    for k in range(6):
        alpha = 0.5 * (knots[k] + knots[k + 1])
        coef = fit(alpha).coef_
        between = 0.5 * (path[:, k] + path[:, k + 1])     # the path is straight between knots
        np.testing.assert_array_equal(coef != 0, between != 0)
        np.testing.assert_allclose(coef, between, rtol=0, atol=1e-9 * np.max(np.abs(between)))
        assert np.sum(coef != 0) == k + 1                  # one more weight at each knot
        new = set(np.flatnonzero(coef)) - set(entered)
        assert len(new) == 1
        entered += list(new)


# -- solvers that need a smooth loss, and stochastic proximal steps ---------------------------
@pytest.mark.parametrize("solver", ["lbfgs", "lbfgs-newton"])
@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
def test_an_l1_part_with_a_smooth_solver_is_refused(diabetes, Model, solver):
    X, y = diabetes
    target = y if Model is LinearRegression else (y > 100).astype(int)
    with pytest.raises(ValueError, match=f"solver='{solver}' needs a smooth loss.*'newton'"):
        Model(alpha=0.1, l1_ratio=0.5, solver=solver).fit(X, target)


def test_mini_batches_with_proximal_steps_reach_the_lasso_within_tol(diabetes):
    X, y = diabetes
    alpha = 0.1
    sk = Lasso(alpha=alpha, tol=1e-14, max_iter=1_000_000).fit(X, y)
    best = squared(X, y, sk.coef_, sk.intercept_, alpha, 1.0)
    model = LinearRegression(alpha=alpha, l1_ratio=1.0, solver="sgd", tol=1e-3, max_iter=400,
                             random_state=0).fit(X, y)
    assert model.converged_
    J = squared(X, y, model.coef_, model.intercept_, alpha, 1.0)
    assert best * (1 - 1e-12) <= J <= best * (1 + 1e-3)
    assert np.any(model.coef_ == 0)                     # the soft threshold's exact zeros
