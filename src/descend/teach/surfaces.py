r"""The loss surface :math:`J(w, b)` of a one-feature model, and the descent on it.

With one feature :math:`x` a model has two parameters, the weight :math:`w`
and the intercept :math:`b`, so its loss

.. math::
    J(w, b) = \frac{1}{m}\sum_{i=1}^{m} L(w x_i + b,\ y_i) + \frac{\alpha}{2} w^2

is a surface over the plane, and gradient descent is a walk on it: one point
per iteration, each a step :math:`-\alpha_k \nabla J` from the one before.
Re-exported by :mod:`descend.teach.plots`; matplotlib is imported only when a
figure is made.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import DivergenceError
from ..losses import loss_of

__all__ = ["loss_surface", "solver_paths"]

_VIEWS = ("contour", "3d", "both")


def loss_surface(X, y, *, model=None, ax=None, view="contour", grid=60):
    r"""The loss surface :math:`J(w, b)` of a one-feature model with the path of its descent.

    The model is fitted with a ``callback`` that records :math:`(w, b)` after
    every update; the path drawn is the start followed by those iterates, one
    point per iteration. The surface is the model's own objective
    (:func:`descend.models.objective_of`: its loss and penalty over the same
    rows), so it is exactly the :math:`J` the model minimizes and
    ``history_["loss"]`` lies on it.

    Parameters
    ----------
    X : array_like of shape (m,) or (m, 1)
        The single feature :math:`x`.
    y : array_like of shape (m,)
        Targets for linear regression, two class labels for logistic.
    model : LinearRegression, LogisticClassifier, "linear", "logistic" or None
        An unfitted estimator, fitted here **in place** (its ``callback`` is
        wrapped during the fit and restored after); a string picks one with
        ``solver="gd"``, ``standardize=False``, ``learning_rate="auto"`` and
        ``max_iter=5000``; None means "linear". With ``standardize=False`` the
        descent happens in the coordinates drawn, so its steps are
        perpendicular to the contours when the axes have equal scales.
    ax : matplotlib Axes, optional
        A plain Axes for ``view="contour"``, one made with
        ``projection="3d"`` for ``view="3d"``; ``view="both"`` needs two
        panels and makes its own figure.
    view : {"contour", "3d", "both"}
        Level curves seen from above, the surface in 3-D, or both side by side.
    grid : int
        Points along each axis of the :math:`(w, b)` grid. The grid covers the
        start, the whole path and the optimum (found by a separate L-BFGS
        fit, and marked when it exists).

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.descend_path``, the drawn path: an array of shape
        ``(n_iter_ + 1, 2)`` of :math:`(w, b)`, row 0 the start. If a fixed
        learning rate made the descent diverge, the
        :class:`~descend.errors.DivergenceError` is caught, the path stops at
        the last iterate before it, and the title says so.
    """
    x = _one_feature(X)
    if view not in _VIEWS:
        raise ValueError(f"view must be one of {_VIEWS}, got {view!r}.")
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise ValueError(f"grid must be an integer of at least 2 (points per axis), got {grid!r}.")
    fig, panels = _panels(ax, view)
    model = _model("linear" if model is None else model,
                   solver="gd", standardize=False, max_iter=5000)

    from ..models import objective_of

    objective, theta0 = objective_of(model, x, y)
    path, diverged_at = _descend(model, x, y)
    path = np.vstack([list(_pair(*objective.params(theta0))), path])  # (n_iter + 1, 2)
    reference = _fit_quietly(model, x, y, solver="lbfgs", learning_rate="auto", tol=1e-9, max_iter=10_000)
    optimum = _params(reference) if reference.stop_reason_ in ("converged", "stalled") else None

    J = np.vectorize(lambda w, b: objective.at(np.array([w]), b)[0])
    W, B = _grid(path if optimum is None else np.vstack([path, optimum]), grid)
    surface = J(W, B)                                                  # (grid, grid)
    path_J = J(path[:, 0], path[:, 1])                                 # (n_iter + 1,)

    for panel in panels:
        if panel.name == "3d":
            _draw_3d(panel, W, B, surface, path, path_J)
        else:
            _draw_contour(panel, W, B, surface, path, optimum)
    n_iter = path.shape[0] - 1
    how = (f"diverged at iteration {diverged_at}" if diverged_at
           else f"{n_iter} iteration{'s' * (n_iter != 1)}")
    kind = loss_of(model).title
    rate = model.learning_rate if isinstance(model.learning_rate, str) else f"{model.learning_rate:.3g}"
    title = f"Loss surface J(w, b), {kind}\nsolver {model.solver!r}, learning_rate {rate}: {how}"
    if len(panels) == 1:
        panels[0].set_title(title)
    else:
        fig.suptitle(title)
    fig.descend_path = path
    return fig


#: How each solver's path is drawn in :func:`solver_paths`.
_PATH_STYLE = {"gd": ("tab:red", "o"), "nesterov": ("tab:orange", "^"),
               "lbfgs": ("tab:cyan", "s"), "newton": ("white", "D")}


def solver_paths(X, y, *, model="logistic", solvers=("gd", "nesterov", "lbfgs", "newton"),
                 ax=None, max_iter=100, grid=60):
    r"""The paths of several solvers from the same start on the same loss surface.

    Each solver fits a copy of ``model`` (``"linear"``/``"logistic"`` or an
    unfitted estimator) with ``standardize=False``, so that it descends in
    the :math:`(w, b)` drawn, for at most ``max_iter`` iterations; the legend
    gives the iterations each took. Gradient descent zigzags across a narrow
    valley, momentum overshoots and comes back, L-BFGS learns the valley's
    shape from its steps, and Newton's method, which reads the curvature at
    every step, jumps to the bottom of the local parabola.

    Returns the Figure, with ``fig.descend_paths``: ``{solver: (k + 1, 2)}``
    arrays of :math:`(w, b)`, row 0 the start.
    """
    from sklearn.base import clone

    from ..models import objective_of

    x = _one_feature(X)
    fig, (panel,) = _panels(ax, "contour")
    base = _model(model, standardize=False)
    base.set_params(standardize=False, learning_rate="auto", max_iter=max_iter)
    objective, theta0 = objective_of(base, x, y)
    start = np.array(_pair(*objective.params(theta0)))
    paths = {}
    for solver in solvers:
        fitted = clone(base).set_params(solver=solver)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            steps, _ = _descend(fitted, x, y)
        paths[solver] = np.vstack([start, steps])
    reference = _fit_quietly(base, x, y, solver="newton", tol=1e-12, max_iter=100)
    optimum = _params(reference)
    J = np.vectorize(lambda w, b: objective.at(np.array([w]), b)[0])
    W, B = _grid(np.vstack([*paths.values(), optimum]), grid)
    surface = J(W, B)
    filled = panel.contourf(W, B, surface, levels=_levels(surface), cmap="viridis")
    panel.contour(W, B, surface, levels=filled.levels, colors="white", linewidths=0.4, alpha=0.5)
    fig.colorbar(filled, ax=panel, label="loss J(w, b)", ticks=filled.levels[::2], format="%.4g")
    for solver, path in paths.items():
        color, marker = _PATH_STYLE.get(solver, ("black", "x"))
        panel.plot(path[:, 0], path[:, 1], color=color, marker=marker, markersize=4,
                   markeredgecolor="black", markeredgewidth=0.4, linewidth=1.2,
                   label=f"{solver}: {path.shape[0] - 1} iterations")
    panel.plot(*optimum, "*", color="gold", markeredgecolor="black", markersize=14,
               label="optimum")
    panel.set_xlim(W.min(), W.max())
    panel.set_ylim(B.min(), B.max())
    panel.set_xlabel("w (weight of x)")
    panel.set_ylabel("b (intercept)")
    panel.legend(loc="best", fontsize="small", framealpha=0.85)
    count = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}.get(len(paths), str(len(paths)))
    panel.set_title(f"{count} solvers on one loss surface ({loss_of(base).title}), same start")
    fig.descend_paths = paths
    return fig


# ---------------------------------------------------------------- fitting
def _one_feature(X):
    x = np.asarray(X, dtype=float)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(
            f"loss_surface draws J over (w, b), so X must hold one feature: shape (m,) or (m, 1), "
            f"got {np.shape(X)}. Pick a column, e.g. X[:, [0]]."
        )
    return x.reshape(-1, 1)                                            # (m, 1)


def _model(model, **defaults):
    """``model`` itself, or for "linear"/"logistic" a new estimator with ``defaults``."""
    from ..models import LinearRegression, LogisticClassifier, estimator

    if isinstance(model, str):
        return estimator(model, **defaults)
    if not isinstance(model, (LinearRegression, LogisticClassifier)):
        raise ValueError(f"model must be a LinearRegression or LogisticClassifier, got {type(model).__name__}.")
    return model


def _pair(w, b):
    return float(np.ravel(w)[0]), float(b)


def _params(fitted):
    return np.array([np.ravel(fitted.coef_)[0], np.ravel(fitted.intercept_)[0]], dtype=float)


def _fit_quietly(model, x, y, **params):
    """A copy of ``model`` with ``params``, fitted without callbacks or warnings."""
    from sklearn.base import clone

    copy = clone(model).set_params(callback=None, verbose=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return copy.fit(x, y)


def _descend(model, x, y):
    """Fit ``model`` in place; the iterates (w, b) after each update, (n_iter, 2)."""
    user = model.callback
    steps = []

    def record(step):
        steps.append((step.coef[0], step.intercept))
        if user is not None:
            user(step)

    model.set_params(callback=record)
    diverged_at = None
    try:
        model.fit(x, y)
    except DivergenceError:
        diverged_at = len(steps) + 1          # raised before that iteration's callback
    finally:
        model.set_params(callback=user)
    return np.array(steps, dtype=float).reshape(-1, 2), diverged_at


# ---------------------------------------------------------------- drawing
def _grid(points, n):
    """A (w, b) meshgrid around ``points`` (k, 2), with a margin.

    Each axis spans at least a quarter of the other, so the bowl shows in both
    directions; spans within a factor 2 are made equal, for true angles.
    """
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * np.maximum(1.0, np.abs(hi)))
    span = np.maximum(span, span.max() / 4)
    if span.max() <= 2 * span.min():
        span = np.full(2, span.max())
    centre = (lo + hi) / 2
    lo, hi = centre - 0.65 * span, centre + 0.65 * span
    return np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))


def _levels(surface, n=16):
    # Geometric above the minimum: the bowl's floor gets as many curves as its walls.
    lo, hi = float(surface.min()), float(surface.max())
    return lo + (hi - lo) * np.concatenate([[0.0], np.geomspace(1e-3, 1.0, n)])


def _panels(ax, view):
    if ax is not None:
        if view == "both":
            raise ValueError("view='both' draws two panels; pass ax=None, or view='contour' or '3d'.")
        if (ax.name == "3d") != (view == "3d"):
            raise ValueError(f"view={view!r} needs {'a 3-D' if view == '3d' else 'a plain 2-D'} ax "
                             "(3-D axes come from fig.add_subplot(projection='3d')).")
        return ax.figure, [ax]
    import mpl_toolkits.mplot3d  # noqa: F401  (registers projection="3d")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12.0, 5.0) if view == "both" else (6.5, 5.0), layout="constrained")
    kinds = {"contour": [None], "3d": ["3d"], "both": [None, "3d"]}[view]
    return fig, [fig.add_subplot(1, len(kinds), k + 1, projection=p) for k, p in enumerate(kinds)]


def _draw_contour(ax, W, B, surface, path, optimum):
    filled = ax.contourf(W, B, surface, levels=_levels(surface), cmap="viridis")
    ax.contour(W, B, surface, levels=filled.levels, colors="white", linewidths=0.4, alpha=0.5)
    ax.figure.colorbar(filled, ax=ax, label="loss J(w, b)", ticks=filled.levels[::2], format="%.4g")
    ax.plot(path[:, 0], path[:, 1], color="tab:red", marker="o", markersize=2.5, linewidth=1,
            label=f"descent: {path.shape[0] - 1} step{'s' * (path.shape[0] != 2)}")
    ax.plot(*path[0], "o", color="white", markeredgecolor="black", markersize=8,
            label=f"start ({path[0, 0]:.3g}, {path[0, 1]:.3g})")
    ax.plot(*path[-1], "s", color="tab:red", markeredgecolor="black", markersize=7,
            label=f"last ({path[-1, 0]:.3g}, {path[-1, 1]:.3g})")
    if optimum is not None:
        ax.plot(*optimum, "*", color="gold", markeredgecolor="black", markersize=13,
                label=f"optimum ({optimum[0]:.3g}, {optimum[1]:.3g})")
    if np.isclose(np.ptp(W), np.ptp(B)):
        ax.set_aspect("equal")
    finish_wb(ax, W, B)


def finish_wb(ax, W, B):
    """Limits, labels and legend of a panel drawn over the (w, b) grid ``W``, ``B``."""
    ax.set_xlim(W.min(), W.max())
    ax.set_ylim(B.min(), B.max())
    ax.set_xlabel("w (weight of x)")
    ax.set_ylabel("b (intercept)")
    ax.legend(loc="best", fontsize="small", framealpha=0.85)


def _draw_3d(ax, W, B, surface, path, path_J):
    ax.plot_surface(W, B, surface, cmap="viridis", alpha=0.55, linewidth=0, antialiased=True)
    ax.plot(path[:, 0], path[:, 1], path_J, color="tab:red", marker="o", markersize=2.5,
            linewidth=1, label="descent")
    ax.plot([path[0, 0]], [path[0, 1]], [path_J[0]], "o", color="white",
            markeredgecolor="black", markersize=8, label="start")
    ax.plot([path[-1, 0]], [path[-1, 1]], [path_J[-1]], "s", color="tab:red",
            markeredgecolor="black", markersize=7, label="last")
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_zlabel("J(w, b)")
    ax.legend(loc="upper left", fontsize="small")
