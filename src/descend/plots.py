"""Figures of what the descent did.

Every function returns a matplotlib ``Figure`` and accepts an optional
``ax`` to draw into. matplotlib is imported here only, when a figure is
made, and figures are created without pyplot, so nothing needs a display.
"""

from __future__ import annotations

import numpy as np

__all__ = ["loss_curve", "predicted_vs_actual", "probability_histogram"]


def _axes(ax, ncols=1, figsize=(6.0, 4.0)):
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(1, ncols)


def loss_curve(history, *, ax=None, log=None, optimum=None, label=None,
               title="Loss during gradient descent"):
    """The loss :math:`J` after each update, from a fitted model's ``history_``.

    Parameters
    ----------
    history : mapping with "loss", or a fitted model
    log : bool or None
        Log scale on the loss axis; None picks it when the loss spans more
        than two decades (and is positive).
    optimum : float, optional
        The optimal loss :math:`J^*`. When given, the distance to it,
        :math:`J - J^*`, is drawn on a log scale: how many digits each
        iteration gains.
    """
    history = getattr(history, "history_", history)
    loss = np.asarray(history["loss"], dtype=float)
    if optimum is not None:
        loss = loss - optimum
        loss[loss <= 0] = np.nan
        log = True
    fig, ax = _axes(ax)
    iters = np.arange(loss.size)
    finite = np.isfinite(loss)
    ax.plot(iters[finite], loss[finite], marker="." if loss.size <= 60 else None, label=label)
    positive = loss[finite & (loss > 0)]
    if log is None:
        log = positive.size == finite.sum() and positive.size > 1 and positive.max() > 100 * positive.min()
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration (updates of w and b)")
    ax.set_ylabel("loss J" if optimum is None else "J - J*  (distance to the optimum)")
    ax.set_title(title)
    if label is not None:
        ax.legend()
    return fig


def predicted_vs_actual(y_true, y_pred, *, ax=None, title="Predicted versus actual"):
    """A regression's predictions against the truth, with the residuals beside.

    With ``ax`` given, only the first panel is drawn, into it.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if ax is None:
        fig, (ax, ax_res) = _axes(None, ncols=2, figsize=(10.0, 4.2))
    else:
        fig, ax_res = ax.figure, None
    from matplotlib.ticker import EngFormatter

    lo, hi = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    ax.scatter(y_true, y_pred, s=4, alpha=0.35)
    ax.plot([lo, hi], [lo, hi], color="black", linewidth=1, label="perfect prediction")
    ax.set_xlabel("actual")
    ax.set_ylabel("predicted")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(EngFormatter())
    ax.set_title(title)
    ax.legend(loc="upper left")
    if ax_res is not None:
        ax_res.scatter(y_pred, y_true - y_pred, s=4, alpha=0.35)
        ax_res.axhline(0.0, color="black", linewidth=1)
        ax_res.set_xlabel("predicted")
        ax_res.set_ylabel("residual (actual - predicted)")
        ax_res.set_title("Residuals")
        for axis in (ax_res.xaxis, ax_res.yaxis):
            axis.set_major_formatter(EngFormatter())
    return fig


def probability_histogram(y_true, proba, classes, *, ax=None, title="Predicted probabilities"):
    """How the predicted probability of ``classes[1]`` falls for each true class."""
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=float)
    fig, ax = _axes(ax)
    bins = np.linspace(0.0, 1.0, 26)
    for cls in classes:
        ax.hist(proba[y_true == cls], bins=bins, alpha=0.6, label=f"true class {cls}")
    ax.axvline(0.5, color="black", linewidth=1, linestyle="--", label="threshold 0.5")
    ax.set_xlabel(f"predicted probability of {classes[1]}")
    ax.set_ylabel("examples")
    ax.set_title(title)
    ax.legend()
    return fig
