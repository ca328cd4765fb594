"""The ``descend`` command: a thin layer over the library.

Exit codes: 0 success, 1 a data or model problem (one line on stderr, no
traceback unless ``--debug``), 2 bad usage (the command's own usage line).
Warnings and errors are said in the command line's words (``--missing drop``,
not ``missing='drop'``).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import warnings

from ..modelfile import CSV_SUFFIXES
from .parser import SCORED, build_parser

__all__ = ["main"]


def _warn_in_one_line(message, category, *args, **kwargs):
    from tqdm import tqdm                   # clears a progress bar's line, then redraws it

    tqdm.write(f"descend: warning: {cli_words(str(message))}", file=sys.stderr)


#: An option in the library's words, with a value or without one (``features=``).
_OPTION = re.compile(r"\b(missing|sep|encoding|quote|decimal|learning_rate|alpha|solver|max_iter|"
                     r"tol|features|exclude|keep|target|model|test_frac|batch_size|schedule|l1_ratio|"
                     r"class_weight|sample_weight|cov_type)="
                     r"""('[^']*'|"[^"]*"|\[(?:'[^']*'|"[^"]*"|[^\]'"])*\]|[\w.+-]+)?""")
_PLAIN = re.compile(r"[\w.,+-]+")
_QUOTED = re.compile(r"'([^']*)'" + r'|"([^"]*)"')
_WORDS = (("force=True", "--force"), (" (--force)", ""), ("average=True", "--average"),
          ("a larger batch_size", "a larger --batch-size"),
          ("a smaller learning_rate", "a smaller --learning-rate"),
          (" (later ones may be single rows), or pass standardize=False with a learning_rate",
           ""), ("Feed a first chunk of at least", "Pass --chunksize of at least"), ("(max_iter)", "(--max-iter)"),
          ("descend.persist.save", "descend train"),
          ("set alpha > 0 (an L2 penalty)", "pass an L2 penalty, e.g. --alpha 1e-3"))


def cli_words(text):
    """Library advice in command-line words: missing='drop' -> --missing drop."""
    def option(match):
        name, value = match.group(1).replace("_", "-"), match.group(2)
        if value is None:
            return f"--{name}"
        if value.startswith("["):
            names = _QUOTED.findall(value)
            value = ",".join(a or b for a, b in names)
            return f"--{name} {value if _PLAIN.fullmatch(value) else repr(value)}"
        bare = value[1:-1] if value[:1] in "'\"" and value[-1:] == value[:1] else value
        shown = bare if _PLAIN.fullmatch(bare) else repr(bare)
        return f"--{name} {shown}"
    text = _OPTION.sub(option, text)
    for library, command in _WORDS:
        text = text.replace(library, command)
    return text


#: Per command, the files it reads and writes, by the words the user typed for them.
_FILES = {
    "train": (("DATA.csv", "data"),), "predict": (("MODEL.json", "model"), ("DATA.csv", "data")),
}
_WRITES = {"train": (("--out", "out"), ("--plot", "plot")), "predict": (("--out", "out"),)}


def _check_files(error, args):
    """No command writes over one of its own inputs, or writes two outputs to one file."""
    from ..outputs import clash

    inputs = {role: getattr(args, attr) for role, attr in _FILES.get(args.command, ())}
    outputs = {role: getattr(args, attr) for role, attr in _WRITES.get(args.command, ())}
    found = clash(inputs, outputs)
    if found:
        role, other = found
        if other in inputs:
            error(f"{role} {outputs[role]} is the same file as {other} {inputs[other]}: "
                  f"writing it would destroy {other}; give {role} another file name")
        error(f"{role} {outputs[role]} is the same file as {other} {outputs[other]}: "
              f"one would overwrite the other; give {role} another file name")


def _check_usage(parser, args):
    error = parser.commands[args.command].error
    _check_files(error, args)
    if args.command in ("predict", "evaluate"):
        if args.model.lower().endswith(CSV_SUFFIXES) and args.data.lower().endswith(".json"):
            error(f"the arguments look swapped: {args.model} looks like a CSV file and "
                  f"{args.data} like a model file; give the model first, then the data: "
                  f"descend {args.command} {args.data} {args.model} ...")
    if args.command == "train" and args.data.lower().endswith(".json"):
        error(f"{args.data} looks like a model file; train reads a CSV file (descend train "
              "DATA.csv --target COL); to use a saved model, run descend predict or evaluate")
    if args.command == "predict" and args.keep and args.keep_all:
        error("give --keep COLS or --keep-all, not both")
    if args.command == "plot":
        _check_plot(error, args)
    if args.command != "train":
        return
    if args.solver in ("lbfgs", "newton", "lbfgs-newton") and args.learning_rate != "auto":
        error(f"--solver {args.solver} chooses its own steps: leave out "
              "--learning-rate, or use --solver gd, nesterov or sgd with it")
    from ..streaming import FIRST_ROWS                  # only for train: it imports the models
    if args.chunksize and args.chunksize < FIRST_ROWS:
        error(f"--chunksize {args.chunksize}: a chunk must hold at least {FIRST_ROWS} rows; the "
              "first one measures the columns' spread, which fixes the standardization and "
              "the step of the whole stream")
    if args.chunksize and args.solver not in ("auto", "sgd"):
        error(f"--chunksize streams the file through partial_fit, mini-batch descent; "
              f"--solver {args.solver} needs the whole file in memory: leave out one of them")
    if args.plot and not args.plot.lower().endswith((".png", ".svg", ".pdf")):
        error(f"--plot {args.plot}: the figure's file name must end in .png, .svg or .pdf")
    _check_weights(error, args)


def _check_weights(error, args):
    """--sample-weight, --class-weight and --l1-ratio against the other flags of train."""
    column = args.sample_weight
    if column is not None and column.strip() == args.target.strip():
        error(f"--sample-weight {column} is the --target column: the weights must be a column "
              "of their own")
    if column is not None and column.strip() in {f.strip() for f in args.features or ()}:
        error(f"--sample-weight {column} is also listed in --features: a column is either "
              "the rows' weights or a feature; remove it from --features")
    if args.class_weight is not None and args.model == "linear":
        error("--class-weight weighs the classes of a classifier, and --model linear fits a "
              "regression: leave out --class-weight, or use --model logistic (or auto)")
    if args.l1_ratio > 0 and args.alpha == 0:
        error(f"--l1-ratio {args.l1_ratio:g} is the L1 share of the --alpha penalty, and "
              "--alpha is 0, so nothing would be penalized: give --alpha too, e.g. --alpha 0.01")
    if args.chunksize and args.class_weight == "balanced":
        error("--class-weight balanced needs every class's count, which a stream "
              "(--chunksize) does not know before the end of the file: give the weights as "
              "--class-weight LABEL=W,LABEL=W, or leave out --chunksize")


def _check_plot(error, args):
    args.out = args.out or f"{args.figure}.png"
    if not args.out.lower().endswith((".png", ".svg", ".pdf")):
        error(f"--out {args.out}: the figure's file name must end in .png, .svg or .pdf")
    saved = args.model not in (None, "linear", "logistic")
    bundled = args.data in (None, "housing", "cancer")
    if saved and args.figure not in ("loss-curve", "coefficients") + SCORED:
        error(f"--model {args.model}: a model file draws loss-curve, coefficients, fit, roc or "
              f"calibration; {args.figure} takes --model linear or logistic")
    if args.figure == "coefficients" and not saved and (args.model == "logistic"
                                                        or args.data == "cancer"):
        error("plot coefficients: the bundled breast-cancer data separate the classes, so an "
              "unpenalized fit has no finite weights to be sure of; give --model MODEL.json "
              "(trained by descend train), or leave out --model for the housing data")
    if (args.model or "").lower().endswith(CSV_SUFFIXES) and (args.data or "").lower().endswith(".json"):
        error(f"--model {args.model} looks like a CSV file and --data {args.data} like a model "
              "file: swap them")
    if not bundled and not saved:
        error(f"--data {args.data}: a CSV file is drawn with the model that scores it; add "
              "--model MODEL.json (a model saved by descend train)")
    if not bundled and args.figure not in SCORED:
        error(f"--data {args.data}: a CSV file is drawn by the fit, roc and calibration "
              f"figures; {args.figure} takes --data housing or cancer")
    if saved and args.figure in SCORED and bundled:
        error(f"plot {args.figure} --model {args.model} needs the CSV file to score: add "
              "--data DATA.csv")
    if saved and args.data is not None and args.figure == "loss-curve":
        error("plot loss-curve --model MODEL.json draws the loss the model file recorded; "
              "leave out --data")
    if args.figure in ("roc", "calibration") and not saved and (
            args.model == "linear" or args.data == "housing"):
        flag, why = (("--model linear", "a linear model has none") if args.model == "linear"
                     else ("--data housing", "the housing data hold prices, not classes"))
        error(f"{flag}: {args.figure} draws a classifier's probabilities, and {why}; leave "
              f"out {flag} (a classifier of the bundled breast-cancer data), or give --model "
              "MODEL.json of a classifier and --data DATA.csv")


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


class _Stdout:
    """Standard output whose reader may leave (``descend train ... | head``): from then on
    it writes to devnull, and the command still finishes its work (the model is saved)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self):
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._gone()

    def _gone(self):
        # What is still buffered must go nowhere: point the descriptor at devnull, so
        # that later writes and the flush at exit neither fail nor print a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self.stream.fileno())
        os.close(devnull)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_usage(parser, args)
    from . import commands
    from ..errors import DescendError

    shown, warnings.showwarning = warnings.showwarning, _warn_in_one_line
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    stdout, sys.stdout = sys.stdout, _Stdout(sys.stdout)
    try:
        code = getattr(commands, args.command)(args) or 0
        sys.stdout.flush()        # a reader that left shows here, not at interpreter exit
        return code
    except (DescendError, OSError, ValueError) as exc:
        if args.debug:
            raise
        text = str(exc).strip() or type(exc).__name__
        print("descend: error: " + cli_words(text).replace("\n", "\n  "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("descend: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout, warnings.showwarning = stdout, shown
        if main_thread:
            signal.signal(signal.SIGTERM, previous)   # SIGTERM unwinds, so half-written files go away


if __name__ == "__main__":
    sys.exit(main())
