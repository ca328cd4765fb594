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
from sklearn.utils.multiclass import check_classification_targets
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.validation import _check_feature_names, check_is_fitted, validate_data

from .arrays import check_fit_inputs
from .daskinput import is_dask
from .diagnosis import warn_unless_converged
from .errors import DataError
from .gradient import backward, loss_grad
from .moments import column_moments
from .losses import LogLoss, SquaredError, sigmoid
from .solvers import SOLVERS, minimize, power_iteration

__all__ = ["LinearRegression", "LogisticClassifier", "Step"]


class Step(NamedTuple):
    """What a ``callback`` sees after each update."""

    iteration: int
    loss: float
    grad_norm: float
    learning_rate: float
    coef: np.ndarray        # (n_features,), in the units of X
    intercept: float

_DTYPES = [np.float64, np.float32]
#: Up to this many features a Dask fit builds the squared error's Hessian for
#: the power iteration in one pass; beyond, each product is a pass.
_DASK_HESSIAN_MAX = 2000


def _target_scale(absmax):
    """The power of two at or below the largest ``|y|`` (1 for y = 0), and whether ``y`` must be
    divided by it before the pass (squares of residuals beyond 2^500 or below 2^-500 would
    leave float64's range); otherwise the objective is scaled and ``y`` not copied."""
    if not (np.isfinite(absmax) and absmax > 0):
        return 1.0, False
    exponent = int(np.frexp(absmax)[1]) - 1
    return float(np.ldexp(1.0, exponent)), abs(exponent) > 200


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
        :math:`1/L` for "nesterov". The "lbfgs" solver chooses
        its own steps and accepts only "auto".
    max_iter : int, default=1000
        The most iterations (updates of the parameters).
    tol : float, default=1e-6
        Stop when the largest component of the gradient is at most ``tol``
        times its value at the start (a relative test: the units of ``X``
        and ``y`` do not matter).
    standardize : bool, default=True
        Descend on standardized features, :math:`(x - \mu)/s`, which turns
        unscaled, ill-conditioned data into a well-conditioned problem. ``X``
        is not copied: the means and scales are folded into :math:`w` and
        :math:`b`, and ``coef_`` and ``intercept_`` are reported in the
        original units.
    alpha : float, default=0.0
        L2 penalty :math:`\frac{\alpha}{2}\lVert w \rVert^2`; 0 gives the
        material's loss exactly.{alpha_doc}
    solver : {"lbfgs", "nesterov", "gd"}, default="lbfgs"
        "gd" is exactly the material's batch update; "nesterov" adds momentum
        with restarts; "lbfgs" uses the same gradient with a quasi-Newton
        direction and reaches reference precision fastest.
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
        Whether the gradient reached ``tol``.
    stop_reason_ : str
        "converged", "max_iter", "stalled" (no step lowers the loss at
        float64 precision before ``tol`` is met), or "separable" (logistic regression on
        perfectly separable data, see :class:`~descend.errors.SeparationWarning`).
    history_ : dict of ndarray
        ``"loss"`` (:math:`J`), ``"grad_norm"`` (largest gradient component)
        and ``"learning_rate"`` (the step taken; for "lbfgs" the line-search
        step along its direction): entry ``k`` after ``k``
        updates, so each has ``n_iter_ + 1`` entries and entry 0 is the start.
    x_mean_, x_scale_ : ndarray of shape (n_features,)
        The standardization used: column means, and standard deviations
        (:math:`\sqrt{s^2 + \alpha/c}` with a penalty, :math:`c` the loss's
        largest curvature, which keeps the penalized problem well conditioned);
        zeros and ones when ``standardize=False``.
    n_features_in_, feature_names_in_ :
        As in scikit-learn; ``feature_names_in_`` only for DataFrame input.
"""


class _DaskScore:
    """``score`` that also takes Dask input (before scikit-learn's mixin in the bases)."""

    def score(self, X, y, sample_weight=None):
        """As scikit-learn's ``score``; Dask input is computed in one pass (predictions and ``y``)."""
        if is_dask(X) or is_dask(y):
            import dask

            from .daskinput import series_array
            if hasattr(y, "to_dask_array"):        # a dask Series: compute it with the array
                y = series_array(y)
            predicted, y = dask.compute(self.predict(X), y)
            return self._metric(np.asarray(y), predicted, sample_weight=sample_weight)
        return super().score(X, y, sample_weight=sample_weight)


class _GradientDescentModel(BaseEstimator):
    """What both estimators share: parameters, the objective and fitting."""

    _loss = SquaredError

    def __init__(self, *, learning_rate="auto", max_iter=1000, tol=1e-6, standardize=True,
                 alpha=0.0, solver="lbfgs", verbose=0, random_state=None, callback=None):
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
        if self.solver not in SOLVERS:
            raise ValueError(f"{name}: solver must be one of {sorted(SOLVERS)}, got {self.solver!r}.")
        if self.solver == "lbfgs" and lr != "auto":
            raise ValueError(
                f"{name}: solver='lbfgs' chooses its own steps by line search; use "
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

    # -- the material's two methods ------------------------------------------
    def _compute_loss_grad(self, X, delta):
        r"""The gradient of :math:`J` from the mean error vector, as the material writes it.

        With :math:`\delta = (\hat y - y)/m` for the rows of ``X``, returns
        ``(grad_w, grad_b)`` = :math:`(X^\top\delta,\ \sum_i \delta_i)`, the
        gradient of the mean data loss with respect to :math:`w` and :math:`b`
        in the units of ``X``. It needs no fitted state and folds nothing in:
        ``fit`` computes the same formula in one fused pass over ``X`` (and on
        standardized parameters when ``standardize``).
        """
        X, delta = self._material_pair(X, delta)
        return backward(X, delta)

    def _update_params(self, grad_w, grad_b, learning_rate=None):
        r"""One step :math:`w \leftarrow w - \alpha\, g_w,\ b \leftarrow b - \alpha\, g_b`.

        Steps ``coef_`` and ``intercept_``, the parameters a learner's own loop
        trains, with the model's ``learning_rate`` (or the one given). A model
        without them starts from :math:`w = 0, b = 0`. ``fit`` starts from
        :math:`w = 0` and the best constant :math:`b` (the mean of ``y``, or
        the log-odds of the positive class), so a loop started there matches
        ``fit(solver="gd", standardize=False)`` step for step.
        """
        name = type(self).__name__
        rate = self.learning_rate if learning_rate is None else learning_rate
        if isinstance(rate, bool) or not (isinstance(rate, numbers.Real) and np.isfinite(rate)
                                         and rate > 0):
            raise ValueError(
                f"{name}._update_params takes steps of a fixed size, but learning_rate is "
                f"{rate!r}: set learning_rate to a positive number, e.g. "
                f"{name}(learning_rate=0.1), or pass it as _update_params(grad_w, grad_b, 0.1).")
        grad_w = np.asarray(grad_w, dtype=float).ravel()
        grad_b = np.asarray(grad_b, dtype=float).ravel()
        if grad_b.size != 1:
            raise ValueError(f"{name}._update_params: grad_b must be one number (the sum of "
                             f"delta), got {grad_b.size} values.")
        if hasattr(self, "coef_"):
            w, b = np.ravel(self.coef_).astype(float), float(np.ravel(self.intercept_)[0])
        else:
            w, b = np.zeros(grad_w.size), 0.0
        if grad_w.size != w.size:
            raise ValueError(f"{name}._update_params: grad_w has {grad_w.size} values but the "
                             f"model has {w.size} weights; pass X^T delta for the same columns.")
        self._set_fitted(w - rate * grad_w, float(b - rate * grad_b[0]))

    @staticmethod
    def _material_pair(X, delta):
        """``X`` (m, n) and ``delta`` (m,) as float arrays, or a ValueError naming the mismatch."""
        X = np.asarray(X, dtype=float)
        delta = np.asarray(delta, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"_compute_loss_grad: X must be a 2-D array (m rows, n columns), "
                             f"got {X.ndim} dimension(s).")
        if delta.ndim == 2 and delta.shape[1] == 1:
            delta = delta[:, 0]
        if delta.shape != (X.shape[0],):
            raise ValueError(
                f"_compute_loss_grad: delta must hold one value per row of X ({X.shape[0]}), "
                f"got shape {delta.shape}; delta = (y_hat - y) / m.")
        return X, delta

    # -- fitting ----------------------------------------------------------
    def _fold(self, grad_w, grad_b):
        r"""The plain gradient turned into that of the standardized parameters:
        for :math:`z = \frac{X-\mu}{s}v + c` the chain rule gives
        :math:`\nabla_v J = (\nabla_w J - \mu\, \partial_b J)/s` and
        :math:`\partial_c J = \partial_b J`."""
        return (grad_w - self._x_mean * grad_b) / self._x_scale, grad_b

    def _objective(self, X, y, loss=None, alpha=None, unit=1.0):
        """``theta -> (J, grad, halt)`` on the standardized parameters, measured in
        ``unit`` (a power of two): theta and the gradient in ``unit``, J in ``unit**2``."""
        n = X.shape[1]
        alpha = float(self.alpha if alpha is None else alpha)
        loss = self._loss if loss is None else loss
        mean, scale = self._x_mean, self._x_scale

        if isinstance(X, np.ndarray):
            y = np.zeros(X.shape[0]) if y is None else y
            one_pass = partial(loss_grad, X, y)
        else:                       # Dask: one distributed pass, see descend.cluster
            one_pass = partial(X.loss_grad, target=y is not None)

        def fun(theta):
            w = theta[:n] / scale                      # in unit
            b = theta[n] - mean @ w
            J, gw, gb, separated = one_pass(w * unit, b * unit, loss)
            gw, gb = self._fold(gw, gb)
            J, gw, gb = J / (unit * unit), gw / unit, gb / unit
            if alpha:
                J += 0.5 * alpha * float(w @ w)
                gw = gw + alpha * w / scale
            halt = "separable" if separated and not alpha else None
            return J, np.append(gw, gb), halt

        return fun

    def _lipschitz(self, X):
        """L = curvature * lambda_max([Z, 1]^T [Z, 1] / m) + alpha * max(1/s^2)."""
        # The gradient of 1/(2m)|[Z, 1] theta|^2 is the Hessian-vector product.
        if isinstance(X, np.ndarray) or X.n > _DASK_HESSIAN_MAX:
            hessian = self._objective(X, None, SquaredError, alpha=0.0)     # y = 0

            def matvec(v):
                return hessian(v)[1]
        else:               # Dask: the (n+1)^2 matrix in one pass, not a pass per product
            matvec = X.squared_hessian(self._x_mean, self._x_scale).__matmul__
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        lam = power_iteration(matvec, X.shape[1] + 1, rng=rng)
        smallest = float(np.min(self._x_scale))
        penalty = float(self.alpha) / smallest / smallest if self.alpha else 0.0
        return self._loss.curvature * lam + penalty

    def _fit(self, X, y, intercept0, y_scale=1.0, y_divided=False):
        """Descend in units of ``y_scale`` and report everything in the units of ``y``.

        ``y_scale`` (a power of two, so scaling by it is exact) keeps the
        parameters and the loss near 1 whatever the units of ``y``:
        :math:`J(w; y) = s^2 J(w/s; y/s)` with the same penalty, so the fit is
        the same, and the steps never fall below or beyond what float64
        resolves. The pass works in the units of ``y`` (no copy of it), unless
        ``y_divided``: ``y`` already divided by ``y_scale``, for targets whose
        squares would leave float64's range.
        """
        self._check_params()
        m, n = X.shape
        if self.standardize:
            mean, std = column_moments(X) if isinstance(X, np.ndarray) else (X.mean, X.std)
            # With a penalty, scale by sqrt(s^2 + alpha/curvature): the square root of
            # the diagonal of the Hessian, which balances the data term and the penalty.
            scale = np.hypot(std, np.sqrt(self.alpha / self._loss.curvature))
            scale[~(scale > 0) | ~np.isfinite(scale)] = 1.0
        else:
            mean, scale = np.zeros(n), np.ones(n)
        self._x_mean, self._x_scale = mean, scale
        theta0 = np.append(np.zeros(n), intercept0 / y_scale)
        result = minimize(
            self._objective(X, y, unit=1.0 if y_divided else y_scale), theta0, solver=self.solver,
            learning_rate=self.learning_rate, lipschitz=lambda: self._lipschitz(X),
            max_iter=self.max_iter, tol=self.tol,
            callback=self._callbacks(y_scale), loss_unit=y_scale * y_scale,
        ).in_units(y_scale)
        with np.errstate(over="ignore", invalid="ignore"):
            coef = result.theta[:n] / scale
            intercept = float(result.theta[n] - mean @ coef)
        self._check_representable(coef, intercept, scale, y_scale)
        self._set_fitted(coef, intercept)
        self.x_mean_, self.x_scale_ = mean, scale
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.stop_reason_ = result.stop_reason
        self.history_ = result.history
        warn_unless_converged(self, result, X, y)
        return self

    def _check_representable(self, coef, intercept, scale, y_scale):
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

    def _callbacks(self, y_scale=1.0):
        if not self.verbose and self.callback is None:
            return None
        every = 1 if self.verbose >= 2 else max(1, self.max_iter // 10)

        def shown(k):                  # verbose=1: iterations 1, 2, 4, 8, ... and every tenth
            return k % every == 0 or (k & (k - 1)) == 0
        name, user = type(self).__name__, self.callback
        n, mean, scale = self._x_mean.size, self._x_mean, self._x_scale

        def callback(k, J, gnorm, t, theta):
            J, gnorm, theta = J * y_scale * y_scale, gnorm * y_scale, theta * y_scale
            if self.verbose and shown(k):
                print(f"[{name}] iter {k:6d}  loss {J:.10g}  max|grad| {gnorm:.3e}  "
                      f"step {t:.3e}", flush=True)
            if user is not None:
                coef = theta[:n] / scale
                user(Step(k, J, gnorm, t, coef, float(theta[n] - mean @ coef)))
        return callback

    def _validate_X(self, X):
        check_is_fitted(self)
        if is_dask(X):              # predictions stay lazy, chunk by chunk
            from .daskinput import as_dask_matrix
            X, header = as_dask_matrix(X, type(self).__name__)
            _check_feature_names(self, header, reset=False)   # scikit-learn's own checks
            if X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is "
                                 f"expecting {self.n_features_in_} features as input.")
            return X
        return validate_data(self, X, reset=False, dtype=_DTYPES)

    def _dask_rows(self, X, y, classify):
        """Dask input: check it, and summarize it in one pass (see :mod:`descend.cluster`)."""
        from .cluster import DaskRows
        self._check_params()
        rows = DaskRows.prepare(X, y, type(self).__name__, classify)
        _check_feature_names(self, rows.header, reset=True)
        self.n_features_in_ = rows.n
        return rows


class LinearRegression(_DaskScore, RegressorMixin, _GradientDescentModel):
    __doc__ = r"""Linear regression, :math:`\hat y = Xw + b`, fitted by gradient descent
    on half the mean squared error.

    The optimum is that of ordinary least squares (``alpha=0``) or of ridge
    regression: scikit-learn's ``Ridge(alpha=a)`` minimizes
    :math:`\lVert y - Xw - b\rVert^2 + a\lVert w\rVert^2`, the same as this
    model with ``alpha = a / m``.
    """ + _PARAMS_DOC.replace("{alpha_doc}", "") + _FITTED_DOC

    _loss = SquaredError
    _metric = staticmethod(r2_score)

    def fit(self, X, y):
        """Fit on ``X`` (m, n) and numeric targets ``y`` (m,); returns self.

        ``X`` and ``y`` may be dask arrays or a dask DataFrame and Series: the
        fit then runs on the cluster, one distributed pass per evaluation.
        """
        if is_dask(X) or is_dask(y):
            rows = self._dask_rows(X, y, classify=False)
            y_scale, divide = _target_scale(rows.y_absmax)
            if divide:
                rows.replace_target(rows.y / y_scale)
            return self._fit(rows, rows.y, rows.y_mean, y_scale, divide)
        check_fit_inputs(X, y, type(self).__name__, numeric=True)
        X, y = validate_data(self, X, y, dtype=_DTYPES, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        y_scale, divide = _target_scale(float(np.max(np.abs(y))))
        with np.errstate(over="ignore"):
            mean = float(np.mean(y))
        if not np.isfinite(mean):                  # the sum overflowed: average in y_scale
            mean = float(np.mean(y / y_scale)) * y_scale
        return self._fit(X, y / y_scale if divide else y, mean, y_scale, divide)

    def _set_fitted(self, coef, intercept):
        self.coef_, self.intercept_ = coef, intercept

    def predict(self, X):
        """:math:`\\hat y = Xw + b` for each row of ``X``."""
        X = self._validate_X(X)
        return X @ self.coef_ + self.intercept_


class LogisticClassifier(_DaskScore, ClassifierMixin, _GradientDescentModel):
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

    def fit(self, X, y):
        """Fit on ``X`` (m, n) and two-class labels ``y`` (m,); returns self.

        ``X`` and ``y`` may be dask arrays or a dask DataFrame and Series: the
        fit then runs on the cluster, one distributed pass per evaluation.
        """
        if is_dask(X) or is_dask(y):
            rows = self._dask_rows(X, y, classify=True)
            self.classes_ = self._check_classes(rows.labels, rows.labels)
            rows.replace_target(rows.y.map_blocks(np.equal, self.classes_[1], dtype=bool)
                                .astype(np.float64))
            p = float(np.clip(rows.counts[self.classes_[1]] / rows.m, 1e-12, 1 - 1e-12))
            return self._fit(rows, rows.y, float(np.log(p / (1 - p))))
        check_fit_inputs(X, y, type(self).__name__, numeric=False)
        X, y = validate_data(self, X, y, dtype=_DTYPES)
        self.classes_ = classes = self._check_classes(y, np.unique(y))
        y01 = (y == classes[1]).astype(np.float64)
        p = float(np.clip(y01.mean(), 1e-12, 1 - 1e-12))
        return self._fit(X, y01, float(np.log(p / (1 - p))))

    def _check_classes(self, y, classes):
        """``classes`` (the sorted labels of ``y``) if there are exactly two."""
        check_classification_targets(y)
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
        X = self._validate_X(X)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X):
        """Columns :math:`1 - \\sigma(z)` and :math:`\\sigma(z)`, in the order of ``classes_``."""
        z = self.decision_function(X)
        if is_dask(z):
            return z.map_blocks(_both_columns, sigmoid, new_axis=1, dtype=np.float64)
        return _both_columns(z, sigmoid)

    def predict_log_proba(self, X):
        z = self.decision_function(X)
        if is_dask(z):
            return z.map_blocks(_both_columns, _log_sigmoid, new_axis=1, dtype=np.float64)
        return _both_columns(z, _log_sigmoid)

    def predict(self, X):
        """The class of each row: ``classes_[1]`` where :math:`z > 0`."""
        positive = self.decision_function(X) > 0
        if is_dask(positive):
            return positive.map_blocks(_label_of, self.classes_, dtype=self.classes_.dtype)
        return _label_of(positive, self.classes_)
