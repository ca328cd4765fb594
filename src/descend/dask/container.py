"""Data held by Dask: :class:`DaskDataContainer`, a lazy :class:`~descend.tables.data.DataContainer`.

For tables larger than memory, or spread over many files: a glob of Parquet
or CSV files, or any dask DataFrame. Nothing is read when the container is
made. ``X`` and ``y`` are a dask DataFrame and Series with the same
partitions, so they line up row for row and can go straight to an
estimator's ``fit``, which then runs on the cluster (:mod:`descend.dask.cluster`). Text columns are refused
with a clear error, because a one-hot encoding needs every level, known only
after a full pass. Missing cells are an error raised by the first pass
(``missing="error"``), or their rows are dropped (``"drop"``), and
:attr:`~DaskDataContainer.report` counts them.
"""

from __future__ import annotations

import os

import numpy as np

from ..arrays import class_labels
from ..errors import DataError
from ..tables.report import CleaningReport
from ..tables.split import exact_fraction, training_rows
from .inputs import is_dask, refuse_text_columns, require_dask

__all__ = ["DaskDataContainer", "read_dask"]


def read_dask(source, *, sep=",", **kwargs):
    """A dask DataFrame from a dask DataFrame, or a path or glob of ``.parquet`` or ``.csv`` files.

    Returns ``(frame, name)``, ``name`` being how errors refer to the data. ``sep`` is
    read as :func:`descend.tables.dialect.parse_sep` reads it (``"tab"``, ``"whitespace"``);
    ``"auto"`` detects it from the first file of the glob.
    """
    require_dask("reading data with Dask")
    import dask.dataframe as dd
    if is_dask(source):
        if not isinstance(source, dd.DataFrame):
            raise DataError(f"expected a dask DataFrame or a path, got a {type(source).__name__}")
        return source, "the dask DataFrame"
    if not isinstance(source, (str, os.PathLike)):
        raise DataError(f"expected a dask DataFrame or a path or glob of .parquet or .csv files, "
                        f"got a {type(source).__name__}")
    path = os.fspath(source)
    kind = "parquet" if ".parq" in path.lower() or os.path.isdir(path) else (
        "csv" if ".csv" in path.lower() else None)
    if kind is None:
        raise DataError(f"{path!r}: cannot tell the file type; name .parquet or .csv files "
                        "(a glob such as 'data/part-*.parquet' is fine), or pass a dask DataFrame")
    if kind == "csv":
        sep = _csv_sep(path, sep)
    try:
        frame = dd.read_parquet(path, **kwargs) if kind == "parquet" else \
            dd.read_csv(path, sep=sep, **{"skip_blank_lines": False, **kwargs})
    except (OSError, ValueError) as err:
        raise DataError(f"{path!r}: could not read it as {kind}: {err}") from err
    return frame, repr(path)


def _csv_sep(path, sep):
    """The delimiter for pandas' reader: a character, runs of whitespace as a regular
    expression, or for ``"auto"`` the one detected in the first file of the glob."""
    import glob

    from ..tables.csvfile import sniff
    from ..tables.dialect import AUTO, WHITESPACE, parse_sep

    sep = parse_sep(sep)
    if sep == AUTO:
        first = sorted(glob.glob(path))
        sep = sniff(first[0]) if first else ","
    return r"\s+" if sep == WHITESPACE else sep


class DaskDataContainer:
    """Features and target of a dask DataFrame, read lazily.

    Parameters
    ----------
    source : dask DataFrame, or str
        The frame, or a path or glob of ``.parquet`` or ``.csv`` files.
    target : str or None
        The target column; None for features only (data to predict).
    features : list of str, optional
        Feature columns; default every column but the target.
    missing : {"error", "drop"}
        "error": the first pass over the data (that of ``fit``) raises on a
        missing cell. "drop": rows with a missing feature or target are
        dropped, and :attr:`report` counts them.
    sep : str
        Delimiter of CSV files.

    Examples
    --------
    >>> data = DaskDataContainer("parts/*.parquet", target="price")   # doctest: +SKIP
    >>> train, test = data.train_test_split(0.8, seed=0)               # doctest: +SKIP
    >>> LinearRegression().fit(train.X, train.y)                       # doctest: +SKIP
    """

    def __init__(self, source, target=None, *, features=None, missing="error", sep=","):
        if missing not in ("error", "drop"):
            raise DataError(f"missing={missing!r}: with Dask data use 'error' or 'drop' (filling "
                            "needs statistics of the whole table; fill with dask's .fillna())")
        frame, self._source = read_dask(source, sep=sep)
        columns = [str(c) for c in frame.columns]
        if target is not None and target not in columns:
            raise DataError(f"{self._source} has no column {target!r}; its columns are "
                            f"{columns[:10]}{' ...' if len(columns) > 10 else ''}")
        if features is None:
            features = [c for c in columns if c != target]
        unknown = [c for c in features if c not in columns]
        if unknown:
            raise DataError(f"{self._source} has no column{'s' * (len(unknown) > 1)} {unknown}")
        if target in features:
            raise DataError(f"the target {target!r} cannot also be a feature")
        refuse_text_columns(frame, features, self._source, "out with features=[...]")
        keep = list(features) + ([target] if target is not None else [])
        self._read = frame[keep]
        self._frame = self._read.dropna() if missing == "drop" else self._read
        self._features, self._target, self._missing = list(features), target, missing
        self._report = None

    @classmethod
    def _derived(cls, parent, frame):
        self = cls.__new__(cls)
        self.__dict__.update(parent.__dict__)
        self._read = self._frame = frame
        self._report = None
        return self

    # ------------------------------------------------------------ access
    @property
    def X(self):
        """The features, a float64 dask DataFrame: ``fit`` keeps their names."""
        return self._frame[self._features].astype(np.float64)

    @property
    def y(self):
        """The target, a dask Series with the partitions of ``X``, or None."""
        if self._target is None:
            return None
        return self._frame[self._target]

    @property
    def frame(self):
        """The dask DataFrame behind the container (features, then the target)."""
        return self._frame

    feature_names = property(lambda self: list(self._features), doc="Names of the columns of X.")
    target_name = property(lambda self: self._target, doc="Name of the target; None for none.")

    @property
    def npartitions(self) -> int:
        return self._frame.npartitions

    @property
    def report(self) -> CleaningReport:
        """Rows read, kept and dropped, with the labels of those dropped
        (one pass over the data, on first use). Labels are the frame's index:
        for a glob of CSV files, each file's rows count from 0."""
        if self._report is None:
            import dask
            dropped = {}
            if self._missing == "drop":         # else nothing is dropped; fit raises on them
                no_feature = self._read[self._features].isna().any(axis=1)
                if self._target is not None:
                    no_target = self._read[self._target].isna()
                    dropped["dropped_missing_target"] = self._read.index[no_target]
                    no_feature &= ~no_target
                dropped["dropped_missing_features"] = self._read.index[no_feature]
            read, kept, labels = dask.compute(self._read.shape[0], self._frame.shape[0], dropped)
            self._report = CleaningReport(
                source=self._source, n_rows_read=int(read), n_rows=int(kept),
                **{key: tuple(index.tolist()) for key, index in labels.items()})
        return self._report

    def __len__(self) -> int:
        return self.report.n_rows

    def __repr__(self) -> str:
        names = self._features
        shown = names if len(names) <= 6 else [*names[:4], "...", names[-1]]
        return (f"DaskDataContainer({self._source}, partitions={self.npartitions}, "
                f"target={self._target!r}, features={shown})")

    # ------------------------------------------------------------ splits
    def train_test_split(self, frac=0.8, seed=None):
        """Split into disjoint ``(train, test)`` containers, partition by partition.

        Every partition is split by the rule of
        :func:`descend.tables.data.train_test_split` (``floor(frac * rows + 0.5)`` of
        its rows, chosen at random, go to training), so the split needs no
        pass of its own and gives the same rows whenever it is recomputed.
        ``seed`` None draws one seed now, kept for both parts.
        """
        exact = exact_fraction(frac)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise DataError(f"seed={seed!r}: give a non-negative int or None for Dask data")
        meta = self._frame._meta
        # Rows are chosen inside each partition, so that X and y, which read different
        # columns, always get the same rows (never a mask aligned by partition number).
        return tuple(self._derived(self, self._frame.map_partitions(
            _part_rows, exact, int(seed), train, meta=meta)) for train in (True, False))

    def check_classification_target(self) -> np.ndarray:
        """The classes of ``y`` (two or more), sorted (a pass over the target)."""
        if self._target is None:
            raise DataError("a classifier needs a target, but these data have none")
        found = np.sort(self._frame[self._target].dropna().unique().compute().to_numpy())
        return class_labels(found, f"{self._target!r} of {self._source}")


def _part_rows(part, frac, seed, train, partition_info=None):
    """The training (or test) rows of one partition: the same ones on every recomputation."""
    number = 0 if partition_info is None else partition_info["number"]
    mask = np.zeros(len(part), dtype=bool)
    mask[training_rows(np.random.default_rng([seed, number]), len(part), frac)] = True
    return part[mask if train else ~mask]
