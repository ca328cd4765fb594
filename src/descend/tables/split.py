"""The split rule, one for every kind of data: how many rows train, and which.

``floor(frac * rows + 1/2)`` rows of a group go to training (round half up,
with ``frac`` taken exactly as the decimal it prints as: 0.29 of 50 rows is
14.5, so 15), chosen by a random permutation; :func:`descend.tables.data.train_test_split`
applies it to the whole table or to each class, and
:meth:`descend.dask.container.DaskDataContainer.train_test_split` to each partition.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..errors import DataError

__all__ = ["exact_fraction", "training_rows"]


def exact_fraction(frac):
    """``frac`` as an exact fraction, or a DataError unless strictly between 0 and 1."""
    if isinstance(frac, bool) or not isinstance(frac, (int, float, np.number)) \
            or not 0 < frac < 1:
        raise DataError(f"frac={frac!r} must be a number strictly between 0 and 1 "
                        "(the training fraction, e.g. 0.8)")
    return Fraction(str(frac))                     # 0.29 as 29/100, not 0.28999...


def training_rows(rng, rows, frac, *, both_parts=False):
    """Which of ``rows`` (an index array, or a count) go to training, by the rule above.

    ``both_parts`` keeps at least one row in each part (a group of two or more).
    """
    rows = np.arange(rows) if np.ndim(rows) == 0 else np.asarray(rows)
    k = int(frac * len(rows) + Fraction(1, 2))
    if both_parts:
        k = min(max(k, 1), len(rows) - 1)
    return rng.permutation(rows)[:k]
