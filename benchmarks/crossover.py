"""Where ``solver="auto"`` should switch: Newton against L-BFGS as the data widen.

At a fixed number of cells (rows times features, ``--cells``), for each width
in ``--widths``, on isotropic and on correlated-and-unscaled data
(``speed.make_data``), it times the median of ``--repeats`` fits at the
default tol, certificate included: logistic regression with "lbfgs-newton"
and with "lbfgs", linear regression with "newton" and with "lbfgs". It prints
one table row per width, each cell ``newton-side / lbfgs`` seconds, and the
faster side. ``models.AUTO_NEWTON_FEATURES`` is set from these crossovers.
Timing belongs here, never in a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import platform
import warnings

import numpy as np
from speed import make_data, median_time

from descend import LinearRegression, LogisticClassifier

PAIRS = {"logistic": (LogisticClassifier, "lbfgs-newton"), "linear": (LinearRegression, "newton")}


def fit_time(est, solver, X, y, repeats):
    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return est(solver=solver).fit(X, y)
    model = fit()                                  # warm (compiled kernels), and checked
    return median_time(fit, repeats), bool(model.converged_), int(model.n_iter_)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=float, default=1e7)
    parser.add_argument("--widths", default="50,200,400,800,1600")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results_crossover.json")
    args = parser.parse_args()
    print(f"# {platform.machine()}, numpy {np.__version__}, {args.cells:g} cells, "
          f"median of {args.repeats}")
    print("| features | rows | logistic iso | logistic ill | linear iso | linear ill |")
    print("|---|---|---|---|---|---|")
    found = []
    for n in (int(v) for v in args.widths.split(",")):
        m = int(args.cells // n)
        cells = []
        for model, (est, newton_side) in PAIRS.items():
            for kind in ("iso", "ill"):
                X, y_lin, y_bin = make_data(m, n, np.float64, kind)
                y = y_bin if model == "logistic" else y_lin
                a = fit_time(est, newton_side, X, y, args.repeats)
                b = fit_time(est, "lbfgs", X, y, args.repeats)
                del X
                found.append({"n": n, "m": m, "model": model, "data": kind,
                              newton_side: a, "lbfgs": b})
                mark = "" if a[1] and b[1] else " (not converged)"
                cells.append(f"{a[0]:.3f} / {b[0]:.3f} s{mark}")
        order = [cells[0], cells[1], cells[2], cells[3]]
        print(f"| {n} | {m:,} | " + " | ".join(order) + " |", flush=True)
    with open(args.out, "w") as f:
        json.dump({"cells": args.cells, "repeats": args.repeats, "results": found}, f, indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
