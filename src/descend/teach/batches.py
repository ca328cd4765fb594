r"""Whole-set, mini-batch and stochastic descent, side by side.

* :func:`batch_paths`: the paths of each on one loss surface, from the same
  start. The whole set glides down; a batch of one row wanders, and ends in a
  *noise ball* around the minimum whose size is set by the step; when the
  step decays the ball shrinks.
* :func:`batch_losses`: the whole set's loss against epochs, for several
  batch sizes: every epoch reads each row once, so the curves compare equal
  amounts of data read.
* :func:`batches_table`: the same in numbers, for ``descend explain batches``.

Every path and loss comes from descend's own engine
(:func:`descend.stochastic.run_epoch` on the estimator's objective, or the
estimator's ``history_``); nothing is computed again here.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from ..stochastic import Batches, rate, run_epoch
from .axes import figure_axes, iteration_axis, log_y
from .surfaces import _grid, _levels, _one_feature, finish_wb

__all__ = ["batch_paths", "batch_losses", "batches_table", "draw_batches"]

_COLORS = {None: "tab:red", "mini": "tab:orange", 1: "tab:purple", "decayed": "tab:cyan"}


def _name(size, m):
    if size is None or size >= m:
        return "whole set (gd)"
    return "stochastic (1 row)" if size == 1 else f"mini-batch ({size} rows)"


def _walk(objective, x0, size, epochs, t_of, seed):
    """The iterates of ``epochs`` epochs of batches of ``size`` rows, ``(k + 1, 2)`` in
    ``(w, b)``, and the step's start."""
    batches = Batches(objective.rows.m, size, shuffle=True, rng=np.random.default_rng(seed))
    trace, x = [x0], x0
    for e in range(epochs):
        x, _, _ = run_epoch(objective, batches, x, t_of=t_of, trace=trace, start=float(e))
    return np.array([_wb(objective, theta) for theta in trace])


def _wb(objective, theta):
    w, b = objective.params(theta)
    return float(w[0]), float(b)


def batch_paths(X=None, y=None, *, batch_sizes=(None, 10, 1), epochs=20, seed=0, grid=60):
    r"""The paths of descent on batches of each size in ``batch_sizes`` (None: the whole
    set), from the same start on the loss surface of a line fitted to one feature.

    By default on 100 points of a noisy line (:func:`descend.teach.datasets.make_regression_line`),
    with ``x`` standardized so that the bowl is round.
    Each path steps at :math:`1/L(b)` (:func:`descend.stochastic.batch_smoothness`), the
    "auto" rate of its batch size, for ``epochs`` epochs. The right panel zooms on the
    minimum: the last quarter of the updates of stochastic descent at that constant
    step, and with ``schedule="auto"`` (constant for the first half of the epochs, then
    decaying as :math:`t_0/\sqrt{1 + e - e_{1/2}}`).

    Returns the Figure, with ``fig.descend_paths``: ``{label: (k + 1, 2)}`` arrays of
    :math:`(w, b)`, row 0 the start.
    """
    from matplotlib.figure import Figure

    from ..models import LinearRegression, objective_of
    from .datasets import make_regression_line

    if X is None:                    # x standardized, so that the bowl is round
        data = make_regression_line(100, seed=seed)
        X, y = (data.X - data.X.mean()) / data.X.std(), data.y
    x = _one_feature(X)
    base = LinearRegression(standardize=False)
    objective, _ = objective_of(base, x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = LinearRegression(standardize=False, solver="newton").fit(x, y)
    optimum = np.array([best.coef_[0], best.intercept_])
    spread = max(1.0, float(np.abs(optimum).max()))
    x0 = objective.theta(np.array([optimum[0] - 1.5 * spread]), optimum[1] + 1.5 * spread)
    m = objective.rows.m
    paths, steps = {}, {}
    for size in batch_sizes:
        t0 = 1.0 / objective.batch_lipschitz(size)
        paths[_name(size, m)] = _walk(objective, x0, size, epochs, lambda e: t0, seed)
        steps[_name(size, m)] = t0
    small = min((s for s in batch_sizes if s is not None), default=None)
    decayed = None
    if small is not None:
        t0 = 1.0 / objective.batch_lipschitz(small)
        decayed = _walk(objective, x0, small, epochs, lambda e: rate("auto", t0, e, epochs), seed)
    fig = Figure(figsize=(12.5, 5.0), layout="constrained")
    whole, zoom = fig.subplots(1, 2)
    J = np.vectorize(lambda w, b: objective.at(np.array([w]), b)[0])
    W, B = _grid(np.vstack([*paths.values(), optimum]), grid)
    _contours(whole, W, B, J(W, B))
    for (label, path), size in zip(paths.items(), batch_sizes):
        color = _COLORS.get(size, _COLORS["mini"])
        few = path.shape[0] <= 60
        whole.plot(path[:, 0], path[:, 1], color=color, lw=1.4 if few else 0.6,
                   marker="o" if few else None, ms=3, alpha=1.0 if few else 0.8,
                   label=f"{label}: {path.shape[0] - 1} updates, step {steps[label]:.3g}")
    whole.plot(*paths[next(iter(paths))][0], "o", color="white", mec="black", ms=8, label="start")
    whole.plot(*optimum, "*", color="gold", mec="black", ms=14, label="optimum")
    whole.set_title(f"{epochs} epochs from the same start: every path reads each row "
                    f"{epochs} times", fontsize=10)
    finish_wb(whole, W, B)
    if small is not None:
        tail = -max(1, (paths[_name(small, m)].shape[0] - 1) // 4)
        near = np.vstack([paths[_name(small, m)][tail:], decayed[tail:], optimum])
        Wz, Bz = _grid(near, grid)
        _contours(zoom, Wz, Bz, J(Wz, Bz))
        for path, color, what in ((paths[_name(small, m)], _COLORS[1], "constant step"),
                                  (decayed, _COLORS["decayed"], "schedule 'auto'")):
            zoom.plot(path[tail:, 0], path[tail:, 1], ".", color=color, ms=3, alpha=0.7,
                      label=f"{_name(small, m)}, {what}: last {-tail} updates")
        zoom.plot(*optimum, "*", color="gold", mec="black", ms=14, label="optimum")
        zoom.set_title("Near the minimum: the noise ball, and how a decaying step shrinks it",
                       fontsize=10)
        finish_wb(zoom, Wz, Bz)
    fig.suptitle("Whole-set, mini-batch and stochastic descent on one loss surface "
                 "(half mean squared error of a line)", fontsize=11)
    fig.descend_paths = dict(paths, **({} if decayed is None else {"decayed": decayed}))
    return fig


def _contours(ax, W, B, surface):
    filled = ax.contourf(W, B, surface, levels=_levels(surface), cmap="viridis")
    ax.contour(W, B, surface, levels=filled.levels, colors="white", linewidths=0.4, alpha=0.5)


def _fits(model, X, y, batch_sizes, epochs, params):
    """``{batch size: fitted copy}`` with solver "sgd", and the optimal loss J*."""
    from sklearn.base import clone

    from .surfaces import _model

    base = _model(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = clone(base).set_params(solver="newton", tol=1e-12, callback=None).fit(X, y)
        fits = {size: clone(base).set_params(solver="sgd", batch_size=size, max_iter=epochs,
                                             tol=0.0, callback=None, **params).fit(X, y)
                for size in batch_sizes}
    return fits, float(best.history_["loss"][-1])


def batch_losses(X, y, *, model="linear", batch_sizes=(None, 256, 16, 1), epochs=10, ax=None,
                 **params):
    r"""The whole set's loss, as the distance to its optimum :math:`J - J^*`, after each
    epoch of ``solver="sgd"`` for each batch size, from the estimators' ``history_``;
    ``params`` go to the estimator (e.g. ``schedule``, ``average``)."""
    fits, optimum = _fits(model, X, y, batch_sizes, epochs, params)
    fig, ax = figure_axes(ax, figsize=(6.5, 4.2))
    m = len(y)
    for (size, fitted), marker in zip(fits.items(), "osv^Dx" * len(fits)):
        gap = fitted.history_["loss"] - optimum
        gap[gap <= 0] = np.nan
        updates = 1 if size is None or size >= m else -(-m // size)
        ax.plot(np.arange(gap.size), gap, marker=marker, ms=5, mfc="none", color=_COLORS.get(size),
                label=f"{_name(size, m)}: {updates} update{'s' * (updates > 1)} per epoch")
    log_y(ax)
    iteration_axis(ax, "epoch (each row read once per epoch)")
    ax.set_ylabel("J - J*  (whole set, after each epoch)")
    ax.set_title(f"Loss against data read, by batch size ({m} rows)", fontsize=10)
    ax.legend(fontsize="small")
    return fig


def draw_batches(ax, history, optimum=None):
    """The loss of every batch, faint, behind a stochastic fit's loss curve; False when
    ``history`` holds none."""
    if "batch_loss" not in history:
        return False
    loss = np.asarray(history["batch_loss"], dtype=float) - (optimum or 0.0)
    at = np.asarray(history["batch_epoch"], dtype=float)
    ok = np.isfinite(loss) & (loss > 0 if optimum is not None else True)
    ax.plot(at[ok], loss[ok], color="0.6", lw=0.6, alpha=0.7, zorder=1,
            label="the loss of each batch, before its update")
    return True


class _Row(NamedTuple):
    size: object
    updates: int
    step: float
    gaps: tuple


def batches_table(X=None, y=None, *, batch_sizes=(None, 256, 16, 1), epochs=(1, 3)):
    """Numbers for ``descend explain batches``: for each batch size, its updates per
    epoch, its "auto" step :math:`1/L(b)`, and the distance to the optimum after each
    count of ``epochs``; by default on the housing data (its 20,640 rows)."""
    from ..models import LinearRegression, objective_of
    from .datasets import load_housing

    if X is None:
        data = load_housing()
        X, y = data.X, data.y
    objective, _ = objective_of(LinearRegression(), X, y)
    L = objective.lipschitz()
    fits, optimum = _fits("linear", X, y, batch_sizes, max(epochs), {"schedule": "constant"})
    m = len(y)
    rows = []
    for size, fitted in fits.items():
        updates = 1 if size is None or size >= m else -(-m // size)
        step = 1.0 / (L if size is None else objective.batch_lipschitz(size))
        loss = fitted.history_["loss"]
        rows.append(_Row(size, updates, step, tuple((loss[e] - optimum) / optimum
                                                     for e in epochs)))
    L_1 = objective.batch_lipschitz(1)
    lines = [f"Housing prices, {m} rows, {X.shape[1]} features, standardized; half mean squared "
             "error.",
             f"The whole set's largest curvature L = {L:.4g}; a single row's can reach "
             f"L_max = {L_1:.4g}.",
             "A batch of b rows is an unbiased estimate of the whole set's gradient; its "
             "noise falls as 1/b, and the step it can take safely, 1/L(b), grows with b "
             "(L(b) runs from L_max at b = 1 down to L at the whole set).", "",
             f"{'batch':<22}{'updates/epoch':>14}{'step 1/L(b)':>13}"
             + "".join(f"{f'after {e} epoch' + 's' * (e > 1):>18}" for e in epochs)]
    for row in rows:
        lines.append(f"{_name(row.size, m):<22}{row.updates:>14}{row.step:>13.3g}"
                     + "".join(f"{gap:>18.2e}" for gap in row.gaps))
    lines += ["", "The last columns are (J - J*) / J*, the whole set's loss above its optimum, "
              "at a constant step. Per row read, small batches travel furthest: many small "
              "steps for one large one. They stop in a noise ball, though: decay the step "
              "(schedule='auto' does in the second half of max_iter) or average the "
              "iterates (average=True) to settle it."]
    return "\n".join(lines)
