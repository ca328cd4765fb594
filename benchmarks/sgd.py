"""Stochastic and mini-batch descent: the cost of an epoch by batch size, against the
floor (one pass over X) and against scikit-learn's SGDRegressor, and how close each gets
to the optimum.

    python benchmarks/sgd.py [--rows 200000] [--features 20] [--runs 3]

Prints medians of ``--runs`` runs. An epoch's cost is half the difference between
fits of three epochs and of one (the fit's setup left out: moments, the power
iteration behind the step). The batch of one row runs on a tenth of the rows and is
scaled up (its cost is per update, not per row). The quality rows fit the
same data for the same number of epochs and report (J - J*) / J*, J* from lstsq.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from speed import median_time


def half_mse(X, y, w, b):
    r = X @ w + b - y
    return 0.5 * float(r @ r) / len(y)


def main():
    from sklearn.linear_model import SGDRegressor

    from descend import LinearRegression

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    m, n, runs = args.rows, args.features, args.runs
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, n)) * rng.uniform(0.5, 3.0, n) + rng.normal(size=n)
    y = X @ rng.normal(size=n) + 3.0 + rng.normal(size=m)
    A = np.column_stack([X, np.ones(m)])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    best = half_mse(X, y, coef[:-1], coef[-1])
    w = np.ones(n)
    floor = median_time(lambda: X @ w, runs)
    warnings.simplefilter("ignore")
    sk = median_time(lambda: SGDRegressor(max_iter=1, tol=None, random_state=0).fit(X, y), runs)
    print(f"{m} x {n} float64; medians of {runs} runs. Floor (one pass, X @ w): "
          f"{floor * 1e3:.1f} ms. scikit-learn SGDRegressor, one epoch of single rows: "
          f"{sk * 1e3:.1f} ms ({sk / floor:.1f} x floor).")
    print(f"{'batch':>8}{'epoch (s)':>12}{'per update (us)':>17}{'x floor':>10}{'x sklearn':>11}")
    for size in (1, 32, 256, 4096):
        part = m // 10 if size == 1 else m
        one, three = (LinearRegression(solver="sgd", batch_size=size, max_iter=k, tol=0.0)
                      for k in (1, 3))
        # two epochs more, without the fit's setup (moments, the step's power iteration)
        epoch = (median_time(lambda: three.fit(X[:part], y[:part]), runs)
                 - median_time(lambda: one.fit(X[:part], y[:part]), runs)) / 2 * m / part
        updates = -(-m // size)
        print(f"{size:>8}{epoch:>12.3f}{epoch / updates * 1e6:>17.1f}{epoch / floor:>10.0f}"
              f"{epoch / sk:>11.1f}")
    epochs = 10
    print(f"\n(J - J*) / J* after {epochs} epochs (J* from lstsq):")
    fits = {
        "descend sgd, batch 256, schedule auto, average":
            lambda: LinearRegression(solver="sgd", batch_size=256, average=True,
                                     max_iter=epochs, tol=0.0).fit(X, y),
        "descend sgd, batch 32, schedule auto, average":
            lambda: LinearRegression(solver="sgd", batch_size=32, average=True,
                                     max_iter=epochs, tol=0.0).fit(X, y),
        "scikit-learn SGDRegressor (defaults, alpha=0)":
            lambda: SGDRegressor(max_iter=epochs, tol=None, alpha=0.0, random_state=0).fit(X, y),
        "scikit-learn SGDRegressor, average=True, alpha=0":
            lambda: SGDRegressor(max_iter=epochs, tol=None, alpha=0.0, average=True,
                                 random_state=0).fit(X, y),
    }
    for name, fit in fits.items():
        start = time.perf_counter()
        model = fit()
        took = time.perf_counter() - start
        gap = (half_mse(X, y, np.ravel(model.coef_), float(np.ravel(model.intercept_)[0]))
               - best) / best
        print(f"  {name:<52}{gap:>10.2e}   {took:.2f} s")


if __name__ == "__main__":
    main()
