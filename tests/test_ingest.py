"""Reading CSV files and frames: numbers, cleaning, and every kind of bad input."""

import gzip
import os
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descend.data import DataContainer
from descend.errors import DataError


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# ------------------------------------------------------------- good files
def test_numeric_csv_reads_exact_values(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2.5,3\n-4,5e2,6\n")
    data = DataContainer.from_csv(path, "y")
    np.testing.assert_array_equal(data.X, [[1.0, 2.5], [-4.0, 500.0]])
    np.testing.assert_array_equal(data.y, [3.0, 6.0])
    assert data.feature_names == ["a", "b"] and data.target_name == "y"
    assert not data.report.changed
    assert "nothing needed cleaning" in str(data.report)


def test_bom_whitespace_blank_lines_and_crlf(tmp_path):
    path = write(tmp_path, "\ufeff a , b ,\ty \r\n\r\n 1 , 2 , 3 \r\n\r\n4,5,6\r\n")
    data = DataContainer.from_csv(path, "y", features=["b", "a"])
    assert data.feature_names == ["b", "a"]
    np.testing.assert_array_equal(data.X, [[2.0, 1.0], [5.0, 4.0]])


def test_semicolon_separator_and_latin1(tmp_path):
    path = write(tmp_path, "städt;y\n1;2\n", encoding="latin-1")
    data = DataContainer.from_csv(path, "y", sep=";", encoding="latin-1")
    assert data.feature_names == ["städt"]


def test_gzip_file(tmp_path):
    path = write(tmp_path, gzip.compress(b"a,y\n1,2\n3,4\n"), name="d.csv.gz")
    np.testing.assert_array_equal(DataContainer.from_csv(path, "y").X, [[1.0], [3.0]])


def test_text_target_kept_as_labels(tmp_path):
    path = write(tmp_path, "a,label\n1,cat\n2,dog\n3,cat\n")
    data = DataContainer.from_csv(path, "label")
    assert data.y.tolist() == ["cat", "dog", "cat"]
    assert data.check_classification_target().tolist() == ["cat", "dog"]


def test_single_class_target_is_reported(tmp_path):
    path = write(tmp_path, "a,label\n1,cat\n2,cat\n")
    with pytest.raises(DataError, match=r"single class \('cat'\) in all 2 rows"):
        DataContainer.from_csv(path, "label").check_classification_target()


# ------------------------------------------------------------- missing values
MISSING = "a,b,y\n1,10,1\n,20,2\n3,,3\n5,40,\n7,50,5\n"     # lines 3, 4, 5 have gaps


def test_missing_error_names_columns_counts_and_options(tmp_path):
    path = write(tmp_path, MISSING)
    with pytest.raises(DataError) as info:
        DataContainer.from_csv(path, "y")
    msg = str(info.value)
    assert "target 'y' (1 empty cell, on line 5" in msg
    assert "'a' (1 empty cell, on line 3)" in msg and "'b' (1 empty cell, on line 4)" in msg
    assert "missing='drop'" in msg and "missing='median'" in msg


def test_missing_drop_reports_line_numbers(tmp_path):
    data = DataContainer.from_csv(write(tmp_path, MISSING), "y", missing="drop")
    np.testing.assert_array_equal(data.X, [[1, 10], [7, 50]])
    assert data.report.dropped_missing_target == (5,)
    assert data.report.dropped_missing_features == (3, 4)
    assert data.report.n_rows_read == 5 and data.report.n_rows == 2
    assert "dropped 2 rows with missing feature values (lines 3, 4)" in str(data.report)


@pytest.mark.parametrize("how, stat", [("mean", np.mean), ("median", np.median)])
def test_missing_imputation_uses_rows_with_a_target(tmp_path, how, stat):
    data = DataContainer.from_csv(write(tmp_path, MISSING), "y", missing=how)
    # the row of line 5 (missing target) is dropped first; a's values left: 1, 3, 7
    expect_a, expect_b = stat([1.0, 3.0, 7.0]), stat([10.0, 20.0, 50.0])
    np.testing.assert_allclose(data.X[:, 0], [1, expect_a, 3, 7])
    np.testing.assert_allclose(data.X[:, 1], [10, 20, expect_b, 50])
    imp = data.report.imputed
    assert imp["a"].count == 1 and imp["a"].value == pytest.approx(expect_a)
    assert imp["b"].strategy == how and data.report.dropped_missing_target == (5,)
    assert f"imputed 1 missing cell of 'a' with the {how}" in str(data.report)


def test_na_tokens_are_missing_in_numeric_columns_only(tmp_path):
    path = write(tmp_path, "a,c,y\nNA,NA,1\nnull,x,2\n3,NA,3\nnan,x,4\n4,x,5\n")
    data = DataContainer.from_csv(path, "y", missing="median")
    assert data.report.imputed["a"].count == 3
    assert data.feature_names == ["a", "c=x"]            # 'NA' is a level of c
    np.testing.assert_array_equal(data.X[:, 1], [0, 1, 0, 1, 1])


def test_text_column_imputed_with_most_frequent_level(tmp_path):
    path = write(tmp_path, "c,y\nu,1\n,2\nv,3\nv,4\n")
    data = DataContainer.from_csv(path, "y", missing="mean")
    assert data.report.imputed["c"].value == "v"
    np.testing.assert_array_equal(data.X[:, 0], [0, 1, 1, 1])


def test_all_rows_dropped_is_an_error(tmp_path):
    path = write(tmp_path, "a,b,y\n,1,1\n2,,2\n")
    with pytest.raises(DataError, match="no rows are left"):
        DataContainer.from_csv(path, "y", missing="drop")


# ------------------------------------------------------------- categorical
def test_one_hot_drops_first_level_and_reports(tmp_path):
    rows = "\n".join(f"{i},{lvl},{i}" for i, lvl in enumerate("BCABCAB"))
    data = DataContainer.from_csv(write(tmp_path, "a,kind,y\n" + rows), "y")
    assert data.feature_names == ["a", "kind=B", "kind=C"]
    np.testing.assert_array_equal(data.X[:, 1], [1, 0, 0, 1, 0, 0, 1])
    np.testing.assert_array_equal(data.X[:, 2], [0, 1, 0, 0, 1, 0, 0])
    enc = data.report.encoded["kind"]
    assert enc.levels == ("A", "B", "C") and enc.dropped_level == "A"
    assert "level 'A' is the baseline" in str(data.report)


def test_categorical_error_and_drop(tmp_path):
    path = write(tmp_path, "a,kind,y\n1,u,1\n2,v,2\n3,u,3\n")
    with pytest.raises(DataError, match=r"text columns \['kind'\].*categorical='auto'"):
        DataContainer.from_csv(path, "y", categorical="error")
    data = DataContainer.from_csv(path, "y", categorical="drop")
    assert data.feature_names == ["a"] and "kind" in data.report.dropped_columns


def test_identifier_column_is_refused(tmp_path):
    rows = "\n".join(f"id{i},{i},{i}" for i in range(30))
    with pytest.raises(DataError, match=r"'name' is text with 30 distinct values in 30 rows"
                       r".*features=\['a'\]"):
        DataContainer.from_csv(write(tmp_path, "name,a,y\n" + rows), "y")


def test_boolean_column_becomes_zero_one(tmp_path):
    data = DataContainer.from_csv(write(tmp_path, "f,y\nTrue,1\nfalse,2\nTRUE,3\n"), "y")
    np.testing.assert_array_equal(data.X[:, 0], [1, 0, 1])
    assert data.report.booleans == ("f",)


# ------------------------------------------------------------- bad files
@pytest.mark.parametrize("text, pattern", [
    ("", "is empty"),
    ("\n  \n", "is empty"),
    ("a,b,y\n", "header on line 1 but no data rows"),
    ("a,b,y\n1,2,3\n4,5\n6,7,8,9\n", r"line 3 has 2, line 4 has 4; expected 3"),
    ("a,b,y\n1,2,3\n", None),
    ("1,2,3\n4,5,6\n", r"first line \(line 1\) looks like data.*Add a header"),
    ("a,b,a\n1,2,3\n", r"duplicate column names: 'a' \(columns 1, 3\)"),
    ("a,,y\n1,2,3\n", "header field 2 is empty"),
    ('a,y\n"1,2\n', r"line 2: the CSV cannot be parsed"),
    ('a,y\n1,2\n"3"x,4\n', r"line 3: the CSV cannot be parsed \(',' expected"),
])
def test_malformed_files(tmp_path, text, pattern):
    path = write(tmp_path, text)
    if pattern is None:
        assert DataContainer.from_csv(path, "y").shape == (1, 2)
        return
    with pytest.raises(DataError, match=pattern) as info:
        DataContainer.from_csv(path, "y")
    assert "data.csv" in str(info.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv' does not exist"):
        DataContainer.from_csv(tmp_path / "nope.csv", "y")
    with pytest.raises(DataError, match="is a directory"):
        DataContainer.from_csv(tmp_path, "y")


def test_target_not_found_suggests_close_names(tmp_path):
    path = write(tmp_path, "median_income,median_house_value\n1,2\n")
    with pytest.raises(DataError, match=r"'median_house_valu' not found.*"
                       r"Did you mean 'median_house_value'"):
        DataContainer.from_csv(path, "median_house_valu")


def test_wrong_separator_hint(tmp_path):
    path = write(tmp_path, "a;y\n1;2\n")
    with pytest.raises(DataError, match=r"sep=';'"):
        DataContainer.from_csv(path, "y")


def test_ragged_line_number_counts_multiline_quoted_field(tmp_path):
    path = write(tmp_path, 'a,note,y\n1,"two\nlines",2\n\n3,x,4,5\n')
    with pytest.raises(DataError, match=r"line 5 has 4; expected 3"):
        DataContainer.from_csv(path, "y")


@pytest.mark.parametrize("cell, pattern", [
    ("1e400", r"column 'a' holds infinite or overflowing numbers.*on line 3"),
    ("-inf", r"column 'a' holds infinite.*line 3"),
    ('"3,5"', r"'a' is mostly numbers but 1 cell cannot be read as numbers: '3,5' \(line 3\)"
              r" \(decimal commas"),
    ("n/a?", r"'a' is mostly numbers but 1 cell cannot be read as numbers: 'n/a\?' \(line 3\)"),
])
def test_bad_numbers_name_column_and_line(tmp_path, cell, pattern):
    path = write(tmp_path, f"a,y\n1,1\n{cell},2\n3,3\n4,4\n")
    with pytest.raises(DataError, match=pattern):
        DataContainer.from_csv(path, "y", missing="median")


def test_undecodable_bytes_name_offset_line_and_fix(tmp_path):
    path = write(tmp_path, b"a,y\n1,2\n\xe9,3\n")
    with pytest.raises(DataError, match=r"byte 0xe9 at offset 8 \(line 3\).*encoding='latin-1'"):
        DataContainer.from_csv(path, "y")


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(sep=";;"), "not a valid delimiter"),
    (dict(encoding="klingon"), "unknown encoding"),
    (dict(missing="zero"), r"missing='zero' is not an option"),
    (dict(categorical="yes"), r"categorical='yes' is not an option"),
    (dict(features=["a", "zz"]), "feature column 'zz' not found"),
    (dict(features=["a", "y"]), "also listed in features="),
])
def test_bad_arguments(tmp_path, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        DataContainer.from_csv(write(tmp_path, "a,b,y\n1,2,3\n"), "y", **kwargs)


def test_bad_gzip(tmp_path):
    with pytest.raises(DataError, match="not a valid gzip file"):
        DataContainer.from_csv(write(tmp_path, b"a,y\n1,2\n", name="d.csv.gz"), "y")


# ------------------------------------------------------------- frames
def test_frame_dtypes_and_no_modification():
    df = pd.DataFrame({
        "n": pd.array([1, None, 3, 4], dtype="Int64"),
        "f": [True, False, True, False],
        "c": pd.Categorical(["p", "q", "p", "q"]),
        "y": [0.5, 1.5, 2.5, 3.5],
    }, index=["r1", "r2", "r3", "r4"])
    before = df.copy()
    data = DataContainer.from_frame(df, "y", missing="mean")
    pd.testing.assert_frame_equal(df, before)
    assert data.feature_names == ["n", "f", "c=q"]
    np.testing.assert_allclose(data.X, [[1, 1, 0], [8 / 3, 0, 1], [3, 1, 0], [4, 0, 1]])


def test_frame_errors_use_row_labels():
    df = pd.DataFrame({"a": [1.0, np.nan, 2.0], "y": [1, 2, 3]}, index=["u", "v", "w"])
    with pytest.raises(DataError, match=r"'a' \(1 empty cell, on row v\)"):
        DataContainer.from_frame(df, "y")
    df = pd.DataFrame({"a": ["1", "2", "x?", "4"], "y": [1, 2, 3, 4]})
    with pytest.raises(DataError, match=r"'x\?' \(row 2\)"):
        DataContainer.from_frame(df, "y")
    with pytest.raises(DataError, match=r"'a' holds infinite.*row 1"):
        DataContainer.from_frame(pd.DataFrame({"a": [0, np.inf], "y": [1, 2]}), "y")


def test_frame_rejects_dates_and_non_frames():
    df = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2020-01-02"]), "y": [1, 2]})
    with pytest.raises(DataError, match=r"'d' has dtype datetime64"):
        DataContainer.from_frame(df, "y")
    with pytest.raises(DataError, match="expected a pandas DataFrame, got ndarray"):
        DataContainer.from_frame(np.zeros((2, 2)), "y")
    with pytest.raises(DataError, match="has no rows"):
        DataContainer.from_frame(pd.DataFrame({"a": [], "y": []}), "y")


def test_boolean_frame_target_stays_boolean():
    data = DataContainer.from_frame(pd.DataFrame({"a": [1, 2], "t": [True, False]}), "t")
    assert data.y.dtype == bool and data.y.tolist() == [True, False]


# ------------------------------------------------------------- property tests
def check_loads_or_data_error(text, target):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        for missing in ("error", "median"):
            try:
                data = DataContainer.from_csv(path, target, missing=missing)
            except DataError:
                continue
            m, n = data.shape
            assert data.X.dtype == np.float64 and np.all(np.isfinite(data.X))
            assert data.y.shape == (m,) and len(data.feature_names) == n >= 1
            if data.y.dtype.kind == "f":
                assert np.all(np.isfinite(data.y))


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_arbitrary_text_loads_or_raises_data_error(text):
    first = text.split("\n", 1)[0].split(",")[0].strip()
    for target in {"y", first or "y"}:
        check_loads_or_data_error(text, target)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=120))
def test_arbitrary_bytes_load_or_raise_data_error(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.csv")
        with open(path, "wb") as f:
            f.write(b"c,y\n" + raw)
        for encoding in ("utf-8", "latin-1"):
            try:
                data = DataContainer.from_csv(path, "y", missing="drop", encoding=encoding)
            except DataError:
                continue
            assert np.all(np.isfinite(data.X)) and data.X.shape == (len(data.y), 1)


CELL = st.one_of(                                      # cells that keep the structure
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["", " ", "NA", "null", "n/a?", '"3,5"', "cat", "dog", "True",
                     "false", "1e400", "?", '"x\ny"']),
    st.text(st.characters(blacklist_characters=',"\r\n', blacklist_categories=("Cs",)),
            max_size=4),
)
WILD = st.one_of(CELL, st.sampled_from(['"', "3,5", "x\ny", 'a"b']), st.text(max_size=4))


@st.composite
def csv_texts(draw):
    """Mostly valid CSV: a header, then rows where about one in 16 is broken."""
    n_cols = draw(st.integers(1, 4))
    header = ["y"] + [f"c{j}" for j in range(n_cols)]
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 15)):
            rows.append(draw(st.lists(CELL, min_size=n_cols + 1, max_size=n_cols + 1)))
        else:
            rows.append(draw(st.lists(WILD, max_size=n_cols + 3)))
    return "\n".join(",".join(r) for r in [header, *rows]) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=csv_texts())
def test_mostly_valid_csv_loads_or_raises_data_error(text):
    check_loads_or_data_error(text, "y")
