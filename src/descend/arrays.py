"""The arrays a model learns from, checked once at the boundary.

:func:`as_matrix` makes ``X`` a read-only float64 copy, m × n, finite;
:func:`as_target` makes ``y`` a read-only 1-D copy with m entries, numbers
finite and labels present; :func:`classes` lists the distinct values of ``y``
even when its labels mix types. Messages say what was wrong, where, and what
to do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from descend.errors import DataError


def as_matrix(X) -> np.ndarray:
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


def as_target(y, m) -> np.ndarray:
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
        gone = [i for i, v in enumerate(y) if v is None or v is pd.NA
                or (isinstance(v, (float, np.floating)) and v != v)]
        if gone:
            raise DataError(f"y has {len(gone)} missing labels (None, NA or NaN; first at "
                            f"row {gone[0]}); drop those rows")
    else:
        raise DataError(f"y has dtype {y.dtype}; use numbers or class labels")
    y.flags.writeable = False
    return y


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
