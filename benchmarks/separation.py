"""What looking for a separation costs: in a fit, and on its own.

1. An unpenalized logistic fit with the check (its weights' proof that the classes
   overlap) against the same fit without it, at sizes below and above
   ``descend.diagnosis.FIT_CHECK_CELLS`` (above it a converged fit does not look).
2. ``find_separation`` without a fit (the linear programs alone), on separated and on
   overlapping classes.

Medians of ``--repeats`` runs; timing belongs here, never in a test.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from speed import median_time

import descend.diagnosis as diagnosis
from descend import LogisticClassifier
from descend.separation import find_separation


def overlapping(m, n, K, rng):
    X = rng.standard_normal((m, n))
    if K > 2:
        return X, np.argmax(X[:, :K] + rng.gumbel(size=(m, K)), axis=1)
    return X, (X @ rng.standard_normal(n) * 0.3 + rng.logistic(size=m) > 0).astype(int)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    warnings.simplefilter("ignore")
    LogisticClassifier().fit(*overlapping(500, 3, 2, rng))          # compile once
    looks = diagnosis.separation_of
    print(f"1. a fit with the check against without it (check up to "
          f"{diagnosis.FIT_CHECK_CELLS:,} cells), medians of {args.repeats}:")
    for m, n, K in [(2_000, 10, 2), (20_000, 20, 2), (40_000, 50, 2), (20_000, 20, 3),
                    (200_000, 50, 2), (1_000_000, 50, 2)]:
        X, y = overlapping(m, n, K, rng)
        diagnosis.separation_of = looks
        with_check = median_time(lambda: LogisticClassifier().fit(X, y), args.repeats)
        diagnosis.separation_of = lambda *a, **k: None
        without = median_time(lambda: LogisticClassifier().fit(X, y), args.repeats)
        diagnosis.separation_of = looks
        print(f"   {m:>9,} x {n:<3} K={K}: {with_check * 1e3:8.1f} ms with, "
              f"{without * 1e3:8.1f} ms without, ratio {with_check / without:.2f}", flush=True)
    print("2. the linear programs alone (find_separation, no fit), seconds:")
    for m, n in [(5_000, 19), (20_000, 9), (2_000, 99)]:
        X = rng.standard_normal((m, n))
        z = X @ rng.standard_normal(n)
        separated = (z > 0).astype(int)
        mixed = (z + rng.logistic(size=m) > 0).astype(int)
        t_sep = median_time(lambda: find_separation(X, separated), 1)
        t_mix = median_time(lambda: find_separation(X, mixed), 1)
        print(f"   {m:>6,} x {n:<3} ({m * (n + 1):,} cells): separated {t_sep:.2f} s "
              f"({find_separation(X, separated).kind}), overlapping {t_mix:.2f} s", flush=True)


if __name__ == "__main__":
    main()
