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
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.multiclass import check_classification_targets

from .diagnosis import warn_collinear, warn_unless_converged
from .errors import DataError
from .losses import LogLoss, SquaredError, loss_of, sigmoid
from .material import MaterialMethods
from .objective import Objective, target_scale
from .rows import checked_input, computed, rows_for, scored
from .solvers import SOLVERS, minimize
from .steps import Step, reporter

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

_PARAMS_DOC = r"""
    Parameters
    ----------
    learning_rate : "auto" or float, default="auto"
        The step :math:`\alpha` of :math:`\theta \leftarrow \theta - \alpha
        \nabla J`, on the standardized parameters when ``standardize``.
        "auto" starts from :math:`1/L`, with :math:`L` the largest curvature of
        :math:`J` (power iteration on :math:`X^\top X/m`, a quarter of it for
        the log-loss), and backtracks whenever the loss would rise, so it never
        diverges. A float is used as given; if the loss grows or becomes
        non-finite the fit stops with :class:`~descend.errors.DivergenceError`
        naming the solver's largest stable rate, :math:`2/L` for "gd" and
        :math:`1/L` for "nesterov". The "lbfgs" and "newton" solvers choose
        their own steps and accept only "auto".
    max_iter : int, default=1000
        The most iterations (updates of the parameters).
    tol : float, default=1e-6
        Converged means the loss is within ``tol`` of its optimum, relative to
        the loss (or to float64's resolution of the loss at the start, for a
        fit whose optimum is zero): :math:`J - J^* \le tol \cdot J`, certified
        by the Newton decrement :math:`g^\top H^{-1} g/2` (exact for the
        squared error). "newton" carries it at every step; the other solvers
        compute it once their largest gradient component has fallen to
        ``tol`` times its start, or L-BFGS's own estimate of the gap is well
        within ``tol`` (up to 2,000 features; beyond, that gradient test alone
        decides), and go on if it is not yet met. On wide data that bound
        reads the Hessian of part of the rows: still a bound, a few tens of
        times looser.
    standardize : bool, default=True
        Descend on standardized features, :math:`(x - \mu)/s`, which turns
        unscaled, ill-conditioned data into a well-conditioned problem. ``X``
        is not copied: the means and scales are folded into :math:`w` and
        :math:`b`, and ``coef_`` and ``intercept_`` are reported in the
        original units.
    alpha : float, default=0.0
        L2 penalty :math:`\frac{\alpha}{2}\lVert w \rVert^2`; 0 gives the
        material's loss exactly.{alpha_doc}
    solver : {"auto", "newton", "lbfgs-newton", "lbfgs", "nesterov", "gd"}, default="auto"
        "gd" is exactly the material's batch update; "nesterov" adds momentum
        with restarts; "lbfgs" uses the same gradient with a quasi-Newton
        direction; "newton" uses the curvature: one pass gives the loss, the
        gradient and the Hessian, and the step solves :math:`H d = g`. On the
        squared error it lands on the optimum in one step and then refines
        the last digits from exact residuals (NIST's certified values to 11
        digits and more). Collinear columns are solved for the minimum-norm
        weights, with a :class:`~descend.diagnosis.CollinearityWarning`
        naming them. "lbfgs-newton" runs L-BFGS for twenty steps, then Newton.
        "auto" takes "newton" for the squared error up to 2,000 features and
        "lbfgs-newton" for the log-loss up to 400, "lbfgs" beyond (where a
        Hessian, :math:`m n^2`, costs more than the passes it saves), and
        "gd" when a fixed ``learning_rate`` is given.
    verbose : int, default=0
        1 prints progress at iterations 1, 2, 4, 8, ... and every tenth of
        ``max_iter``; 2 and more print every iteration.
    random_state : int, Generator or None, default=None
        Seeds the random start of the power iteration behind ``"auto"``;
        None uses a fixed start, so that repeated fits give identical results.
    callback : callable or None, default=None
        Called as ``callback(step)`` after every iteration with a
        :class:`Step`: the iteration, loss, largest gradient component,
        learning rate, and ``coef``/``intercept`` in the units of ``X``. For
        progress bars, live plots and drawing the path of the descent.
"""

_FITTED_DOC = r"""
    Attributes
    ----------
    coef_, intercept_ :
        The fitted :math:`w` and :math:`b` in the units of ``X``.
    n_iter_ : int
        Iterations run.
    converged_ : bool
        Whether the loss is certified to be within ``tol`` of its optimum
        (see ``tol``).
    stop_reason_ : str
        "converged", "max_iter", "stalled" (no step lowers the loss at
        float64 precision before ``tol`` is met), or "separable" (logistic regression on
        perfectly separable data, see :class:`~descend.errors.SeparationWarning`).
    history_ : dict of ndarray
        ``"loss"`` (:math:`J`), ``"grad_norm"`` (largest gradient component)
        and ``"learning_rate"`` (the step taken; for "lbfgs" the line-search
        step along its direction): entry ``k`` after ``k``
        updates, so each has ``n_iter_ + 1`` entries and entry 0 is the start;
        ``"gap"``, the certificate :math:`J - J^*` where one was computed
        (every step of "newton"), NaN elsewhere.
    solver_ : str
        The solver the fit ran ("auto" resolved).
    x_mean_, x_scale_ : ndarray of shape (n_features,)
        The standardization used: column means, and standard deviations
        (:math:`\sqrt{s^2 + \alpha/c}` with a penalty, :math:`c` the loss's
        largest curvature, which keeps the penalized problem well conditioned);
        zeros and ones when ``standardize=False``.
    n_features_in_, feature_names_in_ :
        As in scikit-learn; ``feature_names_in_`` only for DataFrame input.
"""


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
                 alpha=0.0, solver="auto", verbose=0, random_state=None, callback=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.standardize = standardize
        self.alpha = alpha
        self.solver = solver
        self.verbose = verbose
        self.random_state = random_state
        self.callback = callback

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
                f"learning_rate='auto' with it, or solver='gd'/'nesterov' for learning_rate={lr!r}."
            )
        if not isinstance(self.standardize, (bool, np.bool_)):
            raise ValueError(f"{name}: standardize must be True or False, got {self.standardize!r}.")
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
    def fit(self, X, y):
        """Fit on ``X`` (m, n) and targets ``y`` (m,); returns self.

        ``X`` and ``y`` may be dask arrays or a dask DataFrame and Series: the
        fit then runs on the cluster, one distributed pass per evaluation.
        """
        self._check_params()
        problem = self._problem(X, y)
        objective, factor = problem.objective, problem.factor
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        name = type(self).__name__
        y_unit = objective.unit * factor                 # the user's y per objective unit
        solver = self._solver_for(problem.rows.n)
        found = minimize(
            objective, problem.theta0, solver=solver, learning_rate=self.learning_rate,
            lipschitz=lambda: objective.lipschitz(rng), max_iter=self.max_iter, tol=self.tol,
            callback=reporter(name, objective, factor, verbose=self.verbose,
                              callback=self.callback, max_iter=self.max_iter),
            loss_unit=y_unit * y_unit,
            certify=objective.certificate if problem.rows.n <= CERTIFY_FEATURES else None)
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
        warn_collinear(self, found.null)
        warn_unless_converged(self, result, problem.rows)
        return self

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

    def _problem(self, X, y):
        """The rows, the objective and its start for fitting ``X``, ``y``."""
        classify = self._loss.classifies
        rows = rows_for(self, X, y, classify=classify)
        unit, factor = self._target(rows)
        # With a penalty, scale by sqrt(s^2 + alpha/curvature): the square root of the
        # diagonal of the Hessian, which balances the data term and the penalty. Newton's
        # Hessian is always formed in these coordinates (its step does not depend on them).
        mean, std = rows.moments()
        frame = (mean, np.hypot(std, np.sqrt(self.alpha / self._loss.curvature)))
        frame[1][~(frame[1] > 0) | ~np.isfinite(frame[1])] = 1.0
        if self.standardize:
            mean, scale = frame
        else:
            mean, scale = np.zeros(rows.n), np.ones(rows.n)
        objective = Objective(rows, self._loss, alpha=self.alpha,
                              mean=mean, scale=scale, unit=unit, frame=frame)
        theta0 = objective.theta(np.zeros(rows.n), self._loss.start(rows.y_mean))
        return _Problem(rows, objective, theta0, factor)

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
    """ + _PARAMS_DOC.replace("{alpha_doc}", "") + _FITTED_DOC

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
    """ + _PARAMS_DOC.replace("{alpha_doc}", (
        " On perfectly separable data only\n        ``alpha > 0`` gives a finite optimum.")) + _FITTED_DOC

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
