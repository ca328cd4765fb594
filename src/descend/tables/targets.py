"""What a target column asks for: class labels or numbers, and which classes.

:func:`is_class_label` tells a class label from a quantity: text, true/false,
two whole (or repeated) values, or a few (at most :data:`MAX_CLASS_LEVELS`)
whole numbers that repeat (most on two rows or more) are labels, so that a
0/1/2 code is never silently fitted as a regression, while eight counts that
each occur once are quantities. :func:`check_classes` accepts a target of two
or more classes and refuses one that is not classes at all: a single value,
values that mostly occur once (quantities), or a rare value beside classes
that hold the rows, which is more often a typo (a stray ``3`` in a 1/2 code)
than a class; the message counts each class and names the rare value's rows.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..arrays import py_scalar
from ..errors import DataError
from .report import count, few, plural

__all__ = ["is_class_label", "check_classes", "whole_labels", "MAX_CLASS_LEVELS"]

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


def check_classes(y, labels, name, source, row_word="line") -> np.ndarray:
    """The classes of the target ``y`` (m,), sorted: two or more, each a real class.

    ``labels`` (m,) are the rows' labels (file lines); ``name`` the target's
    name and ``source`` the table's, for the messages. Raises a DataError for a
    single value, for values that mostly occur once, and for rare values beside
    two or more classes that hold the other rows (naming the rare rows); warns
    of text classes that differ only in case or spaces.
    """
    y = whole_labels(y)
    levels, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    m = len(y)
    items = [f"{py_scalar(lv)!r} ({count(k, 'row')})" for lv, k in zip(levels.tolist(), counts)]
    shown = few(items, 12)
    if levels.size < 2:
        raise DataError(f"{source}: the target {name!r} has a single value, {shown}: "
                        "there is nothing to tell apart; check that target= names the "
                        "right column")
    if levels.size == 2:
        return levels
    rare = [j for j in range(levels.size)
            if counts[j] <= min(RARE_ROWS, max(1, RARE_SHARE * m))]
    kept = levels.size - len(rare)
    if rare and kept >= 1:
        stray = np.isin(codes, rare)
        values = ", ".join(repr(py_scalar(levels[j])) for j in rare)
        others = ("a single class: there is nothing else to tell apart" if kept == 1 else
                  f"{'two' if kept == 2 else kept} classes")
        raise DataError(
            f"{source}: the target {name!r} has {levels.size} values: {shown}. The "
            f"value{'s' * (len(rare) > 1)} {values} appear{'s' * (len(rare) == 1)} on "
            f"{plural(row_word, stray.sum())} {few(labels[stray], 8)} only, a likely typo: "
            f"correct or remove {'that row' if stray.sum() == 1 else 'those rows'}; the "
            f"others hold {others}.")
    if np.median(counts) < 2:
        raise DataError(f"{source}: the target {name!r} has {levels.size} distinct values in "
                        f"{count(m, 'row')}, most on a single row ({shown}): "
                        "quantities, not classes; if they are numbers to predict, use "
                        "model='linear'")
    _warn_spellings(levels, counts, name, source)
    return levels


def _warn_spellings(levels, counts, name, source):
    """Warn of text classes that differ only in case or inner spaces ('yes', 'Yes')."""
    groups = {}
    for lv, k in zip(levels.tolist(), counts):
        if isinstance(lv, str):
            groups.setdefault(" ".join(lv.casefold().split()), []).append(f"{lv!r} ({k})")
    alike = ["; ".join(spellings) for spellings in groups.values() if len(spellings) > 1]
    if alike:
        warnings.warn(f"{source}: the target {name!r} has classes that differ only in case or "
                      f"spaces: {few(alike, 4)}; each is learned as a class of its own. If they "
                      "are one class, write them alike in the file", UserWarning, stacklevel=3)
