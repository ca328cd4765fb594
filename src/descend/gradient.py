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

import numpy as np

__all__ = ["backward", "loss_grad", "column_moments", "row_blocks"]

#: Bytes of ``X`` per block: small enough to stay in a core's cache.
BLOCK_BYTES = 2 * 1024 * 1024


def row_blocks(X, block_rows=None):
    """Yield slices covering the rows of ``X`` in blocks of about BLOCK_BYTES."""
    m = X.shape[0]
    if block_rows is None:
        row_bytes = max(1, X.shape[1]) * X.dtype.itemsize
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


def loss_grad(X, y, w, b, loss, *, backward=backward, block_rows=None):
    r"""Mean loss and gradient of a linear model, one pass over row blocks.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    y : ndarray of shape (m,)
        Targets; 0/1 for the log-loss.
    w : ndarray of shape (n,)
    b : float
    loss : :class:`~descend.losses.SquaredError` or :class:`~descend.losses.LogLoss`
    backward : callable ``(X_block, delta_block) -> (grad_w, grad_b)``
        The mean gradient over one block given its residual; linear in
        ``delta``, so the size-weighted sum over blocks is the mean gradient
        over all rows. An estimator passes its own ``_compute_loss_grad``.

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
    total = 0.0
    grad_w = None
    grad_b = 0.0
    separated = loss.name == "log_loss"
    for rows in row_blocks(X, block_rows):
        X_blk, y_blk = X[rows], y[rows]
        z = X_blk @ w + b                                  # (m_blk,)
        loss_sum, delta = loss.loss_sum_and_delta(z, y_blk)
        gw, gb = backward(X_blk, delta)
        share = (rows.stop - rows.start) / m
        grad_w = share * gw if grad_w is None else grad_w + share * gw
        grad_b += share * gb
        total += loss_sum
        if separated:
            separated = bool(np.all((2.0 * y_blk - 1.0) * z > 0.0))
    return total / m, grad_w, grad_b, separated


def column_moments(X, block_rows=None):
    """Column means and standard deviations in passes over row blocks.

    Unlike ``X.std(axis=0)``, this allocates no temporary of the size of
    ``X``; sums are accumulated in float64 whatever the dtype of ``X``, on
    values divided by each column's largest magnitude, so columns of 1e-200
    or 1e200 neither underflow nor overflow.
    """
    m = X.shape[0]
    big = np.zeros(X.shape[1])
    for rows in row_blocks(X, block_rows):
        np.maximum(big, np.abs(X[rows]).max(axis=0, initial=0.0), out=big)
    big[big == 0] = 1.0
    mean = np.zeros(X.shape[1])
    for rows in row_blocks(X, block_rows):
        mean += (X[rows] / big).sum(axis=0, dtype=np.float64)
    mean /= m
    sq = np.zeros(X.shape[1])
    for rows in row_blocks(X, block_rows):
        centred = X[rows] / big - mean                     # (m_blk, n) float64
        sq += np.einsum("ij,ij->j", centred, centred)
    return mean * big, np.sqrt(sq / m) * big
