r"""The material's ideas, computed on real numbers and checked.

- :func:`chain_rule`: the gradient of one example's loss with respect to one
  weight, as the product :math:`\frac{dL}{da}\frac{da}{dz}\frac{dz}{dw_j}`,
  beside the closed form :math:`(a - y)x_j` and a finite difference.
- :func:`same_gradient`: one example of each model, showing that both end at
  :math:`(a - y)x_j` although their losses and links differ.
- :func:`check_gradient`: a central-difference check of a model's gradient.
- :func:`coin_toss`: the Bernoulli likelihood of :math:`i` heads in
  :math:`N` tosses, maximal at :math:`p = i/N`.
- :func:`loop_vs_vector`: the per-example loop and the vectorized update,
  same numbers, each timed after a warm-up run.
- :func:`newton_step`: one step of Newton's method worked out with numbers,
  beside a gradient step, and the digits doubling on the way to the optimum.
- :func:`batches`: whole-set, mini-batch and stochastic descent in numbers
  (:mod:`descend.teach.batches`).
- :func:`slips`: three slips of a from-scratch loop run beside the right
  update, and the gradient check catching each (:mod:`descend.teach.slips`).
- :func:`softmax_gradient`: one example of K classes through the softmax, the
  same residual and gradient with a column per class (:mod:`descend.teach.classes`).
- :func:`lasso_path`: the L1 penalty relaxed step by step, and the order in which
  the weights leave zero (:mod:`descend.teach.lasso_path`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..gradient import loss_grad
from ..losses import loss_of, sigmoid
from ..objective import Objective
from ..rows import ArrayRows
from .batches import batches_table as batches
from .classes import softmax_gradient
from .lasso_path import lasso_path
from .slips import slips

__all__ = ["chain_rule", "same_gradient", "check_gradient", "coin_toss", "loop_vs_vector",
           "newton_step", "batches", "slips", "softmax_gradient", "lasso_path"]


def _example_loss(kind, x, y, w, b):
    z = float(np.dot(x, w) + b)
    return kind.loss_sum_and_delta(np.array([z]), np.array([float(y)]))[0]


@dataclass
class ChainRule:
    """The chain rule for one example and one weight, with its checks."""

    model: str
    j: int
    z: float
    a: float
    y: float
    dL_da: float
    da_dz: float
    dz_dw: float
    product: float
    closed_form: float
    finite_difference: float

    def __str__(self):
        loss = "1/2 (a - y)^2" if self.model == "linear" else "-[y log a + (1-y) log(1-a)]"
        link = "a = z" if self.model == "linear" else "a = sigmoid(z)"
        j = self.j
        rows = [
            ("z = x.w + b", self.z),
            (f"a   (y = {self.y:g})", self.a),
            ("dL/da", self.dL_da),
            ("da/dz", self.da_dz),
            (f"dz/dw[{j}] = x[{j}]", self.dz_dw),
            ("product dL/da * da/dz * dz/dw", self.product),
            (f"closed form (a - y) * x[{j}]", self.closed_form),
            ("finite difference", self.finite_difference),
        ]
        head = f"{self.model} regression, one example, weight w[{j}]: L = {loss}, {link}"
        return "\n".join([head] + [f"  {label:<31} = {value:.10g}" for label, value in rows])


def chain_rule(x, y, w, b=0.0, *, model="logistic", j=0, h=1e-6):
    r"""Differentiate one example's loss with respect to :math:`w_j`, three ways.

    For the log-loss :math:`\frac{dL}{da} = \frac{a-y}{a(1-a)}` and
    :math:`\frac{da}{dz} = a(1-a)`; for half the squared error
    :math:`\frac{dL}{da} = a - y` and :math:`\frac{da}{dz} = 1`. Either way
    :math:`\frac{dz}{dw_j} = x_j` and the product is :math:`(a-y)x_j`.
    """
    kind = loss_of(model)
    x, w = np.asarray(x, dtype=float).ravel(), np.asarray(w, dtype=float).ravel()
    if x.shape != w.shape:
        raise ValueError(f"x has {x.size} values but w has {w.size}; give one weight per feature.")
    if not 0 <= j < x.size:
        raise ValueError(f"j={j} is not a feature index; x has {x.size} features (0..{x.size - 1}).")
    z = float(x @ w + b)
    a = float(kind.link(z))
    if kind.classifies:
        dL_da, da_dz = (a - y) / (a * (1.0 - a)), a * (1.0 - a)
    else:
        dL_da, da_dz = a - y, 1.0
    step = np.zeros_like(w)
    step[j] = h
    numeric = (_example_loss(kind, x, y, w + step, b) - _example_loss(kind, x, y, w - step, b)) / (2 * h)
    return ChainRule(model, j, z, a, float(y), dL_da, da_dz, float(x[j]),
                     dL_da * da_dz * float(x[j]), (a - y) * float(x[j]), float(numeric))


def same_gradient(x=(2.0, -1.0), y=1.0, w=(0.3, 0.8), b=0.1, *, j=0):
    """One example through both models: different losses and links, one gradient form.

    Returns the two :class:`ChainRule` results, linear first.
    """
    return (chain_rule(x, y, w, b, model="linear", j=j),
            chain_rule(x, y, w, b, model="logistic", j=j))


def check_gradient(model, X, y, *, coef=None, intercept=None, h=1e-5, seed=0):
    r"""Relative error of a model's gradient against central differences:
    :math:`\max_k |g_k - \hat g_k| / \max_k |g_k|`.

    The gradient is the one descend trains with (:class:`descend.objective.Objective`:
    the one pass over the rows, plus the penalty's slope; for K classes the softmax's,
    a column per class), at
    ``coef``/``intercept``: by
    default the fitted values moved by a random step (at the optimum the
    gradient is zero and a relative error meaningless), or a random point for
    an unfitted model. Values around 1e-7 or below mean the gradient is right;
    a wrong factor or sign gives errors of order one.
    """
    from ..models import objective_of

    X = np.asarray(X, dtype=float)
    objective = objective_of(model, X, np.asarray(y))[0]      # the model's classes and penalty
    n, K = X.shape[1], objective.outputs
    rng = np.random.default_rng(seed)
    fitted = hasattr(model, "coef_") and np.size(model.coef_) == n * K
    w = np.asarray(coef if coef is not None else
                   (np.asarray(model.coef_).T.reshape(n, -1) if fitted else np.zeros((n, K))),
                   dtype=float).reshape(n, K).copy()
    b = np.asarray(intercept if intercept is not None else
                   (model.intercept_ if fitted else np.zeros(K)), dtype=float).reshape(K).copy()
    natural = 1.0 / np.maximum(X.std(axis=0), 1e-12)      # a unit change of x_j w_j
    if coef is None:
        w += rng.normal(scale=0.1, size=(n, K)) * natural[:, None]
        b += rng.normal(scale=0.1, size=K)
    point = np.append(w, b)                               # (n + 1) K, theta's layout

    def J(p):
        W, B = p[:n * K].reshape(n, K), p[n * K:]
        return objective.at(W[:, 0], B[0])[0] if K == 1 else objective.at(W, B)[0]

    W, B = point[:n * K].reshape(n, K), point[n * K:]
    _, gw, gb, _ = objective.at(W[:, 0], B[0]) if K == 1 else objective.at(W, B)
    gw = np.reshape(gw, (n, K)) + objective.l1 * np.sign(W)     # the L1 part's slope
    analytic = np.append(gw, gb)
    numeric = np.empty_like(point)
    for k in range(point.size):
        j = k // K
        scale = h * (max(natural[j], abs(point[k])) if j < n else max(1.0, abs(point[k])))
        e = np.zeros_like(point)
        e[k] = scale
        numeric[k] = (J(point + e) - J(point - e)) / (2 * scale)
    size = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numeric))), 1e-300)
    return float(np.max(np.abs(analytic - numeric)) / size)


@dataclass
class CoinToss:
    r"""The likelihood :math:`p^i (1-p)^{N-i}` of ``heads`` in ``tosses`` over a grid of p."""

    heads: int
    tosses: int
    p: np.ndarray
    likelihood: np.ndarray
    log_likelihood: np.ndarray
    best_p_on_grid: float
    mle: float                      # heads / tosses, the closed form

    def __str__(self):
        return (f"{self.heads} heads in {self.tosses} tosses: the likelihood p^{self.heads}"
                f"(1-p)^{self.tosses - self.heads} is largest at p = {self.best_p_on_grid:.4f} on "
                f"the grid; the closed form i/N = {self.mle:.4f}. The log-likelihood, "
                f"{self.heads} log p + {self.tosses - self.heads} log(1-p), peaks at the same p, "
                "and its negative divided by N is the binary log-loss.")


def coin_toss(heads, tosses, *, grid=10_001):
    r"""Maximum likelihood for a coin: :math:`\hat p = i / N`.

    Setting the derivative of the log-likelihood
    :math:`i\log p + (N-i)\log(1-p)` to zero gives :math:`i/p = (N-i)/(1-p)`,
    so :math:`\hat p = i/N`.
    """
    if not (isinstance(tosses, (int, np.integer)) and tosses >= 1):
        raise ValueError(f"tosses must be a positive whole number, got {tosses!r}")
    if not (isinstance(heads, (int, np.integer)) and 0 <= heads <= tosses):
        raise ValueError(f"heads must be a whole number from 0 to tosses={tosses}, got {heads!r}")
    p = np.linspace(0.0, 1.0, grid)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_lik = heads * np.log(p) + (tosses - heads) * np.log1p(-p)
    log_lik = np.where(np.isnan(log_lik), -np.inf, log_lik)     # 0 * log 0 at the ends
    if heads == 0:
        log_lik[0] = 0.0
    if heads == tosses:
        log_lik[-1] = 0.0
    return CoinToss(heads, tosses, p, np.exp(log_lik), log_lik,
                    float(p[int(np.argmax(log_lik))]), heads / tosses)


@dataclass
class LoopVsVector:
    m: int
    n: int
    n_iter: int
    max_difference: float           # largest |w_loop - w_vector| after n_iter updates
    loop_seconds: float             # median of `repeats` timed runs, after a warm-up run
    vector_seconds: float           # the same for the vectorized update
    repeats: int = 1

    @property
    def speedup(self):
        """How many times faster the vectorized update ran than the loop."""
        return self.loop_seconds / max(self.vector_seconds, 1e-12)

    def __str__(self):
        s = self.speedup
        ratio = (f"{s:.0f}x faster" if s >= 10 else f"{s:.1f}x faster" if s >= 1
                 else f"{1 / s:.1f}x slower")
        return (f"{self.n_iter} gradient-descent updates on {self.m} examples x {self.n} features "
                f"(median of {self.repeats} timed runs after a warm-up run): loop "
                f"{_duration(self.loop_seconds)}, vectorized {_duration(self.vector_seconds)}, "
                f"{ratio}; largest weight difference {self.max_difference:.2e}")


def _duration(seconds):
    """Three significant digits in a unit that keeps them before the point: 28.5 ms, 412 µs."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def _at_least_one(**counts):
    for name, (value, does, unit) in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise DataError(f"{name}={value!r}: loop_vs_vector {does}; give a whole number, "
                            f"at least 1 {unit}.")


def loop_vs_vector(m=1000, n=5, *, n_iter=10, learning_rate=0.1, model="logistic", seed=0,
                   repeats=5):
    """Train with the material's loop and with the vectorized gradient; compare and time.

    Both start from zero weights and take ``n_iter`` plain updates
    :math:`w \\leftarrow w - \\alpha\\nabla_w J` on the same random data
    (``m`` examples of ``n`` features). Each is run once untimed (the warm-up:
    the first call of the vectorized pass compiles or loads its kernels),
    then ``repeats`` times timed; the times reported are the medians.
    """
    from .reference import looped_descent

    _at_least_one(m=(m, "trains on m examples (rows)", "row"),
                  n=(n, "draws n features (columns)", "feature"),
                  n_iter=(n_iter, "takes n_iter updates", "update"),
                  repeats=(repeats, "times each version this many times", "run"))
    kind = loss_of(model)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    z = X @ rng.normal(size=n)
    y = (rng.uniform(size=m) < sigmoid(z)).astype(float) if kind.classifies else z + rng.normal(size=m)
    X_list, y_list, link = X.tolist(), y.tolist(), "sigmoid" if kind.classifies else "identity"

    def loop():
        return looped_descent(X_list, y_list, learning_rate, n_iter, link)

    def vector():
        w, b = np.zeros(n), 0.0
        for _ in range(n_iter):
            _, gw, gb, _ = loss_grad(X, y, w, b, kind)
            w, b = w - learning_rate * gw, b - learning_rate * gb
        return w, b

    (w_loop, b_loop), loop_seconds = _timed(loop, repeats)
    (w, b), vector_seconds = _timed(vector, repeats)
    diff = float(max(np.max(np.abs(np.asarray(w_loop) - w)), abs(b_loop - b)))
    return LoopVsVector(m, n, n_iter, diff, loop_seconds, vector_seconds, repeats)


def _timed(run, repeats):
    """``run()``'s result and its median time over ``repeats`` calls after one untimed call."""
    result = run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return result, float(np.median(times))


@dataclass
class NewtonStep:
    model: str
    x: np.ndarray
    y: np.ndarray
    J: float                        # at the start, w = 0 and b = 0
    grad: np.ndarray                # (dJ/dw, dJ/db)
    hessian: np.ndarray             # 2 x 2
    step: np.ndarray                # H^-1 g
    J_newton: float                 # after the Newton step
    J_gradient: float               # after a gradient step of 1/L
    J_star: float
    gaps: list                      # J - J* after each of several Newton steps

    def __str__(self):
        g, H, d = self.grad, self.hessian, self.step
        w, b = -d
        curv = "X^T X / m" if self.model == "linear" else "X^T diag(a(1 - a)) X / m"
        lines = [
            f"Newton's method, {self.model}, on {len(self.y)} examples of one feature "
            f"x = {np.array2string(self.x, precision=2)}, y = {np.array2string(self.y, precision=2)}",
            f"  start: w = 0, b = 0, J = {self.J:.6f}",
            f"  slope:     g = (dJ/dw, dJ/db) = ({g[0]:.6f}, {g[1]:.6f})",
            f"  curvature: H = [[{H[0, 0]:.6f}, {H[0, 1]:.6f}], [{H[1, 0]:.6f}, {H[1, 1]:.6f}]]"
            f"  ({curv}, with a column of ones for b)",
            "  The parabola J(theta - d) ~ J - g.d + d.H.d/2 has its bottom at d = H^-1 g:",
            f"  step:      d = H^-1 g = ({d[0]:.6f}, {d[1]:.6f}), so w = {w:.6f}, b = {b:.6f}",
            f"  loss after the Newton step {self.J_newton:.6f}; after a gradient step of 1/L "
            f"{self.J_gradient:.6f}; the optimum J* = {self.J_star:.6f}",
            f"  Newton decrement g.H^-1.g / 2 = {0.5 * float(g @ d):.6f} "
            f"(the distance to the optimum it predicts; J - J* = {self.J - self.J_star:.6f})",
        ]
        gaps = ", ".join(f"{k}: {gap:.1e}" for k, gap in enumerate(self.gaps, 1))
        if self.model == "linear":
            lines.append("  The squared error is a parabola: the first step lands on the optimum "
                         f"(J - J* after each step: {gaps}, rounding).")
        else:
            lines.append(f"  J - J* after each Newton step: {gaps}; near the optimum each step "
                         "doubles the correct digits.")
        return "\n".join(lines)


def newton_step(model="logistic", x=(0.5, 1.5, 2.0, 2.5, 3.0, 4.0), y=None, *, n_steps=5):
    r"""One step of Newton's method from :math:`w = b = 0`, with every number shown.

    The slope :math:`g` and curvature :math:`H` come from the library's own
    objective (one pass), the step solves :math:`H d = g`; a gradient step of
    :math:`1/L` from the same point and the loss after ``n_steps`` Newton
    steps are beside it.
    """
    kind = loss_of(model)
    x = np.asarray(x, dtype=float)
    if y is None:
        y = np.array([0, 0, 1, 0, 1, 1], float) if kind.classifies else 1.0 + 2.0 * x + np.r_[
            0.3, -0.2, 0.1, -0.3, 0.2, -0.1][: x.size]
    y = np.asarray(y, dtype=float)
    if x.size != y.size or x.size < 2:
        raise ValueError(f"x and y need the same number of values, at least two; got {x.size} "
                         f"and {y.size}")
    objective = Objective(ArrayRows(x[:, None], y), kind)
    theta = np.zeros(2)
    J, g, solved, _ = objective.curvature(theta)
    H, d = solved.hessian, solved.solve(g)
    J_newton = objective(theta - d)[0]
    J_gradient = objective(theta - g / objective.lipschitz())[0]
    path, point = [], theta - d
    for _ in range(30):
        Jk, gk, solved_k, _ = objective.curvature(point)
        path.append(Jk)
        point = point - solved_k.solve(gk)
    J_star = min(path)
    gaps = [max(Jk - J_star, 0.0) for Jk in path[:n_steps]]
    return NewtonStep(kind.kind, x, y, J, g, H, d, J_newton, J_gradient, J_star, gaps)
