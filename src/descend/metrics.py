"""Held-out metrics for both models, as ordered mappings ready to print."""

from __future__ import annotations

import numpy as np

__all__ = ["regression_metrics", "classification_metrics", "format_table"]


def regression_metrics(y_true, y_pred):
    """R², RMSE and MAE of predictions ``y_pred`` of ``y_true``."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    y_true = np.asarray(y_true, dtype=float)
    return {
        "R2": float(r2_score(y_true, y_pred)),
        "RMSE": float(np.sqrt(mean_squared_error(y_true, y_pred))),
        "MAE": float(mean_absolute_error(y_true, y_pred)),
    }


def classification_metrics(y_true, proba, classes):
    """Accuracy, precision, recall (of ``classes[1]``) and log-loss.

    ``proba`` is the probability of ``classes[1]`` for each example.
    """
    from sklearn.metrics import accuracy_score, log_loss, precision_score, recall_score

    from .errors import DataError

    y_true = np.asarray(y_true)
    unknown = sorted({str(v) for v in y_true[~np.isin(y_true, classes)]})
    if unknown:
        raise DataError(
            f"the labels {', '.join(map(repr, unknown[:5]))} are not among the model's classes "
            f"({', '.join(map(repr, map(str, classes)))}); the model cannot be scored on them."
        )
    positive = y_true == classes[1]
    predicted = np.asarray(proba) > 0.5
    return {
        "accuracy": float(accuracy_score(positive, predicted)),
        "precision": float(precision_score(positive, predicted, zero_division=0.0)),
        "recall": float(recall_score(positive, predicted, zero_division=0.0)),
        "log-loss": float(log_loss(positive, proba, labels=[False, True])),
    }


def format_table(rows, title=None):
    """Two aligned columns, name and value, for a mapping of numbers."""
    width = max(len(name) for name in rows)
    lines = [title] if title else []
    for name, value in rows.items():
        text = f"{value:.6g}" if isinstance(value, float) else str(value)
        lines.append(f"  {name:<{width}}  {text:>12}")
    return "\n".join(lines)


def describe_fit(model):
    """One line on how a fitted model's descent went and why it stopped."""
    hist = model.history_
    gaps = np.asarray(hist.get("gap", []), dtype=float)
    gaps = gaps[np.isfinite(gaps)]
    gap = gaps[-1] if gaps.size else None
    why = {
        "converged": ("converged: the loss is within tol of its optimum" +
                      ("" if gap is None else f" (certified gap {gap:.3g})")),
        "max_iter": f"stopped at max_iter={model.max_iter} before converging",
        "stalled": "stopped short: float64 resolves no closer step or no certificate",
        "separable": "stopped: the classes are perfectly separable (no finite optimum)",
        "partial_fit": "updated by partial_fit, one pass over each chunk (no certificate)",
    }.get(model.stop_reason_, f"stopped: {model.stop_reason_}")
    solver = getattr(model, "solver_", model.solver)
    unit = ("chunk" if model.stop_reason_ == "partial_fit" else "epoch") if solver == "sgd" \
        else "iteration"
    iterations = unit if model.n_iter_ == 1 else unit + "s"
    return (f"solver {solver!r}, {model.n_iter_} {iterations}, loss {hist['loss'][0]:.6g} -> "
            f"{hist['loss'][-1]:.6g}; {why}")
