"""scikit-learn's own estimator checks, run on both estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from descend import LinearRegression, LogisticClassifier


@parametrize_with_checks([LinearRegression(), LogisticClassifier()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
