"""Held-out metrics for both models, as ordered mappings ready to print; for K classes,
each class's precision, recall and F1 and the confusion matrix, as text tables."""

from __future__ import annotations

import numpy as np

__all__ = ["regression_metrics", "classification_metrics", "class_tables", "class_codes",
           "format_table", "grid"]


def regression_metrics(y_true, y_pred, sample_weight=None):
    """R², RMSE and MAE of predictions ``y_pred`` of ``y_true``, weighted by ``sample_weight``."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    y_true, sw = np.asarray(y_true, dtype=float), sample_weight
    return {
        "R2": float(r2_score(y_true, y_pred, sample_weight=sw)),
        "RMSE": float(np.sqrt(mean_squared_error(y_true, y_pred, sample_weight=sw))),
        "MAE": float(mean_absolute_error(y_true, y_pred, sample_weight=sw)),
    }


def classification_metrics(y_true, proba, classes, sample_weight=None):
    """Accuracy and log-loss, with precision and recall of ``classes[1]`` for two classes
    and the mean F1 over the classes (macro-F1) for more.

    ``proba`` is the probability of ``classes[1]`` (m,) for two classes, or of each
    class (m, K) in the order of ``classes``; ``sample_weight`` (m,) weighs the rows.
    """
    from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_score, recall_score

    y_true, proba, classes = np.asarray(y_true), np.asarray(proba, dtype=float), list(classes)
    _check_known(y_true, classes)
    sw = sample_weight
    if proba.ndim == 2 and len(classes) == 2:
        proba = proba[:, 1]
    if proba.ndim == 1:
        positive = y_true == classes[1]
        predicted = proba > 0.5
        return {
            "accuracy": float(accuracy_score(positive, predicted, sample_weight=sw)),
            "precision": float(precision_score(positive, predicted, zero_division=0.0,
                                               sample_weight=sw)),
            "recall": float(recall_score(positive, predicted, zero_division=0.0,
                                         sample_weight=sw)),
            "log-loss": float(log_loss(positive, proba, labels=[False, True], sample_weight=sw)),
        }
    codes = class_codes(y_true, classes)
    predicted = np.argmax(proba, axis=1)                  # (m,) class codes
    every = list(range(len(classes)))
    return {
        "accuracy": float(accuracy_score(codes, predicted, sample_weight=sw)),
        "macro-F1": float(f1_score(codes, predicted, labels=every, average="macro",
                                   zero_division=0.0, sample_weight=sw)),
        "log-loss": float(log_loss(codes, proba, labels=every, sample_weight=sw)),
    }


def class_tables(y_true, proba, classes, sample_weight=None):
    """Per class, precision, recall, F1 and support (the rows, or their weights), and the
    K x K confusion matrix (rows: the true class, columns: the predicted one), as text.

    ``proba`` (m, K) is the probability of each class, in the order of ``classes``.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    classes = list(classes)
    codes, predicted = class_codes(y_true, classes), np.argmax(np.asarray(proba), axis=1)
    every = list(range(len(classes)))
    precision, recall, f1, _ = precision_recall_fscore_support(
        codes, predicted, labels=every, zero_division=0.0, sample_weight=sample_weight)
    support = np.bincount(codes, weights=sample_weight, minlength=len(classes))
    names = [str(c) for c in classes]
    rows = [[f"{v:.4g}" for v in (p, r, f)] + [_count(k)]
            for p, r, f, k in zip(precision, recall, f1, support)]
    lines = ["per class:"] + grid(names, ["precision", "recall", "F1", "support"], rows)
    matrix = confusion_matrix(codes, predicted, labels=every, sample_weight=sample_weight)
    lines.append("confusion matrix (rows: true class, columns: predicted class):")
    lines += grid(names, names, [[_count(v) for v in row] for row in matrix])
    return "\n".join(lines)


def _check_known(y_true, classes):
    from .errors import DataError

    unknown = sorted({str(v) for v in y_true[~np.isin(y_true, classes)]})
    if unknown:
        raise DataError(
            f"the labels {', '.join(map(repr, unknown[:5]))} are not among the model's classes "
            f"({', '.join(map(repr, map(str, classes)))}); the model cannot be scored on them."
        )


def class_codes(y_true, classes):
    """Each label's position in ``classes`` (m,); a DataError for a label not among them."""
    y_true = np.asarray(y_true)
    _check_known(y_true, classes)
    index = {c: k for k, c in enumerate(classes)}
    return np.array([index[v] for v in y_true.tolist()], dtype=np.intp)


def _count(value):
    """A count of rows as a whole number; a sum of weights to 6 digits."""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def grid(row_names, column_names, cells):
    """Text rows of a table: a header of ``column_names``, then each name and its cells."""
    first = max(len(n) for n in row_names)
    widths = [max(len(h), *(len(row[j]) for row in cells), 6) for j, h in enumerate(column_names)]
    lines = ["  " + " " * first + "".join(f"  {h:>{w}}" for h, w in zip(column_names, widths))]
    for name, row in zip(row_names, cells):
        lines.append(f"  {name:<{first}}" + "".join(f"  {c:>{w}}" for c, w in zip(row, widths)))
    return lines


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
