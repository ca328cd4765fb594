"""The data a model learns from: :class:`DataContainer` and :func:`train_test_split`.

A container holds ``X`` (m × n, float, finite) and ``y`` (m,), or no target
(``y`` None, for data to predict), with their names, the
:class:`~descend.tables.schema.Schema` saying how ``X`` was built, and each row's
sample weight when a table's column holds them. Its arrays are
read-only copies: nothing here modifies data in place, and every operation
returns a new container. Tables are read and cleaned by
:mod:`descend.tables.csvfile` and :mod:`descend.tables.ingest`, or built by a training
schema with :func:`descend.tables.schema.apply_schema`; :class:`Standardizer` lives
in :mod:`descend.tables.standardize` and is importable from here too.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pandas as pd

from ..arrays import as_matrix, as_target, classes, label_codes, py_scalar, class_labels
from ..errors import DataError
from . import csvfile, ingest, sampleweight
from .report import CleaningReport, Where
from .schema import Schema
from .split import exact_fraction, training_rows
from .standardize import Standardizer

__all__ = ["DataContainer", "train_test_split", "Standardizer"]


class DataContainer:
    """Features ``X`` (m × n), target ``y`` (m,) or none, their names and schema.

    Parameters
    ----------
    X : array_like, shape (m, n)
        Numeric features; converted to a read-only float64 copy. A DataFrame's
        column names become the default feature names.
    y : array_like, shape (m,), or None
        Target: numbers, or class labels (strings, booleans), kept as given;
        None for features only (data to predict).
    feature_names : list of str, optional
        One name per column of ``X``; default ``x0, x1, ...``.
    target_name : str, optional
        Default ``"y"`` (or the name of a pandas Series ``y``); None without ``y``.

    Attributes
    ----------
    report : report.CleaningReport
        What ingestion did; empty for containers built from arrays.
    schema : schema.Schema
        How ``X`` was built from a table; plain number columns for arrays.

    Examples
    --------
    >>> data = DataContainer([[1.0, 2.0], [3.0, 4.0]], [0, 1])
    >>> data.shape, data.feature_names
    ((2, 2), ['x0', 'x1'])
    """

    def __init__(self, X, y=None, feature_names=None, target_name=None):
        if feature_names is None and isinstance(X, pd.DataFrame):
            feature_names = [str(c) for c in X.columns]
        if target_name is None and isinstance(y, pd.Series) and isinstance(y.name, str):
            target_name = y.name
        self._X = as_matrix(X)
        self._y = None if y is None else as_target(y, self._X.shape[0])
        m, n = self._X.shape
        names = [f"x{j}" for j in range(n)] if feature_names is None else list(feature_names)
        if len(names) != n or not all(isinstance(s, str) for s in names):
            raise DataError(f"feature_names must be {n} strings, one per column of X; "
                            f"got {len(names)}: {names[:5]}")
        if len(set(names)) != n:
            raise DataError(f"feature_names must be unique; repeated: "
                            f"{sorted(s for s, k in Counter(names).items() if k > 1)}")
        if target_name is None and y is not None:
            target_name = "y"
        if target_name is not None and (not isinstance(target_name, str)
                                        or target_name in names):
            raise DataError(f"target_name must be a string that is not a feature name; "
                            f"got {target_name!r}")
        self._feature_names, self._target_name = names, target_name
        self._report = CleaningReport(source="arrays", n_rows_read=m, n_rows=m)
        self._schema = Schema.numeric(names, target_name)
        self._kept, self._labels, self._weights = None, None, None

    # ------------------------------------------------------------ readers
    @classmethod
    def from_frame(cls, df, target=None, *, schema=None, features=None, exclude=None,
                   missing="error", categorical="auto", weights=None):
        """Build a container from a DataFrame, cleaning it as documented in :mod:`descend.tables.ingest`.

        Parameters
        ----------
        df : pandas.DataFrame
            The table (not modified).
        target : str or None
            The target column; None reads the features only (``y`` is None).
        schema : schema.Schema or dict, optional
            The ``.schema`` of training data (or its ``to_dict()``): build its
            features with :func:`descend.tables.schema.apply_schema`, not from this table.
        features : list of str, optional
            Feature columns; default every column but the target. Not with ``schema``.
        exclude : list of str, optional
            Columns left out of the features (an identifier, say). Not with ``schema``.
        missing : {"error", "drop", "mean", "median"}
            Handling of missing feature cells; rows with a missing target are
            dropped (or, with ``"error"``, refused), never imputed. With
            ``schema``, "error" or "drop" for cells it has no fill value for.
        categorical : {"auto", "error", "drop"}
            Handling of text columns (one-hot encoding with the first level
            dropped, refusal, or leaving them out). Not with ``schema``.
        weights : str, optional
            A column holding each row's sample weight (numbers >= 0, not all
            zero): read into :attr:`sample_weight`, never a feature
            (:mod:`descend.tables.sampleweight`).

        Returns
        -------
        DataContainer
            With ``.report`` recording the cleaning and ``.schema`` the
            features; errors name row labels.
        """
        return cls._read(df, target, schema, features, exclude, missing, categorical,
                         "the DataFrame", "row", weights)

    @classmethod
    def from_csv(cls, path, target=None, *, schema=None, features=None, exclude=None,
                 missing="error", categorical="auto", sep=",", encoding="utf-8", quote='"',
                 decimal=".", keep=None, weights=None):
        """Read a CSV file (``.gz`` allowed) and clean it like :meth:`from_frame`.

        Errors name the file and the 1-based line number (the header is line 1).
        Empty cells are missing; see :mod:`descend.tables.columns` for the tokens such as
        ``NA`` that count as missing in numeric columns.

        Parameters
        ----------
        path : str or os.PathLike
        target, schema, features, exclude, missing, categorical, weights
            As in :meth:`from_frame`.
        sep : str
            One-character delimiter, ``"tab"``, ``"whitespace"`` (runs of spaces and
            tabs), or ``"auto"``: detected from the file's first lines.
        encoding : str
            Text encoding of the file; a UTF-8 byte order mark is ignored.
        quote : str
            The quote character, ``"none"``, or ``"auto"`` (``'`` when every header
            field is in single quotes, else ``"``).
        decimal : {".", ","}
            The decimal mark of the file's numbers.
        keep : list of str, or True, optional
            Columns to carry along as written (text cells, e.g. an identifier),
            one row per row kept, in :attr:`kept`; they may be features too.
            True keeps every column.

        The cleaning report records how the file was read (``report.dialect``),
        so that new files can be read the same way.

        Returns
        -------
        DataContainer
        """
        # Columns a schema reads as categories or true/false stay text, as written.
        text = set() if schema is None else Schema.from_dict(schema).text_sources
        every = keep is True
        keep = [] if keep in (None, False, True) else [keep] if isinstance(keep, str) else list(keep)
        table = csvfile.read_csv(path, sep=sep, encoding=encoding, quote=quote, decimal=decimal,
                                 text_columns=text, keep=csvfile.EVERY if every else
                                 {str(k).strip() for k in keep})
        source = repr(table.name)
        if keep:
            from .columns import column_names, find_column

            names = column_names(table.frame, source)
            keep = [find_column(k, names, "keep= column", source) for k in keep]
        data = cls.from_table(table, target, schema=schema, features=features, exclude=exclude,
                              missing=missing, categorical=categorical, weights=weights)
        if table.kept is not None:
            kept = table.kept.set_axis([str(c).strip() for c in table.kept.columns], axis=1)
            columns = list(kept.columns) if every else list(dict.fromkeys(keep))
            data._kept = kept.loc[data.row_labels.astype(np.int64), columns]
        return data

    @classmethod
    def from_table(cls, table, target=None, *, schema=None, features=None, exclude=None,
                   missing="error", categorical="auto", weights=None):
        """A table read from a CSV file (:func:`descend.tables.csvfile.read_csv`, or a chunk
        of :func:`~descend.tables.csvfile.read_csv_chunks`) cleaned as :meth:`from_csv`
        cleans it, the way it was read recorded in the report."""
        data = cls._read(table.frame, target, schema, features, exclude, missing, categorical,
                         repr(table.name), "line", weights)
        data._report = dataclasses.replace(data._report, blank_lines=table.blank_lines,
                                           dialect=table.dialect)
        return data

    @staticmethod
    def from_dask(source, target=None, *, features=None, missing="error", sep=","):
        """Data held by Dask: a dask DataFrame, or a path or glob of Parquet or CSV files.

        Returns a :class:`~descend.dask.container.DaskDataContainer`: nothing is read
        until a model is fitted on it, and the fit runs on the Dask cluster.
        Needs ``pip install "descend[dask]"``.
        """
        from ..dask.container import DaskDataContainer

        return DaskDataContainer(source, target, features=features, missing=missing, sep=sep)

    @classmethod
    def _read(cls, df, target, schema, features, exclude, missing, categorical, source,
              row_word, weights=None):
        if weights is not None:
            known = None if schema is None else Schema.from_dict(schema)
            weights = sampleweight.weight_source(weights, df, target, features, known, source)
            if schema is None:
                exclude = sampleweight.without_weights(exclude, weights)
        out = ingest.ingest_frame(df, target, schema=schema, features=features, exclude=exclude,
                                  missing=missing, categorical=categorical, source=source,
                                  row_word=row_word)
        report = out.report
        if weights is not None:
            unused = {h: r for h, r in report.dropped_columns.items() if h != weights}
            report = dataclasses.replace(report, weights=weights, dropped_columns=unused)
        data = cls._build(out.X, out.y, out.feature_names, out.target_name, report, out.schema)
        data._labels = out.labels
        if weights is not None:
            data._weights = sampleweight.read_weights(df, weights, out.keep,
                                                      Where.of(df, source, row_word))
            data._weights.flags.writeable = False
        return data

    @classmethod
    def _build(cls, X, y, feature_names, target_name, report, schema):
        data = cls(X, y, feature_names, target_name)
        data._report, data._schema = report, schema
        return data

    # ------------------------------------------------------------ access
    @property
    def X(self) -> np.ndarray:
        """Features, shape (m, n), float64, read-only."""
        return self._X

    @property
    def y(self) -> np.ndarray | None:
        """Target, shape (m,), read-only; None for features only."""
        return self._y

    @property
    def feature_names(self) -> list[str]:
        """Names of the n columns of ``X``."""
        return list(self._feature_names)

    @property
    def target_name(self) -> str | None:
        """Name of the target; None for features only."""
        return self._target_name

    @property
    def report(self) -> CleaningReport:
        """What cleaning did when the data were read."""
        return self._report

    @property
    def schema(self) -> Schema:
        """How ``X`` was built from a table; ``schema.to_dict()`` is plain JSON."""
        return self._schema

    @property
    def row_labels(self) -> np.ndarray:
        """Where each row came from (m,): its line in a CSV file (the header is line 1), its
        index label in a DataFrame, its position in arrays."""
        return np.arange(len(self)) if self._labels is None else self._labels

    @property
    def sample_weight(self) -> np.ndarray | None:
        """Each row's weight (m,), read from the ``weights`` column; None when none was."""
        return self._weights

    @property
    def kept(self) -> pd.DataFrame | None:
        """The columns :meth:`from_csv` was asked to ``keep``, as written, one row per row of
        ``X``, indexed by file line; None when none were."""
        return self._kept

    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``: rows and features."""
        return self._X.shape

    def __len__(self) -> int:
        return self._X.shape[0]

    def __repr__(self) -> str:
        names = self._feature_names
        shown = names if len(names) <= 6 else [*names[:4], "...", names[-1]]
        m, n = self.shape
        return (f"DataContainer(m={m}, n={n}, target={self._target_name!r}, "
                f"features=[{', '.join(s if s == '...' else repr(s) for s in shown)}])")

    def to_frame(self) -> pd.DataFrame:
        """A new DataFrame: the feature columns, then the target if there is one."""
        frame = pd.DataFrame(self._X.copy(), columns=self._feature_names)
        if self._y is not None:
            frame[self._target_name] = self._y.copy()
        return frame

    def take(self, rows) -> DataContainer:
        """A new container with the given rows (integer positions or a boolean mask)."""
        rows = np.asarray(rows)
        data = self._build(self._X[rows], None if self._y is None else self._y[rows],
                           self._feature_names, self._target_name, self._report, self._schema)
        data._kept = None if self._kept is None else self._kept.iloc[rows]
        data._labels = None if self._labels is None else self._labels[rows]
        data._weights = None if self._weights is None else self._weights[rows]
        return data

    def with_X(self, X) -> DataContainer:
        """A new container with the same ``y``, names and report and new ``X`` (m × n)."""
        X = as_matrix(X)
        if X.shape != self.shape:
            raise DataError(f"the new X has shape {X.shape}; expected {self.shape}")
        data = self._build(X, self._y, self._feature_names, self._target_name, self._report,
                           self._schema)
        data._kept, data._labels, data._weights = self._kept, self._labels, self._weights
        return data

    # ------------------------------------------------------------ checks, splits
    def check_classification_target(self) -> np.ndarray:
        """Check that ``y`` holds class labels, two or more, and return them, sorted.

        Raises
        ------
        DataError
            If ``y`` has a single class, holds numbers with fractions (quantities), or is
            None.
        """
        self._require_target("a classifier")
        source = self._report.source
        t = repr(self._target_name) + ("" if source == "arrays" else f" of {source}")
        return class_labels(classes(self._y), t, len(self))

    def train_test_split(self, frac=0.8, seed=None, stratify=False):
        """Split into disjoint ``(train, test)`` containers; see :func:`train_test_split`."""
        return train_test_split(self, frac=frac, seed=seed, stratify=stratify)

    def _require_target(self, needed_by):
        if self._y is None:
            raise DataError(f"{needed_by} needs a target, but these data have none (read with "
                            f"target=None: features only, for predicting). Read the table "
                            "with target='<column>' to learn from it or score it")


def train_test_split(data, frac=0.8, seed=None, stratify=False):
    """Split a container into disjoint ``(train, test)`` parts that cover it.

    Sizes: ``n_train = floor(frac * m + 0.5)`` (round half up), clamped to
    ``[1, m - 1]`` so both parts are non-empty. The product is exact, with
    ``frac`` taken as the decimal it prints as: 0.29 of 50 rows is 14.5, so 15
    (floating point would give 14.499999999999998, so 14). With ``stratify=True`` the rule
    is applied to each class separately (each class needs at least 2 rows), so
    the class proportions are kept and ``n_train`` is the sum of the per-class
    sizes. Rows keep their original order within each part.

    Parameters
    ----------
    data : DataContainer
    frac : float
        Fraction for training, strictly between 0 and 1.
    seed : int, numpy.random.Generator or None
        Seed of ``numpy.random.default_rng``; the same seed gives the same split.
    stratify : bool
        Keep the class ratios of ``y`` in both parts.

    Returns
    -------
    train, test : DataContainer
    """
    if not isinstance(data, DataContainer):
        raise DataError(f"train_test_split needs a DataContainer, got {type(data).__name__}")
    data._require_target("train_test_split")
    exact = exact_fraction(frac)
    m = len(data)
    if m < 2:
        raise DataError(f"cannot split {m} row into two non-empty parts; need at least 2 rows")
    rng = _rng(seed)
    if not stratify:
        groups = [np.arange(m)]
    else:
        _, first, codes = np.unique(label_codes(data.y), return_index=True,
                                    return_inverse=True)
        groups = [np.flatnonzero(codes == k) for k in range(len(first))]
        small = [py_scalar(data.y[first[k]]) for k, g in enumerate(groups) if len(g) < 2]
        if small:
            raise DataError(f"stratify=True needs at least 2 rows per class; {len(small)} of "
                            f"the {len(groups)} classes have 1 (e.g. {small[:3]}). Use "
                            "stratify=False, or stratify only on a class-label target")
    train = [training_rows(rng, g, exact, both_parts=True) for g in groups]
    mask = np.zeros(m, dtype=bool)
    mask[np.concatenate(train)] = True
    return data.take(mask), data.take(~mask)


# ---------------------------------------------------------------- helpers
def _rng(seed):
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise DataError(f"seed={seed!r} is not usable ({exc}); give a non-negative int, "
                        "a numpy Generator or None") from None

