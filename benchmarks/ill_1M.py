"""Ill-conditioned 1M × 50 logistic regression: descend against scikit-learn.

``speed.py``'s tol sweep cannot finish on these data, because one
scikit-learn fit runs past any budget. Here scikit-learn's lbfgs
(``C=np.inf``) is capped at 100 and at 1000 iterations, and the script
prints how far above J* each fit ends. J* comes from a tight descend fit
(tol=1e-10). Run from the project root: ``python benchmarks/ill_1M.py``
(about four minutes on 2 cores).
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))
from speed import loss_of, make_data  # noqa: E402

from descend import LogisticClassifier  # noqa: E402
from descend.losses import LogLoss  # noqa: E402


def timed(fit):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = fit()
    return model, time.perf_counter() - start


def main():
    X, _, y = make_data(1_000_000, 50, np.float64, "ill")
    tight, t_tight = timed(lambda: LogisticClassifier(tol=1e-10, max_iter=5000).fit(X, y))
    J_star = loss_of(X, y, tight.coef_, tight.intercept_, LogLoss)
    ours, t_ours = timed(lambda: LogisticClassifier().fit(X, y))
    gap = (loss_of(X, y, ours.coef_, ours.intercept_, LogLoss) - J_star) / J_star
    print(f"descend tol=1e-10: {t_tight:.2f} s, {tight.n_iter_} iterations (J* = {J_star:.12g})")
    print(f"descend default:   {t_ours:.2f} s, {ours.n_iter_} iterations, {gap:.2e} above J*",
          flush=True)
    for max_iter in (100, 1000):
        sk, t_sk = timed(lambda: LogisticRegression(C=np.inf, max_iter=max_iter, tol=1e-12)
                         .fit(X, y))
        gap = (loss_of(X, y, sk.coef_.ravel(), sk.intercept_[0], LogLoss) - J_star) / J_star
        print(f"scikit-learn lbfgs, max_iter={max_iter}: {t_sk:.1f} s, {sk.n_iter_[0]} "
              f"iterations, {gap:.2e} above J*", flush=True)


if __name__ == "__main__":
    main()
