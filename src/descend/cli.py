"""The ``descend`` command: a thin layer over the library.

Exit codes: 0 success, 1 a data or model problem (one line on stderr, no
traceback unless ``--debug``), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import warnings

__all__ = ["main"]

EPILOG = """examples:
  descend demo --out figures
  descend train houses.csv --target price --out price.json
  descend predict price.json new_houses.csv --out predictions.csv
  descend evaluate price.json held_out.csv
  descend info price.json
"""


def _common(p):
    p.add_argument("--debug", action="store_true", help="show the full traceback on errors")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="descend", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Linear and logistic regression trained by gradient descent, shown step by step.",
    )
    from . import __version__
    parser.add_argument("--version", action="version", version=f"descend {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="housing prices and breast cancer, end to end",
                       description="Fit LinearRegression to the bundled California housing data "
                       "and LogisticClassifier to the breast-cancer data; print what was done "
                       "and the held-out metrics; write loss curves and fit figures as PNG.")
    p.add_argument("--out", default="descend-output", metavar="DIR",
                   help="folder for the figures (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="overwrite files descend did not create")
    _common(p)

    p = sub.add_parser("train", help="fit a model to a CSV file and save it",
                       description="Read DATA.csv, hold out part of it, fit by gradient descent, "
                       "print the cleaning report and held-out metrics, and save the model as JSON.")
    p.add_argument("data", metavar="DATA.csv", help="the CSV file, with a header row")
    p.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    p.add_argument("--features", nargs="+", metavar="COL",
                   help="the columns to learn from (default: all but the target)")
    p.add_argument("--model", choices=["auto", "linear", "logistic"], default="auto",
                   help="auto: logistic when the target has two distinct values (default)")
    p.add_argument("--solver", choices=["lbfgs", "nesterov", "gd"], default="lbfgs",
                   help="gd is the plain update of the material (default: %(default)s)")
    p.add_argument("--learning-rate", default="auto", metavar="RATE",
                   help="a positive number, or auto (default); not with --solver lbfgs")
    p.add_argument("--max-iter", type=int, default=1000, metavar="N", help="(default: %(default)s)")
    p.add_argument("--tol", type=float, default=1e-6, help="(default: %(default)s)")
    p.add_argument("--alpha", type=float, default=0.0, help="L2 penalty (default: %(default)s)")
    p.add_argument("--test-frac", type=float, default=0.2, metavar="F",
                   help="share of rows held out for testing (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the split (default: %(default)s)")
    p.add_argument("--missing", choices=["error", "drop", "mean", "median"], default="error",
                   help="what to do with empty cells (default: %(default)s)")
    p.add_argument("--out", default="model.json", metavar="MODEL.json",
                   help="where to save the model (default: %(default)s)")
    p.add_argument("--plot", metavar="LOSS.png", help="also write the loss curve to this PNG")
    p.add_argument("--force", action="store_true", help="overwrite files descend did not create")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no narration")
    _common(p)

    p = sub.add_parser("predict", help="predict with a saved model",
                       description="Predict every row of DATA.csv with a saved model; a classifier "
                       "also gives the probability of each class.")
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("data", metavar="DATA.csv")
    p.add_argument("--out", metavar="PREDS.csv", help="write here instead of to standard output")
    p.add_argument("--force", action="store_true", help="overwrite files descend did not create")
    _common(p)

    p = sub.add_parser("evaluate", help="metrics of a saved model on labelled data",
                       description="Print the metrics of a saved model on DATA.csv, which must "
                       "hold the target column the model was trained on.")
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("data", metavar="DATA.csv")
    _common(p)

    p = sub.add_parser("info", help="describe a saved model",
                       description="Print what a saved model file holds.")
    p.add_argument("model", metavar="MODEL.json")
    _common(p)
    return parser


def _warn_in_one_line(message, category, *args, **kwargs):
    print(f"descend: warning: {message}", file=sys.stderr)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    from . import commands
    from .errors import DescendError

    warnings.showwarning = _warn_in_one_line
    try:
        return getattr(commands, args.command)(args) or 0
    except (DescendError, FileExistsError, FileNotFoundError, IsADirectoryError,
            PermissionError, ValueError) as exc:
        if args.debug:
            raise
        text = str(exc).strip() or type(exc).__name__
        print("descend: error: " + text.replace("\n", "\n  "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("descend: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
