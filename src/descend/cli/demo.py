"""``descend demo``: the material's two motivating examples, end to end.

Housing prices with :class:`~descend.LinearRegression`, breast cancer with
:class:`~descend.LogisticClassifier`: load, clean, split, fit, evaluate on
the held-out part, and draw the loss curves and a fit figure for each.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ..errors import SeparationWarning
from ..metrics import classification_metrics, describe_fit, format_table, regression_metrics
from ..models import LinearRegression, LogisticClassifier
from ..outputs import check, write_figure
from ..teach import datasets

__all__ = ["run_demo"]


def _save(fig, out, name, force):
    return write_figure(fig, check(Path(out) / name, force=force))


def _describe_data(echo, data, train, test):
    echo(f"  data: {len(data)} rows, {data.shape[1]} features, target {data.target_name!r}")
    report = str(data.report).strip()
    if report:
        echo("  cleaning: " + report.replace("\n", "\n            "))
    echo(f"  split: {len(train)} rows to train on, {len(test)} held out to test (seed 0)")


def housing(out, *, force=False, echo=print):
    """Linear regression on the bundled California housing data."""
    from ..teach import plots

    echo("Housing prices -> LinearRegression")
    data = datasets.load_housing()
    train, test = data.train_test_split(0.8, seed=0)
    _describe_data(echo, data, train, test)
    model = LinearRegression(random_state=0).fit(train.X, train.y)
    echo("  fit: " + describe_fit(model))
    pred = model.predict(test.X)
    echo(format_table(regression_metrics(test.y, pred), "  held-out metrics:"))
    paths = [
        _save(plots.loss_curve(model, title=f"California housing: LinearRegression, loss per "
                                            f"iteration ({model.solver_})"),
              out, "housing_loss.png", force),
        _save(plots.predicted_vs_actual(test.y, pred, title=f"California housing: LinearRegression, "
                                                            f"{len(test)} held-out rows"),
              out, "housing_fit.png", force),
    ]
    return model, paths


def breast_cancer(out, *, force=False, echo=print):
    """Logistic regression on scikit-learn's breast-cancer data."""
    from ..teach import plots

    echo("Breast cancer -> LogisticClassifier")
    data = datasets.load_breast_cancer()
    train, test = data.train_test_split(0.8, seed=0, stratify=True)
    _describe_data(echo, data, train, test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeparationWarning)
        probe = LogisticClassifier(random_state=0).fit(train.X, train.y)
    if probe.stop_reason_ == "separable":
        echo(f"  note: these {data.shape[1]} features separate the classes perfectly (an "
             f"unpenalized fit classified every training row correctly after {probe.n_iter_} "
             f"iterations), so the unpenalized optimum does not exist; fitting with an L2 "
             f"penalty alpha={datasets.CANCER_ALPHA:g}.")
    model = LogisticClassifier(alpha=datasets.CANCER_ALPHA, random_state=0).fit(train.X, train.y)
    echo("  fit: " + describe_fit(model))
    proba = model.predict_proba(test.X)[:, 1]
    echo(format_table(classification_metrics(test.y, proba, model.classes_), "  held-out metrics:"))
    paths = [
        _save(plots.loss_curve(model, title=f"Breast cancer: LogisticClassifier, loss per "
                                            f"iteration ({model.solver_})"),
              out, "cancer_loss.png", force),
        _save(plots.probability_histogram(test.y, proba, model.classes_,
                                          title=f"Breast cancer: LogisticClassifier, {len(test)} "
                                                "held-out rows"),
              out, "cancer_fit.png", force),
    ]
    return model, paths


def run_demo(out="descend-output", *, force=False, echo=print):
    """Run both examples; figures go to ``out``. Returns the figure paths."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"--out {out} is a file; give the name of a folder for the figures.")
    for name in ("housing_loss.png", "housing_fit.png", "cancer_loss.png", "cancer_fit.png"):
        check(out / name, force=force, make_folder=True)        # refuse before any work
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for example in (housing, breast_cancer):
        _, written = example(out, force=force, echo=echo)
        paths += written
        echo("")
    echo("figures:")
    for path in paths:
        echo(f"  {path}")
    return paths
