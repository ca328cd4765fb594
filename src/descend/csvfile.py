"""A CSV file read into a frame of text cells indexed by line number.

:func:`read_csv` decodes the whole file (gzip when the name ends in ``.gz``)
and splits it with Python's :mod:`csv`, so line numbers are exact even when a
quoted field spans lines. No line vanishes: a blank line in a file of one
column is a row with a missing cell; other blank lines (in a file of several
columns, before the header, or after the last row) hold no row and are
returned in :attr:`CsvTable.blank_lines` for the cleaning report; every
other line is read or reported in an error. What the cells mean (numbers,
missing, text) is decided later, by :mod:`descend.columns` and
:mod:`descend.ingest`. Every error names the file, and the line where there
is one.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zlib
from typing import NamedTuple

import numpy as np
import pandas as pd

from descend.columns import check_unique, number
from descend.errors import DataError
from descend.report import few


class CsvTable(NamedTuple):
    """What :func:`read_csv` returns."""

    frame: pd.DataFrame
    name: str
    blank_lines: tuple[int, ...]       # lines that hold no row, for the cleaning report


def read_csv(path, *, sep=",", encoding="utf-8") -> CsvTable:
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
        Text cells as written (object dtype; :mod:`descend.columns` strips
        them), one column per header field (names stripped), index the
        1-based line number where each record starts.
    name : str
        The file name used in messages.
    blank_lines : tuple of int
        The blank lines that hold no row.

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
    header, header_line, records, lines, ragged, blank = None, 0, [], [], [], []
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                if header is not None and len(header) == 1:
                    fields = [""]                         # one column: its cell is missing
                else:
                    blank.append(line)
                    continue
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
    while len(header) == 1 and records and not records[-1][0].strip():
        records.pop()                                     # blank lines after the last row
        blank.append(lines.pop())
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
    return CsvTable(frame, name, tuple(sorted(blank)))


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
    if all(number(h) is not None for h in header):
        raise DataError(f"{name!r}: the first line (line {line}) looks like data, not a "
                        f"header: all its fields are numbers ({few(header)}). Add a header "
                        "line with the column names")
    check_unique(header, repr(name))
    return header
