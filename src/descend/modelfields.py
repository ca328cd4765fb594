"""The fields of a model file: written from a fitted estimator, read back checked.

:func:`document` turns a fitted estimator into the JSON fields of its model
file; :func:`build` turns them back into an estimator, checking the meaning
of every field, not only its type: classes distinct and in sorted order,
weights finite and within :data:`MAX_WEIGHT` on the standardized scale,
every field agreeing with the estimator named, feature names unique and
those of the saved schema. :mod:`descend.persist` reads and writes the files.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from .errors import DataError
from .modelfile import FORMAT, FORMAT_VERSION
from .models import LinearRegression, LogisticClassifier
from .solvers import SOLVERS

__all__ = ["document", "build", "model_names", "quoted", "MAX_WEIGHT", "ESTIMATORS", "FORMAT",
           "FORMAT_VERSION"]

ESTIMATORS = {cls.__name__: cls for cls in (LinearRegression, LogisticClassifier)}
_HISTORY = ("loss", "grad_norm", "learning_rate")
#: History kept since Newton's method (older files have none: all NaN).
_LATER_HISTORY = ("gap",)
_STOP_REASONS = ("converged", "max_iter", "stalled", "separable", "partial_fit")
#: The most batch losses a model file keeps (evenly thinned, the last one kept): a
#: stochastic fit takes an update per batch, millions on large data.
BATCH_POINTS = 2000
#: The largest sum of the weights' magnitudes a model file may hold on the
#: standardized scale, :math:`\sum_j |w_j s_j| + |b + \mu \cdot w|`: a bound on
#: the predictions for inputs within a few spreads of the training data, so
#: far enough below float64's 1.8e308 that they stay finite, and beyond any fit
#: of targets that float64 can hold.
MAX_WEIGHT = 1e300


def model_names(model):
    """The model's feature names as strings, or None for unnamed features."""
    names = getattr(model, "feature_names_in_", getattr(model, "feature_names_", None))
    return None if names is None else [str(f) for f in names]


def _to(path):
    return "" if path is None else f" to '{path}'"


def quoted(names):
    return ", ".join(repr(str(f)) for f in names)


# -- writing ----------------------------------------------------------------
def document(model, feature_names, path):
    from . import __version__
    name = type(model).__name__
    coef = np.asarray(model.coef_, dtype=np.float64).ravel()                 # (n,)
    intercept = float(np.ravel(model.intercept_)[0])
    for key, values in (("coef_", coef), ("intercept_", intercept),
                        ("x_mean_", model.x_mean_), ("x_scale_", model.x_scale_)):
        where = np.flatnonzero(~np.isfinite(np.ravel(values)))
        if where.size:
            raise DataError(f"cannot save {name}{_to(path)}: {key} holds non-finite values (at "
                            f"positions {where[:5].tolist()}). Refit the model; these weights "
                            "cannot predict.")
    problem = _weights_problem(coef, intercept, np.asarray(model.x_mean_, dtype=np.float64),
                               np.asarray(model.x_scale_, dtype=np.float64))
    if problem:
        raise DataError(f"cannot save {name}{_to(path)}: {problem}. Refit the model.")
    names, n = model_names(model), model.n_features_in_
    if feature_names is not None:
        given = [str(f) for f in feature_names]
        if len(given) != n or len(set(given)) != n:
            raise DataError(f"feature_names must be {n} unique names, one per feature of the "
                            f"model; got {len(given)} ({len(set(given))} unique).")
        if names is not None and given != names:
            raise DataError(f"feature_names {quoted(given)} differ from the names the model was "
                            f"fitted with, {quoted(names)}; leave feature_names out.")
        names = given
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "descend_version": __version__,
           "estimator": name, "params": _params(model), "n_features_in": int(n),
           "feature_names": names, "feature_names_in": hasattr(model, "feature_names_in_"),
           "coef": coef.tolist(), "intercept": intercept}
    if model._loss.classifies:
        labels = [c.item() if isinstance(c, np.generic) else c for c in model.classes_.tolist()]
        if not all(isinstance(c, (str, bool, int, float)) and c == c for c in labels):
            raise DataError(f"cannot save {name}: its classes_ {labels!r:.100} are not all "
                            "strings, numbers or booleans; refit with such labels.")
        doc["classes"], doc["classes_dtype"] = labels, model.classes_.dtype.str
    doc["x_mean"] = np.asarray(model.x_mean_, dtype=np.float64).tolist()
    doc["x_scale"] = np.asarray(model.x_scale_, dtype=np.float64).tolist()
    history = {key: [x if math.isfinite(x) else None
                     for x in np.asarray(model.history_[key], dtype=np.float64).tolist()]
               for key in _HISTORY + _LATER_HISTORY if key in model.history_}
    doc["fit"] = {"n_iter": int(model.n_iter_), "converged": bool(model.converged_),
                  "stop_reason": str(model.stop_reason_), "history": history}
    if getattr(model, "solver_", None) in SOLVERS:
        doc["fit"]["solver"] = model.solver_
    if "batch_loss" in model.history_:
        doc["fit"]["batches"] = _thinned(model.history_["batch_loss"], model.history_["batch_epoch"])
    return doc


def _thinned(loss, epoch):
    """At most BATCH_POINTS of the batch losses and their epochs, evenly spaced."""
    loss, epoch = np.asarray(loss, dtype=np.float64), np.asarray(epoch, dtype=np.float64)
    if loss.size > BATCH_POINTS:
        keep = np.unique(np.linspace(0, loss.size - 1, BATCH_POINTS).round().astype(int))
        loss, epoch = loss[keep], epoch[keep]
    return {"loss": [x if math.isfinite(x) else None for x in loss.tolist()],
            "epoch": epoch.tolist()}


def _params(model):
    """get_params() in JSON: numpy scalars as Python ones; a callback or a Generator
    random_state, used only while fitting and not expressible in JSON, as null."""
    params = {}
    for key, value in sorted(model.get_params().items()):
        value = value.item() if isinstance(value, np.generic) else value
        params[key] = value if isinstance(value, (bool, int, float, str)) else None
    return params


# -- reading ----------------------------------------------------------------
def build(cls, doc, bad):
    n = doc["n_features_in"]
    if type(n) is not int or n < 1:
        raise bad(f"\"n_features_in\" must be a positive integer, got {n!r}.")
    coef, x_mean, x_scale = (_floats(doc[key], key, n, bad) for key in ("coef", "x_mean", "x_scale"))
    intercept = float(_floats([doc["intercept"]], "intercept", 1, bad)[0])
    names = doc["feature_names"]
    if names is not None and (not isinstance(names, list) or len(set(map(str, names))) != n
                              or len(names) != n or not all(isinstance(f, str) for f in names)):
        raise bad(f"\"feature_names\" must be null or {n} unique strings (n_features_in is {n}), "
                  f"got {names!r:.200}.")
    if not isinstance(doc["params"], dict):
        raise bad(f"\"params\" must be an object, got {doc['params']!r:.200}.")
    model = cls()
    try:
        model.set_params(**doc["params"])._check_params()
    except ValueError as e:
        raise bad(f"bad \"params\": {e}") from None
    problem = _weights_problem(coef, intercept, x_mean, x_scale)
    if problem:
        raise bad(f"{problem}; the file was edited or damaged. Save the model again.")
    model._set_fitted(coef, intercept)                 # the shapes fit gives, (n,) or (1, n)
    if cls is LogisticClassifier:
        model.classes_ = _classes(doc["classes"], doc["classes_dtype"], bad)
    else:
        stray = [key for key in ("classes", "classes_dtype") if key in doc]
        if stray:
            raise bad(f"it names the estimator {cls.__name__!r} but holds a classifier's "
                      f"{quoted(stray)}; the file mixes two models. Save the model again.")
    model.n_features_in_, model.x_mean_, model.x_scale_ = n, x_mean, x_scale
    if names is not None:
        attr = "feature_names_in_" if doc["feature_names_in"] is True else "feature_names_"
        setattr(model, attr, np.array(names, dtype=object))
    fit = doc["fit"] if isinstance(doc["fit"], dict) else {}
    n_iter, history = fit.get("n_iter"), fit.get("history")
    if (type(n_iter) is not int or n_iter < 0 or not isinstance(fit.get("converged"), bool)
            or not isinstance(fit.get("stop_reason"), str) or not isinstance(history, dict)):
        raise bad("\"fit\" must hold an integer \"n_iter\", a boolean \"converged\", a string "
                  f"\"stop_reason\" and a \"history\" object, got {doc['fit']!r:.200}.")
    if fit["stop_reason"] not in _STOP_REASONS:
        raise bad(f"\"fit.stop_reason\" must be one of {', '.join(_STOP_REASONS)}, "
                  f"got {fit['stop_reason']!r:.100}.")
    if fit["converged"] != (fit["stop_reason"] == "converged") or (
            fit["stop_reason"] == "separable" and cls is not LogisticClassifier):
        raise bad(f"\"fit\" says converged={fit['converged']} with stop_reason "
                  f"{fit['stop_reason']!r}, which a {cls.__name__} fit never gives.")
    model.n_iter_, model.converged_, model.stop_reason_ = n_iter, fit["converged"], fit["stop_reason"]
    model.training_data_ = doc.get("training_data")
    if model.training_data_ is not None and not isinstance(model.training_data_, dict):
        raise bad(f"\"training_data\" must be an object or null, got {model.training_data_!r:.200}.")
    _check_schema_names((model.training_data_ or {}).get("schema"), names, bad)
    model.history_ = {key: _floats(history.get(key), f"fit.history.{key}", n_iter + 1, bad, null=True)
                      for key in _HISTORY}
    for key in _LATER_HISTORY:
        model.history_[key] = (np.full(n_iter + 1, np.nan) if key not in history else
                               _floats(history[key], f"fit.history.{key}", n_iter + 1, bad,
                                       null=True))
    solver = fit.get("solver", model.solver if model.solver in SOLVERS else None)
    if solver is not None and solver not in SOLVERS:
        raise bad(f"\"fit.solver\" must be one of {', '.join(SOLVERS)}, got {solver!r:.100}.")
    if solver is not None:
        model.solver_ = solver
    if "batches" in fit:
        model.history_.update(_batches(fit["batches"], bad))
    return model


def _batches(batches, bad):
    """``fit.batches`` back as history: the batch losses and where they fell, in epochs."""
    if not isinstance(batches, dict) or not isinstance(batches.get("loss"), list):
        raise bad(f"\"fit.batches\" must hold lists \"loss\" and \"epoch\", got {batches!r:.200}.")
    n = len(batches["loss"])
    if n > BATCH_POINTS:
        raise bad(f"\"fit.batches\" holds {n} losses, more than the {BATCH_POINTS} a model "
                  "file keeps.")
    if not isinstance(batches.get("epoch"), list) or len(batches["epoch"]) != n:
        raise bad(f"\"fit.batches.epoch\" must be a list of {n} numbers, one per loss.")
    loss = _floats(batches["loss"], "fit.batches.loss", n, bad, null=True)
    epoch = _floats(batches.get("epoch"), "fit.batches.epoch", n, bad)
    if np.any(np.diff(epoch) < 0):
        raise bad("\"fit.batches.epoch\" must not decrease.")
    return {"batch_loss": loss, "batch_epoch": epoch}


def _check_schema_names(schema, names, bad):
    """The command line's saved schema must build the features named. (From Python,
    training_data is free-form: what is not a schema is left to whoever reads it.)"""
    from .tables.schema import Schema
    try:
        built = Schema.from_dict(schema).names
    except (DataError, TypeError):
        return
    if built != names:
        raise bad("\"feature_names\" differ from the names of the saved schema's features "
                  f"({quoted(built[:5])}{', ...' if len(built) > 5 else ''}); the columns "
                  "would be matched to the wrong weights. Save the model again.")


def _floats(values, key, n, bad, null=False):
    """A JSON list of n numbers as float64 (n,), finite unless ``null`` (null is NaN)."""
    if not isinstance(values, list):
        raise bad(f"\"{key}\" must be a list of {n} numbers, got {values!r:.200}.")
    if len(values) != n:
        raise bad(f"\"{key}\" has {len(values)} values, but the model has "
                  f"{'n_iter + 1' if null else 'n_features_in'} = {n}.")
    ok = (int, float) + ((type(None),) if null else ())
    if not all(isinstance(v, ok) and not isinstance(v, bool) for v in values):
        raise bad(f"\"{key}\" must hold only numbers, got {values!r:.200}.")
    big = sys.float_info.max                           # an int beyond it would overflow: inf
    out = np.array([np.nan if v is None else v if abs(v) <= big else math.inf * (v > 0 or -1)
                    for v in values], dtype=np.float64)
    if not null and not np.all(np.isfinite(out)):
        raise bad(f"\"{key}\" holds non-finite values (at positions "
                  f"{np.flatnonzero(~np.isfinite(out))[:5].tolist()}); save a finite model again.")
    return out


def _weights_problem(coef, intercept, x_mean, x_scale):
    """What makes finite weights unusable, or None: a scale that is not positive, or a
    weight beyond MAX_WEIGHT on the standardized scale (predictions would overflow)."""
    if not np.all(x_scale > 0):
        return f"x_scale must be positive, but holds {x_scale[~(x_scale > 0)][:3].tolist()}"
    with np.errstate(over="ignore", invalid="ignore"):
        standardized = np.abs(np.append(coef * x_scale, intercept + x_mean @ coef))
        total = float(np.sum(standardized))
    if not total <= MAX_WEIGHT:
        largest = np.argsort(-np.nan_to_num(standardized, nan=np.inf))[:3].tolist()
        return (f"its weights sum to {total:.3g} on the standardized scale, beyond "
                f"{MAX_WEIGHT:.0e} (largest at positions {largest}, {len(coef)} being the "
                "intercept), so its predictions would overflow")
    return None


def _classes(values, dtype, bad):
    """``classes_`` as saved: two distinct labels of their dtype, types as written."""
    try:
        dtype = np.dtype(dtype)
        classes = np.array(values, dtype=dtype)
    except (TypeError, ValueError):
        raise bad(f"\"classes\" {values!r:.100} do not fit \"classes_dtype\" {dtype!r}.") from None
    if (not isinstance(values, list) or len(values) != 2 or values[0] == values[1]
            or dtype.kind not in "biufUO" or classes.tolist() != values
            or [type(v) for v in classes.tolist()] != [type(v) for v in values]
            or not all(isinstance(v, (str, bool, int, float)) for v in values)):
        raise bad(f"\"classes\" must be two distinct labels (strings, numbers or booleans) "
                  f"of dtype {dtype.str!r}, got {values!r:.200}.")
    try:
        ordered = np.array_equal(np.unique(classes), classes)
    except TypeError:                                  # labels of two types do not compare
        ordered = False
    if not ordered:
        raise bad(f"\"classes\" {values!r:.200} are not in sorted order, as a fit writes "
                  "them; read in this order every prediction would take the other label. "
                  "Save the model again.")
    return classes
