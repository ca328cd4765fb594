"""A fit and its summary against statsmodels' fit and its summary, on the same data.

Cases (``--cases`` picks some; ``--scale`` multiplies the rows):

* ``ols``: 200k x 20 (correlated columns), ``cov_type`` nonrobust and HC3;
* ``logit``: 200k x 20, nonrobust and HC0;
* ``mnlogit``: 3 classes, 50k x 10, nonrobust.

Each time is the median of ``--repeats`` runs of fit + ``summary(cov_type)`` (descend)
against ``fit(cov_type=...)`` + ``summary()`` (statsmodels). Before timing, the
standard errors of the two are compared (the largest relative difference is printed),
so a ratio is never of two different answers. Also printed: the summary's own time
against the fit's. Timing belongs here, never in a test.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from speed import median_time

from descend import LinearRegression, LogisticClassifier


def data(case, m, seed=0):
    rng = np.random.default_rng(seed)
    n = 10 if case == "mnlogit" else 20
    mix = np.eye(n) + 0.3 * rng.standard_normal((n, n))
    X = rng.standard_normal((m, n)) @ mix * np.linspace(0.5, 20.0, n) + 5.0
    z = (X - X.mean(0)) / X.std(0) @ (rng.standard_normal(n) * 0.4)
    if case == "ols":
        return X, z + rng.standard_normal(m) * (1 + 0.5 * np.abs(z))
    if case == "logit":
        return X, (rng.random(m) < 1 / (1 + np.exp(-z))).astype(float)
    scores = np.column_stack([np.zeros(m), z, -0.5 * z + 0.3])
    p = np.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return X, (rng.random(m)[:, None] > np.cumsum(p, 1)).sum(1)


def main():
    import statsmodels.api as sm

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="*", default=["ols", "logit", "mnlogit"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    plan = {"ols": (200_000, ["nonrobust", "HC3"]), "logit": (200_000, ["nonrobust", "HC0"]),
            "mnlogit": (50_000, ["nonrobust"])}
    for case in args.cases:
        rows, cov_types = plan[case]
        X, y = data(case, int(rows * args.scale))
        X1 = sm.add_constant(X)
        Model = LinearRegression if case == "ols" else LogisticClassifier
        Peer = {"ols": sm.OLS, "logit": sm.Logit, "mnlogit": sm.MNLogit}[case]
        peer_fit = {} if case == "ols" else {"disp": 0, "method": "newton", "tol": 1e-10}
        for cov_type in cov_types:
            def ours():
                return Model(tol=1e-10).fit(X, y).summary(cov_type=cov_type)

            def theirs():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = Peer(y, X1).fit(cov_type=cov_type, **peer_fit)
                    res.summary()
                return res

            ours_se = np.asarray(ours().bse).T.ravel()
            theirs_se = np.asarray(theirs().bse).T.ravel()
            agree = float(np.max(np.abs(ours_se / theirs_se - 1)))
            t_ours = median_time(ours, args.repeats)
            t_theirs = median_time(theirs, args.repeats)
            model = Model(tol=1e-10)
            t_fit = median_time(lambda: model.fit(X, y), args.repeats)
            t_summary = median_time(lambda: model.summary(cov_type=cov_type), args.repeats)
            print(f"{case:8} {X.shape[0]:>7} x {X.shape[1]:<3} {cov_type:9}  descend "
                  f"{t_ours:7.3f} s  statsmodels {t_theirs:7.3f} s  ratio "
                  f"{t_ours / t_theirs:5.2f}  (summary {t_summary:.3f} s = "
                  f"{t_summary / t_fit:.2f} fits; bse agree to {agree:.1e}; medians of "
                  f"{args.repeats})", flush=True)


if __name__ == "__main__":
    main()
