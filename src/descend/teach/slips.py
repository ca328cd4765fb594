r"""The common slips of a from-scratch gradient descent, run beside the right update.

The material trains logistic regression with a loop over the examples::

    for i in range(m):
        z = w @ x[i] + b
        a = sigmoid(z)
        dz = a - y[i]
        dw += x[i] * dz
        db += dz
    dw, db = dw / m, db / m
    w, b = w - alpha * dw, b - alpha * db

and its own text holds two slips in that loop. From-scratch code elsewhere
often holds a third. Each is a line that looks right:

* ``"bias"``: ``b = b - alpha * b``, the bias stepped by itself instead of
  ``db``: the bias decays to zero whatever the data say;
* ``"accumulated-dz"``: ``dz += a - y``, one ``dz`` carried across the
  examples, so example ``i`` is weighted by the errors of all before it;
* ``"no-1/m"``: ``dw`` and ``db`` never divided by ``m``: the gradient of the
  summed loss, ``m`` times too large, so the step is too.

:func:`slips` runs the right loop and each slip on the same data from the
same start, and measures what the gradient check (central differences of the
loss, :func:`descend.teach.explain.check_gradient`'s method) says about the
slipped gradient and where each descent ends against the optimum found by
Newton's method. The loop is the material's, one example at a time.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..losses import binary_log_loss, sigmoid

__all__ = ["SLIPS", "Slip", "SlipReport", "looped_gradient", "slips", "slips_figure"]

#: The slips, and the line each one writes.
SLIPS = {
    "right": "the material's update",
    "bias": "b = b - alpha * b",
    "accumulated-dz": "dz += a - y",
    "no-1/m": "dw, db not divided by m",
}


def looped_gradient(X, y, w, b, slip="right"):
    """``(J, dw, db)`` as the loop computes them, one example at a time, with ``slip``
    in it ("bias" changes the update, not the gradient: see :func:`step`)."""
    m, n = X.shape
    J, dw, db, dz = 0.0, np.zeros(n), 0.0, 0.0
    for x_i, y_i in zip(X, y.tolist()):
        z = float(w @ x_i) + b
        a = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0      # sigmoid(z)
        if y_i:
            J += -math.log(a) if a > 0.0 else math.inf
        else:
            J += -math.log1p(-a) if a < 1.0 else math.inf
        if slip == "accumulated-dz":
            dz += a - y_i                    # the slip: carried over from earlier examples
        else:
            dz = a - y_i
        dw += x_i * dz
        db += dz
    if slip == "no-1/m":
        return J / m, dw, db
    return J / m, dw / m, db / m


def step(X, y, w, b, alpha, slip="right"):
    """One update of the loop: ``(w, b)`` after it, and the ``(dw, db)`` it used."""
    _, dw, db = looped_gradient(X, y, w, b, slip)
    used_db = b if slip == "bias" else db          # the slip: b stepped by itself
    return w - alpha * dw, b - alpha * used_db, dw, used_db


class Slip(NamedTuple):
    """One run: the slip, its gradient check and its descent."""

    name: str
    line: str
    check: float            # largest relative difference of its gradient from central differences
    loss: np.ndarray        # the true loss J after each update (entry 0 the start)
    final_gap: float        # J - J* at the end


class SlipReport(NamedTuple):
    runs: list
    optimum: float
    alpha: float
    n_iter: int
    m: int

    def __str__(self):
        lines = [f"The material's loop on {self.m} examples, learning rate {self.alpha:g}, "
                 f"{self.n_iter} updates from w = 0, b = 0; J* = {self.optimum:.6g} (Newton's "
                 "method).", "",
                 f"{'slip':<28}{'gradient error':>16}{'J at the end':>16}{'J - J*':>12}"]
        for run in self.runs:
            check = f"{run.check:.1e}"
            end = run.loss[-1]
            lines.append(f"{run.line:<28}{check:>16}{end:>16.6g}{run.final_gap:>12.2g}")
        fell = [run.line for run in self.runs[1:] if run.loss[-1] < run.loss[0]]
        lines += ["", "The gradient check compares each gradient with central differences "
                  "(J(w + h) - J(w - h)) / 2h of the same loss (the error is relative): the "
                  "right one agrees to rounding, every slip is caught."]
        if fell:
            lines.append(f"The loss still fell with {' and with '.join(fell)}: a falling "
                         "loss does not show a slip; the check, or the distance to J*, does.")
        return "\n".join(lines)


def _loss(X, y, w, b):
    """The true loss at ``(w, b)``, the measure of every run (not part of any slip)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return binary_log_loss(y, np.clip(sigmoid(X @ w + b), 1e-300, 1 - 1e-16))


def _check(X, y, w, b, slip, h=1e-6):
    """The largest relative difference of the slip's ``(dw, db)`` from central differences."""
    _, dw, db = looped_gradient(X, y, w, b, slip)
    if slip == "bias":
        db = b
    theta = np.append(w, b)
    numeric = np.empty_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        up, down = theta + e, theta - e
        numeric[j] = (_loss(X, y, up[:-1], up[-1]) - _loss(X, y, down[:-1], down[-1])) / (2 * h)
    analytic = np.append(dw, db)
    return float(np.max(np.abs(analytic - numeric) / np.maximum(np.abs(numeric), 1e-8)))


def slips(X=None, y=None, *, alpha=0.5, n_iter=100, seed=0):
    """Run the right loop and each slip; a :class:`SlipReport` (``print`` it).

    By default on 100 examples of two overlapping blobs (:func:`descend.teach.datasets.make_blobs`)
    moved 1 unit from the origin, so that the log-loss has a finite optimum and the
    intercept matters. The gradient check is taken at a point drawn from ``seed`` (at
    ``w = 0, b = 0`` the bias slip's ``b`` would be 0 too).
    """
    from ..models import LogisticClassifier
    from .datasets import make_blobs

    if X is None:
        data = make_blobs(100, separation=1.5, seed=seed)
        X, y = data.X + 1.0, data.y
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    best = LogisticClassifier(solver="newton", tol=1e-12).fit(X, y)
    optimum = float(best.history_["loss"][-1])
    rng = np.random.default_rng(seed)
    w_check, b_check = rng.normal(size=X.shape[1]), float(rng.normal())
    runs = []
    for name, line in SLIPS.items():
        w, b = np.zeros(X.shape[1]), 0.0
        loss = []
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            for _ in range(n_iter):
                loss.append(_loss(X, y, w, b))
                w, b, _, _ = step(X, y, w, b, alpha, name)
            loss.append(_loss(X, y, w, b))
        loss = np.asarray(loss)
        runs.append(Slip(name, line, _check(X, y, w_check, b_check, name), loss,
                         float(loss[-1] - optimum)))
    return SlipReport(runs, optimum, alpha, n_iter, X.shape[0])


def slips_figure(report=None, **kwargs):
    """Each slip's loss curve beside the right one's, with the optimum :math:`J^*`."""
    from matplotlib.figure import Figure

    report = slips(**kwargs) if report is None else report
    right, wrong = report.runs[0], report.runs[1:]
    fig = Figure(figsize=(4.0 * len(wrong), 3.6), layout="constrained")
    axes = fig.subplots(1, len(wrong), sharey=True)
    for ax, run in zip(np.atleast_1d(axes), wrong):
        steps = np.arange(run.loss.size)
        ax.plot(steps, right.loss, color="tab:blue", label="right update")
        ax.plot(steps, run.loss, color="tab:red", label=run.line)
        ax.axhline(report.optimum, color="0.3", lw=0.8, ls="--", label="optimum J*")
        ax.set_title(f"{run.line}\ngradient check: relative error {run.check:.2g}", fontsize=10)
        ax.set_xlabel("update")
        ax.legend(fontsize=8)
    np.atleast_1d(axes)[0].set_ylabel("loss J on all examples (log scale)")
    np.atleast_1d(axes)[0].set_yscale("log")
    fig.suptitle("Three slips of a from-scratch loop, beside the right update", fontsize=11)
    return fig
