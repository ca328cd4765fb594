r"""Sample and class weights, checked once at the boundary.

A fit weighs row :math:`i`'s loss by :math:`s_i \ge 0` and minimizes
:math:`\sum_i s_i L_i / \sum_i s_i` plus the penalty. :func:`checked_weights`
refuses what has no meaning (a negative, NaN or infinite weight, the wrong
length, all zeros) in the words of ``fit``'s parameters, and scales the rest to
sum to ``m``, so that every pass multiplies by the weights and still divides by
``m``. :func:`class_factors` turns ``class_weight`` into a factor per class, as
scikit-learn's ``class_weight`` means it: ``"balanced"`` weighs class
:math:`k` by :math:`\sum_i s_i / (K \sum_{y_i = k} s_i)` (:math:`m / (K m_k)` without
sample weights), so that every class weighs as much in total.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import DataError

__all__ = ["checked_weights", "normalized", "class_factors"]


def checked_weights(sample_weight, m, who):
    """``sample_weight`` as float64 (m,) summing to ``m``, or None for None; a clear
    error for anything else."""
    if sample_weight is None:
        return None
    try:
        sw = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{who}: sample_weight must hold numbers, one per row of X, got "
                        f"{type(sample_weight).__name__} that does not convert to numbers."
                        ) from None
    if sw.ndim == 0:
        sw = np.full(m, float(sw))
    if sw.ndim != 1 or sw.shape[0] != m:
        raise ValueError(f"{who}: sample_weight must have shape ({m},), one weight per row "
                         f"of X, got shape {sw.shape}.")
    bad = ~np.isfinite(sw)
    if bad.any():
        raise DataError(f"{who}: sample_weight has {int(bad.sum())} missing or infinite "
                        f"value(s) (first at row {int(np.flatnonzero(bad)[0])}); give every "
                        "row a finite weight (0 leaves it out).")
    negative = sw < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise DataError(f"{who}: sample_weight must be >= 0, but {int(negative.sum())} "
                        f"weight(s) are negative (first at row {i}: {sw[i]:g}); a row counts "
                        "as many times as its weight, and 0 leaves it out.")
    return normalized(sw, who)


def normalized(sw, who):
    """Weights ``sw`` scaled to sum to their count (relative to the largest, so no sum
    overflows); all zeros is an error."""
    top = float(sw.max()) if sw.size else 0.0
    if not top > 0:
        raise DataError(f"{who}: every sample_weight is zero, which leaves no row to learn "
                        "from; give some rows a positive weight.")
    scaled = sw / top
    return scaled * (sw.size / float(scaled.sum()))


def class_factors(class_weight, classes, codes, who, sample_weight=None):
    """A factor per class (K,) for ``class_weight``: None (ones), "balanced", or a dict from
    label to weight (labels not named weigh 1). ``codes`` (m,) are the rows' class codes,
    ``sample_weight`` (m,) their weights (None: 1 each), by which "balanced" counts."""
    K = len(classes)
    if class_weight is None:
        return np.ones(K)
    if isinstance(class_weight, str) and class_weight == "balanced":
        counts = np.bincount(codes, weights=sample_weight, minlength=K).astype(float)
        return counts.sum() / (K * np.where(counts > 0, counts, 1.0))
    if not isinstance(class_weight, dict):
        raise ValueError(f"{who}: class_weight must be None, 'balanced' or a dict from class "
                         f"label to weight, got {class_weight!r}.")
    factors = np.ones(K)
    known = {c.item() if isinstance(c, np.generic) else c: k for k, c in enumerate(classes)}
    for label, weight in class_weight.items():
        key = label.item() if isinstance(label, np.generic) else label
        if key not in known:
            raise ValueError(f"{who}: class_weight names the class {label!r}, which is not in "
                             f"y (classes: {list(known)}).")
        if isinstance(weight, bool) or not (isinstance(weight, numbers.Real)
                                            and np.isfinite(weight) and weight >= 0):
            raise ValueError(f"{who}: class_weight[{label!r}] must be a number >= 0, got "
                             f"{weight!r}.")
        factors[known[key]] = float(weight)
    return factors
