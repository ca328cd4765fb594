"""The schema of the training features, applied unchanged to new tables."""

import json

import numpy as np
import pandas as pd
import pytest

from descend.tables.data import DataContainer
from descend.errors import DataError
from descend.tables.schema import Feature, Schema, apply_schema

# line 4 has no target (dropped); over the kept lines 2, 3, 5-8 the median of
# rooms is median(3, 4, 2, 6) = 3.5, of garden median(1, 0, 0, 1, 1) = 1.0
TRAIN = """rooms,city,garden,price
3,Lyon,true,100
,Paris,false,150
5,Rome,true,
4,Paris,,120
2,Lyon,false,90
,Rome,true,200
6,Paris,true,170
"""
NAMES = ["rooms", "city=Paris", "city=Rome", "garden"]


def write(tmp_path, text, name="new.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def trained(tmp_path):
    return DataContainer.from_csv(write(tmp_path, TRAIN, "train.csv"), "price",
                                  missing="median")


def apply(tmp_path, trained, text, **kwargs):
    return DataContainer.from_csv(write(tmp_path, text), schema=trained.schema, **kwargs)


# ------------------------------------------------------------- the recorded schema
def test_training_records_every_feature_with_its_fill(trained):
    np.testing.assert_array_equal(trained.X, [[3, 0, 0, 1], [3.5, 1, 0, 0], [4, 1, 0, 1],
                                              [2, 0, 0, 0], [3.5, 0, 1, 1], [6, 1, 0, 1]])
    schema = trained.schema
    assert schema.names == NAMES and schema.target == "price"
    assert schema.baselines == {"city": "Lyon"}
    assert schema.features == (
        Feature("rooms", "rooms", "number", None, 3.5, "median"),
        Feature("city=Paris", "city", "indicator", "Paris", "Paris", "most frequent level"),
        Feature("city=Rome", "city", "indicator", "Rome", "Paris", "most frequent level"),
        Feature("garden", "garden", "boolean", None, 1.0, "median"))
    assert schema.levels("city") == ["Lyon", "Paris", "Rome"]


def test_schema_round_trips_through_json(tmp_path, trained):
    doc = json.loads(json.dumps(trained.schema.to_dict()))
    assert doc["features"][1] == {"name": "city=Paris", "source": "city", "kind": "indicator",
                                  "level": "Paris", "fill": "Paris",
                                  "fill_strategy": "most frequent level"}
    assert Schema.from_dict(doc) == trained.schema
    again = DataContainer.from_csv(tmp_path / "train.csv", "price", schema=doc, missing="drop")
    np.testing.assert_array_equal(again.X, trained.X)        # training data rebuilt exactly
    np.testing.assert_array_equal(again.y, trained.y)
    assert again.report.dropped_missing_target == (4,)


def test_arrays_get_plain_number_columns():
    data = DataContainer([[1.0, 2.0]], [3.0], ["a", "b"], "t")
    assert data.schema.to_dict() == {
        "target": "t", "baselines": {},
        "features": [{"name": h, "source": h, "kind": "number", "level": None, "fill": None,
                      "fill_strategy": None} for h in ("a", "b")]}
    new = DataContainer.from_frame(pd.DataFrame({"b": [5.0], "t": [0.0], "a": [4.0]}), "t",
                                   schema=data.schema)
    np.testing.assert_array_equal(new.X, [[4.0, 5.0]])
    assert new.y.tolist() == [0.0] and new.schema is data.schema


# ------------------------------------------------------------- applying it
def test_new_csv_gets_exactly_the_training_columns(tmp_path, trained):
    # one level of city only, columns reordered, an extra column, no target, gaps
    new = apply(tmp_path, trained, "garden,note,city,rooms\n"
                                   "false,first,Rome,1.5\n"
                                   "true,,Rome,\n"
                                   ",x,Rome,7\n")
    expected = np.array([[1.5, 0.0, 1.0, 0.0],
                         [3.5, 0.0, 1.0, 1.0],       # rooms: the training median 3.5
                         [7.0, 0.0, 1.0, 1.0]])      # garden: the training median 1.0
    np.testing.assert_array_equal(new.X, expected)
    assert new.feature_names == NAMES and new.y is None and new.target_name is None
    report = new.report
    assert {h: (i.strategy, i.value, i.count) for h, i in report.imputed.items()} == {
        "rooms": ("training median", 3.5, 1), "garden": ("training median", 1.0, 1)}
    assert report.dropped_columns == {"note": "not used by the model's features"}
    assert ("imputed 2 missing cells in 2 columns with each column's training median: "
            "'rooms' 3.5 (1), 'garden' 1.0 (1)") in str(report)
    derived = DataContainer.from_csv(tmp_path / "new.csv", features=["rooms", "city", "garden"],
                                     missing="median")
    assert derived.feature_names == ["rooms", "garden"]   # what re-deriving would give


def test_frame_dtypes_and_the_target(trained):
    df = pd.DataFrame({"price": [1.0, 2.0], "rooms": [np.nan, 2.0],
                       "city": pd.Categorical(["Lyon", "Paris"]), "garden": [True, False]})
    new = DataContainer.from_frame(df, "price", schema=trained.schema.to_dict())
    np.testing.assert_array_equal(new.X, [[3.5, 0, 0, 1], [2, 1, 0, 0]])
    assert new.y.tolist() == [1.0, 2.0] and new.target_name == "price"
    assert new.report.imputed["rooms"].count == 1 and new.report.source == "the DataFrame"


def test_target_column_is_ignored_without_target(tmp_path, trained):
    new = apply(tmp_path, trained, "rooms,city,garden,price\n1,Lyon,true,\n")
    assert new.y is None
    assert new.report.dropped_columns == {"price": "the training target, not needed for "
                                                   "predictions"}


def test_drop_leaves_out_rows_without_target_or_fill(tmp_path):
    trained = DataContainer.from_csv(write(tmp_path, TRAIN, "train.csv"), "price",
                                     missing="drop")
    assert trained.schema.of("rooms").fill is None
    assert trained.schema.names == ["rooms", "city=Paris", "garden"]   # Rome rows dropped
    new = apply(tmp_path, trained, "rooms,city,garden,price\n1,Lyon,true,\n2,Paris,false,5\n"
                                   ",Paris,true,6\n", target="price", missing="drop")
    np.testing.assert_array_equal(new.X, [[2, 1, 0]])
    assert new.y.tolist() == [5.0]
    assert new.report.dropped_missing_target == (2,)
    assert new.report.dropped_missing_features == (4,)


# ------------------------------------------------------------- errors
def test_missing_columns_are_listed_with_close_names(tmp_path, trained):
    with pytest.raises(DataError, match=r"new.csv' lacks columns 'city', 'garden', which the "
                                        r"features were built from in training. Close names "
                                        r"present: 'City' \(for 'city'\); rename it"):
        apply(tmp_path, trained, "rooms,City,other\n1,Lyon,2\n")


def test_unseen_levels_name_column_value_lines_and_known_levels(tmp_path, trained):
    text = "rooms,city,garden\n1,Milan,true\n2,Rom,true\n3,Milan,false\n4,Lyon,true\n"
    with pytest.raises(DataError, match=r"new.csv': values never seen in training: column "
                                        r"'city' has 'Milan' \(lines 2, 4\), 'Rom' \(line 3; "
                                        r"did you mean 'Rome'\?\), and its known levels are "
                                        r"'Lyon', 'Paris', 'Rome'. .*correct those cells"):
        apply(tmp_path, trained, text)


def test_gaps_without_a_training_fill_are_refused(tmp_path):
    trained = DataContainer.from_csv(write(tmp_path, TRAIN, "train.csv"), "price",
                                     missing="drop")
    with pytest.raises(DataError, match=r"new.csv' has missing cells in column 'rooms' \(1 "
                                        r"missing cell, on line 3\), and the training data had "
                                        r"no fill value for it.*Fill those cells"):
        apply(tmp_path, trained, "rooms,city,garden\n1,Lyon,true\n,Paris,false\n")


@pytest.mark.parametrize("text, pattern", [
    ("rooms,city,garden\nthree,Lyon,true\nfour,Lyon,true\n1,Lyon,true\n",
     r"'rooms' held numbers in training but holds text here \(e.g. 'three' \(line 2\), "
     r"'four' \(line 3\)\)"),
    ("rooms,city,garden\nthree,Lyon,true\n1,Lyon,true\n",       # the cell rules of training
     r"'rooms' is mostly numbers but 1 cell cannot be read as numbers: 'three' \(line 2\)"),
    ("rooms,city,garden\n1,Lyon,yes\n1,Lyon,true\n",
     r"'garden' held true/false in training but holds text here \(e.g. 'yes' \(line 2\)\)"),
    ("rooms,city,garden\n1,Lyon,2\n",
     r"'garden' held true/false in training but holds numbers here \(e.g. '2' \(line 2\)\)"),
    ("rooms,city,garden\ninf,Lyon,true\n", r"'rooms' holds infinite.*line 2"),
])
def test_cells_must_read_as_in_training(tmp_path, trained, text, pattern):
    with pytest.raises(DataError, match=pattern):
        apply(tmp_path, trained, text)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"target": "rooms"}, r"target='rooms', but the features were built to predict 'price'"),
    ({"target": "price"}, r"target column 'price' not found in '.*new.csv'"),
    ({"missing": "median"}, r"missing='median' cannot be combined with a schema"),
    ({"features": ["rooms"]}, r"features=, exclude= and categorical= cannot be combined with schema="),
])
def test_option_errors(tmp_path, trained, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        apply(tmp_path, trained, "rooms,city,garden\n1,Lyon,true\n", **kwargs)


def test_missing_target_is_refused_by_default(tmp_path, trained):
    with pytest.raises(DataError, match=r"target 'price' has 1 missing cell, on line 3; rows "
                                        r"without a target cannot be scored.*missing='drop'"):
        apply(tmp_path, trained, "rooms,city,garden,price\n1,Lyon,true,5\n2,Lyon,true,\n",
              target="price")


def bad_doc(change):
    doc = {"target": "y", "baselines": {"c": "a"},
           "features": [{"name": "n", "source": "n"},
                        {"name": "c=b", "source": "c", "kind": "indicator", "level": "b"}]}
    change(doc)
    return doc


@pytest.mark.parametrize("doc, pattern", [
    ([1, 2], "expected a dict with a list 'features', got list"),
    (bad_doc(lambda d: d["features"].append({"name": "x"})), "'name' and 'source' at least"),
    (bad_doc(lambda d: d["features"][0].update(kind="text")), "is inconsistent"),
    (bad_doc(lambda d: d["features"][0].update(fill="a", fill_strategy="median")),
     "is inconsistent"),
    (bad_doc(lambda d: d["features"][0].update(fill=float("nan"), fill_strategy="mean")),
     "is inconsistent"),
    (bad_doc(lambda d: d["features"].append({"name": "m", "source": "n"})),
     "disagree on kind or fill, or repeat a number column"),
    (bad_doc(lambda d: d["features"].append({"name": "n", "source": "n2"})),
     "feature names repeat"),
    (bad_doc(lambda d: d.update(baselines={})), r"one level for each of \['c'\]"),
])
def test_invalid_schema_documents(doc, pattern):
    assert Schema.from_dict(bad_doc(lambda d: None)).names == ["n", "c=b"]
    with pytest.raises(DataError, match="the schema is not valid: .*" + pattern):
        apply_schema(pd.DataFrame({"n": [1.0], "c": ["a"]}), doc)
