"""A fit that stops short names the cause in the data, not only float64 or max_iter."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from descend import LinearRegression, LogisticClassifier

RNG = np.random.default_rng(0)
X = RNG.normal(size=(200, 3))
Y = X @ [1.0, 2.0, 3.0] + RNG.normal(size=200)


def _warning_of(model, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    found = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(found) == 1, [str(w.message) for w in caught]
    return str(found[0].message)


def test_a_constant_column_without_standardization_is_named():
    Xc = X.copy()
    Xc[:, 2] = 1000.0
    text = _warning_of(LinearRegression(standardize=False, solver="gd"), Xc, Y)
    assert "did not converge in max_iter=1000" in text
    assert "column 2 is constant, duplicating the intercept" in text and "loosen tol" not in text


def test_subnormal_columns_are_named():
    text = _warning_of(LogisticClassifier(), X * 1e-310, (Y > 0).astype(int))
    assert "columns 0, 1, 2 are subnormal (below 2.2e-308)" in text and "loosen tol" not in text


def test_quasi_separation_is_named():
    x = np.concatenate([RNG.uniform(-2, -0.01, 100), np.zeros(20), RNG.uniform(0.01, 2, 100)])
    y = np.concatenate([np.zeros(100), RNG.integers(0, 2, 20), np.ones(100)])
    Xq = np.column_stack([x, RNG.normal(size=220)])
    text = _warning_of(LogisticClassifier(solver="gd"), Xq, y)
    assert "nearly separable (quasi-separation)" in text and "set alpha > 0" in text
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # with a penalty there is an optimum
        assert LogisticClassifier(alpha=1e-3).fit(Xq, y).converged_


@pytest.mark.parametrize("model", [LinearRegression(solver="gd", max_iter=3),
                                   LogisticClassifier(solver="gd", max_iter=3)])
def test_without_a_cause_in_the_data_the_advice_is_about_the_fit(model):
    y = Y if isinstance(model, LinearRegression) else (Y > 0).astype(int)
    text = _warning_of(model, X * [1.0, 30.0, 0.01], y)
    assert "Increase max_iter, use solver='newton', or loosen tol." in text
    assert "cause is in the data" not in text


def test_overlapping_classes_stopped_early_are_not_called_separable():
    # Rows near certain and all correct are not separation: here the classes overlap
    # (y ~ Bernoulli(sigma(x))), a finite optimum exists, and more iterations reach it.
    rng = np.random.default_rng(1)
    x = rng.uniform(-30, 30, 2000)
    y = (rng.uniform(size=2000) < 1 / (1 + np.exp(-x))).astype(int)
    text = _warning_of(LogisticClassifier(max_iter=3), x[:, None], y)
    assert "separable" not in text and "Increase max_iter" in text
    assert LogisticClassifier(max_iter=1000).fit(x[:, None], y).converged_


def test_quasi_separation_of_one_class_from_the_others_is_named():
    """Three classes, the third apart from the two that overlap: the softmax's loss has no
    minimum, and the warning names that class."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([0, 0], 1, size=(40, 2)), rng.normal([0.5, 0], 1, size=(40, 2)),
                   rng.normal([10, 10], 0.3, size=(40, 2))])
    y = np.repeat(["a", "b", "c"], 40)
    with pytest.warns(ConvergenceWarning, match="the class 'c' is, from the others, nearly "
                                                "separable"):
        LogisticClassifier(max_iter=2, solver="gd").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # overlapping classes: no such cause
        LogisticClassifier(alpha=0.1).fit(X[:80], y[:80])


def test_collinear_columns_are_named_by_column_with_k_classes():
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=90), "b": rng.normal(size=90)})
    frame["a_copy"] = frame["a"]
    y = np.repeat([0, 1, 2], 30)
    from descend.diagnosis import CollinearityWarning
    with pytest.warns(CollinearityWarning, match="'a', 'a_copy' are collinear") as caught:
        LogisticClassifier(solver="newton", alpha=0.0, max_iter=50).fit(frame, y)
    assert not any("'b'" in str(w.message) for w in caught)
