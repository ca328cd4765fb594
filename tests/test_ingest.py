"""Cleaning tables: missing values, categorical encoding, column selection, the report."""

import numpy as np
import pandas as pd
import pytest

from descend.tables.data import DataContainer
from descend.tables.ingest import ingest_frame
from descend.errors import DataError


def from_csv(tmp_path, text, target="y", **kwargs):
    """``DataContainer.from_csv`` on a file ``data.csv`` holding ``text``."""
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return DataContainer.from_csv(path, target, **kwargs)


# ------------------------------------------------------------- numbers and labels
def test_numeric_csv_reads_exact_values(tmp_path):
    data = from_csv(tmp_path, "a,b,y\n1,2.5,3\n-4,5e2,6\n")
    np.testing.assert_array_equal(data.X, [[1.0, 2.5], [-4.0, 500.0]])
    np.testing.assert_array_equal(data.y, [3.0, 6.0])
    assert data.feature_names == ["a", "b"] and data.target_name == "y"
    assert not data.report.changed
    assert "nothing needed cleaning" in str(data.report)


def test_text_target_kept_as_labels(tmp_path):
    data = from_csv(tmp_path, "a,label\n1,cat\n2,dog\n3,cat\n", "label")
    assert data.y.tolist() == ["cat", "dog", "cat"]
    assert data.check_classification_target().tolist() == ["cat", "dog"]


# ------------------------------------------------------------- missing values
MISSING = "a,b,y\n1,10,1\n,20,2\n3,NA,3\n5,40,\n7,50,5\n"     # lines 3, 4, 5 have gaps


def test_missing_error_names_columns_counts_and_options(tmp_path):
    with pytest.raises(DataError) as info:
        from_csv(tmp_path, MISSING)
    msg = str(info.value)
    assert "target 'y' (1 missing cell, on line 5" in msg
    assert "'a' (1 missing cell, on line 3)" in msg and "'b' (1 missing cell, on line 4)" in msg
    assert "missing='drop'" in msg and "missing='median'" in msg


def test_missing_drop_reports_line_numbers(tmp_path):
    data = from_csv(tmp_path, MISSING, missing="drop")
    np.testing.assert_array_equal(data.X, [[1, 10], [7, 50]])
    assert data.report.dropped_missing_target == (5,)
    assert data.report.dropped_missing_features == (3, 4)
    assert data.report.n_rows_read == 5 and data.report.n_rows == 2
    assert "dropped 2 rows with missing feature values (lines 3, 4)" in str(data.report)


@pytest.mark.parametrize("how, stat", [("mean", np.mean), ("median", np.median)])
def test_missing_imputation_uses_rows_with_a_target(tmp_path, how, stat):
    data = from_csv(tmp_path, MISSING, missing=how)
    # the row of line 5 (missing target) is dropped first; a's values left: 1, 3, 7
    expect_a, expect_b = stat([1.0, 3.0, 7.0]), stat([10.0, 20.0, 50.0])
    np.testing.assert_allclose(data.X[:, 0], [1, expect_a, 3, 7])
    np.testing.assert_allclose(data.X[:, 1], [10, 20, expect_b, 50])
    imp = data.report.imputed
    assert imp["a"].count == 1 and imp["a"].value == pytest.approx(expect_a)
    assert imp["b"].strategy == how and data.report.dropped_missing_target == (5,)
    assert (f"imputed 2 missing cells in 2 columns with each column's {how}: "
            f"'a' {float(f'{expect_a:.10g}')!r} (1), 'b' {float(f'{expect_b:.10g}')!r} (1)"
            in str(data.report))


def test_text_column_imputed_with_most_frequent_level(tmp_path):
    data = from_csv(tmp_path, "c,y\nu,1\n,2\nv,3\nv,4\n", missing="mean")
    assert data.report.imputed["c"].value == "v"
    np.testing.assert_array_equal(data.X[:, 0], [0, 1, 1, 1])


def test_all_rows_dropped_is_an_error(tmp_path):
    with pytest.raises(DataError, match="no rows are left"):
        from_csv(tmp_path, "a,b,y\n,1,1\n2,,2\n", missing="drop")


@pytest.mark.parametrize("missing", ["error", "drop", "mean"])
@pytest.mark.parametrize("text, pattern", [
    ("a,y\n1,\n2,NA\n", r"the target 'y' has no values, only missing cells; check that "
                         r"target= names the right column"),
    ("a,b,c,y\n1,,,1\n2,,NA,2\n", r"columns 'b', 'c' have no values, only missing cells; "
                                  r"leave them out with exclude=\['b', 'c'\]"),
    ("a,y\n,1\n,2\n", r"column 'a' has no values, only missing cells; fill it"),
])
def test_columns_without_values_are_refused_whatever_missing_says(tmp_path, text, pattern,
                                                                   missing):
    with pytest.raises(DataError, match=r"^'.*data\.csv': " + pattern):
        from_csv(tmp_path, text, missing=missing)


# ------------------------------------------------------------- categorical
def test_one_hot_drops_first_level_and_reports(tmp_path):
    rows = "\n".join(f"{i},{lvl},{i}" for i, lvl in enumerate("BCABCAB"))
    data = from_csv(tmp_path, "a,kind,y\n" + rows)
    assert data.feature_names == ["a", "kind=B", "kind=C"]
    np.testing.assert_array_equal(data.X[:, 1], [1, 0, 0, 1, 0, 0, 1])
    np.testing.assert_array_equal(data.X[:, 2], [0, 1, 0, 0, 1, 0, 0])
    enc = data.report.encoded["kind"]
    assert enc.levels == ("A", "B", "C") and enc.dropped_level == "A"
    assert "level 'A' is the baseline" in str(data.report)


def test_categorical_error_and_drop(tmp_path):
    text = "a,kind,y\n1,u,1\n2,v,2\n3,u,3\n"
    with pytest.raises(DataError, match=r"text columns \['kind'\].*categorical='auto'"):
        from_csv(tmp_path, text, categorical="error")
    data = from_csv(tmp_path, text, categorical="drop")
    assert data.feature_names == ["a"] and "kind" in data.report.dropped_columns


def test_identifier_column_is_refused(tmp_path):
    rows = "\n".join(f"id{i},{i},{i}" for i in range(30))
    with pytest.raises(DataError, match=r"'name' is text with 30 distinct values in 30 rows"
                       r".*exclude=\['name'\]"):
        from_csv(tmp_path, "name,a,y\n" + rows)


def test_boolean_column_becomes_zero_one(tmp_path):
    data = from_csv(tmp_path, "f,y\nTrue,1\nfalse,2\nTRUE,3\n")
    np.testing.assert_array_equal(data.X[:, 0], [1, 0, 1])
    assert data.report.booleans == ("f",)


def test_single_level_column_is_left_out_and_reported():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "k": ["u", "u", "u"], "y": [1, 2, 3]})
    out = ingest_frame(df, "y")
    assert out.feature_names == ["a"]
    assert out.report.dropped_columns == {"k": "a single level 'u' carries no information"}
    with pytest.raises(DataError, match=r"no usable feature column is left \('k': a single"):
        ingest_frame(df, "y", features=["k"])


def test_one_hot_names_must_not_collide():
    df = pd.DataFrame({"c": ["x", "z", "x", "z"], "c=z": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1]})
    with pytest.raises(DataError, match=r"after one-hot encoding: duplicate column names: "
                                        r"'c=z' \(columns 1, 2\)"):
        ingest_frame(df, "y")


# ------------------------------------------------------------- choosing columns
@pytest.mark.parametrize("text, target, pattern", [
    ("median_income,median_house_value\n1,2\n", "median_house_valu",
     r"'median_house_valu' not found.*Did you mean 'median_house_value'"),
    ("a;y\n1;2\n", "y", r"the file may use another delimiter; pass sep='auto' to detect it"),
])
def test_target_not_found_suggests_a_fix(tmp_path, text, target, pattern):
    with pytest.raises(DataError, match=pattern):
        from_csv(tmp_path, text, target)


def test_header_that_looks_like_data_is_named_when_the_target_is_missing(tmp_path):
    with pytest.raises(DataError, match=r"target column 'species' not found in '.*data\.csv'\. "
                                        r"Some column names are numbers \('5\.1', '3\.5'\): if "
                                        r"the first line is data, not a header, add a header"):
        from_csv(tmp_path, "5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,2.9,virginica\n", "species")
    years = from_csv(tmp_path, "country,1990,2000\nA,1,2\nB,3,4\n", "2000", categorical="drop")
    assert years.feature_names == ["1990"]


def test_duplicate_names_after_stripping():
    df = pd.DataFrame({"a": [1.0], " a": [2.0], "y": [3.0]})
    with pytest.raises(DataError, match=r"the DataFrame: duplicate column names: 'a' "
                                        r"\(columns 1, 2\)"):
        DataContainer.from_frame(df, "y")


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(missing="zero"), r"missing='zero' is not an option"),
    (dict(categorical="yes"), r"categorical='yes' is not an option"),
    (dict(features=["a", "zz"]), "feature column 'zz' not found"),
    (dict(features=["a", "y"]), "also listed in features="),
])
def test_bad_arguments(tmp_path, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        from_csv(tmp_path, "a,b,y\n1,2,3\n", **kwargs)


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
    with pytest.raises(DataError, match=r"'a' \(1 missing cell, on row v\)"):
        DataContainer.from_frame(df, "y")
    df = pd.DataFrame({"a": ["1", "2", "x?", "4"], "y": [1, 2, 3, 4]})
    with pytest.raises(DataError, match=r"'x\?' \(row 2\)"):
        DataContainer.from_frame(df, "y")
    with pytest.raises(DataError, match=r"'a' holds infinite.*row 1"):
        DataContainer.from_frame(pd.DataFrame({"a": [0, np.inf], "y": [1, 2]}), "y")


def test_frame_rejects_non_frames_and_empty_frames():
    with pytest.raises(DataError, match="expected a pandas DataFrame, got ndarray"):
        DataContainer.from_frame(np.zeros((2, 2)), "y")
    with pytest.raises(DataError, match="has no rows"):
        DataContainer.from_frame(pd.DataFrame({"a": [], "y": []}), "y")


def test_boolean_frame_target_stays_boolean():
    data = DataContainer.from_frame(pd.DataFrame({"a": [1, 2], "t": [True, False]}), "t")
    assert data.y.dtype == bool and data.y.tolist() == [True, False]


def test_no_target_reads_every_column_as_a_feature(tmp_path):
    data = from_csv(tmp_path, "a,c\n1,p\n,q\n3,p\n", None, missing="mean")
    np.testing.assert_array_equal(data.X, [[1, 0], [2, 1], [3, 0]])
    assert data.y is None and data.target_name is None and data.feature_names == ["a", "c=q"]
    assert data.schema.target is None and data.schema.of("a").fill == 2.0


def test_fill_values_recorded_for_columns_without_gaps(tmp_path):
    # new data may have gaps where the training table had none
    data = from_csv(tmp_path, "a,b,y\n1,5,0\n,6,1\n3,10,0\n", missing="median")
    fills = [(f.fill, f.fill_strategy) for f in data.schema.features]
    assert fills == [(2.0, "median"), (6.0, "median")]
    assert list(data.report.imputed) == ["a"]
    assert all(f.fill is None for f in from_csv(tmp_path, "a,y\n1,0\n", "y").schema.features)
