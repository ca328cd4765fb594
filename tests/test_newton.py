"""Newton's method and the convergence certificate, against references computed
independently: NIST's certified values, exact rational least squares, and a
trust-region minimizer (scipy) on a log-loss written out here."""

import warnings
from fractions import Fraction

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import statsmodels.api as sm

from descend import LinearRegression, LogisticClassifier
from descend.diagnosis import CollinearityWarning
from descend.hessian import exact_grad, hessian_bound, loss_grad_hessian
from descend.rows import ArrayRows
from descend.losses import LogLoss, SquaredError


def exact_lstsq(A, y):
    """The exact least-squares solution of the float data ``A``, ``y`` (rationals):
    the normal equations in integers, solved by fraction-free (Bareiss) elimination."""
    def integers(values):
        exact = [Fraction(float(v)) for v in values]
        den = max(f.denominator for f in exact)
        return [int(f * den) for f in exact], den

    cols, dens = zip(*(integers(A[:, j]) for j in range(A.shape[1])))
    yi, yden = integers(y)
    n = len(cols)
    M = [[sum(a * b for a, b in zip(cols[i], cols[j])) for j in range(n)]
         + [sum(a * b for a, b in zip(cols[i], yi))] for i in range(n)]
    prev = 1
    for k in range(n):
        p = max(range(k, n), key=lambda r: abs(M[r][k]))
        M[k], M[p] = M[p], M[k]
        for i in range(k + 1, n):
            for j in range(k + 1, n + 1):
                M[i][j] = (M[i][j] * M[k][k] - M[i][k] * M[k][j]) // prev
            M[i][k] = 0
        prev = M[k][k]
    x = [Fraction(0)] * n
    for i in reversed(range(n)):
        x[i] = (M[i][n] - sum(M[i][j] * x[j] for j in range(i + 1, n))) / Fraction(M[i][i])
    return np.array([float(xi * dens[i] / yden) for i, xi in enumerate(x)])


def lre(estimate, certified):
    """Correct significant digits of the worst coefficient (15 when exact)."""
    err = np.max(np.abs(estimate - certified) / np.abs(certified))
    return 15.0 if err == 0 else min(15.0, -np.log10(err))


def _design(X):
    return np.column_stack([np.ones(len(X)), X])


# -- NIST StRD linear least squares: certified values, embedded -------------------------
NORRIS_X = [0.2, 337.4, 118.2, 884.6, 10.1, 226.5, 666.3, 996.3, 448.6, 777.0, 558.2, 0.4,
            0.6, 775.5, 666.9, 338.0, 447.5, 11.6, 556.0, 228.1, 995.8, 887.6, 120.2, 0.3,
            0.3, 556.8, 339.1, 887.2, 999.0, 779.0, 11.1, 118.3, 229.2, 669.1, 448.9, 0.5]
NORRIS_Y = [0.1, 338.8, 118.1, 888.0, 9.2, 228.1, 668.5, 998.5, 449.1, 778.9, 559.2, 0.3,
            0.1, 778.1, 668.8, 339.3, 448.9, 10.8, 557.7, 228.3, 998.0, 888.8, 119.6, 0.3,
            0.6, 557.6, 339.3, 888.0, 998.5, 778.9, 10.2, 117.6, 228.9, 668.4, 449.2, 0.2]
NORRIS_BETA = [-0.262323073774029, 1.00211681802045]
LONGLEY_BETA = [-3482258.63459582, 15.0618722713733, -0.358191792925910e-01,
                -2.02022980381683, -1.03322686717359, -0.511041056535807e-01,
                1829.15146461355]


def _nist(name):
    if name == "Norris":
        return np.array(NORRIS_X)[:, None], np.array(NORRIS_Y), np.array(NORRIS_BETA)
    if name == "Longley":
        data = sm.datasets.longley.load_pandas()
        return data.exog.to_numpy(float), data.endog.to_numpy(float), np.array(LONGLEY_BETA)
    x = np.arange(21.0)
    X = np.column_stack([x ** k for k in range(1, 6)])
    beta = np.ones(6) if name == "Wampler1" else 10.0 ** -np.arange(6)
    y = np.polynomial.polynomial.polyval(x, beta)     # exactly representable for Wampler1
    return X, y, beta


@pytest.mark.parametrize("name", ["Norris", "Longley", "Wampler1", "Wampler2"])
def test_nist_certified_digits_at_the_defaults(name):
    X, y, beta = _nist(name)
    model = LinearRegression().fit(X, y)
    ours = lre(np.r_[model.intercept_, model.coef_], beta)
    theirs = lre(np.linalg.lstsq(_design(X), y, rcond=None)[0], beta)
    assert model.converged_ and model.solver_ == "newton"
    assert ours >= theirs, f"{name}: {ours:.1f} digits, lstsq {theirs:.1f}"
    assert ours >= 9.0


def _fertility():
    data = sm.datasets.fertility.load_pandas().data
    data = data[data["2011"].notna()]
    years = [str(year) for year in range(1960, 2011)]
    X = data[years].astype(float)
    return X.fillna(X.median()).to_numpy(), data["2011"].to_numpy(float)


def _star98():
    data = sm.datasets.star98.load_pandas()
    counts = data.endog.to_numpy(float)
    return data.exog.to_numpy(float), counts[:, 0] / counts.sum(axis=1)


@pytest.mark.parametrize("load", [_fertility, _star98], ids=["fertility", "star98"])
def test_real_collinear_data_match_exact_least_squares(load):
    X, y = load()
    exact = exact_lstsq(np.column_stack([X, np.ones(len(y))]), y)
    model = LinearRegression().fit(X, y)
    got = np.r_[model.coef_, model.intercept_]
    lstsq = np.linalg.lstsq(np.column_stack([X, np.ones(len(y))]), y, rcond=None)[0]
    ours = np.max(np.abs(got - exact)) / np.max(np.abs(exact))
    theirs = np.max(np.abs(lstsq - exact)) / np.max(np.abs(exact))
    assert model.converged_
    assert ours <= max(theirs, 1e-13)


# -- the passes ---------------------------------------------------------------------------
@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_curvature_pass_matches_the_formula(loss, dtype):
    rng = np.random.default_rng(3)
    X = (rng.standard_normal((3000, 6)) * [1, 10, 1e3, 1, 1, 0.1] + [0, 5, 1e4, 0, 0, 0])
    X = X.astype(dtype)
    y = (rng.random(3000) < 0.4).astype(float)
    w, b = rng.standard_normal(6) * 1e-3, 0.2
    shift, scale = X.astype(float).mean(axis=0), X.astype(float).std(axis=0)
    J, gw, gb, H, _ = loss_grad_hessian(X, y, w, b, loss, shift, scale, block_rows=700,
                                        n_threads=2)
    Xf = X.astype(float)
    z = Xf @ w + b
    p = 1 / (1 + np.exp(-z))
    h = p * (1 - p) if loss is LogLoss else np.ones_like(z)
    A = np.column_stack([(Xf - shift) / scale, np.ones(len(z))])
    np.testing.assert_allclose(H, (A * h[:, None]).T @ A / len(z), rtol=1e-10, atol=1e-14)
    # The gradient is the Hessian's integral: a central difference of it along theta.
    delta = (p if loss is LogLoss else z) - y
    np.testing.assert_allclose(gw, Xf.T @ delta / len(z), rtol=1e-9, atol=1e-12)
    assert gb == pytest.approx(delta.mean(), rel=1e-9, abs=1e-13)


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
@pytest.mark.parametrize("every", [1, 3, 7])
def test_hessian_of_part_of_the_rows_is_below_the_whole(loss, every):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3000, 12)) @ rng.standard_normal((12, 12)) + 3.0
    y = (rng.random(3000) < 0.3).astype(float)
    w, b = rng.standard_normal(12) * 0.3, -0.5
    shift, scale = X.mean(axis=0), X.std(axis=0)
    H_part, share = hessian_bound(X, y, w, b, loss, shift, scale, every, block_rows=100,
                                  n_threads=2)
    kept = np.zeros(3000, dtype=bool)
    for start in range(0, 3000, 100 * every):          # every every-th block of 100 rows
        kept[start:start + 100] = True
    assert share == kept.mean()
    z = X @ w + b
    p = 1 / (1 + np.exp(-z))
    h = (p * (1 - p) if loss is LogLoss else np.ones_like(z)) * kept
    A = np.column_stack([(X - shift) / scale, np.ones(3000)])
    np.testing.assert_allclose(H_part, (A * h[:, None]).T @ A / 3000, rtol=1e-10, atol=1e-14)
    H = loss_grad_hessian(X, y, w, b, loss, shift, scale)[3]
    # A lower bound in the Loewner order: H - H_part is positive semi-definite.
    assert np.linalg.eigvalsh(H - H_part).min() >= -1e-12 * np.abs(H).max()


def _wide(rng, logistic, m=20_000, n=64):
    """Correlated columns, some of them rare 0/1 indicators, rows sometimes sorted: data
    on which a Hessian from part of the rows is a poor stand-in for the whole."""
    X = rng.standard_normal((m, n)) @ (np.eye(n) + rng.uniform(0, 0.4) * rng.standard_normal((n, n)))
    rare = rng.choice(n, size=int(rng.integers(0, 4)), replace=False)
    X[:, rare] = rng.random((m, rare.size)) < rng.uniform(0.001, 0.01)
    if rng.random() < 0.5:
        X = X[np.argsort(X[:, int(rng.integers(n))], kind="stable")]
    z = X @ (rng.standard_normal(n) / np.sqrt(n)) + rng.standard_normal(m)
    y = (z > 0).astype(float) if logistic else z
    return X, y


def test_the_certificate_from_part_of_the_rows_never_lies(monkeypatch):
    """The gradient solvers' certificate on data wide enough for it to read only part of
    the rows: each converged fit is within tol of an optimum computed independently."""
    calls = []
    bound = ArrayRows.hessian_bound
    monkeypatch.setattr(ArrayRows, "hessian_bound",
                        lambda self, *a: calls.append(a[-1]) or bound(self, *a))
    rng = np.random.default_rng(7)
    checked = 0
    for k in range(16):
        logistic = k % 2 == 0
        X, y = _wide(rng, logistic)
        J_star = _optimum_wide(X, y, logistic)
        solver = ["lbfgs", "nesterov"][k % 4 // 3]
        tol = float(10.0 ** -rng.integers(3, 10))
        est = LogisticClassifier if logistic else LinearRegression
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = est(solver=solver, tol=tol, max_iter=500).fit(X, y)
        if not model.converged_:
            continue
        J = _loss(X, y, model.coef_.ravel(), float(np.ravel(model.intercept_)[0]), 0.0, logistic)
        J_star = min(J_star, J)
        assert J - J_star <= tol * J + 1e-12 * J_star, (k, solver, logistic, tol, J, J_star)
        checked += 1
    assert checked >= 10 and len(calls) >= 10 and min(calls) > 1


def _optimum_wide(X, y, logistic):
    """J* to about 1e-14: Newton's method in float64, written out here, on standardized
    columns (least squares by lstsq)."""
    m, n = X.shape
    mu, s = X.mean(axis=0), X.std(axis=0)
    Z = np.column_stack([(X - mu) / s, np.ones(m)])
    if not logistic:
        v = np.linalg.lstsq(Z, y, rcond=None)[0]
    else:
        v = np.zeros(n + 1)
        for _ in range(30):
            p = scipy.special.expit(Z @ v)
            step = np.linalg.solve((Z * (p * (1 - p))[:, None]).T @ Z, Z.T @ (p - y))
            v -= step
            if np.abs(step).max() < 1e-13:
                break
    w = v[:n] / s
    return _loss(X, y, w, v[n] - mu @ w, 0.0, logistic)


def test_exact_residuals_keep_their_own_digits():
    # y = x w + b exactly in rationals, off by one unit in the last place on some rows:
    # the residuals are those ulps, which a plain dot product would lose to rounding.
    rng = np.random.default_rng(4)
    X = rng.uniform(1e3, 1e4, (500, 4))
    w, b = np.array([1.0, -2.0, 0.5, 3.0]), 7.0
    y = X @ w + b
    exact = np.array([sum(Fraction(float(x)) * Fraction(float(v)) for x, v in zip(row, w))
                      + Fraction(b) - Fraction(float(t)) for row, t in zip(X, y)])
    J, gc, gb = exact_grad(X, y, w, b, np.zeros(4))
    r = exact.astype(float)
    assert J == pytest.approx(0.5 * float(r @ r) / len(r), rel=1e-12)
    np.testing.assert_allclose(gc, X.T @ r / len(r), rtol=1e-10, atol=1e-300)
    assert gb == pytest.approx(float(np.mean(r)), rel=1e-10, abs=1e-300)


# -- collinear columns ---------------------------------------------------------------------
@pytest.mark.parametrize("est", [LinearRegression, LogisticClassifier])
def test_collinear_columns_are_named_and_predictions_are_those_of_lstsq(est):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((300, 4))
    X = np.column_stack([X, X[:, 0] + X[:, 1]])              # column 4 = column 0 + column 1
    y = X[:, :4] @ [1.0, -1.0, 0.5, 2.0] + 0.3 * rng.standard_normal(300)
    if est is LogisticClassifier:
        y = (y + rng.standard_normal(300) > 0).astype(int)
    with pytest.warns(CollinearityWarning, match=r"column 0, column 1, column 4 are collinear"):
        model = est(solver="newton").fit(X, y)
    assert model.converged_
    if est is LinearRegression:
        A = _design(X)
        ref = A @ np.linalg.lstsq(A, y, rcond=None)[0]
        np.testing.assert_allclose(model.predict(X), ref, rtol=1e-10, atol=1e-10)


# -- converged_ is a promise ----------------------------------------------------------------
def _ill_conditioned(rng, logistic):
    m, n = int(rng.integers(40, 200)), int(rng.integers(1, 7))
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    spectrum = np.logspace(0, -rng.uniform(0, 4), n)
    X = rng.standard_normal((m, n)) @ (Q * spectrum) @ Q.T
    X = X * 10.0 ** rng.uniform(-3, 3, n) + 10.0 ** rng.uniform(0, 4, n) * rng.choice([0, 1], n)
    alpha = 0.0 if rng.random() < 0.5 else 10.0 ** rng.uniform(-4, -1)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    z = Z @ rng.standard_normal(n) + rng.standard_normal(m) * (2.0 if logistic else 0.5)
    y = (z > 0).astype(float) if logistic else z * 10.0 ** rng.uniform(-2, 3)
    return X, y, alpha


def _loss(X, y, w, b, alpha, logistic):
    z = X @ w + b
    if logistic:
        data = np.mean(np.logaddexp(0.0, z) - y * z)
    else:
        data = 0.5 * np.mean((z - y) ** 2)
    return data + 0.5 * alpha * float(w @ w)


def _optimum(X, y, alpha, logistic):
    """J* by an independent method: exact least squares (ridge by stacked rows), or a
    trust-region Newton (scipy) on the log-loss written out here, in standardized units."""
    m, n = X.shape
    if not logistic:
        A = np.column_stack([X, np.ones(m)])
        if alpha:
            A = np.vstack([A, np.column_stack([np.sqrt(alpha * m) * np.eye(n), np.zeros(n)])])
            y = np.r_[y, np.zeros(n)]
        beta = exact_lstsq(A, y)
        return _loss(X, y[:m], beta[:n], beta[n], alpha, logistic)
    mu, s = X.mean(axis=0), X.std(axis=0)
    Z = np.column_stack([(X - mu) / s, np.ones(m)])
    pen = np.r_[alpha / s ** 2, 0.0]

    def fun(v):
        z = Z @ v
        p = scipy.special.expit(z)
        J = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * float(pen @ (v * v))
        return J, Z.T @ (p - y) / m + pen * v

    def hess(v):
        p = scipy.special.expit(Z @ v)
        return (Z * (p * (1 - p))[:, None]).T @ Z / m + np.diag(pen)

    found = scipy.optimize.minimize(fun, np.zeros(n + 1), jac=True, hess=hess,
                                    method="trust-exact", options={"gtol": 1e-13})
    w = found.x[:n] / s
    return _loss(X, y, w, found.x[n] - mu @ w, alpha, logistic)


def test_converged_never_lies_on_ill_conditioned_problems():
    rng = np.random.default_rng(2026)
    checked = {"newton": 0, "lbfgs-newton": 0, "lbfgs": 0, "gd": 0, "nesterov": 0}
    for _ in range(300):
        logistic = bool(rng.random() < 0.5)
        X, y, alpha = _ill_conditioned(rng, logistic)
        if logistic and len(np.unique(y)) < 2:
            continue
        J_star = _optimum(X, y, alpha, logistic)
        J0 = _loss(X, y, np.zeros(X.shape[1]), 0.0, alpha, logistic)
        solver = list(checked)[int(rng.integers(len(checked)))]
        tol = float(10.0 ** -rng.integers(3, 10))
        est = LogisticClassifier if logistic else LinearRegression
        model = est(solver=solver, tol=tol, alpha=alpha, max_iter=int(rng.integers(5, 400)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        if not model.converged_:
            continue
        coef, b = np.ravel(model.coef_), float(np.ravel(model.intercept_)[0])
        J = _loss(X, y, coef, b, alpha, logistic)
        J_star = min(J_star, J)
        # The promise (plus the rounding of J itself, computed here in float64).
        slack = 1e-12 * abs(J_star) + 1e-15 * abs(J0)
        assert J - J_star <= tol * max(J, np.finfo(float).eps * J0) + slack, (
            solver, logistic, alpha, tol, J, J_star)
        checked[solver] += 1
    # Converged fits were checked for each solver (the test cannot pass vacuously).
    assert checked["newton"] >= 40 and checked["lbfgs"] >= 20 and sum(checked.values()) >= 100


def test_certificate_is_in_the_history():
    X, y, _ = _nist("Longley")
    model = LinearRegression(solver="lbfgs", max_iter=5000).fit(X, y)
    gaps = model.history_["gap"]
    assert gaps.shape == model.history_["loss"].shape
    if model.converged_:
        assert np.isfinite(gaps[-1]) and gaps[-1] <= model.tol * model.history_["loss"][-1]


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_logistic_newton_matches_statsmodels(solver):
    data = sm.datasets.spector.load_pandas()
    X, y = data.exog.to_numpy(float), data.endog.to_numpy(float)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-14, maxiter=100)
    model = LogisticClassifier(solver=solver, tol=1e-10).fit(X, y)
    assert model.converged_
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_[0]], ref.params,
                               rtol=1e-5 if solver == "lbfgs" else 1e-8)


def test_dekkers_product_is_exact():
    # The fallback where llvmlite has no fused multiply-add: p + e == a * b in rationals.
    from descend.hessian import _two_prod, _two_sum

    rng = np.random.default_rng(6)
    for a, b in rng.standard_normal((500, 2)) * 10.0 ** rng.integers(-150, 150, (500, 2)):
        p, e = _two_prod(float(a), float(b))
        assert Fraction(p) + Fraction(e) == Fraction(float(a)) * Fraction(float(b))
        s, t = _two_sum(float(a), float(b))
        assert Fraction(s) + Fraction(t) == Fraction(float(a)) + Fraction(float(b))


# -- found in review: ill-conditioned Hessians must not give false certificates -------------
def _ls_loss(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    beta = exact_lstsq(A, y)
    return _loss(X, y, beta[:-1], beta[-1], 0.0, False)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("offset", [1e4, 1e8])
def test_unstandardized_offsets_reach_the_optimum_without_false_collinearity(solver, offset):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((200, 3)) + offset
    y = (X - offset) @ [1.0, 2.0, 3.0] + 0.1 * rng.standard_normal(200)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CollinearityWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = LinearRegression(standardize=False, solver=solver).fit(X, y)
    J = _loss(X, y, model.coef_, model.intercept_, 0.0, False)
    J_star = _ls_loss(X, y)
    if model.converged_:
        assert J - J_star <= 1e-6 * J
    assert solver != "newton" or model.converged_


def test_logistic_unstandardized_offsets_reach_the_optimum():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((300, 2))
    y = (rng.random(300) < 1 / (1 + np.exp(-(X @ [1.0, -2.0] + 0.3)))).astype(float)
    J_star = _optimum(X + 1e3, y, 0.0, True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CollinearityWarning)
        model = LogisticClassifier(standardize=False).fit(X + 1e3, y)
    J = _loss(X + 1e3, y, model.coef_[0], model.intercept_[0], 0.0, True)
    assert model.converged_ and J - J_star <= 1e-6 * J + 1e-12


@pytest.mark.parametrize("est", [LinearRegression, LogisticClassifier])
def test_huge_unstandardized_X_is_fitted_or_refused_never_certified_at_zero(est):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((200, 2))
    y = X @ [1.0, 2.0] if est is LinearRegression else (X @ [1.0, 2.0] > 0.3 * rng.standard_normal(200)).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = est(standardize=False).fit(X * 1e160, y)
    if model.converged_:                       # the promise is on the loss, J - J* <= tol J
        logistic = est is LogisticClassifier
        ref = est(tol=1e-13, solver="newton").fit(X, y)
        J_star = _loss(X, y, np.ravel(ref.coef_), float(np.ravel(ref.intercept_)[0]), 0.0, logistic)
        J = _loss(X, y, np.ravel(model.coef_) * 1e160, float(np.ravel(model.intercept_)[0]), 0.0,
                  logistic)
        assert J - J_star <= model.tol * J + 1e-12 * abs(J_star) + 1e-300


def test_nearly_collinear_columns_are_not_certified_short_of_the_optimum():
    # A column that differs from another by 1e-7 of noise that y depends on: the
    # optimum has weights near 1e7 and a loss near 0. The fit must not certify a loss
    # far above it (it may stop short, saying so).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 4))
    e = rng.standard_normal(500)
    X = np.column_stack([X, X[:, 1] + 1e-7 * e])
    y = X[:, :4] @ [1.0, 2.0, 3.0, 4.0] + e
    for solver in ("newton", "lbfgs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LinearRegression(solver=solver).fit(X, y)
        J = _loss(X, y, model.coef_, model.intercept_, 0.0, False)
        J0 = _loss(X, y, np.zeros(5), 0.0, 0.0, False)
        if model.converged_:
            assert J - _ls_loss(X, y) <= 1e-6 * max(J, np.finfo(float).eps * J0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("logistic", [False, True])
def test_unresolvable_curvature_is_never_certified(seed, logistic):
    # Two columns that differ by 1e-9 of noise: the Hessian's smallest eigenvalue is
    # about 1e-18 of its largest, below what float64 resolves. A fit may still reach the
    # optimum, but no curvature-based certificate may vouch for a loss above it.
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((100, 3))
    X = np.column_stack([base, base[:, 0] + 1e-9 * rng.standard_normal(100)])
    y = base @ [1.0, 2.0, 3.0] + 0.3 * rng.standard_normal(100)
    if logistic:
        y = (y > 0).astype(float)
    J_star = _optimum(X, y, 0.0, logistic)
    J0 = _loss(X, y, np.zeros(4), 0.0, 0.0, logistic)
    est = LogisticClassifier if logistic else LinearRegression
    for solver in ("newton", "lbfgs-newton", "lbfgs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = est(solver=solver, max_iter=300).fit(X, y)
        J = _loss(X, y, np.ravel(model.coef_), float(np.ravel(model.intercept_)[0]), 0.0,
                  logistic)
        if model.converged_:
            assert J - min(J, J_star) <= 1e-6 * max(J, np.finfo(float).eps * J0) + 1e-12 * J, (
                solver, J, J_star)
