"""A CSV file read, as it streams, into a frame indexed by line number.

:func:`read_csv` reads the file as a stream (decompressing it when the name
ends in ``.gz``) and splits it with Python's :mod:`csv`, so line numbers are
exact even when a quoted field spans lines, and memory stays a small
multiple of the decompressed text: the cells are held packed, column by
column, and a column whose every cell is a number or missing becomes
float64 (NaN where missing) as :func:`descend.tables.columns.parse_column` would
read it; any other column stays text cells. No line vanishes: a blank line
in a file of one column is a row with a missing cell; other blank lines (in
a file of several columns, before the header, or after the last row) hold
no row and are returned in :attr:`CsvTable.blank_lines` for the cleaning
report; every other line is read or reported in an error. What the text
cells mean is decided later, by :mod:`descend.tables.columns` and
:mod:`descend.tables.ingest`. Every error names the file, and the line where
there is one.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import zlib
from array import array
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import DataError
from .columns import NA_TOKENS, check_unique, comma_decimal, number, numbers, years
from .dialect import (AUTO, Dialect, detect_quote, detect_sep, parse_decimal,
                      parse_quote, parse_sep, shown_sep, split_records)
from .opening import decode, open_text, read_bytes
from .report import few


class CsvTable(NamedTuple):
    """What :func:`read_csv` returns."""

    frame: pd.DataFrame
    name: str
    blank_lines: tuple[int, ...]       # lines that hold no row, for the cleaning report
    dialect: Dialect = Dialect()       # how the file was read
    kept: pd.DataFrame | None = None   # the columns asked for as written (text cells)


def read_csv(path, *, sep=",", encoding="utf-8", text_columns=(), quote='"',
             decimal=".", keep=()) -> CsvTable:
    """Read a CSV file into a frame indexed by file line number.

    Parameters
    ----------
    path : str or os.PathLike
        The file; a name ending in ``.gz`` is decompressed with gzip.
    sep : str
        The field delimiter: one character, ``"tab"``, ``"whitespace"`` (runs of
        spaces and tabs), or ``"auto"`` to detect it (see
        :mod:`descend.tables.dialect`).
    encoding : str
        Text encoding; a UTF-8 byte order mark is removed.
    text_columns : collection of str
        Columns kept as text even when every cell is a number (the levels
        of a category are compared as written).
    quote : str
        The quote character, ``"none"``, or ``"auto"``: ``'`` when every field of the
        header is in single quotes, else ``"``.
    keep : collection of str
        Columns also returned as written, text cells, in ``kept`` (an
        identifier ``007`` stays ``007``), whatever they are read as.
    decimal : {".", ","}
        The decimal mark. With ``","``, a cell such as ``3,5`` is the number
        3.5, and a number written with a point (``1.234``, a thousands
        separator in such files) is an error naming its lines.

    Returns
    -------
    frame : pandas.DataFrame
        One column per header field (names stripped), index the 1-based line
        number where each record starts: float64 (NaN where missing) for a
        column of numbers, else the text cells as written (object dtype;
        :mod:`descend.tables.columns` strips them).
    name : str
        The file name used in messages.
    blank_lines : tuple of int
        The blank lines that hold no row.
    dialect : dialect.Dialect
        How the file was read, the detected delimiter included.

    Raises
    ------
    DataError
        If the file cannot be read, decoded or parsed, or has no header or data.
    """
    name, sep, quote, decimal = _checked(path, sep, quote, decimal)
    records = _records(name, sep, encoding, quote, decimal)
    dialect, guess = next(records)
    rows = _Rows(name)
    for fields, line in records:
        rows.add(fields, line)
    return rows.table(dialect, text_columns, guess, keep)


def read_csv_chunks(path, chunksize, *, sep=",", encoding="utf-8", text_columns=(), quote='"',
                    decimal="."):
    """:func:`read_csv` in pieces: yield a :class:`CsvTable` of each ``chunksize`` rows
    (the last may hold fewer), read as the file streams, so that no more than one chunk
    is ever held. Each chunk's frame is indexed by file line, as the whole file's would
    be; a column is numbers or text in each chunk on its own."""
    name, sep, quote, decimal = _checked(path, sep, quote, decimal)
    records = _records(name, sep, encoding, quote, decimal)
    dialect, guess = next(records)
    rows, given = _Rows(name), False
    for fields, line in records:
        rows.add(fields, line)
        if len(rows.lines) >= chunksize:
            yield rows.table(dialect, text_columns, guess)
            rows, given = rows.after(), True
    if rows.lines or rows.ragged or not given:
        yield rows.table(dialect, text_columns, guess)


def _checked(path, sep, quote, decimal):
    """The file's name for messages and the dialect's parsed parts, or a DataError."""
    sep, quote, decimal = parse_sep(sep), parse_quote(quote), parse_decimal(decimal)
    if sep == quote and sep != AUTO:
        raise DataError(f"sep={sep!r} and quote={quote!r} are the same character; the "
                        "delimiter and the quote must differ")
    if sep == decimal:
        raise DataError(f"sep={sep!r} and decimal={decimal!r} are the same character; a "
                        "file with decimal commas is delimited by another, often sep=';'")
    try:
        return os.fsdecode(path), sep, quote, decimal
    except TypeError:
        raise DataError(f"path must be a file name or path, not {type(path).__name__}") from None


def _records(name, sep, encoding, quote, decimal):
    """The file's records as it streams: first ``(dialect, guess)`` (how it is read, and
    the delimiter its first lines suggest, None when detected), then ``(fields, line)``
    for each record. Errors name the file and the line."""
    with open_text(name, encoding) as stream:
        start = 1
        try:
            head = _head(stream)
            first = list(_without_bom(head))
            found = (detect_sep(first, '"' if quote in ("", AUTO) else quote, decimal)
                     if sep == AUTO else sep)
            if quote == AUTO:
                quote = detect_quote([line for line in first if line.strip()], found)
            dialect = Dialect(found, quote, decimal, encoding, detected=sep == AUTO)
            yield dialect, None if dialect.detected else detect_sep(first, quote or '"')
            lines = dialect.lines(itertools.chain(first, stream))
            reader = csv.reader(lines, strict=True, **dialect.csv_options())
            for fields in reader:
                line, start = start, reader.line_num + 1
                yield fields, line
        except csv.Error as exc:
            span = f"line {start}" + (f" (to {reader.line_num})" if reader.line_num > start else "")
            guess = detect_sep(first, quote or '"')
            hint = (f"; the file looks delimited by {shown_sep(guess)}, not "
                    f"{shown_sep(dialect.sep)}: pass sep={guess!r} (or sep='auto')"
                    if guess != dialect.sep and not dialect.detected else
                    "; check the quotes there: a quoted field must end with a quote followed "
                    "by the delimiter or the end of the line")
            raise DataError(f"{name!r}, {span}: the CSV cannot be parsed ({exc}){hint}") from None
        except UnicodeDecodeError:
            decode(read_bytes(name), name, encoding)      # names the byte and its line
            raise
        except (OSError, EOFError, zlib.error) as exc:
            if not name.endswith(".gz"):
                raise DataError(f"cannot read file {name!r}: {exc}") from None
            raise DataError(f"{name!r} ends in .gz but is not a valid gzip file ({exc}); "
                            "decompress or rename it") from None


class _Every:
    """``text_columns=EVERY``: every column kept as text."""

    def __contains__(self, name):
        return True


EVERY = _Every()

#: What :func:`read_csv` reads ahead to detect the delimiter: lines, characters.
HEAD_LINES, HEAD_CHARS = 64, 1 << 16


def _head(stream):
    """The first lines of a text stream, for detection; the stream reads on after them."""
    head, size = [], 0
    while len(head) < HEAD_LINES and size < HEAD_CHARS:
        line = stream.readline()
        if not line:
            break
        head.append(line)
        size += len(line)
    return head


def _without_bom(lines):
    """The lines of a stream, a byte order mark at the very start removed (any encoding)."""
    first = True
    for line in lines:
        if first:
            line, first = line.removeprefix("\ufeff"), False
        yield line


#: Rows held as text per column before they are packed (see :class:`_Rows`).
CHUNK_ROWS = 8192


class _Rows:
    """The records of a CSV file, held compactly column by column while it streams.

    The cells of each column are packed every ``CHUNK_ROWS`` rows into one
    string and their lengths, about one byte a character, instead of a Python
    object of some fifty bytes a cell. :meth:`table` turns each column into
    float64 when every cell is a number or missing (:func:`descend.tables.columns.numbers`,
    one packed chunk at a time), else into text cells.
    """

    def __init__(self, name):
        self.name, self.header, self.header_line = name, None, 0
        self.cells, self.packed = [], []        # per column: the current chunk, packed chunks
        self.lines = array("q")                 # the line each record starts on
        self.blank, self.pending, self.ragged = [], [], []
        self.continued = False                  # a later chunk: the header came before

    def add(self, fields, line):
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            if self.header is not None and len(self.header) == 1:
                self.pending.append(line)        # one column: a missing cell, unless at the end
            else:
                self.blank.append(line)
            return
        if self.header is None:
            self.header, self.header_line = _check_header(fields, self.name, line), line
            self.cells = [[] for _ in self.header]
            self.packed = [[] for _ in self.header]
        elif len(fields) != len(self.header):
            self.ragged.append((line, len(fields)))
        else:
            for pending in self.pending:
                self._record([""], pending)
            self.pending = []
            self._record(fields, line)

    def after(self):
        """A new holder for the records that follow, under the same header."""
        rows = _Rows(self.name)
        rows.header, rows.header_line, rows.pending = self.header, self.header_line, self.pending
        rows.cells = [[] for _ in self.header]
        rows.packed = [[] for _ in self.header]
        rows.continued = True
        return rows

    def _record(self, fields, line):
        for column, value in zip(self.cells, fields):
            column.append(value)
        self.lines.append(line)
        if len(self.cells[0]) == CHUNK_ROWS:
            self._pack()

    def _pack(self):
        for j, column in enumerate(self.cells):
            lengths = np.fromiter(map(len, column), dtype=np.int32, count=len(column))
            self.packed[j].append(("".join(column), lengths))
            column.clear()

    def table(self, dialect, text_columns, guess=None, keep=()):
        name, header = self.name, self.header
        if header is None:
            raise DataError(f"{name!r} is empty: it holds no header and no data")
        if self.ragged:
            shown = ", ".join(f"line {ln} has {k}" for ln, k in self.ragged[:5])
            more = f" ({len(self.ragged)} such lines)" if len(self.ragged) > 5 else ""
            counts = {k for _, k in self.ragged}
            if not self.lines and len(counts) == 1 and not self.continued:
                raise DataError(f"{name!r}: line {self.header_line} has {len(header)} "
                                f"field{'s' * (len(header) != 1)} but every line after it has "
                                f"{counts.pop()}: line {self.header_line} looks like a title "
                                "above the header, not the header; remove it (the header is "
                                "the first line, naming the columns)")
            if guess is not None and guess != dialect.sep:
                fix = (f"the file looks delimited by {shown_sep(guess)}, not "
                       f"{shown_sep(dialect.sep)}: pass sep={guess!r} (or sep='auto')")
            else:
                fix = (f"a stray {shown_sep(dialect.sep)} (e.g. a decimal comma) or a missing "
                       "quote is the usual cause; fix those lines, or pass the right sep=")
            raise DataError(f"{name!r}: rows with the wrong number of fields: {shown}; expected "
                            f"{len(header)} as in the header on line {self.header_line}{more}; "
                            f"{fix}")
        if not self.lines:
            raise DataError(f"{name!r} has a header on line {self.header_line} but no data rows")
        self._pack()
        index = pd.Index(np.frombuffer(self.lines, dtype=np.int64), name="line")
        kept = {h: self._as_written(j) for j, h in enumerate(header) if h in keep}
        kept = pd.DataFrame(kept, index=index) if kept else None
        columns = (self._column(j, h, h in text_columns, dialect.decimal)
                   for j, h in enumerate(header))
        # dtype given, so that text stays object cells (pandas 3 would infer "str")
        frame = pd.DataFrame({h: pd.Series(c, index=index, dtype=c.dtype, copy=False)
                              for h, c in zip(header, columns)}, index=index)
        blank = self.blank + self.pending            # blank lines after the last row
        return CsvTable(frame, name, tuple(sorted(blank)), dialect, kept)

    def _as_written(self, j):
        """Column ``j``'s cells as written (object, m), leaving its packed chunks in place."""
        return np.array([v for chunk in self.packed[j] for v in _unpack(*chunk)], dtype=object)

    def _column(self, j, name, text, decimal):
        """Column ``j`` as float64 (NaN missing) when all its chunks are numbers, else text."""
        chunks = self.packed[j]
        self.packed[j] = []                          # free each column once it is built

        def cells(k):                                # chunk k's cells, one chunk at a time
            found = _unpack(*chunks[k])
            return found if text or decimal == "." else self._commas(found, k, name)

        if not text:
            parts = [numbers(cells(k)) for k in range(len(chunks))]
            if all(part is not None for part in parts):
                return np.concatenate(parts)
        seen = {}                                    # one object per distinct text
        return np.concatenate([np.array([seen.setdefault(v, v) for v in cells(k)], dtype=object)
                               for k in range(len(chunks))])

    def _commas(self, chunk, k, name):
        """The cells of chunk ``k`` with decimal commas written as points. In a column of
        numbers, one written with a point (``1.234``, ``1.234,5``, ``3.5``) is refused: in
        such a file a point is likely a thousands separator. A column that holds other
        text too (dates such as ``01.03.2021``, versions) is left as written."""
        out, points, text = [], [], False
        for i, cell in enumerate(chunk):
            token = cell.strip()
            if (c := comma_decimal(token)) is not None:
                out.append(c)
                continue
            if _POINTED.fullmatch(token):
                points.append((self.lines[k * CHUNK_ROWS + i], token))
            elif token and number(token) is None and token not in NA_TOKENS:
                text = True
            out.append(cell)
        if points and not text:
            shown = ", ".join(f"{c!r} (line {line})" for line, c in points[:5])
            raise DataError(f"{self.name!r}: column {name!r} holds numbers written with a "
                            f"decimal point ({shown}), but decimal=','. In a file with decimal "
                            "commas a point is often a thousands separator: write those cells "
                            "with a comma (1234,5, not 1.234,5), or pass decimal='.' if the "
                            "points are decimal marks")
        return out


#: A number written with a decimal point or thousands points: 3.5, 1.234, 1.234.567,5.
_POINTED = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+(?:,\d*)?|\d*\.\d+)", re.ASCII)


def _unpack(joined, lengths):
    ends = np.cumsum(lengths).tolist()
    return [joined[a:b] for a, b in zip([0] + ends[:-1], ends)]


def _check_header(fields, name, line):
    header = [f.strip() for f in fields]
    header[0] = header[0].lstrip("\ufeff").strip()
    for i, h in enumerate(header):
        if not h:
            raise DataError(f"{name!r}, line {line}: header field {i + 1} is empty; every "
                            "column needs a name (a trailing delimiter is a common cause)")
    if all(number(h) is not None for h in header) and not years(header):
        raise DataError(f"{name!r}: the first line (line {line}) looks like data, not a "
                        f"header: all its fields are numbers ({few(header)}). Add a header "
                        "line with the column names")
    check_unique(header, repr(name))
    return header


def first_record(path, dialect) -> list[str]:
    """The first record (the header) of a file as ``dialect`` splits it; [] if unreadable."""
    try:
        with open_text(os.fsdecode(path), dialect.encoding) as stream:
            head = list(_without_bom(_head(stream)))
    except (DataError, OSError, UnicodeDecodeError, EOFError, zlib.error):
        return []
    records = split_records(head, dialect)
    return [f.strip() for f in records[0]] if records else []


def sniff(path, encoding="utf-8", quote='"') -> str:
    """The delimiter :func:`read_csv` would detect in the file (``","`` if unreadable)."""
    try:
        with open_text(os.fsdecode(path), encoding) as stream:
            return detect_sep(list(_without_bom(_head(stream))), quote or '"')
    except (DataError, OSError, UnicodeDecodeError, EOFError, zlib.error):
        return ","
