"""What cleaning did to a table: :class:`CleaningReport` and its entries.

The report and the errors raised while reading a table name the table and
its rows the same way: :class:`Where` carries the table's name (a quoted
file name, or ``"the DataFrame"``), the word for a row (``"line"`` for files,
whose header is line 1, ``"row"`` for frames) and the row labels. The phrase
helpers :func:`plural`, :func:`count` and :func:`few` word both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..arrays import py_scalar
from ..errors import DataError
from .dialect import Dialect


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
    blank_lines : tuple of int
        Blank lines of a file that hold no row (see :mod:`descend.tables.csvfile`).
    dialect : dialect.Dialect or None
        How a file was read (delimiter, decimal mark, quote, encoding); None for frames.
    weights : str or None
        The column read as the rows' sample weights, not as a feature.
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
    blank_lines: tuple[int, ...] = ()
    dialect: Dialect | None = None
    weights: str | None = None

    @property
    def n_dropped(self) -> int:
        """Number of rows dropped for missing values."""
        return len(self.dropped_missing_target) + len(self.dropped_missing_features)

    @property
    def changed(self) -> bool:
        """Whether cleaning changed anything (rows, cells or columns)."""
        return bool(self.n_dropped or self.imputed or self.encoded or self.booleans
                    or self.dropped_columns or self.blank_lines)

    def __str__(self) -> str:
        lines = [f"Cleaning report for {self.source} "
                 f"({count(self.n_rows_read, 'row')} read, {self.n_rows} kept):"]
        if self.dialect is not None:
            lines.append(f"- read with {self.dialect.describe()}")
        if self.blank_lines:
            lines.append(f"- skipped {count(len(self.blank_lines), 'blank line')} "
                         f"({plural('line', len(self.blank_lines))} {few(self.blank_lines)}): "
                         "they hold no row")
        for what, rows in (("a missing target", self.dropped_missing_target),
                           ("missing feature values", self.dropped_missing_features)):
            if rows:
                lines.append(f"- dropped {count(len(rows), 'row')} with {what} "
                             f"({plural(self.row_word, len(rows))} {few(rows)})")
        rules = {}
        for name, imp in self.imputed.items():
            rules.setdefault(imp.strategy, []).append((name, imp))
        for strategy, done in rules.items():
            if len(done) == 1:
                (name, imp), = done
                lines.append(f"- imputed {count(imp.count, 'missing cell')} of {name!r} "
                             f"with the {strategy} {shown(imp.value)}")
                continue
            cells = sum(imp.count for _, imp in done)
            lines.append(f"- imputed {count(cells, 'missing cell')} in {len(done)} columns "
                         f"with each column's {strategy}: " +
                         few([f"{name!r} {shown(imp.value)} ({imp.count})"
                              for name, imp in done], 6))
        for name, enc in self.encoded.items():
            lines.append(f"- one-hot encoded {name!r} ({len(enc.levels)} levels) as "
                         f"{few(enc.columns, quote=True)}; level {enc.dropped_level!r} "
                         "is the baseline (its column is dropped: with an intercept "
                         "all levels would be collinear)")
        if self.booleans:
            lines.append(f"- converted true/false to 1/0 in {few(self.booleans, quote=True)}")
        for name, reason in self.dropped_columns.items():
            lines.append(f"- left out column {name!r}: {reason}")
        if self.weights is not None:
            lines.append(f"- read column {self.weights!r} as each row's sample weight, not "
                         "as a feature")
        if len(lines) == 1 + (self.dialect is not None) + (self.weights is not None):
            lines.append("- nothing needed cleaning")
        return "\n".join(lines)


class Where(NamedTuple):
    """How messages name a table (``source``) and its rows (``row_word``, ``labels``)."""

    source: str
    row_word: str
    labels: np.ndarray      # (m,) row labels, line numbers for files

    @classmethod
    def of(cls, df, source, row_word) -> Where:
        """How messages name the frame ``df``: its index gives the row labels."""
        return cls(source, row_word, np.array([py_scalar(v) for v in df.index], dtype=object))

    def rows(self, mask, k=5) -> str:
        """``"lines 3, 4"``: the rows where ``mask`` (m,) is true, the first ``k`` shown."""
        return f"{plural(self.row_word, mask.sum())} {few(self.labels[mask], k)}"


def plural(word, n=2) -> str:
    """``word`` for one, ``word + "s"`` otherwise."""
    return word if n == 1 else word + "s"


def count(n, word) -> str:
    """``"1 cell"``, ``"2 cells"``."""
    return f"{n} {plural(word, n)}"


def few(items, k=8, quote=False) -> str:
    """The first ``k`` items, comma separated, with the total when there are more."""
    items = list(items)
    shown = ", ".join(cell(v) if quote else str(v) for v in items[:k])
    return shown + (f", ... ({len(items)} in all)" if len(items) > k else "")


def shown(value) -> str:
    """A fill value for a message: ``6.1795``, not ``6.179499999999999``; text quoted."""
    if isinstance(value, float):
        return repr(float(f"{value:.10g}"))
    return repr(value)


def cell(value, limit=80) -> str:
    """``repr(value)`` for a message, a long text cut to about ``limit`` characters."""
    value = py_scalar(value)
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit - 20]!r}... ({len(value):,} characters)"
    return repr(value)


class Problems:
    """Problems found in one table, said together: one run of a command names them all.

    ``check(fn, *args, offer=())`` calls ``fn`` and keeps the :class:`DataError`
    it raises (returning None) instead of stopping; :meth:`raise_found` raises
    one error holding every problem kept, numbered, up to :attr:`LIMIT`. The
    columns ``offer``-ed with problems are named once more at the end, to be
    left out all at once.
    """

    LIMIT = 12

    def __init__(self, source):
        self.source, self.found, self.first, self.offered = source, [], None, []

    def check(self, fn, *args, offer=(), **kwargs):
        try:
            return fn(*args, **kwargs)
        except DataError as err:
            self.add(str(err), offer)
            return None

    def add(self, message, offer=()):
        self.first = self.first or message
        self.found.append(message.removeprefix(f"{self.source}: "))
        self.offered += [name for name in offer if name not in self.offered]

    def raise_found(self):
        if len(self.found) == 1:
            raise DataError(self.first)
        if self.found:
            shown = [f"{i}. {p}" for i, p in enumerate(self.found[:self.LIMIT], 1)]
            more = len(self.found) - self.LIMIT
            shown += [f"... and {count(more, 'more problem')}"] * (more > 0)
            if len(self.offered) > 1:
                shown.append(f"To leave all of those columns out at once: "
                             f"exclude={self.offered}")
            raise DataError(f"{self.source} has {len(self.found)} problems; each is named "
                            "with its fix:\n" + "\n".join(shown))
