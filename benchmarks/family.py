"""The rest of the family against its peers: K classes, the elastic net, sample weights.

For each case, in one run on the same data, every library gets the same tol sweep
(``speed.TOLS``) and is timed at the loosest tol whose fit ends within ``1e-6``
(relative) of the optimal objective, computed here with numpy from each fit's
coefficients; the optimum is the lowest objective of tight fits by descend and by
the peers. Each time is the median of ``--repeats`` fits at that tol.

Cases (``--cases`` picks some; ``--scale 0.1`` divides the rows by ten):

* ``softmax``: 5 classes, 200k x 30, alpha 1e-4; scikit-learn's multinomial
  ``LogisticRegression`` (lbfgs, newton-cholesky).
* ``enet-linear``: 200k x 50, alpha 0.05, l1_ratio 0.5; scikit-learn's ``ElasticNet``
  (coordinate descent) and glum (normal family).
* ``enet-logistic``: 200k x 50, alpha 0.01, l1_ratio 0.5; glum (binomial) and
  scikit-learn's saga.
* ``weighted``: two-class, 1M x 50, weights 0..4: descend weighted against descend
  unweighted, and scikit-learn's lbfgs with the same weights.

Prints descend's time over the best peer's. Timing belongs here, never in a test.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from speed import TOLS

from descend import LinearRegression, LogisticClassifier
from descend.softmax import softmax

TARGET = 1e-6


def data(case, m, seed=0):
    rng = np.random.default_rng(seed)
    n = 30 if case == "softmax" else 50
    X = rng.standard_normal((m, n)) @ np.diag(np.linspace(0.5, 2.0, n))
    w = rng.standard_normal((n, 5)) * (rng.random((n, 5)) < 0.4)
    if case == "softmax":
        y = np.array([rng.choice(5, p=p) for p in softmax(X @ w * 0.5)])
    elif case == "enet-linear":
        y = X @ w[:, 0] + rng.standard_normal(m)
    else:
        y = (rng.random(m) < 1 / (1 + np.exp(-X @ w[:, 0]))).astype(int)
    weights = rng.integers(0, 5, m).astype(float) if case == "weighted" else None
    return X, y, weights


def objective(case, X, y, coef, intercept, alpha, l1_ratio, weights=None):
    """The objective each library minimizes, in descend's convention, with numpy."""
    s = np.ones(len(y)) if weights is None else weights
    coef, intercept = np.asarray(coef, dtype=float), np.asarray(intercept, dtype=float)
    if case == "softmax":
        Z = X @ coef.T + intercept
        top = Z.max(axis=1)
        data_term = top + np.log(np.exp(Z - top[:, None]).sum(axis=1)) - Z[np.arange(len(y)), y]
    elif case == "enet-linear":
        data_term = 0.5 * (X @ coef.ravel() + intercept.ravel()[0] - y) ** 2
    else:
        z = X @ coef.ravel() + intercept.ravel()[0]
        data_term = np.logaddexp(0, z) - y * z
    penalty = alpha * (l1_ratio * np.abs(coef).sum() + 0.5 * (1 - l1_ratio) * np.sum(coef ** 2))
    return float(s @ data_term / s.sum()) + penalty


SETTINGS = {"softmax": (1e-4, 0.0), "enet-linear": (0.05, 0.5), "enet-logistic": (0.01, 0.5),
            "weighted": (0.0, 0.0)}


def contenders(case, m, weights):
    """``{name: (make(tol), takes_weights)}``: descend and the installed peers."""
    from sklearn.linear_model import ElasticNet, LogisticRegression
    alpha, ratio = SETTINGS[case]
    found = {}
    if case in ("enet-linear",):
        found["descend"] = lambda tol: LinearRegression(alpha=alpha, l1_ratio=ratio, tol=tol)
        found["sklearn ElasticNet"] = lambda tol: ElasticNet(alpha=alpha, l1_ratio=ratio, tol=tol,
                                                             max_iter=10_000)
    else:
        found["descend"] = lambda tol: LogisticClassifier(alpha=alpha, l1_ratio=ratio, tol=tol)
    if case == "weighted":
        found["descend unweighted"] = lambda tol: LogisticClassifier(tol=tol)
    if case in ("softmax", "weighted"):
        C = np.inf if not alpha else 1 / (alpha * m)
        for solver in ("lbfgs", "newton-cholesky"):
            found[f"sklearn {solver}"] = lambda tol, s=solver: LogisticRegression(
                C=C, solver=s, tol=tol, max_iter=1000)
    if case == "enet-logistic":
        found["sklearn saga"] = lambda tol: LogisticRegression(
            C=1 / (alpha * m), l1_ratio=ratio, solver="saga", tol=tol, max_iter=1000,
            **({"penalty": "elasticnet"} if _old_penalty() else {}))
    if case.startswith("enet"):
        try:
            from glum import GeneralizedLinearRegressor
        except ImportError:
            print("glum is not installed (pip install glum): left out")
        else:
            family = "normal" if case == "enet-linear" else "binomial"
            found["glum"] = lambda tol: GeneralizedLinearRegressor(
                family=family, alpha=alpha, l1_ratio=ratio, gradient_tol=tol, max_iter=1000)
    return found


def _old_penalty():
    """Whether this scikit-learn still needs ``penalty="elasticnet"`` for an l1_ratio (before
    1.8; from 1.8 the penalty is deprecated and l1_ratio alone sets it)."""
    import sklearn
    return tuple(int(part) for part in sklearn.__version__.split(".")[:2]) < (1, 8)


def fit(make, tol, X, y, weights):
    est = make(tol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y, sample_weight=weights)
    return est


def run_case(case, m, repeats):
    X, y, weights = data(case, m)
    alpha, ratio = SETTINGS[case]
    found = contenders(case, m, weights)
    fits = {}
    for name, make in found.items():
        w = None if name == "descend unweighted" else weights
        est = fit(make, 1e-12 if "saga" not in name else 1e-8, X, y, w)
        fits[name] = objective(case, X, y, est.coef_, est.intercept_, alpha, ratio, w)
    best = {True: min(v for k, v in fits.items() if k != "descend unweighted")}
    if "descend unweighted" in fits:
        best[False] = fits["descend unweighted"]
    print(f"\n{case}: {m} x {X.shape[1]}, alpha={alpha}, l1_ratio={ratio}; optimum "
          f"{best[True]:.12g}")
    times = {}
    for name, make in found.items():
        w = None if name == "descend unweighted" else weights
        star = best[w is not None or weights is None]
        for tol in TOLS:
            est = fit(make, tol, X, y, w)
            J = objective(case, X, y, est.coef_, est.intercept_, alpha, ratio, w)
            if J - star <= TARGET * abs(star):
                spent = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    fit(make, tol, X, y, w)
                    spent.append(time.perf_counter() - start)
                times[name] = float(np.median(spent))
                print(f"  {name:<22} tol {tol:<6g} {times[name]:8.3f} s  (J - J* = "
                      f"{(J - star) / abs(star):.1e} relative)")
                break
        else:
            print(f"  {name:<22} never within {TARGET:g} of the optimum on the tol sweep")
    peers = {k: v for k, v in times.items() if not k.startswith("descend")}
    if "descend" in times and peers:
        name = min(peers, key=peers.get)
        print(f"  descend / best peer ({name}): {times['descend'] / peers[name]:.2f}")
    if "descend unweighted" in times and "descend" in times:
        print(f"  weighted / unweighted descend: "
              f"{times['descend'] / times['descend unweighted']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for case in args.cases:
        m = int((1_000_000 if case == "weighted" else 200_000) * args.scale)
        run_case(case, m, args.repeats)


if __name__ == "__main__":
    main()
