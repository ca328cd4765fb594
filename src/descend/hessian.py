r"""The curvature pass: loss, gradient and Hessian of a linear model in one pass over ``X``.

Newton's method needs, besides :math:`J` and its gradient, the Hessian

.. math::
    H = \frac1m [Z, 1]^\top \operatorname{diag}(h)\, [Z, 1],
    \qquad Z = (X - \mu)/s,

with :math:`h_i` the second derivative of row :math:`i`'s loss in its score:
1 for the squared error, :math:`\sigma(z_i)(1 - \sigma(z_i))` for the
log-loss. :func:`loss_grad_hessian` walks over the same cache-sized blocks of
rows as :func:`descend.gradient.loss_grad`, and while a block is in cache
forms its scores, loss, residuals, gradient and its share of :math:`H`
(:math:`Z_b^\top \operatorname{diag}(h) Z_b`, one BLAS call). Each thread
of the pass adds its own blocks. :math:`H` is taken on standardized columns,
so that columns far from zero (a year, a polynomial's :math:`x^5`) lose no
digits to centring afterwards. With sample weights :math:`s_i` (scaled to
sum to :math:`m`) every row's loss, residual and :math:`h_i` are multiplied by
:math:`s_i`: :math:`H = [Z, 1]^\top \operatorname{diag}(s \odot h) [Z, 1]/m`.

:func:`exact_grad` is the squared error's gradient for iterative refinement:
each residual :math:`x_i \cdot w + b - y_i` is summed in double-double
arithmetic (error-free sums, and products by a fused multiply-add, or
Dekker's splitting where llvmlite has none), so the residual of a fit that is
nearly exact keeps its own digits rather than those of :math:`y`, and the
gradient is taken on centred columns, :math:`\sum_i s_i r_i (x_i - \mu)/m`.
"""

from __future__ import annotations

import numpy as np

from .gradient import (_one_thread_blas, _threads, as_weights, in_runs, numba_jit, on_side,
                       row_blocks, weighted_loss)

__all__ = ["loss_grad_hessian", "hessian_bound", "exact_grad"]

_EXACT = None        # the compiled double-double residual kernel, made on first use


def _blocks_terms(X, y, sw, w, b, loss, shift, scale, blocks, out):
    """Add the terms of ``blocks`` into ``out``: per block the loss sum, gradient and
    intercept sums (rows ``J``, ``gw``, ``gb``, ``sep`` of each block's index) and
    this run's share of ``H`` (``out["H"]``, one per run); each row's loss, ``delta``
    and ``h`` times its weight ``sw[i]`` (None: no weights)."""
    n = X.shape[1]
    H = out["H"]
    buf = np.empty((blocks[0][1].stop - blocks[0][1].start, n)) if blocks else None
    for k, rows in blocks:
        X_blk = X[rows]
        if X_blk.dtype != np.float64:                        # float32 widened per block
            X_blk = np.copyto(buf[: rows.stop - rows.start], X_blk) or buf[: rows.stop - rows.start]
        z = X_blk @ w
        z += b
        loss_sum, delta, h = loss.curvature_terms(z, y[rows])
        sw_blk = None if sw is None else sw[rows]              # (m_blk,)
        if sw_blk is not None:
            loss_sum = weighted_loss(loss, z, y[rows], delta, sw_blk)
            delta *= sw_blk
            h = sw_blk if h is None else h * sw_blk            # s * h, h = 1 for squares
        out["J"][k] = loss_sum
        out["gw"][k] = X_blk.T @ delta
        out["gb"][k] = float(delta.sum())
        out["sep"][k] = on_side(z, y[rows], sw_blk)
        Z = np.subtract(X_blk, shift, out=buf[: rows.stop - rows.start])
        Z /= scale                                           # standardized before any product
        if h is None:
            H[:n, n] += Z.sum(axis=0)
            H[n, n] += Z.shape[0]
        else:
            H[:n, n] += Z.T @ h
            H[n, n] += float(h.sum())
            Z *= np.sqrt(h)[:, None]
        H[:n, :n] += Z.T @ Z                                 # BLAS's syrk
    return out


def _curvature_pass(X, y, sw, w, b, loss, shift, scale, blocks, n_threads):
    """The terms of ``blocks`` (a list of row slices) summed: ``(J, gw, gb, H, separated)``,
    sums over those rows, not yet divided by anything; ``H`` whole (both triangles)."""
    n = X.shape[1]
    w = np.asarray(w, dtype=np.float64)
    shift, scale = np.asarray(shift, dtype=np.float64), np.asarray(scale, dtype=np.float64)
    blocks = list(enumerate(blocks))
    K = len(blocks)
    k = min(_threads(X, n_threads), K)
    shared = {"J": np.zeros(K), "gw": np.zeros((K, n)), "gb": np.zeros(K),
              "sep": np.ones(K, dtype=bool)}
    parts = [dict(shared, H=np.zeros((n + 1, n + 1))) for _ in range(max(k, 1))]
    cuts = np.linspace(0, K, k + 1).round().astype(int)

    def run(lo, hi):
        part = parts[int(np.searchsorted(cuts, lo))]
        _blocks_terms(X, y, sw, w, float(b), loss, shift, scale, blocks[lo:hi], part)

    with _one_thread_blas():
        in_runs(run, K, k)
    H = sum(part["H"] for part in parts)
    H[n, :n] = H[:n, n]
    return (float(shared["J"].sum()), shared["gw"].sum(axis=0), float(shared["gb"].sum()), H,
            bool(shared["sep"].all()))


def loss_grad_hessian(X, y, w, b, loss, shift, scale, *, block_rows=None, n_threads=None,
                      sample_weight=None):
    r"""``(J, grad_w, grad_b, H, separated)`` in one pass over the rows of ``X``.

    ``J``, the gradient and ``separated`` are those of
    :func:`descend.gradient.loss_grad` (per-block sums added in block order, the
    same ``sample_weight``); ``H`` is the :math:`(n+1)\times(n+1)` Hessian of the
    mean loss in the standardized coordinates
    :math:`\tilde x = [(x - \text{shift})/\text{scale}, 1]`,
    :math:`H = \frac1m \sum_i s_i h_i \tilde x_i \tilde x_i^\top`.
    """
    m = X.shape[0]
    J, gw, gb, H, separated = _curvature_pass(X, y, as_weights(sample_weight, m), w, b, loss,
                                              shift, scale, list(row_blocks(X, block_rows)),
                                              n_threads)
    return J / m, gw / m, gb / m, H / m, bool(loss.classifies and separated)


def hessian_bound(X, y, w, b, loss, shift, scale, every, *, block_rows=None, n_threads=None,
                  sample_weight=None):
    r"""``(H_S, share)``: the Hessian's terms from every ``every``-th block of rows only,
    divided by all ``m`` rows, and the share of the rows (of their weight, with
    ``sample_weight``) those blocks hold.

    Each row adds :math:`h_i \tilde x_i \tilde x_i^\top \succeq 0` to :math:`mH`, so
    leaving rows out gives a lower bound, :math:`H_S \preceq H`, and with it an upper
    bound on the Newton decrement, :math:`g^\top H_S^{-1} g \ge g^\top H^{-1} g`, at a
    ``1/every``-th of the cost of :math:`H`: about ``1/share`` times the true decrement.
    Blocks spread over the whole of ``X`` (not its first rows), so sorted data are
    sampled throughout.
    """
    m = X.shape[0]
    sw = as_weights(sample_weight, m)
    blocks = list(row_blocks(X, block_rows))[::max(1, int(every))]
    _, _, _, H, _ = _curvature_pass(X, y, sw, w, b, loss, shift, scale, blocks, n_threads)
    if sw is None:
        return H / m, sum(rows.stop - rows.start for rows in blocks) / m
    return H / m, sum(float(sw[rows].sum()) for rows in blocks) / m


# -- the squared error's exact residuals -------------------------------------------
def _two_sum(a, b):
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


def _two_prod(a, b):
    p = a * b
    a_hi = a * 134217729.0                     # Dekker's split, 2^27 + 1
    a_hi = a_hi - (a_hi - a)
    b_hi = b * 134217729.0
    b_hi = b_hi - (b_hi - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _exact_rows(X, y, sw, w, b, shift, starts, stops, J, gw, gb):
    """Per block ``k``: ``J[k]`` the summed half squares, ``gw[k]`` the centred gradient
    sum, ``gb[k]`` the summed residual, each residual in double-double (numba); with
    weights ``sw`` (None: none), ``0.5 s r^2``, ``s r (x - shift)`` and ``s r``."""
    n = X.shape[1]
    for k in range(starts.shape[0]):
        g = gw[k]
        loss_sum, loss_c, r_sum, r_c = 0.0, 0.0, 0.0, 0.0
        for i in range(starts[k], stops[k]):
            s, c = _TWO_SUM(b, -y[i])
            for j in range(n):
                p, p_err = _TWO_PROD(float(X[i, j]), w[j])
                s, s_err = _TWO_SUM(s, p)
                c += s_err + p_err
            r = s + c
            r_w = r if sw is None else sw[i] * r                 # the weighted residual
            t = 0.5 * r_w * r - loss_c                           # Kahan sums
            total = loss_sum + t
            loss_c, loss_sum = (total - loss_sum) - t, total
            t = r_w - r_c
            total = r_sum + t
            r_c, r_sum = (total - r_sum) - t, total
            for j in range(n):
                g[j] += r_w * (X[i, j] - shift[j])
        J[k], gb[k] = loss_sum, r_sum


def _two_prod_fma(a, b):
    p = a * b
    return p, _FMA(a, b, -p)                   # the product's rounding error, exactly


_TWO_SUM = _TWO_PROD = _FMA = None


def _fma():
    """A fused multiply-add for numba (LLVM's ``fma``), or None where llvmlite lacks it."""
    try:
        import llvmlite.ir
        from numba import types
        from numba.extending import intrinsic
    except ImportError:
        return None
    if not hasattr(llvmlite.ir.IRBuilder, "fma"):
        return None

    @intrinsic
    def fma(typingctx, a, b, c):
        def codegen(context, builder, signature, args):
            return builder.fma(*args)
        return types.float64(types.float64, types.float64, types.float64), codegen
    return fma


def _compiled_exact():
    global _EXACT, _TWO_SUM, _TWO_PROD, _FMA
    if _EXACT is None:
        jit = numba_jit()                     # no fastmath: the error terms must survive
        if jit is None:
            return None
        _FMA = _fma()
        _TWO_SUM = jit(_two_sum)
        _TWO_PROD = jit(_two_prod if _FMA is None else _two_prod_fma)
        _EXACT = jit(_exact_rows)
    return _EXACT


def exact_grad(X, y, w, b, shift, *, n_threads=None, sample_weight=None):
    r"""The squared error's ``(J, grad_w_centred, grad_b)`` with exact residuals.

    :math:`J = \sum_i s_i r_i^2 / 2m`, ``grad_w_centred`` is
    :math:`\sum_i s_i r_i (x_i - \text{shift})/m`, the gradient in coordinates
    centred on ``shift``, and ``grad_b`` :math:`\sum_i s_i r_i / m`, with
    :math:`s_i` the ``sample_weight`` (scaled to sum to :math:`m`; 1 without).
    Without numba the residuals are plain float64 (numpy).
    """
    m, n = X.shape
    sw = as_weights(sample_weight, m)
    w = np.ascontiguousarray(w, dtype=np.float64)
    shift = np.ascontiguousarray(shift, dtype=np.float64)
    blocks = list(row_blocks(X))
    K = len(blocks)
    kernel = _compiled_exact() if X.flags.c_contiguous and y.flags.c_contiguous else None
    if kernel is None:
        r = np.asarray(X @ w + b - y, dtype=np.float64)          # (m,)
        r_w = r if sw is None else sw * r
        return (0.5 * float(r_w @ r) / m, (X.T @ r_w - shift * r_w.sum()) / m,
                float(r_w.sum()) / m)
    starts = np.array([rows.start for rows in blocks], dtype=np.int64)
    stops = np.array([rows.stop for rows in blocks], dtype=np.int64)
    J, gw, gb = np.zeros(K), np.zeros((K, n)), np.zeros(K)

    def run(lo, hi):
        kernel(X, y, sw, w, float(b), shift, starts[lo:hi], stops[lo:hi], J[lo:hi],
               gw[lo:hi], gb[lo:hi])

    in_runs(run, K, min(_threads(X, n_threads), K))
    return float(J.sum()) / m, gw.sum(axis=0) / m, float(gb.sum()) / m
