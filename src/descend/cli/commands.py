"""What each ``descend`` command does, given its parsed arguments.

Each function prints to stdout, raises a library error for bad data or
models (the CLI turns it into one line on stderr and exit code 1), and
returns None or an exit code.
"""

from __future__ import annotations

import sys

import numpy as np

from ..metrics import class_codes, describe_fit, format_table, grid, metrics_text
from ..tables.report import count
from ..tables.targets import whole_labels

__all__ = ["demo", "train", "predict", "evaluate", "info", "explain", "plot", "explore"]


def demo(args):
    from .demo import run_demo

    run_demo(args.out, force=args.force)


class _Progress:
    """A tqdm bar with the live loss; it appears only for fits longer than a second, and
    only on a terminal (a log file gets no carriage-return lines). As a fit's callback it
    counts iterations; :meth:`advance` counts anything else (the rows of a stream)."""

    def __init__(self, total, quiet, terminal=None, unit="it", desc="descending"):
        from tqdm.auto import tqdm

        shown = not quiet and (sys.stderr.isatty() if terminal is None else terminal)
        self.bar = tqdm(total=total, delay=1.0, disable=not shown, unit=unit, desc=desc,
                        unit_scale=unit != "it", file=sys.stderr, leave=False)

    def __call__(self, step):
        self.bar.update(1)
        if step.iteration % 10 == 0:
            self.bar.set_postfix(loss=f"{step.loss:.6g}", refresh=False)

    def advance(self, n, loss):
        self.bar.update(n)
        self.bar.set_postfix(loss=f"{loss:.6g}", refresh=False)

    def close(self):
        self.bar.close()


def _split(data, args, logistic):
    """The training and held-out parts, or the whole data and None with --test-frac 0."""
    from ..errors import DataError

    if args.test_frac == 0:
        return data, None
    if logistic:
        labels, counts = np.unique(whole_labels(data.y), return_counts=True)
        small = [f"{lv!r} has {count(k, 'row')}" for lv, k in zip(labels.tolist(), counts) if k < 2]
        if small:
            raise DataError(f"{args.data}: class {', '.join(small)}: too few to hold out part "
                            "of each class; add rows, or pass --test-frac 0 to train on every "
                            "row (the metrics are then on the training rows)")
    if len(data) < 3:
        raise DataError(f"{args.data} has {count(len(data), 'row')}: too few to hold out a "
                        "part; add rows, or pass --test-frac 0 to train on every row")
    train_part, test_part = data.train_test_split(1.0 - args.test_frac, seed=args.seed,
                                                  stratify=logistic)
    if len(test_part) < 2:
        raise DataError(f"--test-frac {args.test_frac} holds out {len(test_part)} row of "
                        f"{len(data)}, too few to measure anything; raise --test-frac, or "
                        "pass --test-frac 0 to score on the training data.")
    for part, what in ((train_part, "to train on"), (test_part, "held out")):
        if part.sample_weight is not None and not np.any(part.sample_weight > 0):
            raise DataError(f"--sample-weight {args.sample_weight} is 0 on every row {what} "
                            f"(seed {args.seed}); give more rows a positive weight, or pass "
                            "another --seed or --test-frac 0")
    return train_part, test_part


def train(args):
    from ..outputs import check, write_figure, written
    from ..persist import dumps
    from .reading import training_record

    say = (lambda *a: None) if args.quiet else print
    out = check(args.out, force=args.force)
    plot = check(args.plot, force=args.force) if args.plot else None
    params = dict(learning_rate=args.learning_rate, tol=args.tol, alpha=args.alpha,
                  l1_ratio=args.l1_ratio, solver=args.solver, random_state=args.seed,
                  batch_size=args.batch_size, schedule=args.schedule, average=args.average,
                  shuffle=not args.no_shuffle)
    if args.chunksize:
        from .modelchoice import choose
        from .streamed import train_in_chunks

        def make(data):
            Model, chosen = choose(data, args)
            say(f"first chunk: {count(len(data), 'row')}, {count(data.shape[1], 'feature')}, "
                f"target {data.target_name!r}")
            say(str(data.report).rstrip())
            return Model(max_iter=args.max_iter or 1, **params, **chosen)

        model, data, scored = train_in_chunks(args, say, make)
        where = "held-out" if args.test_frac else "training"
        metrics = _metrics_text(model, *scored, f"{where} metrics:") if scored else None
        prior = None
    else:
        model, data, where, metrics, prior = _train_in_memory(args, say, params)
    say(f"model: {_described(model)}; fit: " + describe_fit(model))
    summary, why = _summary(model, args, data.target_name)
    if summary is not None:
        say(str(summary))
    else:
        say(f"summary: none: {why}")
    if metrics is None:
        say(f"{where} metrics: none (no {where} rows)")
    else:
        print(metrics)
    record = training_record(data, args.sample_weight)
    if prior is not None:                       # what evaluate's baseline predicts
        record["baseline"] = ({"shares": prior} if model._loss.classifies else {"mean": prior})
    if args.chunksize:
        record["chunksize"] = args.chunksize
    text = dumps(model, feature_names=data.feature_names, training_data=record, path=out,
                 summary=summary)
    with written(out) as f:
        f.write(text)
    if plot is not None:
        from pathlib import Path
        from ..teach.plots import loss_curve
        from .figures import loss_title

        title = loss_title(Path(args.data).name, model, data.target_name)
        write_figure(loss_curve(model, title=title), plot)
        print(f"loss curve: {plot}")
    print(f"model saved: {out}")


def _summary(model, args, target):
    """``(summary, None)`` of the fit on the training rows, or ``(None, why not)``."""
    from ..inference import InferenceError
    from .main import cli_words

    if args.chunksize:
        return None, ("a model trained in chunks (--chunksize) keeps none of the rows; train "
                      "without --chunksize for standard errors")
    try:
        summary = model.summary(cov_type=args.cov_type)
    except InferenceError as e:
        return None, cli_words(str(e).split(".summary: ", 1)[-1])
    summary.record["target"] = target
    summary.record["notes"] = [cli_words(note) for note in summary.record["notes"]]
    return summary, None


def _train_in_memory(args, say, params):
    """Read the whole file, split it, fit; ``(model, data, where, metrics)``."""
    from ..tables.data import DataContainer
    from .modelchoice import choose
    from .reading import read_options

    data = DataContainer.from_csv(args.data, args.target, features=args.features,
                                  exclude=args.exclude, missing=args.missing,
                                  weights=args.sample_weight, **read_options(args))
    Model, chosen = choose(data, args)
    logistic = Model._loss.classifies
    say(f"data: {count(len(data), 'row')}, {count(data.shape[1], 'feature')}, "
        f"target {data.target_name!r}")
    say(str(data.report).rstrip())
    train_part, test_part = _split(data, args, logistic)
    if test_part is not None:
        say(f"split: {len(train_part)} rows to train on, {len(test_part)} held out (seed {args.seed})")
    else:
        say("split: none (--test-frac 0): the metrics below are on the training data")
    labels = whole_labels if logistic else np.asarray
    max_iter = args.max_iter or 1000
    progress = _Progress(max_iter, args.quiet)
    model = Model(max_iter=max_iter, callback=progress, **params, **chosen)
    try:                                  # a frame, so that warnings name the columns
        model.fit(_frame(train_part), labels(train_part.y), sample_weight=train_part.sample_weight)
    finally:
        progress.close()
    model.callback = None
    where = "held-out" if test_part is not None else "training"
    scored = test_part if test_part is not None else train_part
    title = f"{where} metrics" + _weighted(args.sample_weight) + ":"
    prior = _prior(model, train_part)
    return model, data, where, _metrics_text(model, scored.y, _scores(model, _frame(scored)),
                                             title, scored.sample_weight, prior), prior


def _prior(model, part):
    """The training rows' (weighted) mean target, or class shares in the order of
    ``classes_``: what the baseline predicts without looking at X."""
    w = part.sample_weight
    if not model._loss.classifies:
        return float(np.average(np.asarray(part.y, dtype=float), weights=w))
    codes = class_codes(whole_labels(part.y), model.classes_)
    counts = np.bincount(codes, weights=w, minlength=len(model.classes_))
    return (counts / counts.sum()).tolist()


def _saved_prior(model):
    """The baseline a model file's training kept (see :func:`_prior`), if it is sound."""
    saved = (model.training_data_ or {}).get("baseline")
    value = saved.get("shares" if model._loss.classifies else "mean") if isinstance(
        saved, dict) else None
    numbers = value if isinstance(value, list) else [value]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
               for v in numbers):
        return None
    if model._loss.classifies and not (len(numbers) == len(model.classes_) and min(numbers) > 0
                                       and abs(sum(numbers) - 1) < 1e-9):
        return None
    return value


def _frame(data):
    import pandas as pd

    return pd.DataFrame(data.X, columns=data.feature_names, copy=False)


def predict(args):
    from ..outputs import check, written
    from .reading import load_with_data

    out = check(args.out, force=args.force) if args.out else None
    keep = True if args.keep_all else args.keep
    model, data, X, _ = load_with_data(args.model, args, with_target=False, keep=keep)
    import pandas as pd

    target = (model.training_data_ or {}).get("target_name") or "y"
    table = pd.DataFrame({f"predicted_{target}": model.predict(X)})
    if model._loss.classifies:
        proba = model.predict_proba(X)
        for j, cls in enumerate(model.classes_):
            table[f"probability_{cls}"] = proba[:, j]
    if data.kept is not None:
        kept = data.kept.reset_index(drop=True)
        clash = [c for c in kept.columns if c in table.columns]
        kept.columns = [f"{c} (input)" if c in clash else c for c in kept.columns]
        table = pd.concat([kept, table], axis=1)
    # Written as the input was: a ';' file with decimal commas gets one back.
    read = data.report.dialect
    style = {"sep": read.sep if len(read.sep) == 1 else ",", "decimal": read.decimal}
    if out is not None:
        with written(out) as f:
            table.to_csv(f, index=False, **style)
        print(f"{len(table)} predictions written to {out}")
    else:
        table.to_csv(sys.stdout, index=False, **style)
    report = str(data.report).strip()
    if data.report.changed:
        print(report, file=sys.stderr)


def evaluate(args):
    from .reading import load_with_data

    model, data, X, target = load_with_data(args.model, args, with_target=True)
    print(f"{_described(model)} on {args.data}: {len(data)} rows, target {target!r}")
    if data.report.changed:
        print(str(data.report).rstrip())
    trained = (model.training_data_ or {}).get("sample_weight")
    if args.sample_weight is None and isinstance(trained, str):
        print(f"(every row counts once: the model was trained with --sample-weight {trained}; "
              f"add --sample-weight {trained} to weigh the rows as training did)")
    print(_metrics_text(model, data.y, _scores(model, X),
                        "metrics" + _weighted(args.sample_weight) + ":", data.sample_weight,
                        _saved_prior(model)))


def _described(model):
    """The estimator's name, with its classes when there are more than two."""
    classes = getattr(model, "classes_", ())
    return type(model).__name__ + (f" ({len(classes)} classes)" if len(classes) > 2 else "")


def _weighted(column):
    return "" if column is None else f" (rows weighted by {column!r})"


def _scores(model, X):
    """What the metrics read: each class's probability (m, K), or the predictions (m,)."""
    return model.predict_proba(X) if model._loss.classifies else model.predict(X)


def _metrics_text(model, y, scores, title, sample_weight=None, prior=None):
    """The metrics of ``scores`` of the rows ``y`` (see :func:`_scores`) beside the
    baseline's, as text; for a classifier the confusion matrix too, and each class's
    metrics for K > 2."""
    if not model._loss.classifies:
        return metrics_text(y, scores, None, sample_weight, title, prior)
    return metrics_text(whole_labels(y), scores, model.classes_, sample_weight, title, prior)


def info(args):
    from ..modelfile import summary

    model = summary(args.model)                 # no scikit-learn import: info starts fast
    saved = model.training_data_ or {}
    print(f"{args.model}: {model.estimator}")
    if saved.get("target_name"):
        print(f"  target: {saved['target_name']}")
    classes = model.classes_ or []
    if len(classes) > 2:
        print(f"  classes: {', '.join(map(str, classes))} ({len(classes)}, multinomial: a "
              "probability for each, the most probable predicted)")
    elif model.classifies:
        print(f"  classes: {', '.join(map(str, classes))} (probabilities are of {classes[1]})")
    keys = ["solver", "learning_rate", "alpha"] + ["l1_ratio"] * ("l1_ratio" in model.params)
    keys += ["tol", "max_iter"]
    if model.solver_ == "sgd":
        keys += ["batch_size", "schedule"] + ["average"] * bool(model.params.get("average"))
    shown = " ".join(f"--{k.replace('_', '-')}" + ("" if k == "average" else
                                                   f" {model.params.get(k)}") for k in keys)
    if isinstance(saved.get("chunksize"), int):
        shown = shown.replace("--solver auto", "--solver sgd") + f" --chunksize {saved['chunksize']}"
    weights = model.params.get("class_weight")
    if weights is not None:
        shown += " --class-weight " + (weights if isinstance(weights, str) else
                                       ",".join(f"{k}={w:g}" for k, w in weights.items()))
    if isinstance(saved.get("sample_weight"), str):
        shown += f" --sample-weight {saved['sample_weight']}"
    standardized = "" if model.params.get("standardize") else " (not standardized)"
    print(f"  trained with: {shown}{standardized}")
    print("  fit: " + describe_fit(model))
    title = f"  weights ({count(model.n_features_in_, 'feature')}, in the data's units"
    if len(classes) > 2:                        # coef: K lists; intercept: K numbers
        names = ["(intercept)"] + [str(name) for name in model.names]
        rows = [model.intercept, *zip(*model.coef)]             # (n + 1) rows of K
        cells = [[f"{v:.6g}" for v in row] for row in rows]
        print("\n".join([title + "; a column per class):"] +
                        grid(names, [str(c) for c in classes], cells)))
    else:
        rows = {"(intercept)": float(model.intercept)}
        rows.update({str(name): float(c) for name, c in zip(model.names, model.coef)})
        print(format_table(rows, title + "):"))
    if model.summary is not None:               # kept by descend train
        from ..results import Summary
        print(Summary(model.summary))
    csv = saved.get("csv")
    if isinstance(csv, dict):
        from ..tables.dialect import Dialect
        print(f"  reads new files with {Dialect.from_dict(csv).describe()}")


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
    elif args.topic == "slips":
        from ..teach.slips import slips

        if args.learning_rate == "auto":
            raise ValueError("explain slips runs the material's loop at a fixed step: give "
                             "--learning-rate a number, e.g. 0.5")
        print(slips(alpha=args.learning_rate, n_iter=args.iter))
    elif args.topic == "batches":
        from ..teach.batches import batches_table

        print(batches_table())
    elif args.topic == "classes":
        print(ex.softmax_gradient())
    elif args.topic == "lasso":
        from ..teach import datasets

        housing = datasets.load_housing()
        X = (housing.X - housing.X.mean(axis=0)) / housing.X.std(axis=0)
        print(ex.lasso_path(X, housing.y / 1000, names=housing.feature_names, n_alphas=20))
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
    from .figures import plot as draw

    draw(args)


def explore(args):
    from ..explore.server import serve

    try:
        return serve(args.port, browser=not args.no_browser)
    except OSError as e:
        raise OSError(f"--port {args.port}: cannot listen there ({e.strerror or e}); leave "
                      "--port out for a free port") from None
