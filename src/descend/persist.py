"""Model files: a fitted estimator saved as JSON, and loaded back.

A model file is plain JSON (never pickle, so loading one runs no code)::

    {"format": "descend-model", "format_version": 3, "descend_version": "0.1.0",
     "estimator": "LogisticClassifier",
     "params": {"alpha": 0.0, "l1_ratio": 0.0, "class_weight": null, "max_iter": 1000, ...},
     "n_features_in": 2, "feature_names": ["age", "income"], "feature_names_in": true,
     "coef": [0.41, -1.7], "intercept": 0.25,
     "classes": ["no", "yes"], "classes_dtype": "<U3",
     "x_mean": [40.1, 52000.0], "x_scale": [11.9, 15000.0],
     "fit": {"n_iter": 12, "converged": true, "stop_reason": "converged",
             "history": {"loss": [...], "grad_norm": [...], "learning_rate": [...]}},
     "training_data": null, "checksum": "sha256:..."}

``coef`` is :math:`w` as a flat list and ``intercept`` is :math:`b` for
linear regression and two classes (the weights of ``classes[1]``); for K > 2
classes ``coef`` is K lists, the weight vector of each class in the order of
``classes``, and ``intercept`` K numbers. ``classes`` only for the classifier;
its ``class_weight`` is ``null``, ``"balanced"`` or an object from label to
weight (:mod:`descend.modelclasses`). Floats are written with
``repr`` precision, so :math:`w`, :math:`b` and every prediction come back
bit for bit. ``feature_names_in`` says whether the names are scikit-learn's
``feature_names_in_`` (fitted on a DataFrame) or were given to :func:`save`.
A non-finite history entry is ``null``.

A file defends itself. :func:`load` reads it within bounds of size and
nesting (:mod:`descend.jsonfile`), checks the meaning of every field
(:mod:`descend.modelfields`), then the checksum over the content, so that
any edit or damage is named as such. Files of ``format_version`` 2 (two
classes at most, no ``l1_ratio`` or ``class_weight``) and 1 (no checksum)
still load. An optional ``"summary"`` holds ``model.summary()`` as its record
(:mod:`descend.summaryfile`); older descends ignore it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import jsonfile
from .errors import DataError
from .modelfile import FORMAT, FORMAT_VERSION, read_document
from .modelfields import ESTIMATORS, build, document, model_names, quoted
from .outputs import atomic

__all__ = ["save", "dumps", "load", "check_columns", "FORMAT", "FORMAT_VERSION"]


def save(model, path, *, feature_names=None, training_data=None, overwrite=False,
         summary=None):
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
    summary : Summary, optional
        ``model.summary(...)`` to keep in the file, so that the loaded model's
        ``summary()`` (of that ``cov_type``) and ``descend info`` show it
        without the data.

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
    text = dumps(model, feature_names=feature_names, training_data=training_data, path=path,
                 summary=summary)
    if path.exists() and not overwrite:
        raise FileExistsError(f"'{path}' already exists; pass overwrite=True (--force on the "
                              "command line) to replace it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save to '{path}': the folder '{path.parent}' does not "
                                "exist; create it first.")
    with atomic(path) as f:
        f.write(text)
    return path


def dumps(model, *, feature_names=None, training_data=None, path=None, summary=None):
    """The text of the model file :func:`save` writes (same parameters; ``path``
    only names the file in messages)."""
    if type(model) not in ESTIMATORS.values():
        raise TypeError(f"save: can only save descend's {' or '.join(ESTIMATORS)}, "
                        f"got {type(model).__name__}.")
    check_is_fitted(model)
    doc = document(model, feature_names, path)
    doc["training_data"] = None if training_data is None else dict(training_data)
    if summary is not None:
        from .summaryfile import summary_field
        doc["summary"] = summary_field(summary, model, doc["feature_names"])
    try:
        return json.dumps(jsonfile.seal(doc), indent=1, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:
        raise DataError(f"cannot save{'' if path is None else f' to {str(path)!r}'}: "
                        "training_data must hold JSON types and "
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
    doc, bad = read_document(path)
    name = doc["estimator"]
    model = build(ESTIMATORS[name], doc, bad)
    if jsonfile.seal_state(doc) == "changed":
        raise bad("its content does not match its checksum: the file was edited or damaged "
                  "after descend wrote it, and may predict wrongly. Save the model again.")
    return model


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
    names = model_names(model)
    if names is None:
        if len(columns) != n:
            raise DataError(f"the model was fitted on {n} unnamed features, so the data must have "
                            f"exactly {n} columns, matched by position; they have {len(columns)}.")
        return np.arange(n)
    position = {}
    for j, c in enumerate(columns):
        position.setdefault(c, j)
    repeated = sorted({c for c, k in Counter(columns).items() if k > 1})
    if repeated:
        raise DataError(f"the data repeat the column name{'s' * (len(repeated) > 1)} "
                        f"{quoted(repeated)}; give each column a unique name.")
    known = set(names)
    absent = [f for f in names if f not in position]
    extra = [] if allow_extra else [c for c in columns if c not in known]
    if absent or extra:
        problems = ([f"missing from the data: {quoted(absent)}"] * bool(absent)
                    + [f"unexpected columns: {quoted(extra)}"] * bool(extra))
        raise DataError(f"the data do not match the model's {n} features ({quoted(names)}): "
                        f"{'; '.join(problems)}. Give the data the model's columns, by these names.")
    return np.array([position[f] for f in names], dtype=int)
