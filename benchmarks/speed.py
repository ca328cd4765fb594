"""How close descend runs to the memory-bandwidth limit, against scikit-learn.

For each data set (n × d, float64/float32, isotropic or unscaled-correlated)
it measures, in one run on the same data, the median of several repeats of:

1. the floor: one streaming read of ``X`` (the faster of a one-thread
   ``X.sum()`` and a two-thread blocked sum; the table says which);
2. descend's loss-and-gradient pass exactly as a fit runs it (the
   estimator's objective: ``gradient.loss_grad``, the compiled kernel when
   numba is installed, and the standardization folded once), and its ratio
   to the floor; and the same with the numpy blocks (column "numpy");
3. the time for descend's default fit and for scikit-learn's
   (``LogisticRegression(C=np.inf)``, lbfgs; ``LinearRegression``) to reach a
   loss within ``1e-6`` relative of the optimum, found first by a tight
   reference solve; each is given the loosest ``tol`` of a sweep that gets
   there;
4. the peak memory of a descend fit (tracemalloc, the data excluded),
   relative to the size of ``X``.

Run ``python benchmarks/speed.py --quick`` for a small subset; ``--sizes
100000x50,1000000x50`` chooses sizes. Prints a table and writes JSON.
Timing belongs here, never in a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from descend import LinearRegression, LogisticClassifier
from descend.models import objective_of
from descend import gradient
from descend.gradient import loss_grad
from descend.moments import column_moments
from descend.losses import LogLoss, SquaredError

TARGET = 1e-6
TOLS = [1e-4, 1e-5, 1e-6, 1e-8, 1e-10, 1e-12]   # both libraries get the same sweep


def make_data(m, n, dtype, kind, seed=0):
    """X (m, n) and targets: ``iso`` standard normal, ``ill`` correlated and unscaled."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    if kind == "ill":
        # A shared factor (correlation 0.9 between columns), scales 1e-2..1e3, offsets.
        X *= np.sqrt(0.1)
        X += np.sqrt(0.9) * rng.standard_normal((m, 1))
        Z = X.copy()
        scale = 10.0 ** rng.uniform(-2, 3, n)
        X *= scale
        X += rng.uniform(-5, 5, n) * scale
    else:
        Z = X
    beta = rng.standard_normal(n) / np.sqrt(n)
    score = (Z - Z.mean(axis=0)) @ beta
    del Z
    y_lin = score + 0.5 * rng.standard_normal(m)
    y_bin = (rng.uniform(size=m) < 1 / (1 + np.exp(-2 * score))).astype(np.float64)
    return X.astype(dtype, copy=False), y_lin, y_bin


def median_time(f, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def floor(X, repeats):
    """One streaming read of X: the faster of one thread and two threads."""
    pool = ThreadPoolExecutor(2)
    half = X.shape[0] // 2
    rows = max(1, (1 << 20) // X[0].nbytes)

    def part(lo, hi):
        return sum(float(X[i:min(i + rows, hi)].sum()) for i in range(lo, hi, rows))

    one = median_time(lambda: X.sum(), repeats)
    two = median_time(lambda: list(pool.map(part, [0, half], [half, X.shape[0]])), repeats)
    pool.shutdown()
    return (one, "1 thread") if one <= two else (two, "2 threads")


def loss_of(X, y, coef, intercept, loss):
    return loss_grad(X, y, np.asarray(coef, dtype=float).ravel(), float(np.ravel(intercept)[0]
                     if np.ndim(intercept) else intercept), loss)[0]


def reference(X, y, model):
    """J*: the lowest loss of a tight descend solve and a direct/Newton solve."""
    loss = LogLoss if model == "logistic" else SquaredError
    est = (LogisticClassifier if model == "logistic" else LinearRegression)(tol=1e-13, max_iter=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y if model == "linear" else y.astype(int))
    best = loss_of(X, y, est.coef_, est.intercept_, loss)
    # Independent check on a standardized float64 copy (the loss is affine-invariant).
    mean, std = column_moments(X)
    std[std == 0] = 1.0
    Z = (X - mean) / std
    if model == "logistic":
        from sklearn.linear_model import LogisticRegression
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=100).fit(Z, y)
        coef = ref.coef_.ravel() / std
        other = loss_of(X, y, coef, ref.intercept_[0] - mean @ coef, loss)
    else:
        A = np.column_stack([Z, np.ones(len(y))])
        theta = np.linalg.solve(A.T @ A, A.T @ y)
        coef = theta[:-1] / std
        other = loss_of(X, y, coef, theta[-1] - mean @ coef, loss)
    return min(best, other), abs(best - other) / abs(min(best, other))


def time_to_target(make, X, y, loss, J_star, repeats, tols, budget):
    """Median time of the loosest tol in ``tols`` whose fit ends within TARGET of J*.

    Gives up (seconds None) once the sweep has spent ``budget`` seconds.
    """
    spent = 0.0
    for tol in tols:
        if spent > budget:
            break
        est = make(tol)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            est.fit(X, y)
            first = time.perf_counter() - t0
        spent += first
        gap = (loss_of(X, y.astype(float), est.coef_, est.intercept_, loss) - J_star) / abs(J_star)
        if gap <= TARGET:
            reps = repeats if first < 5.0 else 1
            extra = [median_time(lambda: _quiet_fit(make(tol), X, y), 1) for _ in range(reps - 1)]
            return {"seconds": float(np.median([first] + extra)), "tol": tol, "gap": float(gap),
                    "n_iter": int(np.max(getattr(est, "n_iter_", [0])))}
    return {"seconds": None, "tol": tol, "gap": float(gap), "spent": spent,
            "n_iter": int(np.max(getattr(est, "n_iter_", [0])))}


def _quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)


def peak_memory(make, X, y):
    """Peak bytes allocated during a fit (tracemalloc), over the size of X."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    _quiet_fit(make(), X, y)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / X.nbytes


def bench_case(m, n, dtype, kind, model, repeats, floor_cache, budget, pass_only=False):
    from sklearn.linear_model import LinearRegression as SkLinear
    from sklearn.linear_model import LogisticRegression as SkLogistic

    X, y_lin, y_bin = make_data(m, n, dtype, kind)
    y = y_bin if model == "logistic" else y_lin
    loss = LogLoss if model == "logistic" else SquaredError
    key = (m, n, dtype)
    if key not in floor_cache:
        floor_cache[key] = floor(X, repeats)
    t_floor, how = floor_cache[key]
    # The pass exactly as a fit calls it: the estimator's objective at a fixed point.
    est = (LogisticClassifier if model == "logistic" else LinearRegression)()
    objective, _ = objective_of(est, X, y)
    theta = np.append(np.full(n, 0.01), 0.1)
    objective(theta)
    t_pass = median_time(lambda: objective(theta), repeats)
    kernel = "numba" if gradient._use_fused(X, y, loss) else "numpy"
    saved, gradient.KERNEL = gradient.KERNEL, "numpy"
    try:
        t_numpy = median_time(lambda: objective(theta), repeats)
    finally:
        gradient.KERNEL = saved
    passes = {"m": m, "n": n, "dtype": np.dtype(dtype).name, "data": kind, "model": model,
              "X_MB": X.nbytes / 1e6, "floor_ms": t_floor * 1e3, "floor_how": how,
              "pass_ms": t_pass * 1e3, "pass_over_floor": t_pass / t_floor,
              "numpy_ms": t_numpy * 1e3, "numpy_over_floor": t_numpy / t_floor,
              "kernel": kernel}
    if pass_only:
        return passes
    J_star, ref_spread = reference(X, y, model)
    if model == "logistic":
        ours = time_to_target(lambda tol=1e-6: LogisticClassifier(tol=tol), X, y, loss, J_star,
                              repeats, TOLS, budget)
        theirs = time_to_target(lambda tol=1e-4: SkLogistic(C=np.inf, tol=tol, max_iter=100_000),
                                X, y, loss, J_star, repeats, TOLS, budget)
    else:
        ours = time_to_target(lambda tol=1e-6: LinearRegression(tol=tol), X, y, loss, J_star,
                              repeats, TOLS, budget)
        theirs = time_to_target(lambda tol=None: SkLinear(), X, y, loss, J_star, repeats, [None],
                                budget)
    mem = peak_memory(lambda: LogisticClassifier() if model == "logistic" else LinearRegression(),
                      X, y)
    ratio = (ours["seconds"] / theirs["seconds"]
             if ours["seconds"] and theirs["seconds"] else None)
    return {**passes, "J_star": J_star, "reference_spread": ref_spread,
            "descend": ours, "sklearn": theirs, "time_ratio": ratio, "peak_mem_over_X": mem}


def row(r):
    def s(x):
        return f"{x['seconds']:.3g}" if x["seconds"] else f">{x['spent']:.3g}"
    if "descend" not in r:                                     # --pass-only
        return (f"| {r['m']:>7} × {r['n']:<3} | {r['dtype']:7} | {r['data']:3} | {r['model']:8} "
                f"| {r['floor_ms']:7.1f} ({r['floor_how'][0]}t) | {r['pass_ms']:7.1f} "
                f"| {r['pass_over_floor']:5.2f} | {r['numpy_ms']:7.1f} | {r['numpy_over_floor']:5.2f} "
                "| - | - | - | - |")
    ratio = f"{r['time_ratio']:.3f}" if r["time_ratio"] else "n/a"
    return (f"| {r['m']:>7} × {r['n']:<3} | {r['dtype']:7} | {r['data']:3} | {r['model']:8} "
            f"| {r['floor_ms']:7.1f} ({r['floor_how'][0]}t) | {r['pass_ms']:7.1f} "
            f"| {r['pass_over_floor']:5.2f} | {r['numpy_ms']:7.1f} | {r['numpy_over_floor']:5.2f} "
            f"| {s(r['descend']):>7} ({r['descend']['n_iter']}) "
            f"| {s(r['sklearn']):>7} ({r['sklearn']['n_iter']}) | {ratio:>6} "
            f"| {r['peak_mem_over_X']:5.3f} |")


HEADER = ("| n × d         | dtype   | X   | model    | floor ms     | pass ms | pass/floor "
          "| numpy ms | numpy/floor | descend s (iter) | sklearn s (iter) | ratio | peak mem / X |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k × 50 only, float64, 3 repeats")
    parser.add_argument("--budget", type=float, default=300.0,
                        help="seconds a tol sweep may spend before giving up (n/a)")
    parser.add_argument("--sizes", default="100000x50,1000000x50,200000x500")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--data", default="iso,ill")
    parser.add_argument("--models", default="logistic,linear")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results.json")
    parser.add_argument("--pass-only", action="store_true",
                        help="floor and passes only: no fits, no scikit-learn (fast)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.dtypes, args.repeats = "100000x50", "float64", 3
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    from threadpoolctl import threadpool_info
    blas = [(i["internal_api"], i.get("architecture"), i["num_threads"]) for i in threadpool_info()
            if i["user_api"] == "blas"]
    print(f"# {platform.processor() or platform.machine()}, BLAS {blas}", flush=True)
    print(HEADER, flush=True)
    results, cache = [], {}
    for m, n in sizes:
        for dtype in args.dtypes.split(","):
            for kind in args.data.split(","):
                for model in args.models.split(","):
                    r = bench_case(m, n, np.dtype(dtype).type, kind, model, args.repeats, cache,
                                   args.budget, args.pass_only)
                    results.append(r)
                    print(row(r), flush=True)
    with open(args.out, "w") as fh:
        json.dump({"blas": blas, "target": TARGET, "results": results}, fh, indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
