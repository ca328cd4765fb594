"""Model files: a fitted estimator saved as JSON, and loaded back.

A model file is plain JSON (never pickle, so loading one runs no code)::

    {"format": "descend-model", "format_version": 1, "descend_version": "0.1.0",
     "estimator": "LogisticClassifier",
     "params": {"alpha": 0.0, "learning_rate": "auto", "max_iter": 1000, ...},
     "n_features_in": 2, "feature_names": ["age", "income"], "feature_names_in": true,
     "coef": [0.41, -1.7], "intercept": 0.25,
     "classes": ["no", "yes"], "classes_dtype": "<U3",
     "x_mean": [40.1, 52000.0], "x_scale": [11.9, 15000.0],
     "fit": {"n_iter": 12, "converged": true, "stop_reason": "converged",
             "history": {"loss": [...], "grad_norm": [...], "learning_rate": [...]}}}

``coef`` is :math:`w` as a flat list and ``intercept`` is :math:`b` for both
estimators; ``classes`` only for the classifier. Floats are written with
``repr`` precision, so :math:`w`, :math:`b` and every prediction come back
bit for bit. ``feature_names_in`` says whether the names are scikit-learn's
``feature_names_in_`` (fitted on a DataFrame) or were given to :func:`save`.
A non-finite history entry is ``null``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .errors import DataError
from .models import LinearRegression, LogisticClassifier
from .outputs import atomic

__all__ = ["save", "dumps", "load", "check_columns", "FORMAT", "FORMAT_VERSION"]

FORMAT = "descend-model"
FORMAT_VERSION = 1
_ESTIMATORS = {cls.__name__: cls for cls in (LinearRegression, LogisticClassifier)}
_REQUIRED = ("estimator", "params", "n_features_in", "feature_names", "feature_names_in",
             "coef", "intercept", "x_mean", "x_scale", "fit")
_HISTORY = ("loss", "grad_norm", "learning_rate")
_STOP_REASONS = ("converged", "max_iter", "stalled", "separable")


def save(model, path, *, feature_names=None, training_data=None, overwrite=False):
    """Write a fitted estimator to ``path`` as a JSON model file.

    Parameters
    ----------
    model : LinearRegression or LogisticClassifier
        A fitted estimator with finite weights.
    path : str or path-like
        The file; written to a temporary file beside it, flushed to disk, then
        renamed over it, so a crash never leaves half a file.
    feature_names : sequence of str, optional
        The names of the columns of ``X`` (e.g. ``DataContainer.feature_names``)
        for a model fitted on arrays. Default: ``feature_names_in_``, if any.
    training_data : mapping, optional
        What to keep about the training data, in JSON types (the command
        line keeps the target name and the feature schema, to read new files
        the same way); comes back as ``training_data_``.
    overwrite : bool, default=False
        Replace ``path`` if it exists.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    NotFittedError, FileExistsError, DataError
        If ``model`` is not fitted; if ``path`` exists and not ``overwrite``;
        if the weights are not finite or ``feature_names`` do not fit.
    """
    path = Path(path)
    text = dumps(model, feature_names=feature_names, training_data=training_data, path=path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"'{path}' already exists; pass overwrite=True (--force on the "
                              "command line) to replace it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save to '{path}': the folder '{path.parent}' does not "
                                "exist; create it first.")
    with atomic(path) as f:
        f.write(text)
    return path


def dumps(model, *, feature_names=None, training_data=None, path=None):
    """The text of the model file :func:`save` writes (same parameters; ``path``
    only names the file in messages)."""
    if type(model) not in _ESTIMATORS.values():
        raise TypeError(f"save: can only save descend's {' or '.join(_ESTIMATORS)}, "
                        f"got {type(model).__name__}.")
    check_is_fitted(model)
    doc = _document(model, feature_names, path)
    doc["training_data"] = None if training_data is None else dict(training_data)
    try:
        return json.dumps(doc, indent=1, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:
        raise DataError(f"cannot save to '{path}': training_data must hold JSON types and "
                        f"finite numbers only ({e}).") from None


def load(path):
    """Read a model file written by :func:`save`.

    Returns
    -------
    LinearRegression or LogisticClassifier
        Fitted, predicting exactly as the saved model did, with its
        hyperparameters and ``coef_``, ``intercept_``, ``classes_``,
        ``n_features_in_``, ``feature_names_in_`` (if the original had it),
        ``x_mean_``, ``x_scale_``, ``n_iter_``, ``converged_``,
        ``stop_reason_`` and ``history_``. Names given to :func:`save` as
        ``feature_names`` are in ``feature_names_``, for :func:`check_columns`,
        and ``training_data`` in ``training_data_`` (None if not given).

    Raises
    ------
    DataError
        Naming the file and the problem: missing, not JSON, not a model file,
        from a newer descend, or missing, mis-shaped or non-finite values.
    """
    path = Path(path)

    def bad(problem):
        return DataError(f"cannot load model file '{path}': {problem}")

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise bad("no such file; check the path.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise bad(f"it cannot be read as a text file ({e}).") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise bad(f"not valid JSON ({e.msg}: line {e.lineno}, column {e.colno}); the file may "
                  "be truncated or damaged. Save the model again.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise bad(f"it is JSON but not a descend model file (its \"format\" is {found!r}, "
                  f"expected {FORMAT!r}). Give the path of a file written by descend.persist.save.")
    version = doc.get("format_version")
    if type(version) is not int or version < 1:
        raise bad(f"\"format_version\" must be a positive integer, got {version!r}.")
    if version > FORMAT_VERSION:
        from . import __version__
        raise bad(f"it has format_version {version}, written by a newer descend; descend "
                  f"{__version__} reads format_version {FORMAT_VERSION}. Upgrade descend "
                  "(pip install --upgrade descend) to load it.")
    name = doc.get("estimator")
    required = _REQUIRED + (("classes", "classes_dtype") if name == "LogisticClassifier" else ())
    missing = [key for key in required if key not in doc]
    if missing:
        raise bad(f"missing the key{'s' * (len(missing) > 1)} {_quoted(missing)}; "
                  "the file is incomplete or was edited. Save the model again.")
    if name not in _ESTIMATORS:
        raise bad(f"unknown estimator {name!r}; descend can load {', '.join(_ESTIMATORS)}.")
    return _build(_ESTIMATORS[name], doc, bad)


def check_columns(model, columns, *, allow_extra=False):
    """Match the columns of new data to the features ``model`` was fitted on.

    Parameters
    ----------
    model : LinearRegression or LogisticClassifier
        Its features are named by ``feature_names_in_`` or ``feature_names_``
        (see :func:`load`); unnamed features are matched by position.
    columns : sequence of str
        The column names of the new data, in their order.
    allow_extra : bool, default=False
        Ignore data columns the model does not use (such as the target).

    Returns
    -------
    ndarray of int, shape (n_features_in_,)
        ``order[j]`` is the position in ``columns`` of the model's feature
        ``j``: ``X[:, order]`` or ``frame.iloc[:, order]`` feeds the model.

    Raises
    ------
    DataError
        Naming the features missing from the data and the unexpected columns.
    """
    check_is_fitted(model)
    columns, n = [str(c) for c in columns], model.n_features_in_
    names = _model_names(model)
    if names is None:
        if len(columns) != n:
            raise DataError(f"the model was fitted on {n} unnamed features, so the data must have "
                            f"exactly {n} columns, matched by position; they have {len(columns)}.")
        return np.arange(n)
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise DataError(f"the data repeat the column name{'s' * (len(repeated) > 1)} "
                        f"{_quoted(repeated)}; give each column a unique name.")
    absent = [f for f in names if f not in columns]
    extra = [] if allow_extra else [c for c in columns if c not in names]
    if absent or extra:
        problems = ([f"missing from the data: {_quoted(absent)}"] * bool(absent)
                    + [f"unexpected columns: {_quoted(extra)}"] * bool(extra))
        raise DataError(f"the data do not match the model's {n} features ({_quoted(names)}): "
                        f"{'; '.join(problems)}. Give the data the model's columns, by these names.")
    return np.array([columns.index(f) for f in names])


def _model_names(model):
    names = getattr(model, "feature_names_in_", getattr(model, "feature_names_", None))
    return None if names is None else [str(f) for f in names]


def _quoted(names):
    return ", ".join(repr(str(f)) for f in names)


# -- writing ----------------------------------------------------------------
def _document(model, feature_names, path):
    from . import __version__
    name = type(model).__name__
    coef = np.asarray(model.coef_, dtype=np.float64).ravel()                 # (n,)
    intercept = float(np.ravel(model.intercept_)[0])
    for key, values in (("coef_", coef), ("intercept_", intercept),
                        ("x_mean_", model.x_mean_), ("x_scale_", model.x_scale_)):
        where = np.flatnonzero(~np.isfinite(np.ravel(values)))
        if where.size:
            raise DataError(f"cannot save {name} to '{path}': {key} holds non-finite values (at "
                            f"positions {where[:5].tolist()}). Refit the model; these weights "
                            "cannot predict.")
    names, n = _model_names(model), model.n_features_in_
    if feature_names is not None:
        given = [str(f) for f in feature_names]
        if len(given) != n or len(set(given)) != n:
            raise DataError(f"feature_names must be {n} unique names, one per feature of the "
                            f"model; got {len(given)} ({len(set(given))} unique).")
        if names is not None and given != names:
            raise DataError(f"feature_names {_quoted(given)} differ from the names the model was "
                            f"fitted with, {_quoted(names)}; leave feature_names out.")
        names = given
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "descend_version": __version__,
           "estimator": name, "params": _params(model), "n_features_in": int(n),
           "feature_names": names, "feature_names_in": hasattr(model, "feature_names_in_"),
           "coef": coef.tolist(), "intercept": intercept}
    if isinstance(model, LogisticClassifier):
        labels = [c.item() if isinstance(c, np.generic) else c for c in model.classes_.tolist()]
        if not all(isinstance(c, (str, bool, int, float)) and c == c for c in labels):
            raise DataError(f"cannot save {name}: its classes_ {labels!r:.100} are not all "
                            "strings, numbers or booleans; refit with such labels.")
        doc["classes"], doc["classes_dtype"] = labels, model.classes_.dtype.str
    doc["x_mean"] = np.asarray(model.x_mean_, dtype=np.float64).tolist()
    doc["x_scale"] = np.asarray(model.x_scale_, dtype=np.float64).tolist()
    history = {key: [x if math.isfinite(x) else None
                     for x in np.asarray(model.history_[key], dtype=np.float64).tolist()]
               for key in _HISTORY}
    doc["fit"] = {"n_iter": int(model.n_iter_), "converged": bool(model.converged_),
                  "stop_reason": str(model.stop_reason_), "history": history}
    return doc


def _params(model):
    """get_params() in JSON: numpy scalars as Python ones; a callback or a Generator
    random_state, used only while fitting and not expressible in JSON, as null."""
    params = {}
    for key, value in sorted(model.get_params().items()):
        value = value.item() if isinstance(value, np.generic) else value
        params[key] = value if isinstance(value, (bool, int, float, str)) else None
    return params


# -- reading ----------------------------------------------------------------
def _build(cls, doc, bad):
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
    model._set_fitted(coef, intercept)                 # the shapes fit gives, (n,) or (1, n)
    if cls is LogisticClassifier:
        model.classes_ = _classes(doc["classes"], doc["classes_dtype"], bad)
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
    model.n_iter_, model.converged_, model.stop_reason_ = n_iter, fit["converged"], fit["stop_reason"]
    model.training_data_ = doc.get("training_data")
    if model.training_data_ is not None and not isinstance(model.training_data_, dict):
        raise bad(f"\"training_data\" must be an object or null, got {model.training_data_!r:.200}.")
    model.history_ = {key: _floats(history.get(key), f"fit.history.{key}", n_iter + 1, bad, null=True)
                      for key in _HISTORY}
    return model


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
    return classes
