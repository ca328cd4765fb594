r"""The estimators: ``LinearRegression`` and ``LogisticClassifier``.

They differ only in their link and loss (:mod:`descend.losses`); the gradient
(:mod:`descend.gradient`) and the training loop (:mod:`descend.solvers`) are
shared. Both minimize

.. math::
    J(w, b) = \frac{1}{m}\sum_{i=1}^{m} L(z_i, y_i) + \frac{\alpha}{2}\lVert w\rVert^2,
    \qquad z = Xw + b,

with :math:`L` half the squared error or the binary cross-entropy. The
penalty is on ``coef_`` in the units of ``X`` and never on the intercept, so
``standardize`` changes the path of the descent, never its destination.
"""

from __future__ import annotations

import numbers
from functools import partial
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.multiclass import check_classification_targets

from .diagnosis import warn_collinear, warn_unless_converged
from .docstrings import FITTED_DOC, PARAMS_DOC
from .errors import DataError
from .losses import LogLoss, SquaredError, loss_of, sigmoid
from .material import MaterialMethods
from .objective import Objective, target_scale
from .rows import ArrayRows, checked_input, computed, rows_for, scored
from .solvers import SOLVERS, minimize
from .stochastic import sgd
from .steps import Step, reporter
from .stochastic import SCHEDULES, BatchLog, Batches

__all__ = ["LinearRegression", "LogisticClassifier", "Step", "estimator", "objective_of"]


#: ``solver="auto"`` takes Newton's method up to this many features, by loss, and L-BFGS
#: beyond: measured crossovers at ten million cells (``benchmarks/crossover.py``; README,
#: "Choosing the solver"). The squared error's Newton (one curvature pass, then
#: refinement to the last digits) is faster than L-BFGS on correlated data up to 1,600
#: features, about half as fast on well-conditioned data at 200-800; on the log-loss
#: L-BFGS then Newton runs level with L-BFGS up to 400 features, slower at 800.
AUTO_NEWTON_FEATURES = {"linear": 2000, "logistic": 400}
#: Up to this many features, a gradient solver's convergence is certified by the
#: Newton decrement (from part of the rows where the whole Hessian costs more than a
#: pass or two); beyond, by its gradient test alone.
CERTIFY_FEATURES = 2000


def _label_of(positive, classes):
    return classes[positive.astype(int)]


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def _both_columns(z, link):
    """Columns ``link(-z)`` and ``link(z)``: the two classes' probabilities (or logs)."""
    return np.column_stack([link(-z), link(z)])

class _Score:
    """``score`` that also takes Dask input (before scikit-learn's mixin in the bases)."""

    def score(self, X, y, sample_weight=None):
        """As scikit-learn's ``score``; Dask input is computed in one pass (predictions and ``y``)."""
        y, predicted = computed(y, self.predict(X))
        return self._metric(y, predicted, sample_weight=sample_weight)


class _Problem(NamedTuple):
    """What a fit minimizes, and where it starts: ``objective(theta0)``, with ``factor``
    turning the objective's target unit into the user's."""

    rows: object
    objective: Objective
    theta0: np.ndarray
    factor: float


class _GradientDescentModel(MaterialMethods, BaseEstimator):
    """What both estimators share: parameters, the problem and fitting."""

    _loss = SquaredError

    def __init__(self, *, learning_rate="auto", max_iter=1000, tol=1e-6, standardize=True,
                 alpha=0.0, solver="auto", verbose=0, random_state=None, callback=None,
                 batch_size=32, schedule="auto", average=False, shuffle=True):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.standardize = standardize
        self.alpha = alpha
        self.solver = solver
        self.verbose = verbose
        self.random_state = random_state
        self.callback = callback
        self.batch_size = batch_size
        self.schedule = schedule
        self.average = average
        self.shuffle = shuffle

    # -- validation -------------------------------------------------------
    def _check_params(self):
        name = type(self).__name__
        lr = self.learning_rate
        if isinstance(lr, str):
            if lr != "auto":
                raise ValueError(f"{name}: learning_rate must be 'auto' or a positive number, got {lr!r}.")
        elif isinstance(lr, bool) or not (isinstance(lr, numbers.Real) and np.isfinite(lr) and lr > 0):
            raise ValueError(f"{name}: learning_rate must be 'auto' or a positive number, got {lr!r}.")
        if self.solver not in SOLVERS and self.solver != "auto":
            raise ValueError(f"{name}: solver must be one of {sorted(SOLVERS) + ['auto']}, "
                             f"got {self.solver!r}.")
        if self.solver in ("lbfgs", "newton", "lbfgs-newton") and lr != "auto":
            raise ValueError(
                f"{name}: solver={self.solver!r} chooses its own steps; use "
                f"learning_rate='auto' with it, or solver='gd', 'nesterov' or 'sgd' for "
                f"learning_rate={lr!r}."
            )
        for key in ("standardize", "average", "shuffle"):
            if not isinstance(getattr(self, key), (bool, np.bool_)):
                raise ValueError(f"{name}: {key} must be True or False, got {getattr(self, key)!r}.")
        size = self.batch_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, numbers.Integral)
                                 or size < 1):
            raise ValueError(f"{name}: batch_size must be a positive integer (1 is stochastic "
                             f"descent) or None (the whole set), got {size!r}.")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"{name}: schedule must be one of {list(SCHEDULES)}, "
                             f"got {self.schedule!r}.")
        if self.callback is not None and not callable(self.callback):
            raise ValueError(f"{name}: callback must be callable or None, got {self.callback!r}.")
        if (isinstance(self.max_iter, bool) or not isinstance(self.max_iter, numbers.Integral)
                or self.max_iter < 1):
            raise ValueError(f"{name}: max_iter must be a positive integer, got {self.max_iter!r}.")
        for key in ("tol", "alpha"):
            val = getattr(self, key)
            if not (isinstance(val, numbers.Real) and np.isfinite(val) and val >= 0):
                raise ValueError(f"{name}: {key} must be a finite number >= 0, got {val!r}.")

    # -- fitting ----------------------------------------------------------
    def fit(self, X, y, coef_init=None, intercept_init=None):
        """Fit on ``X`` (m, n) and targets ``y`` (m,); returns self.

        ``X`` and ``y`` may be dask arrays or a dask DataFrame and Series: the
        fit then runs on the cluster, one distributed pass per evaluation.
        ``coef_init`` and ``intercept_init`` (in the units of ``X`` and ``y``)
        start the descent there instead of at zero weights and the best
        constant, as scikit-learn's SGD estimators take them.
        """
        self._check_params()
        problem = self._problem(X, y, coef_init, intercept_init)
        objective, factor = problem.objective, problem.factor
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        name = type(self).__name__
        y_unit = objective.unit * factor                 # the user's y per objective unit
        solver = self._solver_for(problem.rows.n)
        run, make, log, lipschitz = self._stochastic(solver, problem, rng)
        found = minimize(
            objective, problem.theta0, solver=run, learning_rate=self.learning_rate,
            lipschitz=lipschitz, max_iter=self.max_iter, tol=self.tol, make=make,
            callback=reporter(name, objective, factor, verbose=self.verbose,
                              callback=self.callback, max_iter=self.max_iter),
            loss_unit=y_unit * y_unit,
            certify=objective.certificate if problem.rows.n <= CERTIFY_FEATURES else None)
        if solver == "sgd":
            found.history["batch_loss"], found.history["batch_epoch"] = (
                log.arrays() if log is not None else
                (found.history["loss"][:-1], np.arange(found.n_iter, dtype=float)))
        result = found.in_units(y_unit)                  # history and tolerance in y's units
        w, b = objective.params(found.theta) if found.params is None else found.params
        with np.errstate(over="ignore", invalid="ignore"):
            coef, intercept = w * factor, b * factor
        self._check_representable(coef, intercept, y_unit)
        self._set_fitted(coef, intercept)
        self.x_mean_, self.x_scale_ = objective.mean, objective.scale
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.stop_reason_ = result.stop_reason
        self.history_ = result.history
        self.solver_ = solver
        self._stream = None                              # partial_fit starts afresh from here
        warn_collinear(self, found.null)
        warn_unless_converged(self, result, problem.rows)
        return self

    def _stochastic(self, solver, problem, rng):
        """``(run, make, log, lipschitz)`` for ``minimize``: the solver to run, its maker
        and batch log for "sgd" (else None), and the curvature behind its first step.
        "sgd" on the whole set (``batch_size`` None, or at least the rows) is "gd"."""
        objective, rows = problem.objective, problem.rows
        whole = solver == "sgd" and (self.batch_size is None or self.batch_size >= rows.m)
        if solver != "sgd" or whole:
            return ("gd" if whole else solver), None, None, lambda: objective.lipschitz(rng)
        if not isinstance(rows, ArrayRows):
            raise ValueError(
                f"{type(self).__name__}: solver='sgd' reads batches of rows in memory, and X is "
                "a Dask collection; fit it with another solver (one distributed pass per "
                "step), or feed its partitions one by one to partial_fit.")
        batches = Batches(rows.m, self.batch_size, shuffle=self.shuffle, rng=rng)
        log = BatchLog()
        make = partial(sgd, batches=batches, schedule=self.schedule, max_epochs=self.max_iter,
                       average=self.average, log=log, objective=objective)
        return solver, make, log, lambda: objective.batch_lipschitz(self.batch_size, rng)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One pass of mini-batch updates over the chunk ``X``, ``y``, in order, for data
        that arrive in pieces (:mod:`descend.streaming`): ``batch_size`` rows per update,
        a constant step (``learning_rate``, or 1/L(b) of the rows seen so far), the
        standardization of the first chunk, and with ``average`` the mean of the
        iterates from the second chunk on. A classifier needs ``classes`` on the first
        call. After ``fit``, it goes on from the fitted weights; ``fit`` starts afresh.
        """
        if sample_weight is not None:
            raise ValueError(f"{type(self).__name__}.partial_fit: sample_weight is not "
                             "supported yet; leave it out (every row counts once).")
        from .streaming import partial_fit
        return partial_fit(self, X, y, classes)

    def _solver_for(self, n_features):
        """The solver a fit runs: ``solver``, or for "auto" Newton's method up to
        ``AUTO_NEWTON_FEATURES`` features and L-BFGS beyond; gradient descent when a
        fixed ``learning_rate`` is given."""
        if self.solver != "auto":
            return self.solver
        if self.learning_rate != "auto":
            return "gd"
        if n_features > AUTO_NEWTON_FEATURES[self._loss.kind]:
            return "lbfgs"
        return "newton" if self._loss.curvature_constant else "lbfgs-newton"

    def _problem(self, X, y, coef_init=None, intercept_init=None):
        """The rows, the objective and its start for fitting ``X``, ``y``."""
        classify = self._loss.classifies
        rows = rows_for(self, X, y, classify=classify)
        unit, factor = self._target(rows)
        mean, scale, frame = self._coordinates(rows)
        objective = Objective(rows, self._loss, alpha=self.alpha,
                              mean=mean, scale=scale, unit=unit, frame=frame)
        theta0 = objective.theta(*self._start(rows, coef_init, intercept_init, factor))
        return _Problem(rows, objective, theta0, factor)

    def _coordinates(self, rows):
        """``(mean, scale, frame)``: the descent's standardization (none unless
        ``standardize``) and the data's own, in which Newton's Hessian is formed. With a
        penalty the scale is sqrt(s^2 + alpha/curvature), the square root of the
        Hessian's diagonal, which balances the data term and the penalty."""
        mean, std = rows.moments()
        frame = (mean, np.hypot(std, np.sqrt(self.alpha / self._loss.curvature)))
        frame[1][~(frame[1] > 0) | ~np.isfinite(frame[1])] = 1.0
        if self.standardize:
            return *frame, frame
        return np.zeros(rows.n), np.ones(rows.n), frame

    def _start(self, rows, coef_init, intercept_init, factor):
        """Where the descent starts, ``(w, b)`` in the objective's units: zero weights and
        the best constant, or ``coef_init`` and ``intercept_init`` (the user's units)."""
        name = type(self).__name__
        w = np.zeros(rows.n)
        if coef_init is not None:
            w = np.asarray(coef_init, dtype=float)
            if w.size != rows.n or w.ndim > 2 or not np.all(np.isfinite(w)):
                raise ValueError(f"{name}.fit: coef_init must hold {rows.n} finite numbers, one "
                                 f"per column of X, got shape {w.shape}.")
            w = w.reshape(rows.n) / factor
        if intercept_init is None:
            return w, self._loss.start(rows.y_mean)
        b = np.asarray(intercept_init, dtype=float).ravel()
        if b.size != 1 or not np.isfinite(b[0]):
            raise ValueError(f"{name}.fit: intercept_init must be one finite number, got "
                             f"{intercept_init!r}.")
        return w, float(b[0]) / factor

    def _check_representable(self, coef, intercept, y_scale):
        """Refuse weights that overflow float64 (a column tiny against y), never return them."""
        if np.all(np.isfinite(coef)) and np.isfinite(intercept):
            return
        where = np.flatnonzero(~np.isfinite(coef))
        parts = [f"the weight of column {j}" for j in where[:5]]
        parts += ["the intercept"] * (not np.isfinite(intercept))
        raise DataError(
            f"{type(self).__name__}: the fitted weights do not fit in float64: "
            f"{', '.join(parts)} overflow{'s' * (len(parts) == 1)}. A weight is about y "
            f"(here up to {y_scale:.3g} or more) divided by its column's spread, so a column "
            "that varies very little, or a y near float64's limit, cannot be fitted: rescale "
            "those columns or y, or leave the columns out.")


class LinearRegression(_Score, RegressorMixin, _GradientDescentModel):
    __doc__ = r"""Linear regression, :math:`\hat y = Xw + b`, fitted by gradient descent
    on half the mean squared error.

    The optimum is that of ordinary least squares (``alpha=0``) or of ridge
    regression: scikit-learn's ``Ridge(alpha=a)`` minimizes
    :math:`\lVert y - Xw - b\rVert^2 + a\lVert w\rVert^2`, the same as this
    model with ``alpha = a / m``.
    """ + PARAMS_DOC.replace("{alpha_doc}", "") + FITTED_DOC

    _loss = SquaredError
    _metric = staticmethod(r2_score)

    def _target(self, rows):
        """The target's unit: ``(unit, factor)``, the objective's unit and what ``y`` was
        divided by (see :func:`descend.objective.target_scale`)."""
        y_scale, divide = target_scale(rows.y_absmax)
        if divide:
            rows.divide_target(y_scale)
            return 1.0, y_scale
        return y_scale, 1.0

    def _set_fitted(self, coef, intercept):
        self.coef_, self.intercept_ = coef, intercept

    def predict(self, X):
        r""":math:`\hat y = Xw + b` for each row of ``X``."""
        return checked_input(self, X) @ self.coef_ + self.intercept_


class LogisticClassifier(_Score, ClassifierMixin, _GradientDescentModel):
    __doc__ = r"""Binary logistic regression, :math:`\hat y = \sigma(Xw + b)`, fitted by
    gradient descent on the binary cross-entropy.

    Any two labels work (strings, booleans, {-1, 1}, {0, 1}); ``classes_``
    holds them sorted and the probability is that of ``classes_[1]``.
    scikit-learn's ``LogisticRegression(C=c)`` minimizes
    :math:`\frac12\lVert w\rVert^2 + c\sum_i L_i`; dividing by :math:`cm`
    shows it is this model with ``alpha = 1 / (c m)``.
    """ + PARAMS_DOC.replace("{alpha_doc}", (
        " On perfectly separable data only\n        ``alpha > 0`` gives a finite optimum.")) + FITTED_DOC

    _loss = LogLoss
    _metric = staticmethod(accuracy_score)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _target(self, rows):
        """The two labels, sorted, as ``classes_``; the rows' target becomes 0/1."""
        self.classes_ = self._check_classes(rows.labels)
        rows.encode(self.classes_[1])
        return 1.0, 1.0

    def _check_classes(self, classes):
        """``classes`` (the sorted labels of ``y``) if there are exactly two."""
        check_classification_targets(classes)
        name = type(self).__name__
        if classes.size < 2:
            raise ValueError(
                f"{name} needs examples of two classes to learn a boundary, but y holds only "
                f"one class ({classes.tolist()[0]!r}). Check the target column."
            )
        if classes.size > 2:
            shown = ", ".join(map(repr, classes[:5].tolist())) + (", ..." if classes.size > 5 else "")
            raise ValueError(
                f"Only binary classification is supported. {name} got y with {classes.size} "
                f"classes ({shown}); wrap it in sklearn.multiclass.OneVsRestClassifier for more."
            )
        return classes

    def _set_fitted(self, coef, intercept):
        self.coef_, self.intercept_ = coef[None, :], np.array([intercept])

    def decision_function(self, X):
        """The raw score :math:`z = Xw + b`; positive means ``classes_[1]``."""
        return checked_input(self, X) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X):
        """Columns :math:`1 - \\sigma(z)` and :math:`\\sigma(z)`, in the order of ``classes_``."""
        return scored(_both_columns, self.decision_function(X), sigmoid, columns=True)

    def predict_log_proba(self, X):
        return scored(_both_columns, self.decision_function(X), _log_sigmoid, columns=True)

    def predict(self, X):
        """The class of each row: ``classes_[1]`` where :math:`z > 0`."""
        return scored(_label_of, self.decision_function(X) > 0, self.classes_,
                      dtype=self.classes_.dtype)


def estimator(model, **params):
    """A new ``LinearRegression`` or ``LogisticClassifier`` for ``"linear"``/``"logistic"``
    (or for a loss), with ``params``."""
    kind = loss_of(model).kind
    return {"linear": LinearRegression, "logistic": LogisticClassifier}[kind](**params)


def objective_of(model, X, y):
    """``(objective, theta0)``: what ``model.fit(X, y)`` would minimize, and where it would
    start (``model`` itself is not touched). ``objective.lipschitz()`` is the largest
    curvature :math:`L` behind ``learning_rate="auto"``; ``objective.at(w, b)`` the loss
    and gradient at any weights, in the units of ``X`` and ``y``."""
    from sklearn.base import clone

    problem = clone(model)._problem(X, y)
    return problem.objective, problem.theta0
