"""How the features were built from a table: :class:`Schema` and :func:`apply_schema`.

Training derives the columns of ``X`` from the table itself
(:mod:`descend.tables.ingest`): which columns hold numbers or true/false, which text
levels become indicator columns, which level is the baseline, which value
fills a gap. The schema records those choices, one :class:`Feature` per
column of ``X`` in order, in plain JSON types, so that it can be saved with a
model. :func:`apply_schema` then builds exactly those columns from a new
table, whatever its column order, its extra columns or the levels it
happens to hold; it never re-derives anything from the new table.

``Schema.to_dict()`` looks like::

    {"target": "price",
     "features": [
       {"name": "rooms", "source": "rooms", "kind": "number", "level": null,
        "fill": 3.0, "fill_strategy": "median"},
       {"name": "city=Paris", "source": "city", "kind": "indicator", "level": "Paris",
        "fill": "Lyon", "fill_strategy": "most frequent level"}],
     "baselines": {"city": "Lyon"}}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np

from .columns import (close_names, column_names, find_column, number, parse_column,
                             parse_target, text_cells)
from ..errors import DataError
from .report import (CleaningReport, Encoding, Imputation, Where, cell, count, few,
                            plural)

__all__ = ["Feature", "Schema", "apply_schema", "KINDS"]

KINDS = ("number", "boolean", "indicator")
_HOLDS = {"number": "numbers", "boolean": "true/false", "text": "text"}


@dataclass(frozen=True)
class Feature:
    """Column ``name`` of ``X``, built from the table column ``source``.

    ``kind`` is ``"number"`` (the cell's value), ``"boolean"`` (true/false as
    1.0/0.0) or ``"indicator"`` (1.0 where the cell equals ``level``, else
    0.0). ``fill`` replaces a missing source cell (a number, or a level for an
    indicator); ``fill_strategy`` says how training chose it (``"mean"``,
    ``"median"``, ``"most frequent level"``). Both are None when training
    imputed nothing: missing cells are then refused.
    """

    name: str
    source: str
    kind: str = "number"
    level: str | None = None
    fill: float | str | None = None
    fill_strategy: str | None = None


@dataclass(frozen=True)
class Schema:
    """The features of ``X`` in order, the target's name and each baseline level.

    ``baselines`` maps each one-hot encoded column to its dropped level; that
    level and the indicators' levels are all the levels training saw.
    """

    features: tuple[Feature, ...]
    target: str | None = None
    baselines: dict[str, str] = field(default_factory=dict)

    @classmethod
    def numeric(cls, names, target=None) -> Schema:
        """Plain number columns, each its own source (the schema of arrays)."""
        return cls(tuple(Feature(h, h) for h in names), target)

    @property
    def names(self) -> list[str]:
        """The names of the columns of ``X``."""
        return [f.name for f in self.features]

    @cached_property
    def _by_source(self) -> dict[str, list[Feature]]:
        """The features of each source column, in order: one pass, so lookups stay O(1)."""
        by_source = {}
        for f in self.features:
            by_source.setdefault(f.source, []).append(f)
        return by_source

    @property
    def sources(self) -> list[str]:
        """The table columns the features are built from, in order of first use."""
        return list(self._by_source)

    def of(self, source) -> Feature:
        """The first feature built from ``source`` (kind and fill are shared by all)."""
        return self._by_source[source][0]

    def built_from(self, source) -> list[Feature]:
        """The features built from ``source``, in order."""
        return self._by_source[source]

    def levels(self, source) -> list[str]:
        """All levels training saw in the text column ``source``, sorted."""
        return sorted([self.baselines[source]] + [f.level for f in self._by_source[source]])

    @property
    def text_sources(self) -> set[str]:
        """The source columns read as text cells (categories, true/false), as written."""
        return {f.source for f in self.features if f.kind != "number"}

    def to_dict(self) -> dict:
        """Plain JSON types: ``json.dumps`` writes it, :meth:`from_dict` reads it back."""
        return {"target": self.target, "features": [asdict(f) for f in self.features],
                "baselines": dict(self.baselines)}

    @classmethod
    def from_dict(cls, doc) -> Schema:
        """The schema written by :meth:`to_dict`, checked; a Schema is returned as is."""
        if isinstance(doc, Schema):
            return doc

        def bad(problem):
            return DataError(f"the schema is not valid: {problem}. Use the dict written by "
                             "DataContainer.schema.to_dict(), unchanged")

        if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
            raise bad(f"expected a dict with a list 'features', got {type(doc).__name__}")
        keys = set(Feature.__dataclass_fields__)
        if not doc["features"] or not all(isinstance(f, dict) and set(f) <= keys
                                          and {"name", "source"} <= set(f)
                                          for f in doc["features"]):
            raise bad(f"each feature must be a dict with keys among {sorted(keys)}, "
                      "'name' and 'source' at least")
        baselines = doc.get("baselines", {})
        if not isinstance(baselines, dict):
            raise bad(f"'baselines' must be a dict, got {type(baselines).__name__}")
        features = tuple(Feature(**f) for f in doc["features"])
        for f in features:
            if not _consistent(f):
                raise bad(f"feature {f!r:.200} is inconsistent")
        schema = cls(features, doc.get("target"), dict(baselines))
        for f in features:
            first = schema.of(f.source)
            if (first.kind, first.fill) != (f.kind, f.fill) or \
                    (f.kind != "indicator" and first is not f):
                raise bad(f"the features from column {f.source!r} disagree on kind or fill, "
                          "or repeat a number column")
        if len(set(schema.names)) != len(features):
            raise bad("feature names repeat")
        encoded = {f.source for f in features if f.kind == "indicator"}
        if set(schema.baselines) != encoded or \
                not all(isinstance(v, str) for v in schema.baselines.values()):
            raise bad(f"'baselines' must give one level for each of {sorted(encoded)}")
        if schema.target is not None and not isinstance(schema.target, str):
            raise bad(f"'target' must be a string or null, got {schema.target!r}")
        return schema


def apply_schema(df, schema, target=None, *, missing="error", source="the DataFrame",
                 row_word="row"):
    """Build the features ``X`` that ``schema`` describes from a new table.

    Numbers and true/false cells are parsed as in training
    (:mod:`descend.tables.columns`); an indicator is 1.0 where the cell, stripped,
    equals its level, else 0.0. A missing cell gets the training fill of its
    column, recorded in the report. Columns the schema does not use are
    ignored, and listed in the report.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; it is not modified. Column order does not matter.
    schema : Schema or dict
        As recorded by training (``DataContainer.schema``, or its ``to_dict()``).
    target : str, optional
        The target column, parsed as in training; None reads the features only.
    missing : {"error", "drop"}
        What to do with rows lacking the target or a cell the schema has no
        fill for: refuse them, or leave them out (reported).
    source, row_word : str
        How messages name the table and its rows (``"line"`` for files).

    Returns
    -------
    X : numpy.ndarray, shape (m, n)
        The columns ``schema.names``, in that order.
    y : numpy.ndarray, shape (m,), or None
    report : CleaningReport
    keep : numpy.ndarray of bool, shape (rows of df,)
        Which rows of ``df`` the rows of ``X`` are.

    Raises
    ------
    DataError
        For columns the schema needs but the table lacks, cells that do not
        read as training read them, levels never seen in training, and
        missing cells without a fill value (unless ``missing="drop"``).
    """
    schema = Schema.from_dict(schema)
    if missing not in ("error", "drop"):
        raise DataError(f"missing={missing!r} cannot be combined with a schema: missing cells "
                        "get the fill values of training; use missing='error' to refuse the "
                        "others, or missing='drop' to leave their rows out")
    names, used = column_names(df, source), schema.sources
    position = {h: j for j, h in enumerate(names)}            # names are unique
    target = _target(target, schema, names, source)
    absent = [h for h in used if h not in position]
    if absent:
        used_set = set(used)
        raise _absent(absent, [h for h in names if h not in used_set and h != target], names,
                      source)
    where = Where.of(df, source, row_word)
    # 1. parse each column the schema uses, as training did
    cells = {h: _cells(df.iloc[:, position[h]], schema.of(h), where) for h in used}
    y_col = None if target is None else parse_target(df.iloc[:, position[target]],
                                                     target, where)
    # 2. rows without a target, or with a gap training gave no fill for
    keep, drop_t, drop_f = _rows(cells, y_col, target, schema, missing, where)
    # 3. the other gaps get the training fill
    imputed = {}
    for h, (values, gaps) in cells.items():
        f, fill = schema.of(h), gaps & keep
        if fill.any():
            values[fill] = f.fill
            imputed[h] = Imputation(f"training {f.fill_strategy}", f.fill, int(fill.sum()))
    _check_levels(cells, keep, schema, where)
    # 4. the columns of X in the schema's order
    X = np.column_stack([cells[f.source][0][keep] == f.level if f.kind == "indicator"
                         else cells[f.source][0][keep] for f in schema.features]).astype(float)
    unused = {h: "the training target, not needed for predictions" if h == schema.target
              else "not used by the model's features"
              for h in names if h not in cells and h != target}
    encoded = {h: Encoding(tuple(schema.levels(h)), level,
                           tuple(f.name for f in schema.built_from(h)))
               for h, level in schema.baselines.items()}
    report = CleaningReport(
        source=source, row_word=row_word, n_rows_read=len(df), n_rows=int(keep.sum()),
        dropped_missing_target=drop_t, dropped_missing_features=drop_f, imputed=imputed,
        encoded=encoded, booleans=tuple(h for h in used if schema.of(h).kind == "boolean"),
        dropped_columns=unused)
    return X, None if y_col is None else y_col.values[keep], report, keep


def _target(target, schema, names, source):
    """The target column's name in the table, or None; it must be the schema's target."""
    if target is None:
        return None
    if schema.target is not None and str(target).strip() != schema.target:
        raise DataError(f"target={target!r}, but the features were built to predict "
                        f"{schema.target!r}; pass target={schema.target!r}, or target=None to "
                        "read the features only")
    if str(target).strip() in schema.sources:
        raise DataError(f"target={target!r} is a column the schema's features are built from")
    return find_column(target, names, "target column", source)


def _absent(absent, spare, names, source):
    """The error for columns the schema uses that the table lacks, with close names."""
    hints = [f"{close[0]!r} (for {h!r})" for h in absent
             if (close := close_names(h, spare, 1))]
    hint = (f" Close names present: {', '.join(hints)}; rename {'it' if len(hints) == 1 else 'them'} "
            "if the same data.") if hints else ""
    return DataError(f"{source} lacks {plural('column', len(absent))} {few(absent, quote=True)}"
                     f", which the features were built from in training.{hint} Add "
                     f"{'it' if len(absent) == 1 else 'them'} (order does not matter, and "
                     f"other columns are ignored); the columns present are "
                     f"{few(names, 20, True)}")


def _cells(series, f, where):
    """One source column parsed as ``f.kind`` needs: values (m,), copied, and gaps (m,)."""
    if f.kind == "indicator":
        return text_cells(series)
    col = parse_column(series, f.source, where)
    wanted = f.kind                                         # "number" or "boolean"
    bad = ~col.missing & (col.kind != wanted)
    if f.kind == "boolean" and col.kind == "number":        # 0/1 read as false/true
        bad &= ~np.isin(col.values, (0.0, 1.0))
    if bad.any():
        tokens = text_cells(series)[0]
        if col.kind == "text":                  # only the cells that do not read as wanted
            bad &= ~np.array([number(t) is not None if f.kind == "number"
                              else t.lower() in ("true", "false") for t in tokens])
        tokens = tokens[bad]
        shown = ", ".join(f"{cell(t)} ({where.row_word} {lb})"
                          for t, lb in zip(tokens[:3], where.labels[bad][:3]))
        raise DataError(f"{where.source}: column {f.source!r} held {_HOLDS[f.kind]} in "
                        f"training but holds {_HOLDS[col.kind]} here (e.g. {shown}); correct "
                        "those cells (leave a cell empty if it is unknown)")
    return col.values.copy(), col.missing


def _rows(cells, y_col, target, schema, missing, where):
    """The rows kept (m,), and the labels of those without a target or with unfilled gaps."""
    no_target = np.zeros(len(where.labels), dtype=bool) if y_col is None else y_col.missing
    no_fill = {h: gaps for h, (_, gaps) in cells.items()
               if gaps.any() and schema.of(h).fill is None}
    if missing == "error" and no_target.any():
        raise DataError(f"{where.source}: the target {target!r} has "
                        f"{count(no_target.sum(), 'missing cell')}, on "
                        f"{where.rows(no_target)}; rows without a target cannot be scored. "
                        "Pass missing='drop' to leave them out, or target=None to read the "
                        "features only")
    if missing == "error" and no_fill:
        parts = "; ".join(f"{h!r} ({count(m.sum(), 'missing cell')}, on {where.rows(m, 3)})"
                          for h, m in no_fill.items())
        it = "it" if len(no_fill) == 1 else "them"
        raise DataError(f"{where.source} has missing cells in {plural('column', len(no_fill))}"
                        f" {parts}, and the training data had no fill value for {it} (it was "
                        "read without missing='median' or missing='mean'). Fill those cells, pass "
                        "missing='drop' to leave those rows out, or train with "
                        "missing='median' to record fill values")
    gap = np.logical_or.reduce([*no_fill.values(), np.zeros_like(no_target)])
    keep = ~no_target & ~gap
    if not keep.any():
        raise DataError(f"{where.source}: no rows are left after leaving out those with "
                        "missing cells (missing='drop'); fill the cells")
    return keep, tuple(where.labels[no_target]), tuple(where.labels[~no_target & gap])


def _check_levels(cells, keep, schema, where):
    """Refuse text cells in kept rows holding a level training never saw."""
    parts, n = [], 0
    for h in schema.baselines:
        values, known = cells[h][0], schema.levels(h)
        new = keep & ~np.isin(values, known)
        if not new.any():
            continue
        shown = []
        for v in list(dict.fromkeys(values[new]))[:5]:
            close = close_names(v, known, 1)
            shown.append(f"{cell(v)} ({where.rows(new & (values == v), 3)}"
                         + (f"; did you mean {close[0]!r}?)" if close else ")"))
        n += len(set(values[new]))
        parts.append(f"column {h!r} has {', '.join(shown)}, and its known levels are "
                     f"{few(known, 20, True)}")
    if parts:
        raise DataError(f"{where.source}: {plural('value', n)} never seen in training: "
                        f"{'; '.join(parts)}. The model has no weight for a new category: "
                        "correct those cells to a known level (spelling, case and spaces "
                        "count), or leave those rows out")


def _consistent(f) -> bool:
    """Whether the fields of one feature fit together (types as JSON reads them)."""
    if not (isinstance(f.name, str) and isinstance(f.source, str) and f.kind in KINDS):
        return False
    if isinstance(f.level, str) != (f.kind == "indicator"):
        return False
    if f.fill is None or not isinstance(f.fill_strategy, str):
        return f.fill is None and f.fill_strategy is None
    if f.kind == "indicator":
        return isinstance(f.fill, str)
    return isinstance(f.fill, (int, float)) and not isinstance(f.fill, bool) \
        and bool(np.isfinite(f.fill))
