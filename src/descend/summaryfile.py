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


def summary_field(summary, model, names):
    """The record of ``summary`` to store with ``model`` (whose features are ``names``), or
    a ValueError when it is not this model's."""
    record = dict(summary.record)
    params = np.asarray(record["params"], dtype=float)
    coef = np.asarray(model.coef_, dtype=float).reshape(params.shape[0] if
                                                        _kind_of(model) != "multinomial"
                                                        else -1, model.n_features_in_)
    if record["kind"] != _kind_of(model) or params.shape[1] != model.n_features_in_ + 1 or (
            record["kind"] != "multinomial" and not np.allclose(params[:, 1:], coef)):
        raise ValueError("summary: it is the summary of another fit; pass model.summary() of "
                         "the model saved.")
    if names is not None:
        record["names"] = list(names)
    record["condition_number"] = (record["condition_number"]
                                  if math.isfinite(record["condition_number"]) else None)
    return record


def read_summary_field(record, model, names, bad):
    """The checked record of a model file's ``"summary"`` field for ``model``."""
    def wrong(what):
        return bad(f"its \"summary\" {what}; the file was edited or damaged. Save the model "
                   "again.")

    if not isinstance(record, dict):
        raise wrong("must be an object")
    kind = _kind_of(model)
    if record.get("kind") != kind:
        raise wrong(f"is of a {record.get('kind')!r:.40} model, the file's is {kind!r}")
    if record.get("cov_type") not in COV_TYPES or not isinstance(record.get("use_t"), bool):
        raise wrong("has no known cov_type or use_t")
    for key in _NUMBERS + (("ssr", "tss") if kind == "linear" else ()):
        value = record.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise wrong(f"needs a finite number {key!r}, has {value!r:.40}")
    if record["nobs"] <= 0 or not 0 < record["ci_alpha"] < 1:
        raise wrong("has no rows, or an interval level outside (0, 1)")
    blocks = 1 if kind != "multinomial" else len(model.classes_) - 1
    q = model.n_features_in_ + 1
    try:
        params = np.asarray(record.get("params"), dtype=float)
        cov = np.asarray(record.get("cov"), dtype=float)
    except (TypeError, ValueError):
        raise wrong("holds weights or a covariance that are not numbers") from None
    if params.shape != (blocks, q) or cov.shape != (blocks * q, blocks * q):
        raise wrong(f"must hold {blocks} x {q} weights and their {blocks * q}-square covariance")
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(cov))
            and np.allclose(cov, cov.T, rtol=1e-12, atol=0) and np.all(np.diag(cov) >= 0)):
        raise wrong("holds a covariance that is not finite and symmetric with variances >= 0")
    shown = record.get("names")
    expected = names if names is not None else [f"x{j}" for j in range(q - 1)]
    if shown != list(expected):
        raise wrong("names other features than the model's")
    if not isinstance(record.get("fit"), str) or not isinstance(record.get("notes"), list) or \
            not all(isinstance(note, str) for note in record["notes"]):
        raise wrong("needs the fit's description and its notes as text")
    spread = record.get("spread")
    if spread is not None and not (isinstance(spread, list) and len(spread) == q - 1 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
            and math.isfinite(v) for v in spread)):
        raise wrong(f"needs {q - 1} positive column spreads")
    condition = record.get("condition_number")
    record = dict(record, condition_number=math.inf if condition is None else condition)
    return record
