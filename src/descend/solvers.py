r"""Gradient-descent solvers, one driver loop for all of them.

A solver is a pair of pure functions over explicit state, made by one
constructor shape, ``Solver(t0, backtrack)``:

* ``init(theta, J, g) -> state``: the state at the start (a dict, holding
  ``theta``, ``J``, ``g`` and the step ``t`` the next update tries first);
* ``step(state, fun) -> (state, t, halt)``: one update, returning a new
  state (the old one is not changed), the step taken and a reason to stop
  at once, or None.

The driver :func:`minimize` evaluates nothing itself and owns everything the
solvers share: the history, the stopping test, divergence detection and
progress. Every move is :math:`\theta \leftarrow \theta - t\,d` for a step ``t``
and a direction ``d``:

``"gd"``
    The material's update, :math:`d = \nabla J`. With ``learning_rate="auto"``
    the step starts at :math:`1/L` and is halved whenever the loss would rise.
``"nesterov"``
    Accelerated gradient (FISTA) with backtracking and adaptive restart
    (the momentum is reset whenever it points uphill).
``"lbfgs"``
    Limited-memory BFGS: ``d`` is the gradient multiplied by an estimate of
    the inverse Hessian built from the last ``memory`` steps, ``t`` comes from
    a backtracking (Armijo) line search. Same gradient, far fewer iterations
    on ill-conditioned data.

``"lbfgs-newton"``
    L-BFGS for ten steps, then Newton's method: what ``solver="auto"`` runs on
    the log-loss.
``"newton"``
    Newton's method (:mod:`descend.newton`): the direction solves
    :math:`H d = g` with the Hessian from one curvature pass, and the state
    carries the Newton decrement, a certificate of the distance to the
    optimum.

``fun(theta)`` returns ``(J, g, halt)``; ``halt`` is None, or a reason to stop
at once (separable data).

**When a fit has converged.** With a certificate, the driver's promise is on
the loss: :math:`J - J^* \le` ``tol`` :math:`\times \max(J, \epsilon J_0)`
(relative to the loss, or to float64's resolution of the loss at the start,
:math:`\epsilon` the machine epsilon, for a loss whose optimum is zero).
Newton's state carries its certificate, the ``gap`` :math:`g^\top H^{-1} g/2`;
for the other solvers, once the largest gradient component has fallen to
``tol`` times its start, ``certify(theta)`` computes it. A gap still too
large tightens that gradient test and the descent goes on. Without
``certify`` (a bare function), the gradient test alone decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from .errors import DivergenceError

__all__ = ["minimize", "power_iteration", "SOLVERS", "Solver", "Result", "gd", "nesterov", "lbfgs"]

_MAX_HALVINGS = 40
_FLAT_LIMIT = 20


def _ulps(J):
    # A rise this small is rounding, not a step that was too long.
    return 8.0 * np.finfo(float).eps * abs(J)


def _line_search(fun, start, d, t, enough, backtrack=True):
    """Step from ``start`` along ``-d``, halving ``t`` until ``enough(J, t)``.

    Returns ``(theta, J, g, halt, t)``, or None when no step of the
    ``_MAX_HALVINGS`` tried lowers the loss enough (the descent has stalled).
    Without ``backtrack`` the first step is taken as it is.
    """
    for _ in range(_MAX_HALVINGS):
        theta = start - t * d
        J, g, halt = fun(theta)
        if not backtrack or halt or (np.isfinite(J) and enough(J, t)):
            return theta, J, g, halt, t
        t *= 0.5
    return None


@dataclass
class Result:
    theta: np.ndarray
    n_iter: int
    converged: bool
    stop_reason: str             # "converged", "max_iter", "stalled" or a halt reason
    history: dict = field(default_factory=dict)
    gtol: float = 0.0            # the gradient size that counted as converged
    params: tuple = None         # (w, b) in the units of X, where a solver kept them exactly
    null: np.ndarray = None      # directions of theta left out as collinear (Newton)

    def in_units(self, scale):
        """This result for ``fun`` scaled by ``scale**2`` in the loss and ``scale`` in
        theta (a target measured in other units), as a new Result."""
        if scale == 1.0:
            return self
        with np.errstate(over="ignore"):       # a loss beyond float64 (|y| > 1e154) is inf
            history = dict(self.history, loss=self.history["loss"] * scale * scale,
                           grad_norm=self.history["grad_norm"] * scale,
                           gap=self.history["gap"] * scale * scale)
        params = None if self.params is None else (self.params[0] * scale,
                                                   self.params[1] * scale)
        return Result(self.theta * scale, self.n_iter, self.converged, self.stop_reason,
                      history, self.gtol * scale, params, self.null)


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
                             lambda J, t: J <= s["J"] + _ulps(s["J"]), backtrack)
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
        # Sufficient decrease from y for a step of length t along -grad.
        gy2 = float(s["gy"] @ s["gy"])
        found = _line_search(fun, s["y"], s["gy"], s["t"],
                             lambda J, t: J <= s["Jy"] - 0.5 * t * gy2 + _ulps(s["Jy"]), backtrack)
        if found is None:
            return s, 0.0, "stalled"
        theta, J, g, halt, t = found
        moved = theta - s["theta"]
        k_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * s["k"] ** 2))
        beta = (s["k"] - 1.0) / k_next
        if float(s["gy"] @ moved) > 0.0 or J > s["J"]:
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
        d = _two_loop(s["g"], S, Y, s["t"])
        slope = float(s["g"] @ d)
        if slope <= 0.0:                                   # not a descent direction
            d, slope, S, Y = s["g"] * s["t"], float(s["g"] @ s["g"]) * s["t"], [], []
        found = _line_search(fun, s["theta"], d, 1.0,      # Armijo
                             lambda J, t: J <= s["J"] - 1e-4 * t * slope)
        if found is None:
            return s, 0.0, "stalled"
        theta, J, g, halt, t = found
        ds, dy = theta - s["theta"], g - s["g"]
        if float(ds @ dy) > 1e-12 * np.linalg.norm(ds) * np.linalg.norm(dy):
            S, Y = (S + [ds])[-memory:], (Y + [dy])[-memory:]
        return {"theta": theta, "J": J, "g": g, "t": s["t"], "S": S, "Y": Y}, t, halt

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


def _newton(t0, backtrack):
    from .newton import newton
    return newton(t0, backtrack)


def _lbfgs_newton(t0, backtrack):
    from .newton import lbfgs_newton
    return lbfgs_newton(t0, backtrack)


SOLVERS = {"gd": gd, "nesterov": nesterov, "lbfgs": lbfgs, "newton": _newton,
           "lbfgs-newton": _lbfgs_newton}


def power_iteration(matvec, dim, *, rng, n_iter=100, rtol=1e-4):
    """Largest eigenvalue of a symmetric positive semi-definite operator.

    ``matvec(v)`` returns ``H v``. Starts from a random unit vector drawn
    from ``rng`` and stops when the Rayleigh quotient settles to ``rtol``.
    """
    v = rng.standard_normal(dim)
    v /= np.linalg.norm(v)
    lam = 0.0
    for _ in range(n_iter):
        hv = matvec(v)
        new = float(v @ hv)
        norm = np.linalg.norm(hv)
        if norm == 0.0:
            return 0.0
        v = hv / norm
        if abs(new - lam) <= rtol * new:
            return new
        lam = new
    return lam


#: The largest fixed learning rate, times 1/L, that each solver is sure to
#: survive on a loss of largest curvature L: plain descent contracts for
#: t < 2/L; accelerated descent (FISTA) is guaranteed to converge only for
#: t <= 1/L (with momentum it can run away a little above it).
STABLE_RATE = {"gd": 2.0, "nesterov": 1.0}


def _divergence(solver, learning_rate, k, J, J0, rises, L):
    """The DivergenceError for ``solver``, naming its own largest stable rate."""
    factor = STABLE_RATE[solver]
    stable = factor / L
    how = (f"the loss rose for {rises} iterations in a row, to {J:.6g} at iteration {k} (it "
           f"started at {J0:.6g})" if np.isfinite(J) and J <= J0 + 1e-12 * abs(J0) else
           f"the loss went from {J0:.6g} to {J:.6g} at iteration {k}")
    return DivergenceError.at(
        k, J, stable,
        f"gradient descent diverged with learning_rate={learning_rate:g}: {how}. The largest "
        f"stable rate of solver={solver!r} for these data is {factor:g}/L = {stable:.4g} "
        f"(L = {L:.4g}, the largest curvature of the loss); use a smaller learning_rate, or "
        "learning_rate='auto'.")


def _diverged(J, J0, rises):
    return not np.isfinite(J) or J > J0 + 1e-12 * abs(J0) or rises >= 10


def _last_newton_step(fun, state, history, callback, k):
    """Take the Newton step a certified state already holds: one plain pass, and near the
    optimum it squares the gap (twice the digits) for the price of a gradient."""
    theta = state["theta"] - state["d"]
    with np.errstate(over="ignore", invalid="ignore"):
        J, g, halt = fun(theta)
    if halt or not (np.isfinite(J) and J <= state["J"]):
        return state, k
    k += 1
    gnorm = float(np.max(np.abs(g))) if g.size else 0.0
    for key, val in (("loss", J), ("grad_norm", gnorm), ("learning_rate", 1.0),
                     ("gap", np.nan)):
        history[key].append(val)
    if callback is not None:
        callback(k, J, gnorm, 1.0, theta)
    return dict(state, theta=theta, J=J, g=g, gap=None), k


#: How many times a gradient solver may fail its certificate and go on.
_CERTIFY_TRIES = 6


def minimize(fun, theta0, *, solver="lbfgs", learning_rate="auto", lipschitz=None,
             max_iter=1000, tol=1e-6, callback=None, loss_unit=1.0, certify=None):
    """Minimize ``fun`` from ``theta0`` with one of :data:`SOLVERS`.

    Parameters
    ----------
    fun : callable ``theta -> (J, grad, halt)``
    learning_rate : "auto" or float
        "auto": the step starts at ``1/L`` and is adapted. A float is used as
        given (gd, nesterov) and a growing or non-finite loss raises
        :class:`~descend.errors.DivergenceError`.
    lipschitz : callable returning L, the largest curvature of ``fun``
        Called only when needed (the automatic step of gd and nesterov, a
        divergence message); "lbfgs" and "newton" never need it.
    tol : float
        The loss's relative distance to its optimum that counts as converged
        (see the module's text); without ``certify``, the largest gradient
        component's fall relative to the start.
    callback : callable ``(k, J, grad_norm, t, theta)``, optional
        Called after every iteration (progress bars, verbose output, paths).
    loss_unit : float
        What one unit of ``fun``'s loss is in the user's units, for messages.
    certify : callable ``theta -> gap``, optional
        A bound on :math:`J(\theta) - J^*` (the Newton decrement's half).
    """
    fixed = learning_rate != "auto"
    L = None

    def get_L():
        nonlocal L
        if L is None:
            L = max(float(lipschitz()), np.finfo(float).tiny)
        return L

    curved = solver == "newton" and hasattr(fun, "curvature")
    if curved:                         # Newton's first pass gives the Hessian with J and g
        J, g, H0, halt = fun.curvature(theta0)
    else:
        J, g, halt = fun(theta0)
    gnorm = float(np.max(np.abs(g))) if g.size else 0.0
    gtol = tol * gnorm
    if fixed:
        t0 = float(learning_rate)
    else:                              # only gd and nesterov step by 1/L: no power iteration
        t0 = 1.0 / get_L() if solver in STABLE_RATE else None
    engine = SOLVERS[solver](t0, backtrack=not fixed)
    state = engine.init(theta0, J, g)
    if curved:
        state = dict(state, H0=H0)
    history = {"loss": [J], "grad_norm": [gnorm], "learning_rate": [state["t"]],
               "gap": [np.nan]}
    J0, rises, flat, k, best = J, 0, 0, 0, gnorm
    floor = np.finfo(float).eps * abs(J0)
    tries = 0

    def certified(J, gap):
        return gap is not None and gap <= tol * max(abs(J), floor)

    reason = "converged" if gnorm == 0.0 or (certify is None and gnorm <= gtol) else None
    while reason is None and k < max_iter:
        with np.errstate(over="ignore", invalid="ignore"):
            new, t, halt = engine.step(state, fun)
        if halt == "stalled":                 # no step lowers the loss any more
            reason = halt
            break
        k += 1
        rises = rises + 1 if new["J"] > state["J"] + _ulps(state["J"]) else 0
        gnorm = float(np.max(np.abs(new["g"]))) if new["g"].size else 0.0
        # Flat: neither the loss (beyond rounding) nor the gradient improves.
        progress = state["J"] - new["J"] > _ulps(state["J"]) or gnorm < 0.99 * best
        flat, best = (0 if progress else flat + 1), min(best, gnorm)
        if fixed and _diverged(new["J"], J0, rises):
            raise _divergence(solver, learning_rate, k, new["J"] * loss_unit, J0 * loss_unit,
                              rises, get_L())
        state = new
        gap = state.get("gap")
        if gap is None and certify is not None and gnorm <= gtol and tries < _CERTIFY_TRIES:
            gap, tries = certify(state["theta"]), tries + 1
            if not certified(state["J"], gap):          # go on with a tighter gradient test
                gtol = gnorm * min(0.5, np.sqrt(tol * max(abs(state["J"]), floor) / gap))
        history["loss"].append(state["J"])
        history["grad_norm"].append(gnorm)
        history["learning_rate"].append(t)
        history["gap"].append(np.nan if gap is None else gap)
        if callback is not None:
            callback(k, state["J"], gnorm, t, state["theta"])
        if halt == "done":                  # the solver can gain no more digits
            reason = "converged" if certified(state["J"], gap) else "stalled"
        elif halt:
            reason = halt
        elif "gap" in state or certify is not None:
            if certified(state["J"], gap) and "wb" not in state:
                reason = "converged"
            elif flat >= _FLAT_LIMIT and not fixed:
                reason = "stalled"
        elif gnorm <= gtol:
            reason = "converged"
        elif flat >= _FLAT_LIMIT and not fixed:
            reason = "stalled"              # the loss no longer changes beyond rounding
    if reason is None and certified(state["J"], state.get("gap")):
        reason = "converged"                # a refinement cut short by max_iter
    if reason == "stalled" and certify is not None and state.get("gap") is None:
        gap = certify(state["theta"])       # rounding stops the gradient, not the loss
        history["gap"][-1] = gap
        if certified(state["J"], gap):
            reason = "converged"
    if reason == "converged" and "d" in state and "wb" not in state and k < max_iter:
        state, k = _last_newton_step(fun, state, history, callback, k)
    history = {key: np.asarray(val, dtype=float) for key, val in history.items()}
    solved = state.get("solved")
    return Result(state["theta"], k, reason == "converged", reason or "max_iter", history, gtol,
                  state.get("wb"), None if solved is None else solved.null)
