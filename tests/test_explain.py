"""explain: every number matches its closed form."""

import re

import numpy as np
import pytest

from descend import DataError, LinearRegression, LogisticClassifier, explain


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_chain_rule_three_ways_agree(model):
    x, y, w, b = np.array([1.5, -2.0, 0.5]), 1.0, np.array([0.2, 0.1, -0.4]), 0.3
    r = explain.chain_rule(x, y, w, b, model=model, j=1)
    z = float(x @ w + b)
    a = z if model == "linear" else 1 / (1 + np.exp(-z))
    assert r.z == pytest.approx(z, rel=1e-15) and r.a == pytest.approx(a, rel=1e-15)
    assert r.dz_dw == -2.0
    assert r.da_dz == pytest.approx(1.0 if model == "linear" else a * (1 - a), rel=1e-15)
    assert r.product == pytest.approx((a - y) * -2.0, rel=1e-12)
    assert r.closed_form == pytest.approx((a - y) * -2.0, rel=1e-15)
    assert r.finite_difference == pytest.approx(r.closed_form, rel=1e-7)
    assert "finite difference" in str(r)


def test_both_models_share_the_gradient_form():
    lin, log = explain.same_gradient(x=(2.0, -1.0), y=1.0, w=(0.3, 0.8), b=0.1)
    assert lin.z == log.z == pytest.approx(-0.1)
    assert lin.product == pytest.approx((lin.a - 1.0) * 2.0, rel=1e-14)
    assert log.product == pytest.approx((log.a - 1.0) * 2.0, rel=1e-14)
    assert lin.dL_da != log.dL_da and lin.da_dz != log.da_dz


def test_chain_rule_bad_arguments():
    with pytest.raises(ValueError, match="x has 2 values but w has 3"):
        explain.chain_rule([1, 2], 1, [1, 2, 3])
    with pytest.raises(ValueError, match="j=5 is not a feature index"):
        explain.chain_rule([1, 2], 1, [1, 2], j=5)
    with pytest.raises(ValueError, match="'linear' or 'logistic'"):
        explain.chain_rule([1], 1, [1], model="tree")


def test_check_gradient_small_for_both_models():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1, 10, 0.1]
    y_lin = X @ [1.0, 0.2, 5.0] + rng.normal(size=200)
    y_cls = np.where(y_lin > 0, "up", "down")
    assert explain.check_gradient(LinearRegression(), X, y_lin) < 1e-6
    fitted = LogisticClassifier(alpha=0.01).fit(X, y_cls)
    assert explain.check_gradient(fitted, X, y_cls) < 1e-6


def test_check_gradient_catches_a_wrong_gradient(monkeypatch):
    import descend.rows as rows
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 2)), rng.normal(size=50)
    real = rows.loss_grad

    def wrong(X, y, w, b, kind, **kw):
        J, gw, gb, sep = real(X, y, w, b, kind, **kw)
        return J, 2 * gw, gb, sep                    # the classic missing 1/2 mistake
    monkeypatch.setattr(rows, "loss_grad", wrong)   # the pass every objective reads
    assert explain.check_gradient(LinearRegression(), X, y) > 0.05


@pytest.mark.parametrize("heads, tosses", [(7, 10), (0, 5), (5, 5), (1, 3)])
def test_coin_toss_mle_is_heads_over_tosses(heads, tosses):
    r = explain.coin_toss(heads, tosses)
    assert r.mle == heads / tosses
    assert r.best_p_on_grid == pytest.approx(heads / tosses, abs=1e-4)
    i = 3000                                        # p = 0.3 on the default grid
    assert r.likelihood[i] == pytest.approx(0.3 ** heads * 0.7 ** (tosses - heads), rel=1e-12)
    assert np.all(np.isfinite(r.likelihood))


def test_coin_toss_rejects_impossible_counts():
    with pytest.raises(ValueError, match="heads must be a whole number from 0 to tosses=3"):
        explain.coin_toss(4, 3)
    with pytest.raises(ValueError, match="tosses must be a positive whole number"):
        explain.coin_toss(0, 0)


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_loop_and_vector_give_the_same_weights(model):
    r = explain.loop_vs_vector(300, 4, n_iter=5, model=model, repeats=2)
    assert r.max_difference < 1e-10
    assert r.loop_seconds > 0 and r.vector_seconds > 0 and r.repeats == 2


@pytest.mark.parametrize("loop, vector, shown", [
    (0.0254, 0.000559, "loop 25.4 ms, vectorized 559 µs, 45x faster"),
    (0.0285, 0.0100, "loop 28.5 ms, vectorized 10 ms, 2.9x faster"),
    (0.0285, 0.39545, "loop 28.5 ms, vectorized 395 ms, 13.9x slower"),   # never "0x faster"
])
def test_loop_vs_vector_reports_the_ratio_of_its_times(loop, vector, shown):
    # The times are given, not measured: no test may assert on this machine's speed.
    r = explain.LoopVsVector(m=2000, n=5, n_iter=10, max_difference=0.0, loop_seconds=loop,
                             vector_seconds=vector, repeats=5)
    assert shown in str(r) and "median of 5 timed runs after a warm-up run" in str(r)
    assert r.speedup == pytest.approx(loop / vector)


def test_loop_vs_vector_times_each_version_after_a_warm_up(monkeypatch):
    from descend.teach import reference

    calls = []
    looped = reference.looped_descent
    monkeypatch.setattr(reference, "looped_descent", lambda *a: calls.append(1) or looped(*a))
    r = explain.loop_vs_vector(50, 3, n_iter=2, repeats=4)
    assert len(calls) == 1 + 4 and r.repeats == 4 and r.max_difference < 1e-12


@pytest.mark.parametrize("kwargs, name", [
    ({"m": 0}, "m=0"), ({"n": 0}, "n=0"), ({"m": -3}, "m=-3"), ({"n_iter": 0}, "n_iter=0"),
    ({"m": 2.5}, "m=2.5"), ({"repeats": 0}, "repeats=0"),
])
def test_loop_vs_vector_names_a_bad_argument(kwargs, name):
    with pytest.raises(DataError, match=f"^{re.escape(name)}: .*give a whole number, at least 1"):
        explain.loop_vs_vector(**kwargs)


def test_newton_step_lands_on_least_squares_and_matches_the_formulas():
    from descend.teach.explain import newton_step

    linear = newton_step("linear")
    A = np.column_stack([linear.x, np.ones(linear.x.size)])
    np.testing.assert_allclose(-linear.step, np.linalg.lstsq(A, linear.y, rcond=None)[0],
                               rtol=1e-12)
    np.testing.assert_allclose(linear.hessian, A.T @ A / linear.x.size, rtol=1e-14)
    assert linear.J_newton == pytest.approx(linear.J_star, rel=1e-12)
    logistic = newton_step("logistic")
    import statsmodels.api as sm
    ref = sm.Logit(logistic.y, A).fit(disp=0, tol=1e-14, maxiter=100)
    assert logistic.J_star == pytest.approx(-ref.llf / logistic.y.size, rel=1e-12)
    a = 0.5                                                   # sigma(0)
    np.testing.assert_allclose(logistic.hessian, a * (1 - a) * A.T @ A / logistic.x.size,
                               rtol=1e-14)
    # Quadratic convergence: each gap at most a constant times the square of the last.
    gaps = [g for g in logistic.gaps if g > 1e-14]
    assert all(b <= 10 * a * a for a, b in zip(gaps, gaps[1:]))
    assert logistic.J_gradient > logistic.J_newton > logistic.J_star


def test_softmax_gradient_is_x_times_the_residual_and_two_classes_are_the_sigmoid():
    found = explain.softmax_gradient(x=(2.0, -1.0, 0.5), label=0,
                                     W=np.arange(9.0).reshape(3, 3) / 10, b=(0.1, 0.0, -0.1))
    z = np.array([2.0, -1.0, 0.5]) @ (np.arange(9.0).reshape(3, 3) / 10) + [0.1, 0.0, -0.1]
    p = np.exp(z) / np.exp(z).sum()                       # written out
    np.testing.assert_allclose(found.p, p, rtol=1e-14)
    np.testing.assert_allclose(found.grad_W, np.outer([2.0, -1.0, 0.5], p - [1, 0, 0]),
                               rtol=1e-14)
    assert found.error < 1e-7                              # central differences agree
    assert found.two_class_p == pytest.approx(found.sigmoid_p, rel=1e-14)
    assert "p - Y" in str(found) and "sigma(" in str(found)


def test_the_lasso_path_is_scikit_learns():
    """The path's coefficients against scikit-learn's lasso_path on centred data (its path
    has no intercept), and the first weight to leave zero is the one the largest
    correlation with y names."""
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import lasso_path

    X, y = load_diabetes(return_X_y=True)
    found = explain.lasso_path(X, y, n_alphas=12, tol=1e-12)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    _, reference, _ = lasso_path(Xc, yc, alphas=found.alphas, tol=1e-14, max_iter=100_000)
    np.testing.assert_allclose(found.coefs, reference.T, rtol=1e-6, atol=1e-6)
    assert np.all(found.coefs[0] == 0)                     # just above alpha_max: all zero
    assert found.entered[0][0] == int(np.argmax(np.abs(Xc.T @ yc)))
    assert [j for j, _ in found.entered] == sorted(
        {j for j, _ in found.entered}, key=lambda j: np.flatnonzero(found.coefs[:, j])[0])


def test_the_cli_explains_classes_and_the_lasso_and_draws_the_path(tmp_path, capsys):
    from descend.cli.main import main

    assert main(["explain", "classes"]) == 0
    assert "delta = p - Y" in capsys.readouterr().out
    assert main(["explain", "lasso"]) == 0
    out = capsys.readouterr().out
    assert out.index("median_income") < out.index("total_rooms")   # income enters first
    assert main(["plot", "lasso-path", "--out", str(tmp_path / "path.png")]) == 0
    assert (tmp_path / "path.png").stat().st_size > 10_000
