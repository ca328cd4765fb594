r"""Fitting on Dask: the same estimators on data spread over a cluster.

When ``fit`` is given a dask array or DataFrame, the data stay where they
are. Each evaluation of the loss and gradient is one distributed pass: every
chunk of rows runs :func:`descend.gradient.loss_grad` on its own rows (the
same code as in memory) and returns ``n + 4`` numbers: its loss sum, gradient
sum, row count and whether it is separated. Dask adds these small vectors in
a tree. Only the weights travel to the chunks. For Newton's method each chunk
also returns its ``(n+1)^2`` share of the Hessian, reduced in the same tree:
one pass per iteration. The standardization statistics
also come from one pass: each chunk's count (or weight), mean and spread,
merged as a parallel variance is. That pass also sums the sample weights, which
from then on are scaled to sum to :math:`m`, each chunk's share passed on.

With a ``distributed.Client``, data that fit in half the workers' memory are
persisted on the workers once; larger data are read from their source (Parquet,
Zarr, CSV) on every pass. A worker lost in the middle of a fit costs only the
recomputation of its chunks. A lost scheduler raises
:class:`~descend.errors.DescendError` instead of hanging.

dask and distributed are optional (``pip install "descend[dask]"``). Nothing
here imports them until Dask data arrive.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter

import numpy as np

from ..errors import DescendError
from ..moments import merge_moments
from .chunks import (chunk_bound, chunk_exact, chunk_scatter, chunk_stats, chunk_terms, codes,
                     tree, unpack)
from .inputs import as_dask_matrix, as_dask_target, as_dask_weights, refuse_bad_chunks

__all__ = ["DaskRows"]

#: Persist the data on the workers when they take at most this share of the
#: workers' total memory limit; beyond it, every pass reads them from source.
PERSIST_SHARE = 0.5
#: Seconds between checks that the scheduler is still there.
POLL_S = 0.5
#: A client that has lost its scheduler for this long gives up.
LOST_S = 10.0


def _client():
    """The default ``distributed.Client``, or None (Dask's local scheduler)."""
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client
    try:
        return default_client()
    except ValueError:
        return None


HESSIAN_MAX = 2000


# ------------------------------------------------------------------ data
class DaskRows:
    """A fit's view of Dask data: chunk-aligned ``X``, ``y`` and ``sample_weight`` (None, or
    a dask array scaled to sum to ``m``), and their one-pass summary.

    Made by :meth:`prepare`; the estimators call :meth:`loss_grad` once per
    evaluation of the objective, with the same contract as
    :func:`descend.gradient.loss_grad`.
    """

    def __init__(self, X, y, header, client, sample_weight=None):
        self.X, self.y, self.header, self.client = X, y, header, client
        self.sample_weight = sample_weight  # None, or (m,) in X's row chunks, then summing to m
        self.persisted = False
        self._parts()

    def _parts(self):
        self._x_parts = list(self.X.to_delayed().ravel())
        self._y_parts = list(self.y.to_delayed().ravel())
        sw = self.sample_weight
        self._w_parts = [None] * len(self._x_parts) if sw is None else list(sw.to_delayed().ravel())

    @classmethod
    def prepare(cls, X, y, who, classify, sample_weight=None):
        """Check and align ``X``, ``y`` and the weights, persist them if they fit, and
        summarize them in one pass."""
        X, header = as_dask_matrix(X, who)
        X, y = as_dask_target(y, X, who, classify)
        if sample_weight is not None:
            X, y, sample_weight = as_dask_weights(sample_weight, X, y, who)
        self = cls(X, y, header, _client(), sample_weight)
        size = X.shape[0] * X.shape[1] * X.dtype.itemsize
        if np.isfinite(size):
            self._persist(size)
        self._summarize(who, classify)
        if not self.persisted:
            self._persist(self.m * self.n * X.dtype.itemsize)
        return self

    # -- where the data live
    def _persist(self, size):
        if self.client is None or self.persisted:
            return
        limit = _memory_limit(self.client)
        if limit and size > PERSIST_SHARE * limit:
            return                      # larger than memory: read from source on every pass
        sw = [] if self.sample_weight is None else [self.sample_weight]
        self.X, self.y, *sw = self.client.persist([self.X, self.y, *sw])
        self.sample_weight = sw[0] if sw else None
        self._parts()
        self.persisted = True

    def moments(self):
        """The column means and standard deviations, from the summarizing pass."""
        return self.mean, self.std

    def encode(self, positive):
        """The labels as 0.0/1.0 chunk by chunk, 1.0 for ``positive``."""
        self.replace_target(self.y.map_blocks(np.equal, positive, dtype=bool).astype(np.float64))
        self.y_mean = self.label_weights[positive] / self.weight_sum

    def encode_classes(self, classes):
        """The labels as the codes 0.0 .. K-1 of their places in ``classes``, chunk by chunk."""
        self.replace_target(self.y.map_blocks(codes, classes, dtype=np.float64))

    def shares(self, K):
        """Each class code's share of the (weighted) rows, (K,), from the summarizing pass."""
        return np.array([self.label_weights[c] for c in self.labels]) / self.weight_sum

    def divide_target(self, s):
        self.replace_target(self.y / s)

    def replace_target(self, y):
        """Use ``y`` (a dask array with the chunks of ``y``) as the target from now on."""
        if self.persisted:
            y = self.client.persist(y)
        self.y = y
        self._y_parts = list(y.to_delayed().ravel())

    def _chunks(self, chunk, *args, target=True):
        """``chunk(xc, yc, swc, *args)`` on every chunk, delayed; ``yc`` None without
        ``target`` (measured against y = 0), ``swc`` None without weights."""
        from dask import delayed
        y_parts = self._y_parts if target else [None] * len(self._x_parts)
        return [delayed(chunk, pure=True)(xc, yc, swc, *args)
                for xc, yc, swc in zip(self._x_parts, y_parts, self._w_parts)]

    # -- the one summarizing pass
    def _summarize(self, who, classify):
        from dask import delayed
        stats = self.compute(delayed(list, pure=True)(self._chunks(chunk_stats, classify)),
                             "reading the data")
        refuse_bad_chunks(stats, who, self.names)
        rows = np.array([s[0] for s in stats], dtype=np.int64)
        self.m, self.n = int(rows.sum()), int(self.X.shape[1])
        self.rows, self.weight_sum, weights = rows, self.m, rows
        if self.sample_weight is not None:          # from now on scaled to sum to m
            weights = np.array([s[7] for s in stats], dtype=np.float64)
            self.weight_sum = float(weights.sum())
            sw = self.sample_weight * (self.m / self.weight_sum)
            self.sample_weight = self.client.persist(sw) if self.persisted else sw
            self._parts()
        self.mean, self.std = merge_moments(weights, np.array([s[1] for s in stats]),
                                             np.array([s[2] for s in stats]))
        if classify:
            self.counts, self.label_weights = Counter(), Counter()   # label: rows, weight
            for s in stats:
                self.counts.update(s[5])
                self.label_weights.update(s[6])
            self.labels = np.unique(np.array(list(self.counts), dtype=self.y.dtype))
        else:
            self.y_mean = sum(s[7] / self.weight_sum * s[5] for s in stats)
            self.y_absmax = max(s[6] for s in stats)

    # -- one pass per evaluation
    def loss_grad(self, w, b, loss, target=True):
        """As :func:`descend.gradient.loss_grad` over all chunks; ``target`` False for y = 0."""
        parts = self._chunks(chunk_terms, w, b, loss, target=target)
        total = self.compute(tree(parts), "a pass over the data")
        return unpack(total, self.n, np.size(b))[:4]

    def loss_grad_hessian(self, w, b, loss, shift, scale, target=True):
        """As :func:`descend.hessian.loss_grad_hessian` over all chunks: one pass, each
        chunk's (n+1)^2 Hessian reduced in the same tree as its gradient."""
        parts = self._chunks(chunk_terms, w, b, loss, (shift, scale), target=target)
        total = self.compute(tree(parts), "a curvature pass over the data")
        side = (self.n + 1) * np.size(b)
        J, gw, gb, separated, H = unpack(total, self.n, np.size(b))
        return J, gw, gb, H.reshape(side, side), separated

    def hessian_bound(self, w, b, loss, shift, scale, every):
        """As :func:`descend.hessian.hessian_bound`, every ``every``-th block of each chunk."""
        parts = self._chunks(chunk_bound, w, b, loss, shift, scale, every)
        total = self.compute(tree(parts), "a pass over part of the data")
        side = (self.n + 1) * np.size(b)
        return total[2:].reshape(side, side) / total[1], total[0] / total[1]

    def exact_grad(self, w, b, shift):
        """As :func:`descend.hessian.exact_grad` over all chunks, one pass."""
        total = self.compute(tree(self._chunks(chunk_exact, w, b, shift)), "a pass over the data")
        n, m = self.n, total[self.n + 2]
        return total[0] / m, total[1:n + 1] / m, total[n + 1] / m

    def squared_hessian(self, shift, scale):
        r"""The Hessian :math:`[Z, 1]^\top \operatorname{diag}(s) [Z, 1]/m` of the squared
        error, for :math:`Z = (X - \text{shift})/\text{scale}` and the weights :math:`s`
        (1 without), from one pass; None beyond ``HESSIAN_MAX`` features (each product
        is then a pass).

        Power iteration on it finds the largest curvature behind
        ``learning_rate="auto"`` with one pass over the data instead of one per
        product. It is built from the covariance, merged over chunks as the
        moments are, so large column offsets cost no precision.
        """
        if self.n > HESSIAN_MAX:
            return None
        from dask import delayed
        parts = self._chunks(chunk_scatter, target=False)
        chunks = [p for p in self.compute(delayed(list, pure=True)(parts), "a pass for the "
                                          "curvature") if p[0]]
        n = self.n
        cov = np.zeros((n, n))
        for rows, mean, scatter in chunks:
            d = mean - self.mean
            cov += scatter + rows * np.outer(d, d)
        cov /= self.m
        d = self.mean - shift
        H = np.empty((n + 1, n + 1))
        H[:n, :n] = (cov + np.outer(d, d)) / np.outer(scale, scale)
        H[:n, n] = H[n, :n] = d / scale
        H[n, n] = 1.0
        return H

    @property
    def names(self):
        """Column names of a DataFrame ``X``, else None."""
        return [str(c) for c in self.header.columns] if hasattr(self.header, "columns") else None

    @property
    def shape(self):
        return self.m, self.n

    # -- running a graph
    def compute(self, graph, what):
        """Compute ``graph``; with a distributed client, fail clearly if its scheduler is lost."""
        if self.client is None:
            import dask
            return dask.compute(graph)[0]
        try:
            future = self.client.compute(graph)
        except (OSError, TimeoutError) as err:
            raise _lost(self.client, what) from err
        done = threading.Event()            # set from the client's own thread, no polling
        future.add_done_callback(lambda _: done.set())
        lost_since, started = None, time.monotonic()
        while not done.wait(POLL_S):
            if self.client.status in ("running", "newly-created"):
                lost_since = None
                waited = time.monotonic() - started
                if waited > LOST_S and not _n_workers(self.client):
                    raise DescendError(
                        f"the Dask cluster has had no workers for {waited:.0f} s during "
                        f"{what}: start workers (or scale the cluster up) and fit again.")
                continue
            lost_since = lost_since or time.monotonic()
            if self.client.status in ("closed", "closing") or \
                    time.monotonic() - lost_since > LOST_S:
                raise _lost(self.client, what)
        try:
            return future.result()
        except (OSError, *_cancelled()) as err:
            raise _lost(self.client, what) from err


def _cancelled():
    from concurrent.futures import CancelledError as A
    from asyncio import CancelledError as B
    return (A, B)


def _lost(client, what):
    address = getattr(client.scheduler, "address", None) or "its scheduler"
    status = getattr(client, "status", "unknown")
    return DescendError(
        f"lost the Dask scheduler ({address}) during {what}: the client's connection to it "
        f"broke (client status {status!r}) and did not come back within {LOST_S:g} s. The fit "
        "cannot go on without a scheduler; restart it (or the cluster) and fit again.")


def _workers(client):
    """The scheduler's record of every worker, by address."""
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:                   # older distributed
        info = client.scheduler_info()
    return info.get("workers", {})


def _n_workers(client):
    return len(_workers(client))


def _memory_limit(client):
    """The workers' total memory limit in bytes; 0 when unknown or unlimited."""
    limits = [w.get("memory_limit") or 0 for w in _workers(client).values()]
    return 0 if not limits or 0 in limits else int(sum(limits))
