"""Two figures of a classifier's probabilities on labelled rows: the ROC curve and the
calibration (reliability) figure; for K classes, one curve per class against the rest.

Their numbers come from :mod:`descend.curves`; both are re-exported by
:mod:`descend.teach.plots` as ``descend.plots.roc`` and ``descend.plots.calibration``.
"""

from __future__ import annotations

import numpy as np

from ..curves import area_under, calibration_bins, roc_curve
from ..errors import DataError
from ..metrics import class_rows
from .axes import figure_axes

__all__ = ["roc", "calibration"]


def _curves(K):
    """The classes that get a curve: ``classes[1]`` for two classes, else each class."""
    return [1] if K == 2 else list(range(K))


def roc(y_true, proba, classes, *, sample_weight=None, ax=None, title="ROC curve"):
    """The ROC curve: as the threshold falls from 1 to 0, the share of a class's rows
    found (true-positive rate) against the share of the other rows flagged
    (false-positive rate), with its area, the ROC AUC, in the legend and the diagonal of
    chance (AUC 0.5).

    ``proba`` is the probability of each class (m, K) in the order of ``classes``, or
    for two classes that of ``classes[1]`` (m,); ``sample_weight`` (m,) weighs the rows.
    Two classes draw the curve of ``classes[1]`` and mark the point of the predictions
    (probability over 0.5); K classes draw one curve per class against the rest (a class
    with no rows gets none, said in the legend), with the mean AUC over the classes as
    the legend's title when every class has one.
    """
    codes, P, w = class_rows(y_true, proba, classes, sample_weight)
    names, K = [repr(str(c)) for c in classes], len(classes)
    if np.unique(codes).size < 2:
        raise DataError(f"ROC curve: the rows hold one class only ({str(classes[codes[0]])!r}); "
                        "it ranks the rows of a class above the others, so give rows of at "
                        "least two classes.")
    fig, ax = figure_axes(ax, figsize=(5.4, 5.0))
    areas = []
    for k in _curves(K):
        positive = codes == k
        if not positive.any():
            ax.plot([], [], " ", label=f"{names[k]}: no curve (no row of it)")
            continue
        fpr, tpr, _ = roc_curve(positive, P[:, k], w)
        areas.append(area_under(fpr, tpr))
        label = (f"{names[1]} against {names[0]}: AUC {areas[-1]:.3f}" if K == 2 else
                 f"{names[k]} against the rest: AUC {areas[-1]:.3f}")
        (line,) = ax.plot(fpr, tpr, linewidth=1.8, label=label)
    if K == 2:                                       # where the predictions (p > 0.5) sit
        said = P[:, 1] > 0.5
        positive = codes == 1
        ax.plot([w[~positive & said].sum() / w[~positive].sum()],
                [w[positive & said].sum() / w[positive].sum()], "o", color=line.get_color(),
                markersize=7, label=f"the predictions (p of {names[1]} over 0.5)")
    ax.plot([0.0, 1.0], [0.0, 1.0], linestyle="--", color="grey", linewidth=1,
            label="chance (AUC 0.5)")
    rest = f"{names[0]} rows" if K == 2 else "the other rows"
    found = f"{names[1]} rows" if K == 2 else "the class's rows"
    ax.set(xlim=(-0.01, 1.01), ylim=(-0.01, 1.01), aspect="equal", title=title,
           xlabel=f"false-positive rate (share of {rest} flagged)",
           ylabel=f"true-positive rate (share of {found} found)")
    mean = (f"mean AUC {np.mean(areas):.3f}"
            if K > 2 and len(areas) == K else None)
    ax.legend(loc="lower right", fontsize="small", title=mean, title_fontsize="small")
    return fig


def calibration(y_true, proba, classes, *, sample_weight=None, n_bins=10, ax=None,
                title="Calibration"):
    """The reliability figure: the probabilities cut into ``n_bins`` equal bins, and in
    each the share of rows of the class (observed) against the mean predicted
    probability, beside the diagonal of perfect calibration; below, how many rows (their
    weight, with ``sample_weight``) fall in each bin. With ``ax`` given, only the upper
    panel is drawn, into it.

    ``proba`` and ``classes`` as for :func:`roc`: two classes draw ``classes[1]``'s
    probability, K classes one curve per class (its probability against whether a row
    is of it).
    """
    codes, P, w = class_rows(y_true, proba, classes, sample_weight)
    names, K = [repr(str(c)) for c in classes], len(classes)
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.4, 6.6), layout="constrained")
        ax, ax_n = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    else:
        fig, ax_n = ax.figure, None
    ax.plot([0.0, 1.0], [0.0, 1.0], linestyle="--", color="grey", linewidth=1,
            label="perfectly calibrated")
    for k in _curves(K):
        edges, predicted, observed, weight = calibration_bins(codes == k, P[:, k], n_bins, w)
        full = weight > 0
        (line,) = ax.plot(predicted[full], observed[full], "-", linewidth=1.2, alpha=0.8,
                          label=names[k])
        ax.scatter(predicted[full], observed[full], s=12 + 150 * weight[full] / weight.max(),
                   color=line.get_color(), zorder=3, clip_on=False)
        if ax_n is not None:
            if K == 2:
                ax_n.bar(edges[:-1], weight, width=np.diff(edges), align="edge",
                         color=line.get_color(), alpha=0.6, edgecolor="white")
            else:
                ax_n.stairs(weight, edges, color=line.get_color(), linewidth=1.5)
    of = f"{names[1]}" if K == 2 else "the class"
    ax.set(xlim=(-0.03, 1.03), ylim=(-0.03, 1.03), title=title,
           ylabel=f"observed share of rows of {of}")
    ax.legend(loc="best", fontsize="small", title_fontsize="small",
              title=f"{n_bins} bins; a dot's size: its "
                    f"{'rows' if sample_weight is None else 'weight'}")
    xlabel = f"predicted probability of {of} (mean in each bin)"
    if ax_n is None:
        ax.set_xlabel(xlabel)
    else:
        ax_n.set(xlabel=xlabel, ylabel="rows" if sample_weight is None else "weight")
    return fig
