"""Logistic regression on data larger than the Dask workers' memory: descend against dask-ml.

Starts a LocalCluster, writes a labelled data set to Zarr on disk about
``--times`` times the workers' total memory limit, reads it back chunk by
chunk (never persisted), and measures in one run:

- the floor: one streaming read of X from disk (``X.sum()``);
- the time of one loss-and-gradient pass, descend's and dask-glm's (the pass
  under dask-ml's solvers), median of ``--repeats``;
- dask-ml's ``LogisticRegression`` fits (solvers ``lbfgs`` and
  ``gradient_descent``): wall time and the loss they end at;
- descend's default fit (lbfgs, tol 1e-8) with the time at which its loss
  first reached each of those losses, and J* (1 + 1e-6).

Needs ``pip install -e ".[bench]"``. Prints a table and writes JSON
(``--out``). Example (about 4 minutes on 2 cores)::

    python benchmarks/dask_scale.py --memory-limit 400MiB --times 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings

from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from speed import median_time  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="400MiB", help="per worker (default 400MiB)")
    p.add_argument("--times", type=float, default=3.0,
                   help="data size / the workers' total memory limit (default 3)")
    p.add_argument("--features", type=int, default=20)
    p.add_argument("--chunk-mb", type=float, default=32.0, help="MB of X per chunk")
    p.add_argument("--repeats", type=int, default=3, help="repeats of the pass timings")
    p.add_argument("--dask-ml-max-iter", type=int, default=100,
                   help="max_iter of dask-ml's lbfgs (gradient_descent gets a fifth)")
    p.add_argument("--compress", action="store_true",
                   help="store the Zarr chunks compressed (zstd); default: uncompressed")
    p.add_argument("--dir", default=None, help="where to write the Zarr data (default: a temp dir)")
    p.add_argument("--out", default=None, help="write the results as JSON here")
    return p.parse_args()


def write_data(where, m, n, chunk_rows, compress, seed=0):
    """Unit-scale features but three columns scaled by 10, 100 and 0.1, and 0/1 labels."""
    import dask
    import dask.array as da
    rng = da.random.default_rng(seed)
    X = rng.normal(size=(m, n), chunks=(chunk_rows, n))
    scale = np.ones(n)
    scale[:3] = [10.0, 100.0, 0.1]
    X = X * scale
    beta = np.linspace(-1.0, 1.0, n) / scale
    noise = rng.logistic(size=m, chunks=chunk_rows)
    y = (X @ beta + 0.3 + noise > 0).astype(np.float64)
    how = dict(compute=False, overwrite=True, **({} if compress else {"compressors": None}))
    dask.compute(da.to_zarr(X, os.path.join(where, "X.zarr"), **how),
                 da.to_zarr(y, os.path.join(where, "y.zarr"), **how))


def main():
    args = parse_args()
    import dask.array as da
    from dask.utils import parse_bytes
    from dask_glm.families import Logistic
    from dask_glm.utils import add_intercept
    from dask_ml.linear_model import LogisticRegression as DaskMLLogistic
    from distributed import Client, LocalCluster

    from descend import LogisticClassifier
    from descend.dask.cluster import DaskRows
    from descend.losses import LogLoss

    limit = parse_bytes(args.memory_limit) * args.workers
    n = args.features
    m = int(args.times * limit / (8 * n))
    chunk_rows = max(1000, int(args.chunk_mb * 1e6 / (8 * n)))
    where = args.dir or tempfile.mkdtemp(prefix="descend-dask-")
    results = {"workers": args.workers, "memory_limit_total": limit, "rows": m, "features": n,
               "X_bytes": m * n * 8, "chunk_rows": chunk_rows}
    print(f"{args.workers} workers × {args.memory_limit}: {limit / 1e9:.2f} GB in all; "
          f"X is {m:,} × {n} float64 = {m * n * 8 / 1e9:.2f} GB "
          f"({m * n * 8 / limit:.1f}× the limit), chunks of {chunk_rows:,} rows", flush=True)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      memory_limit=args.memory_limit, dashboard_address=":0") as cluster, \
            Client(cluster):
        start = time.perf_counter()
        write_data(where, m, n, chunk_rows, args.compress)
        print(f"wrote the Zarr data in {time.perf_counter() - start:.1f} s to {where}", flush=True)
        X = da.from_zarr(os.path.join(where, "X.zarr"))
        y = da.from_zarr(os.path.join(where, "y.zarr"))

        # 1. Pass times against the floor.
        rows = DaskRows.prepare(X, y, "benchmark", classify=False)
        assert not rows.persisted, "the data should be larger than the workers' memory"
        w, b = np.full(n, 0.01), 0.1
        floor = median_time(lambda: X.sum().compute(), args.repeats)
        ours = median_time(lambda: rows.loss_grad(w, b, LogLoss), args.repeats)
        Xi = add_intercept(X)
        beta = np.append(w, b)

        def glm_pass():
            import dask
            dask.compute(Logistic.pointwise_loss(beta, Xi, y),
                         Logistic.pointwise_gradient(beta, Xi, y))
        theirs = median_time(glm_pass, args.repeats)
        results["pass_s"] = {"floor": floor, "descend": ours, "dask_glm": theirs}
        print(f"pass (median of {args.repeats}): floor {floor:.2f} s, descend {ours:.2f} s "
              f"({ours / floor:.2f}× floor), dask-glm {theirs:.2f} s ({theirs / floor:.2f}× "
              "floor)", flush=True)

        def loss_at(coef, intercept):
            return rows.loss_grad(np.ravel(coef), float(np.ravel(intercept)[0]), LogLoss)[0]

        # 2. dask-ml's fits.
        theirs_fits = {}
        for solver, max_iter in (("lbfgs", args.dask_ml_max_iter),
                                 ("gradient_descent", max(1, args.dask_ml_max_iter // 5))):
            model = DaskMLLogistic(solver=solver, C=1e12, max_iter=max_iter)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X, y)
            took = time.perf_counter() - start
            J = loss_at(model.coef_, model.intercept_)
            theirs_fits[solver] = {"seconds": took, "loss": J, "max_iter": max_iter}
            print(f"dask-ml {solver} (max_iter={max_iter}): {took:.1f} s, loss {J:.10f}",
                  flush=True)

        # 3. descend's fit, timed at every iteration.
        trace = []
        start = time.perf_counter()
        model = LogisticClassifier(tol=1e-8, callback=lambda s: trace.append(
            (time.perf_counter() - start, s.loss)))
        model.fit(X, y)
        total = time.perf_counter() - start
        J_star = min([trace[-1][1]] + [f["loss"] for f in theirs_fits.values()])

        def time_to(J):
            for t, loss in trace:
                if loss <= J:
                    return t
            return None
        target = J_star * (1 + 1e-6)
        results["descend"] = {"seconds": total, "n_iter": model.n_iter_, "loss": trace[-1][1],
                              "seconds_to_1e-6": time_to(target)}
        print(f"descend lbfgs: {total:.1f} s for {model.n_iter_} iterations, loss "
              f"{trace[-1][1]:.10f}; within 1e-6 of J* after {time_to(target)} s", flush=True)
        for solver, fit in theirs_fits.items():
            t = time_to(fit["loss"])
            fit["descend_seconds_to_this_loss"] = t
            fit["ratio"] = None if t is None else t / fit["seconds"]
        results["dask_ml"] = theirs_fits

    print()
    print("| what | dask-ml s | its loss | descend s to that loss | ratio |")
    print("|---|---|---|---|---|")
    for solver, fit in theirs_fits.items():
        t, ratio = fit["descend_seconds_to_this_loss"], fit["ratio"]
        reached = "not reached" if t is None else f"{t:.1f}"
        shown = "" if ratio is None else f"{ratio:.2f}"
        print(f"| LogisticRegression({solver}) | {fit['seconds']:.1f} | {fit['loss']:.8f} | "
              f"{reached} | {shown} |")
    d = results["descend"]
    print(f"| descend, to J*(1+1e-6) | | {target:.8f} | {d['seconds_to_1e-6']:.1f} | |")
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(results, fh, indent=2)
    if args.dir is None:
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    main()
