"""descend against the fastest peers: time to come within 1e-6 of the optimal loss.

For each case, in one run on the same data, every library is given the same
tol sweep (``speed.TOLS``) and timed at the loosest tol whose fit ends within
``1e-6`` (relative) of the optimal loss ``J*``; the optimum comes from a tight
reference solve (``speed.reference``: descend at tol 1e-13 and scikit-learn's
newton-cholesky or the normal equations, the lower of the two).

Peers: scikit-learn's ``LogisticRegression`` (lbfgs, newton-cholesky) and
``LinearRegression`` (lstsq), and glum's ``GeneralizedLinearRegressor`` (its
default IRLS solver; ``pip install "descend[bench]"``). Each time is the median
of ``--repeats`` fits at that tol (one fit when a fit takes over 5 s).

Cases (``--cases`` picks some): logistic isotropic 1M x 50, logistic correlated
and unscaled 1M x 50, logistic wide 200k x 500, linear correlated 1M x 50;
``--scale 0.1`` divides the rows by ten for a quick look. Prints a table with
descend's time over the best peer's, and writes JSON. Timing belongs here,
never in a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import platform
import warnings

import numpy as np
from speed import TOLS, loss_of, make_data, reference, time_to_target

from descend import LinearRegression, LogisticClassifier
from descend.losses import LogLoss, SquaredError

#: The most iterations a peer gets per fit (scikit-learn's lbfgs needs minutes for a
#: thousand at 1M x 50, and would take hours on the correlated data).
MAX_ITER = 1000

CASES = {
    "logistic-iso": (1_000_000, 50, "iso", "logistic"),
    "logistic-ill": (1_000_000, 50, "ill", "logistic"),
    "logistic-wide": (200_000, 500, "iso", "logistic"),
    "linear-ill": (1_000_000, 50, "ill", "linear"),
}


def peers(model):
    """``{name: make(tol)}`` for the peers of ``model`` that are installed."""
    from sklearn.linear_model import LinearRegression as SkLinear
    from sklearn.linear_model import LogisticRegression as SkLogistic
    found = {}
    if model == "logistic":
        for solver in ("lbfgs", "newton-cholesky"):
            found[f"sklearn {solver}"] = (lambda tol, s=solver: SkLogistic(
                C=np.inf, solver=s, tol=tol, max_iter=MAX_ITER))
    else:
        found["sklearn lstsq"] = lambda tol: SkLinear()
    try:
        from glum import GeneralizedLinearRegressor
    except ImportError:
        print("glum is not installed (pip install glum): left out")
    else:
        family = "binomial" if model == "logistic" else "normal"
        found["glum irls"] = lambda tol: GeneralizedLinearRegressor(
            family=family, alpha=0.0, gradient_tol=tol, max_iter=MAX_ITER)
    return found


def run_case(name, scale, repeats, budget):
    m, n, kind, model = CASES[name]
    m = max(1000, int(m * scale))
    X, y_lin, y_bin = make_data(m, n, np.float64, kind)
    y = y_bin if model == "logistic" else y_lin
    loss = LogLoss if model == "logistic" else SquaredError
    J_star, spread = reference(X, y, model)
    est = LogisticClassifier if model == "logistic" else LinearRegression
    makers = {"descend": lambda tol: est(tol=tol)}
    makers.update(peers(model))
    rows = {}
    for who, make in makers.items():
        tols = TOLS if who != "sklearn lstsq" else TOLS[:1]      # lstsq has no tol
        found = time_to_target(make, X, y, loss, J_star, repeats, tols, budget)
        if who == "descend":
            fitted = make(found["tol"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted.fit(X, y)
            found["solver"] = fitted.solver_
            found["passes"] = int(fitted.n_iter_)
        rows[who] = found
        shown = f"{found['seconds']:.3g} s" if found["seconds"] is not None else "not reached"
        print(f"  {who:24s} {shown:>12s}  tol {found['tol']:g}  iterations {found['n_iter']}",
              flush=True)
    best = min((r["seconds"] for w, r in rows.items() if w != "descend" and r["seconds"]),
               default=None)
    ours = rows["descend"]["seconds"]
    ratio = ours / best if ours and best else None
    return {"case": name, "m": m, "n": n, "data": kind, "model": model, "J_star": J_star,
            "reference_spread": spread, "results": rows, "descend_over_best": ratio}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the rows")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds a library's tol sweep may spend before giving up")
    parser.add_argument("--out", default="benchmarks/results_peers.json")
    args = parser.parse_args()
    print(f"# {platform.machine()}, numpy {np.__version__}")
    out = []
    for name in args.cases.split(","):
        print(f"{name}:", flush=True)
        out.append(run_case(name, args.scale, args.repeats, args.budget))
    print("\n| case | m × n | descend s (solver) | best peer | peer s | descend / best |")
    print("|---|---|---|---|---|---|")
    for row in out:
        res = row["results"]
        peer = min((w for w in res if w != "descend" and res[w]["seconds"]),
                   key=lambda w: res[w]["seconds"], default=None)
        ours, ratio = res["descend"], row["descend_over_best"]
        mine = "not reached" if ours["seconds"] is None else f"{ours['seconds']:.3g}"
        theirs = "" if peer is None else f"{res[peer]['seconds']:.3g}"
        shown = "n/a" if ratio is None else f"{ratio:.2f}"
        print(f"| {row['case']} | {row['m']:,} × {row['n']} | {mine} ({ours.get('solver')}) | "
              f"{peer} | {theirs} | {shown} |")
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1, default=float)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
