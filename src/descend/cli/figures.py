"""``descend plot``: the material's figures on the bundled and toy data, and the user's
own work: the loss curve a model file recorded, and a saved model's fit on a CSV file
(predicted against actual values, or the predicted probabilities of each class), and a
classifier's ROC curve and calibration figure on it."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

__all__ = ["plot", "loss_title"]


def loss_title(data_name, model, target):
    """The loss curve's title, wrapped to the figure: the file, model, target and solver."""
    on = f" on {target!r}" if target else ""
    per = {"partial_fit": "chunk"}.get(model.stop_reason_,
                                       "epoch" if model.solver_ == "sgd" else "iteration")
    return textwrap.fill(f"{data_name}: {type(model).__name__}{on}, loss per {per} "
                         f"({model.solver_})", 58)


def plot(args):
    from ..outputs import check, write_figure

    out = check(args.out, force=args.force)
    if args.model in (None, "linear", "logistic"):
        args.model = args.model or ("logistic" if args.figure in _PROBABILITIES else "linear")
        args.data = args.data or ("cancer" if args.figure in _PROBABILITIES else "housing")
        fig = _bundled(args)
    else:
        fig = _own(args)
    write_figure(fig, out)
    print(f"{args.figure}: {out}")


#: The figures of a classifier's probabilities (``descend.plots.roc``, ``.calibration``),
#: and what their titles call them.
_PROBABILITIES = {"roc": "ROC curve", "calibration": "calibration"}


def _own(args):
    """A figure of a model file (loss-curve), or of a model file and a CSV file (fit, and
    for a classifier roc and calibration)."""
    from ..errors import DataError
    from ..persist import load
    from ..teach import plots
    from ..tables.targets import whole_labels
    from .reading import load_with_data

    if args.figure == "coefficients":
        model = load(args.model)
        try:
            summary = model.summary(cov_type=model._summary_record["cov_type"])
        except (AttributeError, TypeError):
            raise DataError(f"--model {args.model} holds no summary (trained with --chunksize or "
                            "an L1 part, or saved without one): train it again without them to "
                            "draw its weights with their intervals") from None
        return plots.coefficients(summary, title=textwrap.fill(
            f"{Path(args.model).name}: the weights and how sure they are", 58))
    if args.figure == "loss-curve":
        model = load(args.model)
        target = (model.training_data_ or {}).get("target_name")
        return plots.loss_curve(model, title=loss_title(Path(args.model).name, model, target))
    model, data, X, target = load_with_data(args.model, args, with_target=True)
    about = f"{Path(args.data).name}: {type(model).__name__} ({Path(args.model).name})"
    if args.figure in _PROBABILITIES:
        if not model._loss.classifies:
            raise DataError(f"--model {args.model} is a {type(model).__name__}, which predicts "
                            f"numbers, not classes: plot {args.figure} draws a classifier's "
                            "probabilities; use plot fit for a regression")
        return getattr(plots, args.figure)(
            whole_labels(data.y), model.predict_proba(X), model.classes_,
            title=textwrap.fill(f"{about}: {_PROBABILITIES[args.figure]} of {target!r}", 52))
    if model._loss.classifies and len(model.classes_) > 2:
        return _true_class_histogram(plots, whole_labels(data.y), model.predict_proba(X),
                                     model.classes_, about)
    if model._loss.classifies:
        return plots.probability_histogram(whole_labels(data.y), model.predict_proba(X)[:, 1],
                                           model.classes_, title=textwrap.fill(
                                               f"{about}, predicted probabilities", 58))
    return plots.predicted_vs_actual(data.y, model.predict(X), title=textwrap.fill(
        f"{about}: predicted vs actual {target!r}", 46))


def _true_class_histogram(plots, y, proba, classes, about):
    """For K classes: how the probability given to each row's true class falls, by class
    (above 0.5 a row is surely predicted right)."""
    import numpy as np

    from ..metrics import class_codes

    codes = class_codes(y, classes)
    fig = plots.probability_histogram(y, proba[np.arange(len(y)), codes], classes,
                                      title=textwrap.fill(f"{about}, the probability of the "
                                                          "true class", 58))
    ax = fig.axes[0]
    ax.set_xlabel("predicted probability of the row's true class")
    for text in ax.get_legend().get_texts():
        if text.get_text().startswith("threshold"):
            text.set_text("0.5: above it, predicted right")
    return fig


def _bundled(args):
    from ..teach import datasets, plots
    from ..models import LinearRegression, LogisticClassifier

    if args.figure == "coefficients":                    # housing: each weight, how sure
        import pandas as pd

        data = datasets.load_housing()
        model = LinearRegression().fit(pd.DataFrame(data.X, columns=data.feature_names), data.y)
        fig = plots.coefficients(model.summary(cov_type="HC3"),
                                 title="housing: the weights and how sure they are")
    elif args.figure == "loss-curve":
        epochs = {"max_iter": 20} if args.solver == "sgd" else {}       # 20 passes, not 1000
        if args.data == "housing":
            data, model = datasets.load_housing(), LinearRegression(solver=args.solver, **epochs)
        else:
            data = datasets.load_breast_cancer()
            model = LogisticClassifier(alpha=datasets.CANCER_ALPHA, solver=args.solver, **epochs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # gd stopping at max_iter is the point
            model.fit(data.X, data.y)
        per = "epoch" if args.solver == "sgd" else "iteration"
        fig = plots.loss_curve(model, title=f"{args.data}: loss per {per} ({args.solver})")
    elif args.figure in ("surface", "learning-rates"):
        from ..tables.data import DataContainer
        blobs = datasets.make_blobs(n=80, separation=2.5, seed=0)
        if args.figure == "surface":                     # one feature: the parameters are (w, b)
            data = (datasets.make_regression_line(n=50, seed=0) if args.model == "linear" else
                    DataContainer(blobs.X[:, :1], blobs.y, feature_names=blobs.feature_names[:1]))
            fig = plots.loss_surface(data.X, data.y, model=args.model, view=args.view)
        else:                                            # unscaled, so the curvatures differ
            if args.model == "linear":
                data, model = (datasets.make_regression_plane(n=60, seed=0),
                               LinearRegression(standardize=False))
            else:
                data, model = blobs, LogisticClassifier(standardize=False)
            fig = plots.learning_rates(data.X, data.y, model=model)
    elif args.figure == "solver-paths":
        # One feature, divided by its spread but not centred: the offset couples w and b
        # into a narrow valley, where the solvers part ways.
        data = datasets.load_housing() if args.model == "linear" else datasets.load_breast_cancer()
        x = data.X[:, data.feature_names.index(
            "median_income" if args.model == "linear" else "mean_radius")]
        fig = plots.solver_paths(x / x.std(), data.y, model=args.model)
    elif args.figure == "batch-paths":
        fig = plots.batch_paths()
    elif args.figure == "batch-sizes":
        data, model = ((datasets.load_housing(), "linear") if args.data == "housing" else
                       (datasets.load_breast_cancer(),
                        LogisticClassifier(alpha=datasets.CANCER_ALPHA)))
        fig = plots.batch_losses(data.X, data.y, model=model, epochs=5)
    elif args.figure == "slips":
        from ..teach.slips import slips_figure
        fig = slips_figure()
    elif args.figure == "lasso-path":
        fig = plots.lasso_path()
    elif args.figure == "boundaries":
        fig = plots.decision_boundaries()
    elif args.figure in _PROBABILITIES:
        data = datasets.load_breast_cancer()
        train_part, test_part = data.train_test_split(0.8, seed=0)
        model = LogisticClassifier(alpha=datasets.CANCER_ALPHA).fit(train_part.X, train_part.y)
        fig = getattr(plots, args.figure)(
            test_part.y, model.predict_proba(test_part.X), model.classes_,
            title=f"Breast cancer (1 = malignant): held-out {_PROBABILITIES[args.figure]}")
    elif args.figure == "fit":
        data = datasets.load_housing()
        train_part, test_part = data.train_test_split(0.8, seed=0)
        model = LinearRegression().fit(train_part.X, train_part.y)
        fig = plots.predicted_vs_actual(test_part.y, model.predict(test_part.X),
                                        title="Housing: held-out predicted vs actual")
    else:
        fig = plots.sigmoid_figure()
    return fig
