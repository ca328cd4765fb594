"""Bad input to the estimators: each gets a clear error that names the problem."""

import numpy as np
import pytest

from descend import LinearRegression, LogisticClassifier

X = np.arange(20.0).reshape(10, 2)
Y_REG = np.arange(10.0)
Y_CLS = np.array([0, 1] * 5)


@pytest.mark.parametrize("Model, y", [(LinearRegression, Y_REG), (LogisticClassifier, Y_CLS)])
@pytest.mark.parametrize(
    "bad, message",
    [
        (np.where(X == 3.0, np.nan, X), "Input X contains NaN"),
        (np.where(X == 3.0, np.inf, X), "Input X contains infinity"),
        (np.empty((0, 2)), "0 sample"),
        (X[:, 0], "Expected 2D array, got 1D array"),
        (X + 1j, "Complex data not supported"),
        (X[:7], "inconsistent numbers of samples"),
    ],
)
def test_bad_X(Model, y, bad, message):
    with pytest.raises(ValueError, match=message):
        Model().fit(bad, y)


@pytest.mark.parametrize("Model, y", [(LinearRegression, Y_REG), (LogisticClassifier, Y_CLS)])
def test_wrong_feature_count_at_predict(Model, y):
    model = Model(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 2 features"):
        model.predict(np.ones((4, 3)))


def test_nan_in_y():
    with pytest.raises(ValueError, match="Input y contains NaN"):
        LinearRegression().fit(X, np.where(Y_REG == 2, np.nan, Y_REG))


def test_one_class():
    with pytest.raises(ValueError, match=r"needs examples of two classes.*only one class \(1\.0\)"):
        LogisticClassifier().fit(X, np.ones(10))


def test_three_classes():
    with pytest.raises(ValueError, match=r"Only binary classification is supported.*3 classes \('a', 'b', 'c'\)"):
        LogisticClassifier().fit(X[:9], list("abcabcabc"))


def test_continuous_target_for_classifier():
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LogisticClassifier().fit(X, Y_REG + 0.5)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"learning_rate": -1.0}, "learning_rate must be 'auto' or a positive number, got -1.0"),
        ({"learning_rate": "fast"}, "learning_rate must be 'auto' or a positive number, got 'fast'"),
        ({"learning_rate": 0.1, "solver": "lbfgs"}, "solver='lbfgs' chooses its own steps"),
        ({"learning_rate": 0.1, "solver": "newton"}, "solver='newton' chooses its own steps"),
        ({"solver": "adam"},
         r"solver must be one of \['gd', 'lbfgs', 'lbfgs-newton', 'nesterov', 'newton', 'auto'\], "
         r"got 'adam'"),
        ({"max_iter": 0}, "max_iter must be a positive integer, got 0"),
        ({"alpha": -0.1}, "alpha must be a finite number >= 0, got -0.1"),
        ({"tol": float("nan")}, "tol must be a finite number >= 0, got nan"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        LinearRegression(**params).fit(X, Y_REG)


@pytest.mark.parametrize("call, message", [
    (lambda: LinearRegression().fit(X, np.array(["yes", "no"] * 5)),
     r"y must hold numbers, but holds text such as 'yes' \(position 0\); for class labels use "
     "LogisticClassifier"),
    (lambda: LogisticClassifier().fit(X, __import__("scipy").sparse.csr_matrix(Y_CLS[:, None])),
     "y is a sparse matrix; pass a dense 1-D array"),
    (lambda: LinearRegression().fit(
        __import__("pandas").DataFrame({"when": __import__("pandas").date_range("2024-01-01", periods=10),
                                        "x": np.arange(10.0)}), Y_REG),
     "X holds dates or times; turn them into numbers"),
    (lambda: __import__("descend").DataContainer([[1.0, 2.0], [3.0]], [1.0, 2.0]),
     "X is ragged: its rows have different lengths"),
])
def test_descends_words_not_numpys(call, message):
    with pytest.raises(ValueError, match=message) as err:
        call()
    assert "inhomogeneous" not in str(err.value) and "DTypePromotion" not in type(err.value).__name__
