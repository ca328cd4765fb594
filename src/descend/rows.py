r"""The one data seam: the rows of ``(X, y)`` as a fit reads them, in memory or on Dask.

A fit asks its rows for four things, whatever holds them:

* ``moments()``: the column means and standard deviations (one pass);
* ``loss_grad(w, b, loss, target=True)``: the mean loss and its gradient
  (one pass, :func:`descend.gradient.loss_grad`; ``target=False`` measures
  against :math:`y = 0`);
* ``squared_hessian(shift, scale)``: the squared error's Hessian in one
  pass where that is cheap, else None (the products are then passes);
* ``loss_grad_hessian(w, b, loss, shift, scale)``: the loss, gradient and
  Hessian in one pass (:mod:`descend.hessian`), and ``exact_grad(w, b,
  shift)``, the squared error's gradient from exact residuals: what
  Newton's method reads; ``hessian_bound(w, b, loss, shift, scale, every)``,
  a lower bound on the Hessian from every ``every``-th block of rows, and
  the share of the rows it read: what a gradient solver's certificate reads;
* for stochastic descent (in memory only): ``subset(rows)``, a batch's rows, and
  ``largest_row_norm(shift, scale)``, the largest standardized row;
* the target's summary: ``labels`` (a classifier's distinct labels),
  ``encode(positive)`` (labels to 0/1), ``encode_classes(classes)`` (to codes
  0..K-1, in memory),
  ``shares(K)`` (each code's weighted share), ``y_mean`` and ``y_absmax``, and
  ``divide_target(s)``.

The rows hold the sample weights, if any, scaled to sum to ``m``: every pass
multiplies a row's loss, residual and curvature by its weight and divides by
``m`` as before, so that the weighted loss is :math:`\sum_i s_i L_i / \sum_i
s_i`, integer weights fit as repeated rows and zero weights as removed ones. A
loss with passes of its own (:class:`descend.softmax.Softmax`) brings them as
``grad_pass``, ``hessian_pass`` and ``bound_pass``.

:class:`ArrayRows` serves numpy arrays; :class:`descend.dask.cluster.DaskRows`
serves Dask collections with the same methods. :func:`rows_for` is the one
place that asks which kind of array the estimator was given; :func:`scored`
and :func:`computed` do the same for predictions, so that the estimators
never ask.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import _check_feature_names, check_is_fitted, validate_data

from .arrays import check_fit_inputs
from .dask.inputs import is_dask
from .gradient import loss_grad
from .hessian import exact_grad, hessian_bound, loss_grad_hessian
from .moments import column_moments
from .stochastic import largest_row_norm
from .weights import checked_weights, normalized

__all__ = ["ArrayRows", "rows_for", "checked_input", "scored", "computed"]

#: The dtypes a fit reads as they are; any other X becomes float64.
DTYPES = [np.float64, np.float32]


class ArrayRows:
    """In-memory rows: ``X`` (m, n) float64 or float32, ``y`` (m,) labels or float64.

    ``who``: the estimator's name when ``X`` is not yet known to be finite. The
    moments pass then checks it on the way (a NaN or infinity makes a column's
    moments non-finite), and only a non-finite moment pays for scikit-learn's
    element-wise check, which raises its usual error: a separate check would
    read all of ``X`` once more.
    """

    def __init__(self, X, y, who=None, sample_weight=None):
        self.X, self.y = X, y
        self.m, self.n = X.shape
        self.sample_weight = sample_weight           # None, or (m,) summing to m
        self.total = float(self.m)                   # what the weights summed to as given
        self.kept = None                             # rows of X given that were kept (mask)
        self._zeros = None
        self._unchecked, self._moments = who, None

    @property
    def shape(self):
        return self.m, self.n

    def moments(self):
        if self._moments is None:
            mean, std = column_moments(self.X, sample_weight=self.sample_weight)
            if self._unchecked and not np.all(np.isfinite(mean)):
                # non-finite, or finite values whose sum overflows: tell them apart
                assert_all_finite(self.X, input_name="X", estimator_name=self._unchecked)
            self._moments = mean, std
        return self._moments

    def loss_grad(self, w, b, loss, target=True):
        sw = self.sample_weight
        if hasattr(loss, "grad_pass"):
            return loss.grad_pass(self.X, self._target(target), w, b, sample_weight=sw)
        return loss_grad(self.X, self._target(target), w, b, loss, sample_weight=sw)

    def squared_hessian(self, shift, scale):
        """None: in memory, power iteration takes its products as passes."""
        return None

    def _target(self, target):
        if target:
            return self.y
        if self._zeros is None:
            self._zeros = np.zeros(self.m)
        return self._zeros

    def loss_grad_hessian(self, w, b, loss, shift, scale, target=True):
        sw = self.sample_weight
        if hasattr(loss, "hessian_pass"):
            return loss.hessian_pass(self.X, self._target(target), w, b, shift, scale,
                                     sample_weight=sw)
        return loss_grad_hessian(self.X, self._target(target), w, b, loss, shift, scale,
                                 sample_weight=sw)

    def hessian_bound(self, w, b, loss, shift, scale, every):
        sw = self.sample_weight
        if hasattr(loss, "bound_pass"):
            return loss.bound_pass(self.X, self.y, w, b, shift, scale, every, sample_weight=sw)
        return hessian_bound(self.X, self.y, w, b, loss, shift, scale, every, sample_weight=sw)

    def exact_grad(self, w, b, shift):
        return exact_grad(self.X, self.y, w, b, shift, sample_weight=self.sample_weight)

    def subset(self, rows):
        """The rows ``rows`` (a slice: views; an index array: a copy of those rows), with
        their weights."""
        sw = self.sample_weight
        return ArrayRows(self.X[rows], self.y[rows], sample_weight=None if sw is None else sw[rows])

    def largest_row_norm(self, shift, scale):
        r""":math:`\max_i s_i (\lVert z_i\rVert^2 + 1)`, the largest standardized row with its
        intercept's 1, times its weight."""
        return largest_row_norm(self.X, shift, scale, sample_weight=self.sample_weight)

    # -- the target
    @property
    def labels(self):
        return np.unique(self.y)

    def encode(self, positive):
        """The labels as 0.0/1.0, 1.0 for ``positive``."""
        self.y = (self.y == positive).astype(np.float64)

    def encode_classes(self, classes):
        """The labels as the codes 0.0 .. K-1 of their places in ``classes`` (sorted)."""
        self.y = np.searchsorted(classes, self.y).astype(np.float64)

    def reweigh(self, factors, who):
        """Multiply each row's weight by ``factors`` (m,) (class weights), and scale the
        weights to sum to ``m`` again; ``who`` names them in an error."""
        sw = factors if self.sample_weight is None else self.sample_weight * factors
        sw = np.asarray(sw, dtype=np.float64)
        self.total *= float(np.mean(sw))             # the weights as given, times the factors
        self.sample_weight = normalized(sw, who)
        self._moments = None

    def shares(self, K):
        """Each of the K class codes' share of the (weighted) rows, (K,); a class without
        rows (a stream's first chunk may lack one) counts as half a row."""
        counts = np.bincount(self.y.astype(np.intp), weights=self.sample_weight, minlength=K)
        counts[counts == 0] = 0.5
        return counts / counts.sum()

    @property
    def y_absmax(self):
        return max(abs(float(self.y.max())), abs(float(self.y.min())))   # no copy of y

    @property
    def y_mean(self):
        sw = self.sample_weight
        with np.errstate(over="ignore"):
            mean = float(np.average(self.y, weights=sw))
        if np.isfinite(mean):
            return mean
        top = self.y_absmax                  # the sum overflowed: average in units of max|y|
        return float(np.average(self.y / top, weights=sw)) * top

    def divide_target(self, s):
        self.y = self.y / s


def rows_for(estimator, X, y, *, classify, reset=True, sample_weight=None):
    """The rows of ``(X, y)`` for ``estimator``'s fit, checked once, with scikit-learn's
    bookkeeping (``n_features_in_``, ``feature_names_in_``) done on the estimator, or
    checked against it (``reset=False``: a later chunk of ``partial_fit``); with their
    ``sample_weight`` checked and scaled to sum to ``m``."""
    who = type(estimator).__name__
    if is_dask(X) or is_dask(y):            # one distributed pass per evaluation
        from .dask.cluster import DaskRows
        rows = DaskRows.prepare(X, y, who, classify, sample_weight=sample_weight)
        _check_feature_names(estimator, rows.header, reset=True)
        estimator.n_features_in_ = rows.n
        return rows
    check_fit_inputs(X, y, who, numeric=not classify)
    # X's finiteness is checked by the moments pass (ArrayRows), not a pass of its own.
    X, y = validate_data(estimator, X, y, dtype=DTYPES, y_numeric=not classify,
                         ensure_all_finite=False, reset=reset)
    y = y if classify else np.asarray(y, dtype=np.float64)
    m = X.shape[0]
    sw = checked_weights(sample_weight, m, who)
    keep = None
    if sw is not None and not np.all(sw > 0):
        # A row of weight 0 is left out (a copy of the others): nothing of it, not its
        # values however large, nor its target's scale, may reach the fit.
        keep = sw > 0
        X, y, sw = X[keep], y[keep], normalized(sw[keep], who)
    rows = ArrayRows(X, y, who=who, sample_weight=sw)
    rows.kept = keep
    if sample_weight is not None:            # the sum as given, in the units of the given
        rows.total = _given_total(sample_weight, m, keep)
    return rows


def _given_total(sample_weight, m, keep):
    """The sum of the weights as given (already checked: one weight, or m), of the rows
    kept; infinite if it overflows."""
    given = np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (m,))
    with np.errstate(over="ignore"):
        return float(np.sum(given if keep is None else given[keep]))


def checked_input(estimator, X):
    """``X`` checked for ``estimator``'s predictions: numpy, or a lazy dask array."""
    check_is_fitted(estimator)
    if is_dask(X):
        from .dask.inputs import as_dask_matrix
        X, header = as_dask_matrix(X, type(estimator).__name__)
        _check_feature_names(estimator, header, reset=False)   # scikit-learn's own checks
        if X.shape[1] != estimator.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(estimator).__name__} is "
                             f"expecting {estimator.n_features_in_} features as input.")
        return X
    return validate_data(estimator, X, reset=False, dtype=DTYPES)


def scored(fn, z, *args, columns=False, dtype=np.float64, drop=False):
    """``fn(z, *args)`` for scores ``z``: at once for numpy, lazily chunk by chunk for Dask
    (``columns``: ``fn`` makes each score a row of columns; ``drop``: a row of scores
    one value)."""
    if is_dask(z):
        if drop:
            return z.rechunk({1: -1}).map_blocks(fn, *args, drop_axis=1, dtype=dtype)
        return z.map_blocks(fn, *args, new_axis=1 if columns else None, dtype=dtype)
    return fn(z, *args)


def computed(*arrays):
    """The arrays as numpy, Dask ones computed together in one pass."""
    if not any(is_dask(a) for a in arrays):
        return arrays
    import dask

    from .dask.inputs import series_array
    arrays = [series_array(a) if hasattr(a, "to_dask_array") else a for a in arrays]
    return tuple(np.asarray(a) for a in dask.compute(*arrays))
