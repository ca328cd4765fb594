"""The data a model learns from: :class:`DataContainer`, splitting, standardizing.

A container holds ``X`` (m × n, float, finite) and ``y`` (m,) with their names.
Its arrays are read-only copies: nothing here modifies data in place, and
every operation returns a new container.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from descend import ingest
from descend.errors import DataError


class DataContainer:
    """Features ``X`` (m × n), target ``y`` (m,) and their names.

    Parameters
    ----------
    X : array_like, shape (m, n)
        Numeric features; converted to a read-only float64 copy. A DataFrame's
        column names become the default feature names.
    y : array_like, shape (m,)
        Target: numbers, or class labels (strings, booleans), kept as given.
    feature_names : list of str, optional
        One name per column of ``X``; default ``x0, x1, ...``.
    target_name : str, optional
        Default ``"y"`` (or the name of a pandas Series ``y``).

    Attributes
    ----------
    report : ingest.CleaningReport
        What ingestion did; empty for containers built from arrays.

    Examples
    --------
    >>> data = DataContainer([[1.0, 2.0], [3.0, 4.0]], [0, 1])
    >>> data.shape, data.feature_names
    ((2, 2), ['x0', 'x1'])
    """

    def __init__(self, X, y, feature_names=None, target_name=None):
        if feature_names is None and isinstance(X, pd.DataFrame):
            feature_names = [str(c) for c in X.columns]
        if target_name is None and isinstance(y, pd.Series) and isinstance(y.name, str):
            target_name = y.name
        self._X = _as_matrix(X)
        self._y = _as_target(y, self._X.shape[0])
        m, n = self._X.shape
        names = [f"x{j}" for j in range(n)] if feature_names is None else list(feature_names)
        if len(names) != n or not all(isinstance(s, str) for s in names):
            raise DataError(f"feature_names must be {n} strings, one per column of X; "
                            f"got {len(names)}: {names[:5]}")
        if len(set(names)) != n:
            raise DataError(f"feature_names must be unique; repeated: "
                            f"{sorted({s for s in names if names.count(s) > 1})}")
        target_name = "y" if target_name is None else target_name
        if not isinstance(target_name, str) or target_name in names:
            raise DataError(f"target_name must be a string that is not a feature name; "
                            f"got {target_name!r}")
        self._feature_names, self._target_name = names, target_name
        self._report = ingest.CleaningReport(source="arrays", n_rows_read=m, n_rows=m)

    # ------------------------------------------------------------ readers
    @classmethod
    def from_frame(cls, df, target, *, features=None, missing="error", categorical="auto"):
        """Build a container from a DataFrame, cleaning it as documented in :mod:`descend.ingest`.

        Parameters
        ----------
        df : pandas.DataFrame
            The table (not modified).
        target : str
            The target column.
        features : list of str, optional
            Feature columns; default every column but the target.
        missing : {"error", "drop", "mean", "median"}
            Handling of missing feature cells; rows with a missing target are
            dropped (or, with ``"error"``, refused), never imputed.
        categorical : {"auto", "error", "drop"}
            Handling of text columns (one-hot encoding with the first level
            dropped, refusal, or leaving them out).

        Returns
        -------
        DataContainer
            With ``.report`` recording the cleaning; errors name row labels.
        """
        out = ingest.ingest_frame(df, target, features=features, missing=missing,
                                  categorical=categorical)
        return cls._build(out.X, out.y, out.feature_names, out.target_name, out.report)

    @classmethod
    def from_csv(cls, path, target, *, features=None, missing="error", categorical="auto",
                 sep=",", encoding="utf-8"):
        """Read a CSV file (``.gz`` allowed) and clean it like :meth:`from_frame`.

        Errors name the file and the 1-based line number (the header is line 1).
        Empty cells are missing; see :mod:`descend.ingest` for the tokens such as
        ``NA`` that count as missing in numeric columns.

        Parameters
        ----------
        path : str or os.PathLike
        target, features, missing, categorical
            As in :meth:`from_frame`.
        sep : str
            One-character delimiter.
        encoding : str
            Text encoding of the file; a UTF-8 byte order mark is ignored.

        Returns
        -------
        DataContainer
        """
        frame, name = ingest.read_csv(path, sep=sep, encoding=encoding)
        out = ingest.ingest_frame(frame, target, features=features, missing=missing,
                                  categorical=categorical, source=repr(name), row_word="line")
        return cls._build(out.X, out.y, out.feature_names, out.target_name, out.report)

    @classmethod
    def _build(cls, X, y, feature_names, target_name, report):
        data = cls(X, y, feature_names, target_name)
        data._report = report
        return data

    # ------------------------------------------------------------ access
    @property
    def X(self) -> np.ndarray:
        """Features, shape (m, n), float64, read-only."""
        return self._X

    @property
    def y(self) -> np.ndarray:
        """Target, shape (m,), read-only."""
        return self._y

    @property
    def feature_names(self) -> list[str]:
        """Names of the n columns of ``X``."""
        return list(self._feature_names)

    @property
    def target_name(self) -> str:
        """Name of the target."""
        return self._target_name

    @property
    def report(self) -> ingest.CleaningReport:
        """What cleaning did when the data were read."""
        return self._report

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
        """A new DataFrame: the feature columns, then the target."""
        frame = pd.DataFrame(self._X.copy(), columns=self._feature_names)
        frame[self._target_name] = self._y.copy()
        return frame

    def take(self, rows) -> DataContainer:
        """A new container with the given rows (integer positions or a boolean mask)."""
        rows = np.asarray(rows)
        return self._build(self._X[rows], self._y[rows], self._feature_names,
                           self._target_name, self._report)

    def with_X(self, X) -> DataContainer:
        """A new container with the same ``y``, names and report and new ``X`` (m × n)."""
        X = _as_matrix(X)
        if X.shape != self.shape:
            raise DataError(f"the new X has shape {X.shape}; expected {self.shape}")
        return self._build(X, self._y, self._feature_names, self._target_name, self._report)

    # ------------------------------------------------------------ checks, splits
    def check_classification_target(self) -> np.ndarray:
        """Check that ``y`` holds exactly two classes and return them, sorted.

        Raises
        ------
        DataError
            If ``y`` has a single class or more than two distinct values.
        """
        classes = _classes(self._y)
        t, m = self._target_name, len(self)
        if len(classes) < 2:
            raise DataError(f"the target {t!r} has a single class ({_py(classes[0])!r}) in all "
                            f"{m} rows; a classifier needs examples of two classes. Check "
                            "the target column and any filtering of the rows")
        if len(classes) > 2:
            raise DataError(f"the target {t!r} has {len(classes)} distinct values "
                            f"(e.g. {', '.join(repr(_py(c)) for c in classes[:4])}); "
                            "logistic regression here separates two classes. Recode the "
                            "target into two classes, "
                            "or use linear regression for a continuous quantity")
        return classes

    def train_test_split(self, frac=0.8, seed=None, stratify=False):
        """Split into disjoint ``(train, test)`` containers; see :func:`train_test_split`."""
        return train_test_split(self, frac=frac, seed=seed, stratify=stratify)


def train_test_split(data, frac=0.8, seed=None, stratify=False):
    """Split a container into disjoint ``(train, test)`` parts that cover it.

    Sizes: ``n_train = floor(frac * m + 0.5)`` (round half up), clamped to
    ``[1, m - 1]`` so both parts are non-empty. With ``stratify=True`` the rule
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
    if isinstance(frac, bool) or not isinstance(frac, (int, float, np.number)) \
            or not 0 < frac < 1:
        raise DataError(f"frac={frac!r} must be a number strictly between 0 and 1 "
                        "(the training fraction, e.g. 0.8)")
    m = len(data)
    if m < 2:
        raise DataError(f"cannot split {m} row into two non-empty parts; need at least 2 rows")
    rng = _rng(seed)
    if not stratify:
        groups = [np.arange(m)]
    else:
        _, first, codes = np.unique(_codes(data.y), return_index=True, return_inverse=True)
        groups = [np.flatnonzero(codes == k) for k in range(len(first))]
        small = [_py(data.y[first[k]]) for k, g in enumerate(groups) if len(g) < 2]
        if small:
            raise DataError(f"stratify=True needs at least 2 rows per class; {len(small)} of "
                            f"the {len(groups)} classes have 1 (e.g. {small[:3]}). Use "
                            "stratify=False, or stratify only on a class-label target")
    train = []
    for g in groups:
        k = min(max(int(np.floor(frac * len(g) + 0.5)), 1), len(g) - 1)
        train.append(rng.permutation(g)[:k])
    mask = np.zeros(m, dtype=bool)
    mask[np.concatenate(train)] = True
    return data.take(mask), data.take(~mask)


class Standardizer:
    """Scale each feature to mean 0 and standard deviation 1.

    Fit on the training part only, then transform the training and the test
    parts with the same ``mean_`` and ``scale_``: the test part never leaks
    into the statistics. A constant column gets ``scale_ = 1`` (it becomes 0).

    .. math::
        x'_{ij} = (x_{ij} - \\mu_j) / s_j, \\qquad s_j = \\sqrt{\\tfrac1m
        \\textstyle\\sum_i (x_{ij} - \\mu_j)^2}

    Works on arrays (returns arrays) and on DataContainers (returns new
    containers with the same ``y``); inputs are never modified.

    Attributes
    ----------
    mean_, scale_ : numpy.ndarray, shape (n,)
    feature_names_in_ : list of str or None
        Names seen by ``fit`` when it was given a container.
    """

    def fit(self, X) -> Standardizer:
        """Learn ``mean_`` and ``scale_`` from ``X`` (array or DataContainer)."""
        A = _features(X)
        mean = np.sum(A / A.shape[0], axis=0)             # no overflow for huge values
        const = np.max(A, axis=0) == np.min(A, axis=0)
        mean[const] = A[0, const]                         # exact, so constants map to 0
        with np.errstate(over="ignore", invalid="ignore"):
            d = A - mean
            top = np.max(np.abs(d), axis=0)
            top[top == 0] = 1.0
            scale = top * np.sqrt(np.mean((d / top) ** 2, axis=0))
        if not np.all(np.isfinite(scale)):
            raise DataError("some columns span more than the float range; rescale them first")
        scale[const] = 1.0
        self.mean_, self.scale_ = mean, scale
        self.feature_names_in_ = X.feature_names if isinstance(X, DataContainer) else None
        return self

    def transform(self, X):
        """Return ``(X - mean_) / scale_`` as a new array or container."""
        A = self._checked(X)
        with np.errstate(over="ignore"):
            out = (A - self.mean_) / self.scale_
        return self._wrap(X, out)

    def inverse_transform(self, X):
        """Return ``X * scale_ + mean_``, undoing :meth:`transform`."""
        A = self._checked(X)
        with np.errstate(over="ignore"):
            out = A * self.scale_ + self.mean_
        return self._wrap(X, out)

    def fit_transform(self, X):
        """Fit on ``X``, then transform it."""
        return self.fit(X).transform(X)

    def _checked(self, X):
        if not hasattr(self, "mean_"):
            raise DataError("this Standardizer is not fitted yet: call fit(X_train) first")
        A = _features(X)
        if A.shape[1] != self.mean_.size:
            raise DataError(f"X has {A.shape[1]} columns but the Standardizer was fitted on "
                            f"{self.mean_.size}")
        names = self.feature_names_in_
        if isinstance(X, DataContainer) and names is not None and X.feature_names != names:
            raise DataError(f"feature names differ from those seen in fit: {X.feature_names} "
                            f"vs {names}")
        return A

    @staticmethod
    def _wrap(X, out):
        if not np.all(np.isfinite(out)):
            raise DataError("the result overflowed the float range; rescale the data first")
        return X.with_X(out) if isinstance(X, DataContainer) else out


# ---------------------------------------------------------------- helpers
def _as_matrix(X) -> np.ndarray:
    """A read-only float64 copy of ``X``, checked to be 2-D, non-empty and finite."""
    if np.asarray(X).dtype.kind == "c":
        raise DataError("X is complex; give real numbers")
    try:
        A = np.array(X, dtype=float, copy=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"X must be numbers ({exc}); for a table with text columns use "
                        "DataContainer.from_frame(df, target)") from None
    if A.ndim != 2:
        raise DataError(f"X must be 2-D (m rows × n features), got shape {A.shape}; for a "
                        "single feature use X.reshape(-1, 1)")
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise DataError(f"X must have at least one row and one column, got shape {A.shape}")
    bad = ~np.isfinite(A)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(f"X has {bad.sum()} missing or infinite entries (first at row {i}, "
                        f"column {j}); clean them, or read the table with "
                        "DataContainer.from_frame(df, target, missing='median')")
    A.flags.writeable = False
    return A


def _as_target(y, m) -> np.ndarray:
    """A read-only 1-D copy of ``y`` with ``m`` entries, numbers finite, labels present."""
    y = np.array(y, copy=True)
    if y.ndim != 1:
        raise DataError(f"y must be 1-D with one entry per row, got shape {y.shape}; "
                        "use y.ravel() for a column vector")
    if y.size != m:
        raise DataError(f"X has {m} rows but y has {y.size} entries; they must match")
    if y.dtype.kind in "iub":
        pass
    elif y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise DataError("y has missing or infinite entries; drop those rows")
    elif y.dtype.kind in "OUS":
        if any(v is None or (isinstance(v, float) and v != v) for v in y):
            raise DataError("y has missing labels (None or NaN); drop those rows")
    else:
        raise DataError(f"y has dtype {y.dtype}; use numbers or class labels")
    y.flags.writeable = False
    return y


def _features(X) -> np.ndarray:
    return X.X if isinstance(X, DataContainer) else _as_matrix(X)


def _codes(y):
    """``y`` as something ``np.unique`` can sort (labels of mixed types as strings)."""
    if y.dtype.kind == "O":
        return np.array([f"{type(v).__name__}:{v}" for v in y])
    return y


def _classes(y):
    """The distinct values of ``y``, sorted (by type name first if types are mixed)."""
    try:
        return np.unique(y)
    except TypeError:
        return y[np.unique(_codes(y), return_index=True)[1]]


def _py(value):
    """A numpy scalar as the Python value, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value


def _rng(seed):
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise DataError(f"seed={seed!r} is not usable ({exc}); give a non-negative int, "
                        "a numpy Generator or None") from None
