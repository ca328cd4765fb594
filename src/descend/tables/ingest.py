"""Cleaning a table into numeric arrays: :func:`ingest_frame`.

Every table takes one path: a CSV file is first read into a frame of text
cells by :func:`descend.tables.csvfile.read_csv`; :func:`ingest_frame` turns any
frame into ``X`` (m × n, float), ``y`` and a
:class:`~descend.tables.report.CleaningReport` recording everything the cleaning
did. How each column's cells are read (numbers, true/false, text, the tokens
such as ``NA`` that count as missing) is set out in :mod:`descend.tables.columns`.

Choices made here, once:

* **Text columns** with at most 20 distinct values, and at most half as many
  values as rows (or 2), are one-hot encoded as ``column=level``. The
  alphabetically first level is dropped: with an intercept and every level
  the columns would be collinear; the dropped level is the baseline the
  intercept describes. A text column with more levels (an identifier, free
  text) is an error: never a silent explosion of categories. ``true``/``false``
  columns become 1/0.
* **Missing values** are refused with ``missing="error"``; otherwise rows with
  a missing target are dropped (never imputed) and recorded.
* **Imputation** (``missing="mean"`` or ``"median"``) uses each column's
  statistic over the whole table, after rows with a missing target are
  dropped; a text column gets its most frequent level. To keep a test part
  out of those statistics, use ``missing="drop"`` or impute after splitting.
  The statistic of every feature column, gaps or not, is recorded in the
  :class:`~descend.tables.schema.Schema` as the fill for new data.
* **No target** (``target=None``): every column (or ``features``) is a
  feature and ``y`` is None.

The choices are recorded in a :class:`~descend.tables.schema.Schema`;
:func:`descend.tables.schema.apply_schema` builds the same columns from new data.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from .columns import (NA_TOKENS, check_unique, column_names, comma_decimal, find_column,
                      parse_column, parse_target)
from ..errors import DataError, IdentifierWarning
from .csvfile import read_csv
from .report import CleaningReport, Encoding, Imputation, Problems, Where, count, few, plural
from .schema import Feature, Schema, apply_schema

__all__ = ["ingest_frame", "Ingested", "read_csv", "CleaningReport", "Encoding", "Imputation",
           "MISSING_OPTIONS", "CATEGORICAL_OPTIONS", "MAX_LEVELS", "NA_TOKENS"]

MISSING_OPTIONS = ("error", "drop", "mean", "median")
CATEGORICAL_OPTIONS = ("auto", "error", "drop")
MAX_LEVELS = 20


class Ingested(NamedTuple):
    """The result of :func:`ingest_frame`."""

    X: np.ndarray
    y: np.ndarray | None
    feature_names: list[str]
    target_name: str | None
    report: CleaningReport
    schema: Schema
    labels: np.ndarray          # (m,) the label of each row kept: its file line, or index label
    keep: np.ndarray            # (rows of df,) bool: which rows of the table were kept


def ingest_frame(df, target=None, *, schema=None, features=None, exclude=None,
                 missing="error", categorical="auto", source="the DataFrame",
                 row_word="row") -> Ingested:
    """Clean a frame into numeric ``X``, ``y``, a :class:`CleaningReport` and a schema.

    Every problem of the table is found before any is raised, and raised
    together in one :class:`DataError` (see :class:`~descend.tables.report.Problems`).

    Parameters
    ----------
    df : pandas.DataFrame
        The table; it is not modified.
    target : str or None
        Name of the target column; None reads features only (``y`` is None).
    schema : Schema or dict, optional
        The schema of training data: build its features with
        :func:`~descend.tables.schema.apply_schema` instead of deriving them; then
        ``features``, ``exclude`` and ``categorical`` cannot be given.
    features : list of str, optional
        Columns to use as features, in this order; default all but the target.
    exclude : list of str, optional
        Columns left out of the features (an identifier, a leak of the target).
    missing : {"error", "drop", "mean", "median"}
        What to do with missing feature cells. Rows with a missing target are
        dropped unless ``missing="error"``; they are never imputed.
    categorical : {"auto", "error", "drop"}
        ``"auto"`` one-hot encodes text columns with few levels, ``"error"``
        refuses text columns, ``"drop"`` leaves them out (reported).
    source, row_word : str
        How messages name the table and its rows (``"line"`` for files).

    Returns
    -------
    Ingested
        ``X`` (m × n float, finite), ``y`` (m,), names, the report and the schema.
    """
    if schema is not None:
        if features is not None or exclude is not None or categorical != "auto":
            raise DataError("features=, exclude= and categorical= cannot be combined with "
                            "schema=: the schema fixes the features; leave them out")
        schema = Schema.from_dict(schema)
        X, y, report, keep = apply_schema(df, schema, target, missing=missing, source=source,
                                          row_word=row_word)
        return Ingested(X, y, schema.names, None if target is None else str(target).strip(),
                        report, schema, Where.of(df, source, row_word).labels[keep], keep)
    if missing not in MISSING_OPTIONS:
        raise DataError(f"missing={missing!r} is not an option; use one of {MISSING_OPTIONS}")
    if categorical not in CATEGORICAL_OPTIONS:
        raise DataError(f"categorical={categorical!r} is not an option; use one of "
                        f"{CATEGORICAL_OPTIONS}")
    names, target, features = _select(df, target, features, exclude, source)
    where = Where.of(df, source, row_word)
    # 1. classify and parse each used column, every problem found before any is raised
    problems = Problems(source)
    y_col = None if target is None else problems.check(
        parse_target, df.iloc[:, names.index(target)], target, where)
    cols = {h: col for h in features if (col := problems.check(
        parse_column, df.iloc[:, names.index(h)], h, where, offer=[h])) is not None}
    empty = _without_values(cols, features, where, problems)
    text = [h for h in features if h in cols and cols[h].kind == "text"]
    commas = [h for h, c in ((target, y_col), *((h, cols[h]) for h in text))
              if c is not None and c.kind == "text" and _decimal_commas(c.values[~c.missing])]
    if commas:
        problems.add(f"{source}: {plural('column', len(commas))} {few(commas, quote=True)} "
                     f"{'holds' if len(commas) == 1 else 'hold'} numbers written with decimal "
                     "commas (3,5), read as text: pass decimal=','")
    if text and categorical == "error":
        problems.add(f"{source}: text columns {text} are not numbers and "
                     "categorical='error'; use categorical='auto' to one-hot encode "
                     f"them, or leave them out with exclude={text}", offer=text)
    elif categorical == "auto":
        for h in text:
            if h not in empty and h not in commas:
                problems.check(_levels, cols[h].values[~cols[h].missing], h, source,
                               offer=[h])
    if missing == "error":
        problems.check(_refuse_missing, y_col, target, {h: c for h, c in cols.items()
                                                         if h not in empty}, where)
    problems.raise_found()
    _warn_row_numbers(cols, source)
    dropped_cols = {}
    if categorical == "drop":
        for h in text:
            dropped_cols[h] = "text column, and categorical='drop'"
            del cols[h]
    # 2. missing values: drop rows or fill cells
    keep, drop_t, drop_f, imputed, fills = _handle_missing(y_col, target, cols, missing, where)
    # 3. encode text and booleans as numbers, recording each feature
    X_parts, feats, encoded = [], [], {}
    for h, col in cols.items():
        values, fill = col.values[keep], fills.get(h, (None, None))
        if col.kind != "text":
            X_parts.append(values[:, None])
            feats.append(Feature(h, h, "boolean" if col.kind == "boolean" else "number",
                                 None, *fill))
            continue
        levels = _levels(values, h, source)
        if len(levels) == 1:
            dropped_cols[h] = f"a single level {levels[0]!r} carries no information"
            continue
        new = [Feature(f"{h}={lv}", h, "indicator", lv, *fill) for lv in levels[1:]]
        X_parts.append(np.column_stack([values == lv for lv in levels[1:]]).astype(float))
        feats += new
        encoded[h] = Encoding(tuple(levels), levels[0], tuple(f.name for f in new))
    if not feats:
        reasons = "; ".join(f"{h!r}: {r}" for h, r in dropped_cols.items())
        raise DataError(f"{source}: no usable feature column is left ({reasons})")
    schema = Schema(tuple(feats), target, {h: e.dropped_level for h, e in encoded.items()})
    check_unique(schema.names + [target] * (target is not None),
                 f"{source} after one-hot encoding")
    y = None if y_col is None else y_col.values[keep]
    report = CleaningReport(
        source=source, row_word=row_word, n_rows_read=len(df), n_rows=int(keep.sum()),
        dropped_missing_target=drop_t, dropped_missing_features=drop_f, imputed=imputed,
        encoded=encoded, booleans=tuple(h for h, c in cols.items() if c.kind == "boolean"),
        dropped_columns=dropped_cols)
    return Ingested(np.hstack(X_parts), y, schema.names, target, report, schema,
                    where.labels[keep], keep)


def _select(df, target, features, exclude, source):
    """Column names (stripped, unique), the target and the feature list, all checked."""
    names = column_names(df, source)
    problems = Problems(source)
    if target is not None:
        target = problems.check(find_column, target, names, "target column", source)
    listed = {}
    for option, what, given in (("features", "feature column", features),
                                ("exclude", "exclude= column", exclude)):
        given = [] if given is None else [given] if isinstance(given, str) else list(given)
        found = [problems.check(find_column, f, names, what, source)
                 for f in given]
        repeated = sorted({f for f in found if f is not None and found.count(f) > 1})
        if repeated:
            problems.add(f"{option}= lists {few(repeated, quote=True)} more than once; list "
                         "each column once")
        listed[option] = [f for f in dict.fromkeys(found) if f is not None]
    problems.raise_found()
    if target is not None and target in listed["features"]:
        raise DataError(f"the target {target!r} is also listed in features=; remove it there")
    if target is not None and target in listed["exclude"]:
        raise DataError(f"the target {target!r} is listed in exclude=; the target is never a "
                        "feature, so leave it out of exclude=")
    chosen = listed["features"] if features is not None else [h for h in names if h != target]
    features = [h for h in chosen if h not in listed["exclude"]]
    if not features:
        left = "after exclude= " if exclude else ""
        raise DataError(f"{source} has no feature columns {left}besides the target {target!r}")
    return names, target, features


def _levels(values, name, source):
    """The sorted levels of a text column, refusing identifier-like columns."""
    levels = sorted(set(values))
    if len(levels) > MAX_LEVELS or len(levels) > max(2, len(values) // 2):
        hint = f" Leave it out with exclude={[name]}."
        raise DataError(f"{source}: column {name!r} is text with {len(levels)} distinct "
                        f"values in {len(values)} rows (e.g. {few(levels, 3, True)}); it "
                        f"looks like an identifier or free text, not a category.{hint}")
    return levels


#: Names of columns that number rows (compared lowercased, letters and digits only).
_ROW_NAMES = {"id", "obs", "observation", "index", "row", "rowid", "rownumber", "rownum",
              "no", "record", "case", "caseid", "unnamed0", ""}


def _warn_row_numbers(cols, source):
    """Warn of number columns named like a row counter that count 1, 2, 3, ... (or from any
    start): fitted as a feature, the row order would pass for a measurement."""
    for h, col in cols.items():
        key = "".join(c for c in h.lower() if c.isalnum())
        if col.kind != "number" or not (key in _ROW_NAMES or h.lower().endswith(("_id", " id"))):
            continue
        v = col.values
        if v.size >= 3 and not col.missing.any() and np.all(np.diff(v) == 1):
            warnings.warn(f"{source}: column {h!r} numbers the rows ({v[0]:g}, {v[1]:g}, ..., "
                          f"{v[-1]:g}), so the model learns from the row order; leave it out "
                          f"with exclude={[h]} unless the order is a measurement (time)",
                          IdentifierWarning, stacklevel=4)


def _decimal_commas(cells):
    """Whether most of these text cells are numbers written with a decimal comma."""
    shown = sorted(set(cells))[:200]
    return sum(comma_decimal(v) is not None for v in shown) > len(shown) // 2


def _without_values(cols, features, where, problems):
    """The feature columns without a single value, each a problem: no choice of ``missing``
    helps them."""
    empty = [h for h, c in cols.items() if c.missing.all()]
    if empty:
        has, them = ("has", "it") if len(empty) == 1 else ("have", "them")
        fix = (f"leave {them} out with exclude={empty}" if len(empty) < len(features)
               else f"fill {them}")
        problems.add(f"{where.source}: {plural('column', len(empty))} "
                     f"{few(empty, quote=True)} {has} no values, only missing cells; {fix}",
                     offer=empty if len(empty) < len(features) else ())
    return set(empty)


def _refuse_missing(y_col, target, cols, where):
    """The error for missing cells under ``missing="error"``, naming every column."""
    no_target = np.zeros(len(where.labels), dtype=bool) if y_col is None else y_col.missing
    gaps = {h: c.missing for h, c in cols.items() if c.missing.any()}
    if not (no_target.any() or gaps):
        return

    def cells(m):
        return f"{count(m.sum(), 'missing cell')}, on {where.rows(m, 3)}"

    parts = [f"{h!r} ({cells(m)})" for h, m in gaps.items()]
    msg = f"{where.source}: missing values"
    if no_target.any():
        msg += (f" in the target {target!r} ({cells(no_target)}; rows without a "
                "target are dropped by every other option, never imputed)")
    if parts:
        msg += (" in feature columns " if no_target.any() else " in columns ")
        msg += "; ".join(parts)
    raise DataError(msg + ". Choose how to handle them: missing='drop' removes those rows; "
                    "missing='mean' or missing='median' fills each column's gaps with its "
                    "mean or median")


def _handle_missing(y_col, target, cols, missing, where):
    """The rows kept, the labels dropped (target, features), imputations and fill values."""
    no_target = np.zeros(len(where.labels), dtype=bool) if y_col is None else y_col.missing
    gaps = {h: c.missing for h, c in cols.items() if c.missing.any()}
    keep = ~no_target
    drop_t = tuple(where.labels[no_target])
    drop_f, imputed, fills = (), {}, {}
    if missing == "drop":
        any_gap = np.zeros_like(keep)
        for m in gaps.values():
            any_gap |= m
        drop_f = tuple(where.labels[keep & any_gap])
        keep &= ~any_gap
    elif missing in ("mean", "median"):
        for h, col in cols.items():                  # every column: new data may have gaps
            m = col.missing
            seen = col.values[keep & ~m]
            if seen.size == 0:
                raise DataError(f"{where.source}: column {h!r} has no values to compute a "
                                f"{missing} from; leave it out with exclude={[h]}")
            fills[h] = _statistic(seen, missing) if col.kind != "text" else _mode(seen)
            fill = m & keep
            if fill.any():
                values = col.values.copy()
                values[fill] = fills[h][0]
                cols[h] = col._replace(values=values)
                imputed[h] = Imputation(fills[h][1], fills[h][0], int(fill.sum()))
    if not keep.any():
        raise DataError(f"{where.source}: no rows are left after dropping rows with missing "
                        "values; try missing='median', or leave the emptiest columns out "
                        "with exclude=")
    return keep, drop_t, drop_f, imputed, fills


def _statistic(values, how):
    values = values.astype(float)
    if how == "mean":
        value = float(np.sum(values / values.size))        # no overflow for huge values
    else:
        lo, hi = np.partition(values, [(values.size - 1) // 2, values.size // 2])[
            [(values.size - 1) // 2, values.size // 2]]
        value = float(lo / 2 + hi / 2)
    return value, how


def _mode(values):
    levels, counts = np.unique(values.astype(str), return_counts=True)
    return str(levels[np.argmax(counts)]), "most frequent level"
