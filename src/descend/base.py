r"""What both estimators share: their parameters, the problem a fit minimizes, and fitting.

:class:`_GradientDescentModel` checks the parameters once, builds the
:class:`_Problem` (the rows, with their sample weights; the objective, with its
loss, penalty and coordinates; the start) and drives :func:`descend.solvers.minimize`
over it. The estimators (:mod:`descend.models`) add only their target (numbers,
two classes, or K) and their predictions.
"""

from __future__ import annotations

import numbers
from functools import partial
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from .diagnosis import warn_collinear, warn_unless_converged
from .errors import DataError
from .losses import SquaredError
from .material import MaterialMethods
from .objective import Objective
from .rows import ArrayRows, computed, rows_for
from .solvers import SOLVERS, minimize
from .lasso import prox_newton
from .steps import reporter
from .stochastic import SCHEDULES, BatchLog, Batches, sgd

__all__ = ["AUTO_NEWTON_FEATURES", "CERTIFY_FEATURES"]


#: ``solver="auto"`` takes Newton's method up to this many features, by loss, and L-BFGS
#: beyond: measured crossovers at ten million cells (``benchmarks/crossover.py``; README,
#: "Choosing the solver"). The squared error's Newton (one curvature pass, then
#: refinement to the last digits) is faster than L-BFGS on correlated data up to 1,600
#: features, about half as fast on well-conditioned data at 200-800; on the log-loss
#: L-BFGS then Newton runs level with L-BFGS up to 400 features, slower at 800. With K
#: classes the count is of weights, features times K: the Hessian's side.
AUTO_NEWTON_FEATURES = {"linear": 2000, "logistic": 400, "multinomial": 400}
#: Up to this many features, a gradient solver's convergence is certified by the
#: Newton decrement (from part of the rows where the whole Hessian costs more than a
#: pass or two); beyond, by its gradient test alone.
CERTIFY_FEATURES = 2000


class _Score:
    """``score`` that also takes Dask input (before scikit-learn's mixin in the bases)."""

    def score(self, X, y, sample_weight=None):
        """As scikit-learn's ``score``, weighted by ``sample_weight``; Dask input is computed
        in one pass (predictions, ``y`` and the weights)."""
        given = [y, self.predict(X)] + ([] if sample_weight is None else [sample_weight])
        y, predicted, *weights = computed(*given)
        return self._metric(y, predicted, sample_weight=weights[0] if weights else None)


class _Target(NamedTuple):
    """What the target asks of the objective: its unit and what ``y`` was divided by (see
    :func:`descend.objective.target_scale`), the loss, and how many scores a row has."""

    unit: float
    factor: float
    loss: object
    outputs: int = 1


class _Problem(NamedTuple):
    """What a fit minimizes, and where it starts: ``objective(theta0)``, with ``factor``
    turning the objective's target unit into the user's."""

    rows: object
    objective: Objective
    theta0: np.ndarray
    factor: float
    target: _Target


class _GradientDescentModel(MaterialMethods, BaseEstimator):
    """What both estimators share: parameters, the problem and fitting."""

    _loss = SquaredError

    def __init__(self, *, learning_rate="auto", max_iter=1000, tol=1e-6, standardize=True,
                 alpha=0.0, l1_ratio=0.0, solver="auto", verbose=0, random_state=None,
                 callback=None, batch_size=32, schedule="auto", average=False, shuffle=True):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.standardize = standardize
        self.alpha = alpha
        self.l1_ratio = l1_ratio
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
        ratio = self.l1_ratio
        if isinstance(ratio, bool) or not (isinstance(ratio, numbers.Real) and 0 <= ratio <= 1):
            raise ValueError(f"{name}: l1_ratio must be a number from 0 (the L2 penalty alone) "
                             f"to 1 (the L1 penalty alone, the lasso), got {ratio!r}.")

    # -- fitting ----------------------------------------------------------
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        r"""Fit on ``X`` (m, n) and targets ``y`` (m,); returns self.

        ``X`` and ``y`` may be dask arrays or a dask DataFrame and Series: the
        fit then runs on the cluster, one distributed pass per evaluation.
        ``coef_init`` and ``intercept_init`` (in the units of ``X`` and ``y``)
        start the descent there instead of at zero weights and the best
        constant, as scikit-learn's SGD estimators take them.
        ``sample_weight`` (m,), numbers >= 0, weighs each row's loss: the fit
        minimizes :math:`\sum_i s_i L_i / \sum_i s_i` (plus the penalty), so
        whole-number weights fit as repeated rows and zero weights as removed
        ones; the standardization uses the weights too.
        """
        self._check_params()
        problem = self._problem(X, y, coef_init, intercept_init, sample_weight)
        objective, factor = problem.objective, problem.factor
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        name = type(self).__name__
        y_unit = objective.unit * factor                 # the user's y per objective unit
        solver = self._solver_for(problem.rows.n, problem.target)
        run, make, log, lipschitz = self._engine(solver, problem, rng)
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
        self._check_representable(coef, np.asarray(intercept), y_unit)
        self._set_fitted(coef, intercept)
        self.x_mean_, self.x_scale_ = objective.mean, objective.scale
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.stop_reason_ = result.stop_reason
        self.history_ = result.history
        self.solver_ = solver
        self._stream = None                              # partial_fit starts afresh from here
        # The rows read, for summary() (a reference, no copy; pickles and copies leave it out)
        self._fit_rows = ((problem.rows, factor, getattr(y, "name", None))
                          if isinstance(problem.rows, ArrayRows) else None)
        self.__dict__.pop("_summary_record", None)       # a loaded summary is of the old fit
        self._fit_penalty = (self.alpha, self.l1_ratio)   # what summary() reads, not params
        warn_collinear(self, found.null, objective.outputs)
        warn_unless_converged(self, result, problem.rows)
        return self

    def summary(self, X=None, y=None, *, sample_weight=None, groups=None,
                cov_type="nonrobust", alpha=0.05, use_t=None):
        """The fit's summary: each weight with its standard error, test and ``1 - alpha``
        interval, and the likelihood statistics, named as statsmodels names them
        (:class:`descend.results.Summary`; it prints as a table).

        It reads the rows the fit read (in memory; the model keeps a reference to the
        array it fitted, which is ``X`` itself unless it had to be converted), or ``X``,
        ``y`` and ``sample_weight`` given again (needed after loading, copying, a Dask fit
        or ``partial_fit``). Weights, and class weights, count as repeated rows.
        ``cov_type``: "nonrobust", "HC0" to "HC3" (heteroscedasticity-robust), or
        "cluster" with ``groups`` (a label per row). ``use_t``: Student's t for the tests
        (default: for the linear model's nonrobust ones), else the normal distribution, as
        statsmodels' defaults. With ``alpha > 0`` on the model the
        standard errors are approximate; with an L1 part there are none
        (:mod:`descend.summary` says why).
        """
        from .summary import summarize
        return summarize(self, X, y, sample_weight=sample_weight, groups=groups,
                         cov_type=cov_type, alpha=alpha, use_t=use_t)

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_fit_rows", None)                     # the training rows are not saved
        return state

    def _engine(self, solver, problem, rng):
        """``(run, make, log, lipschitz)`` for ``minimize``: the solver to run, its maker
        (for "sgd", and proximal Newton for "newton" with an L1 part; else None), the
        batch log for "sgd", and the curvature behind its first step. "sgd" on the whole
        set (``batch_size`` None, or at least the rows) is "gd"."""
        objective, rows = problem.objective, problem.rows
        if objective.l1 and solver in ("lbfgs", "lbfgs-newton"):
            raise ValueError(
                f"{type(self).__name__}: solver={solver!r} needs a smooth loss, and "
                f"l1_ratio={self.l1_ratio!r} adds an L1 part; use solver='newton' (proximal "
                "Newton), 'nesterov', 'gd' or 'sgd' (proximal steps), or 'auto'.")
        if objective.l1 and solver == "newton":
            return solver, prox_newton, None, lambda: objective.lipschitz(rng)
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
        ``sample_weight`` weighs each row's update as given (not rescaled per chunk).
        """
        from .streaming import partial_fit
        return partial_fit(self, X, y, classes, sample_weight)

    def _solver_for(self, n_features, target):
        """The solver a fit runs: ``solver``, or for "auto" Newton's method up to
        ``AUTO_NEWTON_FEATURES`` weights and L-BFGS beyond; gradient descent when a
        fixed ``learning_rate`` is given."""
        if self.solver != "auto":
            return self.solver
        if self.learning_rate != "auto":
            return "gd"
        loss = target.loss
        if n_features * target.outputs > AUTO_NEWTON_FEATURES[loss.kind]:
            return "nesterov" if self.l1_ratio and self.alpha else "lbfgs"
        return ("newton" if loss.curvature_constant or (self.l1_ratio and self.alpha)
                else "lbfgs-newton")

    @property
    def _l2(self):
        """The L2 part of the penalty, :math:`\alpha (1 - \rho)`."""
        return self.alpha * (1.0 - self.l1_ratio)

    def _problem(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """The rows, the objective and its start for fitting ``X``, ``y``."""
        classify = self._loss.classifies
        rows = rows_for(self, X, y, classify=classify, sample_weight=sample_weight)
        target = self._target(rows)
        mean, scale, frame = self._coordinates(rows, target.loss)
        # y divided by ``factor`` divides the weights by it: the data term and the L2 part
        # by its square, the L1 part only by it, so the L1 strength is divided once more.
        objective = Objective(rows, target.loss, alpha=self._l2,
                              l1=self.alpha * self.l1_ratio / target.factor,
                              mean=mean, scale=scale, unit=target.unit, frame=frame,
                              outputs=target.outputs)
        theta0 = objective.theta(*self._start(rows, coef_init, intercept_init, target))
        return _Problem(rows, objective, theta0, target.factor, target)

    def _coordinates(self, rows, loss):
        """``(mean, scale, frame)``: the descent's standardization (none unless
        ``standardize``) and the data's own, in which Newton's Hessian is formed. With a
        penalty the scale is sqrt(s^2 + alpha/curvature), the square root of the
        Hessian's diagonal, which balances the data term and the penalty."""
        mean, std = rows.moments()
        frame = (mean, np.hypot(std, np.sqrt(self._l2 / loss.curvature)))
        frame[1][~(frame[1] > 0) | ~np.isfinite(frame[1])] = 1.0
        if self.standardize:
            return *frame, frame
        return np.zeros(rows.n), np.ones(rows.n), frame

    def _start(self, rows, coef_init, intercept_init, target):
        """Where the descent starts, ``(w, b)`` in the objective's units: zero weights and
        the best constant, or ``coef_init`` and ``intercept_init`` (the user's units; with
        K classes ``coef_init`` (K, n) and ``intercept_init`` (K,), centred over the
        classes, which changes no probability)."""
        name = type(self).__name__
        n, K, factor = rows.n, target.outputs, target.factor
        w = np.zeros(n) if K == 1 else np.zeros((n, K))
        if coef_init is not None:
            w = np.asarray(coef_init, dtype=float)
            if w.size != n * K or w.ndim > 2 or not np.all(np.isfinite(w)):
                shape = f"({K}, {n})" if K > 1 else f"{n} finite numbers, one per column of X"
                raise ValueError(f"{name}.fit: coef_init must hold {shape}, got shape "
                                 f"{w.shape}.")
            w = w.reshape(n) / factor if K == 1 else w.reshape(K, n).T
        if intercept_init is None:
            b = target.loss.start(rows.shares(K) if K > 1 else rows.y_mean)
        else:
            b = np.asarray(intercept_init, dtype=float).ravel()
            if b.size != K or not np.all(np.isfinite(b)):
                what = "one finite number" if K == 1 else f"{K} finite numbers, one per class"
                raise ValueError(f"{name}.fit: intercept_init must be {what}, got "
                                 f"{intercept_init!r}.")
            b = float(b[0]) / factor if K == 1 else b
        if K > 1:
            return w - w.mean(axis=1, keepdims=True), b - b.mean()
        return w, b

    def _check_representable(self, coef, intercept, y_scale):
        """Refuse weights that overflow float64 (a column tiny against y), never return them."""
        if np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept)):
            return
        where = np.flatnonzero(~np.all(np.isfinite(coef.reshape(coef.shape[0], -1)), axis=1))
        parts = [f"the weight of column {j}" for j in where[:5]]
        parts += ["the intercept"] * (not np.all(np.isfinite(intercept)))
        raise DataError(
            f"{type(self).__name__}: the fitted weights do not fit in float64: "
            f"{', '.join(parts)} overflow{'s' * (len(parts) == 1)}. A weight is about y "
            f"(here up to {y_scale:.3g} or more) divided by its column's spread, so a column "
            "that varies very little, or a y near float64's limit, cannot be fitted: rescale "
            "those columns or y, or leave the columns out.")


