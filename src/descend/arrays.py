"""The arrays a model learns from, checked once at the boundary.

:func:`as_matrix` makes ``X`` a read-only float64 copy, m × n, finite;
:func:`as_target` makes ``y`` a read-only 1-D copy with m entries, numbers
finite and labels present; :func:`classes` lists the distinct values of ``y``
even when its labels mix types. Messages say what was wrong, where, and what
to do.
"""

from __future__ import annotations

import numpy as np

from .errors import DataError


_DATES = ("X holds dates or times; turn them into numbers first (e.g. days since a start "
          "date), or leave those columns out")


def as_matrix(X) -> np.ndarray:
    """A read-only float64 copy of ``X``, checked to be 2-D, non-empty and finite."""
    kind = _kind(X, "X")
    if kind == "c":
        raise DataError("X is complex; give real numbers")
    if kind in "mM":
        raise DataError(_DATES)
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


def _kind(a, name):
    """numpy's dtype kind of ``a``, or a DataError for ragged rows."""
    try:
        return np.asarray(a).dtype.kind
    except ValueError:
        raise DataError(f"{name} is ragged: its rows have different lengths; give every row "
                        "the same number of values") from None


def check_fit_inputs(X, y, who, numeric):
    """Refuse, in descend's words, what scikit-learn's validation would refuse in numpy's
    (or accept, to return NaN weights): dates in ``X``; a sparse, ragged, text (for a
    regression) or gappy ``y``. ``y`` None is left to scikit-learn."""
    import pandas as pd

    from scipy import sparse

    if _has_dates(X):
        raise DataError(f"{who}: {_DATES}.")
    if y is None:
        return
    if sparse.issparse(y):
        raise DataError(f"{who}: y is a sparse matrix; pass a dense 1-D array, e.g. "
                        "y.toarray().ravel().")
    kind = _kind(y, "y")
    values = np.asarray(y)
    if kind in "OUS":
        gone = np.flatnonzero(pd.isna(values)) if kind == "O" else np.array([], dtype=int)
        if gone.size:
            raise DataError(f"{who}: y has {gone.size} missing value{'s' * (gone.size > 1)} "
                            f"(None, NA or NaN) at position{'s' * (gone.size > 1)} "
                            f"{', '.join(map(str, gone[:5]))}{', ...' if gone.size > 5 else ''}; "
                            "drop those rows or fill them before fitting.")
        if numeric:
            for i, v in enumerate(values.ravel()):
                try:
                    float(v)
                except (TypeError, ValueError):
                    raise DataError(
                        f"{who}: y must hold numbers, but holds {_what(v)} such "
                        f"as {py_scalar(v)!r:.80} (position {i}); for class labels use "
                        "LogisticClassifier.") from None


def _what(value):
    return "text" if isinstance(value, (str, bytes)) else f"{type(value).__name__} values"


def _has_dates(X):
    import pandas as pd

    dtypes = X.dtypes if isinstance(X, pd.DataFrame) else [getattr(X, "dtype", None)]
    return any(getattr(d, "kind", None) in ("m", "M") or isinstance(d, pd.DatetimeTZDtype)
               for d in dtypes if d is not None)


def as_target(y, m) -> np.ndarray:
    """A read-only 1-D copy of ``y`` with ``m`` entries, numbers finite, labels present."""
    import pandas as pd

    _kind(y, "y")
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
        gone = [i for i, v in enumerate(y) if v is None or v is pd.NA
                or (isinstance(v, (float, np.floating)) and v != v)]
        if gone:
            raise DataError(f"y has {len(gone)} missing labels (None, NA or NaN; first at "
                            f"row {gone[0]}); drop those rows")
    else:
        raise DataError(f"y has dtype {y.dtype}; use numbers or class labels")
    y.flags.writeable = False
    return y


def class_labels(found, target, rows=None):
    """``found`` (a target's distinct values, sorted) if they are class labels, two or more,
    else the DataError that says why not; ``target`` names the column, ``rows`` how many
    rows it has. Numbers with a fraction (0.1, 0.2, ...) are quantities, not labels."""
    found = np.asarray(found)
    if len(found) < 2:
        seen = f"a single class ({py_scalar(found[0])!r})" if len(found) else "no values"
        where = f" in all {rows} rows" if rows else ""
        raise DataError(f"the target {target} has {seen}{where}; a classifier needs examples "
                        "of two classes or more. Check the target column and any filtering of "
                        "the rows")
    if found.dtype.kind == "f" and not np.all(found == np.round(found)):
        raise DataError(f"the target {target} has {len(found)} distinct values "
                        f"(e.g. {', '.join(repr(py_scalar(c)) for c in found[:4])}), numbers "
                        "with fractions, which are quantities rather than class labels: use "
                        "linear regression for a continuous quantity, or recode the target "
                        "into classes")
    return found


def classes(y) -> np.ndarray:
    """The distinct values of ``y`` (m,), sorted (by type name first if types are mixed)."""
    try:
        return np.unique(y)
    except TypeError:
        return y[np.unique(label_codes(y), return_index=True)[1]]


def label_codes(y) -> np.ndarray:
    """``y`` as something ``np.unique`` can sort (labels of mixed types as strings)."""
    if y.dtype.kind == "O":
        return np.array([f"{type(v).__name__}:{v}" for v in y])
    return y


def py_scalar(value):
    """A numpy scalar as the Python value, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value
