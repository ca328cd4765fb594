"""What a target column asks for: class labels or numbers.

:func:`is_class_label` tells a class label from a quantity: text, true/false,
two whole (or repeated) values, or a few (at most :data:`MAX_CLASS_LEVELS`)
whole numbers that repeat (most on two rows or more) are labels, so that a
0/1/2 code is never silently fitted as a regression, while eight counts that
each occur once are quantities. :func:`check_two_classes` refuses a target that does not hold
exactly two classes, with the count of each class and the rows of a rare
value, which is more often a typo (a stray ``3`` in a 1/2 code) than a class.
"""

from __future__ import annotations

import numpy as np

from ..arrays import py_scalar
from ..errors import DataError
from .report import count, few, plural

__all__ = ["is_class_label", "check_two_classes", "whole_labels", "MAX_CLASS_LEVELS"]

MAX_CLASS_LEVELS = 10
#: A class is rare, and its rows are named, when it has at most this share of the rows
#: (and at most RARE_ROWS rows).
RARE_SHARE, RARE_ROWS = 0.02, 5


def whole_labels(y) -> np.ndarray:
    """``y`` (m,) with whole floats (a 0/1 column read from CSV) made integers."""
    y = np.asarray(y)
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return y.astype(np.int64)
    return y


def is_class_label(y) -> bool:
    """Whether the target ``y`` (m,) holds class labels rather than quantities."""
    y = np.asarray(y)
    if y.dtype.kind not in "iuf":
        return True                                   # text, true/false
    values, counts = np.unique(y, return_counts=True)
    whole = bool(np.all(values == np.round(values)))
    if values.size <= 2:
        return whole or bool(np.all(counts > 1))
    return whole and values.size <= MAX_CLASS_LEVELS and np.median(counts) >= 2


def check_two_classes(y, labels, name, source, row_word="line"):
    """Refuse a target ``y`` (m,) without exactly two classes, naming rare values' rows.

    ``labels`` (m,) are the rows' labels (file lines); ``name`` the target's
    name and ``source`` the table's, for the message.
    """
    y = whole_labels(y)
    levels, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    if levels.size == 2:
        return
    m = len(y)
    items = [f"{py_scalar(lv)!r} ({count(k, 'row')})" for lv, k in zip(levels.tolist(), counts)]
    shown = few(items, 12)
    if levels.size < 2:
        raise DataError(f"{source}: the target {name!r} has a single value, {shown}: "
                        "there is nothing to tell apart; check that target= names the "
                        "right column")
    rare = [j for j in range(levels.size)
            if counts[j] <= min(RARE_ROWS, max(1, RARE_SHARE * m))]
    msg = (f"{source}: the target {name!r} has {levels.size} classes where two are needed: "
           f"{shown}.")
    if rare and levels.size - len(rare) == 2:
        stray = np.isin(codes, rare)
        values = ", ".join(repr(py_scalar(levels[j])) for j in rare)
        msg += (f" The value{'s' * (len(rare) > 1)} {values} appear{'s' * (len(rare) == 1)} "
                f"on {plural(row_word, stray.sum())} {few(labels[stray], 8)} only, a likely "
                f"typo: correct or remove {'that row' if stray.sum() == 1 else 'those rows'}; "
                "the others hold two classes.")
    else:
        msg += (" descend's LogisticClassifier learns two classes (multiclass is not built "
                "yet): keep two classes, or if the values are quantities to predict as "
                "numbers, use model='linear'.")
    raise DataError(msg)
