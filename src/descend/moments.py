r"""Column means and standard deviations in one pass over ``X``: :func:`column_moments`.

Standardization needs, per column, the mean :math:`\mu` and the standard
deviation :math:`s`. Reading ``X`` twice (once for :math:`\mu`, once for
:math:`\sum (x - \mu)^2`) costs two passes over memory. Here each block of
rows gives its count :math:`r_b`, mean :math:`\mu_b` and deviation
:math:`s_b` while it is in cache (two sweeps of the block, one read of
memory), and the blocks are merged as a parallel variance is:

.. math::
    \mu = \sum_b \tfrac{r_b}{m}\mu_b, \qquad
    s^2 = \sum_b \tfrac{r_b}{m}\left(s_b^2 + (\mu_b - \mu)^2\right).

With sample weights :math:`s_i` the moments are the weighted ones,
:math:`\mu = \sum_i s_i x_i / \sum_i s_i` and
:math:`\sigma^2 = \sum_i s_i (x_i - \mu)^2 / \sum_i s_i`, and a block's
weight :math:`\sum_{i \in b} s_i` takes the place of its count :math:`r_b`.
A row of weight 0 adds exactly nothing, however large its (finite) values.

:func:`merge_moments` also merges the chunks of Dask data
(:mod:`descend.dask.cluster`).
"""

from __future__ import annotations

import numpy as np

from . import gradient
from .gradient import BLOCK_BYTES, _threads, as_weights, in_runs, numba_jit, row_blocks

__all__ = ["column_moments", "merge_moments"]

_KERNEL = None      # _block_moments compiled, made on first use


def _block_moments(X, sw, starts, stops, weights, means, stds):
    """Weight, mean and deviation of each block of rows ``starts[k]:stops[k]`` (numba or
    Python); ``sw`` the rows' weights, or None (each row weighs 1).

    Sums run in float64 whatever the dtype of ``X``, less the block's first
    row (of weight above 0), so a constant column has exactly its value as mean
    and 0 as deviation. A weighted term is ``(s * d) * d``: 0 for a row of
    weight 0 whatever its ``d``. A block of weight 0 gets weight 0 and, as mean
    and deviation, 0 times its column sums (NaN where the block is not finite).
    """
    n = X.shape[1]
    first, total = np.empty(n), np.empty(n)                # local, so the loops vectorize
    for k in range(starts.shape[0]):
        lo, hi = starts[k], stops[k]
        weight, f = hi - lo, lo
        if sw is not None:                                 # the block's weight, first row
            weight = 0.0
            for i in range(lo, hi):
                weight += sw[i]
            while f < hi - 1 and sw[f] == 0.0:
                f += 1
        weights[k] = weight
        for j in range(n):
            first[j] = X[f, j]
            total[j] = 0.0
        for i in range(lo, hi):                            # 1. the mean
            x = X[i]
            if sw is None:
                for j in range(n):
                    total[j] += x[j] - first[j]
            else:
                s = sw[i]
                for j in range(n):
                    total[j] += s * (x[j] - first[j])
        if weight == 0.0:                                  # a block of weight 0: no moments
            for j in range(n):
                means[k, j] = stds[k, j] = total[j]
            continue
        for j in range(n):
            first[j] += total[j] / weight                  # now the block's mean
            total[j] = 0.0
        for i in range(lo, hi):                            # 2. the spread, block in cache
            x = X[i]
            if sw is None:
                for j in range(n):
                    d = x[j] - first[j]
                    total[j] += d * d
            else:
                s = sw[i]
                for j in range(n):
                    d = x[j] - first[j]
                    total[j] += (s * d) * d
        for j in range(n):
            means[k, j] = first[j]
            stds[k, j] = np.sqrt(total[j] / weight)


def _numpy_block_moments(X, sw, starts, stops, weights, means, stds):
    """:func:`_block_moments` with numpy, one block at a time."""
    for k in range(starts.shape[0]):
        blk = X[starts[k]:stops[k]]
        s = None if sw is None else sw[starts[k]:stops[k]]       # (r_b,)
        weights[k] = blk.shape[0] if s is None else float(s.sum())
        first = blk[0 if s is None else int(np.argmax(s > 0))].astype(np.float64)
        centred = np.subtract(blk, first, dtype=np.float64)   # (r_b, n), cache-sized
        if s is None:
            means[k] = first + centred.sum(axis=0) / blk.shape[0]
            np.subtract(blk, means[k], out=centred)
            stds[k] = np.sqrt(np.einsum("ij,ij->j", centred, centred) / blk.shape[0])
        elif weights[k] == 0.0:                                # a block of weight 0
            means[k] = stds[k] = s @ centred
        else:
            means[k] = first + (s @ centred) / weights[k]
            np.subtract(blk, means[k], out=centred)
            stds[k] = np.sqrt(np.einsum("ij,ij->j", s[:, None] * centred, centred) / weights[k])


def _kernel():
    global _KERNEL
    if gradient.KERNEL == "numpy":
        return _numpy_block_moments
    if _KERNEL is None:
        jit = numba_jit()
        _KERNEL = _numpy_block_moments if jit is None else jit(_block_moments)
    return _KERNEL


def merge_moments(rows, means, stds):
    """Column mean and deviation of all rows from each part's ``(rows, mean, std)``,
    ``rows`` the parts' row counts or, for weighted rows, their weights (parts of
    weight 0 are left out).

    The mean is shifted by the first part's, so a constant column comes out
    exactly; the squares are summed relative to the largest term, so no
    column of 1e±200 overflows or underflows here.
    """
    keep = rows > 0
    rows, means, stds = rows[keep], means[keep], stds[keep]
    share = rows / rows.sum()
    with np.errstate(over="ignore", invalid="ignore"):
        mean = means[0] + share @ (means - means[0])
        dev = means - mean
        big = np.maximum(np.abs(dev).max(axis=0), stds.max(axis=0))
        unit = np.where(big > 0, big, 1.0)
        std = big * np.sqrt(share @ ((stds / unit) ** 2 + (dev / unit) ** 2))
    return mean, std


def column_moments(X, block_rows=None, n_threads=None, sample_weight=None):
    """Column means and standard deviations of ``X`` in one pass over row blocks;
    with ``sample_weight`` (m,), the weighted ones (see the module's text).

    Unlike ``X.std(axis=0)``, this allocates no temporary of the size of
    ``X``; sums are accumulated in float64 whatever the dtype of ``X``. A
    constant column's mean is exactly its value and its deviation exactly 0.
    Columns whose squared deviations overflow or underflow (standard
    deviations beyond 1e±140, or exactly 0) are summed once more relative to
    their largest deviation, as a scaled 2-norm does, so columns of 1e-200 or
    1e200 come out right. A column whose deviations exceed the float range
    gets an infinite or NaN standard deviation; callers check. So does a
    non-finite value in a row of weight 0.
    """
    m, n = X.shape
    sw = as_weights(sample_weight, m)
    blocks = list(row_blocks(X, block_rows))
    starts = np.array([b.start for b in blocks], dtype=np.int64)
    stops = np.array([b.stop for b in blocks], dtype=np.int64)
    weights = np.empty(len(blocks))
    means, stds = np.empty((len(blocks), n)), np.empty((len(blocks), n))
    kernel = _kernel() if X.flags.c_contiguous else _numpy_block_moments

    def run(lo, hi):
        kernel(X, sw, starts[lo:hi], stops[lo:hi], weights[lo:hi], means[lo:hi], stds[lo:hi])

    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        in_runs(run, len(blocks), min(_threads(X, n_threads), len(blocks)))
        if sw is None:
            mean, std = merge_moments(stops - starts, means, stds)
        else:
            mean, std = merge_moments(weights, means, stds)
            mean += means[weights == 0].sum(axis=0)         # 0, or NaN: a block not finite
        extreme = np.flatnonzero(~((std > 1e-140) & (std < 1e140)))
        if extreme.size:
            std[extreme] = _scaled_std(X, mean, extreme, block_rows, sw)
    return mean, std


def _scaled_std(X, mean, cols, block_rows, sw=None):
    """Standard deviations of columns ``cols``, summing squares relative to the
    largest deviation seen so far (rescaled when a larger one comes); with weights
    ``sw``, over the rows of weight above 0, each square times its weight."""
    big, sq = np.zeros(cols.size), np.zeros(cols.size)    # sum of squares = big^2 * sq
    for rows in row_blocks(X, block_rows or max(64, BLOCK_BYTES // (16 * max(1, X.shape[1])))):
        centred = X[rows][:, cols] - mean[cols]            # (m_blk, k) float64
        if sw is not None:
            keep = sw[rows] > 0
            centred, s = centred[keep], sw[rows][keep]
        top = np.abs(centred).max(axis=0, initial=0.0)
        grow = top > big
        sq[grow] *= (big[grow] / top[grow]) ** 2
        big[grow] = top[grow]
        centred /= np.where(big > 0, big, 1.0)
        sq += np.einsum("ij,ij->j", centred if sw is None else s[:, None] * centred, centred)
    return np.sqrt(sq / (X.shape[0] if sw is None else float(sw.sum()))) * big
