"""Reading a CSV file or a pandas DataFrame into clean numeric arrays.

Every table takes one path. :func:`read_csv` decodes a file and splits it into
a frame of text cells whose index is the 1-based line number in the file;
:func:`ingest_frame` turns any frame into ``X`` (m × n, float), ``y`` and a
:class:`CleaningReport` recording everything the cleaning did.

Choices made here, once:

* **Missing cells.** An empty cell is missing everywhere. In a numeric column
  the tokens ``NA N/A n/a #N/A <NA> null NULL None ?`` and anything that reads
  as NaN are missing too. In a text column those tokens are ordinary values,
  because ``"NA"`` can be a real level (Namibia, sodium).
* **Text columns** with at most 20 distinct values, and at most half as many
  values as rows (or 2), are one-hot encoded as ``column=level``. The
  alphabetically first level is dropped: with an intercept and every level
  the columns would be collinear; the dropped level is the baseline the
  intercept describes. A text column with more levels (an identifier, free
  text) is an error, and so is a column whose cells are mostly (at least
  half) numbers with a few others such as ``3,5`` or ``n/a?``: never a silent
  explosion of categories. ``true``/``false`` columns (any case) become 1/0.
* **Imputation** (``missing="mean"`` or ``"median"``) uses each column's
  statistic over the whole table, after rows with a missing target are
  dropped; a text column gets its most frequent level. To keep a test part
  out of those statistics, use ``missing="drop"`` or impute after splitting.
* **The CSV reader** is Python's :mod:`csv` on the whole decoded file, so line
  numbers are exact (a quoted field may span lines); blank lines are ignored
  and every other line is either read or reported in an error, never skipped.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import os
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from descend.errors import DataError

MISSING_OPTIONS = ("error", "drop", "mean", "median")
CATEGORICAL_OPTIONS = ("auto", "error", "drop")
MAX_LEVELS = 20
NA_TOKENS = frozenset({"NA", "N/A", "n/a", "#N/A", "<NA>", "null", "NULL", "None", "?"})


@dataclass(frozen=True)
class Imputation:
    """How the missing cells of one column were filled: ``count`` cells got ``value``."""

    strategy: str
    value: float | str
    count: int


@dataclass(frozen=True)
class Encoding:
    """One-hot encoding of a text column: ``levels`` sorted, ``columns`` the new names."""

    levels: tuple[str, ...]
    dropped_level: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class CleaningReport:
    """What ingestion did to a table; ``str(report)`` is a short summary.

    Row references are file line numbers (``row_word == "line"``, the header
    is line 1) for CSV files and row labels (``"row"``) for DataFrames.

    Attributes
    ----------
    source : str
        The file (quoted) or ``"the DataFrame"`` or ``"arrays"``.
    n_rows_read, n_rows : int
        Rows read, rows kept.
    dropped_missing_target, dropped_missing_features : tuple
        Lines or row labels of the rows dropped, by reason.
    imputed : dict of str to Imputation
        Per column: strategy, fill value, number of cells filled.
    encoded : dict of str to Encoding
        Per one-hot encoded column: levels, the dropped baseline level, new names.
    booleans : tuple of str
        Columns converted from true/false to 1/0.
    dropped_columns : dict of str to str
        Columns left out, with the reason.
    """

    source: str = "arrays"
    row_word: str = "row"
    n_rows_read: int = 0
    n_rows: int = 0
    dropped_missing_target: tuple = ()
    dropped_missing_features: tuple = ()
    imputed: dict[str, Imputation] = field(default_factory=dict)
    encoded: dict[str, Encoding] = field(default_factory=dict)
    booleans: tuple[str, ...] = ()
    dropped_columns: dict[str, str] = field(default_factory=dict)

    @property
    def n_dropped(self) -> int:
        """Number of rows dropped for missing values."""
        return len(self.dropped_missing_target) + len(self.dropped_missing_features)

    @property
    def changed(self) -> bool:
        """Whether cleaning changed anything (rows, cells or columns)."""
        return bool(self.n_dropped or self.imputed or self.encoded or self.booleans
                    or self.dropped_columns)

    def __str__(self) -> str:
        lines = [f"Cleaning report for {self.source} "
                 f"({self.n_rows_read} rows read, {self.n_rows} kept):"]
        for what, rows in (("a missing target", self.dropped_missing_target),
                           ("missing feature values", self.dropped_missing_features)):
            if rows:
                lines.append(f"- dropped {_n(len(rows), 'row')} with {what} "
                             f"({_plural(self.row_word, len(rows))} {_few(rows)})")
        for name, imp in self.imputed.items():
            lines.append(f"- imputed {_n(imp.count, 'missing cell')} of {name!r} "
                         f"with the {imp.strategy} {imp.value!r}")
        for name, enc in self.encoded.items():
            lines.append(f"- one-hot encoded {name!r} ({len(enc.levels)} levels) as "
                         f"{_few(enc.columns, quote=True)}; level {enc.dropped_level!r} "
                         "is the baseline (its column is dropped: with an intercept "
                         "all levels would be collinear)")
        if self.booleans:
            lines.append(f"- converted true/false to 1/0 in {_few(self.booleans, quote=True)}")
        for name, reason in self.dropped_columns.items():
            lines.append(f"- left out column {name!r}: {reason}")
        if len(lines) == 1:
            lines.append("- nothing needed cleaning")
        return "\n".join(lines)


class Ingested(NamedTuple):
    """The result of :func:`ingest_frame`."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_name: str
    report: CleaningReport


class _Column(NamedTuple):
    kind: str              # "numeric", "boolean" or "text"
    values: np.ndarray     # (m,) float with NaN for missing, or object of str
    missing: np.ndarray    # (m,) bool


def _plural(word, count=2):
    return word if count == 1 else word + "s"


def _n(count, word):
    """``"1 cell"``, ``"2 cells"``."""
    return f"{count} {_plural(word, count)}"


def _few(items, k=8, quote=False):
    items = list(items)
    shown = ", ".join(repr(v) if quote else str(v) for v in items[:k])
    return shown + (f", ... ({len(items)} in all)" if len(items) > k else "")


# ----------------------------------------------------------------- CSV files
def read_csv(path, *, sep=",", encoding="utf-8") -> tuple[pd.DataFrame, str]:
    """Read a CSV file into a frame of text cells indexed by file line number.

    Parameters
    ----------
    path : str or os.PathLike
        The file; a name ending in ``.gz`` is decompressed with gzip.
    sep : str
        The one-character field delimiter.
    encoding : str
        Text encoding; a UTF-8 byte order mark is removed.

    Returns
    -------
    frame : pandas.DataFrame
        Stripped text cells (object dtype), one column per header field, index
        the 1-based line number where each record starts.
    name : str
        The file name used in messages.

    Raises
    ------
    DataError
        If the file cannot be read, decoded or parsed, or has no header or data.
    """
    if not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n':
        raise DataError(f"sep={sep!r} is not a valid delimiter: give one character, "
                        "such as ',', ';' or '\\t'")
    try:
        name = os.fsdecode(path)
    except TypeError:
        raise DataError(f"path must be a file name or path, not {type(path).__name__}") from None
    text = _decode(_read_bytes(name), name, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header, header_line, records, lines, ragged = None, 0, [], [], []
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue                                  # blank line
            if header is None:
                header, header_line = _check_header(fields, name, line), line
            elif len(fields) != len(header):
                ragged.append((line, len(fields)))
            else:
                records.append(fields)
                lines.append(line)
    except csv.Error as exc:
        span = f"line {start}" + (f" (to {reader.line_num})" if reader.line_num > start else "")
        raise DataError(f"{name!r}, {span}: the CSV cannot be parsed ({exc}); check the "
                        "quotes there: a quoted field must end with a quote followed by "
                        "the delimiter or the end of the line") from None
    if header is None:
        raise DataError(f"{name!r} is empty: it holds no header and no data")
    if ragged:
        shown = ", ".join(f"line {ln} has {k}" for ln, k in ragged[:5])
        more = f" ({len(ragged)} such lines)" if len(ragged) > 5 else ""
        raise DataError(f"{name!r}: rows with the wrong number of fields: {shown}; expected "
                        f"{len(header)} as in the header on line {header_line}{more}. "
                        f"A stray {sep!r} (e.g. a decimal comma) or a missing quote is the "
                        "usual cause; fix those lines or pass the right sep=")
    if not records:
        raise DataError(f"{name!r} has a header on line {header_line} but no data rows")
    columns = list(zip(*records))
    frame = pd.DataFrame({h: np.array(c, dtype=object) for h, c in zip(header, columns)},
                         index=pd.Index(lines, name="line"), dtype=object)
    return frame, name


def _read_bytes(name):
    try:
        with open(name, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise DataError(f"file {name!r} does not exist (relative names start from "
                        f"{os.getcwd()!r}); check the path") from None
    except IsADirectoryError:
        raise DataError(f"{name!r} is a directory, not a CSV file") from None
    except OSError as exc:
        raise DataError(f"cannot read file {name!r}: {exc.strerror or exc}") from None
    if name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name!r} ends in .gz but is not a valid gzip file ({exc}); "
                            "decompress or rename it") from None
    return raw


def _decode(raw, name, encoding):
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise DataError(f"unknown encoding={encoding!r}; use e.g. 'utf-8' or 'latin-1'") from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(f"{name!r} is not valid {encoding}: byte 0x{raw[exc.start]:02x} at "
                        f"offset {exc.start} (line {line}) cannot be decoded. The file was "
                        "probably saved in another encoding: try encoding='latin-1' "
                        "(or 'cp1252' for files from Excel on Windows)") from None
    return text[1:] if text.startswith("\ufeff") else text


def _check_header(fields, name, line):
    header = [f.strip() for f in fields]
    header[0] = header[0].lstrip("\ufeff").strip()
    for i, h in enumerate(header):
        if not h:
            raise DataError(f"{name!r}, line {line}: header field {i + 1} is empty; every "
                            "column needs a name (a trailing delimiter is a common cause)")
    if all(_number(h) is not None for h in header):
        raise DataError(f"{name!r}: the first line (line {line}) looks like data, not a "
                        f"header: all its fields are numbers ({_few(header)}). Add a header "
                        "line with the column names")
    _check_unique(header, name)
    return header


def _check_unique(names, source):
    seen = {}
    for i, h in enumerate(names):
        seen.setdefault(h, []).append(i + 1)
    dups = {h: pos for h, pos in seen.items() if len(pos) > 1}
    if dups:
        shown = "; ".join(f"{h!r} (columns {', '.join(map(str, p))})" for h, p in dups.items())
        raise DataError(f"{source}: duplicate column names: {shown}. Rename them so each "
                        "column has its own name")


# ------------------------------------------------------------------ frames
def ingest_frame(df, target, *, features=None, missing="error", categorical="auto",
                 source="the DataFrame", row_word="row") -> Ingested:
    """Clean a frame into numeric ``X``, ``y`` and a :class:`CleaningReport`.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; it is not modified.
    target : str
        Name of the target column.
    features : list of str, optional
        Columns to use as features, in this order; default all but the target.
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
        ``X`` (m × n float, finite), ``y`` (m,), names and the report.
    """
    if missing not in MISSING_OPTIONS:
        raise DataError(f"missing={missing!r} is not an option; use one of {MISSING_OPTIONS}")
    if categorical not in CATEGORICAL_OPTIONS:
        raise DataError(f"categorical={categorical!r} is not an option; use one of "
                        f"{CATEGORICAL_OPTIONS}")
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    names, target, features = _select(df, target, features, source)
    where = _Where(source, row_word, np.array([_label(v) for v in df.index], dtype=object))
    # 1. classify and parse each used column
    y_col = _parse(df.iloc[:, names.index(target)], target, where)
    cols = {h: _parse(df.iloc[:, names.index(h)], h, where) for h in features}
    text = [h for h in features if cols[h].kind == "text"]
    if text and categorical == "error":
        raise DataError(f"{source}: text columns {text} are not numbers and "
                        "categorical='error'; use categorical='auto' to one-hot encode "
                        "them, or leave them out with features=")
    dropped_cols = {}
    if categorical == "drop":
        for h in text:
            dropped_cols[h] = "text column, and categorical='drop'"
            del cols[h]
    # 2. missing values: drop rows or fill cells
    keep, drop_t, drop_f, imputed = _handle_missing(y_col, target, cols, missing, where)
    # 3. encode text and booleans as numbers
    X_parts, out_names, encoded = [], [], {}
    for h, col in cols.items():
        values = col.values[keep]
        if col.kind != "text":
            X_parts.append(values[:, None])
            out_names.append(h)
            continue
        levels = _levels(values, h, features, source)
        if len(levels) == 1:
            dropped_cols[h] = f"a single level {levels[0]!r} carries no information"
            continue
        new = tuple(f"{h}={lv}" for lv in levels[1:])
        X_parts.append(np.column_stack([values == lv for lv in levels[1:]]).astype(float))
        out_names += new
        encoded[h] = Encoding(tuple(levels), levels[0], new)
    if not out_names:
        reasons = "; ".join(f"{h!r}: {r}" for h, r in dropped_cols.items())
        raise DataError(f"{source}: no usable feature column is left ({reasons})")
    _check_unique(out_names + [target], f"{source} after one-hot encoding")
    y = y_col.values[keep]
    if y_col.kind == "boolean":
        y = y == 1.0                                     # labels True/False
    report = CleaningReport(
        source=source, row_word=row_word, n_rows_read=len(df), n_rows=int(keep.sum()),
        dropped_missing_target=drop_t, dropped_missing_features=drop_f, imputed=imputed,
        encoded=encoded, booleans=tuple(h for h, c in cols.items() if c.kind == "boolean"),
        dropped_columns=dropped_cols)
    return Ingested(np.hstack(X_parts), y, out_names, target, report)


def _select(df, target, features, source):
    """Column names (stripped, unique), the target and the feature list, all checked."""
    names = [str(c).strip() for c in df.columns]
    _check_unique(names, source)
    if len(df) == 0:
        raise DataError(f"{source} has no rows")
    target = _resolve(target, names, "target column", source)
    if features is None:
        features = [h for h in names if h != target]
    else:
        features = [features] if isinstance(features, str) else list(features)
        features = [_resolve(f, names, "feature column", source) for f in features]
        _check_unique(features, f"{source}: features=")
        if target in features:
            raise DataError(f"the target {target!r} is also listed in features=; remove it there")
    if not features:
        raise DataError(f"{source} has no feature columns besides the target {target!r}")
    return names, target, features


def _levels(values, name, features, source):
    """The sorted levels of a text column, refusing identifier-like columns."""
    levels = sorted(set(values))
    if len(levels) > MAX_LEVELS or len(levels) > max(2, len(values) // 2):
        raise DataError(f"{source}: column {name!r} is text with {len(levels)} distinct "
                        f"values in {len(values)} rows (e.g. {_few(levels, 3, True)}); it "
                        "looks like an identifier or free text, not a category. Leave it "
                        f"out with features={[f for f in features if f != name]}")
    return levels


class _Where(NamedTuple):
    source: str
    row_word: str
    labels: np.ndarray      # (m,) row labels, line numbers for files

    def rows(self, mask, k=5):
        return f"{_plural(self.row_word, mask.sum())} {_few(self.labels[mask], k)}"


def _label(v):
    return v.item() if isinstance(v, np.generic) else v


def _resolve(name, names, what, source):
    if not isinstance(name, str):
        name = str(name)
    if name.strip() in names:
        return name.strip()
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    close += [h for h in names if h.lower() == name.lower() and h not in close]
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    if len(names) == 1 and any(c in names[0] for c in ";\t|"):
        hint += (f" The whole header is one column {names[0]!r}: the file may use another "
                 "delimiter; pass sep=';' (or '\\t', '|')")
    raise DataError(f"{what} {name!r} not found in {source}.{hint} Columns are: "
                    f"{_few(names, 20, True)}")


def _number(token):
    """``float(token)``, or None when the token is not a number."""
    try:
        return float(token)
    except (ValueError, OverflowError):
        return None


def _token(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (float, np.floating)) and np.isnan(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    return v.strip() if isinstance(v, str) else str(v).strip()


def _parse(series, name, where) -> _Column:
    """Classify one column as numeric, boolean or text and parse its cells."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return _Column("boolean", values, np.isnan(values))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        _check_finite(values, name, where)
        return _Column("numeric", values, np.isnan(values))
    if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)):
        raise DataError(f"{where.source}: column {name!r} has dtype {dtype}, which is neither "
                        "numbers nor text; convert it to numbers or leave it out with features=")
    tokens = np.array([v.strip() if type(v) is str else _token(v)
                       for v in series.to_numpy(dtype=object)], dtype=object)
    empty = tokens == ""
    na_token = np.isin(tokens, sorted(NA_TOKENS))
    other = np.zeros(len(tokens), dtype=bool)
    try:                                                    # fast path: all numbers
        numbers = np.where(empty | na_token, "nan", tokens).astype(float)
    except (ValueError, TypeError, OverflowError):
        parsed = [_number(t) for t in tokens]
        other = np.array([p is None for p in parsed]) & ~empty & ~na_token
        numbers = np.array([np.nan if p is None else p for p in parsed], dtype=float)
    is_num = ~np.isnan(numbers)                             # numbers, inf included
    na = ~(empty | is_num | other)                          # NA tokens, "nan" spellings
    if not other.any():
        if not is_num.any():
            raise DataError(f"{where.source}: column {name!r} has no values, only missing "
                            "cells; leave it out with features=")
        _check_finite(numbers, name, where)
        return _Column("numeric", numbers, empty | na)
    if is_num.sum() >= other.sum():
        shown = ", ".join(f"{t!r} ({where.row_word} {lb})" for t, lb in
                          zip(tokens[other][:5], where.labels[other][:5]))
        comma = any("," in t and _number(t.replace(",", ".")) is not None
                    for t in tokens[other])
        hint = " (decimal commas? write 3.5, not 3,5)" if comma else ""
        raise DataError(f"{where.source}: column {name!r} is mostly numbers but "
                        f"{_n(other.sum(), 'cell')} cannot be read as numbers: {shown}{hint}. "
                        "Correct them, leave "
                        "missing cells empty, or leave the column out with features=")
    if not is_num.any() and all(t.lower() in ("true", "false") for t in tokens[other]):
        values = np.where(other, [t.lower() == "true" for t in tokens], np.nan)
        return _Column("boolean", values.astype(float), empty | na)
    return _Column("text", tokens, empty)


def _check_finite(values, name, where):
    bad = np.isinf(values)
    if bad.any():
        raise DataError(f"{where.source}: column {name!r} holds infinite or overflowing "
                        f"numbers (beyond ±1.8e308) on {where.rows(bad)}; fix those cells "
                        "(leave them empty if unknown)")


def _handle_missing(y_col, target, cols, missing, where):
    """Return the rows kept, the labels dropped (target, features) and imputations."""
    gaps = {h: c.missing for h, c in cols.items() if c.missing.any()}
    if missing == "error" and (y_col.missing.any() or gaps):
        parts = [f"{h!r} ({_n(m.sum(), 'empty cell')}, on {where.rows(m, 3)})"
                 for h, m in gaps.items()]
        msg = f"{where.source} has missing values"
        if y_col.missing.any():
            msg += (f" in the target {target!r} ({_n(y_col.missing.sum(), 'empty cell')}, on "
                    f"{where.rows(y_col.missing, 3)}; rows without a target are dropped by "
                    "every other option, never imputed)")
        if parts:
            msg += (" in feature columns " if y_col.missing.any() else " in columns ")
            msg += "; ".join(parts)
        raise DataError(msg + ". Choose how to handle them: missing='drop' removes those rows; "
                        "missing='mean' or missing='median' fills each column's gaps with its "
                        "mean or median")
    keep = ~y_col.missing
    drop_t = tuple(where.labels[y_col.missing])
    drop_f, imputed = (), {}
    if missing == "drop":
        any_gap = np.zeros_like(keep)
        for m in gaps.values():
            any_gap |= m
        drop_f = tuple(where.labels[keep & any_gap])
        keep &= ~any_gap
    elif missing in ("mean", "median"):
        for h, m in gaps.items():
            col, fill = cols[h], m & keep
            if not fill.any():
                continue
            seen = col.values[keep & ~m]
            if seen.size == 0:
                raise DataError(f"{where.source}: column {h!r} has no values to compute a "
                                f"{missing} from; leave it out with features=")
            value, how = _statistic(seen, missing) if col.kind != "text" else _mode(seen)
            values = col.values.copy()
            values[fill] = value
            cols[h] = col._replace(values=values)
            imputed[h] = Imputation(how, value, int(fill.sum()))
    if not keep.any():
        raise DataError(f"{where.source}: no rows are left after dropping rows with missing "
                        "values; try missing='median', or leave the emptiest columns out "
                        "with features=")
    return keep, drop_t, drop_f, imputed


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
