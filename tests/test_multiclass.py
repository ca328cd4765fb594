"""Multinomial (softmax) regression, K > 2 classes, against references computed here:
scikit-learn's multinomial LogisticRegression (newton-cg at tol=1e-12), the penalized
cross-entropy written out with numpy, and central differences of the objective."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.preprocessing import StandardScaler

from descend import LogisticClassifier
from descend.models import objective_of


# -- references -----------------------------------------------------------------------
def cross_entropy(X, y, coef, intercept, alpha, classes, s=None):
    r"""Mean cross-entropy of the softmax (weighted by ``s``) plus
    :math:`\alpha/2\lVert W\rVert^2`, by hand: :math:`L_i = \log\sum_k e^{z_{ik}} - z_{i y_i}`."""
    Z = X @ np.asarray(coef).T + intercept                            # (m, K)
    codes = np.searchsorted(classes, y)
    lse = np.logaddexp.reduce(Z, axis=1)
    return (float(np.average(lse - Z[np.arange(len(y)), codes], weights=s))
            + 0.5 * alpha * float(np.sum(np.square(coef))))


def softmax_rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def sk_multinomial(X, y, alpha):
    """scikit-learn's optimum of the same objective: C = 1 / (alpha m). Newton-CG reaches
    it to the last digits in a dozen iterations (its L-BFGS stops ~1e-12 short)."""
    return SkLogistic(C=1.0 / (alpha * len(y)), solver="newton-cg", tol=1e-12,
                      max_iter=10_000).fit(X, y)


class Case:
    def __init__(self, X, y, alpha):
        self.X, self.y, self.alpha = X, y, alpha
        self.sk = sk_multinomial(X, y, alpha)
        self.best = cross_entropy(X, y, self.sk.coef_, self.sk.intercept_, alpha,
                                  self.sk.classes_)
        self.proba = self.sk.predict_proba(X)


# iris raw (setosa is separable: a small penalty gives the finite optimum); wine and
# digits standardized (scikit-learn's Newton-CG needs it on wine's raw scales), digits
# with 64 columns (some constant) and 10 classes, more strongly penalized.
@pytest.fixture(scope="module")
def cases():
    iris_X, iris_y = load_iris(return_X_y=True)
    wine_X, wine_y = load_wine(return_X_y=True)
    digits_X, digits_y = load_digits(return_X_y=True)
    return {"iris": Case(iris_X, iris_y, 1e-3),
            "wine": Case(StandardScaler().fit_transform(wine_X), wine_y, 1e-3),
            "digits": Case(StandardScaler().fit_transform(digits_X), digits_y, 1e-2)}


@pytest.fixture(scope="module")
def iris_standard():
    """Standardized iris, alpha = 1e-2: well conditioned, so gd and sgd get close fast."""
    X, y = load_iris(return_X_y=True)
    return Case(StandardScaler().fit_transform(X), y, 1e-2)


# -- the optimum, by every solver ----------------------------------------------------------
@pytest.mark.parametrize("data", ["iris", "wine", "digits"])
@pytest.mark.parametrize("solver", ["auto", "newton", "lbfgs-newton", "lbfgs", "nesterov"])
def test_every_solver_reaches_scikit_learn_s_multinomial_optimum(cases, data, solver):
    case = cases[data]
    X, y, alpha = case.X, case.y, case.alpha
    model = LogisticClassifier(alpha=alpha, solver=solver, tol=1e-12, max_iter=5000).fit(X, y)
    K = len(case.sk.classes_)
    assert model.converged_
    assert model.coef_.shape == (K, X.shape[1]) and model.intercept_.shape == (K,)
    np.testing.assert_array_equal(model.classes_, case.sk.classes_)
    J = cross_entropy(X, y, model.coef_, model.intercept_, alpha, model.classes_)
    assert abs(J - case.best) <= 1e-8 * case.best
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), K)
    np.testing.assert_allclose(proba, case.proba, rtol=0, atol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=4e-16 * K)
    # The penalty makes W unique; the loss's flat direction (one number added to every
    # class's score) is fixed by the unpenalized intercepts' mean, which need not match.
    np.testing.assert_allclose(model.coef_, case.sk.coef_, rtol=0,
                               atol=2e-5 * np.max(np.abs(case.sk.coef_)))


def test_gradient_descent_reaches_the_optimum(iris_standard):
    case = iris_standard
    model = LogisticClassifier(alpha=case.alpha, solver="gd", tol=1e-10, max_iter=5000)
    model.fit(case.X, case.y)
    assert model.converged_
    J = cross_entropy(case.X, case.y, model.coef_, model.intercept_, case.alpha,
                      model.classes_)
    assert abs(J - case.best) <= 1e-8 * case.best
    np.testing.assert_allclose(model.predict_proba(case.X), case.proba, rtol=0, atol=1e-6)


def test_mini_batches_reach_the_optimum_within_their_tolerance(iris_standard):
    # Constant-size noisy steps: sgd certifies a gap of tol, not of rounding. Measured:
    # 1e-5 relative with averaging after 300 epochs; here tol=1e-4.
    case = iris_standard
    model = LogisticClassifier(alpha=case.alpha, solver="sgd", batch_size=16, average=True,
                               tol=1e-4, max_iter=1000, random_state=0).fit(case.X, case.y)
    assert model.converged_
    J = cross_entropy(case.X, case.y, model.coef_, model.intercept_, case.alpha,
                      model.classes_)
    assert case.best <= J <= case.best * (1 + 1e-4)
    np.testing.assert_allclose(model.predict_proba(case.X), case.proba, rtol=0, atol=3e-2)


# -- labels ------------------------------------------------------------------------------
@pytest.mark.parametrize("names", [np.array(["setosa", "versicolor", "virginica"]),
                                   np.array(["virginica", "setosa", "versicolor"]),
                                   np.array([3, 7, 9]),
                                   np.array([9, 3, 7])])
def test_any_labels_are_classes_sorted(cases, names):
    case = cases["iris"]
    labels = names[case.y]
    sk = sk_multinomial(case.X, labels, case.alpha)
    model = LogisticClassifier(alpha=case.alpha, tol=1e-12).fit(case.X, labels)
    np.testing.assert_array_equal(model.classes_, np.sort(names))
    np.testing.assert_array_equal(model.classes_, sk.classes_)
    assert model.classes_.dtype == names.dtype
    np.testing.assert_allclose(model.predict_proba(case.X), sk.predict_proba(case.X),
                               rtol=0, atol=1e-6)
    predicted = model.predict(case.X)
    assert predicted.dtype == names.dtype
    np.testing.assert_array_equal(predicted, sk.predict(case.X))
    assert model.score(case.X, labels) == pytest.approx(np.mean(sk.predict(case.X) == labels))


# -- the predictions' shapes and relations ---------------------------------------------------
def test_decision_function_predict_and_log_proba_agree(cases):
    case = cases["wine"]
    model = LogisticClassifier(alpha=case.alpha).fit(case.X, case.y)
    Z = model.decision_function(case.X)
    assert Z.shape == (len(case.y), 3)
    np.testing.assert_allclose(Z, case.X @ model.coef_.T + model.intercept_, rtol=1e-12,
                               atol=1e-12)
    proba = model.predict_proba(case.X)
    np.testing.assert_allclose(proba, softmax_rows(Z), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(model.predict(case.X), model.classes_[np.argmax(Z, axis=1)])
    log_proba = model.predict_log_proba(case.X)
    assert log_proba.shape == (len(case.y), 3)
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-12, atol=0)
    assert np.all(np.isfinite(log_proba))                # no log(0) where a class is sure
    far = 1e3 * case.X[:5]                               # scores of thousands: no overflow
    np.testing.assert_allclose(model.predict_proba(far).sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert np.all(np.isfinite(model.predict_log_proba(far)))


def test_two_classes_keep_the_sigmoid_model(cases):
    case = cases["iris"]
    keep = case.y > 0                                    # versicolor and virginica
    X, y = case.X[keep], case.y[keep]
    alpha = 1e-3
    model = LogisticClassifier(alpha=alpha, tol=1e-12).fit(X, y)
    assert model.coef_.shape == (1, 4) and model.intercept_.shape == (1,)
    assert model.decision_function(X).shape == (len(y),)
    assert model.predict_proba(X).shape == (len(y), 2)
    sk = SkLogistic(C=1.0 / (alpha * len(y)), solver="newton-cg", tol=1e-12,
                    max_iter=10_000).fit(X, y)

    def log_loss(coef, intercept):                       # sigmoid of classes_[1]'s score
        z = X @ coef[0] + intercept[0]
        return (float(np.mean(np.logaddexp(0, z) - (y == 2) * z))
                + 0.5 * alpha * float(coef[0] @ coef[0]))
    best = log_loss(sk.coef_, sk.intercept_)
    assert abs(log_loss(model.coef_, model.intercept_) - best) <= 1e-8 * best
    # raw iris is ill-conditioned: losses 1e-16 apart leave probabilities ~4e-8 apart
    np.testing.assert_allclose(model.predict_proba(X), sk.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(model.classes_, [1, 2])


# -- streaming -----------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # one epoch
def test_chunks_in_order_are_one_epoch_of_sgd_with_three_classes(cases):
    case = cases["wine"]
    order = np.random.default_rng(0).permutation(len(case.y))   # every chunk sees 3 classes
    chunk, size, rate, alpha = 40, 8, 0.05, 1e-2
    m = len(case.y) // chunk * chunk
    X, y = case.X[order][:m], case.y[order][:m]
    streamed = LogisticClassifier(batch_size=size, learning_rate=rate, standardize=False,
                                  alpha=alpha)
    for start in range(0, m, chunk):
        streamed.partial_fit(X[start:start + chunk], y[start:start + chunk],
                             classes=[0, 1, 2])
    assert streamed.coef_.shape == (3, X.shape[1])
    shares = np.bincount(y[:chunk], minlength=3) / chunk   # the first chunk's best constant
    b0 = np.log(shares) - np.log(shares).mean()
    epoch = LogisticClassifier(solver="sgd", batch_size=size, learning_rate=rate,
                               schedule="constant", shuffle=False, standardize=False,
                               max_iter=1, tol=0.0, alpha=alpha)
    epoch.fit(X, y, coef_init=np.zeros((3, X.shape[1])), intercept_init=b0)
    np.testing.assert_allclose(streamed.coef_, epoch.coef_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(streamed.intercept_, epoch.intercept_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(streamed.history_["batch_loss"], epoch.history_["batch_loss"],
                               rtol=1e-12)
    assert streamed.n_iter_ == m // chunk and streamed.stop_reason_ == "partial_fit"
    # and the epoch itself is the constant-step update written out with numpy
    W, b = np.zeros((3, X.shape[1])), b0.copy()
    for start in range(0, m, size):
        Xb, Yb = X[start:start + size], np.eye(3)[y[start:start + size]]
        delta = softmax_rows(Xb @ W.T + b) - Yb                    # (r, K)
        W, b = W - rate * (delta.T @ Xb / len(Xb) + alpha * W), b - rate * delta.mean(axis=0)
    np.testing.assert_allclose(epoch.coef_, W, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(epoch.intercept_ - epoch.intercept_.mean(), b - b.mean(),
                               rtol=1e-10, atol=1e-13)


# -- the gradient --------------------------------------------------------------------------
@pytest.mark.parametrize("params, weighted", [({"alpha": 0.0}, False), ({"alpha": 0.3}, False),
                                              ({"alpha": 0.3, "standardize": False}, False),
                                              ({"alpha": 0.3}, True)])
def test_the_softmax_objective_s_gradient_matches_central_differences(params, weighted):
    X, y = load_wine(return_X_y=True)                    # raw: the standardization folds in
    s = np.random.default_rng(2).uniform(0.0, 3.0, size=len(y)) if weighted else None
    objective, theta0 = objective_of(LogisticClassifier(**params), X, y, sample_weight=s)
    assert theta0.shape == ((X.shape[1] + 1) * 3,)
    rng = np.random.default_rng(1)
    theta = rng.normal(scale=0.5, size=theta0.shape)
    J, grad, _ = objective(theta)
    w, b = objective.params(theta)                       # (n, K), (K,) in X's units
    assert J == pytest.approx(cross_entropy(X, y, w.T, b, params["alpha"], np.unique(y), s),
                              rel=1e-12)
    h = 1e-6
    numeric = np.empty_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        numeric[j] = (objective(theta + e)[0] - objective(theta - e)[0]) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8 * np.max(np.abs(grad)))
