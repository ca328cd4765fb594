r"""Newton's method: use the curvature, not just the slope.

Gradient descent knows only which way is down. Newton's method also knows
how fast the slope changes, the Hessian :math:`H`: it fits the local
parabola :math:`J(\theta - d) \approx J - g^\top d + \tfrac12 d^\top H d`
and jumps to its bottom, :math:`d = H^{-1} g`. On the squared error the
parabola *is* the loss, so one step lands on the optimum; on the log-loss
each step doubles the number of correct digits once it is close.

The Newton decrement :math:`\lambda^2 = g^\top H^{-1} g` certifies how far
the loss is from its optimum: :math:`J - J^* = \lambda^2/2` exactly for the
squared error, and to second order for the log-loss. It is the ``gap`` a
fit reports and stops on.

* :func:`factor` solves with :math:`H` by Cholesky; a singular or nearly
  singular :math:`H` (collinear columns) is solved by its
  eigendecomposition instead, which gives the minimum-norm step and names
  the directions it leaves out.
* :func:`newton` is the solver, in the shape of :mod:`descend.solvers`: on
  the log-loss, damped Newton with a backtracking line search, each trial
  point one curvature pass; on the squared error, one exact solve followed
  by iterative refinement, the steps taken on the parameters in the units
  of ``X``, the residuals from plain passes and then recomputed exactly
  (:func:`descend.hessian.exact_grad`), until the next step would change no
  digit of them or no longer halves the last: until the digits stop
  improving.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .descent import Solver, lbfgs

__all__ = ["factor", "Factored", "half_decrement", "collinear_columns", "newton", "lbfgs_newton",
           "RANK_TOL", "RESOLUTION", "REFINE_MAX"]

#: Cholesky is trusted while its smallest pivot is above this times the largest
#: diagonal entry; below, the eigendecomposition decides.
RANK_TOL = 1e-12
#: An eigenvalue below this times the largest, times the dimension, is not told
#: from zero in a computed Hessian (each entry carries rounding of about that size).
RESOLUTION = 64 * np.finfo(float).eps
#: The most refinement steps of a least-squares fit after its exact solve.
REFINE_MAX = 10


class Factored:
    r"""``H`` factored once; :meth:`solve` gives the Newton step :math:`H^{-1} g`.

    A well-conditioned ``H`` is solved by Cholesky. Otherwise by its
    eigendecomposition, where an eigenvalue within ``RESOLUTION`` of zero
    (relative to the largest; float64 cannot tell it from zero in a computed
    ``H``) is a direction the data do not resolve. Where the gradient along
    such a direction is at the level of rounding (``noise``), it is *null*:
    the columns are collinear, the loss is flat along it, and the step leaves
    it out (the minimum-norm answer). Where the gradient along it is larger,
    the loss still falls that way at an unknown curvature: the step takes it
    with the curvature floored at the resolution, and the solve is *rough*:
    no certificate can be drawn from it. ``valid`` is False for a Hessian that
    is not finite (the data overflow): no step, no certificate. ``null``
    (columns of an (n+1, k) array) and ``rough`` describe the last
    :meth:`solve`.
    """

    def __init__(self, H, noise=0.0):
        H = np.asarray(H, dtype=float)
        self.hessian = H
        dim = H.shape[0]
        self.null, self.noise, self.rough = np.zeros((dim, 0)), float(noise), False
        self._chol = self._eig = None
        scale = float(np.max(np.abs(np.diag(H)))) if H.size else 0.0
        self.valid = bool(np.all(np.isfinite(H)) and scale > 0)
        if not self.valid:
            return
        try:
            chol = scipy.linalg.cho_factor(H, lower=True, check_finite=False)
            pivots = np.diag(chol[0]) ** 2
            if np.all(np.isfinite(pivots)) and pivots.min() > RANK_TOL * scale:
                self._chol = chol
                return
        except np.linalg.LinAlgError:
            pass
        vals, vecs = np.linalg.eigh(H)
        top = max(float(vals.max()), 0.0)
        self._eig = (vals, vecs, RESOLUTION * dim * top)

    def solve(self, g):
        if not self.valid:
            return np.zeros_like(g)
        if self._chol is not None:
            return scipy.linalg.cho_solve(self._chol, g, check_finite=False)
        vals, vecs, floor = self._eig
        along = vecs.T @ g                                  # g in the eigenbasis
        unresolved = vals <= floor
        flat = unresolved & (np.abs(along) <= self.noise)
        self.null, self.rough = vecs[:, flat], bool(np.any(unresolved & ~flat))
        inverse = np.where(flat, 0.0, 1.0 / np.maximum(vals, floor))
        return vecs @ (inverse * along)

    def collinear(self):
        """Indices into ``theta`` that the null directions involve (:func:`collinear_columns`)."""
        return collinear_columns(self.null)


def collinear_columns(null, share=1e-6):
    """Indices into ``theta`` (the last is the intercept) that the null directions (the
    columns of ``null``) involve: each entry at least ``share`` of its direction's largest."""
    found = set()
    for u in np.asarray(null).T:
        top = float(np.max(np.abs(u)))
        found.update(np.flatnonzero(np.abs(u) >= share * top).tolist())
    return sorted(found)


def factor(H, noise=0.0):
    """:class:`Factored` for the Hessian ``H``; ``noise``: the rounding level of a
    gradient component (see :class:`Factored`)."""
    return Factored(H, noise)


def half_decrement(solved, g, d):
    """Half the Newton decrement, :math:`g^\top d/2` for the step ``d = solved.solve(g)``
    just taken: the certificate, infinite when the solve cannot vouch for it (rough, or no
    valid Hessian)."""
    return 0.5 * float(g @ d) if solved.valid and not solved.rough else np.inf


def _curvature(fun, theta):
    """``(J, g, solved, d, halt)`` at ``theta`` from one curvature pass: ``solved`` has
    ``solve(g)``, ``valid`` and ``null`` (a :class:`Factored`, or the objective's own)."""
    if hasattr(fun, "curvature"):
        J, g, solved, halt = fun.curvature(theta)
    else:
        J, g, H, halt = fun.hessian(theta)
        solved = factor(H)
    return J, g, solved, solved.solve(g), halt


def newton(t0=None, backtrack=True):
    r"""Newton's method; ``t0`` and ``backtrack`` are taken for the common
    constructor shape (the first step is always the full one, :math:`t = 1`).

    ``fun`` must offer ``curvature(theta) -> (J, g, solved, halt)`` (an
    :class:`~descend.objective.Objective`), or a bare ``hessian(theta) -> (J, g, H, halt)``;
    an objective whose ``quadratic`` is true (the squared error) must also offer
    ``params``, ``theta``, ``moved(w, b, d)``, ``plain(w, b) -> (J, g)`` and
    ``exact(w, b) -> (J, g)`` for the refinement. The state carries ``gap``,
    :math:`g^\top H^{-1} g/2` at its ``theta`` (:func:`half_decrement`), and ``solved``,
    whose ``null`` holds the directions left out as collinear.
    """

    def init(theta, J, g):
        return {"theta": theta, "J": J, "g": g, "t": 1.0, "solved": None, "gap": None}

    def first(s, fun):
        if "H0" in s:                                    # the driver's first pass had it
            J, g, solved, halt = s["J"], s["g"], s["H0"], None
            d = solved.solve(g)
        else:
            J, g, solved, d, halt = _curvature(fun, s["theta"])
        s = {key: val for key, val in s.items() if key != "H0"}
        return dict(s, J=J, g=g, solved=solved, d=d, gap=half_decrement(solved, g, d)), halt

    def step(s, fun):
        if s["solved"] is None:
            s, halt = first(s, fun)
            if halt:
                return s, 0.0, halt
        if not s["solved"].valid:
            return s, 0.0, "stalled"                     # the Hessian overflowed
        if getattr(fun, "quadratic", False):
            return _refine(s, fun)
        slope = float(s["g"] @ s["d"])
        if not slope > 0.0:
            return s, 0.0, "done"                        # no descent left at float64
        t = 1.0
        for _ in range(40):
            theta = s["theta"] - t * s["d"]
            J, g, solved, d, halt = _curvature(fun, theta)
            if halt or (np.isfinite(J) and J <= s["J"] - 1e-4 * t * slope):
                break
            t *= 0.5
        else:
            return s, 0.0, "stalled"
        new = {"theta": theta, "J": J, "g": g, "t": 1.0, "solved": solved, "d": d,
               "gap": half_decrement(solved, g, d)}
        if solved.rough:                # the curvature cannot guide it: stop, saying why
            return dict(new, rough=True), t, halt or "stalled"
        return new, t, halt

    return Solver(init, step)


def _refine(s, fun):
    """One least-squares step on the parameters in the units of ``X`` (no rounding of a
    large intercept into small weights). The gradient comes from plain passes until they
    have given what they can, then from exact residuals until the digits stop."""
    w, b = s["wb"] if "wb" in s else fun.params(s["theta"])
    w, b = fun.moved(w, b, s["d"])
    exact = s.get("exact", False)
    J, g = fun.exact(w, b) if exact else fun.plain(w, b)
    if not J <= s["J"] + 8 * np.finfo(float).eps * abs(s["J"]):
        return s, 0.0, "done"                # the step made things worse: keep the last point
    d = s["solved"].solve(g)
    size, last = float(np.max(np.abs(d))), float(np.max(np.abs(s["d"])))
    steps = s.get("steps", 0) + 1
    new = dict(s, theta=fun.theta(w, b), wb=(w, b), J=J, g=g, d=d, gap=half_decrement(s["solved"], g, d),
               steps=steps)
    # The next step would move the scores by a few ulps of the largest standardized term.
    unchanged = size <= 4 * np.finfo(float).eps * float(np.max(np.abs(new["theta"])))
    stuck = (size == 0.0 or unchanged or (steps > 1 and size > 0.5 * last)
             or steps >= REFINE_MAX)
    if stuck and not exact:
        return dict(new, exact=True, steps=0), 1.0, None
    return new, 1.0, "done" if stuck else None


def lbfgs_newton(t0=None, backtrack=True, switch=20):
    """L-BFGS for its first ``switch`` steps, then Newton's method (what ``solver="auto"``
    runs on the log-loss): on well-conditioned data L-BFGS is done within a few passes,
    before a Hessian would pay for itself; on ill-conditioned data Newton takes over
    where L-BFGS would crawl. A stall of L-BFGS hands over at once."""
    quasi, exact = lbfgs(None, True), newton()

    def init(theta, J, g):
        return dict(quasi.init(theta, J, g), mode="lbfgs", k=0)

    def step(s, fun):
        if s["mode"] == "lbfgs" and (s["k"] < switch or s.get("rough")):
            new, t, halt = quasi.step(s, fun)
            if halt != "stalled" or s.get("rough"):
                return dict(new, mode="lbfgs", k=s["k"] + 1, rough=s.get("rough", False)), t, halt
        if s["mode"] == "lbfgs":
            s = dict(exact.init(s["theta"], s["J"], s["g"]), mode="newton")
        new, t, halt = exact.step(s, fun)
        if new.get("rough"):            # Newton cannot resolve the valley: L-BFGS from here on
            back = dict(quasi.init(new["theta"], new["J"], new["g"]), mode="lbfgs", k=0,
                        rough=True)
            return back, t, None if halt == "stalled" else halt
        return dict(new, mode="newton"), t, halt

    return Solver(init, step)
