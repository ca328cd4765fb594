r"""The lasso path: weights leaving zero one by one as the L1 penalty is relaxed.

With an L1 part, :math:`\alpha\rho\lVert w\rVert_1`, the material's update is
followed by the proximal step: each weight moves towards zero by
:math:`t\alpha\rho` and stops there if it would cross it (the soft threshold
:math:`S(z, c) = \operatorname{sign}(z)\max(|z| - c, 0)`). A weight stays at
zero as long as the slope of the loss along it, :math:`|\partial J/\partial
w_j|`, is below :math:`\alpha\rho`: so at
:math:`\alpha_{\max} = \max_j |x_j^\top (y - \bar y)|/(m\rho)` (columns centred)
every weight is zero, and below it they enter one at a time, the column that
explains most of what is left first.

:func:`lasso_path` fits the path from :math:`\alpha_{\max}` down, each fit
started from the last one's weights; :func:`lasso_path_figure` draws it beside
the soft threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .axes import figure_axes

__all__ = ["lasso_path", "lasso_path_figure", "LassoPath", "alpha_max"]


def alpha_max(X, y, l1_ratio=1.0, sample_weight=None):
    r"""The smallest ``alpha`` at which every weight of ``LinearRegression(alpha,
    l1_ratio)`` is zero: :math:`\max_j |\sum_i s_i (x_{ij} - \bar x_j)(y_i - \bar y)| /
    (\sum_i s_i\, \rho)`."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    Xc = X - np.average(X, axis=0, weights=s)
    yc = y - np.average(y, weights=s)
    return float(np.max(np.abs(Xc.T @ (s * yc))) / (s.sum() * l1_ratio))


@dataclass
class LassoPath:
    """Fits along a grid of ``alphas`` (largest first): ``coefs`` (len(alphas), n) in the
    units of ``X``, ``scaled`` the same times each column's deviation (comparable across
    columns), and the order in which columns first became nonzero."""

    alphas: np.ndarray
    coefs: np.ndarray
    scaled: np.ndarray
    names: list
    entered: list            # (column, alpha at which it first is nonzero)

    def __str__(self):
        rows = [f"lasso path over {self.alphas.size} values of alpha, from "
                f"{self.alphas[0]:.4g} (every weight zero) down to {self.alphas[-1]:.4g}:"]
        for j, alpha in self.entered:
            rows.append(f"  {self.names[j]:<28} enters at alpha = {alpha:.4g}")
        left = len(self.names) - len(self.entered)
        if left:
            rows.append(f"  ({left} column{'s' * (left > 1)} still zero at the smallest alpha)")
        return "\n".join(rows)


def lasso_path(X, y, alphas=None, *, l1_ratio=1.0, n_alphas=40, ratio=1e-3, names=None,
               tol=1e-8):
    """Fit ``LinearRegression(alpha, l1_ratio)`` for each alpha, largest first, each fit
    started from the previous weights (``coef_init``); by default ``n_alphas`` values
    spaced evenly on a log scale from just above :func:`alpha_max` down to ``ratio`` times
    it."""
    from ..models import LinearRegression

    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if alphas is None:          # from just above alpha_max, where every weight is zero
        top = alpha_max(X, y, l1_ratio) * (1 + 1e-6)
        alphas = np.geomspace(top, top * ratio, n_alphas)
    alphas = np.sort(np.asarray(alphas, dtype=float))[::-1]
    coefs, coef, intercept = [], None, None
    for alpha in alphas:
        model = LinearRegression(alpha=float(alpha), l1_ratio=l1_ratio, tol=tol)
        model.fit(X, y, coef_init=coef, intercept_init=intercept)
        coef, intercept = model.coef_, model.intercept_
        coefs.append(coef)
    coefs = np.array(coefs)
    scaled = coefs * X.std(axis=0)
    names = list(names) if names is not None else [f"column {j}" for j in range(X.shape[1])]
    first = [(j, int(np.flatnonzero(coefs[:, j] != 0)[0])) for j in range(X.shape[1])
             if np.any(coefs[:, j] != 0)]
    entered = [(j, float(alphas[k])) for j, k in sorted(first, key=lambda item: item[1])]
    return LassoPath(alphas, coefs, scaled, names, entered)


def lasso_path_figure(X=None, y=None, *, names=None, axes=None, **params):
    """The soft threshold (left) and the lasso path (right): weights, times their column's
    deviation, against alpha on a log scale, each labelled where it enters. By default on
    the bundled housing data, its columns standardized so that the penalty weighs them
    alike (on raw columns a column in the thousands has cheap weights and enters first)."""
    if X is None:
        from .datasets import load_housing

        data = load_housing()
        X, y, names = data.X, data.y / 1000, data.feature_names
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        unit = " (y in $1000s)"
    else:
        unit = ""
    path = lasso_path(X, y, names=names, **params)
    fig, (left, right) = figure_axes(None, ncols=2, figsize=(11.0, 4.6)) if axes is None else (
        axes[0].figure, axes)
    z = np.linspace(-3, 3, 301)
    cut = 1.0
    left.plot(z, z, color="0.7", lw=1, ls="--", label="gradient step alone: z")
    left.plot(z, np.sign(z) * np.maximum(np.abs(z) - cut, 0), color="C3", lw=2,
              label=r"then the proximal step: S(z, $t\alpha\rho$)")
    left.axvspan(-cut, cut, color="C3", alpha=0.08)
    left.text(0, 1.9, "held at zero:\n" + r"$|z| \leq t\alpha\rho$", ha="center", fontsize=9)
    left.set_xlabel("a weight after the gradient step, z")
    left.set_ylabel("the weight after the step")
    left.set_title("The soft threshold (here " + r"$t\alpha\rho = 1$" + ")", fontsize=10)
    left.legend(fontsize="small", loc="lower right")
    order = {j: k for k, (j, _) in enumerate(path.entered)}
    colors = plt_colors(path.coefs.shape[1])
    for j in range(path.coefs.shape[1]):
        right.plot(path.alphas, path.scaled[:, j], color=colors[order.get(j, j)], lw=1.5)
        if j in order:
            right.plot([dict(path.entered)[j]], [0], "o", color=colors[order[j]], ms=4)
    ends = path.scaled[-1]
    for j, height in zip(*_spread(ends, 0.045 * (np.ptp(path.scaled) or 1.0))):
        right.annotate(path.names[j], (path.alphas[-1], height), fontsize=7, xytext=(4, 0),
                       textcoords="offset points", va="center",
                       color=colors[order.get(j, j)], annotation_clip=False)
    right.set_xscale("log")
    right.invert_xaxis()
    right.axhline(0, color="0.6", lw=0.8)
    right.set_xlabel(r"alpha (the penalty's strength; smaller to the right)")
    right.set_ylabel("weight × its column's deviation" + unit)
    right.set_title(f"Lasso path: weights leave zero one by one ({len(path.entered)} of "
                    f"{path.coefs.shape[1]} by alpha = {path.alphas[-1]:.3g})", fontsize=10)
    right.margins(x=0.02)
    return fig


def plt_colors(k):
    """``k`` distinct colours (tab20's, by the order the columns enter)."""
    from matplotlib import colormaps

    cmap = colormaps["tab20" if k > 10 else "tab10"]
    return [cmap(i % cmap.N) for i in range(k)]


def _spread(values, gap):
    """``(order, heights)``: labels for ``values`` moved apart to at least ``gap``, each as
    near its value as that allows (sorted, pushed up, then the block recentred)."""
    order = np.argsort(values)
    heights = np.array(values, dtype=float)[order]
    for k in range(1, heights.size):
        heights[k] = max(heights[k], heights[k - 1] + gap)
    heights -= max(0.0, float(np.mean(heights - np.sort(values))))
    return order, heights
