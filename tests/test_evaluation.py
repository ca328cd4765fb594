"""Evaluation: every metric, baseline and curve against scikit-learn's functions (weighted
and unweighted, two classes and three), the undefined metrics named instead of a silent 0
or NaN, the ROC and calibration figures' data, and the command line that prints and
draws them."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk
from sklearn.calibration import calibration_curve
from sklearn.dummy import DummyClassifier, DummyRegressor

from descend import DataError, plots
from descend.cli.main import main
from descend.curves import area_under, calibration_bins, roc_curve
from descend.metrics import (Undefined, UndefinedMetricWarning, classification_baseline,
                             classification_metrics, confusion_matrix, metrics_text,
                             regression_baseline, regression_metrics)

RTOL = 1e-12
THREE = ["ant", "bee", "cat"]


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _binary(m=300, seed=0):
    """Labels 'no'/'yes', the probability of 'yes' (rounded to 2 decimals: ties), weights."""
    rng = np.random.default_rng(seed)
    yes = rng.uniform(size=m) < 0.35
    p = np.clip(np.round(1 / (1 + np.exp(-(1.2 * yes - 0.6 + rng.normal(size=m)))), 2), 0, 1)
    return np.where(yes, "yes", "no"), p, rng.integers(1, 5, m).astype(float)


def _three(m=300, seed=1):
    rng = np.random.default_rng(seed)
    codes = rng.choice(3, m, p=[0.5, 0.3, 0.2])
    P = _softmax(rng.normal(size=(m, 3)) + 1.5 * np.eye(3)[codes])
    return np.array(THREE)[codes], P, rng.uniform(0.2, 3.0, m)


# -- metrics against scikit-learn ------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_two_class_metrics_are_scikit_learns(weighted):
    y, p, w = _binary()
    sw = w if weighted else None
    got = classification_metrics(y, p, ["no", "yes"], sample_weight=sw)
    positive, said = y == "yes", p > 0.5
    expected = {
        "accuracy": sk.accuracy_score(positive, said, sample_weight=sw),
        "precision": sk.precision_score(positive, said, sample_weight=sw),
        "recall": sk.recall_score(positive, said, sample_weight=sw),
        "F1": sk.f1_score(positive, said, sample_weight=sw),
        "ROC AUC": sk.roc_auc_score(positive, p, sample_weight=sw),
        "log-loss": sk.log_loss(positive, p, sample_weight=sw),
        "Brier": sk.brier_score_loss(positive, p, sample_weight=sw),
    }
    assert list(got) == list(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=RTOL), name
    # The same from the (m, 2) probabilities predict_proba gives.
    again = classification_metrics(y, np.column_stack([1 - p, p]), ["no", "yes"], sw)
    assert again == pytest.approx(got, rel=RTOL)


@pytest.mark.parametrize("weighted", [False, True])
def test_three_class_metrics_are_scikit_learns(weighted):
    y, P, w = _three()
    sw = w if weighted else None
    got = classification_metrics(y, P, THREE, sample_weight=sw)
    said = np.array(THREE)[P.argmax(axis=1)]
    # The multi-class Brier score: the sum over the classes of each class's binary one.
    brier = sum(sk.brier_score_loss(y == c, P[:, k], sample_weight=sw)
                for k, c in enumerate(THREE))
    expected = {
        "accuracy": sk.accuracy_score(y, said, sample_weight=sw),
        "macro-F1": sk.f1_score(y, said, average="macro", sample_weight=sw),
        "ROC AUC": sk.roc_auc_score(y, P, multi_class="ovr", average="macro", labels=THREE,
                                    sample_weight=sw),
        "log-loss": sk.log_loss(y, P, labels=THREE, sample_weight=sw),
        "Brier": brier,
    }
    assert list(got) == list(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=RTOL), name
    assert 0 < got["Brier"] < 2


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", [_binary, _three])
def test_the_confusion_matrix_is_scikit_learns(case, weighted):
    y, proba, w = case()
    classes = ["no", "yes"] if case is _binary else THREE
    sw = w if weighted else None
    P = proba if proba.ndim == 2 else np.column_stack([1 - proba, proba])
    said = np.array(classes)[P.argmax(axis=1)]
    np.testing.assert_allclose(confusion_matrix(y, proba, classes, sw),
                               sk.confusion_matrix(y, said, labels=classes, sample_weight=sw),
                               rtol=RTOL)


@pytest.mark.parametrize("weighted", [False, True])
def test_each_class_in_the_text_is_scikit_learns(weighted):
    y, P, w = _three()
    sw = w if weighted else None
    text = metrics_text(y, P, THREE, sw)
    said = np.array(THREE)[P.argmax(axis=1)]
    precision, recall, f1, _ = sk.precision_recall_fscore_support(y, said, labels=THREE,
                                                                  sample_weight=sw)
    auc = sk.roc_auc_score(y, P, multi_class="ovr", average=None, labels=THREE,
                           sample_weight=sw)
    support = [np.sum(w[y == c]) if weighted else np.sum(y == c) for c in THREE]
    lines = text.splitlines()
    top = lines.index("per class:")
    assert lines[top + 1].split() == ["precision", "recall", "F1", "ROC", "AUC", "support"]
    shown = np.array([line.split()[1:] for line in lines[top + 2:top + 5]], dtype=float)
    np.testing.assert_allclose(shown, np.column_stack([precision, recall, f1, auc, support]),
                               rtol=5e-6)                             # printed to 6 digits


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_are_scikit_learns(weighted):
    rng = np.random.default_rng(2)
    y = rng.normal(10, 3, 200)
    y_pred = y + rng.normal(0, 1, 200)
    sw = rng.uniform(0.5, 2, 200) if weighted else None
    got = regression_metrics(y, y_pred, sw)
    assert got["R2"] == pytest.approx(sk.r2_score(y, y_pred, sample_weight=sw), rel=RTOL)
    assert got["RMSE"] == pytest.approx(
        np.sqrt(sk.mean_squared_error(y, y_pred, sample_weight=sw)), rel=RTOL)
    assert got["MAE"] == pytest.approx(sk.mean_absolute_error(y, y_pred, sample_weight=sw),
                                       rel=RTOL)


# -- the baselines ---------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", [_binary, _three])
def test_the_class_baseline_is_scikit_learns_prior_dummy(case, weighted):
    y, _, w = case()
    classes = ["no", "yes"] if case is _binary else THREE
    sw = w if weighted else None
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((y.size, 1)), y, sample_weight=sw)
    proba, said = dummy.predict_proba(np.zeros((y.size, 1))), dummy.predict(np.zeros((y.size, 1)))
    brier = sum(sk.brier_score_loss(y == c, proba[:, k], sample_weight=sw)
                for k, c in enumerate(dummy.classes_)) / (2 if len(classes) == 2 else 1)
    got = classification_baseline(y, classes, sw)
    assert got == pytest.approx({
        "accuracy": sk.accuracy_score(y, said, sample_weight=sw), "ROC AUC": 0.5,
        "log-loss": sk.log_loss(y, proba, labels=classes, sample_weight=sw), "Brier": brier,
    }, rel=RTOL)
    assert said[0] == classes[0]                               # the majority class of these


@pytest.mark.parametrize("weighted", [False, True])
def test_the_regression_baseline_is_the_mean_predictor(weighted):
    rng = np.random.default_rng(3)
    y = rng.exponential(5, 100)
    sw = rng.uniform(0.5, 2, 100) if weighted else None
    mean = DummyRegressor().fit(np.zeros((100, 1)), y, sample_weight=sw).predict(np.zeros((100, 1)))
    got = regression_baseline(y, sw)
    assert got["R2"] == 0.0
    assert got["RMSE"] == pytest.approx(np.sqrt(sk.mean_squared_error(y, mean, sample_weight=sw)),
                                        rel=RTOL)
    assert got["MAE"] == pytest.approx(sk.mean_absolute_error(y, mean, sample_weight=sw),
                                       rel=RTOL)


def test_the_text_puts_the_baseline_beside_the_model():
    y, p, _ = _binary()
    lines = metrics_text(y, p, ["no", "yes"], title="metrics:").splitlines()
    assert lines[0] == "metrics:" and lines[1].split() == ["model", "baseline"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:9]}
    baseline = classification_baseline(y, ["no", "yes"])
    for name in ("accuracy", "ROC", "log-loss", "Brier"):
        key = "ROC AUC" if name == "ROC" else name
        assert float(rows[name][-1]) == pytest.approx(baseline[key], rel=5e-6)
    assert rows["precision"] == [f"{classification_metrics(y, p, ['no', 'yes'])['precision']:.6g}"]
    assert "baseline: every row predicted 'no', the majority" in " ".join(lines)
    top = lines.index("confusion matrix (rows: true class, columns: predicted class):")
    matrix = np.array([line.split()[1:] for line in lines[top + 2:top + 4]], dtype=int)
    np.testing.assert_array_equal(matrix, sk.confusion_matrix(y, np.where(p > 0.5, "yes", "no"),
                                                              labels=["no", "yes"]))
    regression = metrics_text([1.0, 2.0, 4.0], [1.5, 2.0, 3.0]).splitlines()
    assert regression[2].split() == ["R2", f"{sk.r2_score([1, 2, 4], [1.5, 2, 3]):.6g}", "0"]
    assert "every row predicted the mean of these rows' target, 2.33333" in regression[-1]


# -- undefined metrics -----------------------------------------------------------------------
def test_precision_with_nothing_predicted_positive_is_undefined_not_zero():
    y = np.array(["no"] * 6 + ["yes"] * 4)
    p = np.full(10, 0.3)                                       # nothing predicted 'yes'
    with pytest.warns(UndefinedMetricWarning, match="no row is predicted 'yes'"):
        got = classification_metrics(y, p, ["no", "yes"])
    assert isinstance(got["precision"], Undefined) and np.isnan(got["precision"])
    assert f"{got['precision']:.6g}" == "n/a" and "no row is predicted 'yes'" in got["precision"].reason
    assert np.isnan(sk.precision_score(y == "yes", p > 0.5, zero_division=np.nan))
    assert got["recall"] == 0.0 and got["F1"] == 0.0          # defined: 4 'yes' rows, none found
    text = metrics_text(y, p, ["no", "yes"])
    assert re.search(r"\n  precision\s+n/a\n", text)
    assert "precision is undefined: no row is predicted 'yes'" in text.replace("\n    ", " ")


def test_roc_auc_of_rows_of_one_class_is_undefined():
    y = np.array(["yes"] * 5)
    with pytest.warns(UndefinedMetricWarning, match="every row is of class 'yes'"):
        got = classification_metrics(y, np.linspace(0.2, 0.9, 5), ["no", "yes"])
    assert isinstance(got["ROC AUC"], Undefined)
    with warnings.catch_warnings():           # scikit-learn has no value either: it raised
        warnings.simplefilter("ignore")       # before 1.8, and now warns and gives NaN
        try:
            reference = sk.roc_auc_score(y == "yes", np.linspace(0.2, 0.9, 5))
        except ValueError:
            reference = np.nan
    assert np.isnan(reference)
    with pytest.warns(UndefinedMetricWarning, match="ROC AUC is undefined"):
        baseline = classification_baseline(y, ["no", "yes"])
    assert isinstance(baseline["ROC AUC"], Undefined) and baseline["accuracy"] == 1.0
    assert re.search(r"\n  log-loss\s+\S+\s+0\n", metrics_text(y, np.linspace(0.2, 0.9, 5),
                                                             ["no", "yes"]))    # 0, not -0


def test_a_class_without_rows_leaves_the_macro_metrics_undefined():
    y = np.array(["ant"] * 4 + ["bee"] * 3)                    # no 'cat' row, none predicted
    P = _softmax(np.array([[2.0, 0.0, -1.0]] * 4 + [[0.0, 2.0, -1.0]] * 3))
    with pytest.warns(UndefinedMetricWarning) as caught:
        got = classification_metrics(y, P, THREE)
    reasons = " ".join(str(c.message) for c in caught)
    assert isinstance(got["macro-F1"], Undefined) and isinstance(got["ROC AUC"], Undefined)
    assert ("macro-F1 is undefined: it is the mean over the classes, and that of 'cat' is "
            "undefined (no row is of class 'cat' and none is predicted 'cat')") in reasons
    assert "ROC AUC (one-vs-rest) is undefined" in reasons
    assert got["accuracy"] == 1.0
    text = metrics_text(y, P, THREE).replace("\n    ", " ")
    assert "macro-F1 is undefined" in text and "recall of 'cat' is undefined" in text
    assert re.search(r"\n  cat\s+n/a\s+n/a\s+n/a\s+n/a\s+0\n", text)


@pytest.mark.parametrize("y, why", [([3.0], "one row only"),
                                    ([2.0, 2.0, 2.0], "every row's target is 2")])
def test_r2_of_one_row_or_a_constant_target_is_undefined(y, why):
    with pytest.warns(UndefinedMetricWarning, match=why):
        got = regression_metrics(y, np.array(y) + 1.0)
    assert isinstance(got["R2"], Undefined) and got["RMSE"] == 1.0 and got["MAE"] == 1.0
    text = metrics_text(y, np.array(y) + 1.0)
    assert re.search(r"\n  R2\s+n/a\s+n/a\n", text) and why in text


def test_no_warning_when_every_metric_is_defined():
    y, p, w = _binary()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classification_metrics(y, p, ["no", "yes"], w)
        regression_metrics([1.0, 2.0, 3.0], [1.0, 2.5, 2.5])


# -- the curves ------------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_the_roc_curve_is_scikit_learns(weighted):
    y, p, w = _binary()
    sw = w if weighted else None
    fpr, tpr, thresholds = roc_curve(y == "yes", p, sw)
    ref = sk.roc_curve(y == "yes", p, sample_weight=sw, drop_intermediate=False)
    for got, expected in zip((fpr, tpr, thresholds), ref):
        np.testing.assert_allclose(got, expected, rtol=RTOL)
    assert area_under(fpr, tpr) == pytest.approx(sk.roc_auc_score(y == "yes", p, sample_weight=sw),
                                                 rel=RTOL)


def test_a_row_of_weight_zero_is_left_out_of_the_curve():
    y, p, w = _binary()
    w[:10] = 0.0
    for got, expected in zip(roc_curve(y == "yes", p, w),
                             sk.roc_curve(y[10:] == "yes", p[10:], sample_weight=w[10:],
                                          drop_intermediate=False)):
        np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("n_bins", [5, 10])
def test_the_calibration_bins_are_scikit_learns(n_bins):
    rng = np.random.default_rng(4)
    p = rng.uniform(size=400) ** 2                            # more rows near 0: uneven bins
    positive = rng.uniform(size=400) < p
    edges, predicted, observed, weight = calibration_bins(positive, p, n_bins)
    prob_true, prob_pred = calibration_curve(positive, p, n_bins=n_bins)
    full = weight > 0
    np.testing.assert_allclose(predicted[full], prob_pred, rtol=RTOL)
    np.testing.assert_allclose(observed[full], prob_true, rtol=RTOL)
    np.testing.assert_array_equal(weight, np.histogram(p, bins=edges)[0])
    # Whole weights count a row so many times: scikit-learn on the rows repeated.
    w = rng.integers(1, 4, 400)
    _, predicted, observed, weight = calibration_bins(positive, p, n_bins, w)
    prob_true, prob_pred = calibration_curve(np.repeat(positive, w), np.repeat(p, w),
                                             n_bins=n_bins)
    full = weight > 0
    np.testing.assert_allclose(predicted[full], prob_pred, rtol=RTOL)
    np.testing.assert_allclose(observed[full], prob_true, rtol=RTOL)


# -- the figures -----------------------------------------------------------------------------
def _png(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _curves(ax):
    return [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 2]


@pytest.mark.parametrize("weighted", [False, True])
def test_the_roc_figure_draws_scikit_learns_curve_and_area(weighted, tmp_path):
    y, p, w = _binary()
    sw = w if weighted else None
    fig = plots.roc(y, p, ["no", "yes"], sample_weight=sw, title="two classes")
    ax = fig.axes[0]
    (curve,) = _curves(ax)
    fpr, tpr, _ = sk.roc_curve(y == "yes", p, sample_weight=sw, drop_intermediate=False)
    np.testing.assert_allclose(curve.get_xdata(), fpr, rtol=RTOL)
    np.testing.assert_allclose(curve.get_ydata(), tpr, rtol=RTOL)
    auc = sk.roc_auc_score(y == "yes", p, sample_weight=sw)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"'yes' against 'no': AUC {auc:.3f}" in labels and "chance (AUC 0.5)" in labels
    (chance,) = [ln for ln in ax.get_lines() if ln.get_label() == "chance (AUC 0.5)"]
    np.testing.assert_array_equal(chance.get_xydata(), [[0, 0], [1, 1]])
    (dot,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("the predictions")]
    said = p > 0.5
    m = sk.confusion_matrix(y == "yes", said, sample_weight=sw)
    np.testing.assert_allclose(dot.get_xydata(), [[m[0, 1] / m[0].sum(), m[1, 1] / m[1].sum()]])
    _png(fig, tmp_path, "roc2")


def test_the_roc_figure_of_three_classes_draws_each_against_the_rest(tmp_path):
    y, P, w = _three()
    fig = plots.roc(y, P, THREE, sample_weight=w)
    ax = fig.axes[0]
    curves = _curves(ax)
    assert len(curves) == 3
    for k, (c, curve) in enumerate(zip(THREE, curves)):
        fpr, tpr, _ = sk.roc_curve(y == c, P[:, k], sample_weight=w, drop_intermediate=False)
        np.testing.assert_allclose(curve.get_xydata(), np.column_stack([fpr, tpr]), rtol=RTOL)
        auc = sk.roc_auc_score(y == c, P[:, k], sample_weight=w)
        assert curve.get_label() == f"'{c}' against the rest: AUC {auc:.3f}"
    macro = sk.roc_auc_score(y, P, multi_class="ovr", labels=THREE, sample_weight=w)
    assert ax.get_legend().get_title().get_text() == f"mean AUC {macro:.3f}"
    _png(fig, tmp_path, "roc3")


def test_the_calibration_figure_draws_scikit_learns_bins_and_counts(tmp_path):
    y, p, _ = _binary()
    rng = np.random.default_rng(5)
    p = np.clip(p + rng.uniform(-0.004, 0.004, p.size), 0, 1)   # off the bins' edges
    fig = plots.calibration(y, p, ["no", "yes"], n_bins=8)
    top, bottom = fig.axes
    (curve,) = [ln for ln in top.get_lines() if ln.get_label() == "'yes'"]
    prob_true, prob_pred = calibration_curve(y == "yes", p, n_bins=8)
    np.testing.assert_allclose(curve.get_xydata(), np.column_stack([prob_pred, prob_true]),
                               rtol=RTOL)
    (diagonal,) = [ln for ln in top.get_lines() if ln.get_label() == "perfectly calibrated"]
    np.testing.assert_array_equal(diagonal.get_xydata(), [[0, 0], [1, 1]])
    heights = [bar.get_height() for bar in bottom.patches]
    np.testing.assert_array_equal(heights, np.histogram(p, bins=np.linspace(0, 1, 9))[0])
    assert bottom.get_ylabel() == "rows"
    _png(fig, tmp_path, "calibration2")


def test_the_calibration_figure_of_three_classes_draws_one_curve_per_class(tmp_path):
    y, P, _ = _three()
    w = np.random.default_rng(7).integers(1, 4, y.size)         # whole weights: rows repeated
    fig = plots.calibration(y, P, THREE, sample_weight=w)
    top, bottom = fig.axes
    steps = bottom.patches
    assert len(steps) == 3 and bottom.get_ylabel() == "weight"  # one outline per class
    for k, (c, step) in enumerate(zip(THREE, steps)):
        (curve,) = [ln for ln in top.get_lines() if ln.get_label() == f"'{c}'"]
        prob_true, prob_pred = calibration_curve(np.repeat(y == c, w), np.repeat(P[:, k], w),
                                                 n_bins=10)
        np.testing.assert_allclose(curve.get_xydata(), np.column_stack([prob_pred, prob_true]),
                                   rtol=RTOL)
        values, edges, _ = step.get_data()
        np.testing.assert_allclose(values, np.histogram(P[:, k], bins=edges, weights=w)[0])
    _png(fig, tmp_path, "calibration3")


def test_a_figure_into_a_given_ax_draws_there():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    y, p, _ = _binary()
    assert plots.calibration(y, p, ["no", "yes"], ax=ax) is ax.figure and len(ax.figure.axes) == 1
    assert plots.roc(y, p, ["no", "yes"], ax=ax) is ax.figure


# -- bad input -------------------------------------------------------------------------------
def test_bad_input_is_named():
    y, p, w = _binary(20)
    with pytest.raises(ValueError, match=r"proba must have shape \(20, 2\)"):
        classification_metrics(y, p[:10], ["no", "yes"])
    with pytest.raises(ValueError, match=r"proba must have shape \(20, 3\)"):
        classification_metrics(y, np.column_stack([1 - p, p]), ["no", "yes", "maybe"])
    with pytest.raises(DataError, match="'perhaps' are not among the model's classes"):
        classification_metrics(np.append(y[:-1], "perhaps"), p, ["no", "yes"])
    with pytest.raises(DataError, match="must be >= 0"):
        classification_metrics(y, p, ["no", "yes"], -w)
    with pytest.raises(DataError, match=r"1 row\(s\) of proba hold a missing or infinite "
                       r"probability \(first at row 19\)"):
        classification_metrics(y, np.r_[p[:-1], np.nan], ["no", "yes"])
    with pytest.raises(DataError, match="no rows to score"):
        regression_metrics([], [])
    with pytest.raises(ValueError, match="y_true has 3 rows and y_pred 2"):
        regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(DataError, match="one class only"):
        roc_curve(np.ones(4, bool), np.linspace(0, 1, 4))
    with pytest.raises(DataError, match=r"the rows hold one class only \('yes'\)"):
        plots.roc(np.array(["yes"] * 4), np.linspace(0, 1, 4), ["no", "yes"])
    with pytest.raises(ValueError, match="n_bins must be a whole number of at least 1"):
        calibration_bins(y == "yes", p, n_bins=0)
    with pytest.raises(DataError, match=r"must lie in \[0, 1\]"):
        calibration_bins(y == "yes", p + 1.0)


# -- the command line ------------------------------------------------------------------------
def _cli(capsys, *args):
    try:
        code = main([str(a) for a in args])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A two-class CSV file with weights, a classifier and a regression saved from it."""
    folder = tmp_path_factory.mktemp("evaluation")
    rng = np.random.default_rng(6)
    m = 120
    x1, x2 = rng.normal(size=m), rng.normal(size=m)
    buys = np.where(x1 + 0.5 * x2 + rng.logistic(size=m) > 0.3, "yes", "no")
    data = folder / "shop.csv"
    pd.DataFrame({"x1": x1.round(4), "x2": x2.round(4), "w": rng.integers(1, 4, m),
                  "buys": buys}).to_csv(data, index=False)
    classifier, regression = folder / "buys.json", folder / "x2.json"
    assert main(["train", str(data), "--target", "buys", "--exclude", "w", "--out",
                 str(classifier), "--quiet", "--test-frac", "0"]) == 0
    assert main(["train", str(data), "--target", "x2", "--exclude", "w,buys", "--out",
                 str(regression), "--quiet", "--test-frac", "0"]) == 0
    return folder, data, classifier, regression


def test_evaluate_prints_the_baseline_and_two_classes_confusion_matrix(files, capsys):
    from descend.persist import load

    folder, data, classifier, _ = files
    code, out, err = _cli(capsys, "evaluate", classifier, data, "--sample-weight", "w")
    assert code == 0, err
    frame = pd.read_csv(data)
    model = load(classifier)
    p = model.predict_proba(frame[["x1", "x2"]])[:, 1]
    w = frame["w"].to_numpy(float)
    y = frame["buys"].to_numpy() == "yes"
    lines = out.splitlines()
    top = lines.index("metrics (rows weighted by 'w'):")
    assert lines[top + 1].split() == ["model", "baseline"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[top + 2:top + 9]}
    assert float(rows["F1"][0]) == pytest.approx(sk.f1_score(y, p > 0.5, sample_weight=w),
                                                 rel=5e-6)
    assert float(rows["ROC"][1]) == pytest.approx(sk.roc_auc_score(y, p, sample_weight=w),
                                                  rel=5e-6)
    assert float(rows["Brier"][0]) == pytest.approx(sk.brier_score_loss(y, p, sample_weight=w),
                                                    rel=5e-6)
    share = y.mean()                  # the training rows' share: unweighted, all the rows
    assert float(rows["log-loss"][1]) == pytest.approx(
        sk.log_loss(y, np.full(y.size, share), sample_weight=w), rel=5e-6)
    top = lines.index("confusion matrix (rows: true class, columns: predicted class):")
    matrix = np.array([line.split()[1:] for line in lines[top + 2:top + 4]], dtype=int)
    np.testing.assert_array_equal(matrix, sk.confusion_matrix(y, p > 0.5, sample_weight=w))


def test_evaluate_of_a_regression_prints_the_mean_predictor(files, capsys):
    folder, data, _, regression = files
    code, out, err = _cli(capsys, "evaluate", regression, data)
    assert code == 0, err
    x2 = pd.read_csv(data)["x2"].to_numpy()
    lines = out.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines if line[:6].strip() in
            ("R2", "RMSE", "MAE")}
    assert rows["R2"][1] == "0"
    assert float(rows["RMSE"][1]) == pytest.approx(x2.std(), rel=5e-6)
    assert float(rows["MAE"][1]) == pytest.approx(np.mean(np.abs(x2 - x2.mean())), rel=5e-6)
    assert f"the mean of the training rows' target, {x2.mean():.6g}" in out


def test_plot_roc_and_calibration_of_a_model_file(files, capsys):
    folder, data, classifier, regression = files
    for figure in ("roc", "calibration"):
        out = folder / f"{figure}.png"
        code, text, err = _cli(capsys, "plot", figure, "--model", classifier, "--data", data,
                               "--out", out)
        assert code == 0, err
        assert text == f"{figure}: {out}\n" and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = _cli(capsys, "plot", "roc", "--model", regression, "--data", data,
                        "--out", folder / "no.png")
    assert code == 1 and f"--model {regression} is a LinearRegression" in err
    assert "use plot fit for a regression" in err and not (folder / "no.png").exists()


def test_plot_roc_without_a_model_file_draws_the_bundled_classifier(tmp_path, capsys):
    out = tmp_path / "roc.png"
    code, _, err = _cli(capsys, "plot", "roc", "--out", out)
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args, words", [
    (("roc", "--model", "linear"), "--model linear: roc draws a classifier's probabilities"),
    (("calibration", "--data", "housing"), "--data housing: calibration draws a classifier's"),
    (("roc", "--model", "m.json"), "plot roc --model m.json needs the CSV file to score"),
])
def test_plot_roc_and_calibration_usage_errors(args, words, capsys, tmp_path):
    code, _, err = _cli(capsys, "plot", *args, "--out", tmp_path / "x.png")
    assert code == 2 and words in err and "usage: descend plot" in err


def test_the_baseline_of_evaluate_is_learned_from_the_training_rows(tmp_path, capsys):
    """A baseline that takes its mean or shares from the rows it scores sees the answers:
    on a file of one class it scores perfectly. It is the training rows'."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    train = pd.DataFrame({"x": x, "y": 2 * x + 5 + rng.normal(size=200),
                          "c": np.where(x + rng.logistic(size=200) > 0, "a", "b")})
    later = train.iloc[:50].assign(y=lambda f: f["y"] + 10, c="a")    # shifted, one class
    train_csv, later_csv = tmp_path / "train.csv", tmp_path / "later.csv"
    train.to_csv(train_csv, index=False)
    later.to_csv(later_csv, index=False)
    linear, logistic = tmp_path / "y.json", tmp_path / "c.json"
    for target, out, drop in (("y", linear, "c"), ("c", logistic, "y")):
        assert main(["train", str(train_csv), "--target", target, "--exclude", drop,
                     "--test-frac", "0", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    code, out, err = _cli(capsys, "evaluate", linear, later_csv)
    assert code == 0, err
    assert f"the mean of the training rows' target, {train['y'].mean():.6g}" in out
    rmse = [line.split() for line in out.splitlines() if line.split()[:1] == ["RMSE"]][0]
    assert float(rmse[2]) == pytest.approx(
        np.sqrt(np.mean((later["y"] - train["y"].mean()) ** 2)), rel=5e-6)
    code, out, err = _cli(capsys, "evaluate", logistic, later_csv)
    assert code == 0, err
    share = (train["c"] == "a").mean()
    loss = [line.split() for line in out.splitlines() if line.split()[:1] == ["log-loss"]][0]
    assert float(loss[2]) == pytest.approx(-np.log(share), rel=5e-6)   # not 0: it never saw
