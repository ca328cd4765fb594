"""What the explorer's page draws, computed here so that the page only strokes lines: the
loss surface's contour lines (contourpy, matplotlib's own contouring) and the fit or
decision boundary over the data at each iteration."""

from __future__ import annotations

import numpy as np

__all__ = ["surface", "fit_lines", "GRID"]

#: Points per side of the loss surface's grid.
GRID = 45


def surface(objective, path, optimum, n):
    """The loss over two parameters, as contour lines, around the path's start and the
    optimum (a path that flew off is cut by the drawing, not the grid)."""
    import contourpy

    if n == 1:
        names, fixed = ("w", "b"), None
        def at(p, q): return objective.at(np.array([p]), q)[0]            # noqa: E704
        pick = [0, 1]
    else:
        b = optimum["intercept"] if optimum else float(path[-1, n]) if np.all(np.isfinite(path[-1])) else 0.0
        names, fixed = ("w1", "w2"), b
        def at(p, q): return objective.at(np.array([p, q]), b)[0]         # noqa: E704
        pick = [0, 1]
    finite = path[np.all(np.isfinite(path), axis=1)][:, pick]
    points = [finite[:1]]
    if optimum:
        points.append(np.array([[*optimum["coef"], optimum["intercept"]]])[:, pick])
    sane = finite[np.all(np.abs(finite - finite[0]) < 1e3 * (1 + np.abs(finite[0])), axis=1)]
    points.append(sane)
    box = np.vstack(points)
    lo, hi = box.min(axis=0), box.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * np.maximum(1.0, np.abs(hi)))
    span = np.maximum(span, span.max() / 4)
    lo, hi = (lo + hi) / 2 - 0.65 * span, (lo + hi) / 2 + 0.65 * span
    P, Q = np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID))
    with np.errstate(over="ignore", invalid="ignore"):
        J = np.vectorize(at)(P, Q)
    if not np.isfinite(J).any():                         # the loss overflows everywhere here
        return {"params": list(names), "fixed_intercept": fixed,
                "extent": [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])],
                "contours": []}
    top, bottom = float(np.nanmax(J)), float(np.nanmin(J))
    levels = bottom + (top - bottom) * np.geomspace(1e-3, 1.0, 14)
    generator = contourpy.contour_generator(P, Q, J)
    contours = [{"level": float(level),
                 "lines": [np.round(line, 10).tolist() for line in generator.lines(level)]}
                for level in levels]
    return {"params": list(names), "fixed_intercept": fixed,
            "extent": [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])],
            "contours": contours}


def fit_lines(X, y, path, kind):
    r"""Per iteration, what to draw over the data, as a polyline ``[[x, y], ...]`` or None:
    one feature, the fit :math:`\hat y = wx + b` or the probability
    :math:`\sigma(wx + b)` along x; two features, the line where :math:`w \cdot x + b`
    is 0 (the boundary) or, for a regression, the median of y, within the data's box."""
    from ..losses import sigmoid

    lo, hi = X.min(axis=0), X.max(axis=0)
    level = 0.0 if kind == "logistic" else float(np.median(y))
    grid = np.linspace(lo[0], hi[0], 41)
    out = []
    with np.errstate(over="ignore", invalid="ignore"):
        for row in path:
            if not np.all(np.isfinite(row)):
                out.append(None)
            elif X.shape[1] == 1:
                z = row[0] * grid + row[1]
                curve = sigmoid(z) if kind == "logistic" else z
                out.append(np.column_stack([grid, curve]).tolist()
                           if np.all(np.isfinite(curve)) else None)
            else:
                out.append(_clipped_line(row, lo, hi, level))
    return out


def _clipped_line(row, lo, hi, level):
    """The line w1 x + w2 y + b = level within the box [lo, hi], or None."""
    w1, w2, b = row
    b = b - level
    found = []
    for x in (lo[0], hi[0]):
        if w2 != 0:
            y = -(w1 * x + b) / w2
            if lo[1] <= y <= hi[1]:
                found.append([float(x), float(y)])
    for y in (lo[1], hi[1]):
        if w1 != 0:
            x = -(w2 * y + b) / w1
            if lo[0] <= x <= hi[0]:
                found.append([float(x), float(y)])
    return found[:2] if len(found) >= 2 else None
