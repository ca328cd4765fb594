r"""The two curves behind a classifier's probabilities, for one class against the rest.

The **ROC curve**: as the threshold :math:`t` falls from above every score to the
lowest, the rows of score :math:`\ge t` are predicted positive, and the curve
follows the true-positive rate (the share of the positive rows' weight caught)
against the false-positive rate (the share of the negative rows' weight flagged).
Its area, the ROC AUC, is the chance that a random positive row scores above a
random negative one (ties count half): 0.5 is a coin, 1 a perfect ranking.

The **calibration bins**: the probabilities cut into ``n_bins`` equal bins; in
each, the mean predicted probability against the observed frequency of the
class. A calibrated model's points lie on the diagonal: of the rows given 0.8,
eight in ten are of the class.
"""

from __future__ import annotations

import numpy as np

from .errors import DataError

__all__ = ["roc_curve", "area_under", "calibration_bins"]


def _prepared(positive, score, sample_weight, what):
    """``positive`` (m,) bool, ``score`` (m,) float and the weights (m,) of the rows of
    nonzero weight; a DataError for lengths that differ or scores that are not finite."""
    positive = np.asarray(positive, dtype=bool).ravel()
    score = np.asarray(score, dtype=float).ravel()
    w = (np.ones(score.size) if sample_weight is None
         else np.asarray(sample_weight, dtype=float).ravel())
    if not positive.size == score.size == w.size:
        raise DataError(f"{what}: the labels, the {what.split()[0]} scores and the weights "
                        f"must have one entry per row; got {positive.size}, {score.size} "
                        f"and {w.size}.")
    if not np.all(np.isfinite(score)):
        raise DataError(f"{what}: the scores hold {int(np.sum(~np.isfinite(score)))} missing "
                        "or infinite value(s); every row needs a finite probability.")
    keep = w != 0
    return positive[keep], score[keep], w[keep]


def roc_curve(positive, score, sample_weight=None):
    """The ROC curve of ``score`` (m,) for the rows where ``positive`` (m,) is True.

    Returns ``(fpr, tpr, thresholds)``, one point per distinct score from the highest
    down, after the point (0, 0) at threshold ``inf``: at ``thresholds[j]`` the rows of
    score >= it are predicted positive. Rows weigh ``sample_weight`` (m,); those of weight
    0 are left out. These are scikit-learn's ``roc_curve(..., drop_intermediate=False)``.
    A DataError when the rows hold one class only: the curve then has no meaning.
    """
    positive, score, w = _prepared(positive, score, sample_weight, "ROC curve")
    if not (positive.any() and (~positive).any()):
        raise DataError("ROC curve: the rows hold one class only (" +
                        ("every row is positive" if positive.any() else "no row is positive")
                        + "), so one of its two rates has nothing to divide by.")
    order = np.argsort(-score, kind="mergesort")            # highest score first
    score, positive, w = score[order], positive[order], w[order]
    last = np.r_[np.flatnonzero(np.diff(score)), score.size - 1]   # end of each distinct score
    tp = np.cumsum(w * positive)[last]                      # weight caught at each threshold
    fp = np.cumsum(w * ~positive)[last]
    return (np.r_[0.0, fp / fp[-1]], np.r_[0.0, tp / tp[-1]], np.r_[np.inf, score[last]])


def area_under(x, y):
    """The area under the polyline through the points ``(x, y)`` in order (trapezoids)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))


def calibration_bins(positive, proba, n_bins=10, sample_weight=None):
    """The reliability of probabilities ``proba`` (m,) of the class held by ``positive`` (m,).

    The interval [0, 1] is cut into ``n_bins`` equal bins (a probability on an inner
    edge falls in the bin below it, as in scikit-learn's ``calibration_curve``). Returns
    ``(edges, predicted, observed, weight)``: the ``n_bins + 1`` edges, and per bin
    (n_bins,) the rows' mean predicted probability, the share of them of the class, and
    their weight (their count without ``sample_weight``); NaN for an empty bin. The bins
    that hold rows are scikit-learn's ``(prob_pred, prob_true)``.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"calibration: n_bins must be a whole number of at least 1, got "
                         f"{n_bins!r}.")
    positive, proba, w = _prepared(positive, proba, sample_weight, "calibration bins")
    if proba.size and (proba.min() < 0 or proba.max() > 1):
        raise DataError("calibration: the probabilities must lie in [0, 1]; they range from "
                        f"{proba.min():g} to {proba.max():g}.")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], proba)              # (m,) bin of each row
    weight = np.bincount(bins, weights=w, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        predicted = np.bincount(bins, weights=w * proba, minlength=n_bins) / weight
        observed = np.bincount(bins, weights=w * positive, minlength=n_bins) / weight
    empty = weight == 0
    predicted[empty] = observed[empty] = np.nan
    return edges, predicted, observed, weight
