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

import os
import tempfile
import warnings

import numpy as np

from .drawing import fit_lines, surface

__all__ = ["BadRequest", "datasets", "run", "example", "columns", "MAX_ITER", "MAX_UPLOAD"]

MAX_ITER = 500
#: The largest CSV text the page may upload, in bytes.
MAX_UPLOAD = 1_000_000
#: Points sent for drawing.
MAX_POINTS = 400

_TOYS = {
    "blobs": ("make_blobs", {"n": 200, "separation": 3.0}),
    "moons": ("make_moons", {"n": 200, "noise": 0.2}),
    "circles": ("make_circles", {"n": 200, "noise": 0.1}),
    "xor": ("make_xor", {"n": 200, "noise": 0.3}),
    "line": ("make_regression_line", {"n": 100, "noise": 2.0}),
}
_BUNDLED = {"housing": (["median_income"], "linear"),
            "cancer": (["mean_radius", "mean_texture"], "logistic")}


class BadRequest(ValueError):
    """A request the explorer cannot serve; its message is shown on the page."""


def datasets():
    """What the page offers: each data set, its kind and its columns."""
    from ..teach import datasets as data

    out = {}
    for name, (maker, _) in _TOYS.items():
        model = "linear" if name == "line" else "logistic"
        features = ["x0"] if name == "line" else ["x0", "x1"]
        out[name] = {"model": model, "features": features, "columns": features}
    for name, (features, model) in _BUNDLED.items():
        loaded = data.load_housing() if name == "housing" else data.load_breast_cancer()
        numeric = [f for f in loaded.feature_names if "=" not in f]
        out[name] = {"model": model, "features": features, "columns": numeric}
    out["upload"] = {"model": None, "features": [], "columns": [], "max_bytes": MAX_UPLOAD}
    return out


# -- reading a request ---------------------------------------------------------------------
def _choice(request, key, options, default):
    value = request.get(key, default)
    if value not in options:
        raise BadRequest(f"{key} must be one of {', '.join(map(str, options))}; got {value!r}.")
    return value


def _number(request, key, default, *, low, high, integer=False, none=False):
    value = request.get(key, default)
    if value is None and none:
        return None
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not (low <= value <= high):
        what = "a whole number" if integer else "a number"
        raise BadRequest(f"{key} must be {what} from {low:g} to {high:g}"
                         f"{' (or empty)' if none else ''}; got {value!r}.")
    return value


def _data(request):
    """``(X, y, names, target, kind)`` for the request's data set."""
    from ..tables.data import DataContainer
    from ..teach import datasets as data

    name = _choice(request, "dataset", [*_TOYS, *_BUNDLED, "upload"], "blobs")
    seed = _number(request, "seed", 0, low=0, high=2**31 - 1, integer=True)
    if name in _TOYS:
        maker, params = _TOYS[name]
        found = getattr(data, maker)(seed=seed, **params)
        kind = "linear" if name == "line" else "logistic"
        return found.X, found.y, found.feature_names, "y", kind
    if name in _BUNDLED:
        found = data.load_housing() if name == "housing" else data.load_breast_cancer()
        features = _features(request, found.feature_names, _BUNDLED[name][0])
        X = found.X[:, [found.feature_names.index(f) for f in features]]
        return X, found.y, features, found.target_name, _BUNDLED[name][1]
    text, target = request.get("csv"), request.get("target")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("upload: choose a CSV file first.")
    if len(text.encode("utf-8")) > MAX_UPLOAD:
        raise BadRequest(f"upload: the file is {len(text.encode('utf-8')):,} bytes; the explorer "
                         f"takes files up to {MAX_UPLOAD:,} bytes (pick one or two columns "
                         "and fewer rows).")
    if not isinstance(target, str) or not target:
        raise BadRequest("upload: choose the target column.")
    features = request.get("features")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            found = DataContainer.from_csv(path, target, sep="auto",
                                           features=features or None, missing="drop")
        except (ValueError, KeyError) as e:
            raise BadRequest("upload: " + str(e).replace(repr(path), "the file")
                             .replace(path, "the file")) from None
    if not 1 <= found.shape[1] <= 2:
        raise BadRequest(f"upload: the explorer draws one or two features; the file gives "
                         f"{found.shape[1]} ({', '.join(found.feature_names[:5])}...): choose "
                         "one or two in features.")
    from ..tables.targets import is_class_label
    kind = "logistic" if is_class_label(found.y) else "linear"
    return found.X, found.y, found.feature_names, target, kind


def _features(request, columns, default):
    features = request.get("features") or default
    if (not isinstance(features, list) or not 1 <= len(features) <= 2
            or not all(f in columns for f in features) or len(set(features)) < len(features)):
        raise BadRequest(f"features must be one or two of the data's columns "
                         f"({', '.join(columns[:8])}...); got {features!r}.")
    return features


def _estimator(request, kind, callback=None):
    from ..models import estimator
    from ..solvers import SOLVERS

    model = _choice(request, "model", ["linear", "logistic"], kind)
    if model != kind and request.get("dataset") == "upload" and request.get("fresh"):
        model = kind                     # a new upload: the data say which model
    if model != kind:
        raise BadRequest(f"this data set's target is {'a class label' if kind == 'logistic' else 'a number'}: "
                         f"choose the {kind} model.")
    rate = request.get("learning_rate", "auto")
    if "rate_share" in request:                         # set from L in run()
        rate = "auto"
    elif rate != "auto":
        rate = _number(request, "learning_rate", None, low=1e-12, high=1e6)
    params = dict(
        learning_rate=rate, solver=_choice(request, "solver", sorted(SOLVERS), "gd"),
        standardize=_choice(request, "standardize", [True, False], True),
        alpha=_number(request, "alpha", 0.0, low=0.0, high=1e3),
        batch_size=_number(request, "batch_size", 16, low=1, high=10**6, integer=True, none=True),
        max_iter=_number(request, "max_iter", 100, low=1, high=MAX_ITER, integer=True),
        random_state=_number(request, "seed", 0, low=0, high=2**31 - 1, integer=True),
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


def _run(request):
    from sklearn.exceptions import ConvergenceWarning
    from ..errors import DivergenceError
    from ..models import objective_of

    X, y, names, target, kind = _data(request)
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
        share = _number(request, "rate_share", None, low=1e-9, high=1e6)
        model.set_params(learning_rate=share * 2.0 / L)
        try:
            model._check_params()
        except ValueError as e:
            raise BadRequest(str(e)) from None
    w0, b0 = objective.params(theta0)
    start = (*w0, b0, float(objective.at(w0, b0)[0]), np.nan)
    diverged, message, caught = False, None, []
    stopped = None
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            model.fit(X, y)
        except DivergenceError as e:
            diverged, message = True, str(e)
        except ValueError as e:                           # the data, as the estimator sees them
            raise BadRequest(str(e)) from None
        # Not converging in max_iter is the page's design (tol=1e-10 keeps the path going),
        # not news; separation, collinearity and the like are.
        caught = sorted({str(w.message) for w in seen
                         if not issubclass(w.category, (RuntimeWarning, ConvergenceWarning))})
    if diverged:
        stopped = len(steps) + 1
        steps += _runaway(objective, model, steps[-1] if steps else start)
    n = X.shape[1]
    rows = np.array([start, *steps], dtype=float)
    optimum = _optimum(model, X, y)
    from ..solvers import STABLE_RATE
    answer = {
        "data": _points(X, y, names, target, kind),
        "path": _finite(rows[:, :n + 1]),
        "loss": _finite(rows[:, n + 1]),
        "learning_rate": _finite(rows[:, n + 2]),
        "optimum": optimum,
        "gap": _finite(rows[:, n + 1] - optimum["loss"]) if optimum else None,
        "rates": {"L": L, "one_over_L": 1.0 / L, "two_over_L": 2.0 / L,
                  "stable": (STABLE_RATE[model.solver] / L if model.solver in STABLE_RATE
                             else None)},
        "surface": surface(objective, rows[:, :n + 1], optimum, n),
        "fit": fit_lines(X, y, rows[:, :n + 1], kind),
        "diverged": diverged, "message": message, "runaway": stopped, "warnings": caught,
        "learning_rate_used": model.learning_rate,
        "dataset": request.get("dataset", "blobs"), "model": kind, "solver": model.solver,
        "iterations": len(steps),
    }
    return _clean(answer)


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


def columns(request):
    """The answer to ``POST /api/columns``: the columns of an uploaded CSV, read as descend
    reads files (its delimiter detected, quotes honoured)."""
    from ..tables.csvfile import read_csv

    text = request.get("csv")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("upload: the file is empty.")
    if len(text.encode("utf-8")) > MAX_UPLOAD:
        raise BadRequest(f"upload: the file is {len(text.encode('utf-8')):,} bytes; the explorer "
                         f"takes files up to {MAX_UPLOAD:,} bytes.")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            frame = read_csv(path, sep="auto", quote="auto").frame
        except ValueError as e:
            raise BadRequest("upload: " + str(e).replace(repr(path), "the file")
                             .replace(path, "the file")) from None
    return {"columns": [str(c).strip() for c in frame.columns]}


def example(request):
    """The answer to ``POST /api/example``: the chain rule for one example at one
    iteration of a run (see the module's text)."""
    from ..models import objective_of
    from ..teach.explain import chain_rule

    if not isinstance(request.get("run"), dict):
        raise BadRequest("example needs the run it belongs to, as run.")
    answer = run(request["run"])
    k = _number(request, "iteration", 0, low=0, high=len(answer["path"]) - 1, integer=True)
    X, y, _, _, kind = _data(request["run"])
    i = _number(request, "index", 0, low=0, high=len(y) - 1, integer=True)
    *w, b = answer["path"][k]
    w = np.asarray(w, dtype=float)
    model = _estimator(request["run"], kind)
    objective, _ = objective_of(model, X, y)
    J, grad_w, grad_b, _ = objective.at(w, b)
    label = float(_positive(y, kind)[i])
    parts = [chain_rule(X[i], label, w, b, model=kind, j=j) for j in range(w.size)]
    after = answer["path"][k + 1] if k + 1 < len(answer["path"]) else None
    return _clean({
        "iteration": k, "index": i, "x": X[i].tolist(), "y": label,
        "z": parts[0].z, "a": parts[0].a, "delta": parts[0].a - label,
        "dL_da": parts[0].dL_da, "da_dz": parts[0].da_dz,
        "dz_dw": [p.dz_dw for p in parts], "dL_dw": [p.product for p in parts],
        "loss": J, "gradient": [*np.ravel(grad_w).tolist(), float(grad_b)],
        "learning_rate": answer["learning_rate"][k + 1] if after else None,
        "before": answer["path"][k], "after": after, "standardized": model.standardize,
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


def _finite(values):
    """Numbers for JSON, which has no NaN: None where a value is not finite."""
    array = np.asarray(values, dtype=float)
    cleaned = np.where(np.isfinite(array), array, np.nan).tolist()
    if array.ndim == 1:
        return [None if v != v else v for v in cleaned]
    return [[None if v != v else v for v in row] for row in cleaned]
