r"""The one loss-and-gradient pass over the data, shared by both models.

For :math:`z = Xw + b`, prediction :math:`a = g(z)` and residual
:math:`\delta = a - y`, the chain rule gives for *both* losses

.. math::
    \nabla_w J = \frac{1}{m} X^\top \delta, \qquad
    \frac{\partial J}{\partial b} = \frac{1}{m}\sum_i \delta_i .

:func:`loss_grad` computes the loss and this gradient by walking over blocks
of rows of ``X``: for each block it forms ``z``, the residual and the block's
partial gradient while the block is still in cache, and sums the partial
results weighted by block size. Nothing of the size of ``X`` is allocated,
and ``X`` is never copied or converted as a whole (a float32 block is widened
to float64 one block at a time). A faster kernel, or Dask chunks, replace the
loop in this one function without touching the estimators.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["backward", "loss_grad", "column_moments", "row_blocks"]

#: Bytes of ``X`` per block: small enough to stay in a core's cache.
BLOCK_BYTES = 1024 * 1024
#: An ``X`` at least this large is shared among all cores.
PARALLEL_BYTES = 8 * 1024 * 1024
#: Above this size even a one-thread pass holds BLAS to one thread.
SERIAL_BLAS_BYTES = 1024 * 1024

_POOL = None        # the ThreadPoolExecutor, made on first use
_BLAS = None        # threadpoolctl's controller, made on first use


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
    r"""The material's gradient from a residual: :math:`(X^\top\delta/m,\ \bar\delta)`.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    delta : ndarray of shape (m,)
        :math:`\hat y - y` for the rows of ``X``.
    """
    m = delta.shape[0]
    return (X.T @ delta) / m, float(delta.mean())


def _workers(X, n_threads):
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


def _pass(X, y, w, b, loss, backward, blocks):
    """Per-block terms ``(rows, loss_sum, grad_w, grad_b, separated)`` for ``blocks``."""
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
        gw, gb = backward(X_blk, delta)
        sep = loss.name == "log_loss" and bool(np.all((2.0 * y_blk - 1.0) * z > 0.0))
        out.append((rows, loss_sum, gw, gb, sep))
    return out


def loss_grad(X, y, w, b, loss, *, backward=backward, block_rows=None, n_threads=None):
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
    backward : callable ``(X_block, delta_block) -> (grad_w, grad_b)``
        The mean gradient over one block given its residual; linear in
        ``delta``, so the size-weighted sum over blocks is the mean gradient
        over all rows. An estimator passes its own ``_compute_loss_grad``.
        It may be called from several threads at once.
    block_rows : int, optional
        Rows per block; by default a block holds about ``BLOCK_BYTES``.
    n_threads : int, optional
        Threads sharing the blocks; by default every core once ``X`` holds
        at least ``PARALLEL_BYTES``, else one. Each thread walks a contiguous
        run of blocks with BLAS held to one thread, and the per-block terms
        are summed in block order, so the result does not depend on it.

    Returns
    -------
    J : float
        :math:`\frac1m \sum_i L(z_i, y_i)`.
    grad_w, grad_b
        As returned by ``backward``, averaged over all rows.
    separated : bool
        For the log-loss: every row is on its class's side of the boundary
        (:math:`(2y_i - 1) z_i > 0`), a certificate that the data are
        linearly separable. Always False for the squared error.
    """
    m = X.shape[0]
    blocks = list(row_blocks(X, block_rows))
    k = min(_workers(X, n_threads), len(blocks))
    if k <= 1 and X.nbytes < SERIAL_BLAS_BYTES:
        terms = _pass(X, y, w, b, loss, backward, blocks)
    elif k <= 1:
        # Threaded BLAS does not speed up a memory-bound product of one block,
        # and its spinning threads slow it down a hundredfold on a busy machine.
        with _one_thread_blas():
            terms = _pass(X, y, w, b, loss, backward, blocks)
    else:
        # 1. Give each thread a contiguous run of blocks (rows split evenly).
        cuts = np.linspace(0, len(blocks), k + 1).round().astype(int)
        runs = [blocks[lo:hi] for lo, hi in zip(cuts[:-1], cuts[1:])]
        # 2. Each thread reads its rows once; numpy's BLAS releases the GIL.
        with _one_thread_blas():
            parts = _pool(k).map(lambda run: _pass(X, y, w, b, loss, backward, run), runs)
            terms = [term for part in parts for term in part]
    # 3. Sum the per-block terms in block order, weighted by block size.
    total, grad_w, grad_b = 0.0, None, 0.0
    separated = loss.name == "log_loss"
    for rows, loss_sum, gw, gb, sep in terms:
        share = (rows.stop - rows.start) / m
        grad_w = share * gw if grad_w is None else grad_w + share * gw
        grad_b += share * gb
        total += loss_sum
        separated = separated and sep
    return total / m, grad_w, grad_b, separated


def column_moments(X, block_rows=None):
    """Column means and standard deviations in two passes over row blocks.

    Unlike ``X.std(axis=0)``, this allocates no temporary of the size of
    ``X``; sums are accumulated in float64 whatever the dtype of ``X``. The
    mean sums ``x`` less the first row, so a constant column's mean is
    exactly its value and its deviation exactly 0. Columns whose squared
    deviations would overflow or underflow (standard deviations beyond
    1e±140, or exactly 0) are summed once more relative to their largest
    deviation, as a scaled 2-norm does, so columns of 1e-200 or 1e200 come
    out right. A column whose deviations exceed the float range gets an
    infinite or NaN standard deviation; callers check.
    """
    m, n = X.shape
    if block_rows is None:          # one small float64 scratch block, reused
        block_rows = max(64, (BLOCK_BYTES // 2) // (8 * max(1, n)))
    scratch = np.empty((min(block_rows, m), n))
    shift = X[0].astype(np.float64)            # mean = shift + mean(x - shift): exact for a
    total, sq = np.zeros(n), np.zeros(n)       # constant column, and fewer digits lost
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for rows in row_blocks(X, block_rows):             # 1. the mean
            blk = scratch[: rows.stop - rows.start]
            np.subtract(X[rows], shift, out=blk)
            total += blk.sum(axis=0)
        mean = shift + total / m
        for rows in row_blocks(X, block_rows):             # 2. the spread
            centred = scratch[: rows.stop - rows.start]    # (m_blk, n) float64
            np.subtract(X[rows], mean, out=centred)
            sq += np.einsum("ij,ij->j", centred, centred)
        std = np.sqrt(sq / m)
        extreme = np.flatnonzero(~((std > 1e-140) & (std < 1e140)))
        if extreme.size:
            std[extreme] = _scaled_std(X, mean, extreme, block_rows)
    return mean, std


def _scaled_std(X, mean, cols, block_rows):
    """Standard deviations of columns ``cols``, summing squares relative to the
    largest deviation seen so far (rescaled when a larger one comes)."""
    big, sq = np.zeros(cols.size), np.zeros(cols.size)    # sum of squares = big^2 * sq
    for rows in row_blocks(X, block_rows):
        centred = X[rows][:, cols] - mean[cols]            # (m_blk, k) float64
        top = np.abs(centred).max(axis=0)
        grow = top > big
        sq[grow] *= (big[grow] / top[grow]) ** 2
        big[grow] = top[grow]
        centred /= np.where(big > 0, big, 1.0)
        sq += np.einsum("ij,ij->j", centred, centred)
    return np.sqrt(sq / X.shape[0]) * big
