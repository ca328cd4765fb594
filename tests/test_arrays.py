"""X and y checked at the boundary, and the classes of y."""

import numpy as np
import pandas as pd
import pytest

from descend.arrays import as_matrix, as_target, classes, py_scalar
from descend.errors import DataError


def test_copies_are_read_only_float():
    X = np.array([[1, 2], [3, 4]])
    A = as_matrix(X)
    assert A.dtype == np.float64 and not A.flags.writeable
    X[0, 0] = 9
    assert A[0, 0] == 1.0
    y = as_target(["a", "b"], 2)
    assert y.tolist() == ["a", "b"] and not y.flags.writeable


@pytest.mark.parametrize("X, pattern", [
    ([1.0, 2.0], r"X must be 2-D .* shape \(2,\).*reshape\(-1, 1\)"),
    ([[1.0], [np.nan]], r"1 missing or infinite entries \(first at row 1, column 0\)"),
    ([[1.0], [np.inf]], "missing or infinite"),
    ([["a"], ["b"]], "from_frame"),
    ([[1j], [2.0]], "complex"),
    (np.zeros((0, 2)), "at least one row"),
])
def test_matrix_errors(X, pattern):
    with pytest.raises(DataError, match=pattern):
        as_matrix(X)


@pytest.mark.parametrize("y, pattern", [
    ([1, 2, 3], "X has 2 rows but y has 3 entries"),
    ([[1], [2]], r"y must be 1-D.*ravel"),
    ([1.0, np.nan], "y has missing or infinite"),
    (["a", None], r"1 missing labels \(None, NA or NaN; first at row 1\)"),
    (np.array([pd.NA, "b"], dtype=object), r"missing labels.*first at row 0"),
    (np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"), "use numbers or class"),
])
def test_target_errors(y, pattern):
    with pytest.raises(DataError, match=pattern):
        as_target(y, 2)


def test_classes_sorted_even_for_mixed_labels():
    np.testing.assert_array_equal(classes(np.array([1.0, 0.0, 1.0])), [0.0, 1.0])
    mixed = np.array([2, "a", 1, "a"], dtype=object)          # sorted by type name, then value
    assert classes(mixed).tolist() == [1, 2, "a"]
    assert py_scalar(np.int64(3)) == 3 and type(py_scalar(np.int64(3))) is int
