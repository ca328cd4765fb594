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
    assert ("The cause is in the data: the classes are quasi-completely separated: a boundary "
            "along column 0 puts 200 rows strictly on their class's side") in text
    assert "set alpha > 0 (an L2 penalty), or drop or merge that column." in text
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
    with pytest.warns(ConvergenceWarning, match="the class 'c' is completely separated from "
                                                "the others: a boundary along column"):
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


# -- problems found in the data -------------------------------------------------------------

def _fertility(first, last):
    """statsmodels' fertility rates, one column a year, the countries with every year
    from ``first`` to ``last`` and 2011 known."""
    import statsmodels.api as sm

    data = sm.datasets.fertility.load_pandas().data
    years = [str(year) for year in range(first, last + 1)]
    rows = data[years + ["2011"]].dropna()
    return rows[years], rows["2011"].to_numpy()


def _reference_sets(X):
    """The collinear sets by an SVD of the standardized columns: each right singular vector
    with sigma_max / sigma_k >= 30 ties the columns more than half of whose weight's
    variance it carries (Belsley's variance-decomposition proportions, V_jk^2 / sigma_k^2
    over the sum on k), its two largest entries at least; sets sharing a column merge."""
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    _, sigma, Vt = np.linalg.svd(Z, full_matrices=False)
    parts = Vt.T ** 2 / sigma ** 2                                  # (columns, k)
    shares = parts / parts.sum(axis=1, keepdims=True)
    sets = []
    for k in np.flatnonzero(sigma[0] / sigma >= 30):
        members = np.flatnonzero(shares[:, k] > 0.5)
        if members.size < 2:
            members = np.argsort(-Vt[k] ** 2)[:2]
        members = set(members.tolist())
        for other in [s for s in sets if s & members]:
            sets.remove(other)
            members |= other
        sets.append(members)
    return sorted(sorted(s) for s in sets), sigma[0] / sigma[-1]


def test_the_collinear_fertility_years_are_named_in_the_warning():
    X, y = _fertility(1960, 1963)
    text = _warning_of(LinearRegression(solver="gd"), X, y)
    sets, condition = _reference_sets(X.to_numpy())
    assert sets == [[0, 1, 2, 3]] and 100 < condition < 1000
    assert (f"The cause is in the data: columns '1960', '1961', '1962', '1963' are nearly "
            f"collinear (condition number {condition:.0f} on standardized columns)") in text
    assert "drop or combine some of them, or set alpha > 0" in text


def test_data_problems_name_the_collinear_sets_an_svd_finds():
    from descend.diagnosis import collinear_sets, data_problems

    X, _ = _fertility(1960, 1990)
    sets, condition = _reference_sets(X.to_numpy())
    found = collinear_sets(X.to_numpy())
    assert sorted(sorted(columns) for columns, _ in found) == sets
    assert found[0][1] == pytest.approx(condition, rel=1e-6)
    problems = data_problems(X.to_numpy(), names=list(X.columns))
    first = ", ".join(repr(str(1960 + j)) for j in found[0][0][:3])
    assert len(problems) == len(sets) and problems[0].startswith(f"columns {first}, ")
    assert f"condition number {condition:.0f}" in problems[0]


def test_weights_decide_which_columns_are_collinear():
    from descend.diagnosis import data_problems

    rng = np.random.default_rng(2)
    a, other = rng.normal(size=100), rng.normal(size=100)
    weights = np.r_[np.ones(50), np.zeros(50)]
    b = np.where(weights > 0, 2 * a + 1e-4 * rng.normal(size=100), rng.normal(size=100))
    X = np.column_stack([a, other, b])
    assert data_problems(X) == []
    (text,) = data_problems(X, sample_weight=weights, names=["a", "other", "b"])
    assert text.startswith("columns 'a', 'b' are nearly collinear (condition number")


def test_data_problems_name_scales_and_constant_columns_with_their_remedies():
    from descend.diagnosis import data_problems

    rng = np.random.default_rng(3)
    Z = rng.normal(size=(80, 3))
    X = (Z - Z.mean(axis=0)) / Z.std(axis=0) * [1e-4, 1.0, 1e4]    # deviations 1e-4, 1, 1e4
    assert data_problems(X) == []                       # standardized: scales do not matter
    assert data_problems(X, standardize=False) == [
        "the columns are scaled 1e8 apart: column 0 varies by 0.0001 (standard deviation) and "
        "column 2 by 10000, which makes the loss a narrow valley; let descend rescale the data "
        "(standardize=True)"]
    X[:, 1] = 7.0
    assert data_problems(X, names=["s", "c", "l"]) == [
        "column 'c' is constant: it carries nothing the intercept does not and its weight "
        "stays 0; leave it out"]
    assert data_problems(X, standardize=False)[0].startswith(
        "column 1 is constant, duplicating the intercept")


def test_a_column_that_sums_others_is_named_with_all_of_them():
    from descend.diagnosis import collinear_sets

    rng = np.random.default_rng(0)
    for n in (4, 10):
        X = rng.normal(size=(500, n))
        X = np.column_stack([X, X.sum(axis=1) + 1e-6 * rng.normal(size=500)])
        (columns, _), = collinear_sets(X)
        assert columns == tuple(range(n + 1))
