"""Figures of what the descent did.

Every function returns a matplotlib ``Figure`` and accepts an optional
``ax`` (or ``axes``) to draw into. matplotlib is imported here only, when a
figure is made, and figures are created without pyplot, so nothing needs a
display. The loss surface and the path on it live in :mod:`descend.teach.surfaces`,
the lasso path in :mod:`descend.teach.lasso_path`, the ROC and calibration figures in
:mod:`descend.teach.evaluation_plots`, a summary's weights with their intervals in
:mod:`descend.teach.intervals`, and are re-exported here.
"""

from __future__ import annotations

import warnings

import numpy as np

from .axes import figure_axes, iteration_axis, log_y
from .batches import batch_losses, batch_paths, draw_batches
from .evaluation_plots import calibration, roc
from .intervals import coefficients
from .lasso_path import lasso_path_figure as lasso_path
from .surfaces import _model, loss_surface, solver_paths

__all__ = [
    "loss_curve",
    "predicted_vs_actual",
    "probability_histogram",
    "roc",
    "calibration",
    "coefficients",
    "loss_surface",
    "solver_paths",
    "learning_rates",
    "batch_paths",
    "batch_losses",
    "lasso_path",
    "decision_boundaries",
    "sigmoid_figure",
]


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
    label : str, optional
        The curve's legend entry (several curves in one ``ax``).
    title : str or None
        The panel's title, e.g. naming the data and the model; None leaves
        the title as it is.

    A stochastic fit (``solver="sgd"``, or ``partial_fit``) also records the
    loss of every batch: it is drawn faintly behind the whole set's loss after
    each epoch, so that the noise of the steps shows.
    """
    streamed = getattr(history, "stop_reason_", None) == "partial_fit"
    history = getattr(history, "history_", history)
    loss = np.asarray(history["loss"], dtype=float)
    if optimum is not None:
        loss = loss - optimum
        loss[loss <= 0] = np.nan
        log = True
    fig, ax = figure_axes(ax)
    iters = np.arange(loss.size)
    finite = np.isfinite(loss)
    batches = draw_batches(ax, history, optimum)
    if batches and label is None:
        label = ("each chunk's loss, after its pass" if streamed else
                 "the whole set's loss, after each epoch")
    ax.plot(iters[finite], loss[finite], marker="." if loss.size <= 60 or batches else None,
            label=label, zorder=2)
    positive = loss[finite & (loss > 0)]
    if log is None:
        log = positive.size == finite.sum() and positive.size > 1 and positive.max() > 100 * positive.min()
    if log:
        log_y(ax)
    if batches:
        iteration_axis(ax, "partial_fit call (one chunk each)" if streamed else
                       "epoch (each row read once)")
    else:
        iteration_axis(ax)
    ax.set_ylabel("loss J" if optimum is None else "J - J*  (distance to the optimum)")
    if title is not None:
        ax.set_title(title)
    if label is not None:
        ax.legend()
    return fig


def predicted_vs_actual(y_true, y_pred, *, ax=None, title="Predicted versus actual"):
    """A regression's predictions against the truth, with the residuals beside.

    The axes are about the actual values: predictions are drawn within half
    their range beyond either end, residuals within that range of zero; a
    point beyond (a linear model extrapolates far for an unusual row) sits on
    the edge as a red cross, counted in the legend. Markers grow and darken
    as points get fewer. With ``ax`` given, only the first panel is drawn, into it.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if ax is None:
        fig, (ax, ax_res) = figure_axes(None, ncols=2, figsize=(10.0, 4.2))
    else:
        fig, ax_res = ax.figure, None
    lo, hi = float(y_true.min()), float(y_true.max())
    span = max(hi - lo, 1e-12 * max(abs(lo), 1.0))
    shown = (lo - span / 2, hi + span / 2)                     # where predictions are drawn
    _scatter_within(ax, y_true, y_pred, (lo, hi), shown)
    ax.axline((lo, lo), slope=1.0, color="black", linewidth=1, label="perfect prediction")
    ax.set(xlabel="actual", ylabel="predicted", title=title)
    ax.legend(loc="best", fontsize="small")
    if ax_res is not None:
        _scatter_within(ax_res, y_pred, y_true - y_pred, shown, (-span, span))
        ax_res.axhline(0.0, color="black", linewidth=1)
        ax_res.set(xlabel="predicted", ylabel="residual (actual - predicted)", title="Residuals")
        if ax_res.get_legend_handles_labels()[0]:
            ax_res.legend(loc="best", fontsize="small")
    return fig


def _scatter_within(ax, x, y, xlim, ylim):
    """Scatter (x, y) sized for their number; points beyond the limits go on the edge."""
    from matplotlib.ticker import EngFormatter, MaxNLocator

    clipped_x, clipped_y = np.clip(x, *xlim), np.clip(y, *ylim)
    off = (clipped_x != x) | (clipped_y != y)
    n = max(int(np.sum(~off)), 1)
    size = float(np.clip(300 / np.sqrt(n), 6.0, 40.0))          # 11 points: 40; 4,000: 6
    ax.scatter(x[~off], y[~off], s=size, alpha=float(np.clip(10 / np.sqrt(n), 0.3, 0.9)),
               color="tab:blue", edgecolors="#08306b", linewidths=0.02 * size)
    if off.any():
        beyond = np.concatenate([x[clipped_x != x], y[clipped_y != y]])
        furthest = EngFormatter(places=0)(beyond[np.argmax(np.abs(beyond))])
        ax.scatter(clipped_x[off], clipped_y[off], s=max(size, 30.0), marker="X", color="tab:red",
                   edgecolors="black", linewidths=0.5, zorder=3,
                   label=f"{int(off.sum())} off the scale (to {furthest}), on the edge")
    for axis, values, limits in ((ax.xaxis, clipped_x, ax.set_xlim), (ax.yaxis, clipped_y, ax.set_ylim)):
        low, high = float(values.min()), float(values.max())
        pad = 0.04 * max(high - low, 1e-12 * max(abs(high), 1.0))
        limits(low - pad, high + pad)
        axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        axis.set_major_formatter(EngFormatter())


def probability_histogram(y_true, proba, classes, *, ax=None, title="Predicted probabilities"):
    """How the predicted probability of ``classes[1]`` falls for each true class."""
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=float)
    fig, ax = figure_axes(ax)
    bins = np.linspace(0.0, 1.0, 26)
    for cls in classes:
        ax.hist(proba[y_true == cls], bins=bins, alpha=0.6, label=f"true class {cls}")
    ax.axvline(0.5, color="black", linewidth=1, linestyle="--", label="threshold 0.5")
    ax.set_xlabel(f"predicted probability of {classes[1]}")
    ax.set_ylabel("examples")
    ax.set_title(title)
    ax.legend()
    return fig


#: Multiples of 1/L tried in turn for the too-large rate; the first whose loss climbs back is drawn.
_TOO_LARGE = (2.2, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 128.0, 256.0)


def learning_rates(X, y, rates=None, *, model="linear", ax=None, max_iter=200):
    r"""Plain gradient descent on the same data at a too small, a good and a too large rate.

    Each rate is shown in units of :math:`1/L`, with :math:`L` the largest
    curvature of :math:`J` (``objective_of(model, X, y)[0].lipschitz()``, the
    first step of ``learning_rate="auto"``). A rate that diverges raises
    :class:`~descend.errors.DivergenceError` inside the fit; it is caught, and
    its curve stops there, marked ``^`` and labelled "diverged at iteration k".

    For the squared error the Hessian is :math:`X^\top X/m` everywhere, so
    :math:`2/L` is exact: below it the loss falls, above it every step
    overshoots further. For the log-loss the Hessian is :math:`X^\top D X/m`
    with :math:`D = \mathrm{diag}(a(1-a))` and :math:`a(1-a) \le 1/4`; its
    :math:`L` takes :math:`D = I/4`, a worst case reached only where every
    :math:`a = 1/2`, so rates somewhat above :math:`2/L` can still converge.
    So the default too-large rate is found, not assumed: the first of
    :math:`2.2/L, 3/L, 4/L, 6/L, \dots, 256/L` whose loss diverges within
    ``max_iter`` and climbs back at least a quarter of the way to its start
    (for the squared error, :math:`2.2/L`). The title says which case holds.

    Parameters
    ----------
    X, y : array_like
        The data, as for the model's ``fit``.
    rates : sequence of float, optional
        Fixed learning rates; default :math:`0.05/L` ("too small"),
        :math:`1/L` ("good") and the too-large rate found as above.
    model : "linear", "logistic" or an unfitted estimator
        A string picks ``LinearRegression`` or ``LogisticClassifier`` with
        default parameters; an estimator is copied. Either way the solver is
        "gd" and only ``learning_rate`` and ``max_iter`` change between curves.
    max_iter : int
        Iterations per rate; not converging within them is expected, not warned.

    Returns
    -------
    matplotlib.figure.Figure
        One line per rate, :math:`J` per iteration on a log scale: point
        ``k`` is the loss after ``k`` updates, point 0 the start.
    """
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning

    from ..errors import DivergenceError
    from ..losses import loss_of
    from ..models import objective_of

    base = clone(_model(model)).set_params(solver="gd", callback=None, verbose=0)
    objective, theta0 = objective_of(base, X, y)
    inv_L = 1.0 / objective.lipschitz()
    J0 = float(objective.at(*objective.params(theta0))[0])

    def descend(rate):                            # (rate, J from the start on, diverged at)
        steps, diverged_at = [], None
        run = clone(base).set_params(learning_rate=rate, max_iter=max_iter, callback=steps.append)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # stopping at max_iter is the point
                run.fit(X, y)
        except DivergenceError as err:
            diverged_at = err.iteration           # raised before that iteration's callback
            steps.append(err)                     # so the curve ends where the loss rose
        return rate, np.array([J0] + [step.loss for step in steps]), diverged_at

    calm = None                                   # the largest multiple tried that did not diverge
    if rates is None:                             # too small, good, and a too large one looked for
        runs = [descend(0.05 * inv_L), descend(inv_L)]
        roles = ["too small", "good", "too large"]
        for multiple in _TOO_LARGE:
            run = descend(multiple * inv_L)
            if _climbs_back(*run[1:]):
                break
            calm = multiple if run[2] is None else calm
        else:
            roles[-1] = "the largest tried, yet it did not diverge"
        runs.append(run)
    else:
        runs = [descend(float(rate)) for rate in rates]
        roles = [None] * len(runs)

    fig, ax = figure_axes(ax, figsize=(7.0, 4.5))
    for (rate, loss, diverged_at), role in zip(runs, roles):
        _rate_curve(ax, rate, inv_L, loss, diverged_at, role)
    log_y(ax)
    iteration_axis(ax)
    ax.set_ylabel("loss J (log scale)")
    title = f"Plain gradient descent at fixed learning rates, {loss_of(base).title}\n"
    if loss_of(base).classifies:
        found = [] if calm is None else [f"{calm:g}/L does not diverge here"]
        if roles[-1:] == ["too large"]:
            found.append(f"{runs[-1][0] / inv_L:.3g}/L is the first tried whose loss climbs back")
        ax.set_title(title + f"L = {1 / inv_L:.4g} bounds the curvature (a(1 - a) ≤ 1/4), so 2/L "
                     "is a worst case" + (":\n" + "; ".join(found) if found else ""), fontsize="medium")
    else:
        ax.set_title(title + f"L = {1 / inv_L:.4g}, the largest curvature of J; stable exactly below 2/L")
    ax.legend(fontsize="small")
    return fig


def _climbs_back(loss, diverged_at):
    """Diverged, and visibly: the loss rose back at least a quarter of the way to its start
    (a descent that only wobbles at its bottom also stops, after ten rises in a row)."""
    low = float(np.nanmin(loss))
    return diverged_at is not None and not (loss[-1] - low < 0.25 * (loss[0] - low))


def _rate_curve(ax, rate, inv_L, loss, diverged_at, role=None):
    finite = np.isfinite(loss)
    if not finite.all():                          # stop where the loss stopped being a number
        diverged_at = int(np.argmin(finite))
        loss = loss[:diverged_at]
    label = f"α = {rate:.3g} = {rate / inv_L:.3g}/L" + (f", {role}" if role else "")
    if diverged_at is not None:
        label += f": diverged at iteration {diverged_at}"
    (line,) = ax.plot(np.arange(loss.size), loss, marker="." if loss.size <= 60 else None, label=label)
    if diverged_at is not None:
        ax.plot(loss.size - 1, loss[-1], "^", color=line.get_color(), markersize=10)


def decision_boundaries(datasets=None, *, seed=0, alpha=0.0, axes=None):
    r"""Logistic regression on two-feature data sets, side by side: where a line is enough.

    For each data set: a stratified, seeded 70/30 split; a
    ``LogisticClassifier(alpha=alpha)`` fitted on the training part; the
    probability :math:`\sigma(w^\top x + b)` shaded, its 0.5 contour (the
    boundary, a straight line) in black, training points as circles and test
    points as triangles. Each title gives the accuracy on both parts and says
    "linearly separable" when the line classifies every training point;
    on such data the :class:`~descend.errors.SeparationWarning` is silenced.

    Parameters
    ----------
    datasets : mapping of str to DataContainer, optional
        Two features each. Default: :func:`descend.teach.datasets.toy_sets` drawn
        with ``seed`` (blobs far apart, blobs overlapping, moons, circles, xor).
    seed : int
        Seeds the toy data, the splits and the model.
    alpha : float
        L2 penalty of the model.
    axes : sequence of Axes, optional
        One per data set.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.descend_fits``: for each data set's name, its ``model``,
        ``train`` and ``test`` parts, for tables of what the panels show.
    """
    from ..tables.data import DataContainer
    from ..errors import SeparationWarning
    from ..models import LogisticClassifier

    from .datasets import toy_sets

    datasets = dict(toy_sets(seed) if datasets is None else datasets)
    if axes is None:
        fig, axes = figure_axes(None, ncols=len(datasets), figsize=(3.3 * len(datasets), 4.0))
        axes = np.atleast_1d(axes)
    elif len(axes) != len(datasets):
        raise ValueError(f"axes has {len(axes)} Axes for {len(datasets)} data sets; pass one per set.")
    fig = axes[0].figure
    fig.descend_fits = {}
    for ax, (name, data) in zip(axes, datasets.items()):
        data = data if isinstance(data, DataContainer) else DataContainer(*data)
        if data.X.shape[1] != 2:
            raise ValueError(f"data set {name!r} has {data.X.shape[1]} features; the panels need 2.")
        train, test = data.train_test_split(0.7, seed=seed, stratify=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeparationWarning)
            model = LogisticClassifier(alpha=alpha, random_state=seed).fit(train.X, train.y)
        fig.descend_fits[name] = {"model": model, "train": train, "test": test}
        shading = _draw_boundary(ax, model, train, test)
        acc_train, acc_test = model.score(train.X, train.y), model.score(test.X, test.y)
        note = "linearly separable\n" if acc_train == 1.0 else ""
        ax.set_title(f"{name}\n{note}accuracy: train {acc_train:.3f}, test {acc_test:.3f}",
                     fontsize="medium")
    fig.colorbar(shading, ax=list(axes), label="P(y = 1) = σ(wᵀx + b)", shrink=0.85)
    axes[0].legend(loc="lower left", fontsize="x-small", framealpha=0.85)
    return fig


def _draw_boundary(ax, model, train, test):
    X = np.vstack([train.X, test.X])
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * (hi - lo)
    g0, g1 = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], 200),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], 200))
    proba = model.predict_proba(np.column_stack([g0.ravel(), g1.ravel()]))[:, 1].reshape(g0.shape)
    shading = ax.contourf(g0, g1, proba, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu_r", alpha=0.55)
    ax.contour(g0, g1, proba, levels=[0.5], colors="black", linewidths=1.5)
    for part, marker, what in ((train, "o", "train"), (test, "^", "test")):
        for cls, colour in zip(model.classes_, ("tab:blue", "tab:red")):
            rows = part.y == cls
            ax.scatter(part.X[rows, 0], part.X[rows, 1], s=14, marker=marker, color=colour,
                       edgecolors="black", linewidths=0.3, label=f"{what}, class {cls}")
    ax.set_xlabel(train.feature_names[0])
    ax.set_ylabel(train.feature_names[1])
    return shading


def sigmoid_figure(ax=None):
    r"""The sigmoid :math:`\sigma(z)` and its derivative :math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))`.

    Drawn over :math:`z \in [-8, 8]`, with :math:`\sigma(0) = 1/2` and the
    derivative's maximum :math:`\sigma'(0) = 1/4` marked: the log-loss never
    curves more than :math:`1/4` per unit of :math:`z`, which is why its
    :math:`L` is a quarter of that of the squared error. Far from 0 the
    derivative vanishes: confident predictions barely move the weights.

    Returns
    -------
    matplotlib.figure.Figure
        Lines in order: :math:`\sigma`, :math:`\sigma'`, then the two marks.
    """
    from ..losses import sigmoid, sigmoid_derivative

    z = np.arange(-400, 401) / 50.0                   # [-8, 8] in steps of 0.02, with z = 0 exactly
    fig, ax = figure_axes(ax, figsize=(6.5, 4.0))
    ax.plot(z, sigmoid(z), label=r"$\sigma(z) = 1 / (1 + e^{-z})$")
    ax.plot(z, sigmoid_derivative(z), label=r"$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$")
    ax.plot([0.0], [0.5], "o", color="tab:blue")
    ax.plot([0.0], [0.25], "o", color="tab:orange")
    ax.annotate(r"$\sigma(0) = 1/2$", (0.0, 0.5), xytext=(0.6, 0.42))
    ax.annotate(r"$\sigma'(0) = 1/4$, the largest slope of $\sigma$", (0.0, 0.25), xytext=(1.0, 0.27))
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.axvline(0.0, color="grey", linewidth=0.5)
    ax.set_xlabel("z = wᵀx + b")
    ax.set_ylabel("value")
    ax.set_title("The sigmoid and its derivative")
    ax.legend(loc="upper left")
    return fig
