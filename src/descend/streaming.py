r"""``partial_fit``: learning from data that arrive in chunks, one pass over each.

Each call runs one epoch of :func:`descend.stochastic.run_epoch` over the
chunk it is given, in the order given, in batches of ``batch_size`` rows, and
keeps what the next call needs in an explicit :class:`Stream`: the raw
iterate, the running average, the step and the coordinates. Feeding a data
set in chunks, in order, is then exactly one epoch of ``solver="sgd"`` with
``shuffle=False`` over the same rows (where each chunk holds whole batches),
from the same start, coordinates and rate. ``sample_weight`` weighs each row's
update as given (2 counts a row twice), where ``fit`` scales the weights to
average 1: the two agree for weights that average 1. The loss a chunk reports
is then :math:`\sum_i s_i L_i / m` over its ``m`` rows.

What a stream cannot know in advance is fixed by its first chunk (or by the
fit it continues):

* the standardization, the first chunk's column means and spreads;
* the step, ``learning_rate``; or :math:`1/L(b)` from the curvature of the
  chunks seen, lowered (never raised) whenever a chunk is more spread out, or
  holds a row of larger curvature, than any before it, so that a shift in the
  data or one outlier does not throw the descent off;
* the target's unit, and for a classifier the ``classes`` passed on the first
  call.

The rate stays constant: a stream has no epochs to decay over. ``average=True``
averages the iterates from the second chunk on, and that average is what
settles the noise of the steps (for the squared error, constant steps with
averaging converge: Bach and Moulines, 2013).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .base import _Target
from .errors import DivergenceError
from .losses import LogLoss
from .objective import Objective
from .rows import ArrayRows, rows_for
from .solvers import NOISY_RISE
from .softmax import Softmax
from .stochastic import Batches, BatchLog, batch_smoothness, run_epoch
from .weights import class_factors

__all__ = ["Stream", "partial_fit"]

_TINY = np.finfo(float).tiny
#: A first chunk of fewer rows (or fewer than the columns + 1) measures the columns'
#: spread too poorly to fix the stream's standardization on: a warning says so.
FIRST_ROWS = 20


@dataclass
class Stream:
    """What ``partial_fit`` carries from one chunk to the next, in the objective's units."""

    mean: np.ndarray          # the descent's standardization
    scale: np.ndarray
    unit: float               # the target's unit, and what y is divided by
    factor: float
    t0: float                 # the step
    x: np.ndarray             # the raw iterate (theta)
    L: float = None           # with learning_rate="auto": the largest curvature of a chunk
    L_max: float = 0.0        # and of a single row, seen so far
    average: tuple = None     # (mean, count) of the iterates, with average=True
    chunks: int = 0


def partial_fit(model, X, y, classes=None, sample_weight=None):
    """One epoch of mini-batch updates of ``model`` over the chunk ``(X, y)``; see the
    module's text. Returns ``model``."""
    model._check_params()
    name = type(model).__name__
    stream = getattr(model, "_stream", None)
    fitted = hasattr(model, "coef_")
    first = stream is None and not fitted
    classify = model._loss.classifies
    if classify:
        _check_classes(model, classes, first)
    rows = rows_for(model, X, y, classify=classify, reset=first, sample_weight=sample_weight)
    if not isinstance(rows, ArrayRows):
        raise ValueError(f"{name}.partial_fit reads each chunk in memory: pass numpy arrays or "
                         "pandas frames (compute a Dask partition first).")
    if sample_weight is not None:            # checked; as given, so chunks weigh as they say
        raw = np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (len(y),))
        rows.sample_weight = raw[raw > 0].copy()          # rows of weight 0 are left out
    rows.moments()                                   # X's finiteness, chunk by chunk
    loss, outputs = model._loss, 1
    if classify:
        loss, outputs = _encode(model, rows)
    if stream is None:
        stream = _start(model, rows, fitted, loss, outputs)
        if not fitted and model.standardize and rows.m < max(FIRST_ROWS, rows.n + 1):
            warnings.warn(
                f"{name}.partial_fit: the first chunk has {rows.m} row"
                f"{'s' * (rows.m != 1)}, too few to measure the columns' spread, and the "
                "stream keeps the standardization and the step it gives. Feed a first chunk "
                f"of at least {max(FIRST_ROWS, rows.n + 1)} rows (later ones may be single "
                "rows), or pass standardize=False with a learning_rate.", UserWarning,
                stacklevel=3)
    elif stream.factor != 1.0:
        rows.divide_target(stream.factor)
    objective = Objective(rows, loss, alpha=model._l2,
                          l1=model.alpha * model.l1_ratio / stream.factor,
                          mean=stream.mean, scale=stream.scale, unit=stream.unit,
                          outputs=outputs)
    _step(model, objective, stream)
    if model.average and stream.chunks >= 1 and stream.average is None:
        stream.average = (stream.x, 1)
    J0 = objective(stream.x)[0]
    done = 0 if first else model.n_iter_            # the history's entries before this chunk
    log = BatchLog()
    with np.errstate(over="ignore", invalid="ignore"):
        stream.x, stream.average, _ = run_epoch(
            objective, Batches(rows.m, model.batch_size, shuffle=False), stream.x,
            t_of=lambda e: stream.t0, average=stream.average, log=log, start=float(done))
        theta = stream.x if stream.average is None else stream.average[0]
        J, g, _ = objective(theta)
    y_unit = stream.unit * stream.factor
    if not (np.isfinite(J) and np.all(np.isfinite(stream.x)) and J <= NOISY_RISE * J0 + _TINY):
        L = objective.batch_lipschitz(model.batch_size)
        raise DivergenceError.at(
            stream.chunks + 1, J * y_unit * y_unit, 1.0 / L,
            f"{name}.partial_fit diverged with learning_rate={stream.t0:g}: over its pass, the "
            f"loss of this chunk went from {J0 * y_unit * y_unit:.6g} to {J * y_unit * y_unit:.6g}. The "
            f"largest stable rate for batches of {model.batch_size} of these rows is 1/L = "
            f"{1.0 / L:.4g}; use a smaller learning_rate, or learning_rate='auto'.")
    w, b = objective.params(theta)
    coef, intercept = w * stream.factor, b * stream.factor
    model._check_representable(coef, intercept, y_unit)
    model._set_fitted(coef, intercept)
    model.x_mean_, model.x_scale_ = stream.mean, stream.scale
    model._fit_rows = None                           # summary() needs all the rows again
    model._fit_penalty = (model.alpha, model.l1_ratio)
    model.__dict__.pop("_summary_record", None)
    _record(model, stream, log, J0, J, g, y_unit, first)
    stream.chunks += 1
    model._stream = stream
    return model


def _check_classes(model, classes, first):
    """``classes_`` from the first call's ``classes``; later calls must agree."""
    name = type(model).__name__
    if classes is None:
        if first:
            raise ValueError(f"{name}.partial_fit: classes must be passed on the first call "
                             "(all the labels the stream will hold, e.g. classes=[0, 1]): one "
                             "chunk may not show every class.")
        return
    given = np.unique(np.asarray(classes))
    if given.size < 2:
        raise ValueError(f"{name}.partial_fit: classes={given.tolist()!r} names "
                         f"{given.size} class; pass every label the stream will hold, at least "
                         "two, e.g. classes=[0, 1].")
    if first:
        model.classes_ = model._check_classes(given)
    elif not np.array_equal(given, model.classes_):
        raise ValueError(f"{name}.partial_fit: classes={given.tolist()!r} differ from the "
                         f"classes of the earlier calls, {model.classes_.tolist()!r}.")


def _encode(model, rows):
    """The chunk's labels as 0/1 (or codes 0..K-1), refusing labels outside ``classes_``;
    ``class_weight`` (a dict) multiplies the weights. Returns ``(loss, outputs)``."""
    name, classes = type(model).__name__, model.classes_
    stray = np.setdiff1d(rows.labels, classes)
    if stray.size:
        raise ValueError(f"{name}.partial_fit: y holds "
                         f"{stray[:5].tolist()!r}, not among classes="
                         f"{classes.tolist()!r} given on the first call.")
    if isinstance(model.class_weight, str):
        raise ValueError(f"{name}.partial_fit: class_weight='balanced' needs every class's "
                         "count, which a stream does not know before its end; pass a dict "
                         "of weights, e.g. computed from counts seen elsewhere.")
    if len(classes) == 2:
        rows.encode(classes[1])
    else:
        rows.encode_classes(classes)
    if model.class_weight is not None:
        codes = rows.y.astype(np.intp)
        factors = class_factors(model.class_weight, classes, codes, name)[codes]
        rows.sample_weight = factors if rows.sample_weight is None else rows.sample_weight * factors
    return (LogLoss, 1) if len(classes) == 2 else (Softmax, len(classes))


def _start(model, rows, fitted, loss, outputs):
    """A new stream: the first chunk's coordinates and start, or the weights and
    standardization of the fit it continues; the target's unit from the first chunk."""
    target = _Target(1.0, 1.0, loss, outputs) if loss.classifies else model._target(rows)
    unit, factor = target.unit, target.factor
    if fitted:
        mean, scale = np.asarray(model.x_mean_, float), np.asarray(model.x_scale_, float)
        coef = np.asarray(model.coef_, dtype=float)
        w = coef.T if outputs > 1 else np.ravel(coef) / factor
        b = (np.asarray(model.intercept_, dtype=float) if outputs > 1 else
             float(np.ravel(model.intercept_)[0]) / factor)
    else:
        mean, scale, _ = model._coordinates(rows, loss)
        w, b = model._start(rows, None, None, target)
    x = Objective(rows, loss, mean=mean, scale=scale, unit=unit, outputs=outputs).theta(w, b)
    return Stream(mean, scale, unit, factor, None, x)


def _step(model, objective, stream):
    """The stream's step: ``learning_rate``; or for "auto" 1/L(b), from the largest
    curvatures seen so far, of a whole chunk (L, power iteration, a few passes over the
    chunk) and of one row (L_max, one pass), so that a chunk more spread out than any
    before lowers the step before its pass (the step never rises again)."""
    if model.learning_rate != "auto":
        stream.t0 = float(model.learning_rate)
        return
    rng = np.random.default_rng(0 if model.random_state is None else model.random_state)
    stream.L = max(stream.L or 0.0, objective.lipschitz(rng))
    size = model.batch_size
    if size is not None and size < objective.rows.m:
        stream.L_max = max(stream.L_max, objective.row_lipschitz())
    L = batch_smoothness(stream.L, max(stream.L_max, stream.L), objective.rows.m,
                         objective.rows.m if size is None else size)
    step = 1.0 / max(L, np.finfo(float).tiny)
    stream.t0 = step if stream.t0 is None else min(stream.t0, step)


def _record(model, stream, log, J0, J, g, y_unit, first):
    """The fitted attributes after a chunk; ``history_`` gains one entry per chunk: the
    chunk's loss at the weights after its pass (entry 0, the first chunk's at the start),
    after the entries of the fit or the chunks before, and the chunk's batch losses."""
    square = y_unit * y_unit
    gnorm = float(np.max(np.abs(g))) * y_unit if g.size else 0.0
    batch_loss, batch_epoch = log.arrays()
    new = {"loss": [J * square], "grad_norm": [gnorm], "learning_rate": [stream.t0],
           "gap": [np.nan], "batch_loss": batch_loss * square, "batch_epoch": batch_epoch}
    old = ({"loss": [J0 * square], "grad_norm": [np.nan], "learning_rate": [stream.t0],
            "gap": [np.nan]} if first else model.history_)
    model.history_ = {key: np.concatenate([np.asarray(old.get(key, []), dtype=float),
                                           np.asarray(new[key], dtype=float)]) for key in new}
    model.n_iter_ = len(model.history_["loss"]) - 1
    model.converged_ = False
    model.stop_reason_ = "partial_fit"
    model.solver_ = "sgd"
