"""A summary kept in a model file: written beside the weights it describes, read back
checked, so that ``descend info`` and ``summary()`` show it again without the data.

The field is the summary's record (:class:`descend.results.Summary`): numbers,
lists and text. On reading, every part must agree with the model it sits in
(its kind, its weights' shape, its feature names) and every number must be
finite, the covariance symmetric with a non-negative diagonal; anything else
is named as damage, as the other fields of a model file are.
"""

from __future__ import annotations

import math

import numpy as np

from .inference import COV_TYPES

__all__ = ["summary_field", "read_summary_field"]

_NUMBERS = ("nobs", "df_model", "df_resid", "llf", "llnull", "scale", "alpha", "ci_alpha")


def _kind_of(model):
    classes = getattr(model, "classes_", None)
    return "linear" if classes is None else ("logistic" if len(classes) == 2 else "multinomial")


def _own_params(model, kind):
    """The parameters a summary of ``model`` shows, (K', n + 1) (see descend.summary)."""
    from .summary import _blocks, _params
    return _blocks(*_params(model, kind), kind)


def summary_field(summary, model, names):
    """The record of ``summary`` to store with ``model`` (whose features are ``names``), or
    a ValueError when it is not this model's."""
    record = dict(summary.record)
    kind = _kind_of(model)
    if record["kind"] != kind or not np.array_equal(np.asarray(record["params"], dtype=float),
                                                    _own_params(model, kind)):
        raise ValueError("summary: it is the summary of another fit; pass model.summary() of "
                         "the model saved.")
    if names is not None:
        record["names"] = list(names)
    record["condition_number"] = (record["condition_number"]
                                  if math.isfinite(record["condition_number"]) else None)
    return record


def _number(value, positive=False):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and (value > 0 if positive else True))


def read_summary_field(record, model, names, bad):
    """The checked record of a model file's ``"summary"`` field for ``model``."""
    def wrong(what):
        return bad(f"its \"summary\" {what}; the file was edited or damaged. Save the model "
                   "again.")

    if not isinstance(record, dict):
        raise wrong("must be an object")
    kind = _kind_of(model)
    if record.get("kind") != kind or record.get("model") != type(model).__name__:
        raise wrong(f"is of a {record.get('kind')!r:.40} {record.get('model')!r:.40} model, the "
                    f"file's is a {kind!r} {type(model).__name__}")
    if record.get("cov_type") not in COV_TYPES or not isinstance(record.get("use_t"), bool):
        raise wrong("has no known cov_type or use_t")
    for key in _NUMBERS + (("ssr", "tss") if kind == "linear" else ()):
        if not _number(record.get(key)):
            raise wrong(f"needs a finite number {key!r}, has {record.get(key)!r:.40}")
    if not (record["nobs"] > 0 and record["df_resid"] > 0 and 0 < record["ci_alpha"] < 1
            and record["alpha"] >= 0 and record["scale"] > 0
            and (kind != "linear" or (record["tss"] > 0 and record["ssr"] > 0))):
        raise wrong("has no rows or no degrees of freedom left, an interval level outside "
                    "(0, 1), or no variance")
    groups = record.get("groups")
    if (record["cov_type"] == "cluster") != (type(groups) is int and groups >= 2) or (
            groups is not None and record["cov_type"] != "cluster"):
        raise wrong("has a number of groups that does not fit its cov_type")
    if record.get("approximate") is not bool(record["alpha"]) or not isinstance(
            record.get("target"), str):
        raise wrong("says approximate where its alpha does not, or has no target's name")
    classes = record.get("classes")
    expected = None if kind == "linear" else [str(c) for c in model.classes_]
    if (classes is None) != (expected is None) or (
            classes is not None and (not isinstance(classes, list)
                                     or [str(c) for c in classes] != expected)):
        raise wrong("names other classes than the model's")
    blocks = 1 if kind != "multinomial" else len(model.classes_) - 1
    q = model.n_features_in_ + 1
    try:
        params = np.asarray(record.get("params"), dtype=float)
        cov = np.asarray(record.get("cov"), dtype=float)
    except (TypeError, ValueError):
        raise wrong("holds weights or a covariance that are not numbers") from None
    if params.shape != (blocks, q) or cov.shape != (blocks * q, blocks * q):
        raise wrong(f"must hold {blocks} x {q} weights and their {blocks * q}-square covariance")
    if not np.array_equal(params, _own_params(model, kind)):
        raise wrong("shows other weights than the model's")
    if not (np.all(np.isfinite(cov)) and np.allclose(cov, cov.T, rtol=1e-12, atol=0)
            and np.all(np.diag(cov) >= 0)):
        raise wrong("holds a covariance that is not finite and symmetric with variances >= 0")
    shown = record.get("names")
    if shown != list(names if names is not None else [f"x{j}" for j in range(q - 1)]):
        raise wrong("names other features than the model's")
    if not isinstance(record.get("fit"), str) or not isinstance(record.get("notes"), list) or \
            not all(isinstance(note, str) for note in record["notes"]):
        raise wrong("needs the fit's description and its notes as text")
    spread = record.get("spread")
    if spread is not None and not (isinstance(spread, list) and len(spread) == q - 1
                                   and all(_number(v, positive=True) for v in spread)):
        raise wrong(f"needs {q - 1} positive column spreads")
    condition = record.get("condition_number")
    if condition is not None and not _number(condition, positive=True):
        raise wrong("has a condition number that is not a positive number")
    return dict(record, condition_number=math.inf if condition is None else condition)
