r"""Held-out metrics for both models, beside a baseline that never looks at X, and a
reason in words for every metric that the rows leave undefined.

A classifier's metrics read the weighted confusion matrix :math:`C` (K x K; rows: the
true class, columns: the predicted one, the class of largest probability):
accuracy is :math:`\operatorname{tr} C / \sum C`, and for class :math:`k` precision is
:math:`C_{kk} / \sum_i C_{ik}`, recall :math:`C_{kk} / \sum_j C_{kj}` and F1
:math:`2 C_{kk} / (\sum_j C_{kj} + \sum_i C_{ik})`. The probabilities :math:`P` (m, K)
give the log-loss :math:`-\sum_i s_i \log P_{i y_i} / \sum_i s_i`, the Brier score
:math:`\sum_i s_i \sum_k (P_{ik} - Y_{ik})^2 / \sum_i s_i` (0 to 2; for two classes
half of it, the mean of :math:`(p - y)^2`, 0 to 1), and the ROC AUC of each class
against the rest (:mod:`descend.curves`). A regression's are R², RMSE and MAE.

The baseline predicts without X: the mean of the rows' target for a regression
(R² = 0), and for a classifier the majority class, with the class shares as
probabilities. A metric the rows leave undefined (precision when nothing is
predicted positive, the ROC AUC of rows of one class, R² of a constant target) is
an :class:`Undefined`: NaN to arithmetic, ``n/a`` in text, with its ``reason``; the
public functions warn with it (:class:`UndefinedMetricWarning`).
"""

from __future__ import annotations

import textwrap
import warnings

import numpy as np

from .curves import area_under, roc_curve
from .errors import DataError

__all__ = ["Undefined", "UndefinedMetricWarning", "regression_metrics", "regression_baseline",
           "classification_metrics", "classification_baseline", "confusion_matrix",
           "metrics_text", "class_codes", "class_rows", "format_table", "grid", "describe_fit"]


class UndefinedMetricWarning(UserWarning):
    """A metric has no value on the rows given; the message says why."""


class Undefined(float):
    """A metric the rows leave undefined: NaN to arithmetic, ``n/a`` in text; ``reason``
    says why in words."""

    def __new__(cls, reason):
        value = super().__new__(cls, "nan")
        value.reason = reason
        return value

    def __reduce__(self):
        return type(self), (self.reason,)

    def __repr__(self):
        return f"Undefined({self.reason!r})"

    def __str__(self):
        return "n/a"

    def __format__(self, spec):
        return "n/a"


def _undefined(label, why):
    """An Undefined whose reason reads "``label`` is undefined: ``why``."."""
    value = Undefined(f"{label} is undefined: {why}.")
    value.why = why
    return value


def _warned(metrics):
    for value in metrics.values():
        if isinstance(value, Undefined):
            warnings.warn(value.reason, UndefinedMetricWarning, stacklevel=3)
    return metrics


def _weights(sample_weight, m):
    """The weights (m,) as given (ones for None), checked; a DataError for no rows."""
    from .weights import checked_weights

    if m == 0:
        raise DataError("metrics: there are no rows to score.")
    if sample_weight is None:
        return np.ones(m)
    checked_weights(sample_weight, m, "metrics")          # the length, signs, NaN, all zero
    return np.broadcast_to(np.asarray(sample_weight, dtype=float), (m,)).copy()


# -- regression ------------------------------------------------------------------------------
def _regression(y, y_pred, w):
    r = y - y_pred
    total = w.sum()
    kept = y[w > 0]
    if kept.size < 2:
        r2 = _undefined("R2", "there is one row only, so the target has no spread for the "
                              "model to explain (R2 divides by it)")
    elif np.ptp(kept) == 0:
        r2 = _undefined("R2", f"every row's target is {kept[0]:.6g}, so it has no spread for "
                              "the model to explain (R2 divides by it)")
    else:
        spread = np.sum(w * (y - np.sum(w * y) / total) ** 2)
        r2 = float(1.0 - np.sum(w * r * r) / spread)
    return {"R2": r2, "RMSE": float(np.sqrt(np.sum(w * r * r) / total)),
            "MAE": float(np.sum(w * np.abs(r)) / total)}


def _regression_rows(y_true, y_pred, sample_weight):
    y = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y.size != y_pred.size:
        raise ValueError(f"metrics: y_true has {y.size} rows and y_pred {y_pred.size}; give "
                         "one prediction per row.")
    bad = ~(np.isfinite(y) & np.isfinite(y_pred))
    if bad.any():
        raise DataError(f"metrics: {int(bad.sum())} row(s) hold a missing or infinite target "
                        f"or prediction (first at row {int(np.flatnonzero(bad)[0])}).")
    return y, y_pred, _weights(sample_weight, y.size)


def regression_metrics(y_true, y_pred, sample_weight=None):
    """R², RMSE and MAE of predictions ``y_pred`` (m,) of ``y_true`` (m,), weighted by
    ``sample_weight`` (m,); R² is :class:`Undefined` (with a warning) for one row or a
    constant target."""
    return _warned(_regression(*_regression_rows(y_true, y_pred, sample_weight)))


def regression_baseline(y_true, sample_weight=None):
    """The metrics of the mean predictor: every row predicted the (weighted) mean of
    ``y_true``. Its R² is 0 by definition; its RMSE is the target's spread."""
    y, _, w = _regression_rows(y_true, y_true, sample_weight)
    return _warned(_regression(y, np.full(y.size, np.sum(w * y) / w.sum()), w))


# -- classification --------------------------------------------------------------------------
def _check_known(y_true, classes):
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


def _labelled(y_true, classes, sample_weight):
    """``(codes (m,), w (m,))``: each row's class code and weight, checked."""
    if len(classes) < 2:
        raise ValueError(f"metrics: a classifier has at least 2 classes, got {list(classes)!r}.")
    codes = class_codes(np.asarray(y_true).ravel(), list(classes))
    return codes, _weights(sample_weight, codes.size)


def _probabilities(proba, m, classes):
    """``proba`` as (m, K): given so, or for two classes as the probability of
    ``classes[1]`` (m,)."""
    proba, K = np.asarray(proba, dtype=float), len(classes)
    if K == 2 and proba.ndim == 2 and proba.shape[1] == 2:
        proba = proba[:, 1]
    if K == 2 and proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    if proba.ndim != 2 or proba.shape != (m, K):
        either = f" (or ({m},), the probability of {classes[1]!r})" if K == 2 else ""
        raise ValueError(f"metrics: proba must have shape ({m}, {K}), a probability per row "
                         f"and class{either}; got {np.shape(proba)}.")
    bad = ~np.all(np.isfinite(proba), axis=1)
    if bad.any():
        raise DataError(f"metrics: {int(bad.sum())} row(s) of proba hold a missing or infinite "
                        f"probability (first at row {int(np.flatnonzero(bad)[0])}); every row "
                        "needs a probability per class.")
    return proba


def class_rows(y_true, proba, classes, sample_weight=None):
    """``(codes (m,), P (m, K), w (m,))`` of the rows of nonzero weight: each row's class
    code, the probability of each class, the weight (1 without ``sample_weight``); checked.
    ``proba`` is (m, K) in the order of ``classes``, or for two classes that of
    ``classes[1]`` (m,)."""
    codes, w = _labelled(y_true, classes, sample_weight)
    P = _probabilities(proba, codes.size, list(classes))
    keep = w > 0
    return codes[keep], P[keep], w[keep]


def _names(classes):
    return [repr(str(c)) for c in classes]


def _confusion(codes, P, w):
    K = P.shape[1]
    predicted = np.argmax(P, axis=1)                          # (m,) the class of largest p
    return np.bincount(codes * K + predicted, weights=w, minlength=K * K).reshape(K, K)


def _auc(positive, score, w, label, name, rest):
    counted = positive if w is None else positive[np.asarray(w) > 0]      # rows that weigh
    if counted.all() or not counted.any():
        return _undefined(label, f"{'every' if counted.any() else 'no'} row is of class "
                                 f"{name}, so there is no pair of a {name} row and {rest} to rank")
    return area_under(*roc_curve(positive, score, w)[:2])


def _per_class(codes, P, w, names, C):
    """Per class: (precision, recall, F1, ROC AUC against the rest), each a float or an
    Undefined; the labels name the class when there are more than two."""
    true, said, hit = C.sum(axis=1), C.sum(axis=0), np.diag(C)
    out = []
    for k, name in enumerate(names):
        of = f" of {name}" if len(names) > 2 else ""
        rest = f"a {names[1 - k]} row" if len(names) == 2 else "a row of another class"
        out.append((
            hit[k] / said[k] if said[k] > 0 else _undefined(
                "precision" + of, f"no row is predicted {name}, so no prediction of it is "
                "right or wrong"),
            hit[k] / true[k] if true[k] > 0 else _undefined(
                "recall" + of, f"no row is of class {name}, so there is none to find"),
            2 * hit[k] / (true[k] + said[k]) if true[k] + said[k] > 0 else _undefined(
                "F1" + of, f"no row is of class {name} and none is predicted {name}"),
            _auc(codes == k, P[:, k], w, "ROC AUC" + of, name, rest)))
    return [tuple(v if isinstance(v, Undefined) else float(v) for v in p) for p in out]


def _macro(values, label, names):
    """The mean over the classes, or Undefined when a class's value is."""
    missing = [(n, v) for n, v in zip(names, values) if isinstance(v, Undefined)]
    if not missing:
        return float(np.mean(values))
    rest = [v for v in values if not isinstance(v, Undefined)]
    also = f"; the mean over the other classes is {np.mean(rest):.4g}" if rest else ""
    return _undefined(label, f"it is the mean over the classes, and that of {missing[0][0]} is "
                             f"undefined ({missing[0][1].why}){also}")


def _classification(codes, P, w, classes):
    """``(metrics, per class, C)``: the summary mapping, each class's metrics (see
    :func:`_per_class`) and the confusion matrix."""
    names, K = _names(classes), P.shape[1]
    C = _confusion(codes, P, w)
    per = _per_class(codes, P, w, names, C)
    total = w.sum()
    p_true = np.clip(P[np.arange(codes.size), codes], np.finfo(float).eps, 1.0)
    squares = np.sum((P - np.eye(K)[codes]) ** 2, axis=1)     # (m,) sum over the classes
    metrics = {"accuracy": float(np.trace(C) / total)}
    if K == 2:
        metrics.update(zip(("precision", "recall", "F1", "ROC AUC"), per[1]))
    else:
        metrics["macro-F1"] = _macro([p[2] for p in per], "macro-F1", names)
        metrics["ROC AUC"] = _macro([p[3] for p in per], "ROC AUC (one-vs-rest)", names)
    metrics["log-loss"] = float(-np.sum(w * np.log(p_true)) / total) + 0.0     # not -0
    # Two classes: (p - y)^2 of classes[1] alone, the same as classes[0]'s: half the sum.
    metrics["Brier"] = float(np.sum(w * squares) / total / (2 if K == 2 else 1))
    return metrics, per, C


def classification_metrics(y_true, proba, classes, sample_weight=None):
    """Accuracy, ROC AUC, log-loss and Brier score; for two classes the precision, recall
    and F1 of ``classes[1]``, for more the mean F1 over the classes (macro-F1).

    ``proba`` is the probability of each class (m, K) in the order of ``classes``, or for
    two classes that of ``classes[1]`` (m,); ``sample_weight`` (m,) weighs the rows. For K
    classes the ROC AUC is the mean over the classes of each against the rest, and the
    Brier score the sum over the classes of :math:`(p_k - y_k)^2` (0 to 2); for two, the
    mean of :math:`(p - y)^2` (0 to 1). A metric the rows leave undefined is an
    :class:`Undefined`, with a warning.
    """
    return _warned(_classification(*class_rows(y_true, proba, classes, sample_weight),
                                   classes)[0])


def _baseline_proba(codes, w, K):
    shares = np.bincount(codes, weights=w, minlength=K) / w.sum()
    return shares, np.tile(shares, (codes.size, 1))


def classification_baseline(y_true, classes, sample_weight=None):
    """The metrics of the majority-class baseline: every row predicted the class of the
    largest (weighted) share of ``y_true``, with the class shares as its probabilities.
    Its ROC AUC is 0.5 (one score for all rows ranks none above another); its log-loss is
    the entropy of the shares."""
    codes, w = _labelled(y_true, classes, sample_weight)
    codes, w = codes[w > 0], w[w > 0]
    metrics = _classification(codes, _baseline_proba(codes, w, len(classes))[1], w, classes)[0]
    return _warned({k: metrics[k] for k in ("accuracy", "ROC AUC", "log-loss", "Brier")})


def confusion_matrix(y_true, proba, classes, sample_weight=None):
    """The (weighted) confusion matrix (K, K): rows the true class, columns the predicted
    one (the class of largest probability), in the order of ``classes``."""
    codes, P, w = class_rows(y_true, proba, classes, sample_weight)
    return _confusion(codes, P, w)


# -- text ------------------------------------------------------------------------------------
def _cell(value):
    return "" if value is None else "n/a" if isinstance(value, Undefined) else f"{value:.6g}"


def _notes(*texts):
    return [textwrap.fill(t, 88, initial_indent="  ", subsequent_indent="    ") for t in texts]


def _reasons(*groups):
    """The reasons of the Undefined values in ``groups``, each once, in order."""
    return list(dict.fromkeys(v.reason for g in groups for v in g if isinstance(v, Undefined)))


def metrics_text(y_true, scores, classes=None, sample_weight=None, title="metrics:",
                 prior=None):
    """What ``descend evaluate`` and ``train`` print: the model's metrics beside the
    baseline's, the reason for each ``n/a``, what the metrics are of, and for a classifier
    (``classes`` given; ``scores`` its probabilities) the confusion matrix, with each
    class's metrics when there are more than two. ``prior``: the training rows' mean
    target, or class shares in the order of ``classes``, for the baseline (default: those
    of the rows scored)."""
    weighted = "" if sample_weight is None else "weighted "
    if classes is None:
        return _regression_text(y_true, scores, sample_weight, title, weighted, prior)
    return _classification_text(y_true, scores, list(classes), sample_weight, title, weighted,
                                prior)


def _regression_text(y_true, y_pred, sample_weight, title, weighted, prior=None):
    y, y_pred, w = _regression_rows(y_true, y_pred, sample_weight)
    mean = np.sum(w * y) / w.sum() if prior is None else float(prior)
    model, base = _regression(y, y_pred, w), _regression(y, np.full(y.size, mean), w)
    lines = [title] + grid(list(model), ["model", "baseline"],
                           [[_cell(model[k]), _cell(base[k])] for k in model])
    return "\n".join(lines + _notes(*_reasons(model.values(), base.values()), (
        f"baseline: every row predicted the {weighted}mean of "
        f"{'these' if prior is None else 'the training'} rows' target, {mean:.6g}")))


def _classification_text(y_true, proba, classes, sample_weight, title, weighted, prior=None):
    names, K = _names(classes), len(classes)
    codes, P, w = class_rows(y_true, proba, classes, sample_weight)
    model, per, C = _classification(codes, P, w, classes)
    shares = _baseline_proba(codes, w, K)[0] if prior is None else np.asarray(prior, float)
    P0 = np.tile(shares, (codes.size, 1))
    base = _classification(codes, P0, w, classes)[0]
    shown = {k: base[k] for k in ("accuracy", "ROC AUC", "log-loss", "Brier")}
    lines = [title] + grid(list(model), ["model", "baseline"],
                           [[_cell(v), _cell(shown.get(k))] for k, v in model.items()])
    if K == 2:
        about = (f"precision, recall, F1 and ROC AUC are of {names[1]}, the positive class "
                 f"(predicted where its probability is over 0.5); Brier: the mean of "
                 f"(p - y)^2, p the probability of {names[1]} (0 to 1)")
    else:
        about = (f"ROC AUC: the mean over the classes of each against the rest; Brier: the "
                 f"sum over the {K} classes of (p_k - y_k)^2, averaged over the rows (0 to 2)")
    listed = ", ".join(f"{n} {s:.1%}" for n, s in zip(names[:6], shares))
    baseline = (f"baseline: every row predicted {names[int(np.argmax(shares))]}, the "
                f"majority, with the {weighted}class shares of "
                f"{'these' if prior is None else 'the training'} rows as probabilities "
                f"({listed}{', ...' if K > 6 else ''})")
    alone = [v for k, v in shown.items() if not isinstance(model[k], Undefined)]
    lines += _notes(*_reasons(model.values(), alone), about, baseline)
    plain = [str(c) for c in classes]
    if K > 2:
        lines += ["per class:"] + grid(plain, ["precision", "recall", "F1", "ROC AUC", "support"],
                                       [[_cell(v) for v in p] + [_count(s)]
                                        for p, s in zip(per, C.sum(axis=1))])
        lines += _notes(*_reasons(*per))
    lines.append("confusion matrix (rows: true class, columns: predicted class):")
    lines += grid(plain, plain, [[_count(v) for v in row] for row in C])
    return "\n".join(lines)


def _count(value):
    """A count of rows as a whole number; a sum of weights to 6 digits."""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def grid(row_names, column_names, cells):
    """Text rows of a table: a header of ``column_names``, then each name and its cells."""
    first = max(len(n) for n in row_names)
    widths = [max(len(h), *(len(row[j]) for row in cells), 6) for j, h in enumerate(column_names)]
    lines = ["  " + " " * first + "".join(f"  {h:>{w}}" for h, w in zip(column_names, widths))]
    for name, row in zip(row_names, cells):
        lines.append((f"  {name:<{first}}" +
                      "".join(f"  {c:>{w}}" for c, w in zip(row, widths))).rstrip())
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
