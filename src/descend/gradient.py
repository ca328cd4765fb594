r"""The one loss-and-gradient pass over the data, shared by both models.

For :math:`z = Xw + b`, prediction :math:`a = g(z)` and the mean error
vector :math:`\delta = (a - y)/m`, the chain rule gives for *both* losses

.. math::
    \nabla_w J = X^\top \delta, \qquad
    \frac{\partial J}{\partial b} = \sum_i \delta_i

(:func:`backward`, the material's formula). :func:`loss_grad` computes the
loss and this gradient by walking over blocks of rows of ``X``: for each
block it forms ``z``, the residual and the block's :math:`X^\top(a - y)`
while the block is still in cache, adds the blocks, and divides by
:math:`m` once. Nothing of the size of ``X`` is allocated, and ``X`` is never
copied or converted as a whole (a float32 block is widened to float64 one
block at a time). With numba installed a compiled kernel runs the same
formulas one row at a time (see ``KERNEL``).

**Sample weights.** Every pass takes ``sample_weight``, the weights
:math:`s_i` scaled by the caller to sum to :math:`m`. A pass multiplies row
:math:`i`'s loss, residual and curvature by :math:`s_i` and still divides by
:math:`m`: :math:`J = \sum_i s_i L_i / m`, :math:`\nabla_w J = X^\top(s \odot
(a - y))/m`. Without weights the passes run the code they ran before, to the bit.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .losses import LogLoss, SquaredError, _exp_minus_abs, _log_loss_terms

__all__ = ["backward", "loss_grad", "row_blocks", "as_weights", "weighted_loss", "on_side"]

#: Bytes of ``X`` per block: small enough to stay in a core's cache.
BLOCK_BYTES = 1024 * 1024
#: An ``X`` at least this large is shared among all cores.
PARALLEL_BYTES = 8 * 1024 * 1024
#: Above this size even a one-thread pass holds BLAS to one thread.
SERIAL_BLAS_BYTES = 1024 * 1024

#: Which kernel runs the plain gradient: "auto" (compiled when numba imports,
#: else numpy), "numba" (compiled, or ImportError) or "numpy".
KERNEL = "auto"

_POOL = None        # the ThreadPoolExecutor, made on first use
_BLAS = None        # threadpoolctl's controller, made on first use
_FUSED = None       # the compiled row kernel, made on first use
_SQUARED_TERM = _LOG_TERM = None    # the losses' row terms, compiled for _fused_rows
_KAHAN = None                       # compensated addition, compiled for _fused_rows
_LOG_BLOCK = _FUSED_LOG = None      # the log-loss's block terms and block kernel


def row_blocks(X, block_rows=None):
    """Yield slices covering the rows of ``X`` in blocks of about BLOCK_BYTES."""
    m = X.shape[0]
    if block_rows is None:
        # Sized by the float64 row, the width a float32 block is widened to.
        row_bytes = max(1, X.shape[1]) * max(8, X.dtype.itemsize)
        block_rows = max(256, BLOCK_BYTES // row_bytes)
    for start in range(0, m, block_rows):
        yield slice(start, min(start + block_rows, m))


def backward(X, delta):
    r"""The material's gradient from the mean error vector: :math:`(X^\top\delta,\ \sum_i\delta_i)`.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    delta : ndarray of shape (m,)
        :math:`(\hat y - y)/m` for the rows of ``X``. The formula is linear in
        ``delta``: given the plain residual :math:`\hat y - y` it returns
        :math:`m` times the gradient, which is how :func:`loss_grad` sums
        blocks of rows before it divides by :math:`m` once.
    """
    return X.T @ delta, float(delta.sum())


def as_weights(sample_weight, m):
    """``sample_weight`` as a contiguous float64 (m,) array, or None; a ValueError when
    its length is not ``m`` (the compiled kernels do not check their bounds)."""
    if sample_weight is None:
        return None
    sw = np.ascontiguousarray(sample_weight, dtype=np.float64)
    if sw.shape != (m,):
        raise ValueError(f"sample_weight has shape {sw.shape}; the pass reads {m} rows and "
                         f"needs one weight per row, shape ({m},).")
    return sw


def weighted_loss(loss, z, y, delta, sw):
    r""":math:`\sum_i s_i L(z_i, y_i)` over a block, from the block's scores, targets and
    plain residuals ``delta`` (m_blk,): the loss's own row terms, each times its weight,
    summed as the loss sums them (so that weights of 1 change no bit)."""
    if loss is LogLoss:
        return float((sw * _log_loss_terms(z, y, _exp_minus_abs(z))).sum())
    return 0.5 * float((sw * delta) @ delta)


def on_side(z, y, sw):
    """Whether every row of a block of weight above 0 is on its class's side,
    :math:`(2y_i - 1) z_i > 0` (rows of weight 0 do not count)."""
    side = (2.0 * y - 1.0) * z > 0.0
    return bool(np.all(side if sw is None else side | (sw == 0.0)))


def _threads(X, n_threads):
    """How many threads share the pass: all cores for an X of several blocks."""
    if n_threads is None:
        if X.nbytes < PARALLEL_BYTES:
            return 1
        n_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, int(n_threads or 1))


def _pool(n_threads):
    global _POOL
    if _POOL is None or _POOL._max_workers < n_threads:
        _POOL = ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="descend")
    return _POOL


def _one_thread_blas():
    """A context in which BLAS runs on one thread (the pass's threads are the parallelism)."""
    global _BLAS
    if _BLAS is None:
        from threadpoolctl import ThreadpoolController   # only when a pass goes parallel
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def _pass(X, y, sw, w, b, loss, blocks):
    """Per-block sums ``(loss_sum, X^T (a - y), sum(a - y), separated)`` for ``blocks``,
    each row's terms times its weight ``sw[i]`` (None: no weights)."""
    widen = X.dtype != np.float64
    buf = np.empty((blocks[0].stop - blocks[0].start, X.shape[1])) if widen and blocks else None
    out = []
    for rows in blocks:
        X_blk, y_blk = X[rows], y[rows]
        if widen:                       # float32 widened into a reused cache-sized buffer
            X_blk = np.copyto(buf[: rows.stop - rows.start], X_blk) or buf[: rows.stop - rows.start]
        z = X_blk @ w                                      # (m_blk,)
        z += b
        loss_sum, delta = loss.loss_sum_and_delta(z, y_blk)
        sw_blk = None if sw is None else sw[rows]
        if sw_blk is not None:
            loss_sum = weighted_loss(loss, z, y_blk, delta, sw_blk)
            delta *= sw_blk                                # s * (a - y)
        gw, gb = backward(X_blk, delta)
        sep = loss.classifies and on_side(z, y_blk, sw_blk)
        out.append((loss_sum, gw, gb, sep))
    return out


def _fused_rows(X, y, sw, w, b, log, starts, stops, J, gw, gb, sep):
    """Rows ``starts[k]:stops[k]`` for each block ``k``, each row read once (numba).

    Per row: 1. ``z = x . w + b`` (float64 whatever the dtype of ``X``);
    2. ``(loss, delta)`` from the loss's row term, times the row's weight
    ``sw[i]`` (``sw`` None: numba compiles the kernel without it);
    3. ``gw[k] += delta * x``
    while ``x`` is in L1. Per block: ``J[k]`` the summed loss, ``gb[k]`` the
    summed ``delta``, ``sep[k]`` whether every row is on its class's side.
    Compiled with reassociation for the two inner loops (SIMD); the row terms
    and the compensated sums of the loss and of ``delta`` are compiled apart,
    without it, so the loss keeps the precision the line search needs near
    the optimum (a plain running sum over a block loses about ten times more).
    """
    n = X.shape[1]
    for k in range(starts.shape[0]):
        g = gw[k]                                          # (n,)
        loss_sum, delta_sum, separated = 0.0, 0.0, True
        loss_c, delta_c = 0.0, 0.0                         # Kahan compensations
        for i in range(starts[k], stops[k]):
            x = X[i]                                       # (n,)
            z = 0.0
            for j in range(n):
                z += x[j] * w[j]
            z += b
            if log:
                term, delta = _LOG_TERM(z, y[i])
            else:
                term, delta = _SQUARED_TERM(z, y[i])
            side = (2.0 * y[i] - 1.0) * z > 0.0
            if sw is not None:
                s = sw[i]
                term, delta, side = s * term, s * delta, side or s == 0.0
            loss_sum, loss_c = _KAHAN(loss_sum, loss_c, term)
            delta_sum, delta_c = _KAHAN(delta_sum, delta_c, delta)
            separated &= side
            for j in range(n):
                g[j] += delta * x[j]
        J[k], gb[k], sep[k] = loss_sum, delta_sum, separated


def _fused_log_blocks(X, y, sw, w, b, starts, stops, J, gw, gb, sep):
    """The log-loss's ``_fused_rows``, its row terms taken a few hundred rows at a time
    (numba).

    Per run of ``LOG_ROWS`` rows of a block: 1. their scores ``z = x . w + b``;
    2. their loss terms and ``delta`` in vectorized loops
    (:func:`descend.blockmath.log_loss_block`, in place of one scalar ``exp`` and
    ``log1p`` per row); 3. each row's terms times its weight, the compensated sums
    and ``gw[k] += delta * x``, the rows read again from L1/L2. The sums run in row
    order, as in ``_fused_rows``.
    """
    n = X.shape[1]
    size = LOG_ROWS
    zs, ts, ds, es, ws = (np.empty(size), np.empty(size), np.empty(size), np.empty(size),
                          np.empty(size))
    for k in range(starts.shape[0]):
        g = gw[k]
        loss_sum, delta_sum, separated = 0.0, 0.0, True
        loss_c, delta_c = 0.0, 0.0
        for lo in range(starts[k], stops[k], size):
            hi = min(lo + size, stops[k])
            rows = hi - lo
            for i in range(lo, hi):
                x = X[i]
                z = 0.0
                for j in range(n):
                    z += x[j] * w[j]
                zs[i - lo] = z + b
            _LOG_BLOCK(zs[:rows], y[lo:hi], ts[:rows], ds[:rows], es[:rows], ws[:rows])
            for i in range(lo, hi):
                term, delta = ts[i - lo], ds[i - lo]
                side = (2.0 * y[i] - 1.0) * zs[i - lo] > 0.0
                if sw is not None:
                    s = sw[i]
                    term, delta, side = s * term, s * delta, side or s == 0.0
                loss_sum, loss_c = _KAHAN(loss_sum, loss_c, term)
                delta_sum, delta_c = _KAHAN(delta_sum, delta_c, delta)
                separated &= side
                x = X[i]
                for j in range(n):
                    g[j] += delta * x[j]
        J[k], gb[k], sep[k] = loss_sum, delta_sum, separated


#: Rows whose log-loss terms the compiled pass takes at once: their scratch (five
#: vectors) stays in L1, and their rows in L2 until the gradient reads them again.
LOG_ROWS = 512


def _kahan_add(total, comp, x):
    """``total + x`` with the rounding error carried in ``comp`` (Kahan)."""
    y = x - comp
    t = total + y
    return t, (t - total) - y


def numba_jit(**options):
    """numba's ``njit(nogil=True, cache=True, **options)``, or None without numba
    (an ImportError when ``KERNEL`` is "numba")."""
    try:
        import numba
    except ImportError:
        if KERNEL == "numba":
            raise ImportError("descend.gradient.KERNEL is 'numba' but numba is not "
                              "installed: pip install numba, or set KERNEL = 'auto'.") from None
        return None
    return numba.njit(nogil=True, cache=True, **options)


def _compiled():
    """``_fused_rows`` compiled by numba (cached on disk), or None without numba."""
    global _FUSED, _SQUARED_TERM, _LOG_TERM, _KAHAN, _LOG_BLOCK, _FUSED_LOG
    if _FUSED is None:
        jit = numba_jit()
        if jit is None:
            return None
        _SQUARED_TERM, _LOG_TERM = jit(SquaredError.term), jit(LogLoss.term)
        _KAHAN = jit(_kahan_add)
        # No division check (numpy's error model): a check per division stops SIMD.
        block = numba_jit(fastmath={"contract"}, error_model="numpy")
        from . import blockmath
        blockmath._EXP = block(blockmath.exp_neg_abs)
        blockmath._LOG1P = block(blockmath.log1p_unit)
        _LOG_BLOCK = block(blockmath.log_loss_block)
        _FUSED_LOG = numba_jit(fastmath={"reassoc", "contract"})(_fused_log_blocks)
        _FUSED = numba_jit(fastmath={"reassoc", "contract"})(_fused_rows)
    return _FUSED


def _use_fused(X, y, loss):
    """Whether the compiled kernel can run this pass (else the numpy blocks do)."""
    return (KERNEL != "numpy"
            and loss in (SquaredError, LogLoss)
            and X.dtype in (np.float64, np.float32) and X.flags.c_contiguous and X.shape[0] > 0
            and y.dtype == np.float64 and y.ndim == 1 and y.flags.c_contiguous
            and _compiled() is not None)


def in_runs(run, n_blocks, k):
    """``run(lo, hi)`` over contiguous runs of blocks ``[lo, hi)``, one per thread
    (``k`` of them; the compiled kernels release the GIL)."""
    if k <= 1:
        run(0, n_blocks)
        return
    cuts = np.linspace(0, n_blocks, k + 1).round().astype(int)
    list(_pool(k).map(run, cuts[:-1], cuts[1:]))


def _fused_pass(X, y, sw, w, b, loss, blocks, k):
    """The compiled kernel over ``blocks`` on ``k`` threads: (J, grad_w, grad_b, separated)."""
    m, n = X.shape
    starts = np.array([rows.start for rows in blocks], dtype=np.int64)
    stops = np.array([rows.stop for rows in blocks], dtype=np.int64)
    K = len(blocks)
    J, gw, gb, sep = np.zeros(K), np.zeros((K, n)), np.zeros(K), np.ones(K, dtype=bool)
    w = np.ascontiguousarray(w, dtype=np.float64)
    log = loss is LogLoss                                 # which row term the kernel runs
    kernel = _compiled()

    def run(lo, hi):
        if log:                                           # the block kernel (SIMD terms)
            _FUSED_LOG(X, y, sw, w, float(b), starts[lo:hi], stops[lo:hi], J[lo:hi],
                       gw[lo:hi], gb[lo:hi], sep[lo:hi])
        else:
            kernel(X, y, sw, w, float(b), log, starts[lo:hi], stops[lo:hi], J[lo:hi],
                   gw[lo:hi], gb[lo:hi], sep[lo:hi])

    in_runs(run, K, k)
    # Per-block sums added in block order: the result does not depend on k.
    return float(J.sum()) / m, gw.sum(axis=0) / m, float(gb.sum()) / m, bool(log and sep.all())


def loss_grad(X, y, w, b, loss, *, block_rows=None, n_threads=None, sample_weight=None):
    r"""Mean loss and gradient of a linear model, one pass over row blocks.

    Parameters
    ----------
    X : ndarray of shape (m, n)
        float64 or float32; never copied or converted as a whole.
    y : ndarray of shape (m,)
        Targets; 0/1 for the log-loss.
    w : ndarray of shape (n,)
    b : float
    loss : :class:`~descend.losses.SquaredError` or :class:`~descend.losses.LogLoss`
    block_rows : int, optional
        Rows per block; by default a block holds about ``BLOCK_BYTES``.
    n_threads : int, optional
        Threads sharing the blocks; by default every core once ``X`` holds
        at least ``PARALLEL_BYTES``, else one. Each thread walks a contiguous
        run of blocks with BLAS held to one thread, and the per-block terms
        are summed in block order, so the result does not depend on it.
    sample_weight : ndarray of shape (m,), optional
        The weights :math:`s_i`, scaled by the caller to sum to :math:`m`;
        None for :math:`s_i = 1` (the unweighted pass, unchanged).

    Returns
    -------
    J : float
        :math:`\frac1m \sum_i s_i L(z_i, y_i)`.
    grad_w, grad_b
        :math:`X^\top\delta` and :math:`\sum_i \delta_i` for the mean error
        vector :math:`\delta = s \odot (a - y)/m` (see :func:`backward`).
    separated : bool
        For the log-loss: every row of weight above 0 is on its class's side
        of the boundary (:math:`(2y_i - 1) z_i > 0`), a certificate that the
        data are linearly separable. Always False for the squared error.
    """
    m = X.shape[0]
    sw = as_weights(sample_weight, m)
    blocks = list(row_blocks(X, block_rows))
    k = min(_threads(X, n_threads), len(blocks))
    if _use_fused(X, y, loss):
        return _fused_pass(X, y, sw, w, b, loss, blocks, k)
    if k <= 1 and X.nbytes < SERIAL_BLAS_BYTES:
        terms = _pass(X, y, sw, w, b, loss, blocks)
    elif k <= 1:
        # Threaded BLAS does not speed up a memory-bound product of one block,
        # and its spinning threads slow it down a hundredfold on a busy machine.
        with _one_thread_blas():
            terms = _pass(X, y, sw, w, b, loss, blocks)
    else:
        # 1. Give each thread a contiguous run of blocks (rows split evenly).
        cuts = np.linspace(0, len(blocks), k + 1).round().astype(int)
        runs = [blocks[lo:hi] for lo, hi in zip(cuts[:-1], cuts[1:])]
        # 2. Each thread reads its rows once; numpy's BLAS releases the GIL.
        with _one_thread_blas():
            parts = _pool(k).map(lambda run: _pass(X, y, sw, w, b, loss, run), runs)
            terms = [term for part in parts for term in part]
    # 3. Add the per-block sums in block order, and divide by m once.
    total, grad_w, grad_b = 0.0, np.zeros(X.shape[1]), 0.0
    separated = loss.classifies
    for loss_sum, gw, gb, sep in terms:
        total += loss_sum
        grad_w += gw
        grad_b += gb
        separated = separated and sep
    return total / m, grad_w / m, grad_b / m, separated
