r"""Stochastic and mini-batch gradient descent: the material's update on part of the rows.

The material computes its loss "of a particular training dataset (whether that
be an individual sample, a batch, or the entire set)". Here each update reads
a *batch* of ``batch_size`` rows:

.. math::
    \theta \leftarrow \theta - t_k \nabla J_B(\theta), \qquad
    J_B = \frac{1}{|B|}\sum_{i \in B} L(z_i, y_i) + \frac{\alpha}{2}\lVert w\rVert^2,

the same objective (:mod:`descend.objective`) restricted to the rows of
``B``, so the batch gradient is an unbiased estimate of the whole set's. One
*epoch* is one pass over the rows; ``batch_size=1`` is stochastic descent,
an integer mini-batch descent, and the whole set is plain ``"gd"``.

**Which rows a batch reads.** With ``shuffle`` each epoch draws a permutation of
the row numbers (``8 m`` bytes); without, the batches are consecutive rows. The
compiled epoch (:func:`_epoch_rows`, with numba) reads each row of ``X`` where it
lies, through the permutation: nothing is copied, and a shuffled epoch pays in
cache misses, one row at a time (on 200,000 x 20 rows, about 0.03 s an epoch).
The batch-by-batch reference (without numba or with ``descend.gradient.KERNEL =
"numpy"``, or when a path is traced) gathers each batch's rows, batch-sized copies,
or takes slices, views.

**The step.** ``learning_rate="auto"`` starts from :math:`t_0 = 1/L(b)`, the
*expected smoothness* of a batch of ``b`` rows drawn without replacement
(Gower et al., "SGD: general analysis and improved rates", 2019):

.. math::
    L(b) = \frac{m(b-1)}{b(m-1)} L + \frac{m-b}{b(m-1)} L_{\max},

between the whole set's largest curvature :math:`L` (for ``b = m``) and the
largest single row's, :math:`L_{\max} = c\,\max_i s_i (\lVert z_i\rVert^2 + 1)`
(for ``b = 1``), with :math:`c` the loss's largest curvature and :math:`s_i` the
row's weight (1 without weights). The
``schedule`` then sets :math:`t_k` from the epochs done, :math:`e = k b / m`
(see :func:`rate`). With ``average`` the weights returned are the mean of the
iterates (Polyak and Juditsky) from the end of the first epoch on, or of the
first half of ``max_iter`` with the "auto" schedule (:func:`average_from`): the
noise of the single steps averages out.

:func:`sgd` is the solver :func:`descend.solvers.minimize` drives, one epoch per
iteration, with the whole set's loss at the end of each; :func:`run_epoch` is
the pass itself, which ``partial_fit`` runs on each chunk it is given.

**Sample weights.** With weights :math:`s_i` (scaled to mean 1 over the whole
set), each row's loss and residual are multiplied by :math:`s_i` and a batch's
gradient is still the mean over its rows, :math:`\sum_{i \in B} s_i g_i / |B|`:
an unbiased estimate of the weighted gradient of the whole set.
"""

from __future__ import annotations

import numpy as np

from .descent import Solver
from .gradient import as_weights, row_blocks

__all__ = ["SCHEDULES", "Batches", "BatchLog", "rate", "batch_smoothness", "largest_row_norm",
           "run_epoch", "sgd"]

#: The learning-rate schedules of ``solver="sgd"``.
SCHEDULES = ("auto", "constant", "invscaling", "step")
#: "step" halves the rate this many times over ``max_iter`` epochs.
STEP_DROPS = 10


def rate(schedule, t0, epochs, max_epochs):
    r"""The step after ``epochs`` epochs (a fraction: rows seen over rows per epoch; a
    number, or an array of them for each batch of an epoch).

    * ``"constant"``: :math:`t_0` throughout;
    * ``"invscaling"``: :math:`t_0/\sqrt{1 + e}`;
    * ``"step"``: :math:`t_0` halved every tenth of ``max_epochs`` (ten halvings), and
      at most once an epoch;
    * ``"auto"``: :math:`t_0` for the first half of ``max_epochs``, then
      :math:`t_0/\sqrt{1 + e - e_{1/2}}`: travel, then settle.
    """
    e = np.asarray(epochs, dtype=float)
    if schedule == "constant":
        t = np.full(e.shape, t0)
    elif schedule == "invscaling":
        t = t0 / np.sqrt(1.0 + e)
    elif schedule == "step":
        every = max(1.0, max_epochs / STEP_DROPS)
        t = t0 * 0.5 ** np.floor(e / every)
    else:
        half = np.floor(max_epochs / 2)
        t = np.where(e < half, t0, t0 / np.sqrt(1.0 + np.maximum(e - half, 0.0)))
    return float(t) if t.ndim == 0 else t


def average_from(schedule, max_epochs):
    """The epoch at whose end ``average=True`` starts averaging the iterates: the first
    for a schedule that decays from the start, half of ``max_epochs`` for "auto"."""
    return max(1, int(max_epochs // 2)) if schedule == "auto" else 1


def batch_smoothness(L, L_max, m, b):
    """The expected smoothness :math:`L(b)` of the mean loss over ``b`` of ``m`` rows."""
    if b >= m or m < 2:
        return L
    return (m * (b - 1) * L + (m - b) * L_max) / (b * (m - 1))


def largest_row_norm(X, shift, scale, sample_weight=None):
    r""":math:`\max_i s_i (\lVert z_i\rVert^2 + 1)`, :math:`z_i = (x_i - \text{shift})/
    \text{scale}` and the 1 the intercept's, block by block (no copy of ``X``);
    :math:`s_i` the ``sample_weight`` (m,), or 1. A row of weight 0 counts 0."""
    top = 0.0
    for rows in row_blocks(X):
        Z = (np.asarray(X[rows], dtype=np.float64) - shift) / scale      # (m_blk, n)
        with np.errstate(over="ignore"):                                 # inf: a row too long
            norms = np.einsum("ij,ij->i", Z, Z) + 1.0                    # (m_blk,)
        if sample_weight is not None:
            s = sample_weight[rows]
            norms = np.where(s > 0, norms, 0.0) * s
        top = max(top, float(np.max(norms, initial=0.0)))
    return top


class Batches:
    """The batches of one epoch over ``m`` rows: index blocks of a fresh permutation drawn
    from ``rng`` (``shuffle``), or consecutive slices."""

    def __init__(self, m, size, *, shuffle=True, rng=None):
        self.m = m
        self.size = m if size is None else max(1, min(int(size), m))
        self.shuffle = shuffle
        self.rng = np.random.default_rng(0) if rng is None else rng

    def __len__(self):
        return -(-self.m // self.size)

    def order(self):
        """One epoch's rows in order: a fresh permutation, or ``0 .. m-1``."""
        return self.rng.permutation(self.m) if self.shuffle else np.arange(self.m)

    def epoch(self):
        """The batches of one epoch: index blocks of :meth:`order`, or slices (views)."""
        m, size = self.m, self.size
        order = self.order() if self.shuffle else None
        for start in range(0, m, size):
            yield slice(start, min(start + size, m)) if order is None else order[start:start + size]


class BatchLog:
    """The loss of every batch, before its update, and where it fell in epochs."""

    def __init__(self):
        self.loss, self.epoch = [], []

    def arrays(self):
        return np.asarray(self.loss, dtype=float), np.asarray(self.epoch, dtype=float)


def run_epoch(objective, batches, x, *, t_of, average=None, log=None, trace=None, start=0.0):
    """One pass of updates ``x <- x - t grad J_B(x)`` over the batches of one epoch (each
    followed by the L1 part's proximal step, the soft threshold, where there is one).

    ``t_of(e)`` is the step after ``e`` epochs (``start`` plus the share of this one
    done); ``average`` is None, or ``(mean, count)`` of the iterates so far, updated
    with every new iterate. ``log`` (a :class:`BatchLog`) records each batch's loss,
    ``trace`` (a list) each iterate. Returns ``(x, average, t)``, ``t`` the last step.

    In memory, with numba and no ``trace``, the epoch runs compiled
    (:func:`_epoch_rows`, the same formulas one row at a time; a test holds the two
    equal); otherwise each batch is the objective restricted to its rows (and their
    weights, which the rows' ``subset`` carries).
    """
    m = batches.m
    kernel = None if trace is not None else _kernel(objective)
    if kernel is not None:
        return _compiled_epoch(kernel, objective, batches, x, t_of, average, log, start)
    seen, t = 0, t_of(start)
    for rows in batches.epoch():
        J, g, _ = objective.restricted(rows)(x)
        t = t_of(start + seen / m)
        x = objective.prox(x - t * g, t)            # x - t g, with an L1 part soft-thresholded
        seen += (rows.stop - rows.start) if isinstance(rows, slice) else rows.size
        if log is not None:
            log.loss.append(J)
            log.epoch.append(start + seen / m)
        if average is not None:
            mean, count = average
            count += 1
            average = (mean + (x - mean) / count, count)
        if trace is not None:
            trace.append(x)
    return x, average, t


def _compiled_epoch(kernel, objective, batches, x, t_of, average, log, start):
    """:func:`run_epoch` by the compiled kernel: the same updates, in one call."""
    m, size = batches.m, batches.size
    ends = np.minimum(np.arange(size, m + size, size), m)            # rows seen after each
    before = start + np.append(0, ends[:-1]) / m                     # epochs done before each
    rates = np.array(np.broadcast_to(t_of(before), before.shape), dtype=np.float64)
    x = np.array(x, dtype=np.float64)
    mean, count = (x.copy(), -1) if average is None else (np.array(average[0], float), average[1])
    losses = np.empty(ends.size)
    rows = objective.rows
    sw = as_weights(getattr(rows, "sample_weight", None), rows.m)    # None, or (m,)
    count = kernel(rows.X, rows.y, sw, batches.order(), size, x, rates, objective.loss.classifies,
                   objective.alpha, objective.mean, objective.scale, objective.unit, mean, count,
                   losses)
    if log is not None:
        log.loss.extend(losses.tolist())
        log.epoch.extend((start + ends / m).tolist())
    return x, (None if average is None else (mean, count)), float(rates[-1])


def _epoch_rows(X, y, sw, order, size, x, rates, log, alpha, mean, scale, unit, avg, count,
                losses):
    """One epoch of batch updates of ``x`` (theta, in place), row by row (numba).

    The formulas of :class:`descend.objective.Objective` for a batch ``B`` of the rows
    ``order[lo:hi]``: ``w = v / s * unit``, ``b = c * unit - mu . w``; each row's
    ``(loss, delta)`` from the loss's row term at ``z = x . w + b``, times the row's
    weight ``sw[i]`` (``sw`` None: numba compiles the kernel without it); the mean over
    the batch, the penalty ``alpha/2 |w|^2``; the gradient folded into theta,
    ``((g_w - mu g_b) / s, g_b) / unit``; then ``x -= rates[k] * g`` and, when
    ``count >= 0``, the running mean ``avg`` of the iterates. ``losses[k]`` gets the
    batch's loss before its update, in theta's units (``J / unit^2``). Returns the
    count of averaged iterates.
    """
    m, n = X.shape[0], X.shape[1]
    w, gw = np.empty(n), np.empty(n)
    k = 0
    for lo in range(0, m, size):
        hi = min(lo + size, m)
        shift = 0.0
        for j in range(n):
            w[j] = x[j] / scale[j] * unit
            shift += mean[j] * w[j]
        b = x[n] * unit - shift
        J, gb = 0.0, 0.0
        for j in range(n):
            gw[j] = 0.0
        for p in range(lo, hi):
            i = order[p]
            z = 0.0
            for j in range(n):
                z += X[i, j] * w[j]
            z += b
            if log:
                term, delta = _LOG_TERM(z, y[i])
            else:
                term, delta = _SQUARED_TERM(z, y[i])
            if sw is not None:
                term, delta = sw[i] * term, sw[i] * delta
            J += term
            gb += delta
            for j in range(n):
                gw[j] += delta * X[i, j]
        rows = hi - lo
        J, gb, squares = J / rows, gb / rows, 0.0
        for j in range(n):
            gw[j] = gw[j] / rows + alpha * w[j]
            squares += w[j] * w[j]
        losses[k] = (J + 0.5 * alpha * squares) / (unit * unit)
        t = rates[k]
        for j in range(n):
            x[j] -= t * ((gw[j] - mean[j] * gb) / scale[j] / unit)
        x[n] -= t * (gb / unit)
        if count >= 0:
            count += 1
            for j in range(n + 1):
                avg[j] += (x[j] - avg[j]) / count
        k += 1
    return count


_KERNEL = None
_SQUARED_TERM = _LOG_TERM = None


def _kernel(objective):
    """The compiled epoch for ``objective``'s rows, or None (numba missing, Dask rows,
    ``descend.gradient.KERNEL`` set to "numpy", an objective measured against ``y = 0``,
    with more than one output or an L1 part, or no rows)."""
    global _KERNEL, _SQUARED_TERM, _LOG_TERM
    from . import gradient

    rows = objective.rows
    if (gradient.KERNEL == "numpy" or not hasattr(rows, "X") or rows.y.dtype != np.float64
            or not objective.target or rows.m == 0 or getattr(objective, "outputs", 1) > 1
            or getattr(objective, "l1", 0.0)):
        return None
    if _KERNEL is None:
        jit = gradient.numba_jit()
        if jit is None:
            return None
        from .losses import LogLoss, SquaredError
        _SQUARED_TERM, _LOG_TERM = jit(SquaredError.term), jit(LogLoss.term)
        _KERNEL = jit(_epoch_rows)
    return _KERNEL


def sgd(t0, backtrack=False, *, batches, schedule="auto", max_epochs=1, average=False, log=None,
        objective):
    """The :class:`~descend.descent.Solver` for ``minimize``: each ``step`` is one epoch of
    :func:`run_epoch` on ``objective``'s batches, then the whole set's loss and gradient
    at the weights it returns (the average of the iterates, with ``average``, from
    :func:`average_from` on). The state is ``noisy``: its loss may end an epoch above
    where it began, and its ``estimate`` is the epoch's fall of the loss, a lower bound
    on the gap before it (see :func:`descend.solvers.minimize`).
    ``backtrack`` is unused: a batch's loss says too little to backtrack on.
    """
    begin = average_from(schedule, max_epochs)

    def init(theta, J, g):
        return {"theta": theta, "J": J, "g": g, "t": t0, "x": theta, "average": None,
                "epochs": 0}

    def step(s, fun):
        mean = s["average"]
        if average and mean is None and s["epochs"] >= begin:
            mean = (s["x"], 1)                   # the average starts here
        x, mean, t = run_epoch(objective, batches, s["x"], average=mean, log=log,
                               start=float(s["epochs"]),
                               t_of=lambda e: rate(schedule, t0, e, max_epochs))
        theta = x if mean is None else mean[0]
        J, g, halt = fun(theta)
        fall = s["J"] - J if np.isfinite(J) else np.inf
        return {"theta": theta, "J": J, "g": g, "t": t0, "x": x, "average": mean,
                "epochs": s["epochs"] + 1, "noisy": True, "estimate": max(fall, 0.0)}, t, halt

    return Solver(init, step)
