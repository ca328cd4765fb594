"""A column of sample weights: how much each row counts in a fit or a score.

A table may carry each row's weight in a column of its own (a survey's
design weights, counts of repeated rows). :func:`weight_source` finds that
column and makes sure it is neither the target nor a feature;
:func:`read_weights` reads it for the rows kept, as numbers that mean a
weight: finite, at least 0 (0 leaves a row out), not all zero. Every cell
that is not such a number is named with its row, the whole column at once.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from .columns import NA_TOKENS, column_names, find_column, number, text_cells
from .report import Problems, Where, cell, count, few, plural

__all__ = ["weight_source", "read_weights", "without_weights"]

WHAT = "sample_weight= column"


def weight_source(weights, df, target, features, schema, source) -> str:
    """The name of the column ``weights`` in ``df``, checked: not the target, not a feature
    (``features`` as given, or the ``schema``'s sources)."""
    name = find_column(weights, column_names(df, source), WHAT, source)
    if target is not None and str(target).strip() == name:
        raise DataError(f"{source}: the column {name!r} is the target, so it cannot also be "
                        "the sample weights; give sample_weight= another column")
    listed = [] if features is None else [features] if isinstance(features, str) else features
    used = set(schema.sources) if schema is not None else {str(f).strip() for f in listed}
    if name in used:
        how = "the model was trained on it" if schema is not None else "features= lists it"
        raise DataError(f"{source}: the column {name!r} is a feature ({how}), so it cannot "
                        "also be the sample weights; give sample_weight= another column")
    return name


def without_weights(exclude, name) -> list:
    """``exclude`` (None, a name or a list) with the weight column ``name`` added once."""
    exclude = [] if exclude is None else [exclude] if isinstance(exclude, str) else list(exclude)
    return exclude + [name] * (name not in {str(e).strip() for e in exclude})


def read_weights(df, name, keep, where: Where) -> np.ndarray:
    """The weights (m,) in column ``name`` of the rows of ``df`` where ``keep`` is true.

    Raises
    ------
    DataError
        Naming the column and the rows of every cell that is missing, not a
        number, infinite or negative, or saying that every weight is 0.
    """
    tokens = text_cells(df[_label(df, name)])[0][keep]
    labels = where.labels[keep]
    blank = np.array([t == "" or t in NA_TOKENS for t in tokens], dtype=bool)
    parsed = [None if b else number(t) for t, b in zip(tokens, blank)]
    text = np.array([p is None for p in parsed], dtype=bool) & ~blank
    values = np.array([np.nan if p is None else p for p in parsed], dtype=float)
    missing = np.isnan(values) & ~text                   # empty, NA, or written NaN
    problems = Problems(where.source)
    head = f"{where.source}: the sample-weight column {name!r}"

    def rows(mask):
        return f"{plural(where.row_word, int(mask.sum()))} {few(labels[mask], 5)}"

    if text.any():
        shown = ", ".join(f"{cell(t)} ({where.row_word} {lb})"
                          for t, lb in zip(tokens[text][:3], labels[text][:3]))
        more = f", ... ({count(int(text.sum()), 'cell')} in all)" if text.sum() > 3 else ""
        problems.add(f"{head} holds text, not numbers: {shown}{more}; write each weight as a "
                     "number such as 1 or 2.5")
    if missing.any():
        problems.add(f"{head} has no weight on {rows(missing)} (an empty, NA or NaN cell); "
                     "give every row a weight, 0 to leave it out")
    if (infinite := np.isinf(values)).any():
        problems.add(f"{head} holds infinite or overflowing weights on {rows(infinite)}; give "
                     "every row a finite weight")
    if (negative := values < 0).any():
        first = float(values[negative][0])
        problems.add(f"{head} holds negative weights on {rows(negative)} (e.g. {first:g}); a "
                     "row counts as many times as its weight: give 0 to leave a row out")
    problems.raise_found()
    if not np.any(values > 0):
        raise DataError(f"{head} is 0 on every {where.row_word} kept ({len(values)}), which "
                        "leaves no row to learn from or score; give some rows a positive "
                        "weight")
    return values


def _label(df, name):
    """The frame's own label of the column whose stripped name is ``name``."""
    return next(c for c in df.columns if str(c).strip() == name)
