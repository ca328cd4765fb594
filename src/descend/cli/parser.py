"""The ``descend`` command's arguments: :func:`build_parser`.

Each value is checked here on its own, so that a bad one is a usage error
(exit 2, the command's own usage line) before any file is read; values that
clash with each other or with a file are checked by :mod:`.main` and the
library.
"""

from __future__ import annotations

import argparse

__all__ = ["build_parser", "FIGURES", "SCORED"]

EPILOG = """examples:
  descend demo --out figures
  descend train houses.csv --target price --out price.json
  descend train big.csv --target price --chunksize 100000 --average
  descend train iris.csv --target species --sample-weight w --class-weight balanced
  descend predict price.json new_houses.csv --out predictions.csv
  descend evaluate price.json held_out.csv
  descend info price.json
  descend explain chain-rule
  descend plot surface --model logistic --out surface.png
  descend explore
"""


FIGURES = ["loss-curve", "surface", "solver-paths", "learning-rates", "batch-paths",
           "batch-sizes", "slips", "lasso-path", "boundaries", "fit", "roc", "calibration",
           "coefficients", "sigmoid"]
#: The figures that draw a model file's predictions of a CSV file (--model and --data).
SCORED = ("fit", "roc", "calibration")


def _common(p):
    p.add_argument("--debug", action="store_true", help="show the full traceback on errors")


def _force(p):
    p.add_argument("--force", action="store_true", help="overwrite files descend did not create")


def _csv_options(p, saved=False):
    """How a CSV file is read; ``saved``: as a model file recorded (predict, evaluate, plot),
    with ``--missing`` for the rows its fill values cannot complete."""
    given = ("(default: as the model's training file was read)" if saved else None)
    if saved:
        p.add_argument("--missing", choices=["error", "drop"], default="error",
                       help="rows with empty cells that training had no fill value for: an "
                            "error, or left out and reported (default: %(default)s)")
    p.add_argument("--sep", type=_sep, metavar="SEP",
                   help="the field delimiter: a character such as ';', or tab, space, "
                        "whitespace (runs of spaces) or auto " +
                        (given or "(default: auto, detected from the file)"))
    p.add_argument("--decimal", type=_decimal, metavar="MARK",
                   help="the decimal mark of the numbers, . or , " + (given or "(default: .)"))
    p.add_argument("--quote", type=_quote, metavar="CHAR",
                   help="the quote character, or none " + (given or "(default: \", or ' when "
                                                               "every name in the header is "
                                                               "in single quotes)"))
    p.add_argument("--encoding", type=_encoding,
                   help="the file's text encoding, e.g. latin-1 " + (given or "(default: utf-8)"))


def _library(name, words):
    """An argparse type from one of the library's parsers of reading options: its
    DataError becomes a usage error in the flag's words."""
    def parse(text):
        from ..errors import DataError
        from ..tables import dialect
        try:
            return getattr(dialect, name)(text)
        except DataError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {words}") from None
    return parse


_sep = _library("parse_sep", "a delimiter; give one character such as ',' ';' '|', or tab "
                "(or \\t), space, whitespace (runs of spaces), auto (detected)")
_decimal = _library("parse_decimal", "a decimal mark; give . or ,")
_quote = _library("parse_quote", "a quote character; give one character such as \" or ', "
                  "or none")
_encoding = _library("parse_encoding", "a text encoding Python knows; use e.g. utf-8, "
                     "latin-1 or cp1252")


def _model_and_data(p):
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("data", metavar="DATA.csv")


def _number(kind, test, words):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {words}") from None
        if not test(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not {words}")
        return value
    return parse


_positive_int = _number(int, lambda v: v >= 1, "a whole number of at least 1")
_seed = _number(int, lambda v: v >= 0, "a whole number of at least 0")
_nonnegative = _number(float, lambda v: v >= 0 and v != float("inf"), "a finite number >= 0")
_fraction = _number(float, lambda v: 0 <= v < 1, "a number from 0 up to (not including) 1")
_ratio = _number(float, lambda v: 0 <= v <= 1, "a number from 0 to 1")


def _port(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 65535, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 65535, got {text!r}")
    return port


def _rate(text):
    if text == "auto":
        return text
    return _number(float, lambda v: 0 < v < float("inf"), "'auto' or a positive number")(text)


def _class_weight(text):
    """``balanced``, or ``LABEL=W,LABEL=W`` as {label as typed: weight}."""
    if text.strip() == "balanced":
        return "balanced"
    weights = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, _, value = part.rpartition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = None
        if not label.strip() or weight is None or not 0 <= weight < float("inf"):
            weights = {}
            break
        weights[label.strip()] = weight
    if not weights:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not balanced, nor each class's weight as LABEL=WEIGHT separated by "
            "commas (e.g. yes=3,no=1), the weights finite numbers >= 0")
    return weights


def _sample_weight(p, what):
    p.add_argument("--sample-weight", metavar="COL",
                   help=f"a column of DATA.csv holding each row's weight (numbers >= 0; 0 "
                        f"leaves a row out): {what}; it is never a feature")


def _columns(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give column names separated by commas")
    return names


def build_parser():
    parser = argparse.ArgumentParser(
        prog="descend", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Linear and logistic regression trained by gradient descent, shown step by step.",
    )
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"descend {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = sub.choices                 # each command's parser, for its usage errors

    p = sub.add_parser("demo", help="housing prices and breast cancer, end to end",
                       description="Fit LinearRegression to the bundled California housing data "
                       "and LogisticClassifier to the breast-cancer data; print what was done "
                       "and the held-out metrics; write loss curves and fit figures as PNG.")
    p.add_argument("--out", default="descend-output", metavar="DIR",
                   help="folder for the figures (default: %(default)s)")
    _force(p)
    _common(p)

    p = sub.add_parser("train", help="fit a model to a CSV file and save it",
                       description="Read DATA.csv, hold out part of it, fit by gradient descent, "
                       "print the cleaning report, the summary (each weight with its standard error, "
                       "test and interval) and held-out metrics, and save the model as JSON.")
    p.add_argument("data", metavar="DATA.csv", help="the CSV file, with a header row")
    p.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    p.add_argument("--features", type=_columns, action="extend", metavar="COL,COL,...",
                   help="the columns to learn from, separated by commas (default: all but the target)")
    p.add_argument("--exclude", type=_columns, action="extend", metavar="COL,COL,...",
                   help="columns to leave out of the features, such as an identifier (may "
                        "be given more than once)")
    p.add_argument("--model", choices=["auto", "linear", "logistic"], default="auto",
                   help="auto (default): logistic for a class label (text, true/false, two "
                        "values, or a few whole numbers; three classes or more are "
                        "multinomial), linear for other numbers")
    p.add_argument("--solver", default="auto",
                   choices=["auto", "newton", "lbfgs-newton", "lbfgs", "nesterov", "gd", "sgd"],
                   help="gd is the plain update of the material, sgd the same on batches of "
                        "--batch-size rows; auto is newton (linear, up to 2,000 features) or "
                        "lbfgs-newton (logistic, up to 400), lbfgs beyond, gd with "
                        "--learning-rate (default: %(default)s)")
    p.add_argument("--learning-rate", type=_rate, default="auto", metavar="RATE",
                   help="a positive number, or auto (default); not with --solver lbfgs, "
                        "newton or lbfgs-newton")
    p.add_argument("--max-iter", type=_positive_int, metavar="N",
                   help="the most iterations: epochs for --solver sgd, passes over the file "
                        "with --chunksize (default: 1000; 1 with --chunksize)")
    p.add_argument("--tol", type=_nonnegative, default=1e-6, help="(default: %(default)s)")
    p.add_argument("--alpha", type=_nonnegative, default=0.0,
                   help="the penalty on the weights, L2 unless --l1-ratio (default: %(default)s)")
    p.add_argument("--l1-ratio", type=_ratio, default=0.0, metavar="R",
                   help="the share of --alpha that is an L1 penalty, which sets weights to "
                        "exactly 0: 0 is L2 alone, 1 the lasso (default: %(default)s)")
    p.add_argument("--class-weight", type=_class_weight, metavar="balanced|LABEL=W,...",
                   help="weigh the classes (logistic only): balanced gives each class the "
                        "same total weight, or LABEL=W,LABEL=W weighs those classes (the "
                        "others weigh 1)")
    _sample_weight(p, "the fit and the held-out metrics weigh each row by it")
    p.add_argument("--batch-size", type=_positive_int, default=32, metavar="N",
                   help="rows per update of --solver sgd and --chunksize: 1 is stochastic "
                        "descent (default: %(default)s)")
    p.add_argument("--schedule", choices=["auto", "constant", "invscaling", "step"],
                   default="auto", help="how --solver sgd's step falls with the epochs: auto "
                   "holds it for half of --max-iter, then decays it; --chunksize keeps its "
                   "step constant (default: %(default)s)")
    p.add_argument("--average", action="store_true",
                   help="--solver sgd and --chunksize return the mean of their iterates, "
                        "which settles the noise of the steps")
    p.add_argument("--no-shuffle", action="store_true",
                   help="take --solver sgd's batches (and each chunk's rows) in file order")
    p.add_argument("--chunksize", type=_positive_int, metavar="N",
                   help="stream the file N rows at a time (at least 20) through partial_fit, "
                        "for a file larger than memory; the first chunk fixes the columns, "
                        "classes, standardization and step")
    p.add_argument("--test-frac", type=_fraction, default=0.2, metavar="F",
                   help="share of rows held out for testing (default: %(default)s)")
    p.add_argument("--cov-type", choices=["nonrobust", "HC0", "HC1", "HC2", "HC3"],
                   default="nonrobust",
                   help="the covariance behind the summary's standard errors: nonrobust, or "
                        "HC0-HC3, robust to unequal noise (default: %(default)s)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the split (default: %(default)s)")
    p.add_argument("--missing", choices=["error", "drop", "mean", "median"], default="error",
                   help="what to do with empty cells (default: %(default)s)")
    p.add_argument("--out", default="model.json", metavar="MODEL.json",
                   help="where to save the model (default: %(default)s)")
    p.add_argument("--plot", metavar="LOSS.png",
                   help="also draw the loss curve into this file (.png, .svg or .pdf)")
    _csv_options(p)
    _force(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar and no narration")
    _common(p)

    p = sub.add_parser("predict", help="predict with a saved model",
                       description="Predict every row of DATA.csv with a saved model; a classifier "
                       "also gives the probability of each class.")
    _model_and_data(p)
    p.add_argument("--out", metavar="PREDS.csv", help="write here instead of to standard output")
    p.add_argument("--keep", type=_columns, action="extend", metavar="COL,COL,...",
                   help="copy these columns of DATA.csv (an identifier, say) next to the "
                        "predictions, as written")
    p.add_argument("--keep-all", action="store_true",
                   help="copy every column of DATA.csv next to the predictions")
    _csv_options(p, saved=True)
    _force(p)
    _common(p)

    p = sub.add_parser("evaluate", help="metrics of a saved model on labelled data",
                       description="Print the metrics of a saved model on DATA.csv, which must "
                       "hold the target column the model was trained on, beside a baseline "
                       "that ignores the features (the mean, or the majority class); for a "
                       "classifier the confusion matrix too, and for three classes or more "
                       "each class's metrics.")
    _model_and_data(p)
    _sample_weight(p, "the metrics weigh each row by it (default: every row counts once)")
    _csv_options(p, saved=True)
    _common(p)

    p = sub.add_parser("explain", help="the material's ideas on real numbers",
                       description="Print one idea of the material, computed and checked.")
    topics = p.add_subparsers(dest="topic", required=True)
    t = topics.add_parser("chain-rule", help="dL/da * da/dz * dz/dw for one example",
                          description="The chain rule for one example and one weight, beside the "
                          "closed form (a - y) x and a finite difference.")
    t.add_argument("--model", choices=["linear", "logistic", "both"], default="both",
                   help="(default: both, showing they share one gradient)")
    t.add_argument("--x", type=float, nargs="+", default=[2.0, -1.0], metavar="X",
                   help="the example's features (default: 2 -1)")
    t.add_argument("--y", type=float, default=1.0, help="its target (default: 1)")
    t.add_argument("--w", type=float, nargs="+", default=[0.3, 0.8], metavar="W",
                   help="the weights, one per feature (default: 0.3 0.8)")
    t.add_argument("--b", type=float, default=0.1, help="the intercept (default: 0.1)")
    _common(t)
    t = topics.add_parser("coin-toss", help="maximum likelihood of a coin's p",
                          description="The likelihood of HEADS in TOSSES as a function of p, and "
                          "its maximum at p = HEADS/TOSSES.")
    t.add_argument("heads", type=int)
    t.add_argument("tosses", type=int)
    _common(t)
    t = topics.add_parser("newton", help="one step of Newton's method, with the numbers",
                          description="Newton's method uses the curvature, not just the slope: "
                          "fit the local parabola and jump to its bottom. One step on six "
                          "examples, every number shown, beside a gradient step.")
    t.add_argument("--model", choices=["linear", "logistic"], default="logistic",
                   help="(default: %(default)s)")
    _common(t)
    t = topics.add_parser("loop-vs-vector", help="the per-example loop against the vectorized update",
                          description="Train with the material's loop over examples and with the "
                          "vectorized gradient: the same weights, and the speed-up.")
    t.add_argument("--rows", type=_positive_int, default=2000, help="(default: %(default)s)")
    t.add_argument("--features", type=_positive_int, default=5, help="(default: %(default)s)")
    t.add_argument("--iter", type=_positive_int, default=10, help="updates (default: %(default)s)")
    t.add_argument("--model", choices=["linear", "logistic"], default="logistic")
    _common(t)
    t = topics.add_parser("gradient-check", help="central differences against the model's gradient",
                          description="Check descend's gradient on the bundled housing and "
                          "breast-cancer data with central differences.")
    _common(t)
    t = topics.add_parser("batches", help="whole-set, mini-batch and stochastic descent in numbers",
                          description="Descent on batches of rows on the housing data: the "
                          "step each batch size can take, its updates per epoch, and how close "
                          "each gets to the optimum per row read. The figures: descend plot "
                          "batch-paths, descend plot batch-sizes.")
    _common(t)
    t = topics.add_parser("slips", help="three common slips of a from-scratch loop, caught",
                          description="The material's loop over examples, and three slips "
                          "written into it (b = b - alpha * b; dz += a - y; no 1/m), run beside "
                          "the right update: what the gradient check says, and where each "
                          "descent ends. The figure: descend plot slips.")
    t.add_argument("--learning-rate", type=_rate, default=0.5, metavar="RATE",
                   help="(default: %(default)s)")
    t.add_argument("--iter", type=_positive_int, default=100, help="updates (default: %(default)s)")
    _common(t)
    t = topics.add_parser("classes", help="K classes: the softmax, and the same gradient",
                          description="One example of three classes through the softmax: "
                          "the scores, the probabilities, the residual p - Y and the gradient "
                          "x (p - Y)^T, checked against central differences; and why two "
                          "classes are the sigmoid.")
    _common(t)
    t = topics.add_parser("lasso", help="the L1 penalty: weights leaving zero one by one",
                          description="The lasso path on the housing data (columns "
                          "standardized): from the alpha at which every weight is zero down, "
                          "the alpha at which each feature enters. The figure: descend plot "
                          "lasso-path.")
    _common(t)
    topics.metavar = "{" + ",".join(topics.choices) + "}"    # named when one is missing

    p = sub.add_parser("plot", help="draw one of descend's figures into a file",
                       description="Draw a figure and write it to a file: the loss curve of a "
                       "fit, the loss surface with the descent's path, four solvers' paths on "
                       "one surface, learning rates compared, whole-set, mini-batch and "
                       "stochastic paths and losses, three slips of a from-scratch loop, "
                       "the lasso path beside the soft threshold, "
                       "decision boundaries on the toy "
                       "data sets, predicted against actual values, a classifier's ROC curve "
                       "and calibration (reliability) figure, or the sigmoid and its "
                       "derivative. loss-curve, fit, roc and calibration also draw your own "
                       "work: give a model file saved by descend train (--model price.json), "
                       "and for fit, roc and calibration a CSV file to score (--data new.csv); "
                       "without them roc and calibration draw a classifier of the bundled "
                       "breast-cancer data on its held-out rows.",
                       epilog="examples:\n  descend plot loss-curve --model price.json\n"
                              "  descend plot fit --model price.json --data held_out.csv\n"
                              "  descend plot roc --model buys.json --data held_out.csv\n"
                              "  descend plot calibration --model buys.json --data held_out.csv\n"
                              "  descend plot surface --model logistic --view contour",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("figure", choices=FIGURES, help="which figure: " + ", ".join(FIGURES))
    p.add_argument("--out", metavar="FILE.png",
                   help="where to write it (.png, .svg or .pdf; default: FIGURE.png)")
    p.add_argument("--data", default=None, metavar="DATA",
                   help="housing or cancer (bundled; default: housing, and cancer for roc and "
                        "calibration), or a CSV file to score with --model MODEL.json (for "
                        "fit, roc and calibration)")
    p.add_argument("--model", default=None, metavar="MODEL",
                   help="linear or logistic (for surface, solver-paths, learning-rates; "
                        "default: linear), or a model file saved by descend train (for "
                        "loss-curve, fit, and a classifier's for roc and calibration)")
    p.add_argument("--solver", choices=["newton", "lbfgs", "nesterov", "gd", "sgd"],
                   default="lbfgs", help="for loss-curve (default: %(default)s)")
    p.add_argument("--view", choices=["contour", "3d", "both"], default="both",
                   help="for surface (default: %(default)s)")
    _csv_options(p, saved=True)
    _force(p)
    _common(p)

    p = sub.add_parser("explore", help="watch descend learn, in the browser",
                       description="Serve the explorer on this machine (127.0.0.1 only) and "
                       "open it in the default browser: choose data, model, solver and "
                       "learning rate, and watch the path on the loss surface, the loss and "
                       "the fit, every number computed by descend. Ctrl-C stops it.")
    p.add_argument("--port", type=_port, default=0,
                   help="the port to listen on (default: a free one)")
    p.add_argument("--no-browser", action="store_true",
                   help="print the address without opening a browser")
    _common(p)

    p = sub.add_parser("info", help="describe a saved model",
                       description="Print what a saved model file holds.")
    p.add_argument("model", metavar="MODEL.json")
    _common(p)
    return parser


