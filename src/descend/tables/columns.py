"""What the cells of one column hold: numbers, true/false, text, or nothing.

:func:`parse_column` classifies a column of a frame and parses its cells,
the same way for the text cells of a CSV file and for a DataFrame's columns:

* **Missing cells.** An empty cell is missing everywhere. In a numeric column
  the tokens ``NA N/A n/a #N/A <NA> null NULL None ?`` and anything that reads
  as NaN are missing too. In a text column those tokens are ordinary values,
  because ``"NA"`` can be a real level (Namibia, sodium).
* **Numbers** are written as data files write them: ASCII digits with an
  optional sign, point and exponent (:func:`number`). ``1_000``, Arabic-Indic
  or full-width digits, and ``1e-400`` (which float64 would read as 0) are
  not numbers, so a column holding them among numbers is an error naming
  them. Numbers must be finite: ``inf`` or a number beyond the float range
  (``1e400``) is an error naming the column and the rows.
* **Mixed columns.** A column whose cells are mostly (at least half) numbers
  with a few others such as ``3,5`` or ``n/a?`` is an error, never a silent
  category; a column of ``true``/``false`` (any case) is boolean.

The target is parsed the same way by :func:`parse_target`; :func:`text_cells`
reads any column as text (for the levels of a category); :func:`find_column`
and :func:`column_names` look columns up by name, suggesting close names.
"""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import DataError
from .dialect import single_quoted
from .report import Where, cell, count, few

NA_TOKENS = frozenset({"NA", "N/A", "n/a", "#N/A", "<NA>", "null", "NULL", "None", "?"})


class Column(NamedTuple):
    """One parsed column of m cells."""

    kind: str              # "number", "boolean" or "text" (as a schema's Feature.kind)
    values: np.ndarray     # (m,) float with NaN for missing, or object of str
    missing: np.ndarray    # (m,) bool


def parse_column(series, name, where: Where) -> Column:
    """Classify one column as numeric, boolean or text and parse its cells.

    Parameters
    ----------
    series : pandas.Series
        The cells; text cells are stripped of surrounding whitespace.
    name : str
        The column's name, for messages.
    where : report.Where
        The table and its row labels, for messages.

    Returns
    -------
    Column
        Booleans as 1.0/0.0; missing cells NaN (numbers) or ``""`` (text).

    Raises
    ------
    DataError
        For infinite numbers, mostly-number columns with unreadable cells, and
        dtypes that are neither numbers nor text (dates, for example).
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return Column("boolean", values, np.isnan(values))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        check_finite(values, name, where)
        return Column("number", values, np.isnan(values))
    if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)):
        raise DataError(f"{where.source}: column {name!r} has dtype {dtype}, which is neither "
                        f"numbers nor text; convert it to numbers or leave it out with exclude={[name]}")
    tokens, empty = text_cells(series)
    na_token = np.isin(tokens, sorted(NA_TOKENS))
    other = np.zeros(len(tokens), dtype=bool)
    numbers = _fast_numbers(tokens, empty | na_token)      # fast path: all numbers
    if numbers is None:
        parsed = [None if m else number(t) for t, m in zip(tokens, empty | na_token)]
        other = np.array([p is None for p in parsed]) & ~empty & ~na_token
        numbers = np.array([np.nan if p is None else p for p in parsed], dtype=float)
    is_num = ~np.isnan(numbers)                             # numbers, inf included
    na = ~(empty | is_num | other)                          # NA tokens, "nan" spellings
    if not other.any():
        check_finite(numbers, name, where)
        return Column("number", numbers, empty | na)
    if is_num.sum() >= other.sum():
        shown = ", ".join(f"{cell(t)} ({where.row_word} {lb})" for t, lb in
                          zip(tokens[other][:5], where.labels[other][:5]))
        hint = _not_a_number_hint(tokens[other])
        raise DataError(f"{where.source}: column {name!r} is mostly numbers but "
                        f"{count(other.sum(), 'cell')} cannot be read as numbers: "
                        f"{shown}{hint}. Correct them, leave missing cells empty, or leave "
                        f"the column out with exclude={[name]}")
    if not is_num.any() and all(t.lower() in ("true", "false") for t in tokens[other]):
        values = np.where(other, [t.lower() == "true" for t in tokens], np.nan)
        return Column("boolean", values.astype(float), empty | na)
    return Column("text", tokens, empty)


def numbers(cells):
    """Text ``cells`` as :func:`parse_column` reads a numeric column, float64 with NaN where
    missing, or None when it would read them otherwise (text, true/false, or an error)."""
    where = Where("", "row", np.zeros(len(cells), dtype=object))
    try:
        column = parse_column(pd.Series(cells, dtype=object), "", where)
    except DataError:
        return None
    if column.kind != "number":
        return None
    values = column.values.copy()
    values[column.missing] = np.nan
    return values


def text_cells(series) -> tuple[np.ndarray, np.ndarray]:
    """The cells of any column as stripped text (m,) and where they are missing (empty)."""
    tokens = np.array([v.strip() if type(v) is str else _token(v)
                       for v in series.to_numpy(dtype=object)], dtype=object)
    return tokens, tokens == ""


def parse_target(series, name, where: Where) -> Column:
    """Parse a target column like any other; true/false become the labels True/False.

    Raises
    ------
    DataError
        If the column has no values at all, only missing cells.
    """
    col = parse_column(series, name, where)
    if col.missing.all():
        raise DataError(f"{where.source}: the target {name!r} has no values, only missing "
                        "cells; check that target= names the right column")
    return col._replace(values=col.values == 1.0) if col.kind == "boolean" else col


def find_column(name, names, what, source) -> str:
    """``name`` (stripped) if it is one of ``names``; else an error suggesting close names."""
    if not isinstance(name, str):
        name = str(name)
    if name.strip() in names:
        return name.strip()
    close = close_names(name, names, 3)
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    if len(names) == 1 and any(c in names[0] for c in ";\t|, "):
        hint += (f" The whole header is one column {names[0]!r}: the file may use another "
                 "delimiter; pass sep='auto' to detect it, or give it (sep=';', sep='tab').")
    if single_quoted(names):
        hint += (" The column names are in single quotes: pass quote=\"'\" to read them "
                 "without.")
    numeric = [] if years(names) else [h for h in names if number(h) is not None]
    if numeric:
        hint += (f" Some column names are numbers ({few(numeric, 3, True)}): if the first "
                 "line is data, not a header, add a header line naming the columns.")
    raise DataError(f"{what} {name!r} not found in {source}.{hint} Columns are: "
                    f"{few(names, 20, True)}")


def close_names(name, names, n) -> list[str]:
    """Up to about ``n`` of ``names`` spelled like ``name`` (difflib, or equal but for case)."""
    close = difflib.get_close_matches(name, names, n=n, cutoff=0.6)
    same = [h for h in names if h.lower() == name.lower()]
    return same + [h for h in close if h not in same]


def column_names(df, source) -> list[str]:
    """The stripped, unique column names of a frame with at least one row."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    names = [str(c).strip() for c in df.columns]
    check_unique(names, source)
    if len(df) == 0:
        raise DataError(f"{source} has no rows")
    return names


def check_finite(values, name, where: Where) -> None:
    """Refuse infinite entries of a float column (m,), naming the rows."""
    bad = np.isinf(values)
    if bad.any():
        raise DataError(f"{where.source}: column {name!r} holds infinite or overflowing "
                        f"numbers (beyond ±1.8e308) on {where.rows(bad)}; fix those cells "
                        "(leave them empty if unknown)")


def check_unique(names, source) -> None:
    """Refuse repeated column names, naming their 1-based positions."""
    seen = {}
    for i, h in enumerate(names):
        seen.setdefault(h, []).append(i + 1)
    dups = {h: pos for h, pos in seen.items() if len(pos) > 1}
    if dups:
        shown = "; ".join(f"{h!r} (columns {', '.join(map(str, p))})" for h, p in dups.items())
        raise DataError(f"{source}: duplicate column names: {shown}. Rename them so each "
                        "column has its own name")


#: A number as data files write it; Python's float() also takes "1_000" and
#: non-ASCII digits, which are not numbers here.
_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)",
                     re.IGNORECASE | re.ASCII)
_ZERO = re.compile(r"[+-]?0*\.?0*(?:[eE][+-]?\d+)?", re.ASCII)       # a mantissa of zeros


def number(token):
    """``float(token)`` for a number written in ASCII, or None.

    None also for a nonzero number below the float64 range (``1e-400``),
    which ``float`` would silently read as 0.
    """
    if not _NUMBER.fullmatch(token):
        return None
    value = float(token)
    if value == 0.0 and not _ZERO.fullmatch(token):
        return None
    return value


def years(names) -> bool:
    """Whether names that are numbers read as years (1000-2999, whole, distinct): column
    names such as 1990, 1991, not a line of data."""
    numeric = [number(h) for h in names]
    found = [v for v in numeric if v is not None]
    return (bool(found) and len(set(found)) == len(found)
            and all(1000 <= v <= 2999 and v == int(v) for v in found))


def comma_decimal(token):
    """A number written with a decimal comma (``3,5``) as it reads with a point (``3.5``);
    None for any other token."""
    if "," not in token:
        return None
    pointed = token.replace(",", ".")
    return pointed if number(pointed) is not None else None


def _fast_numbers(tokens, missing):
    """All cells as float64 at C speed, or None when any cell needs :func:`number`."""
    joined = "".join(tokens)
    if "_" in joined or not joined.isascii():
        return None
    try:
        numbers = np.where(missing, "nan", tokens).astype(float)
    except (ValueError, TypeError, OverflowError):
        return None
    zero = numbers == 0.0
    if zero.any() and not all(_ZERO.fullmatch(t) for t in tokens[zero]):
        return None                                       # an underflow to 0
    return numbers


def _not_a_number_hint(tokens):
    """Why these cells, meant as numbers, did not read as numbers, when it can be told."""
    hints = []
    if any(comma_decimal(t) is not None for t in tokens):
        hints.append("decimal commas? pass decimal=',' or write 3.5, not 3,5")
    if any("_" in t for t in tokens):
        hints.append("digit separators? write 1000, not 1_000")
    if any(not t.isascii() and _is_float(t) for t in tokens):
        hints.append("digits other than 0-9? write them with 0-9")
    if any(_NUMBER.fullmatch(t) and float(t) == 0.0 and not _ZERO.fullmatch(t) for t in tokens):
        hints.append("too small for float64, it would read as 0; write 0 if that is meant")
    return f" ({'; '.join(hints)})" if hints else ""


def _is_float(token):
    try:
        float(token)
    except ValueError:
        return False
    return True


def _token(v):
    """A cell that is not a str, as stripped text; ``""`` when missing."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (float, np.floating)) and np.isnan(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    return str(v).strip()
