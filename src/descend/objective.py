r"""The objective both models minimize, written once.

.. math::
    J(w, b) = \frac{1}{m}\sum_{i=1}^{m} L(x_i \cdot w + b,\ y_i)
              + \frac{\alpha}{2}\lVert w\rVert^2

with :math:`L` the model's loss (:mod:`descend.losses`), the rows read
through one data seam (:mod:`descend.rows`), and the penalty on :math:`w` in
the units of ``X``, never on the intercept.

The solvers descend on standardized parameters :math:`\theta = (v, c)`, for
:math:`z = \frac{x - \mu}{s} v + c`: the fold :math:`w = v/s`,
:math:`b = c - \mu \cdot w` and its chain rule
:math:`\nabla_v J = (\nabla_w J - \mu\, \partial_b J)/s` live here and
nowhere else. With ``unit`` (a power of two) the objective is measured in
units of the target: :math:`\theta` and the gradient in ``unit``, :math:`J`
in ``unit**2``, so that targets of any scale give the same steps.

:meth:`Objective.at` gives :math:`J` and its gradient at :math:`(w, b)` in
the units of ``X`` and ``y``, for the teaching code (loss surfaces, gradient
checks); :meth:`Objective.lipschitz` the largest curvature :math:`L`, whose
inverse is the automatic first step.
"""

from __future__ import annotations

import copy

import numpy as np

from .losses import SquaredError
from .newton import factor, half_decrement
from .solvers import power_iteration
from .stochastic import batch_smoothness

__all__ = ["Objective", "target_scale"]

#: Targets whose largest magnitude lies within 2^-20 .. 2^20 are fitted in their own
#: units (the descent's steps are then those of any other fit); beyond, in units of
#: the power of two at or below max|y|.
PLAIN_SCALES = 20
#: How many times the true gap the cheap certificate's bound may be when nothing
#: better is known (see :meth:`Objective.bound_every`).
SLACK = 32


def target_scale(absmax):
    """The unit of the target for the descent: 1 for max|y| within 2^-20 .. 2^20, else the
    power of two at or below it; and whether ``y`` must be divided by it before the pass
    (squares of residuals beyond 2^500 or below 2^-500 would leave float64's range);
    otherwise the objective is scaled and ``y`` not copied."""
    if not (np.isfinite(absmax) and absmax > 0):
        return 1.0, False
    exponent = int(np.frexp(absmax)[1]) - 1
    if abs(exponent) <= PLAIN_SCALES:
        return 1.0, False
    return float(np.ldexp(1.0, exponent)), abs(exponent) > 200


class Objective:
    r""":math:`J` of ``loss`` over ``rows`` with an L2 penalty ``alpha``.

    Parameters
    ----------
    rows : ArrayRows or DaskRows
        The data seam: ``loss_grad``, ``squared_hessian``, ``n``.
    loss : SquaredError or LogLoss
    alpha : float
        The L2 penalty on ``w`` in the units of ``X``.
    mean, scale : ndarray of shape (n,), optional
        The standardization :math:`\mu, s` of the descent's coordinates;
        zeros and ones (none) by default.
    unit : float
        The target's unit, a power of two (see the module's text).
    target : bool
        False measures the loss against :math:`y = 0` (the squared error's
        curvature does not depend on ``y``).
    frame : (mean, scale), optional
        The standardization in which :meth:`curvature` forms and solves the
        Hessian: the data's own moments, whatever the descent's coordinates
        (Newton's step does not depend on them, its rounding does). By
        default ``mean`` and ``scale``.
    """

    def __init__(self, rows, loss, *, alpha=0.0, mean=None, scale=None, unit=1.0, target=True,
                 frame=None, outputs=1, l1=0.0):
        self.rows, self.loss, self.alpha, self.unit, self.target = rows, loss, float(alpha), unit, target
        self.outputs, self.l1 = int(outputs), float(l1)
        n = rows.n
        self.mean = np.zeros(n) if mean is None else np.asarray(mean, dtype=float)
        self.scale = np.ones(n) if scale is None else np.asarray(scale, dtype=float)
        self.frame = (self.mean, self.scale) if frame is None else tuple(
            np.asarray(v, dtype=float) for v in frame)

    # -- the two coordinate systems --------------------------------------------
    # theta is one flat vector: (n + 1,) for one output, else the (n + 1, K) grid of
    # the K classes' weights (a row per column of X, then the intercepts) read row by row.
    def _grid(self, theta):
        return theta if self.outputs == 1 else theta.reshape(-1, self.outputs)

    def _per_column(self, v):
        """A per-column vector (n,) shaped to scale ``w``: (n,) or (n, 1)."""
        return v if self.outputs == 1 else v[:, None]

    def params(self, theta):
        """``(w, b)`` in the units of ``X`` and ``y`` from standardized ``theta``: ``w``
        (n,) and ``b`` a float, or with K outputs ``w`` (n, K) and ``b`` (K,)."""
        n = self.mean.size
        T = self._grid(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            w = T[:n] / self._per_column(self.scale) * self.unit
            b = T[n] * self.unit - self.mean @ w
            return w, (float(b) if self.outputs == 1 else b)

    def theta(self, w, b):
        """Standardized ``theta`` from ``(w, b)`` in the units of ``X`` and ``y``."""
        w = np.asarray(w, dtype=float)
        return _flat(w * self._per_column(self.scale), b + self.mean @ w) / self.unit

    def _fold(self, grad_w, grad_b):
        """The gradient in ``(w, b)`` turned into the gradient in ``theta`` (chain rule)."""
        return ((grad_w - self._per_column(self.mean) * grad_b) / self._per_column(self.scale),
                grad_b)

    def _penalized(self, J, grad_w, w):
        """The data's ``J`` and ``grad_w`` with the penalty added: the L2 part to both, the
        L1 part to ``J`` only (the gradient is the smooth part's; see :meth:`prox`)."""
        if self.l1:
            J = J + self.l1 * float(np.sum(np.abs(w)))
        if not self.alpha:
            return J, grad_w
        return J + 0.5 * self.alpha * float(np.vdot(w, w)), grad_w + self.alpha * w

    # -- the L1 part (the lasso, the elastic net) --------------------------------
    def l1_weights(self):
        r"""The L1 penalty on each entry of ``theta``, :math:`\lambda_j = lpha
ho/(s_j\,
        \mathrm{unit})` for a weight, 0 for an intercept: :math:`lpha
ho\lVert w
Vert_1 =
        \sum_j \lambda_j |	heta_j|` in theta's units."""
        n, K = self.mean.size, self.outputs
        lam = np.zeros((n + 1) * K)
        if self.l1:
            lam[:n * K] = np.repeat(self.l1 / (self.scale * self.unit), K)
        return lam

    def prox(self, theta, t):
        r"""The proximal step of the L1 part for a step ``t``: each weight moved towards
        zero by :math:`t\lambda_j`, and set to zero where it would cross it (the soft
        threshold); ``theta`` itself without an L1 part."""
        if not self.l1:
            return theta
        cut = t * self.l1_weights()
        return np.sign(theta) * np.maximum(np.abs(theta) - cut, 0.0) + 0.0   # no -0.0

    def optimality(self, theta, g):
        r"""The smallest subgradient of :math:`J` at ``theta`` given its smooth part's
        gradient ``g``: zero exactly at the optimum. :math:`g_j + \lambda_j
        \operatorname{sign}	heta_j` off zero; at a weight of zero, what is left of
        :math:`g_j` beyond :math:`\pm\lambda_j` (nothing, where the L1 part holds it
        there). ``g`` itself without an L1 part."""
        if not self.l1:
            return g
        lam = self.l1_weights()
        out = g + lam * np.sign(theta)
        zero = theta == 0
        out[zero] = np.sign(g[zero]) * np.maximum(np.abs(g[zero]) - lam[zero], 0.0)
        return out

    def _in_theta(self, J, grad_w, grad_b):
        """``(J, grad)`` at ``(w, b)`` measured in ``theta`` and the target's unit."""
        gw, gb = self._fold(grad_w, grad_b)
        unit = self.unit
        return J / (unit * unit), _flat(gw, gb) / unit

    def _halt(self, separated):
        return "separable" if separated and not self.alpha and not self.l1 else None

    # -- values ------------------------------------------------------------------
    def at(self, w, b):
        """``(J, grad_w, grad_b, separated)`` at ``(w, b)``, in the units of ``X`` and ``y``."""
        w = np.asarray(w, dtype=float)
        b = float(b) if self.outputs == 1 else np.asarray(b, dtype=float)
        J, gw, gb, separated = self.rows.loss_grad(w, b, self.loss, target=self.target)
        return (*self._penalized(J, gw, w), gb, separated)

    def __call__(self, theta):
        """``(J, grad, halt)`` at standardized ``theta``, what the solvers minimize."""
        J, gw, gb, separated = self.at(*self.params(theta))
        return (*self._in_theta(J, gw, gb), self._halt(separated))

    # -- curvature (Newton's method) ---------------------------------------------
    @property
    def quadratic(self):
        """Whether :math:`J` is a parabola in ``theta`` (the squared error): its Hessian
        never changes, and Newton's step lands on the optimum."""
        return self.loss.curvature_constant

    def plain(self, w, b):
        """``(J, grad)`` in ``theta`` at ``(w, b)`` in the units of ``X``: one plain pass."""
        J, gw, gb, _ = self.at(w, b)
        return self._in_theta(J, gw, gb)

    def exact(self, w, b):
        """``(J, grad)`` in ``theta`` at ``(w, b)`` in the units of ``X``, from residuals
        summed exactly and a gradient on centred columns (the squared error only)."""
        J, gc, gb = self.rows.exact_grad(w, b, self.mean)
        J, gc = self._penalized(J, gc, w)
        unit = self.unit
        return J / (unit * unit), np.append(gc / self.scale, gb) / unit

    def moved(self, w, b, d):
        """``(w, b)`` after the step :math:`\theta - d`, taken in the units of ``X``: the
        step's own small numbers are folded, never the parameters'."""
        n = self.mean.size
        dw = d[:n] / self.scale * self.unit
        return w - dw, float(b - (d[n] * self.unit - self.mean @ dw))

    def curvature(self, theta):
        """``(J, grad, solved, halt)`` at standardized ``theta``: ``solved.solve(g)`` is
        Newton's step in ``theta`` for a gradient ``g``, from the Hessian formed and
        factored on the columns standardized by ``frame``."""
        w, b = self.params(theta)
        mean, scale = self.frame
        J, gw, gb, H, separated = self.rows.loss_grad_hessian(
            w, b, self.loss, mean, scale, target=self.target)
        J, gw = self._penalized(J, gw, w)
        J, g = self._in_theta(J, gw, gb)
        return J, g, self._factored(H, J), self._halt(separated)

    def _factored(self, H, J):
        """The data's Hessian ``H`` (in the frame) with the penalty added, factored, and
        solving in ``theta``; ``J`` (in theta's units) sets the gradient's rounding level."""
        mean, scale = self.frame
        n, K = mean.size, self.outputs
        weights = np.arange(n * K)                       # theta's entries that are weights
        if self.alpha:
            H[weights, weights] += np.repeat(self.alpha / (scale * scale), K)
        rho = 0.0
        if K > 1:
            # Adding one number to every class's parameters (a row of the grid) changes
            # no probability: H is singular along those directions, and the gradient
            # has no part along them. Curving them (by H's own scale) leaves every step
            # and decrement as they were, and makes H solvable by Cholesky. An L1 part
            # is not flat along a row of weights (its optimum there is a median, not the
            # centre): its subgradient has a part along them, which only the L2 part
            # curves, so with one only the intercepts' row is curved.
            rho = float(np.mean(np.diag(H)))
            H += rho * _shared_shift(n, K, self.l1)
        # A gradient component at this level is rounding (its size ~ sqrt(2 J curvature)).
        noise = 64 * np.finfo(float).eps * np.sqrt((n + 1) * K * max(
            2 * abs(J) * self.loss.curvature, np.finfo(float).tiny))
        return _Framed(factor(H, noise), scale / self.scale, (mean - self.mean) / self.scale, K,
                       rho, bool(self.l1))

    def bound_every(self, slack=SLACK):
        r"""Every how many blocks of rows the cheap certificate reads, for a bound allowed
        to be ``slack`` times the true gap. Its Hessian costs about ``n`` times a pass per
        row, so it reads about one pass's worth of rows (every ``n/16``-th block) where
        the slack allows. Leaving out all but ``1/every`` of the rows makes the bound
        about ``every`` times the gap, and the sampling's spread (the smallest
        eigenvalue of a sample of ``r`` rows in ``n + 1`` dimensions falls by about
        :math:`(1 - \sqrt{(n+1)/r})^2`) more: the sample is the smallest whose bound
        should come within half the slack."""
        m, n = self.rows.m, self.rows.n
        for every in range(max(1, n // 16), 1, -1):
            spread = 1.0 - np.sqrt((n + 1) * every / m)
            if spread > 0.5 and every / (spread * spread) <= 0.5 * slack:
                return every
        return 1

    def certificate(self, theta, J=None, g=None, needed=None, expected=None):
        r"""A bound on :math:`J - J^*` at ``theta``: half the Newton decrement,
        :math:`g^\top H^{-1} g / 2`, exactly :math:`J - J^*` for the squared error and
        to second order for the log-loss; infinite where the Hessian cannot be formed
        (the data overflow float64) or does not resolve the step.

        Given the fit's own ``J`` and ``g`` at ``theta`` (a gradient solver's), the
        Hessian is read from part of the rows where the whole would cost more than a
        pass or two (:meth:`bound_every`, sized by how far the solver's ``expected``
        gap lies below the ``needed`` one). Leaving rows out can only lower :math:`H`
        (each row's term is positive semi-definite), so the decrement it gives is still
        an upper bound, about ``1/share`` times too large. Where that bound misses
        ``needed`` but its estimate (the bound times the share) meets it, or it cannot
        be drawn, the whole Hessian decides.
        """
        slack = SLACK
        if g is not None:
            g = self.optimality(theta, g)
        if needed is not None and expected is not None and 0 < expected < np.inf:
            slack = max(needed / expected, 1.0)
        every = self.bound_every(slack)
        if g is not None and every > 1:
            w, b = self.params(theta)
            mean, scale = self.frame
            H, share = self.rows.hessian_bound(w, b, self.loss, mean, scale, every)
            solved = self._factored(H, J)
            gap = half_decrement(solved, g, solved.solve(g))
            hopeless = needed is not None and np.isfinite(gap) and gap * share > needed
            if gap <= (np.inf if needed is None else needed) or hopeless:
                return gap
        _, g, solved, _ = self.curvature(theta)
        g = self.optimality(theta, g)
        return half_decrement(solved, g, solved.solve(g))

    def restricted(self, rows):
        """This objective over some of its rows (a slice or an index array): a batch's
        :math:`J_B`, with the same penalty, coordinates and unit."""
        part = copy.copy(self)
        part.rows = self.rows.subset(rows)
        return part

    def batch_lipschitz(self, size, rng=None):
        r""":math:`L(b)`, the expected largest curvature of a batch of ``size`` rows drawn
        without replacement (:func:`descend.stochastic.batch_smoothness`), from
        :meth:`lipschitz` for the whole set and :meth:`row_lipschitz` for one row."""
        L = self.lipschitz(rng)
        if size is None or size >= self.rows.m:
            return L
        return batch_smoothness(L, self.row_lipschitz(), self.rows.m, size)

    def row_lipschitz(self):
        r"""The largest curvature of one row's loss: :math:`c \max_i s_i(\lVert z_i\rVert^2 + 1)
        + \alpha \max(1/s^2)`, :math:`z_i` the row standardized and :math:`s_i` its
        sample weight (one pass)."""
        smallest = float(np.min(self.scale))
        penalty = self.alpha / smallest / smallest if self.alpha else 0.0
        row = self.rows.largest_row_norm(self.mean, self.scale)     # with its 1 and weight
        return self.loss.curvature * row + penalty

    def lipschitz(self, rng=None):
        r""":math:`L` = curvature :math:`\times\ \lambda_{\max}([Z, 1]^\top [Z, 1]/m)`
        :math:`+\ \alpha \max(1/s^2)`: the largest curvature of :math:`J` in ``theta``.

        Power iteration from a random start drawn from ``rng`` (a fixed one by
        default). The products come from the rows' one-pass Hessian where they
        offer it, else each is a pass of the squared error against
        :math:`y = 0` (its gradient is the Hessian-vector product).
        """
        rng = np.random.default_rng(0) if rng is None else rng
        hessian = self.rows.squared_hessian(self.mean, self.scale)
        if hessian is not None:
            matvec = hessian.__matmul__
        else:
            plain = Objective(self.rows, SquaredError, mean=self.mean, scale=self.scale,
                              target=False)

            def matvec(v):
                return plain(v)[1]
        lam = power_iteration(matvec, self.mean.size + 1, rng=rng)
        smallest = float(np.min(self.scale))
        penalty = self.alpha / smallest / smallest if self.alpha else 0.0
        return self.loss.curvature * lam + penalty


class _Framed:
    r"""A Hessian factored in another standardization (``frame``) than ``theta``'s.

    With :math:`\theta_f = M\theta` (weights times ``ratio``, the intercept
    plus ``shift`` times the weights), the gradient is :math:`M^{-\top}` and the
    step :math:`M^{-1}` of the frame's; the decrement is the same in both.
    """

    def __init__(self, factored, ratio, shift, outputs=1, rho=0.0, l1=False):
        self.factored, self.ratio, self.shift, self.outputs = factored, ratio, shift, outputs
        self.rho, self.l1 = rho, l1             # the curvature given the classes' shared shift

    valid = property(lambda self: self.factored.valid)
    null = property(lambda self: self.factored.null)
    rough = property(lambda self: self.factored.rough)
    hessian = property(lambda self: self.factored.hessian, doc="H in the frame's coordinates")

    def collinear(self):
        return self.factored.collinear()

    def theta_hessian(self):
        r"""The Hessian in ``theta``'s own coordinates, :math:`M^\top H_f M`, for a solver
        that needs its entries (proximal Newton's coordinate descent); without the
        curvature given to the classes' shared shift, which the L1 part does not
        leave flat."""
        H = self.factored.hessian
        n, K = self.ratio.size, self.outputs
        if self.rho:
            H = H - self.rho * _shared_shift(n, K, self.l1)
        if np.all(self.ratio == 1.0) and not np.any(self.shift):
            return H
        M = np.zeros((n + 1, n + 1))
        M[np.arange(n), np.arange(n)] = self.ratio
        M[n, :n], M[n, n] = self.shift, 1.0
        if self.outputs > 1:
            M = np.kron(M, np.eye(self.outputs))
        return M.T @ H @ M

    def solve(self, g):
        n, K = self.ratio.size, self.outputs
        ratio, shift = (self.ratio, self.shift) if K == 1 else (self.ratio[:, None],
                                                                self.shift[:, None])
        G = g if K == 1 else g.reshape(n + 1, K)
        d = self.factored.solve(_flat((G[:n] - shift * G[n]) / ratio, G[n]))
        D = d if K == 1 else d.reshape(n + 1, K)
        dv = D[:n] / ratio
        return _flat(dv, D[n] - self.shift @ dv)


def _shared_shift(n, K, l1):
    """The projector-like (n+1)K square that couples the K classes' entries of each row of
    theta's grid (of the intercepts' row alone with an ``l1`` part)."""
    rows = np.zeros(n + 1)
    rows[n if l1 else slice(None)] = 1.0
    return np.kron(np.diag(rows), np.ones((K, K)))


def _flat(top, last):
    """theta's layout: the per-column part (n,) or (n, K), then the intercepts' row."""
    return np.concatenate([np.ravel(top), np.ravel(last)])
