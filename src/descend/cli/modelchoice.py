"""Which estimator ``descend train`` fits to a target, and how it weighs the classes.

``--model auto`` takes a class label (:func:`descend.tables.targets.is_class_label`:
text, true/false, two values, or a few whole numbers that repeat) for
classification, of two classes or of K (multinomial), and never fits a
regression to one. A target that is not classes at all, or holds a stray
value beside its classes, is refused by
:func:`~descend.tables.targets.check_classes` with its rows named. ``--class-weight
LABEL=W`` names classes as the file writes them; they are matched here to
the labels the classifier learns (``1`` for a 1/2 code, ``'yes'`` for text).
"""

from __future__ import annotations

from ..errors import DataError
from ..tables.report import few

__all__ = ["choose"]


def choose(data, args):
    """``(estimator class, its parameters from the data)`` for ``args.model`` on ``data``."""
    from ..models import LinearRegression, LogisticClassifier
    from ..tables.targets import check_classes, is_class_label

    kind = args.model
    if kind == "auto":
        kind = "logistic" if is_class_label(data.y) else "linear"
    if kind == "logistic":
        classes = check_classes(data.y, data.row_labels, data.target_name, data.report.source)
        return LogisticClassifier, {"class_weight": _class_weight(args.class_weight, classes,
                                                                  data.target_name)}
    if data.y.dtype.kind not in "iuf":
        what = "true/false" if data.y.dtype.kind == "b" else "not numeric"
        raise DataError(
            f"target {data.target_name!r} is {what}, a class label, so linear regression cannot "
            "predict it; use --model logistic (or auto)."
        )
    if args.class_weight is not None:
        raise DataError(f"--class-weight weighs classes, but the target {data.target_name!r} "
                        "holds quantities, fitted by linear regression: leave out "
                        "--class-weight, or pass --model logistic if its values are classes")
    return LinearRegression, {}


def _class_weight(given, classes, target):
    """``--class-weight`` as the estimator takes it: None, "balanced", or {label: weight}
    with each label typed matched to one of ``classes`` (true/false in any case)."""
    if given is None or given == "balanced":
        return given
    labels = {}
    for c in classes.tolist():
        labels[str(c).lower() if isinstance(c, bool) else str(c)] = c
    found = {k: labels.get(k, labels.get(k.lower())) for k in given}
    unknown = [k for k, label in found.items() if label is None]
    if unknown:
        raise DataError(f"--class-weight names {few(unknown, quote=True)}, which "
                        f"{'is not a class' if len(unknown) == 1 else 'are not classes'} of "
                        f"the target {target!r}; its classes are "
                        f"{few([str(c) for c in classes.tolist()], 12, quote=True)}")
    return {found[k]: weight for k, weight in given.items()}
