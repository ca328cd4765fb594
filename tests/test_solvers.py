"""The solvers, table-tested on a parabola and on Rosenbrock's valley."""

import numpy as np
import pytest

from descend.errors import DivergenceError
from descend.solvers import SOLVERS, minimize, power_iteration

#: The solvers that minimize a bare function; "sgd" reads batches of rows (tests/test_sgd.py).
PLAIN = sorted(set(SOLVERS) - {"sgd"})

# An ill-conditioned parabola J = 1/2 (x - c)^T A (x - c), condition number 100.
_A = np.diag([100.0, 10.0, 1.0])
_C = np.array([1.0, -2.0, 3.0])


def parabola(x):
    d = x - _C
    return 0.5 * float(d @ _A @ d), _A @ d, None


# Newton's method asks the function for its Hessian too.
parabola.hessian = lambda x: (*parabola(x)[:2], _A, None)


def rosenbrock(x):
    a, b = x
    J = (1 - a) ** 2 + 100 * (b - a * a) ** 2
    g = np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
    return float(J), g, None


def _rosenbrock_hessian(x):
    a, b = x
    H = np.array([[2 - 400 * (b - a * a) + 800 * a * a, -400 * a], [-400 * a, 200.0]])
    return (*rosenbrock(x)[:2], H, None)


rosenbrock.hessian = _rosenbrock_hessian


@pytest.mark.parametrize("solver", PLAIN)
def test_parabola(solver):
    res = minimize(parabola, np.zeros(3), solver=solver, lipschitz=lambda: 100.0,
                   max_iter=5000, tol=1e-10)
    assert res.converged and res.stop_reason == "converged"
    np.testing.assert_allclose(res.theta, _C, rtol=1e-8)
    assert len(res.history["loss"]) == res.n_iter + 1
    assert res.history["loss"][0] == pytest.approx(parabola(np.zeros(3))[0])


@pytest.mark.parametrize("solver, max_iter", [("lbfgs", 500), ("nesterov", 50_000),
                                              ("newton", 100)])
def test_rosenbrock(solver, max_iter):
    res = minimize(rosenbrock, np.array([-1.2, 1.0]), solver=solver,
                   lipschitz=lambda: 2000.0, max_iter=max_iter, tol=1e-8)
    np.testing.assert_allclose(res.theta, [1.0, 1.0], atol=1e-5)


def test_gd_with_auto_rate_never_raises_the_loss():
    res = minimize(parabola, np.zeros(3), solver="gd", lipschitz=lambda: 50.0,  # L too small
                   max_iter=300, tol=1e-12)
    assert np.all(np.diff(res.history["loss"]) <= 0)


def test_fixed_rate_is_the_plain_update():
    # One step of gd from 0 with rate t is exactly -t * grad(0).
    res = minimize(parabola, np.zeros(3), solver="gd", learning_rate=0.001, max_iter=1, tol=0)
    np.testing.assert_allclose(res.theta, -0.001 * parabola(np.zeros(3))[1], rtol=1e-15)
    assert res.history["learning_rate"][1] == 0.001


@pytest.mark.parametrize("solver, bound", [("gd", r"solver='gd' .* 2/L = 0\.02"),
                                           ("nesterov", r"solver='nesterov' .* 1/L = 0\.01")])
def test_too_large_rate_raises_with_the_solvers_stable_limit(solver, bound):
    with pytest.raises(DivergenceError, match=r"learning_rate=0\.05.*" + bound) as err:
        minimize(parabola, np.zeros(3), solver=solver, learning_rate=0.05,
                 lipschitz=lambda: 100.0, max_iter=1000)
    assert err.value.stable_rate == {"gd": 0.02, "nesterov": 0.01}[solver]


def test_halt_stops_at_once():
    def fun(x):
        J, g, _ = parabola(x)
        return J, g, "separable" if x[0] > 0.5 else None
    res = minimize(fun, np.zeros(3), solver="gd", lipschitz=lambda: 100.0, max_iter=1000)
    assert res.stop_reason == "separable" and not res.converged and res.theta[0] > 0.5


def test_callback_sees_every_iteration():
    seen = []
    res = minimize(parabola, np.zeros(3), solver="nesterov", lipschitz=lambda: 100.0,
                   max_iter=20, tol=0, callback=lambda k, J, g, t, theta: seen.append(k))
    assert seen == list(range(1, res.n_iter + 1))


def test_power_iteration_matches_eigvalsh():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(30, 6)) * [1, 2, 3, 4, 5, 40]
    H = M.T @ M
    lam = power_iteration(lambda v: H @ v, 6, rng=np.random.default_rng(1), rtol=1e-10, n_iter=1000)
    assert lam == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-6)


def test_a_flat_loss_stops_as_stalled():
    # The loss is constant to rounding but the gradient never reaches tol.
    def fun(x):
        return 1.0, np.full(2, 1e-3), None
    res = minimize(fun, np.zeros(2), solver="lbfgs", lipschitz=lambda: 1.0, max_iter=1000, tol=1e-9)
    assert res.stop_reason == "stalled" and not res.converged and res.n_iter < 1000


@pytest.mark.parametrize("solver", PLAIN)
def test_a_step_is_a_pure_function_of_its_state(solver):
    # The same state stepped twice gives the same new state, and is left as it was:
    # nothing is hidden in the solver or written back into the state.
    # Newton lands on a parabola's bottom in one step: it walks Rosenbrock's valley.
    fun, start = (rosenbrock, np.array([-1.2, 1.0])) if solver == "newton" else (
        parabola, np.zeros(3))
    engine = SOLVERS[solver](0.005, backtrack=True)
    J, g, _ = fun(start)
    state = engine.init(start, J, g)
    state, _, _ = engine.step(state, fun)                   # some memory for lbfgs
    before = {key: (np.copy(v) if isinstance(v, np.ndarray) else list(v) if isinstance(v, list)
                    else v) for key, v in state.items()}
    first, t1, _ = engine.step(state, fun)
    second, t2, _ = engine.step(state, fun)
    assert t1 == t2 and first.keys() == second.keys()

    def same(a, b):
        if isinstance(a, str):                              # a hybrid's mode
            assert a == b
        elif hasattr(a, "solve"):                           # Newton's factored Hessian
            np.testing.assert_array_equal(a.solve(np.ones(len(start))),
                                          b.solve(np.ones(len(start))))
        else:
            np.testing.assert_array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    for key in first:
        same(first[key], second[key])
    for key, value in before.items():
        same(state[key], value)
    assert first["J"] < state["J"]


def test_a_large_step_wiggling_at_the_optimum_is_not_a_divergence():
    """At ten times 2/L on the log-loss gd still converges (the curvature falls away from
    the optimum), then wiggles in the last digits: ten rises of a few ulps are rounding."""
    import warnings

    from descend import LogisticClassifier, datasets
    from descend.errors import DivergenceError
    from descend.models import objective_of

    data = datasets.make_blobs(n=200, separation=3.0, seed=0)
    L = objective_of(LogisticClassifier(), data.X, data.y)[0].lipschitz()
    best = LogisticClassifier(solver="newton", tol=1e-12).fit(data.X, data.y).history_["loss"][-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticClassifier(solver="gd", learning_rate=20 / L, max_iter=100,
                                   tol=1e-10).fit(data.X, data.y)
    assert model.history_["loss"][-1] == pytest.approx(best, rel=1e-6)    # near it, wiggling
    with pytest.raises(DivergenceError):                   # a real runaway is still caught
        LogisticClassifier(solver="gd", learning_rate=2000 / L, max_iter=100).fit(data.X, data.y)
