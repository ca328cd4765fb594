"""Bad input to the estimators: each gets a clear error that names the problem."""

import warnings

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


@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("value, message", [(np.nan, "Input X contains NaN"),
                                            (np.inf, "Input X contains infinity"),
                                            (-np.inf, "Input X contains infinity")])
@pytest.mark.parametrize("where", [(0, 0), (4999, 7), (2500, 3)])
def test_one_bad_cell_anywhere_in_a_large_X_is_refused(Model, dtype, value, message, where):
    # X's finiteness is checked on the way by the moments pass, over blocks and threads:
    # a single cell in the first row, the last row or the middle must still be found.
    rng = np.random.default_rng(0)
    big = rng.standard_normal((5000, 8)).astype(dtype)
    big[where] = value
    y = (rng.random(5000) < 0.5).astype(float)
    with pytest.raises(ValueError, match=message):
        Model().fit(big, y)


@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
def test_finite_values_whose_sums_overflow_are_not_refused(Model):
    # Column sums beyond float64 make the moments infinite; the cells are finite.
    big = np.array([[1.0e308, 1], [1.7e308, 2], [1.5e308, 0.5], [1.2e308, 3], [1.1e308, 2]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # these data are separable
        model = Model(max_iter=5).fit(big, np.array([0.0, 1, 1, 0, 0]))
    assert np.all(np.isfinite(model.coef_))


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


def test_three_text_classes_fit_the_softmax_model():
    model = LogisticClassifier(alpha=0.1).fit(X[:9], list("abcabcabc"))
    assert model.classes_.tolist() == ["a", "b", "c"] and model.coef_.shape == (3, X.shape[1])
    assert set(model.predict(X[:9])) <= {"a", "b", "c"}


def test_bad_sample_weights_are_named():
    for weights, message in [(-np.ones(len(Y_REG)), "sample_weight must be >= 0"),
                             (np.full(len(Y_REG), np.nan), "missing or infinite"),
                             (np.zeros(len(Y_REG)), "every sample_weight is zero"),
                             (np.ones(3), r"sample_weight must have shape \(%d,\)" % len(Y_REG)),
                             (["a"] * len(Y_REG), "sample_weight must hold numbers")]:
        with pytest.raises(ValueError, match=message):
            LinearRegression().fit(X, Y_REG, sample_weight=weights)


def test_bad_class_weight_and_l1_ratio_are_named():
    y = np.arange(len(X)) % 2
    with pytest.raises(ValueError, match="class_weight names the class 7"):
        LogisticClassifier(class_weight={7: 2.0}).fit(X, y)
    with pytest.raises(ValueError, match="class_weight must be None, 'balanced' or a dict"):
        LogisticClassifier(class_weight="even").fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio must be a number from 0"):
        LinearRegression(l1_ratio=1.5).fit(X, Y_REG)
    with pytest.raises(ValueError, match="solver='lbfgs' needs a smooth loss"):
        LinearRegression(alpha=0.1, l1_ratio=0.5, solver="lbfgs").fit(X, Y_REG)


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
         r"solver must be one of \['gd', 'lbfgs', 'lbfgs-newton', 'nesterov', 'newton', 'sgd', 'auto'\], "
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
