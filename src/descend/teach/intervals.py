"""The summary as a figure: each weight with its confidence interval.

Weights of columns in different units cannot share an axis as they are, so the
figure shows each one times its column's standard deviation: how much the
prediction (the linear model's y, a classifier's log-odds) moves when the
column moves by one standard deviation, with the interval scaled alike. An
interval that crosses zero is drawn hollow: the data do not tell the weight's
sign at that level. Re-exported as ``descend.plots.coefficients``.
"""

from __future__ import annotations

import textwrap

import numpy as np

from .axes import figure_axes

__all__ = ["coefficients"]


def coefficients(summary, *, ax=None, title=None):
    """The weights of ``summary`` (``model.summary()``) per standard deviation of their
    columns, each with its ``1 - summary.alpha`` interval; the intercept is left out.
    With K classes, one row per weight and class (against the first class)."""
    record = summary.record
    per = "standard deviation of the column" if record.get("spread") else "unit of the column"
    spread = np.asarray(record.get("spread") or np.ones(len(summary.names) - 1), dtype=float)
    ci = summary.conf_int().to_numpy()
    params = np.asarray(record["params"], dtype=float)
    blocks = summary.blocks or [None]
    q = params.shape[1]
    labels, centre, low, high = [], [], [], []
    for k, block in enumerate(blocks):
        for j, name in enumerate(summary.names[1:]):
            labels.append(name if block is None else f"{name} ({block})")
            centre.append(params[k, j + 1] * spread[j])
            low.append(ci[k * q + j + 1, 0] * spread[j])
            high.append(ci[k * q + j + 1, 1] * spread[j])
    centre, low, high = map(np.asarray, (centre, low, high))
    fig, ax = figure_axes(ax, figsize=(7.0, 1.2 + 0.32 * len(labels)))
    rows = np.arange(len(labels))[::-1]
    sure = (low > 0) | (high < 0)
    ax.axvline(0.0, color="grey", linewidth=0.8)
    ax.hlines(rows, low, high, color=np.where(sure, "tab:blue", "tab:grey"), linewidth=2)
    ax.scatter(centre[sure], rows[sure], color="tab:blue", zorder=3,
               label="interval excludes 0" if sure.any() else None)
    ax.scatter(centre[~sure], rows[~sure], facecolor="white", edgecolor="tab:grey", zorder=3,
               label="interval includes 0" if not sure.all() else None)
    ax.set_yticks(rows, labels)
    level = f"{1 - summary.alpha:.0%}"
    what = {"linear": "y", "logistic": "log-odds"}.get(
        summary.kind, f"log-odds against class {(record.get('classes') or ['?'])[0]!s}")
    ax.set_xlabel(f"change in {what} per {per}\n"
                  f"(dot: the weight; line: its {level} interval, {summary.cov_type})")
    width = int(9 * fig.get_figwidth())                  # characters the title's line holds
    ax.set_title(textwrap.fill(title or f"{record['model']}: the weights and how sure they are",
                               width))
    ax.legend(loc="best", fontsize="small")
    ax.margins(y=0.5 / max(len(labels), 1))
    return fig
