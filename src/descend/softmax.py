r"""Multinomial (softmax) regression: the log-loss of K classes, and its passes.

With K classes the model keeps one weight vector per class, :math:`W` of shape
(n, K) in the descent (``coef_`` is its transpose), and the scores
:math:`Z = XW + b` (m, K) become probabilities through the softmax

.. math::
    \hat y_{ik} = \frac{e^{z_{ik}}}{\sum_l e^{z_{il}}}.

The loss is the cross-entropy, the negative log-likelihood of the true class,
:math:`L_i = \log\sum_l e^{z_{il}} - z_{i y_i}`, and its derivative in the scores
is once more the residual

.. math::
    \frac{\partial L_i}{\partial z_{ik}} = \hat y_{ik} - Y_{ik} = \delta_{ik},
    \qquad Y \text{ one-hot},

so the gradient is the material's :math:`\nabla_W J = X^\top\delta/m`,
:math:`\nabla_b J = \sum_i \delta_i/m`, a column per class. With K = 2 this is
the sigmoid model written twice (:math:`z_1 - z_0` is its score), which is why
two classes keep :class:`~descend.losses.LogLoss`.

The second derivative of a row's loss in its scores is
:math:`\operatorname{diag}(\hat y_i) - \hat y_i \hat y_i^\top`, whose largest
eigenvalue is at most 1/2 (``curvature``). It is singular along
:math:`(1, \dots, 1)`: adding one number to every class's score changes no
probability. :class:`~descend.objective.Objective` makes that direction
harmless for Newton's method.

The passes walk the same cache-sized blocks of rows as
:mod:`descend.gradient` and :mod:`descend.hessian`, with numpy: :func:`loss_grad`
and :func:`loss_grad_hessian`, the Hessian laid out as theta is, an
(n + 1, K) grid of weights read row by row.
"""

from __future__ import annotations

import numpy as np

from .gradient import _one_thread_blas, _threads, in_runs, row_blocks

__all__ = ["Softmax", "softmax", "loss_grad", "loss_grad_hessian", "hessian_bound"]


def softmax(Z):
    """Rows of ``Z`` (m, K) turned into probabilities, without overflow."""
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    E /= E.sum(axis=1, keepdims=True)
    return E


def _terms(z, y, sw):
    """``(loss_sum, delta, p)`` of a block: scores ``z`` (r, K), class codes ``y`` (r,),
    weights ``sw`` (r,) or None; ``delta`` (r, K) weighted, ``p`` the probabilities."""
    r = np.arange(z.shape[0])
    codes = y.astype(np.intp)
    top = z.max(axis=1)                                  # (r,)
    p = np.exp(z - top[:, None])                         # (r, K)
    total = p.sum(axis=1)
    terms = top + np.log(total) - z[r, codes]            # log-sum-exp minus the true score
    p /= total[:, None]
    delta = p.copy()
    delta[r, codes] -= 1.0
    if sw is not None:
        terms *= sw
        delta *= sw[:, None]
    return float(terms.sum()), delta, p


class Softmax:
    """The multinomial model's pairing: softmax link, cross-entropy of K classes.

    Targets are class codes 0..K-1 (float64); see
    :class:`~descend.losses.SquaredError` for what each attribute means.
    """

    name = "multinomial_log_loss"
    kind = "multinomial"
    title = "cross-entropy"
    curvature = 0.5
    curvature_constant = False
    classifies = True

    @staticmethod
    def link(z):
        return softmax(z)

    @staticmethod
    def start(shares):
        """The best constant scores: the log of each class's share, centred (the
        probabilities are the shares), kept finite."""
        logs = np.log(np.clip(np.asarray(shares, dtype=float), 1e-12, None))
        return logs - logs.mean()

    @staticmethod
    def grad_pass(X, y, w, b, sample_weight=None, **_):
        return loss_grad(X, y, w, b, sample_weight)

    @staticmethod
    def hessian_pass(X, y, w, b, shift, scale, sample_weight=None, **_):
        return loss_grad_hessian(X, y, w, b, shift, scale, sample_weight)

    @staticmethod
    def bound_pass(X, y, w, b, shift, scale, every, sample_weight=None, **_):
        return hessian_bound(X, y, w, b, shift, scale, every, sample_weight)


def _separated(z, y, sw):
    """Whether each row (of weight above zero) scores its own class strictly highest."""
    codes = y.astype(np.intp)
    r = np.arange(z.shape[0])
    own = z[r, codes]
    rest = z.copy()
    rest[r, codes] = -np.inf
    ok = own > rest.max(axis=1)
    if sw is not None:
        ok |= sw == 0
    return bool(np.all(ok))


def _block(X, rows, buf):
    blk = X[rows]
    if blk.dtype != np.float64:                          # float32 widened per block
        blk = np.copyto(buf[: rows.stop - rows.start], blk) or buf[: rows.stop - rows.start]
    return blk


def _run(X, y, w, b, sw, blocks, each, n_threads):
    """``each(k, X_blk, y_blk, sw_blk, z, run)`` over ``blocks`` (on all cores for a large
    X); ``run``, the first block of the thread's run, tells the threads' sums apart."""
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    k_threads = min(_threads(X, n_threads), len(blocks))

    def run(lo, hi):
        buf = np.empty((blocks[0].stop - blocks[0].start, X.shape[1])) \
            if X.dtype != np.float64 else None
        for k in range(lo, hi):
            rows = blocks[k]
            X_blk = _block(X, rows, buf)
            z = X_blk @ w                                # (r, K)
            z += b
            each(k, X_blk, y[rows], None if sw is None else sw[rows], z, lo)

    with _one_thread_blas():
        in_runs(run, len(blocks), max(k_threads, 1))


def loss_grad(X, y, w, b, sample_weight=None, *, block_rows=None, n_threads=None):
    r"""``(J, grad_w, grad_b, separated)`` of the mean cross-entropy, one pass.

    ``w`` (n, K), ``b`` (K,); ``grad_w`` :math:`X^\top\delta/m` (n, K), ``grad_b``
    :math:`\sum_i \delta_i/m` (K,); ``separated``: every row of weight above zero
    scores its own class strictly highest (no finite optimum without a penalty).
    """
    m = X.shape[0]
    blocks = list(row_blocks(X, block_rows))
    K = len(blocks)
    J, gw = np.zeros(K), np.zeros((K, X.shape[1], np.shape(b)[0]))
    gb, sep = np.zeros((K, np.shape(b)[0])), np.ones(K, dtype=bool)

    def each(k, X_blk, y_blk, sw_blk, z, run):
        J[k], delta, _ = _terms(z, y_blk, sw_blk)
        gw[k] = X_blk.T @ delta
        gb[k] = delta.sum(axis=0)
        sep[k] = _separated(z, y_blk, sw_blk)

    _run(X, y, w, b, sample_weight, blocks, each, n_threads)
    return float(J.sum()) / m, gw.sum(axis=0) / m, gb.sum(axis=0) / m, bool(sep.all())


def _hessian_terms(Zt, p, sw, H):
    r"""Add a block's :math:`[Z, 1]^\top (\operatorname{diag}(p_k)\delta_{kl} - p_k p_l)
    [Z, 1]` for each pair of classes into ``H`` (n + 1, K, n + 1, K)."""
    K = p.shape[1]
    weighted = p if sw is None else p * sw[:, None]      # (r, K)
    for k in range(K):
        for l in range(k, K):
            h = -weighted[:, k] * p[:, l]
            if k == l:
                h += weighted[:, k]
            block = Zt.T @ (Zt * h[:, None])             # (n + 1, n + 1)
            H[:, k, :, l] += block
            if l != k:
                H[:, l, :, k] += block.T


def _curvature(X, y, w, b, shift, scale, sw, blocks, n_threads):
    """Summed ``(J, gw, gb, H, separated)`` of ``blocks``; ``H`` laid out (n+1, K, n+1, K)."""
    n, K = X.shape[1], np.shape(b)[0]
    shift, scale = np.asarray(shift, dtype=float), np.asarray(scale, dtype=float)
    nb = len(blocks)
    J, gw, gb, sep = np.zeros(nb), np.zeros((nb, n, K)), np.zeros((nb, K)), np.ones(nb, bool)
    parts = {}                                           # a Hessian sum per thread's run

    def each(k, X_blk, y_blk, sw_blk, z, run):
        J[k], delta, p = _terms(z, y_blk, sw_blk)
        gw[k] = X_blk.T @ delta
        gb[k] = delta.sum(axis=0)
        sep[k] = _separated(z, y_blk, sw_blk)
        Zt = np.empty((X_blk.shape[0], n + 1))
        np.subtract(X_blk, shift, out=Zt[:, :n])
        Zt[:, :n] /= scale                               # standardized before any product
        Zt[:, n] = 1.0
        _hessian_terms(Zt, p, sw_blk, parts.setdefault(run, np.zeros((n + 1, K, n + 1, K))))

    _run(X, y, w, b, sw, blocks, each, n_threads)
    # Added in the runs' order, whichever thread finished first: the same H every time.
    H = sum((parts[run] for run in sorted(parts)), np.zeros((n + 1, K, n + 1, K)))
    H = H.reshape((n + 1) * K, (n + 1) * K)
    return float(J.sum()), gw.sum(axis=0), gb.sum(axis=0), H, bool(sep.all())


def loss_grad_hessian(X, y, w, b, shift, scale, sample_weight=None, *, block_rows=None,
                      n_threads=None):
    r"""``(J, grad_w, grad_b, H, separated)`` in one pass: :func:`loss_grad` and the
    Hessian of the mean loss in the standardized coordinates
    :math:`[(X - \text{shift})/\text{scale}, 1]`, of size (n + 1) K laid out as theta."""
    m = X.shape[0]
    J, gw, gb, H, sep = _curvature(X, y, w, b, shift, scale, sample_weight,
                                   list(row_blocks(X, block_rows)), n_threads)
    return J / m, gw / m, gb / m, H / m, sep


def hessian_bound(X, y, w, b, shift, scale, every, sample_weight=None, *, block_rows=None,
                  n_threads=None):
    """``(H_S, share)``: the Hessian from every ``every``-th block of rows, divided by all
    ``m`` (a lower bound on it), as :func:`descend.hessian.hessian_bound`."""
    m = X.shape[0]
    blocks = list(row_blocks(X, block_rows))[::max(1, int(every))]
    _, _, _, H, _ = _curvature(X, y, w, b, shift, scale, sample_weight, blocks, n_threads)
    return H / m, sum(rows.stop - rows.start for rows in blocks) / m
