"""Standardizer: train statistics only, scikit-learn as the reference, bad input."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

from descend.tables.data import DataContainer
from descend.errors import DataError
from descend.tables.standardize import Standardizer


def test_standardizer_matches_sklearn_and_uses_train_statistics():
    rng = np.random.default_rng(0)
    X_train, X_test = rng.normal(3, 2, (40, 3)), rng.normal(3, 2, (10, 3))
    train_copy, test_copy = X_train.copy(), X_test.copy()
    ours = Standardizer().fit(X_train)
    ref = StandardScaler().fit(X_train)
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X_test), ref.transform(X_test), rtol=1e-10)
    by_hand = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(ours.transform(X_test), by_hand, rtol=1e-10)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X_test)), X_test)
    np.testing.assert_array_equal(X_train, train_copy)     # nothing in place
    np.testing.assert_array_equal(X_test, test_copy)


def test_constant_columns_get_scale_one():
    X = np.column_stack([np.full(5, 0.1), np.arange(5.0), np.zeros(5)])
    s = Standardizer()
    Z = s.fit_transform(X)
    np.testing.assert_array_equal(s.scale_[[0, 2]], [1.0, 1.0])
    np.testing.assert_array_equal(Z[:, 0], np.zeros(5))
    np.testing.assert_allclose(Z[:, 1], (np.arange(5) - 2) / np.sqrt(2))


def test_huge_values_do_not_overflow():
    Z = Standardizer().fit_transform(np.array([[1e300], [-1e300], [3e300]]))
    ref = np.array([[1.0], [-1.0], [3.0]])
    np.testing.assert_allclose(Z, (ref - ref.mean()) / ref.std())
    with pytest.raises(DataError, match="span more than the float range"):
        Standardizer().fit(np.array([[1.7e308], [-1.7e308], [1.7e308]]))


def test_standardizer_on_containers():
    data = DataContainer([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]], ["a", "b", "a"], ["p", "q"])
    s = Standardizer().fit(data)
    out = s.transform(data)
    assert isinstance(out, DataContainer) and out is not data
    assert out.feature_names == ["p", "q"] and out.y.tolist() == ["a", "b", "a"]
    np.testing.assert_allclose(out.X, StandardScaler().fit_transform(data.X))
    np.testing.assert_array_equal(data.X, [[1, 10], [3, 30], [5, 20]])
    np.testing.assert_allclose(s.inverse_transform(out).X, data.X)


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_unfitted_standardizer_raises_sklearn_not_fitted_error(method):
    with pytest.raises(NotFittedError, match=r"not fitted yet: call fit\(X_train\) first"):
        getattr(Standardizer(), method)(np.zeros((2, 2)))
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_data_module_re_exports_the_standardizer():
    import descend.tables.data

    assert descend.tables.data.Standardizer is Standardizer
    with pytest.raises(AttributeError, match="has no attribute 'Standardiser'"):
        descend.tables.data.Standardiser  # noqa: B018


def test_standardizer_errors():
    s = Standardizer().fit(np.zeros((2, 2)))
    with pytest.raises(DataError, match="X has 3 columns but the Standardizer was fitted on 2"):
        s.transform(np.zeros((2, 3)))
    s = Standardizer().fit(DataContainer(np.zeros((2, 1)), [0, 1], ["a"]))
    with pytest.raises(DataError, match="feature names differ"):
        s.transform(DataContainer(np.zeros((2, 1)), [0, 1], ["b"]))
    with pytest.raises(DataError, match="missing or infinite"):
        s.transform(np.array([[np.nan]]))
