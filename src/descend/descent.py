r"""The gradient methods, each a :class:`Solver`: a pair of pure functions over
explicit state that :func:`descend.solvers.minimize` drives.

* :func:`gd`, the material's update :math:`\theta \leftarrow \theta - t\,\nabla J`;
* :func:`nesterov`, accelerated gradient (FISTA) with adaptive restart;
* :func:`lbfgs`, limited-memory BFGS with an Armijo line search, whose state
  also carries an estimate of its distance to the optimum.

Every move is :math:`\theta \leftarrow \theta - t\,d`; :func:`_line_search` finds ``t``.
Where the objective has an L1 part (``fun.l1``), :func:`gd` and :func:`nesterov` take
the proximal step instead, :math:`\theta \leftarrow \operatorname{prox}_t(\theta - t\,d)`
(``fun.prox``, the soft threshold), on the gradient of the smooth part alone: the
material's update, then each weight pulled towards zero and held there once it
reaches it. The loss they compare is the whole objective, L1 part included.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

__all__ = ["Solver", "gd", "nesterov", "lbfgs"]

_MAX_HALVINGS = 40


def _ulps(J):
    # A rise this small is rounding, not a step that was too long.
    return 8.0 * np.finfo(float).eps * abs(J)


def _line_search(fun, start, d, t, enough, backtrack=True, move=None):
    """Step from ``start`` along ``-d`` (or by ``move(start, d, t)``), halving ``t`` until
    ``enough(J, t, theta)``.

    Returns ``(theta, J, g, halt, t)``, or None when no step of the
    ``_MAX_HALVINGS`` tried lowers the loss enough (the descent has stalled).
    Without ``backtrack`` the first step is taken as it is.
    """
    for _ in range(_MAX_HALVINGS):
        theta = start - t * d if move is None else move(start, d, t)
        J, g, halt = fun(theta)
        if not backtrack or halt or (np.isfinite(J) and enough(J, t, theta)):
            return theta, J, g, halt, t
        t *= 0.5
    return None


def _proximal(fun):
    """``move(start, d, t)`` for the proximal step where ``fun`` has an L1 part, else None."""
    if not getattr(fun, "l1", 0.0):
        return None
    return lambda start, d, t: fun.prox(start - t * d, t)


class Solver(NamedTuple):
    """A solver: ``init(theta, J, g) -> state`` and ``step(state, fun) -> (state, t, halt)``."""

    init: Callable
    step: Callable


def gd(t0, backtrack):
    """Plain gradient descent from step ``t0``; backtracks only when ``backtrack``."""

    def init(theta, J, g):
        return {"theta": theta, "J": J, "g": g, "t": t0}

    def step(s, fun):
        found = _line_search(fun, s["theta"], s["g"], s["t"],
                             lambda J, t, theta: J <= s["J"] + _ulps(s["J"]), backtrack,
                             _proximal(fun))
        if found is None:
            return s, 0.0, "stalled"
        theta, J, g, halt, t = found
        return {"theta": theta, "J": J, "g": g, "t": t}, t, halt

    return Solver(init, step)


def nesterov(t0, backtrack):
    r"""FISTA from step ``t0``: :math:`x_{k+1} = y_k - t\nabla J(y_k)`,
    :math:`y_{k+1} = x_{k+1} + \frac{k_k - 1}{k_{k+1}}(x_{k+1} - x_k)`."""

    def init(theta, J, g):
        return {"theta": theta, "J": J, "g": g, "t": t0, "y": theta, "Jy": J, "gy": g, "k": 1.0}

    def step(s, fun):
        move = _proximal(fun)
        if move is None:
            # Sufficient decrease from y for a step of length t along -grad.
            gy2 = float(s["gy"] @ s["gy"])

            def enough(J, t, theta):
                return J <= s["Jy"] - 0.5 * t * gy2 + _ulps(s["Jy"])
        else:
            # The smooth part f = J - P1 below its parabola from y: f(x) <= f(y) -
            # gy.(y - x) + |y - x|^2/(2t), the proximal step's sufficient decrease.
            lam = fun.l1_weights()
            fy = s["Jy"] - float(lam @ np.abs(s["y"]))

            def enough(J, t, theta):
                step = s["y"] - theta
                return (J - float(lam @ np.abs(theta)) <= fy - float(s["gy"] @ step)
                        + float(step @ step) / (2 * t) + _ulps(s["Jy"]))
        found = _line_search(fun, s["y"], s["gy"], s["t"], enough, backtrack, move)
        if found is None:
            return s, 0.0, "stalled"
        theta, J, g, halt, t = found
        moved = theta - s["theta"]
        k_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * s["k"] ** 2))
        beta = (s["k"] - 1.0) / k_next
        slope = s["gy"] if move is None else (s["y"] - theta) / t   # the (prox-)gradient
        if float(slope @ moved) > 0.0 or J > s["J"]:
            k_next, beta = 1.0, 0.0                       # restart: momentum went uphill
        if beta == 0.0 or halt or not np.isfinite(J):
            y, Jy, gy = theta, J, g
        else:
            y = theta + beta * moved
            Jy, gy, halt = fun(y)
        return {"theta": theta, "J": J, "g": g, "t": t, "y": y, "Jy": Jy, "gy": gy,
                "k": k_next}, t, halt

    return Solver(init, step)


def lbfgs(t0=None, backtrack=True, memory=10):
    r"""Limited-memory BFGS with a backtracking Armijo line search.

    ``t0`` scales the first direction; None takes a first trial step of length
    one, :math:`t = 1/\lVert g\rVert_2`, as L-BFGS-B does: it needs no
    estimate of the curvature, and from the second step on the curvature
    pairs scale the direction themselves. It always backtracks.
    """

    def init(theta, J, g):
        t = t0
        if t is None:
            norm = float(np.linalg.norm(g))
            t = 1.0 / norm if norm > 0 and np.isfinite(norm) else 1.0
        return {"theta": theta, "J": J, "g": g, "t": t, "S": [], "Y": []}

    def step(s, fun):
        S, Y = s["S"], s["Y"]
        d = s["next"] if "next" in s else _two_loop(s["g"], S, Y, s["t"])
        slope = float(s["g"] @ d)
        if slope <= 0.0:                                   # not a descent direction
            d, slope, S, Y = s["g"] * s["t"], float(s["g"] @ s["g"]) * s["t"], [], []
        found = _line_search(fun, s["theta"], d, 1.0,      # Armijo
                             lambda J, t, theta: J <= s["J"] - 1e-4 * t * slope)
        if found is None:
            return s, 0.0, "stalled"
        theta, J, g, halt, t = found
        ds, dy = theta - s["theta"], g - s["g"]
        if float(ds @ dy) > 1e-12 * np.linalg.norm(ds) * np.linalg.norm(dy):
            S, Y = (S + [ds])[-memory:], (Y + [dy])[-memory:]
        d = _two_loop(g, S, Y, s["t"])         # the next direction, and with it the estimate
        return {"theta": theta, "J": J, "g": g, "t": s["t"], "S": S, "Y": Y, "next": d,
                "estimate": 0.5 * float(g @ d)}, t, halt

    return Solver(init, step)


def _two_loop(g, S, Y, t0):
    """The two-loop recursion: ``H g`` for the L-BFGS inverse Hessian ``H``
    (``t0`` times the identity before any curvature pair)."""
    q = g.copy()
    alphas = []
    for s, y in zip(reversed(S), reversed(Y)):
        rho = 1.0 / float(y @ s)
        a = rho * float(s @ q)
        q -= a * y
        alphas.append((rho, a))
    if S:
        q *= float(S[-1] @ Y[-1]) / float(Y[-1] @ Y[-1])
    else:
        q *= t0
    for (s, y), (rho, a) in zip(zip(S, Y), reversed(alphas)):
        q += (a - rho * float(y @ q)) * s
    return q
