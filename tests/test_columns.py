"""Classifying and parsing one column's cells: numbers, true/false, text, missing."""

import numpy as np
import pandas as pd
import pytest

from descend.tables.columns import check_unique, parse_column, parse_target, text_cells
from descend.errors import DataError
from descend.tables.report import Where

LINES = Where("'f.csv'", "line", np.array([2, 3, 4, 5, 6, 7], dtype=object))


def parse(cells, where=LINES):
    return parse_column(pd.Series(cells, dtype=object), "a", where)


def test_numbers_and_missing_tokens():
    col = parse(["1", " 2.5 ", "", "NA", "nan", "-3e2"])
    assert col.kind == "number"
    np.testing.assert_array_equal(col.values, [1.0, 2.5, np.nan, np.nan, np.nan, -300.0])
    assert col.missing.tolist() == [False, False, True, True, True, False]


def test_na_tokens_are_levels_in_text_columns():
    col = parse(["NA", "x", "", "x", "null", "y"])
    assert col.kind == "text"
    assert col.values.tolist() == ["NA", "x", "", "x", "null", "y"]
    assert col.missing.tolist() == [False, False, True, False, False, False]


def test_true_false_in_any_case_is_boolean():
    col = parse(["True", "false", "TRUE", "", "NA", "False"])
    assert col.kind == "boolean"
    np.testing.assert_array_equal(col.values, [1.0, 0.0, 1.0, np.nan, np.nan, 0.0])
    assert col.missing.tolist() == [False, False, False, True, True, False]


def test_a_column_with_no_value_is_numeric_and_all_missing():
    col = parse(["", "NA", " ", "?", "null", ""])
    assert col.kind == "number" and col.missing.all()


def test_frame_dtypes():
    where = Where("the DataFrame", "row", np.array(["r1", "r2", "r3"], dtype=object))
    ints = parse_column(pd.Series(pd.array([1, None, 3], dtype="Int64")), "n", where)
    assert ints.kind == "number" and ints.missing.tolist() == [False, True, False]
    flags = parse_column(pd.Series([True, False, True]), "f", where)
    assert flags.kind == "boolean" and flags.values.tolist() == [1.0, 0.0, 1.0]
    levels = parse_column(pd.Series(pd.Categorical(["p", None, "q"])), "c", where)
    assert levels.kind == "text" and levels.values.tolist() == ["p", "", "q"]
    with pytest.raises(DataError, match=r"'d' has dtype datetime64.*leave it out"):
        parse_column(pd.Series(pd.to_datetime(["2020-01-01"] * 3)), "d", where)


@pytest.mark.parametrize("cell, pattern", [
    ("1e400", r"column 'a' holds infinite or overflowing numbers.*on line 3"),
    ("-inf", r"column 'a' holds infinite.*on line 3"),
    ("3,5", r"'a' is mostly numbers but 1 cell cannot be read as numbers: '3,5' \(line 3\)"
            r" \(decimal commas"),
    ("n/a?", r"'a' is mostly numbers but 1 cell cannot be read as numbers: 'n/a\?' "
             r"\(line 3\)\. Correct them"),
])
def test_bad_numbers_name_column_and_line(cell, pattern):
    with pytest.raises(DataError, match=pattern) as info:
        parse(["1", cell, "4", "5", "", "7"])
    assert str(info.value).startswith("'f.csv': ")


def test_infinite_floats_in_a_frame_name_the_row():
    where = Where("the DataFrame", "row", np.array([0, 1], dtype=object))
    with pytest.raises(DataError, match=r"'a' holds infinite.*on row 1"):
        parse_column(pd.Series([0.0, np.inf]), "a", where)


def test_duplicate_names_give_their_positions():
    check_unique(["a", "b"], "t")
    with pytest.raises(DataError, match=r"^t: duplicate column names: 'a' \(columns 1, 3\); "
                                        r"'b' \(columns 2, 4\)\. Rename them"):
        check_unique(["a", "b", "a", "b"], "t")


def test_text_cells_of_any_dtype():
    tokens, missing = text_cells(pd.Series([" p ", None, 3, np.nan, "NA"], dtype=object))
    assert tokens.tolist() == ["p", "", "3", "", "NA"]        # NA is text here, not missing
    assert missing.tolist() == [False, True, False, True, False]


def test_target_true_false_become_labels_and_empty_target_is_refused():
    col = parse_target(pd.Series(["true", "", "False", "true", "false", "true"]), "t", LINES)
    assert col.values.tolist() == [True, False, False, True, False, True]
    assert col.missing.tolist() == [False, True, False, False, False, False]
    with pytest.raises(DataError, match=r"'f.csv': the target 't' has no values"):
        parse_target(pd.Series([""] * 6), "t", LINES)


@pytest.mark.parametrize("odd, hint", [
    ("1_000", "digit separators"),
    ("\u0661\u0662", "digits other than 0-9"),                  # Arabic-Indic 12
    ("\uff11\uff12", "digits other than 0-9"),                  # full-width 12
    ("1e-400", "too small for float64, it would read as 0"),
])
def test_numbers_are_read_strictly(odd, hint):
    # float() takes all of these (the last as 0.0); as data they are refused, named.
    with pytest.raises(DataError, match=f"cannot be read as numbers: '{odd}' \\(line 3\\) .*{hint}"):
        parse(["1", odd, "2", "3", "4", "5"])


def test_zeros_and_tiny_numbers_that_float64_holds_are_numbers():
    col = parse(["0", "-0.0", "0e-400", ".0", "5e-324", "1e-300"])
    assert col.kind == "number"
    np.testing.assert_array_equal(col.values, [0.0, -0.0, 0.0, 0.0, 5e-324, 1e-300])


def test_a_long_cell_is_cut_in_messages():
    with pytest.raises(DataError) as err:
        parse(["1", "x" * 100_000, "2", "3", "4", "5"])
    assert len(str(err.value)) < 400 and "(100,000 characters)" in str(err.value)
