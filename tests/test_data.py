"""DataContainer and train_test_split."""

import numpy as np
import pandas as pd
import pytest

from descend.tables.data import DataContainer, train_test_split
from descend.errors import DataError


def numbered(m, y=None):
    """A container whose single feature is the row number, so rows can be traced."""
    return DataContainer(np.arange(m, dtype=float)[:, None], np.arange(m) if y is None else y)


# ------------------------------------------------------------- container
def test_defaults_shape_and_copies():
    X = np.array([[1, 2], [3, 4], [5, 6]])
    y = [0.5, 1.5, 2.5]
    data = DataContainer(X, y)
    assert data.shape == (3, 2) and len(data) == 3
    assert data.feature_names == ["x0", "x1"] and data.target_name == "y"
    assert data.X.dtype == np.float64 and data.y.tolist() == y
    X[0, 0] = 99                                           # the container holds a copy
    assert data.X[0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        data.X[0, 0] = 7.0
    assert data.report.source == "arrays" and not data.report.changed


def test_names_from_pandas():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    data = DataContainer(df, pd.Series([0, 1], name="label"))
    assert data.feature_names == ["a", "b"] and data.target_name == "label"


def test_labels_kept_as_given():
    data = DataContainer([[1.0], [2.0], [3.0]], np.array(["no", "yes", "no"], dtype=object))
    assert data.y.dtype == object and data.y.tolist() == ["no", "yes", "no"]
    assert data.check_classification_target().tolist() == ["no", "yes"]


def test_to_frame_and_repr():
    data = DataContainer([[1.0, 2.0], [3.0, 4.0]], [5.0, 6.0], ["a", "b"], "t")
    frame = data.to_frame()
    assert list(frame.columns) == ["a", "b", "t"]
    np.testing.assert_array_equal(frame.to_numpy(), [[1, 2, 5], [3, 4, 6]])
    frame.iloc[0, 0] = -1.0
    assert data.X[0, 0] == 1.0
    assert repr(data) == "DataContainer(m=2, n=2, target='t', features=['a', 'b'])"
    wide = DataContainer(np.zeros((1, 8)), [0.0])
    assert "features=['x0', 'x1', 'x2', 'x3', ..., 'x7']" in repr(wide)


def test_features_only_container():
    data = DataContainer([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], feature_names=["a", "b"])
    assert data.y is None and data.target_name is None
    assert len(data) == 3 and data.shape == (3, 2)
    assert list(data.to_frame().columns) == ["a", "b"]
    assert repr(data) == "DataContainer(m=3, n=2, target=None, features=['a', 'b'])"
    part = data.take([True, False, True])
    assert part.y is None and part.X[:, 0].tolist() == [1.0, 5.0]
    assert data.schema.target is None and data.schema.names == ["a", "b"]
    with pytest.raises(DataError, match=r"train_test_split needs a target, but these data "
                                        r"have none \(read with target=None"):
        data.train_test_split(seed=0)
    with pytest.raises(DataError, match="a classifier needs a target"):
        data.check_classification_target()


def test_schema_survives_take_and_with_X():
    data = DataContainer.from_frame(pd.DataFrame({"c": ["p", "q", "p"], "y": [1, 2, 3]}), "y")
    assert data.take([0, 1]).schema is data.schema
    assert data.with_X(np.zeros((3, 1))).schema is data.schema


@pytest.mark.parametrize("X, y, kwargs, pattern", [
    ([1.0, 2.0], [1, 2], {}, r"X must be 2-D"),                 # the checks of descend.arrays
    ([[1.0], [2.0]], [1, 2, 3], {}, "X has 2 rows but y has 3 entries"),
    ([[1.0, 2.0]], [1], {"feature_names": ["a"]}, "must be 2 strings"),
    ([[1.0, 2.0]], [1], {"feature_names": ["a", "a"]}, r"unique; repeated: \['a'\]"),
    ([[1.0]], [1], {"feature_names": ["a"], "target_name": "a"}, "not a feature name"),
])
def test_construction_errors(X, y, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        DataContainer(X, y, **kwargs)


def test_classification_target_errors():
    with pytest.raises(DataError, match=r"target 'y' has a single class \(1\) in all 3 rows"):
        DataContainer(np.zeros((3, 1)), [1, 1, 1]).check_classification_target()
    table = pd.DataFrame({"a": [1.0, 2.0], "label": ["cat", "cat"]})
    with pytest.raises(DataError, match=r"target 'label' of the DataFrame has a single class "
                                        r"\('cat'\) in all 2 rows.*Check the target column"):
        DataContainer.from_frame(table, "label").check_classification_target()
    with pytest.raises(DataError, match="has 3 distinct values.*quantities.*linear regression"):
        DataContainer(np.zeros((3, 1)), [0.1, 0.2, 0.3]).check_classification_target()
    three = DataContainer(np.zeros((4, 1)), ["b", "a", "c", "a"]).check_classification_target()
    assert three.tolist() == ["a", "b", "c"]
    classes = DataContainer(np.zeros((3, 1)), [1.0, 0.0, 1.0]).check_classification_target()
    np.testing.assert_array_equal(classes, [0.0, 1.0])


# ------------------------------------------------------------- splitting
@pytest.mark.parametrize("m, frac, n_train", [
    (10, 0.8, 8), (5, 0.5, 3), (7, 0.5, 4), (2, 0.99, 1), (3, 0.1, 1), (100, 0.333, 33),
    (50, 0.29, 15), (50, 0.57, 29), (10, 0.35, 4),     # 14.5, 28.5, 3.5 exactly: half up
])
def test_split_sizes_follow_round_half_up_clamped(m, frac, n_train):
    train, test = numbered(m).train_test_split(frac, seed=0)
    assert (len(train), len(test)) == (n_train, m - n_train)


def test_split_is_disjoint_complete_and_reproducible():
    data = numbered(50)
    train, test = data.train_test_split(0.7, seed=42)
    rows_train, rows_test = train.X[:, 0], test.X[:, 0]
    assert set(rows_train).isdisjoint(rows_test)
    assert sorted([*rows_train, *rows_test]) == list(range(50))
    np.testing.assert_array_equal(train.y, rows_train)     # rows stay whole
    assert np.all(np.diff(rows_train) > 0)                 # original order kept
    again, _ = train_test_split(data, 0.7, seed=42)
    np.testing.assert_array_equal(again.X, train.X)
    other, _ = data.train_test_split(0.7, seed=43)
    assert not np.array_equal(other.X, train.X)


def test_split_leaves_global_random_state_alone():
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    numbered(20).train_test_split(seed=None)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_stratified_split_keeps_class_ratios():
    y = np.array(["a"] * 30 + ["b"] * 70, dtype=object)
    train, test = numbered(100, y).train_test_split(0.8, seed=1, stratify=True)
    assert (train.y == "a").sum() == 24 and (train.y == "b").sum() == 56
    assert (test.y == "a").sum() == 6 and (test.y == "b").sum() == 14
    # per class: round_half_up(0.5 * 3) = 2 of 3, round_half_up(0.5 * 5) = 3 of 5
    train, _ = numbered(8, [0, 0, 0, 1, 1, 1, 1, 1]).train_test_split(0.5, 3, True)
    assert train.y.tolist() == [0, 0, 1, 1, 1]


@pytest.mark.parametrize("kwargs, pattern", [
    ({"frac": 0.0}, "strictly between 0 and 1"),
    ({"frac": 1.0}, "strictly between 0 and 1"),
    ({"frac": True}, "strictly between 0 and 1"),
    ({"frac": "0.5"}, "strictly between 0 and 1"),
    ({"seed": -1}, "seed=-1 is not usable"),
    ({"stratify": True}, r"at least 2 rows per class; 1 of the 2 classes have 1"),
])
def test_split_errors(kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        numbered(5, [0, 0, 0, 0, 1]).train_test_split(**kwargs)


def test_split_needs_two_rows():
    with pytest.raises(DataError, match="need at least 2 rows"):
        numbered(1).train_test_split()
