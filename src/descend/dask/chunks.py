"""What each Dask chunk computes, in memory, for :class:`descend.dask.cluster.DaskRows`.

Each function takes one chunk of ``X``, its ``y`` (None: measured against 0) and
its weights (None: every row 1), runs the in-memory pass on it, and returns its
sums as one flat vector, so that the chunks' results add in one tree
(:func:`tree`). ``K``, the scores a row has (1, or the softmax's classes), is read
from the intercepts given.
"""

from __future__ import annotations

import numpy as np

from ..gradient import loss_grad
from ..hessian import exact_grad, hessian_bound, loss_grad_hessian
from ..moments import column_moments

#: A chunk reports at most this many labels (more: y holds quantities, not classes).
_MAX_LABELS = 1000
#: Chunks' results added at once at each level of the reduction tree.
FANOUT = 8


def codes(yc, classes):
    """A chunk's labels as the codes 0.0 .. K-1 of their places in ``classes`` (sorted)."""
    return np.searchsorted(classes, yc).astype(np.float64)


def chunk_stats(Xc, yc, swc, classify):
    """One chunk's rows, column mean and std, non-finite counts, missing labels, y
    summary (label counts and weights, or the mean and largest magnitude of y), and its
    weight (the sum of its weights ``swc``; None: its rows) and count of weights below
    0 or not finite."""
    rows, n = Xc.shape
    for what, part in (("y", yc), ("sample_weight", swc)):
        if part is not None and part.shape[0] != rows:
            return ("mismatch", what, rows, part.shape[0])
    weight, trouble = rows, 0
    if swc is not None:
        weight, trouble = float(swc.sum()), int(np.count_nonzero(~np.isfinite(swc) | (swc < 0)))
    mean, std, bad = np.zeros(n), np.zeros(n), np.zeros(n, int)
    if rows and weight:
        mean, std = column_moments(Xc, n_threads=1, sample_weight=swc)
    if rows and not (weight and np.isfinite(mean).all()):   # a NaN or inf makes its mean so
        bad = np.count_nonzero(~np.isfinite(Xc), axis=0)
    if classify:
        import pandas as pd
        counts = pd.Series(yc).value_counts(dropna=True)
        labels = counts if swc is None else pd.Series(swc).groupby(pd.Series(yc)).sum()
        return (rows, mean, std, bad, int(rows - counts.sum()),
                dict(counts.iloc[:_MAX_LABELS].items()), dict(labels.iloc[:_MAX_LABELS].items()),
                weight, trouble)
    yf = np.asarray(yc, dtype=np.float64)
    ok = np.isfinite(yf)
    absmax = float(np.abs(yf[ok]).max()) if ok.any() else 0.0
    s, y_mean = None if swc is None else swc[ok], 0.0
    if absmax and (s is None or s.sum() > 0):
        # The chunk's mean, taken in units of its largest |y| so that no sum overflows.
        y_mean = float(np.average(yf[ok] / absmax, weights=s)) * absmax
    return rows, mean, std, bad, int(rows - ok.sum()), y_mean, absmax, weight, trouble


def chunk_terms(Xc, yc, swc, w, b, loss, frame=None):
    """One chunk's ``[loss sum, gradient sum (n K), intercept sums (K), rows, not
    separated]`` (K scores a row: 1, or the classes of the softmax), and with ``frame =
    (shift, scale)`` its Hessian sum (((n+1) K)^2) from one curvature pass."""
    rows, n = Xc.shape
    K = np.size(b)
    out = np.zeros((n + 1) * K + 3 + (0 if frame is None else ((n + 1) * K) ** 2))
    if rows:
        y = np.zeros(rows) if yc is None else yc
        if frame is None:
            run = getattr(loss, "grad_pass", None)
            J, gw, gb, separated = (
                run(Xc, y, w, b, sample_weight=swc, n_threads=1) if run else
                loss_grad(Xc, y, w, b, loss, n_threads=1, sample_weight=swc))
        else:
            run = getattr(loss, "hessian_pass", None)
            J, gw, gb, H, separated = (
                run(Xc, y, w, b, *frame, sample_weight=swc, n_threads=1) if run else
                loss_grad_hessian(Xc, y, w, b, loss, *frame, n_threads=1, sample_weight=swc))
            out[(n + 1) * K + 3:] = (H * rows).ravel()
        out[0], out[1:(n + 1) * K + 1] = J * rows, np.append(gw, gb) * rows
        out[(n + 1) * K + 2] = 0.0 if separated else 1.0
    out[(n + 1) * K + 1] = rows
    return out


def unpack(total, n, K):
    """``(J, grad_w, grad_b, separated, rest)`` from summed :func:`chunk_terms`, the sums
    divided by the rows; ``grad_w`` (n,) or (n, K)."""
    m = total[(n + 1) * K + 1]
    g = total[1:(n + 1) * K + 1] / m
    gw, gb = (g[:n], g[n]) if K == 1 else (g[:n * K].reshape(n, K), g[n * K:])
    return total[0] / m, gw, gb, not total[(n + 1) * K + 2], total[(n + 1) * K + 3:] / m


def chunk_bound(Xc, yc, swc, w, b, loss, shift, scale, every):
    """One chunk's ``[rows (weight) read, rows, Hessian sum over the rows read ((n+1)^2)]``."""
    rows, n = Xc.shape
    out = np.zeros(2 + ((n + 1) * np.size(b)) ** 2)
    if rows:
        run = getattr(loss, "bound_pass", None)
        H, share = (run(Xc, yc, w, b, shift, scale, every, sample_weight=swc, n_threads=1)
                    if run else
                    hessian_bound(Xc, yc, w, b, loss, shift, scale, every, n_threads=1,
                                  sample_weight=swc))
        out[0], out[2:] = share * rows, (H * rows).ravel()
    out[1] = rows
    return out


def chunk_exact(Xc, yc, swc, w, b, shift):
    """One chunk's ``[half squares, centred gradient sum (n), residual sum, rows]`` with
    exact residuals."""
    rows, n = Xc.shape
    out = np.zeros(n + 3)
    if rows:
        J, gc, gb = exact_grad(np.ascontiguousarray(Xc), np.ascontiguousarray(yc), w, b,
                               shift, n_threads=1, sample_weight=swc)
        out[0], out[1:n + 1], out[n + 1] = J * rows, gc * rows, gb * rows
    out[n + 2] = rows
    return out


def chunk_scatter(Xc, yc, swc):
    """One chunk's rows (weight), column means and centred scatter matrix (n, n), each
    row's term times its weight in ``swc`` (None: 1); ``yc`` is not read."""
    Xc = np.asarray(Xc, dtype=np.float64)
    weight = Xc.shape[0] if swc is None else float(swc.sum())
    if not weight:
        return 0, None, None                              # left out of the merge
    mean = Xc.mean(axis=0) if swc is None else (swc @ Xc) / weight
    centred = Xc - mean
    return weight, mean, centred.T @ (centred if swc is None else swc[:, None] * centred)


def add(*parts):
    return sum(parts[1:], parts[0])


def tree(parts, combine=add):
    from dask import delayed
    while len(parts) > 1:
        parts = [delayed(combine, pure=True)(*parts[i:i + FANOUT])
                 for i in range(0, len(parts), FANOUT)]
    return parts[0]


#: Up to this many features the squared error's Hessian for the power
#: iteration is built in one pass; beyond, each product is a pass.
