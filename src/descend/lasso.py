r"""Proximal Newton's method: Newton's method for a loss with an L1 part.

The L1 penalty :math:`\sum_j \lambda_j |\theta_j|` has no gradient where a
weight is zero, which is what makes weights exactly zero, and Newton's step
:math:`H^{-1}g` cannot be taken on it. Proximal Newton keeps the smooth part's
local parabola and the L1 part as it is, and at each step minimizes

.. math::
    q(u) = g^\top (u - \theta) + \tfrac12 (u - \theta)^\top H (u - \theta)
           + \sum_j \lambda_j |u_j|

by coordinate descent (:func:`coordinate_descent`): one weight at a time, the
parabola's minimum along it, soft-thresholded,

.. math::
    u_j \leftarrow S\!\left(u_j - \frac{r_j}{H_{jj}}, \frac{\lambda_j}{H_{jj}}\right),
    \qquad S(z, c) = \operatorname{sign}(z)\max(|z| - c, 0),

with :math:`r = g + H(u - \theta)` the parabola's gradient, kept up to date
at the cost of one row of :math:`H`. The step :math:`d = u - \theta` is then
taken with a line search on the whole objective. This is glum's choice for the
elastic net, and ours for the same reasons: the Hessian costs one pass over
the rows, as Newton's does, the subproblem costs nothing of the data, and on
the squared error the parabola is the loss, so the first step is already the
lasso's answer. Near the optimum the steps converge quadratically, as Newton's.

The certificate is the Newton decrement of the smallest subgradient :math:`s`
(:meth:`descend.objective.Objective.optimality`):
:math:`J - J^* \le s^\top H^{-1} s / 2`, exactly for the squared error.
"""

from __future__ import annotations

import numpy as np

from .descent import Solver, _ulps
from .gradient import numba_jit
from .newton import half_decrement

__all__ = ["prox_newton", "coordinate_descent"]

#: The most sweeps of coordinate descent per proximal Newton step.
MAX_SWEEPS = 1000
_CD = None          # coordinate_descent compiled, made on first use


def coordinate_descent(H, g, theta, lam, u, sweeps, tol):
    """Minimize the parabola-plus-L1 :math:`q(u)` (the module's text) from ``u`` in place,
    sweeping the coordinates until none moves by more than ``tol`` (in units of
    :math:`\\sqrt{H_{jj}}`) or ``sweeps`` have run. Returns the sweeps run (numba or
    Python)."""
    dim = u.shape[0]
    r = g.copy()                                           # the parabola's gradient at u
    for j in range(dim):
        move = u[j] - theta[j]
        if move != 0.0:
            for i in range(dim):
                r[i] += H[j, i] * move
    for sweep in range(sweeps):
        largest = 0.0
        for j in range(dim):
            h = H[j, j]
            if not h > 0.0:
                continue
            z = u[j] - r[j] / h
            cut = lam[j] / h
            new = z - cut if z > cut else (z + cut if z < -cut else 0.0)
            step = new - u[j]
            if step != 0.0:
                row = H[j]
                for i in range(dim):
                    r[i] += row[i] * step
                u[j] = new
                size = abs(step) * np.sqrt(h)
                if size > largest:
                    largest = size
        if largest <= tol:
            return sweep + 1
    return sweeps


def _solver():
    global _CD
    if _CD is None:
        jit = numba_jit()
        _CD = coordinate_descent if jit is None else jit(coordinate_descent)
    return _CD


def _subproblem(fun, theta, g, J, solved):
    """Proximal Newton's step ``d = u - theta`` and its predicted decrease: ``g.d`` plus the
    change in the L1 part (negative when ``d`` descends)."""
    lam = fun.l1_weights()
    H = np.ascontiguousarray(solved.theta_hessian())
    u = theta.copy()
    # Coordinates moved by less than this change q by ~eps J: rounding, not progress.
    tol = 16 * np.finfo(float).eps * np.sqrt(max(abs(J), np.finfo(float).tiny))
    _solver()(H, np.ascontiguousarray(g), theta, lam, u, MAX_SWEEPS, tol)
    d = u - theta
    decrease = float(g @ d) + float(lam @ (np.abs(u) - np.abs(theta)))
    return d, decrease


def _curved(fun, theta):
    """``(J, g, solved, gap, halt)`` at ``theta`` from one curvature pass."""
    J, g, solved, halt = fun.curvature(theta)
    s = fun.optimality(theta, g)
    return J, g, solved, half_decrement(solved, s, solved.solve(s)), halt


def prox_newton(t0=None, backtrack=True):
    """Proximal Newton's method for an objective with ``curvature``, ``l1_weights`` and
    ``optimality`` (:class:`~descend.objective.Objective`); ``t0`` and ``backtrack`` are
    taken for the common constructor shape. The state carries ``gap``, the certificate."""

    def init(theta, J, g):
        return {"theta": theta, "J": J, "g": g, "t": 1.0, "solved": None, "gap": None}

    def step(s, fun):
        if s["solved"] is None and "H0" in s:           # the driver's first pass had it
            solved, opt = s["H0"], fun.optimality(s["theta"], s["g"])
            s = dict(s, solved=solved, gap=half_decrement(solved, opt, solved.solve(opt)))
        if s["solved"] is None:
            J, g, solved, gap, halt = _curved(fun, s["theta"])
            s = dict(s, J=J, g=g, solved=solved, gap=gap)
            if halt:
                return s, 0.0, halt
        s = {key: val for key, val in s.items() if key != "H0"}
        if not s["solved"].valid:
            return s, 0.0, "stalled"                       # the Hessian overflowed
        d, decrease = _subproblem(fun, s["theta"], s["g"], s["J"], s["solved"])
        if not decrease < 0.0:
            return s, 0.0, "done"                          # no descent left at float64
        t = 1.0
        for _ in range(40):
            theta = s["theta"] + t * d
            J, g, solved, gap, halt = _curved(fun, theta)
            if halt or (np.isfinite(J) and J <= s["J"] + 1e-4 * t * decrease + _ulps(s["J"])):
                break
            t *= 0.5
        else:
            return s, 0.0, "stalled"
        return {"theta": theta, "J": J, "g": g, "t": 1.0, "solved": solved, "gap": gap}, t, halt

    return Solver(init, step)
