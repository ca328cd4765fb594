"""A classifier's classes in a model file: its labels, and the weight of each class.

``classes`` are the labels of ``classes_`` as JSON writes them (strings,
numbers or booleans), with ``classes_dtype`` to read them back as the fit gave
them; :func:`read_classes` checks that they are two or more distinct labels
in sorted order, since the order is what ties each weight vector to its
class. ``class_weight``, a parameter, is written as ``null``, ``"balanced"``,
or an object from label to weight whose keys are the labels as JSON writes
an object's keys (``1`` becomes ``"1"``, ``True`` becomes ``"true"``);
:func:`read_class_weight` maps them back onto ``classes_``.
"""

from __future__ import annotations

import json
import math

import numpy as np

from .errors import DataError

__all__ = ["labels_of", "read_classes", "class_weight_doc", "read_class_weight"]


def labels_of(model, name):
    """``model.classes_`` as Python labels for JSON; a DataError for other labels."""
    labels = [c.item() if isinstance(c, np.generic) else c for c in model.classes_.tolist()]
    if not all(isinstance(c, (str, bool, int, float)) and c == c for c in labels):
        raise DataError(f"cannot save {name}: its classes_ {labels!r:.100} are not all "
                        "strings, numbers or booleans; refit with such labels.")
    return labels


def _key(label):
    """The text JSON makes of ``label`` as an object's key."""
    return next(iter(json.loads(json.dumps({label: 0}))))


def class_weight_doc(class_weight, labels, name):
    """``class_weight`` in JSON: None, ``"balanced"``, or {label's key: weight} for the
    ``labels`` of ``classes_`` (a fit has checked that each label named is one of them)."""
    if not isinstance(class_weight, dict):
        return class_weight if class_weight in (None, "balanced") else None
    doc = {}
    for given, weight in class_weight.items():
        given = given.item() if isinstance(given, np.generic) else given
        label = next((c for c in labels if c == given
                      and isinstance(c, bool) == isinstance(given, bool)), None)
        if label is None:
            raise DataError(f"cannot save {name}: its class_weight names {given!r}, which is "
                            f"not one of its classes {labels!r:.100}; refit it.")
        doc[_key(label)] = float(weight)
    return doc


def read_class_weight(value, classes, bad):
    """``params.class_weight`` of a file back as the parameter: None, "balanced", or a dict
    from the labels of ``classes`` to weights."""
    if value is None or value == "balanced":
        return value
    if not isinstance(value, dict):
        raise bad(f"\"params.class_weight\" must be null, \"balanced\" or an object from class "
                  f"label to weight, got {value!r:.100}.")
    labels = {_key(c): c for c in classes.tolist()}
    unknown = [k for k in value if k not in labels]
    if unknown:
        raise bad(f"\"params.class_weight\" names {unknown[:5]!r:.100}, which are not among "
                  f"the classes {list(labels)!r:.100}.")
    weights = list(value.values())
    if not all(isinstance(w, (int, float)) and not isinstance(w, bool) and math.isfinite(w)
               and w >= 0 for w in weights):
        raise bad(f"\"params.class_weight\" must give each class a finite number >= 0, got "
                  f"{value!r:.200}.")
    return {labels[k]: float(w) for k, w in value.items()}


def read_classes(values, dtype, bad):
    """``classes_`` as saved: two or more distinct labels of their dtype, types as
    written, in sorted order."""
    try:
        dtype = np.dtype(dtype)
        classes = np.array(values, dtype=dtype)
    except (TypeError, ValueError):
        raise bad(f"\"classes\" {values!r:.100} do not fit \"classes_dtype\" {dtype!r}.") from None
    if (not isinstance(values, list) or len(values) < 2 or dtype.kind not in "biufUO"
            or classes.tolist() != values
            or [type(v) for v in classes.tolist()] != [type(v) for v in values]
            or not all(isinstance(v, (str, bool, int, float)) for v in values)
            or len({(type(v), v) for v in values}) != len(values)):
        raise bad(f"\"classes\" must be two or more distinct labels (strings, numbers or "
                  f"booleans) of dtype {dtype.str!r}, got {values!r:.200}.")
    try:
        ordered = np.array_equal(np.unique(classes), classes)
    except TypeError:                                  # labels of two types do not compare
        ordered = False
    if not ordered:
        raise bad(f"\"classes\" {values!r:.200} are not in sorted order, as a fit writes "
                  "them; read in this order every prediction would take another label. "
                  "Save the model again.")
    return classes
