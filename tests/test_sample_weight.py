"""Sample and class weights, against references that need no weights: repeated rows,
removed rows and scikit-learn's weighted estimators; and the same weighted fit on Dask."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression as SkLinear
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.linear_model import Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import StandardScaler

from descend import LinearRegression, LogisticClassifier


# -- data and references ---------------------------------------------------------------
def _synthetic(m=120, seed=0):
    """Columns of unequal scales and offsets (the standardization matters), a numeric
    target, two classes and three."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 5)) * [1.0, 3.0, 0.5, 10.0, 2.0] + [0.0, 5.0, -1.0, 20.0, 0.0]
    u = X @ [1.0, -0.5, 2.0, 0.1, 0.3]
    y = u + rng.normal(size=m)
    two = (u - np.median(u) + 2 * rng.normal(size=m) > 0).astype(int)
    three = np.digitize(u - np.median(u) + 2 * rng.normal(size=m), [-1.5, 1.5])
    return X, {"linear": y, "two": two, "three": three}


X_SYN, TARGETS = _synthetic()
COUNTS = np.random.default_rng(1).integers(0, 4, size=len(X_SYN))    # 0 to 3 copies
KINDS = ["linear", "two", "three"]


def _model(kind, **params):
    if kind == "linear":
        return LinearRegression(**params)
    return LogisticClassifier(alpha=1e-2, **params)


def _fit(model, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kw)


def _objective(kind, model, X, y, s=None):
    """The weighted mean loss plus the L2 penalty, written out with numpy."""
    s = np.ones(len(y)) if s is None else np.asarray(s, dtype=float)
    W = np.atleast_2d(model.coef_)
    Z = X @ W.T + model.intercept_                     # (m, 1) or (m, K)
    if kind == "linear":
        L = 0.5 * (y - Z[:, 0]) ** 2
    elif Z.shape[1] == 1:
        z, t = Z[:, 0], (y == model.classes_[1])
        L = np.logaddexp(0, z) - t * z
    else:
        codes = np.searchsorted(model.classes_, y)
        L = np.logaddexp.reduce(Z, axis=1) - Z[np.arange(len(y)), codes]
    return float(s @ L / s.sum()) + 0.5 * model.alpha * float(np.sum(W * W))


def _close(a, b, rtol):
    """Coefficients and intercepts equal to ``rtol`` of the largest coefficient."""
    top = np.max(np.abs(b.coef_))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=0, atol=rtol * top)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=0,
                               atol=rtol * max(top, np.max(np.abs(b.intercept_))))


# -- integer weights are repeated rows ----------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "lbfgs-newton", "nesterov", "gd"])
def test_integer_weights_are_repeated_rows(kind, solver):
    y = TARGETS[kind]
    rows = np.repeat(np.arange(len(y)), COUNTS)
    params = dict(solver=solver, tol=1e-12, max_iter=20_000)
    weighted = _fit(_model(kind, **params), X_SYN, y, sample_weight=COUNTS)
    repeated = _fit(_model(kind, **params), X_SYN[rows], y[rows])
    assert weighted.converged_ and repeated.converged_
    _close(weighted, repeated, 1e-10)
    np.testing.assert_allclose(weighted.x_mean_, repeated.x_mean_, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(weighted.x_scale_, repeated.x_scale_, rtol=1e-13)


@pytest.mark.parametrize("kind", KINDS)
def test_integer_weights_are_repeated_rows_for_mini_batches_too(kind):
    # The batches differ (the repeated set has more rows), so the two fits take other
    # steps: each reaches the one optimum within its certified tolerance, 1e-3 of the loss.
    y = TARGETS[kind]
    rows = np.repeat(np.arange(len(y)), COUNTS)
    best = _fit(_model(kind, solver="newton", tol=1e-12), X_SYN[rows], y[rows])
    J_best = _objective(kind, best, X_SYN[rows], y[rows])
    params = dict(solver="sgd", batch_size=16, average=True, tol=1e-3, max_iter=400,
                  random_state=0)
    weighted = _fit(_model(kind, **params), X_SYN, y, sample_weight=COUNTS)
    repeated = _fit(_model(kind, **params), X_SYN[rows], y[rows])
    for model in (weighted, repeated):
        assert model.converged_
        J = _objective(kind, model, X_SYN[rows], y[rows])
        assert J_best * (1 - 1e-12) <= J <= J_best * (1 + 1e-3)


# -- zero weights are removed rows; a common factor changes nothing ------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_zero_weights_are_removed_rows(kind):
    y = TARGETS[kind]
    s = np.random.default_rng(2).uniform(0.5, 2.0, size=len(y))
    s[::3] = 0.0
    kept = s > 0
    weighted = _fit(_model(kind, tol=1e-12), X_SYN, y, sample_weight=s)
    removed = _fit(_model(kind, tol=1e-12), X_SYN[kept], y[kept], sample_weight=s[kept])
    _close(weighted, removed, 1e-10)
    np.testing.assert_allclose(weighted.x_mean_, removed.x_mean_, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("factor", [1e-6, 7.0, 1e8])
def test_scaling_every_weight_changes_nothing(kind, factor):
    y = TARGETS[kind]
    s = np.random.default_rng(3).uniform(0.1, 3.0, size=len(y))
    plain = _fit(_model(kind, tol=1e-12), X_SYN, y, sample_weight=s)
    scaled = _fit(_model(kind, tol=1e-12), X_SYN, y, sample_weight=factor * s)
    _close(scaled, plain, 1e-12)


def test_unit_weights_are_no_weights():
    for kind in KINDS:
        y = TARGETS[kind]
        plain = _fit(_model(kind, tol=1e-12), X_SYN, y)
        ones = _fit(_model(kind, tol=1e-12), X_SYN, y, sample_weight=np.ones(len(y)))
        _close(ones, plain, 1e-13)


# -- the standardization uses the weights ---------------------------------------------------
def test_the_standardization_is_the_weighted_moments():
    s = np.random.default_rng(4).uniform(0.0, 3.0, size=len(X_SYN))
    model = LinearRegression().fit(X_SYN, TARGETS["linear"], sample_weight=s)
    mean = np.average(X_SYN, weights=s, axis=0)
    np.testing.assert_allclose(model.x_mean_, mean, rtol=1e-13)
    np.testing.assert_allclose(model.x_scale_,
                               np.sqrt(np.average((X_SYN - mean) ** 2, weights=s, axis=0)),
                               rtol=1e-12)


# -- against scikit-learn ------------------------------------------------------------------
@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    s = np.random.default_rng(5).uniform(0.0, 4.0, size=len(y))
    return X, y, s


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    s = np.random.default_rng(6).uniform(0.0, 4.0, size=len(y))
    return StandardScaler().fit_transform(X), y, s


def test_weighted_least_squares_is_scikit_learn_s(diabetes):
    X, y, s = diabetes
    sk = SkLinear().fit(X, y, sample_weight=s)
    model = LinearRegression(tol=1e-12).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(model.coef_, sk.coef_, rtol=1e-9)
    assert model.intercept_ == pytest.approx(sk.intercept_, rel=1e-11)


# L-BFGS's tolerance is on the loss, reached here to 1e-14 or better; the valleys are so
# flat along some directions that its weights are then only ~1e-6 (diabetes) and ~2e-7
# (cancer) from the optimum's.
COEF_RTOL = {"auto": 1e-8, "newton": 1e-8, "nesterov": 1e-8, "lbfgs": 1e-5}


@pytest.mark.parametrize("solver", ["auto", "lbfgs", "nesterov"])
def test_weighted_ridge_is_scikit_learn_s(diabetes, solver):
    # Ridge minimizes sum s (y - Xw - b)^2 + a ||w||^2: a = alpha * sum(s).
    X, y, s = diabetes
    alpha = 0.01
    sk = Ridge(alpha=alpha * s.sum(), tol=1e-14, solver="cholesky").fit(X, y, sample_weight=s)
    model = LinearRegression(alpha=alpha, solver=solver, tol=1e-12).fit(X, y, sample_weight=s)

    def J(w, b):
        r = y - X @ w - b
        return 0.5 * float(s @ (r * r)) / s.sum() + 0.5 * alpha * float(w @ w)
    best = J(sk.coef_, sk.intercept_)
    assert abs(J(model.coef_, model.intercept_) - best) <= 1e-12 * best
    np.testing.assert_allclose(model.coef_, sk.coef_, rtol=COEF_RTOL[solver])
    assert model.intercept_ == pytest.approx(sk.intercept_, rel=COEF_RTOL[solver])


def _weighted_log_loss(X, y, w, b, alpha, s):
    z = X @ w + b
    return float(s @ (np.logaddexp(0, z) - y * z) / s.sum()) + 0.5 * alpha * float(w @ w)


def _sk_logistic(X, y, alpha, total, **params):
    """scikit-learn's LogisticRegression with C = 1 / (alpha sum of the row weights)."""
    return SkLogistic(C=1.0 / (alpha * total), solver="newton-cg", tol=1e-12,
                      max_iter=10_000, **params)


@pytest.mark.parametrize("solver", ["auto", "newton", "lbfgs"])
def test_weighted_logistic_regression_is_scikit_learn_s(cancer, solver):
    X, y, s = cancer
    alpha = 1e-3
    sk = _sk_logistic(X, y, alpha, s.sum()).fit(X, y, sample_weight=s)
    model = LogisticClassifier(alpha=alpha, solver=solver, tol=1e-12).fit(X, y, sample_weight=s)
    J = _weighted_log_loss(X, y, model.coef_[0], model.intercept_[0], alpha, s)
    J_sk = _weighted_log_loss(X, y, sk.coef_[0], sk.intercept_[0], alpha, s)
    assert abs(J - J_sk) <= 1e-10 * J_sk
    np.testing.assert_allclose(model.coef_, sk.coef_, rtol=0,
                               atol=COEF_RTOL[solver] * np.abs(sk.coef_).max())
    np.testing.assert_allclose(model.predict_proba(X), sk.predict_proba(X), rtol=0,
                               atol=COEF_RTOL[solver])


def _class_factors(class_weight, y, s):
    """scikit-learn's factor per class (since 1.7, scikit-learn PR #30057, "balanced"
    counts each class by its rows' sample weights: every class then weighs the same in
    total)."""
    K = y.max() + 1
    if class_weight == "balanced":
        counts = np.bincount(y, weights=s, minlength=K)
        return counts.sum() / (K * counts)
    return np.array([class_weight.get(k, 1.0) for k in range(K)])


def _sklearn_version():
    import sklearn
    return tuple(int(part) for part in sklearn.__version__.split(".")[:2])


# scikit-learn counts "balanced" classes by their rows' weights from 1.7 (PR #30057); before,
# by their rows. descend counts by weights, the meaning "every class weighs the same".
BALANCED_WEIGHED = pytest.mark.skipif(_sklearn_version() < (1, 7), reason=(
    "scikit-learn before 1.7 counts balanced classes by rows, not by their weights"))
CLASS_WEIGHTS = [pytest.param("balanced", None, id="balanced"),
                 pytest.param("balanced", 6, marks=BALANCED_WEIGHED, id="balanced-weighted"),
                 pytest.param({0: 3.0, 1: 0.5}, None, id="dict"),
                 pytest.param({0: 3.0, 1: 0.5}, 6, id="dict-weighted")]


@pytest.mark.parametrize("class_weight, seed", CLASS_WEIGHTS)
def test_class_weight_is_scikit_learn_s(cancer, class_weight, seed):
    X, y, _ = cancer
    s = None if seed is None else np.random.default_rng(seed).uniform(0.0, 4.0, size=len(y))
    alpha = 1e-3
    rows = (1.0 if s is None else s) * _class_factors(class_weight, y, s)[y]   # in all
    sk = _sk_logistic(X, y, alpha, rows.sum(), class_weight=class_weight)
    sk.fit(X, y, sample_weight=s)
    model = LogisticClassifier(alpha=alpha, class_weight=class_weight, tol=1e-12)
    model.fit(X, y, sample_weight=s)
    J = _weighted_log_loss(X, y, model.coef_[0], model.intercept_[0], alpha, rows)
    J_sk = _weighted_log_loss(X, y, sk.coef_[0], sk.intercept_[0], alpha, rows)
    assert abs(J - J_sk) <= 1e-10 * J_sk
    np.testing.assert_allclose(model.predict_proba(X), sk.predict_proba(X), rtol=0, atol=1e-7)
    # and class weights are row weights: the same fit from sample_weight alone
    plain = LogisticClassifier(alpha=alpha, tol=1e-12).fit(X, y, sample_weight=rows)
    _close(model, plain, 1e-10)


def test_balanced_classes_weigh_the_same_whatever_the_sample_weights(cancer):
    # Counting every row of class 1 three times changes no class's share of the total
    # once "balanced" evens the classes out: the fit is the unweighted balanced fit.
    X, y, _ = cancer
    s = np.where(y == 1, 3.0, 1.0)
    weighted = LogisticClassifier(class_weight="balanced", alpha=1e-3, tol=1e-12)
    plain = LogisticClassifier(class_weight="balanced", alpha=1e-3, tol=1e-12)
    _close(weighted.fit(X, y, sample_weight=s), plain.fit(X, y), 1e-9)


@pytest.mark.parametrize("class_weight, seed", CLASS_WEIGHTS[:2] + [
    pytest.param({0: 0.2, 2: 5.0}, 7, id="dict-weighted")])
def test_multiclass_weights_are_scikit_learn_s(class_weight, seed):
    X, y = load_iris(return_X_y=True)
    y = y[20:]                                            # unequal counts: 30, 50, 50
    X = StandardScaler().fit_transform(X[20:])
    s = None if seed is None else np.random.default_rng(seed).uniform(0.0, 2.0, size=len(y))
    alpha = 1e-2
    rows = (1.0 if s is None else s) * _class_factors(class_weight, y, s)[y]
    sk = _sk_logistic(X, y, alpha, rows.sum(), class_weight=class_weight)
    sk.fit(X, y, sample_weight=s)
    model = LogisticClassifier(alpha=alpha, class_weight=class_weight, tol=1e-12)
    model.fit(X, y, sample_weight=s)
    assert model.coef_.shape == (3, 4)
    np.testing.assert_allclose(model.coef_, sk.coef_, rtol=0, atol=1e-6 * np.abs(sk.coef_).max())
    np.testing.assert_allclose(model.predict_proba(X), sk.predict_proba(X), rtol=0, atol=1e-7)


# -- score ------------------------------------------------------------------------------------
def test_score_weighs_the_rows(diabetes, cancer):
    X, y, s = diabetes
    model = LinearRegression().fit(X, y)
    predicted = model.predict(X)
    assert model.score(X, y, sample_weight=s) == pytest.approx(
        r2_score(y, predicted, sample_weight=s), rel=1e-12)
    mean = np.average(y, weights=s)                         # R² written out
    r2 = 1 - s @ (y - predicted) ** 2 / (s @ (y - mean) ** 2)
    assert model.score(X, y, sample_weight=s) == pytest.approx(r2, rel=1e-12)
    assert model.score(X, y, sample_weight=s) != pytest.approx(model.score(X, y), rel=1e-6)
    X, y, s = cancer
    model = LogisticClassifier(alpha=0.05).fit(X, y)
    right = model.predict(X) == y
    assert model.score(X, y, sample_weight=s) == pytest.approx(
        accuracy_score(y, model.predict(X), sample_weight=s), rel=1e-14)
    assert model.score(X, y, sample_weight=s) == pytest.approx(s @ right / s.sum(), rel=1e-14)


# -- Dask ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", memory_limit="1GiB") as lc, \
            distributed.Client(lc) as c:
        yield c


@pytest.mark.parametrize("kind", ["linear", "two"])
def test_dask_weighted_fit_equals_in_memory(client, kind):
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(8)
    m = 3000
    X = rng.normal(size=(m, 4)) * [1.0, 30.0, 0.01, 5.0] + [0.0, 100.0, -3.0, 7.0]
    u = X @ [1.0, -0.05, 50.0, 0.3]
    y = u + rng.normal(size=m) if kind == "linear" else (
        u - np.median(u) + 3 * rng.normal(size=m) > 0).astype(float)
    s = rng.uniform(0.0, 3.0, size=m)
    s[::7] = 0.0
    chunks = ((700, 1100, 300, 900),)
    Model = LinearRegression if kind == "linear" else LogisticClassifier
    for solver in ["newton", "lbfgs"]:
        ref = Model(solver=solver, alpha=1e-3, tol=1e-10).fit(X, y, sample_weight=s)
        got = Model(solver=solver, alpha=1e-3, tol=1e-10).fit(
            da.from_array(X, chunks=chunks + ((2, 2),)), da.from_array(y, chunks=chunks),
            sample_weight=da.from_array(s, chunks=chunks))
        _close(got, ref, 1e-9)
        assert got.converged_ and got.stop_reason_ == ref.stop_reason_
        np.testing.assert_allclose(got.x_mean_, np.average(X, weights=s, axis=0), rtol=1e-12)
    score = got.score(da.from_array(X, chunks=chunks + ((4,),)), da.from_array(y, chunks=chunks),
                      sample_weight=da.from_array(s, chunks=chunks))
    metric = r2_score if kind == "linear" else accuracy_score
    assert score == pytest.approx(metric(y, ref.predict(X), sample_weight=s), rel=1e-12)


def test_rows_of_weight_zero_are_left_out_whatever_they_hold():
    """A zero-weight row of 1e300 (in X or y) changes nothing: the fit of the other rows."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = X @ [1.2, 2.0] + 0.1 * rng.normal(size=60)
    w = np.ones(61)
    w[-1] = 0.0
    removed = LinearRegression(tol=1e-12).fit(X, y)
    for bad_x, bad_y in (([1e300, 1e300], 0.0), ([0.0, 0.0], 1e300)):
        X1, y1 = np.vstack([X, bad_x]), np.append(y, bad_y)
        for solver in ("newton", "lbfgs"):
            model = LinearRegression(tol=1e-12, solver=solver).fit(X1, y1, sample_weight=w)
            assert model.converged_
            np.testing.assert_allclose(model.coef_, removed.coef_, rtol=1e-8)


def test_a_stream_whose_first_chunk_lacks_a_class_starts_and_learns():
    X, y = load_iris(return_X_y=True)
    names = np.array(["a", "b", "c"])[y]
    model = LogisticClassifier().partial_fit(X[y != 2], names[y != 2], classes=["a", "b", "c"])
    assert model.coef_.shape == (3, 4) and np.all(np.isfinite(model.intercept_))
    model.partial_fit(X, names)
    assert set(model.predict(X)) <= {"a", "b", "c"}
