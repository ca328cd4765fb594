"""Opening a data file: as text, decompressed when its name ends in ``.gz``, with errors
that name the file and what to do (a missing file, a directory, a broken gzip, a byte
that is not the encoding)."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from contextlib import contextmanager

from ..errors import DataError
from .dialect import parse_encoding

__all__ = ["open_text", "read_bytes", "decode"]


@contextmanager
def open_text(name, encoding):
    """The file as a text stream, decompressed when its name ends in ``.gz``."""
    parse_encoding(encoding)
    with _open_bytes(name) as raw:
        binary = gzip.GzipFile(fileobj=raw, mode="rb") if name.endswith(".gz") else raw
        with io.TextIOWrapper(binary, encoding=encoding, newline="") as stream:
            yield stream


def _open_bytes(name):
    """The file opened for reading bytes, or a DataError that says why it cannot be."""
    try:
        return open(name, "rb")
    except FileNotFoundError:
        raise DataError(f"file {name!r} does not exist (relative names start from "
                        f"{os.getcwd()!r}); check the path") from None
    except IsADirectoryError:
        raise DataError(f"{name!r} is a directory, not a CSV file") from None
    except OSError as exc:
        raise DataError(f"cannot read file {name!r}: {exc.strerror or exc}") from None


def read_bytes(name):
    """The whole file's bytes, decompressed (only to place a decoding error exactly)."""
    with _open_bytes(name) as f:
        raw = f.read()
    if name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name!r} ends in .gz but is not a valid gzip file ({exc}); "
                            "decompress or rename it") from None
    return raw


def decode(raw, name, encoding):
    """``raw`` decoded, or a DataError naming the first byte that is not ``encoding``."""
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise DataError(f"unknown encoding={encoding!r}; use e.g. 'utf-8' or 'latin-1'") from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(f"{name!r} is not valid {encoding}: byte 0x{raw[exc.start]:02x} at "
                        f"offset {exc.start} (line {line}) cannot be decoded. The file was "
                        "probably saved in another encoding: try encoding='latin-1' "
                        "(or encoding='cp1252' for files from Excel on Windows)") from None
    return text[1:] if text.startswith("\ufeff") else text
