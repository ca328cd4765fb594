"""Newton's method on Dask: descend against dask-ml's ``newton``, same cluster, same loss.

Starts a LocalCluster (``--workers`` processes, one thread each), makes a
persisted dask array of correlated, unscaled features with 0/1 labels, and
measures in one run:

- dask-ml's ``LogisticRegression(solver="newton", C=1e12)``: wall time and
  the loss it ends at (computed afterwards with descend's pass);
- descend's ``LogisticClassifier(solver="newton")``: wall time, its curvature
  passes (one per iteration: each chunk returns its Hessian with its
  gradient), and the time at which its loss first came within 1e-6 of the
  lower of the two final losses.

Needs ``pip install -e ".[bench]"``. Example (a minute on 2 cores)::

    python benchmarks/dask_newton.py --rows 2000000 --features 20
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--rows", type=int, default=2_000_000)
    p.add_argument("--features", type=int, default=20)
    p.add_argument("--chunk-rows", type=int, default=100_000)
    p.add_argument("--out", default=None, help="write the results as JSON here")
    args = p.parse_args()

    import dask.array as da
    from dask_ml.linear_model import LogisticRegression as DaskLogistic
    from distributed import Client, LocalCluster

    from descend import LogisticClassifier
    from descend.losses import LogLoss

    m, n = args.rows, args.features
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        rs = da.random.RandomState(0)
        chunks = (args.chunk_rows, n)
        shared = rs.standard_normal((m, 1), chunks=(args.chunk_rows, 1))
        Z = 0.3 * rs.standard_normal((m, n), chunks=chunks) + shared     # correlated columns
        scale = 10.0 ** np.linspace(-1, 2, n)
        X = (Z * scale + 3.0 * scale).astype(np.float64)                 # unscaled, offset
        beta = np.random.default_rng(1).standard_normal(n) / np.sqrt(n)
        score = (Z - Z.mean(axis=0)) @ beta
        y = (rs.uniform(size=m, chunks=args.chunk_rows) < 1 / (1 + da.exp(-2 * score)))
        y = y.astype(np.float64)
        X, y = client.persist([X, y])
        X.sum().compute()
        print(f"X: {m:,} x {n} float64 ({X.nbytes / 1e9:.2f} GB), persisted on {args.workers} "
              "workers", flush=True)

        def loss_at(coef, intercept):
            from descend.dask.cluster import DaskRows
            rows = DaskRows.prepare(X, y, "benchmark", classify=False)
            return rows.loss_grad(np.ravel(coef), float(np.ravel(intercept)[0]), LogLoss)[0]

        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = DaskLogistic(solver="newton", C=1e12, max_iter=100, tol=1e-8).fit(X, y)
        their_s = time.perf_counter() - t
        their_J = loss_at(theirs.coef_, theirs.intercept_)
        print(f"dask-ml newton: {their_s:.1f} s, loss {their_J:.12g}", flush=True)

        seen = []
        model = LogisticClassifier(solver="newton", tol=1e-10,
                                   callback=lambda s: seen.append((time.perf_counter(), s.loss)))
        t = time.perf_counter()
        model.fit(X, y)
        our_s = time.perf_counter() - t
        our_J = float(model.history_["loss"][-1])
        J_star = min(our_J, their_J)
        reached = next((when - t for when, J in seen if J <= J_star * (1 + 1e-6)), None)
        print(f"descend newton: {our_s:.1f} s, {model.n_iter_} iterations, loss {our_J:.12g}; "
              f"within 1e-6 of J* after {reached if reached is None else round(reached, 2)} s",
              flush=True)
        result = {"rows": m, "features": n, "workers": args.workers,
                  "dask_ml_newton_s": their_s, "dask_ml_loss": their_J,
                  "dask_ml_iterations": int(np.max(getattr(theirs, "n_iter_", [0]) or [0])),
                  "descend_s": our_s, "descend_loss": our_J, "descend_iterations": model.n_iter_,
                  "descend_to_1e-6_s": reached, "ratio_to_1e-6": None if reached is None else
                  reached / their_s}
        print(json.dumps(result, indent=1))
        if args.out:
            with open(args.out, "w") as f:
                json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
