r"""The explorer's JSON interface: a request is a plain mapping, an answer too, and every
number in an answer comes from descend's estimators and objective.

``POST /api/run`` takes::

    {"dataset": "blobs" | "moons" | "circles" | "xor" | "line" | "housing" | "cancer" | "upload",
     "features": [one or two column names]   (housing, cancer, upload; optional),
     "csv": "the text of a CSV file", "target": "its target column"   (upload only),
     "model": "linear" | "logistic", "solver": one of descend's solvers,
     "learning_rate": "auto" or a positive number, or instead
     "rate_share": the rate as a share of 2/L (the slider; the answer says the rate),
     "standardize": true | false,
     "alpha": a number >= 0, "batch_size": a positive integer or null (solver "sgd"),
     "max_iter": 1 .. 500, "seed": an integer}

and answers with:

* ``data``: up to 400 of the points, ``x`` (rows of one or two features) and ``y``;
* ``path``: ``[w..., b]`` at the start and after each iteration (the estimator's
  ``callback``), ``loss`` beside it, and ``learning_rate`` (the step of each);
* ``optimum``: ``loss``, ``coef``, ``intercept`` from Newton's method, or null
  (perfectly separable classes without a penalty have none), and ``gap``, the loss
  above it at each iteration;
* ``rates``: ``L`` (the largest curvature the step is measured against), and the
  marks ``one_over_L``, ``two_over_L``, and ``stable``, the solver's largest stable
  rate;
* ``surface``: two parameters (``w`` and ``b`` for one feature; ``w1`` and ``w2`` with
  the intercept at its optimum for two), their grid's ``extent``, and ``contours``:
  for each ``level``, its ``lines`` as lists of points;
* ``fit``: per iteration, the polyline to draw over the data: the fit
  :math:`\hat y = wx + b` or :math:`\sigma(wx + b)` (one feature); the decision
  boundary :math:`z = 0`, or a regression's line at the median target (two
  features), within the data's box; null where there is none;
* ``diverged`` (true when a fixed learning rate made the loss run away), ``message``
  (the :class:`~descend.errors.DivergenceError`'s, naming the largest stable rate),
  ``runaway`` (the first iteration past the fit's stop: a few more steps of the same
  solver at the same rate, drawn so the path is seen flying off), and ``warnings`` (the
  fit's, but for not converging within ``max_iter``: the page runs to it by design);
* ``learning_rate_used`` ("auto" or the fixed rate), ``dataset``, ``model``, ``solver``
  and ``iterations``: what ran.

``POST /api/columns`` takes ``{"csv": text}`` and answers with its ``columns``, read
as descend reads files. An upload's first run may say ``"fresh": true``: the model
then follows the data (a class label or a number) instead of being refused.

``POST /api/example`` takes ``{"run": <a run request>, "iteration": k, "index": i}``
and answers with the material's chain rule for example ``i`` at iteration ``k``
(:func:`descend.teach.explain.chain_rule`): ``z``, ``a``, ``delta``, and per weight
``dL_da``, ``da_dz``, ``dz_dw``; the whole gradient there; and the update taken,
``before`` and ``after`` (with ``standardized``, the solver stepped on standardized
parameters, so the step in the units of X is not the gradient times the rate).

A request that cannot be served raises :class:`BadRequest`, whose message says what
is wrong in the words of the page.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from .drawing import fit_lines, surface
from .inputs import MAX_UPLOAD, BadRequest, choice, columns, datasets, number, read_data

__all__ = ["BadRequest", "datasets", "run", "example", "columns", "MAX_ITER", "MAX_UPLOAD"]

MAX_ITER = 500
#: Points sent for drawing.
MAX_POINTS = 400

def _estimator(request, kind, callback=None):
    from ..models import estimator
    from ..solvers import SOLVERS

    model = choice(request, "model", ["linear", "logistic"], kind)
    if model != kind and request.get("dataset") == "upload" and request.get("fresh"):
        model = kind                     # a new upload: the data say which model
    if model != kind:
        raise BadRequest(f"this data set's target is {'a class label' if kind == 'logistic' else 'a number'}: "
                         f"choose the {kind} model.")
    rate = request.get("learning_rate", "auto")
    if "rate_share" in request:                         # set from L in run()
        rate = "auto"
    elif rate != "auto":
        rate = number(request, "learning_rate", None, low=1e-12, high=1e6)
    params = dict(
        learning_rate=rate, solver=choice(request, "solver", sorted(SOLVERS), "gd"),
        standardize=choice(request, "standardize", [True, False], True),
        alpha=number(request, "alpha", 0.0, low=0.0, high=1e3),
        batch_size=number(request, "batch_size", 16, low=1, high=10**6, integer=True, none=True),
        max_iter=number(request, "max_iter", 100, low=1, high=MAX_ITER, integer=True),
        random_state=number(request, "seed", 0, low=0, high=2**31 - 1, integer=True),
        tol=1e-10, callback=callback)
    made = estimator(model, **params)
    try:
        made._check_params()
    except ValueError as e:
        raise BadRequest(str(e)) from None
    return made


# -- answering -------------------------------------------------------------------------------
def run(request):
    """The answer to ``POST /api/run``: see the module's text."""
    with np.errstate(all="ignore"):                       # overflow shows as null, not a warning
        return _run(request)


class _Descent(NamedTuple):
    """One run's descent: the data, the fitted estimator and its objective, and the path,
    rows of ``[w..., b, loss, step]`` from the start on."""

    X: np.ndarray
    y: np.ndarray
    names: list
    target: str
    kind: str
    model: object
    objective: object
    L: float
    rows: np.ndarray
    iterations: int
    message: str = None          # the DivergenceError's, where the fit diverged
    stopped: int = None          # the first iteration drawn past the fit's stop
    warned: tuple = ()


def _descent(request):
    """Read the data, build the estimator (the slider's share of 2/L made a rate with
    this run's L) and fit it, recording every iterate; a divergence is drawn on."""
    from sklearn.exceptions import ConvergenceWarning

    from ..errors import DivergenceError
    from ..models import objective_of

    X, y, names, target, kind = read_data(request)
    steps = []

    def record(step):
        steps.append((*np.ravel(step.coef), float(step.intercept), float(step.loss),
                      float(step.learning_rate)))

    model = _estimator(request, kind, record)
    try:
        objective, theta0 = objective_of(model, X, y)
    except ValueError as e:                               # the data, as the estimator sees them
        raise BadRequest(str(e)) from None
    L = (objective.batch_lipschitz(model.batch_size) if model.solver == "sgd"
         else objective.lipschitz())
    if "rate_share" in request:                          # the slider: a share of 2/L
        share = number(request, "rate_share", None, low=1e-9, high=1e6)
        model.set_params(learning_rate=share * 2.0 / L)
        try:
            model._check_params()
        except ValueError as e:
            raise BadRequest(str(e)) from None
    w0, b0 = objective.params(theta0)
    start = (*w0, b0, float(objective.at(w0, b0)[0]), np.nan)
    message = stopped = None
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            model.fit(X, y)
        except DivergenceError as e:
            message = str(e)
        except ValueError as e:                           # the data, as the estimator sees them
            raise BadRequest(str(e)) from None
    # Not converging in max_iter is the page's design (tol=1e-10 keeps the path going),
    # not news; separation, collinearity and the like are.
    warned = tuple(sorted({str(w.message) for w in seen
                           if not issubclass(w.category, (RuntimeWarning, ConvergenceWarning))}))
    iterations = len(steps)
    if message is not None:
        stopped = len(steps) + 1
        steps += _runaway(objective, model, steps[-1] if steps else start)
    rows = np.array([start, *steps], dtype=float)
    return _Descent(X, y, names, target, kind, model, objective, L, rows, iterations, message,
                    stopped, warned)


def _run(request):
    from ..solvers import STABLE_RATE

    d = _descent(request)
    n, solver, L = d.X.shape[1], d.model.solver, d.L
    path, loss = d.rows[:, :n + 1], d.rows[:, n + 1]
    optimum = _optimum(d.model, d.X, d.y)
    return _clean({
        "data": _points(d.X, d.y, d.names, d.target, d.kind),
        "path": path.tolist(), "loss": loss.tolist(), "learning_rate": d.rows[:, n + 2].tolist(),
        "optimum": optimum,
        "gap": (loss - optimum["loss"]).tolist() if optimum else None,
        "rates": {"L": L, "one_over_L": 1.0 / L, "two_over_L": 2.0 / L,
                  "stable": STABLE_RATE[solver] / L if solver in STABLE_RATE else None},
        "surface": surface(d.objective, path, optimum, n),
        "fit": fit_lines(d.X, d.y, path, d.kind),
        "diverged": d.message is not None, "message": d.message, "runaway": d.stopped,
        "warnings": list(d.warned), "learning_rate_used": d.model.learning_rate,
        "dataset": request.get("dataset", "blobs"), "model": d.kind, "solver": solver,
        "iterations": d.iterations,
    })


def _clean(value):
    """``value`` with every non-finite float, however deep, as None (JSON has none)."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def example(request):
    """The answer to ``POST /api/example``: the chain rule for one example at one
    iteration of a run (see the module's text)."""
    from ..teach.explain import chain_rule

    if not isinstance(request.get("run"), dict):
        raise BadRequest("example needs the run it belongs to, as run.")
    with np.errstate(all="ignore"):
        d = _descent(request["run"])
    n = d.X.shape[1]
    k = number(request, "iteration", 0, low=0, high=len(d.rows) - 1, integer=True)
    i = number(request, "index", 0, low=0, high=len(d.y) - 1, integer=True)
    before, after = d.rows[k, :n + 1], (d.rows[k + 1, :n + 1] if k + 1 < len(d.rows) else None)
    w, b = before[:n], float(before[n])
    J, grad_w, grad_b, _ = d.objective.at(w, b)
    label = float(_positive(d.y, d.kind)[i])
    parts = [chain_rule(d.X[i], label, w, b, model=d.kind, j=j) for j in range(n)]
    return _clean({
        "iteration": k, "index": i, "x": d.X[i].tolist(), "y": label,
        "z": parts[0].z, "a": parts[0].a, "delta": parts[0].a - label,
        "dL_da": parts[0].dL_da, "da_dz": parts[0].da_dz,
        "dz_dw": [p.dz_dw for p in parts], "dL_dw": [p.product for p in parts],
        "loss": J, "gradient": [*np.ravel(grad_w).tolist(), float(grad_b)],
        "learning_rate": float(d.rows[k + 1, n + 2]) if after is not None else None,
        "before": before.tolist(), "after": None if after is None else after.tolist(),
        "standardized": d.model.standardize,
    })


#: Steps drawn past a divergence, so that the page shows the path flying off.
RUNAWAY = 6


def _runaway(objective, model, last):
    """A few more steps of the diverging solver from its last iterate, past the stop
    that the fit makes: the same solver (:data:`descend.solvers.SOLVERS`) at the same
    fixed rate, without the driver's divergence check, until the loss overflows."""
    from ..solvers import SOLVERS

    if model.solver not in ("gd", "nesterov"):
        return []
    n = objective.mean.size
    engine = SOLVERS[model.solver](float(model.learning_rate), backtrack=False)
    theta = objective.theta(np.asarray(last[:n]), last[n])
    out = []
    with np.errstate(all="ignore"):
        J, g, _ = objective(theta)
        state = engine.init(theta, J, g)
        for _ in range(RUNAWAY):
            state, t, _ = engine.step(state, objective)
            w, b = objective.params(state["theta"])
            loss = float(objective.at(w, b)[0])
            if not (np.all(np.isfinite(w)) and np.isfinite(b) and np.isfinite(loss)):
                break
            out.append((*w, b, loss, t))
    return out


def _optimum(model, X, y):
    """Newton's method's optimum for the same model, or None where there is none."""
    from sklearn.base import clone

    best = clone(model).set_params(solver="newton", tol=1e-12, max_iter=100, callback=None,
                                   learning_rate="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best.fit(X, y)
    if not best.converged_:
        return None
    return {"loss": float(best.history_["loss"][-1]), "coef": np.ravel(best.coef_).tolist(),
            "intercept": float(np.ravel(best.intercept_)[0])}


def _positive(y, kind):
    """The target as drawn: 1.0 for the class that counts as positive (the larger label,
    ``classes_[1]``), else 0.0; or the numbers themselves."""
    if kind == "logistic":
        return (y == np.unique(y)[-1]).astype(float)
    return np.asarray(y, dtype=float)


def _points(X, y, names, target, kind):
    keep = np.sort(np.random.default_rng(0).permutation(len(y))[:MAX_POINTS])
    return {"x": X[keep].tolist(), "y": _positive(y[keep], kind).tolist(),
            "features": list(names), "target": target, "index": keep.tolist()}
