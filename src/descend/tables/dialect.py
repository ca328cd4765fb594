"""How a CSV file is written: :class:`Dialect` (delimiter, quote, decimal mark, encoding).

A model file keeps the dialect its training file was read with, so that new
files are read the same way. :func:`parse_sep` reads a delimiter as people
type it (``;``, ``tab``, ``\\t``); :func:`detect_sep` finds it from the first
records of a file: the delimiter that splits every record into the same
number (at least two) of fields. Comma, semicolon, tab and pipe are tried,
then runs of whitespace (``"whitespace"``: fields separated by one or more
spaces or tabs, as in aligned text tables). A file of one column, or one that
no candidate splits evenly, is read with a comma, so that the reader names
the lines that do not fit.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from ..errors import DataError

__all__ = ["Dialect", "parse_sep", "parse_quote", "parse_decimal", "parse_encoding", "detect_sep", "detect_quote", "split_records",
           "WHITESPACE",
           "AUTO"]

WHITESPACE = "whitespace"
AUTO = "auto"
#: The delimiters tried by :func:`detect_sep`, in order of preference on a tie.
CANDIDATES = (",", ";", "\t", "|")
_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "space": " ",
          WHITESPACE: WHITESPACE}
_SHOWN = {"\t": "tab", " ": "space", WHITESPACE: "whitespace"}


def parse_sep(text) -> str:
    """The delimiter meant by ``text``: one character, ``"whitespace"`` or ``"auto"``.

    Accepts a character (``,`` ``;`` ``|``), a name (``comma``, ``semicolon``,
    ``tab``, ``pipe``, ``space``, ``whitespace``, ``auto``) and the escape
    ``\\t`` for a tab, with its backslash doubled or not.

    Raises
    ------
    DataError
        For anything else, listing what is accepted.
    """
    if not isinstance(text, str):
        raise DataError(f"sep={text!r} is not a delimiter; give one character such as ',' or "
                        "';', or a name: tab, space, whitespace, auto")
    if text in (AUTO, WHITESPACE) or text.lower() in _NAMES:
        return _NAMES.get(text.lower(), text.lower())
    if re.fullmatch(r"\\+t", text):
        return "\t"
    if len(text) == 1 and text not in "\"'\r\n" and not text.isalnum():
        return text
    raise DataError(f"sep={text!r} is not a delimiter; give one character such as ',' ';' "
                    "'|', or one of: tab (or \\t), space, whitespace (runs of spaces), auto "
                    "(detected from the file)")


def parse_quote(text) -> str:
    """The quote character meant by ``text``: one character, ``""`` for ``none``, or
    ``"auto"`` (detected by :func:`detect_quote`)."""
    if isinstance(text, str) and text.lower() == "none":
        return ""
    if text == AUTO:
        return AUTO
    if isinstance(text, str) and len(text) == 1 and text not in "\r\n" and not text.isalnum():
        return text
    raise DataError(f"quote={text!r} is not a quote character; give one character such as "
                    "'\"' or \"'\", or none (fields are never quoted)")


def parse_encoding(text) -> str:
    """``text`` if it names a text encoding Python knows (not base64 or rot13)."""
    import io
    try:
        io.TextIOWrapper(io.BytesIO(), encoding=text)
    except (LookupError, TypeError):
        raise DataError(f"unknown encoding={text!r}: it is not a text encoding Python "
                        "knows; use e.g. 'utf-8' or 'latin-1'") from None
    return text


def parse_decimal(text) -> str:
    """The decimal mark: ``"."`` or ``","``."""
    if text in (".", ","):
        return text
    raise DataError(f"decimal={text!r} is not a decimal mark; give '.' or ','")


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written.

    ``sep`` is one character or ``"whitespace"``; ``quote`` one character or
    ``""`` (no quoting); ``decimal`` ``"."`` or ``","``; ``detected`` says that
    ``sep`` was found by :func:`detect_sep` rather than given.
    """

    sep: str = ","
    quote: str = '"'
    decimal: str = "."
    encoding: str = "utf-8"
    detected: bool = False

    def to_dict(self) -> dict:
        """Plain JSON, for a model file; :meth:`from_dict` reads it back."""
        return {"sep": self.sep, "quote": self.quote, "decimal": self.decimal,
                "encoding": self.encoding, "detected": self.detected}

    @classmethod
    def from_dict(cls, doc) -> Dialect:
        """The dialect a model file recorded; the defaults for keys it lacks."""
        doc = doc if isinstance(doc, dict) else {}
        default = cls()
        return cls(sep=parse_sep(doc.get("sep", default.sep)),
                   quote=parse_quote(doc.get("quote", default.quote) or "none"),
                   decimal=parse_decimal(doc.get("decimal", default.decimal)),
                   encoding=str(doc.get("encoding", default.encoding)),
                   detected=doc.get("detected") is True)

    def describe(self) -> str:
        """``"delimiter ';' (detected), decimal mark ',', quote '"', encoding utf-8"``."""
        sep = shown_sep(self.sep) + (" (detected)" if self.detected else "")
        quote = repr(self.quote) if self.quote else "none"
        return (f"delimiter {sep}, decimal mark {self.decimal!r}, quote {quote}, "
                f"encoding {self.encoding}")

    def csv_options(self) -> dict:
        """Keyword arguments of :func:`csv.reader` for this dialect."""
        quoting = {"quotechar": self.quote} if self.quote else {"quoting": csv.QUOTE_NONE}
        if self.sep == WHITESPACE:
            return {"delimiter": " ", "skipinitialspace": True, **quoting}
        return {"delimiter": self.sep, **quoting}

    def lines(self, lines):
        """The lines as the reader should see them: whitespace runs made single spaces."""
        if self.sep != WHITESPACE:
            return lines
        return (line.strip(" \t\r\n").replace("\t", " ") + "\n" for line in lines)


def shown_sep(sep) -> str:
    """A delimiter as a message shows it: ``';'``, ``tab``, ``whitespace``."""
    return _SHOWN.get(sep, repr(sep))


def split_records(lines, dialect) -> list[list[str]]:
    """The records of ``lines`` (a list of text lines), split as ``dialect`` would, blank
    ones left out; a record the sample cuts short or cannot parse ends the list."""
    records = []
    try:
        for fields in csv.reader(dialect.lines(lines), **dialect.csv_options()):
            if fields and any(f.strip() for f in fields):
                records.append(fields)
    except csv.Error:
        pass
    return records


def single_quoted(names) -> bool:
    """Whether every one of ``names`` (at least one) is wrapped in single quotes."""
    names = [h.strip() for h in names]
    return bool(names) and all(len(h) > 1 and h[0] == h[-1] == "'" for h in names)


def detect_quote(lines, sep) -> str:
    """``'`` when every field of the first record is wrapped in single quotes (as some
    statistics packages write), else ``"``."""
    records = split_records(lines[:1], Dialect(sep=sep, quote=""))
    if records and single_quoted(records[0]):
        return "'"
    return '"'


def detect_sep(lines, quote='"', decimal=".") -> str:
    """The delimiter of a file whose first lines are ``lines`` (see the module's docstring);
    never the decimal mark (a comma is then not tried, and one column reads with ``;``)."""
    lines = [line for line in lines if line.strip()]
    if lines and not lines[-1].endswith(("\n", "\r")) and len(lines) > 1:
        lines = lines[:-1]                              # a line the sample cut short
    best, best_k = ("," if decimal != "," else ";"), 1
    for sep in [c for c in CANDIDATES if c != decimal] + [WHITESPACE]:
        if sep == WHITESPACE and best_k > 1:
            break                                       # whitespace only when nothing else fits
        counts = {len(r) for r in split_records(lines, Dialect(sep=sep, quote=quote))}
        if len(counts) == 1 and (k := counts.pop()) > best_k:
            best, best_k = sep, k
    return best
