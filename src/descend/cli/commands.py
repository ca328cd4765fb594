"""What each ``descend`` command does, given its parsed arguments.

Each function prints to stdout, raises a library error for bad data or
models (the CLI turns it into one line on stderr and exit code 1), and
returns None or an exit code.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from ..metrics import classification_metrics, describe_fit, format_table, regression_metrics

__all__ = ["demo", "train", "predict", "evaluate", "info", "explain", "plot"]


def demo(args):
    from .demo import run_demo

    run_demo(args.out, force=args.force)


def _choose_model(data, kind):
    from ..models import LinearRegression, LogisticClassifier

    if kind == "auto":
        distinct = np.unique(np.asarray(data.y).astype(str)).size
        kind = "logistic" if distinct == 2 else "linear"
    if kind == "logistic":
        data.check_classification_target()
        return LogisticClassifier
    if data.y.dtype.kind not in "biuf":
        from ..errors import DataError
        raise DataError(
            f"target {data.target_name!r} is not numeric, so linear regression cannot predict it; "
            "use --model logistic for a two-class target."
        )
    return LinearRegression


class _Progress:
    """A tqdm bar with the live loss; it appears only for fits longer than a second."""

    def __init__(self, total, quiet):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, delay=1.0, disable=quiet, unit="it", desc="descending",
                        file=sys.stderr, leave=False)

    def __call__(self, step):
        self.bar.update(1)
        if step.iteration % 10 == 0:
            self.bar.set_postfix(loss=f"{step.loss:.6g}", refresh=False)

    def close(self):
        self.bar.close()


def _integral_labels(y):
    # A 0/1 column read from CSV arrives as floats; give the classifier integers.
    y = np.asarray(y)
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return y.astype(np.int64)
    return y


def train(args):
    from ..tables.data import DataContainer
    from ..errors import DataError
    from ..outputs import check, write_figure, written
    from ..persist import dumps

    say = (lambda *a: None) if args.quiet else print
    out = check(args.out, force=args.force)
    plot = check(args.plot, force=args.force) if args.plot else None
    data = DataContainer.from_csv(args.data, args.target, features=args.features,
                                  missing=args.missing, sep=args.sep, encoding=args.encoding)
    Model = _choose_model(data, args.model)
    logistic = Model._loss.classifies
    say(f"data: {len(data)} rows, {data.shape[1]} features, target {data.target_name!r}")
    say(str(data.report).rstrip())
    if args.test_frac > 0:
        train_part, test_part = data.train_test_split(1.0 - args.test_frac, seed=args.seed,
                                                      stratify=logistic)
        if len(test_part) < 2:
            raise DataError(f"--test-frac {args.test_frac} holds out {len(test_part)} row of "
                            f"{len(data)}, too few to measure anything; raise --test-frac, or "
                            "pass --test-frac 0 to score on the training data.")
        say(f"split: {len(train_part)} rows to train on, {len(test_part)} held out (seed {args.seed})")
    else:
        train_part, test_part = data, None
        say("split: none (--test-frac 0): the metrics below are on the training data")
    labels = _integral_labels if logistic else np.asarray
    progress = _Progress(args.max_iter, args.quiet)
    model = Model(learning_rate=args.learning_rate, max_iter=args.max_iter, tol=args.tol,
                  alpha=args.alpha, solver=args.solver, random_state=args.seed, callback=progress)
    try:
        model.fit(train_part.X, labels(train_part.y))
    finally:
        progress.close()
    model.callback = None
    say(f"model: {Model.__name__}; fit: " + describe_fit(model))
    if model.stop_reason_ == "separable":
        print("note: the classes are perfectly separable, so this model is the first boundary "
              "that separates the training rows, not a unique optimum; retrain with "
              "--alpha 1e-3 (an L2 penalty) for one.")
    where = "held-out" if test_part is not None else "training"
    scored = test_part if test_part is not None else train_part
    print(format_table(_metrics_of(model, scored.X, labels(scored.y)), f"{where} metrics:"))
    text = dumps(model, feature_names=data.feature_names, training_data=_training_data(data),
                 path=out)
    with written(out) as f:
        f.write(text)
    if plot is not None:
        from ..teach.plots import loss_curve
        write_figure(loss_curve(model), plot)
        print(f"loss curve: {plot}")
    print(f"model saved: {out}")


def _training_data(data):
    # What the model file keeps of the data, to read new files the same way.
    schema = data.schema
    return {"target_name": data.target_name,
            "schema": schema.to_dict() if hasattr(schema, "to_dict") else schema}


def _load_with_data(args, with_target):
    """The saved model and the CSV read as the model's training data was."""
    from ..tables.data import DataContainer
    from ..errors import DataError
    from ..persist import check_columns, load

    model = load(args.model)
    saved = model.training_data_ or {}
    target = saved.get("target_name") if with_target else None
    if with_target and target is None:
        raise DataError(f"{args.model} does not record its target column, so the data cannot "
                        "be scored; save the model with descend train.")
    try:
        data = DataContainer.from_csv(args.data, target, schema=saved.get("schema"), sep=args.sep,
                                      encoding=args.encoding,
                                      missing=getattr(args, "missing", "error"))
    except DataError as err:
        if with_target:
            raise
        # predict writes one row per input row, so it never leaves rows out
        raise DataError(str(err).replace(", pass missing='drop' to leave those rows out", "")) from None
    order = check_columns(model, data.feature_names)
    X = data.X[:, order]
    if hasattr(model, "feature_names_in_"):
        import pandas as pd
        X = pd.DataFrame(X, columns=list(model.feature_names_in_))
    return model, data, X, target


def predict(args):
    from ..outputs import check, written

    out = check(args.out, force=args.force) if args.out else None
    model, data, X, _ = _load_with_data(args, with_target=False)
    import pandas as pd

    target = (model.training_data_ or {}).get("target_name") or "y"
    table = pd.DataFrame({f"predicted_{target}": model.predict(X)})
    if model._loss.classifies:
        proba = model.predict_proba(X)
        for j, cls in enumerate(model.classes_):
            table[f"probability_{cls}"] = proba[:, j]
    if out is not None:
        with written(out) as f:
            table.to_csv(f, index=False)
        print(f"{len(table)} predictions written to {out}")
    else:
        table.to_csv(sys.stdout, index=False)
    report = str(data.report).strip()
    if report and "nothing needed" not in report:
        print(report, file=sys.stderr)


def evaluate(args):
    model, data, X, target = _load_with_data(args, with_target=True)
    print(f"{type(model).__name__} on {args.data}: {len(data)} rows, target {target!r}")
    print(format_table(_metrics_of(model, X, data.y), "metrics:"))


def _metrics_of(model, X, y):
    if model._loss.classifies:
        y = _integral_labels(y)
        return classification_metrics(y, model.predict_proba(X)[:, 1], model.classes_)
    return regression_metrics(y, model.predict(X))


def info(args):
    from ..persist import load

    model = load(args.model)
    saved = model.training_data_ or {}
    print(f"{args.model}: {type(model).__name__}")
    if saved.get("target_name"):
        print(f"  target: {saved['target_name']}")
    if model._loss.classifies:
        print(f"  classes: {', '.join(map(str, model.classes_))} "
              f"(probabilities are of {model.classes_[1]})")
    params = model.get_params()
    shown = ", ".join(f"{k}={params[k]!r}" for k in ("solver", "learning_rate", "alpha", "tol",
                                                      "max_iter", "standardize"))
    print(f"  hyperparameters: {shown}")
    print("  fit: " + describe_fit(model))
    names = getattr(model, "feature_names_in_", getattr(model, "feature_names_", None))
    if names is None:
        names = [f"x{j}" for j in range(model.n_features_in_)]
    coef = model.coef_.ravel()
    rows = {"(intercept)": float(model.intercept_ if not model._loss.classifies
                                 else model.intercept_[0])}
    rows.update({str(name): float(c) for name, c in zip(names, coef)})
    print(format_table(rows, f"  weights ({model.n_features_in_} features, in the data's units):"))


def explain(args):
    from ..teach import explain as ex

    if args.topic == "chain-rule":
        models = ["linear", "logistic"] if args.model == "both" else [args.model]
        for model in models:
            print(ex.chain_rule(args.x, args.y, args.w, args.b, model=model))
            print()
        if len(models) == 2:
            print("Different losses and links, yet both products are (a - y) * x: the sigmoid's "
                  "derivative a(1 - a) cancels the log-loss's 1 / (a(1 - a)).")
    elif args.topic == "coin-toss":
        print(ex.coin_toss(args.heads, args.tosses))
    elif args.topic == "newton":
        print(ex.newton_step(args.model))
    elif args.topic == "loop-vs-vector":
        print(ex.loop_vs_vector(args.rows, args.features, n_iter=args.iter, model=args.model))
    else:
        from ..teach import datasets
        from ..models import LinearRegression, LogisticClassifier

        housing, cancer = datasets.load_housing(), datasets.load_breast_cancer()
        for name, model, data in (("housing, LinearRegression", LinearRegression(), housing),
                                  ("breast cancer, LogisticClassifier",
                                   LogisticClassifier(alpha=datasets.CANCER_ALPHA), cancer)):
            error = ex.check_gradient(model, data.X, data.y)
            print(f"{name}: largest relative difference from central differences {error:.2e}")


def plot(args):
    from ..teach import datasets, plots
    from ..models import LinearRegression, LogisticClassifier
    from ..outputs import check, write_figure

    out = check(args.out, force=args.force)
    if args.figure == "loss-curve":
        if args.data == "housing":
            data, model = datasets.load_housing(), LinearRegression(solver=args.solver)
        else:
            data = datasets.load_breast_cancer()
            model = LogisticClassifier(alpha=datasets.CANCER_ALPHA, solver=args.solver)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # gd stopping at max_iter is the point
            model.fit(data.X, data.y)
        fig = plots.loss_curve(model, title=f"{args.data}: loss per iteration ({args.solver})")
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
    elif args.figure == "boundaries":
        fig = plots.decision_boundaries()
    elif args.figure == "fit":
        data = datasets.load_housing()
        train_part, test_part = data.train_test_split(0.8, seed=0)
        model = LinearRegression().fit(train_part.X, train_part.y)
        fig = plots.predicted_vs_actual(test_part.y, model.predict(test_part.X),
                                        title="Housing: held-out predicted vs actual")
    else:
        fig = plots.sigmoid_figure()
    write_figure(fig, out)
    print(f"{args.figure}: {out}")
