"""Separation found by linear programs, checked against independent references: a
perceptron or a linear SVM that classifies every row (complete separation), scikit-learn's
penalized path whose weights grow only on the named columns (quasi-complete), and
statsmodels' maximum-likelihood fit that converges (none)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from descend import LogisticClassifier, SeparationWarning
from descend import separation
from descend.separation import Separation, find_separation, overlap_proved

def _complete(seed=0):
    """Column 2 alone separates (a gap between -0.5 and 0.5); the others are noise."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-2, -0.5, 100), rng.uniform(0.5, 2, 100)])
    X = np.column_stack([rng.normal(size=200), rng.normal(size=200), x, rng.normal(size=200)])
    return X, (x > 0).astype(int)


def _quasi(seed=0):
    """Column 1 separates all rows but 20 that tie at 0 and hold both classes."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-2, -0.01, 100), np.zeros(20), rng.uniform(0.01, 2, 100)])
    y = np.concatenate([np.zeros(100), np.tile([0, 1], 10), np.ones(100)]).astype(int)
    return np.column_stack([rng.normal(size=220), x, rng.normal(size=220)]), y


def _perfect(model, X, y):
    """Training accuracy of ``model`` on standardized ``X``."""
    Z = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(Z, y).score(Z, y)


def test_one_separating_column_is_named_and_alone_separates():
    X, y = _complete()
    found = find_separation(X, y)
    assert found == Separation("complete", (2,), 200, None)
    assert _perfect(Perceptron(max_iter=1000, tol=None, random_state=0), X[:, [2]], y) == 1.0
    # without it the classes overlap: statsmodels' maximum likelihood converges to finite weights
    import statsmodels.api as sm
    rest = sm.add_constant(np.delete(X, 2, axis=1))
    fit = sm.Logit(y, rest).fit(disp=0)
    assert fit.mle_retvals["converged"] and np.all(np.abs(fit.params) < 10)
    assert find_separation(np.delete(X, 2, axis=1), y).kind == "none"


def test_ties_at_the_boundary_are_quasi_complete_and_only_that_weight_grows():
    X, y = _quasi()
    found = find_separation(X, y)
    assert found == Separation("quasi-complete", (1,), 200, None)
    # scikit-learn's penalized optimum: as C grows the named weight grows without bound,
    # the others settle
    weak, strong = (LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y).coef_[0]
                    for C in (1e2, 1e6))
    assert abs(strong[1]) > 5 * abs(weak[1]) > 50
    assert np.all(np.abs(strong[[0, 2]]) < 2) and np.all(np.abs(strong[[0, 2]] - weak[[0, 2]]) < 1)


def test_the_full_breast_cancer_data_are_completely_separated():
    X, y = load_breast_cancer(return_X_y=True)
    found = find_separation(X, y)
    assert found.kind == "complete" and found.rows == 569 and found.label is None
    assert 2 <= len(found.columns) <= 30
    # the named columns alone separate: a linear SVM with a hard margin classifies every row
    svm = LinearSVC(C=1e6, tol=1e-8, max_iter=100_000)
    assert _perfect(svm, X[:, list(found.columns)], y) == 1.0
    assert find_separation(X[:, :10], y).kind == "none"      # ten columns overlap


def test_overlapping_data_are_not_separated_and_the_fit_proves_it():
    import statsmodels.api as sm

    data = sm.datasets.spector.load_pandas()
    X, y = data.exog.to_numpy(), data.endog.to_numpy().astype(int)
    fit = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    assert fit.mle_retvals["converged"] and np.all(np.isfinite(fit.bse))
    assert find_separation(X, y) == Separation("none")
    model = LogisticClassifier().fit(X, y)
    assert overlap_proved(X, y, model.coef_[0], model.intercept_).tolist() == [True]


def test_the_proof_spares_the_linear_programs(monkeypatch):
    X, y = load_iris(return_X_y=True)
    X, y = X[y > 0], y[y > 0] - 1                           # versicolor and virginica overlap
    model = LogisticClassifier().fit(X, y)

    def refused(S):
        raise AssertionError("the linear programs ran")
    monkeypatch.setattr(separation, "_separation", refused)
    assert find_separation(X, y, coef=model.coef_[0], intercept=model.intercept_).kind == "none"


@pytest.mark.parametrize("make", [_complete, _quasi])
def test_a_fit_on_separated_data_proves_nothing(make):
    X, y = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticClassifier(max_iter=20).fit(X, y)
    assert overlap_proved(X, y, model.coef_[0], model.intercept_).tolist() == [False]


@pytest.mark.parametrize("seed", range(4))
def test_the_proof_agrees_with_the_programs(seed):
    """Random data from overlapping to separated: where a fit proves overlap, the programs
    find no separation."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 3))
    y = (X @ [3.0, -2.0, 1.0] * 2.0 ** seed + rng.logistic(size=60) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticClassifier().fit(X, y)
    proved = overlap_proved(X, y, model.coef_[0], model.intercept_)[0]
    kind = find_separation(X, y).kind
    assert not (proved and kind != "none")
    assert proved or kind != "none" or model.stop_reason_ != "converged"


def test_one_class_apart_from_the_others_is_named_with_k_classes():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([0, 0], 1, size=(40, 2)), rng.normal([0.5, 0], 1, size=(40, 2)),
                   rng.normal([10, 10], 0.3, size=(40, 2))])
    y = np.repeat([0, 1, 2], 40)
    found = find_separation(X, y, classes=np.array(["a", "b", "c"]))
    assert found.kind == "complete" and found.label == "c" and found.rows == 120
    assert _perfect(Perceptron(max_iter=1000, tol=None, random_state=0),
                    X[:, list(found.columns)], y == 2) == 1.0
    model = LogisticClassifier(alpha=1e-2).fit(X[:80], y[:80])     # a and b overlap
    assert find_separation(X[:80], y[:80]).kind == "none"
    assert overlap_proved(X[:80], y[:80], model.coef_[0], model.intercept_).size == 1


def test_rows_of_weight_zero_are_left_out():
    X, y = _quasi()
    weights = np.where(X[:, 1] == 0, 0.0, 1.0)              # drop the ties: now complete
    assert find_separation(X, y, sample_weight=weights) == Separation("complete", (1,), 200)


def test_the_sentence_names_kind_columns_and_remedies():
    assert Separation("none").sentence() == ""
    text = Separation("quasi-complete", (1,), 200).sentence(["a", "b", "c"])
    assert text.startswith("The classes are quasi-completely separated: a boundary along "
                           "column 'b' puts 200 rows strictly on their class's side")
    assert "set alpha > 0 (an L2 penalty), or drop or merge that column." in text
    text = Separation("complete", (2, 3), 150, "setosa").sentence()
    assert text.startswith("The class 'setosa' is completely separated from the others: a "
                           "boundary along columns 2, 3 puts all 150 rows strictly on their side")
    assert text.endswith("or drop or merge those columns.")


# -- in the fit ---------------------------------------------------------------------------

def _separation_warnings(model, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return [str(w.message) for w in caught if issubclass(w.category, SeparationWarning)]


def test_a_converged_fit_on_quasi_separated_data_warns_once_naming_the_column():
    import pandas as pd

    X, y = _quasi()
    model = LogisticClassifier()
    said = _separation_warnings(model, pd.DataFrame(X, columns=["u", "x", "v"]), y)
    assert model.stop_reason_ == "converged" and len(said) == 1
    assert "quasi-completely separated: a boundary along column 'x' puts 200 rows" in said[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # a penalty: a finite optimum
        LogisticClassifier(alpha=1e-3).fit(X, y)


def test_a_k_class_fit_that_converged_warns_of_the_separated_class():
    X, y = load_iris(return_X_y=True)
    model = LogisticClassifier()
    said = _separation_warnings(model, X, np.array(["setosa", "versicolor", "virginica"])[y])
    assert model.stop_reason_ == "converged" and len(said) == 1
    assert said[0].startswith("LogisticClassifier: the class 'setosa' is completely separated "
                              "from the others: a boundary along column")
    assert "puts all 150 rows strictly on their side" in said[0]


def test_a_fit_stopped_as_separable_warns_once_with_the_columns():
    X, y = _complete()
    said = _separation_warnings(LogisticClassifier(), X, y)
    assert len(said) == 1 and "perfectly separable" in said[0]
    assert "a boundary along column 2 puts all 200 rows" in said[0]


def test_overlapping_classes_fit_without_a_word():
    X, y = load_breast_cancer(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert LogisticClassifier().fit(X[:, :10], y).converged_


def test_a_rare_dummy_that_separates_is_found_whatever_the_second_program_does():
    """A 0/1 column set on five rows of class 0 only: 20 draws (HiGHS left its second
    program unsolved on one of them, which once read as 'none')."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(5000, 4))
        y = (X @ rng.normal(size=4) + rng.logistic(size=5000) > 0).astype(int)
        dummy = np.zeros(5000)
        dummy[np.flatnonzero(y == 0)[:5]] = 1.0
        found = find_separation(np.column_stack([X, dummy]), y)
        assert found.kind == "quasi-complete" and 4 in found.columns, (seed, found)


def test_saturated_weights_prove_no_overlap_of_separated_classes():
    """Scores of 40 and more round each row's probability of the wrong class to 0 while
    its curvature keeps its digits: such weights must not pass for the proof."""
    from descend.separation import overlap_proved

    rng = np.random.default_rng(0)
    x = np.r_[rng.uniform(-3, -2, 100), rng.uniform(2, 3, 100)]
    X = np.column_stack([x, rng.normal(size=200)])
    y = np.r_[np.zeros(100), np.ones(100)].astype(int)
    for coef, intercept in [([30.0, 0.0], -20.0), ([40.0, 0.0], -40.0)]:
        assert not overlap_proved(X, y, np.array(coef), intercept).any()
        assert find_separation(X, y, coef=np.array(coef), intercept=intercept).kind == "complete"


def test_a_fit_too_large_for_the_programs_says_its_classes_may_be_separated():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10_000, 20))
    y = (X[:, :19] @ rng.normal(size=19) + rng.logistic(size=10_000) > 0).astype(int)
    X[:, 19] = 0.0
    X[np.flatnonzero(y == 0)[:30], 19] = 1.0                 # 210,000 cells: past the programs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LogisticClassifier().fit(X, y)
    said = [str(w.message) for w in caught if issubclass(w.category, SeparationWarning)]
    assert len(said) == 1 and "the classes may be separated" in said[0]


def test_three_classes_in_sectors_are_found_though_no_class_alone_separates():
    """Each class holds a 120-degree sector: no line splits one class from the rest, but the
    softmax with weights at 0, 120 and 240 degrees classifies every row, so the
    multinomial loss has no minimum; with six tied rows at the origin, quasi-completely."""
    rng = np.random.default_rng(0)
    angle = rng.uniform(0, 2 * np.pi, 300)
    X = np.column_stack([np.cos(angle), np.sin(angle)]) * rng.uniform(0.5, 2, 300)[:, None]
    y = (((angle + np.pi / 3) % (2 * np.pi)) // (2 * np.pi / 3)).astype(int)
    keep = np.abs(((angle + np.pi / 3) % (2 * np.pi / 3)) - np.pi / 3) < np.pi / 3 - 0.05
    X, y = X[keep], y[keep]
    W = np.array([[np.cos(t), np.sin(t)] for t in (0, 2 * np.pi / 3, 4 * np.pi / 3)])
    assert np.all(np.argmax(X @ W.T, axis=1) == y)             # the softmax separates them
    for k in range(3):                                          # and no class alone does
        assert find_separation(X, (y == k).astype(int)).kind == "none"
    assert find_separation(X, y, classes=np.arange(3)).kind == "complete"
    Xq = np.vstack([X, np.zeros((6, 2))])
    yq = np.r_[y, np.arange(6) % 3]
    found = find_separation(Xq, yq, classes=np.arange(3))
    assert found.kind == "quasi-complete" and found.columns == (0, 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LogisticClassifier().fit(Xq, yq)
    assert any("quasi-completely separated" in str(w.message) for w in caught
               if issubclass(w.category, SeparationWarning))


def test_a_column_that_repeats_the_separating_one_is_named_beside_it():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-2, -0.01, 100), np.zeros(20), rng.uniform(0.01, 2, 100)])
    X = np.column_stack([rng.normal(size=220), x, 2 * x + 1])
    y = np.concatenate([np.zeros(100), rng.integers(0, 2, 20), np.ones(100)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LogisticClassifier().fit(X, y)
    said = " ".join(str(w.message) for w in caught if issubclass(w.category, SeparationWarning))
    assert "along column 1 " in said and "and column 2, which nearly repeats it" in said
