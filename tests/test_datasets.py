"""The bundled data sets and the toy generators."""

import gzip
import hashlib
import io
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from descend import datasets
from descend.tables.data import DataContainer
from descend.errors import DataError

HOUSING_MD5 = "d1c47305887e2252bf1ccbd74ff159a6"


@pytest.fixture(scope="module")
def housing_raw():
    """The bundled CSV read independently, with pandas' own parser."""
    ref = resources.files("descend").joinpath("bundled", datasets.HOUSING_FILE)
    raw = gzip.decompress(ref.read_bytes())
    return raw, pd.read_csv(io.BytesIO(raw))


@pytest.fixture(scope="module")
def housing():
    return datasets.load_housing()


# ------------------------------------------------------------- housing
def test_bundled_housing_file_is_the_documented_one(housing_raw):
    raw, _ = housing_raw
    assert len(raw) == 1_423_529 and hashlib.md5(raw, usedforsecurity=False).hexdigest() == HOUSING_MD5


def test_load_housing_shape_names_and_values(housing, housing_raw):
    _, ref = housing_raw
    assert housing.shape == (20640, 12) and housing.target_name == "median_house_value"
    onehot = ["ocean_proximity=INLAND", "ocean_proximity=ISLAND",
              "ocean_proximity=NEAR BAY", "ocean_proximity=NEAR OCEAN"]
    assert housing.feature_names[-4:] == onehot
    np.testing.assert_array_equal(housing.y, ref["median_house_value"])
    np.testing.assert_array_equal(housing.X[:, 7], ref["median_income"])
    for name in onehot:
        level = name.split("=", 1)[1]
        j = housing.feature_names.index(name)
        np.testing.assert_array_equal(housing.X[:, j], ref["ocean_proximity"] == level)


def test_load_housing_report_shows_imputation_and_encoding(housing, housing_raw):
    _, ref = housing_raw
    median = ref["total_bedrooms"].median()
    imp = housing.report.imputed["total_bedrooms"]
    assert (imp.count, imp.strategy, imp.value) == (207, "median", median)
    j = housing.feature_names.index("total_bedrooms")
    np.testing.assert_array_equal(housing.X[:, j], ref["total_bedrooms"].fillna(median))
    assert housing.report.encoded["ocean_proximity"].dropped_level == "<1H OCEAN"
    text = str(housing.report)
    assert "imputed 207 missing cells of 'total_bedrooms' with the median 435.0" in text
    assert "'ocean_proximity=INLAND'" in text and "level '<1H OCEAN' is the baseline" in text


def test_load_housing_schema_rebuilds_new_rows(housing, housing_raw):
    _, ref = housing_raw
    schema = housing.schema
    assert schema.names == housing.feature_names and len(schema.features) == 12
    assert schema.target == "median_house_value"
    assert schema.baselines == {"ocean_proximity": "<1H OCEAN"}
    bedrooms = schema.of("total_bedrooms")
    assert (bedrooms.kind, bedrooms.fill, bedrooms.fill_strategy) == \
        ("number", ref["total_bedrooms"].median(), "median")
    # rows 0 and 1 as new data: columns shuffled, no target, a gap, one level only
    rows = ref.iloc[:2].drop(columns="median_house_value").iloc[:, ::-1].copy()
    rows.loc[1, "total_bedrooms"] = np.nan
    new = DataContainer.from_frame(rows, schema=schema.to_dict())
    expected = housing.X[:2].copy()
    expected[1, housing.feature_names.index("total_bedrooms")] = bedrooms.fill
    np.testing.assert_array_equal(new.X, expected)
    assert new.y is None and new.report.imputed["total_bedrooms"].count == 1


def test_load_housing_other_missing_choices():
    dropped = datasets.load_housing(missing="drop")
    assert dropped.shape == (20433, 12) and len(dropped.report.dropped_missing_features) == 207
    with pytest.raises(DataError, match=r"'total_bedrooms' \(207 missing cells"):
        datasets.load_housing(missing="error")


# ------------------------------------------------------------- breast cancer
def test_load_breast_cancer_recodes_malignant_as_one():
    from sklearn.datasets import load_breast_cancer

    ref = load_breast_cancer()
    data = datasets.load_breast_cancer()
    assert data.shape == (569, 30) and data.target_name == "malignant"
    assert data.feature_names[0] == "mean_radius" and len(set(data.feature_names)) == 30
    np.testing.assert_array_equal(data.X, ref.data)
    np.testing.assert_array_equal(data.y, 1 - ref.target)
    assert data.y.sum() == 212
    np.testing.assert_array_equal(data.check_classification_target(), [0, 1])


# ------------------------------------------------------------- generators
GENERATORS = [datasets.make_blobs, datasets.make_moons, datasets.make_circles,
              datasets.make_xor]


@pytest.mark.parametrize("make", GENERATORS)
def test_classification_generators_shape_balance_and_seed(make):
    data = make(n=101, seed=5)
    assert isinstance(data, DataContainer) and data.shape == (101, 2)
    assert set(data.y.tolist()) == {0, 1} and abs(2 * data.y.sum() - 101) <= 3
    np.testing.assert_array_equal(make(n=101, seed=5).X, data.X)
    assert not np.array_equal(make(n=101, seed=6).X, data.X)


def test_blobs_separable_exactly_beyond_five():
    data = datasets.make_blobs(n=500, separation=5.01, seed=0)
    side = data.X.sum(axis=1)                        # the line x0 + x1 = 0 splits them
    assert np.all((side > 0) == (data.y == 1))
    overlap = datasets.make_blobs(n=500, separation=1.0, seed=0)
    wrong = np.mean((overlap.X.sum(axis=1) > 0) != (overlap.y == 1))
    assert 0.2 < wrong < 0.4                         # Φ(-0.5) ≈ 0.31 for untruncated blobs
    centres = [overlap.X[overlap.y == k].mean(axis=0) for k in (0, 1)]
    np.testing.assert_allclose(np.linalg.norm(centres[1] - centres[0]), 1.0, atol=0.2)


def test_noise_free_shapes_follow_their_equations():
    moons = datasets.make_moons(n=200, noise=0.0, seed=1)
    upper, lower = moons.X[moons.y == 0], moons.X[moons.y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    circles = datasets.make_circles(n=200, noise=0.0, factor=0.3, seed=1)
    np.testing.assert_allclose(np.hypot(*circles.X.T), np.where(circles.y == 1, 0.3, 1.0))
    xor = datasets.make_xor(n=40, noise=0.0, seed=1)
    np.testing.assert_array_equal(np.abs(xor.X), 1.0)
    np.testing.assert_array_equal(xor.y, (xor.X[:, 0] * xor.X[:, 1] < 0).astype(int))


@pytest.mark.parametrize("make, low, high", [
    (datasets.make_moons, 0.8, 0.95),
    (datasets.make_circles, 0.0, 0.65),
    (datasets.make_xor, 0.0, 0.65),
])
def test_what_a_linear_model_can_fit(make, low, high):
    data = make(n=400, seed=0)
    accuracy = LogisticRegression(C=1e6, max_iter=5000).fit(data.X, data.y).score(data.X, data.y)
    assert low < accuracy < high


def test_regression_generators_recover_w_and_b():
    line = datasets.make_regression_line(n=50, w=3.0, b=-2.0, noise=0.0, seed=0)
    assert line.shape == (50, 1)
    np.testing.assert_allclose(line.y, 3.0 * line.X[:, 0] - 2.0)
    plane = datasets.make_regression_plane(n=2000, w=(2.0, -1.0), b=1.0, noise=1.0, seed=0)
    A = np.column_stack([plane.X, np.ones(len(plane))])
    coef = np.linalg.lstsq(A, plane.y, rcond=None)[0]
    np.testing.assert_allclose(coef, [2.0, -1.0, 1.0], atol=0.1)
    residual = plane.y - A @ coef
    assert residual.std() == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("call, pattern", [
    (lambda: datasets.make_blobs(n=1), "n=1 must be an integer of at least 2"),
    (lambda: datasets.make_xor(n=3), "at least 4"),
    (lambda: datasets.make_moons(n=2.5), "must be an integer"),
    (lambda: datasets.make_moons(noise=-1), "noise=-1 must be a finite number >= 0"),
    (lambda: datasets.make_blobs(separation=float("nan")), "separation=nan"),
    (lambda: datasets.make_circles(factor=1.5), "factor=1.5 must be between 0 and 1"),
    (lambda: datasets.make_regression_plane(w=(1.0,)), "w must hold 2 weights"),
    (lambda: datasets.make_regression_line(b=np.inf), "must be finite"),
])
def test_generator_argument_errors(call, pattern):
    with pytest.raises(DataError, match=pattern):
        call()
