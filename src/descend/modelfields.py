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
from .modelclasses import class_weight_doc, labels_of, read_class_weight, read_classes
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
    n = model.n_features_in_
    labels = labels_of(model, name) if model._loss.classifies else None
    many = labels is not None and len(labels) > 2
    W = np.asarray(model.coef_, dtype=np.float64).reshape(len(labels) if many else 1, n)
    b = np.asarray(model.intercept_, dtype=np.float64).ravel()[:W.shape[0]]     # (K,) or (1,)
    for key, values in (("coef_", W if many else W[0]), ("intercept_", b),
                        ("x_mean_", model.x_mean_), ("x_scale_", model.x_scale_)):
        bad = ~np.isfinite(np.asarray(values, dtype=np.float64))
        where = np.argwhere(bad).tolist() if bad.ndim == 2 else np.flatnonzero(bad).tolist()
        if where:
            raise DataError(f"cannot save {name}{_to(path)}: {key} holds non-finite values (at "
                            f"positions {where[:5]}). Refit the model; these weights "
                            "cannot predict.")
    mean = np.asarray(model.x_mean_, dtype=np.float64)
    scale = np.asarray(model.x_scale_, dtype=np.float64)
    problem = _weights_problems(W, b, mean, scale, labels if many else None)
    if problem:
        raise DataError(f"cannot save {name}{_to(path)}: {problem}. Refit the model.")
    names = model_names(model)
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
           "estimator": name, "params": _params(model, labels), "n_features_in": int(n),
           "feature_names": names, "feature_names_in": hasattr(model, "feature_names_in_"),
           "coef": W.tolist() if many else W[0].tolist(),
           "intercept": b.tolist() if many else float(b[0])}
    if labels is not None:
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


def _params(model, labels):
    """get_params() in JSON: numpy scalars as Python ones; ``class_weight`` as
    :mod:`descend.modelclasses` writes it; a callback or a Generator random_state, used
    only while fitting and not expressible in JSON, as null."""
    params = {}
    for key, value in sorted(model.get_params().items()):
        value = value.item() if isinstance(value, np.generic) else value
        params[key] = value if isinstance(value, (bool, int, float, str)) else None
    if "class_weight" in params:
        params["class_weight"] = class_weight_doc(model.class_weight, labels, type(model).__name__)
    return params


# -- reading ----------------------------------------------------------------
def build(cls, doc, bad):
    n = doc["n_features_in"]
    if type(n) is not int or n < 1:
        raise bad(f"\"n_features_in\" must be a positive integer, got {n!r}.")
    classes = None
    if cls is LogisticClassifier:
        classes = read_classes(doc["classes"], doc["classes_dtype"], bad)
    else:
        stray = [key for key in ("classes", "classes_dtype") if key in doc]
        if stray:
            raise bad(f"it names the estimator {cls.__name__!r} but holds a classifier's "
                      f"{quoted(stray)}; the file mixes two models. Save the model again.")
    K = 1 if classes is None or classes.size == 2 else classes.size
    W, b = _weights(doc["coef"], doc["intercept"], K, n, bad)          # (K, n), (K,)
    x_mean, x_scale = (_floats(doc[key], key, n, bad) for key in ("x_mean", "x_scale"))
    names = doc["feature_names"]
    if names is not None and (not isinstance(names, list) or len(set(map(str, names))) != n
                              or len(names) != n or not all(isinstance(f, str) for f in names)):
        raise bad(f"\"feature_names\" must be null or {n} unique strings (n_features_in is {n}), "
                  f"got {names!r:.200}.")
    if not isinstance(doc["params"], dict):
        raise bad(f"\"params\" must be an object, got {doc['params']!r:.200}.")
    params = dict(doc["params"])
    if classes is not None and "class_weight" in params:
        params["class_weight"] = read_class_weight(params["class_weight"], classes, bad)
    model = cls()
    try:
        model.set_params(**params)._check_params()
    except ValueError as e:
        raise bad(f"bad \"params\": {e}") from None
    model._fit_penalty = (model.alpha, model.l1_ratio)
    problem = _weights_problems(W, b, x_mean, x_scale,
                                None if K == 1 else classes.tolist())
    if problem:
        raise bad(f"{problem}; the file was edited or damaged. Save the model again.")
    if K == 1:
        model._set_fitted(W[0], float(b[0]))           # the shapes fit gives, (n,) or (1, n)
    else:
        model._set_fitted(W.T, b)                      # fit's (n, K): coef_ (K, n)
    if classes is not None:
        model.classes_ = classes
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
    column = (model.training_data_ or {}).get("sample_weight")
    if column is not None and not isinstance(column, str):
        raise bad(f"\"training_data.sample_weight\" must name the column of sample weights, "
                  f"got {column!r:.100}.")
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
    if doc.get("summary") is not None:
        from .summaryfile import read_summary_field
        model._summary_record = read_summary_field(doc["summary"], model, names, bad)
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


def _weights(coef, intercept, K, n, bad):
    """``coef`` and ``intercept`` as saved, as ``W`` (K, n) and ``b`` (K,): one list of n
    numbers and one number for a regression or two classes (the weights of ``classes_[1]``),
    a list per class and a number per class for K > 2."""
    if K == 1:
        if isinstance(coef, list) and coef and all(isinstance(row, list) for row in coef):
            raise bad(f"\"coef\" holds {len(coef)} lists, one per class, but the model has "
                      "a single weight vector (a regression, or two classes): a list of "
                      f"n_features_in = {n} numbers.")
        return _floats(coef, "coef", n, bad)[None, :], _floats([intercept], "intercept", 1, bad)
    if not isinstance(coef, list) or len(coef) != K:
        raise bad(f"\"coef\" must hold {K} lists, one per class (\"classes\" has {K} labels), "
                  f"each of n_features_in = {n} numbers, got {coef!r:.200}.")
    W = np.array([_floats(row, f"coef[{k}]", n, bad) for k, row in enumerate(coef)])
    if not isinstance(intercept, list):
        raise bad(f"\"intercept\" must be a list of {K} numbers, one per class, got "
                  f"{intercept!r:.200}.")
    return W, _floats(intercept, "intercept", K, bad, counted="classes")


def _floats(values, key, n, bad, null=False, counted=None):
    """A JSON list of n numbers as float64 (n,), finite unless ``null`` (null is NaN);
    ``counted`` names what n counts, for the message."""
    if not isinstance(values, list):
        raise bad(f"\"{key}\" must be a list of {n} numbers, got {values!r:.200}.")
    if len(values) != n:
        counted = counted or ("n_iter + 1" if null else "n_features_in")
        raise bad(f"\"{key}\" has {len(values)} values, but the model has {counted} = {n}.")
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


def _weights_problems(W, b, x_mean, x_scale, labels=None):
    """The first of :func:`_weights_problem` over the rows of ``W`` (K, n) and ``b`` (K,),
    naming the class (of ``labels``) where there are several, or None."""
    for k, (w, b_k) in enumerate(zip(W, b)):
        problem = _weights_problem(w, float(b_k), x_mean, x_scale)
        if problem:
            return problem if labels is None else f"class {labels[k]!r}: {problem}"
    return None


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
