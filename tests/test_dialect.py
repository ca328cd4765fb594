"""Reading files as they were written: the delimiter detected or named, decimal commas,
quotes, and the errors for a file read the wrong way (tables.dialect, tables.csvfile)."""

import numpy as np
import pandas as pd
import pytest

from descend import DataContainer, DataError
from descend.tables.csvfile import read_csv
from descend.tables.dialect import detect_sep, parse_sep


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("typed, meant", [(",", ","), (";", ";"), ("tab", "\t"), ("\\t", "\t"),
                                          ("\\\\t", "\t"), ("\t", "\t"), ("TAB", "\t"),
                                          ("whitespace", "whitespace"), ("auto", "auto"),
                                          ("pipe", "|"), ("space", " ")])
def test_a_delimiter_is_read_as_people_type_it(typed, meant):
    assert parse_sep(typed) == meant


@pytest.mark.parametrize("typed", [";;", "x", "1", '"', "'", "", "comma;"])
def test_anything_else_is_not_a_delimiter(typed):
    with pytest.raises(DataError, match="is not a delimiter"):
        parse_sep(typed)


@pytest.mark.parametrize("lines, sep", [
    (['a,b,"c, d"\n', '1,2,"x, y"\n', '3,4,z\n'], ","),     # commas inside quotes
    (["a;b;c\n", "1,5;2;3\n", "2,5;3;4\n"], ";"),            # decimal commas, ; delimiter
    (["a\tb\n", "1\t2\n"], "\t"),
    (["  a   b  c\n", "  1   2  3\n", " 10  20 30\n"], "whitespace"),  # aligned columns
    (["y\n", "1\n", "2\n"], ","),                            # one column
    (["a,b\r\n", "1,2\r\n", "3,4\r\n"], ","),                # CRLF
])
def test_the_delimiter_that_splits_every_record_alike_is_detected(lines, sep):
    assert detect_sep(lines) == sep


def test_dates_in_a_decimal_comma_file_are_text_not_refused(tmp_path):
    path = write(tmp_path, "datum;wert;x\n01.03.2021;1,5;2\n02.03.2021;2,5;3\n"
                           "03.03.2021;3,5;5\n04.03.2021;4,5;4\n")
    data = DataContainer.from_csv(path, "wert", exclude=["datum"], sep="auto", decimal=",")
    np.testing.assert_array_equal(data.y, [1.5, 2.5, 3.5, 4.5])
    path = write(tmp_path, "a;y\n1,5;1\n1.234,5;2\n7;3\n", "points.csv")
    with pytest.raises(DataError, match=r"'1\.234,5' \(line 3\).*thousands separator"):
        DataContainer.from_csv(path, "y", sep="auto", decimal=",")


def test_a_comma_is_never_both_delimiter_and_decimal_mark(tmp_path):
    path = write(tmp_path, "y\n1,5\n2,5\n3\n")
    table = read_csv(path, sep="auto", decimal=",")         # one column: not split at ,
    assert table.frame["y"].tolist() == [1.5, 2.5, 3.0] and table.dialect.sep == ";"
    with pytest.raises(DataError, match="sep=',' and decimal=',' are the same character"):
        read_csv(path, sep=",", decimal=",")


def test_a_title_line_above_the_header_is_named(tmp_path):
    path = write(tmp_path, "Sales data\na,b,y\n1,2,3\n2,3,4\n")
    with pytest.raises(DataError, match="line 1 looks like a title above the header"):
        DataContainer.from_csv(path, "y", sep="auto")


def test_row_labels_follow_the_rows_kept_even_with_a_repeated_index(tmp_path):
    train = DataContainer.from_frame(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]}),
                                     "y")
    new = pd.DataFrame({"a": [1.0, np.nan, 2.0, 3.0, 4.0, 5.0]}, index=[0, 1, 0, 1, 2, 3])
    data = DataContainer.from_frame(new, schema=train.schema, missing="drop")
    assert len(data) == 5 and data.row_labels.tolist() == [0, 0, 1, 2, 3]
    np.testing.assert_array_equal(data.X[:, 0], [1, 2, 3, 4, 5])
    assert data.take([1, 3]).row_labels.tolist() == [0, 2]


def test_kept_columns_are_the_cells_as_written_beside_the_rows_kept(tmp_path):
    path = write(tmp_path, "id;a;y\n007;1,5;1\n008;;2\n009;2,5;3\n010;3,5;5\n")
    data = DataContainer.from_csv(path, "y", exclude=["id"], missing="drop", sep="auto",
                                  decimal=",", keep=["id", "a"])
    assert data.kept["id"].tolist() == ["007", "009", "010"]
    assert data.kept["a"].tolist() == ["1,5", "2,5", "3,5"]      # as written; X has numbers
    np.testing.assert_array_equal(data.X[:, 0], [1.5, 2.5, 3.5])
    assert data.row_labels.tolist() == [2, 4, 5]
