"""Dask input for the estimators: is it Dask, and as aligned dask arrays.

:func:`as_dask_matrix` turns a dask array or DataFrame (or a numpy ``X``
given with a dask ``y``) into a float dask array with one chunk across the
columns. :func:`as_dask_target` lines ``y`` up with its row chunks, and
:func:`as_dask_weights` the sample weights; :func:`refuse_bad_chunks` names
what the first pass over the chunks found wrong. Nothing here imports dask
until Dask data arrive.
"""

from __future__ import annotations

import sys

import numpy as np

from ..errors import DataError

__all__ = ["is_dask", "require_dask", "as_dask_matrix", "as_dask_target", "as_dask_weights",
           "series_array", "refuse_bad_chunks"]


def is_dask(obj) -> bool:
    """Whether ``obj`` is a Dask collection (without importing dask)."""
    if "dask" not in sys.modules:
        return False
    from dask.base import is_dask_collection
    return is_dask_collection(obj)


def require_dask(what):
    """Import dask.array, or explain how to install it."""
    try:
        import dask.array as da
    except ImportError as err:          # pragma: no cover - dask is a test dependency
        raise ImportError(f"{what} needs Dask: pip install \"descend[dask]\"") from err
    return da


def as_dask_matrix(X, who):
    """``X`` as a 2-D float dask array with one chunk across the columns.

    Returns ``(X, header)``: ``header`` is a zero-row pandas DataFrame with
    the columns of a DataFrame ``X`` (for scikit-learn's feature-name checks),
    or a zero-row array. float32 stays float32; other numbers (bool, nullable
    and Arrow-backed columns) become float64 chunk by chunk, missing cells
    NaN. A numpy or pandas ``X`` (given with a dask ``y``) is wrapped in
    a dask array.
    """
    da = require_dask(who)
    import dask.dataframe as dd
    import pandas as pd
    if isinstance(X, dd.Series):
        raise DataError(f"{who}: X must be 2-D (rows × features), got a dask Series; use "
                        "X.to_frame() for a single feature.")
    header = None
    if not is_dask(X):                      # in memory, with a dask y: y is chunked like it
        if isinstance(X, pd.DataFrame):
            header = X.iloc[:0]
        X = np.asarray(X)
        if X.dtype.kind in "biu" or X.dtype == object:
            try:
                X = X.astype(np.float64)
            except (TypeError, ValueError) as err:
                raise DataError(f"{who}: X must hold numbers ({err}).") from None
        X = da.from_array(X, chunks=("auto",) + (-1,) * (X.ndim - 1))
    if isinstance(X, dd.DataFrame):
        refuse_text_columns(X, list(X.columns), f"{who}: the dask DataFrame X", "out of X")
        header = X._meta.iloc[:0]
        single = all(t == np.float32 for t in X.dtypes)
        X = X.astype(np.float32 if single else np.float64).to_dask_array()
    elif not isinstance(X, da.Array):
        raise DataError(f"{who}: cannot fit on a {type(X).__name__}; pass a dask array or a dask "
                        "DataFrame.")
    if X.ndim != 2:
        raise DataError(f"{who}: X must be 2-D (rows × features), got {X.ndim} dimension(s) of "
                        f"shape {X.shape}; reshape it, e.g. X.reshape(-1, 1) for one feature.")
    if X.dtype.kind not in "biuf":
        raise DataError(f"{who}: X must hold numbers, got dtype {X.dtype}.")
    if X.dtype not in (np.float64, np.float32):
        X = X.astype(np.float64)
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    return X, (np.empty((0, X.shape[1])) if header is None else header)


def _unknown(a):
    return bool(np.isnan(a.shape[0]))


def refuse_text_columns(frame, columns, where, leave_out):
    """A DataError naming the ``columns`` of a dask ``frame`` that hold text: with Dask,
    descend does not one-hot encode (that needs every level first)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    text = [str(c) for c in columns
            if not (is_numeric_dtype(frame[c].dtype) or is_bool_dtype(frame[c].dtype))]
    if text:
        raise DataError(
            f"{where}: column{'s' * (len(text) > 1)} {', '.join(map(repr, text[:5]))} hold "
            "text, not numbers, and with Dask data descend does not one-hot encode (that needs "
            "every level first): encode them with dask's .categorize() and dd.get_dummies(), "
            f"or leave them {leave_out}.")


def series_array(y):
    """A dask Series as a dask array, pandas extension types (strings, nullable
    numbers) turned into numpy's object or float64 chunk by chunk."""
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    if isinstance(y.dtype, pd.api.extensions.ExtensionDtype):
        numeric = is_numeric_dtype(y.dtype) and not is_bool_dtype(y.dtype)
        y = y.astype(np.float64 if numeric else object)
    return y.to_dask_array()


def as_dask_target(y, X, who, classify):
    """``(X, y)`` with ``y`` a 1-D dask array in the row chunks of ``X``.

    Chunk sizes are computed, and ``y`` rechunked, only when they differ or
    are unknown on one side; two unknown sides with as many partitions (one
    DataFrame's columns) are checked row by row in the first pass.
    """
    da = require_dask(who)
    import dask.dataframe as dd
    if isinstance(y, dd.DataFrame):
        if len(y.columns) != 1:
            raise DataError(f"{who}: y must be one column, got a DataFrame with {len(y.columns)}.")
        y = y[y.columns[0]]
    if isinstance(y, dd.Series):
        y = series_array(y)
    elif not isinstance(y, da.Array):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise DataError(f"{who}: y must be 1-D, got shape {y.shape}.")
        y = da.from_array(y, chunks=-1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"{who}: y must be 1-D, got a dask array of shape {y.shape}.")
    if not classify and y.dtype.kind not in "biuf":
        raise DataError(f"{who}: y must hold numbers, got dtype {y.dtype}; for class labels "
                        "use LogisticClassifier.")
    if _unknown(X) and _unknown(y) and X.numblocks[0] == y.numblocks[0]:
        return X, y          # partitions of one DataFrame: checked row by row in the first pass
    if X.numblocks[0] == y.numblocks[0] and X.chunks[0] == y.chunks[0]:
        return X, y
    if _unknown(X):
        X = X.compute_chunk_sizes()
    if _unknown(y):
        y = y.compute_chunk_sizes()
    if y.shape[0] != X.shape[0]:
        raise DataError(f"{who}: X has {X.shape[0]} rows but y has {y.shape[0]}.")
    return X, y.rechunk((X.chunks[0],))


def as_dask_weights(sample_weight, X, y, who):
    """``(X, y, sample_weight)`` with the weights a 1-D float64 dask array in the row
    chunks of ``X`` (and ``y``).

    The weights may be a dask array, a dask Series or numbers in memory. As for
    :func:`as_dask_target`, chunk sizes are computed and the weights rechunked only
    when they differ or are unknown; two unknown sides with as many partitions are
    checked row by row in the first pass.
    """
    da = require_dask(who)
    import dask.dataframe as dd
    sw = sample_weight
    if isinstance(sw, dd.Series):
        sw = series_array(sw)
    elif not isinstance(sw, da.Array):
        sw = np.asarray(sw)
        sw = da.from_array(sw, chunks=-1 if sw.ndim == 1 else (-1,) * sw.ndim)
    if sw.ndim == 2 and sw.shape[1] == 1:
        sw = sw[:, 0]
    if sw.ndim != 1:
        raise DataError(f"{who}: sample_weight must be 1-D, one weight per row, got shape "
                        f"{sw.shape}.")
    if sw.dtype.kind not in "biuf":
        raise DataError(f"{who}: sample_weight must hold numbers, got dtype {sw.dtype}.")
    sw = sw.astype(np.float64)
    if _unknown(X) and _unknown(sw) and X.numblocks[0] == sw.numblocks[0]:
        return X, y, sw      # partitions of one DataFrame: checked row by row in the first pass
    if X.numblocks[0] == sw.numblocks[0] and X.chunks[0] == sw.chunks[0]:
        return X, y, sw
    if _unknown(X):
        X = X.compute_chunk_sizes()
        y = y.compute_chunk_sizes() if _unknown(y) else y
    if _unknown(sw):
        sw = sw.compute_chunk_sizes()
    if sw.shape[0] != X.shape[0]:
        raise DataError(f"{who}: X has {X.shape[0]} rows but sample_weight has {sw.shape[0]} "
                        "values; give one weight per row.")
    return X, y, sw.rechunk((X.chunks[0],))


def refuse_bad_chunks(stats, who, names):
    """A DataError for what the summarizing pass found wrong, from each chunk's ``stats``
    (:func:`descend.dask.cluster._chunk_stats`): partitions that do not line up, no
    rows, missing or infinite values in X or y, weights below 0, not finite, or all 0.
    ``names``: the columns of X, or None."""
    for s in stats:
        if s[0] == "mismatch":
            raise DataError(f"{who}: the partitions of X and {s[1]} do not line up: one of X "
                            f"has {s[2]} rows where {s[1]}'s has {s[3]}. Take them from one "
                            "DataFrame (X = df[features], y = df[target]), or give both "
                            "known chunk sizes (e.g. .to_dask_array(lengths=True)).")
    if not sum(s[0] for s in stats):
        raise DataError(f"{who}: the Dask data hold no rows.")
    bad = np.sum([s[3] for s in stats], axis=0)
    if bad.any():
        cols = np.flatnonzero(bad)
        shown = [names[j] if names else f"column {j}" for j in cols[:5]]
        raise DataError(
            f"{who}: X holds {int(bad.sum())} missing or infinite value"
            f"{'s' * (int(bad.sum()) > 1)} (in {', '.join(shown)}{', ...' if cols.size > 5 else ''}). "
            "Drop or fill them first, e.g. with dask's .dropna() or .fillna().")
    missing = sum(s[4] for s in stats)
    if missing:
        raise DataError(f"{who}: y holds {missing} missing or infinite value"
                        f"{'s' * (missing > 1)}; drop those rows first, e.g. with .dropna().")
    trouble = sum(s[8] for s in stats)
    if trouble:
        raise DataError(f"{who}: sample_weight holds {trouble} negative, missing or infinite "
                        "value(s); give every row a finite weight of 0 or more.")
    if not sum(s[7] for s in stats) > 0:
        raise DataError(f"{who}: the sample weights sum to 0; give some rows a weight above 0.")
