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
    on ill-conditioned data. Its state carries an ``estimate`` of
    :math:`J - J^*`, half of :math:`g^\top d` for the next direction ``d``
    (the Newton decrement with the estimated inverse Hessian).

``"lbfgs-newton"``
    L-BFGS for twenty steps, then Newton's method: what ``solver="auto"`` runs on
    the log-loss.
``"sgd"``
    Stochastic and mini-batch descent (:mod:`descend.stochastic`): one iteration is
    an epoch of updates on batches of rows, then the whole set's loss.
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
``tol`` times its start, or the solver's own ``estimate`` of the gap (L-BFGS's)
is well within reach (``1/32`` of what is needed), ``certify(theta, J, g,
needed, expected)`` computes a bound. A stochastic solver's gradient says little
about its distance to the optimum (its state is ``noisy``): it is certified at the
end of any epoch whose loss fell by less than the gap needed (a fall is a lower
bound on the gap before it, so a larger one says the descent is still on its way). A gap still too large tightens both tests and the
descent goes on. Without ``certify`` (a bare function), the gradient test
alone decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .descent import Solver, _ulps, gd, lbfgs, nesterov
from .errors import DivergenceError
from .newton import lbfgs_newton, newton
from .stochastic import sgd

__all__ = ["minimize", "power_iteration", "SOLVERS", "Solver", "Result", "gd", "nesterov", "lbfgs"]

_FLAT_LIMIT = 20


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
            if "batch_loss" in history:
                history["batch_loss"] = history["batch_loss"] * scale * scale
        params = None if self.params is None else (self.params[0] * scale,
                                                   self.params[1] * scale)
        return Result(self.theta * scale, self.n_iter, self.converged, self.stop_reason,
                      history, self.gtol * scale, params, self.null)


SOLVERS = {"gd": gd, "nesterov": nesterov, "lbfgs": lbfgs, "newton": newton,
           "lbfgs-newton": lbfgs_newton, "sgd": sgd}


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
STABLE_RATE = {"gd": 2.0, "nesterov": 1.0, "sgd": 1.0}
#: What each solver's L is, for the divergence message.
_CURVATURE = {"sgd": "the expected curvature of a batch's loss"}


def _divergence(solver, learning_rate, k, J, J0, rises, L, fixed=True):
    """The DivergenceError for ``solver``, naming its own largest stable rate."""
    factor = STABLE_RATE[solver]
    what = _CURVATURE.get(solver, "the largest curvature of the loss")
    stable = factor / L
    how = (f"the loss rose for {rises} iterations in a row, to {J:.6g} at iteration {k} (it "
           f"started at {J0:.6g})" if np.isfinite(J) and J <= J0 + 1e-12 * abs(J0) else
           f"the loss went from {J0:.6g} to {J:.6g} at iteration {k}")
    if not fixed:                       # a stochastic solver's own step (nothing else diverges)
        return DivergenceError.at(
            k, J, stable,
            f"stochastic descent diverged at its automatic step {learning_rate:.4g} = 1/L "
            f"(L = {L:.4g}, {what}): {how}. Some batches curve far more than others; give "
            "a smaller learning_rate, or a larger batch_size.")
    return DivergenceError.at(
        k, J, stable,
        f"gradient descent diverged with learning_rate={learning_rate:g}: {how}. The largest "
        f"stable rate of solver={solver!r} for these data is {factor:g}/L = {stable:.4g} "
        f"(L = {L:.4g}, {what}); use a smaller learning_rate, or "
        "learning_rate='auto'.")


#: A stochastic solver's loss may end an epoch above where it started (the noise of its
#: steps, near an optimum); it has diverged when it ends this many times above it.
NOISY_RISE = 4.0


#: Ten rises in a row are a divergence only when together they climb this far (relative):
#: at the optimum, a large fixed step makes the loss wiggle in its last digits.
CLIMB = 1e-6


def _diverged(J, J0, rises, noisy=False, before=None):
    """Whether the loss ran away: not finite, above its start, or ``rises`` in a row that
    climbed by more than :data:`CLIMB` from ``before``, the loss before the first of them
    (a stochastic solver's, ``noisy``: four times its start)."""
    if noisy:
        return not np.isfinite(J) or (J > NOISY_RISE * J0
                                      and J - J0 > 64 * np.finfo(float).eps * max(1.0, abs(J0)))
    climbed = before is None or J - before > CLIMB * abs(before)
    return not np.isfinite(J) or J > J0 + 1e-12 * abs(J0) or (rises >= 10 and climbed)


def _last_newton_step(fun, state, history, callback, k):
    """Take the Newton step a certified state already holds: one plain pass, and near the
    optimum it squares the gap (twice the digits) for the price of a gradient."""
    theta = state["theta"] - state["d"]
    with np.errstate(over="ignore", invalid="ignore"):
        J, g, halt = fun(theta)
    if halt or not (np.isfinite(J) and J <= state["J"]):
        return state, k
    k += 1
    gnorm = _largest(fun, theta, g)
    for key, val in (("loss", J), ("grad_norm", gnorm), ("learning_rate", 1.0),
                     ("gap", np.nan)):
        history[key].append(val)
    if callback is not None:
        callback(k, J, gnorm, 1.0, theta)
    return dict(state, theta=theta, J=J, g=g, gap=None), k


def _largest(fun, theta, g):
    """The largest component of the gradient ``g`` at ``theta``; with an L1 part, of the
    smallest subgradient (``fun.optimality``), which is zero at the optimum."""
    measure = getattr(fun, "optimality", None)
    if measure is not None:
        g = measure(theta, g)
    return float(np.max(np.abs(g))) if g.size else 0.0


#: How many times a gradient solver may fail its certificate and go on.
_CERTIFY_TRIES = 6
#: A solver's own estimate of the gap calls the certificate once it is this share of
#: the gap needed (the certificate's bound may be some tens of times the true gap).
_ESTIMATE_SHARE = 1 / 32


def minimize(fun, theta0, *, solver="lbfgs", learning_rate="auto", lipschitz=None,
             max_iter=1000, tol=1e-6, callback=None, loss_unit=1.0, certify=None, make=None):
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
    certify : callable ``(theta, J, g, needed, expected) -> gap``, optional
        A bound on :math:`J(\theta) - J^*` (the Newton decrement's half) at
        ``theta``, where the loss and gradient are ``J`` and ``g``; ``needed``,
        the gap that would do, and ``expected``, the solver's own estimate or
        None, let it choose how much to spend. Called with ``theta`` alone, it
        spends what the bound takes (a fit that stalled).
    make : callable ``(t0, backtrack) -> Solver``, optional
        The solver itself, for one that needs more than ``fun`` (``"sgd"`` reads batches
        of rows); by default ``SOLVERS[solver]``. A stochastic solver's loss is checked
        for divergence whatever its ``learning_rate``: it cannot backtrack.
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
    gnorm = _largest(fun, theta0, g)
    gtol = tol * gnorm
    if fixed:
        t0 = float(learning_rate)
    else:                              # only gd and nesterov step by 1/L: no power iteration
        t0 = 1.0 / get_L() if solver in STABLE_RATE else None
    engine = (make or SOLVERS[solver])(t0, backtrack=not fixed)
    watched = fixed or solver == "sgd"       # a loss that may run away
    state = engine.init(theta0, J, g)
    if curved:
        state = dict(state, H0=H0)
    history = {"loss": [J], "grad_norm": [gnorm], "learning_rate": [state["t"]],
               "gap": [np.nan]}
    J0, rises, flat, k, best, before = J, 0, 0, 0, gnorm, None
    floor = np.finfo(float).eps * abs(J0)
    tries, hope = 0, _ESTIMATE_SHARE

    def needed(J):
        return tol * max(abs(J), floor)

    def certified(J, gap):
        return gap is not None and gap <= needed(J)

    reason = "converged" if gnorm == 0.0 or (certify is None and gnorm <= gtol) else None
    while reason is None and k < max_iter:
        with np.errstate(over="ignore", invalid="ignore"):
            new, t, halt = engine.step(state, fun)
        if halt == "stalled":                 # no step lowers the loss any more
            reason = halt
            break
        k += 1
        rises = rises + 1 if new["J"] > state["J"] + _ulps(state["J"]) else 0
        if rises == 1:
            before = state["J"]                 # where a run of rises began
        gnorm = _largest(fun, new["theta"], new["g"])
        # Flat: neither the loss (beyond rounding) nor the gradient improves.
        progress = state["J"] - new["J"] > _ulps(state["J"]) or gnorm < 0.99 * best
        flat, best = (0 if progress else flat + 1), min(best, gnorm)
        if watched and _diverged(new["J"], J0, rises, bool(new.get("noisy")), before):
            raise _divergence(solver, t0, k, new["J"] * loss_unit, J0 * loss_unit, rises, get_L(),
                              fixed)
        state = new
        gap = state.get("gap")
        ahead = state.get("estimate", np.inf)
        if (gap is None and certify is not None and tol > 0
                and (tries < _CERTIFY_TRIES or state.get("noisy"))
                and (gnorm <= gtol or ahead <= (needed(state["J"]) if state.get("noisy")
                                                else hope * needed(state["J"])))):
            gap = certify(state["theta"], state["J"], state["g"], needed(state["J"]),
                          None if ahead == np.inf else ahead)
            tries += 1
            if not certified(state["J"], gap):          # go on with tighter tests
                short = needed(state["J"]) / gap
                gtol = min(gtol, gnorm * min(0.5, np.sqrt(short)))
                hope = min(hope, ahead / needed(state["J"])) * min(0.25, short)
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
