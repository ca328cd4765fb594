r"""The estimators: ``LinearRegression`` and ``LogisticClassifier``.

They differ only in their target, link and loss (:mod:`descend.losses`,
:mod:`descend.softmax`); the gradient (:mod:`descend.gradient`), the training
loop (:mod:`descend.solvers`) and fitting (:mod:`descend.base`) are shared.
Both minimize

.. math::
    J(w, b) = \frac{\sum_i s_i L(z_i, y_i)}{\sum_i s_i}
              + \alpha\left(\rho\lVert w\rVert_1 + \frac{1 - \rho}{2}\lVert w\rVert^2\right),
    \qquad z = Xw + b,

with :math:`L` half the squared error, the binary cross-entropy, or for K
classes the cross-entropy of the softmax; :math:`s_i` the sample weights (1
by default) and :math:`\rho` the ``l1_ratio``. The penalty is on ``coef_`` in
the units of ``X`` and never on the intercept, so ``standardize`` changes the
path of the descent, never its destination.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.multiclass import check_classification_targets

from .base import _GradientDescentModel, _Score, _Target
from .docstrings import CLASS_WEIGHT_DOC, FITTED_DOC, PARAMS_DOC
from .losses import LogLoss, SquaredError, loss_of, sigmoid
from .objective import target_scale
from .rows import ArrayRows, checked_input, scored
from .softmax import Softmax, softmax
from .steps import Step
from .weights import class_factors

__all__ = ["LinearRegression", "LogisticClassifier", "Step", "estimator", "objective_of"]


def _label_of(positive, classes):
    return classes[positive.astype(int)]


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def _log_softmax(Z):
    top = Z.max(axis=1, keepdims=True)
    return Z - top - np.log(np.exp(Z - top).sum(axis=1, keepdims=True))


def _both_columns(z, link):
    """Columns ``link(-z)`` and ``link(z)``: the two classes' probabilities (or logs)."""
    return np.column_stack([link(-z), link(z)])


def _best_of(Z, classes):
    return classes[np.argmax(Z, axis=1)]


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
        """The target's unit: the objective's unit and what ``y`` was divided by (see
        :func:`descend.objective.target_scale`)."""
        y_scale, divide = target_scale(rows.y_absmax)
        if divide:
            rows.divide_target(y_scale)
            return _Target(1.0, y_scale, SquaredError)
        return _Target(y_scale, 1.0, SquaredError)

    def _set_fitted(self, coef, intercept):
        self.coef_, self.intercept_ = coef, intercept

    def predict(self, X):
        r""":math:`\hat y = Xw + b` for each row of ``X``."""
        return checked_input(self, X) @ self.coef_ + self.intercept_


class LogisticClassifier(_Score, ClassifierMixin, _GradientDescentModel):
    __doc__ = r"""Logistic regression, :math:`\hat y = \sigma(Xw + b)` for two classes and
    :math:`\hat y = \operatorname{softmax}(XW^\top + b)` for more, fitted by gradient
    descent on the cross-entropy.

    Any labels work (strings, booleans, {-1, 1}, {0, 1}, 0..K-1); ``classes_``
    holds them sorted. With two classes the model is the material's, one
    weight vector (``coef_`` of shape (1, n)) and the probability of
    ``classes_[1]``; with K > 2 it is multinomial regression
    (:mod:`descend.softmax`), a weight vector per class (``coef_`` (K, n)),
    with the same residual :math:`\delta = \hat y - Y` and gradient
    :math:`X^\top\delta/m`. scikit-learn's ``LogisticRegression(C=c)`` minimizes
    :math:`\frac12\lVert w\rVert^2 + c\sum_i L_i`; dividing by :math:`cm`
    shows it is this model with ``alpha = 1 / (c m)``.
    """ + PARAMS_DOC.replace("{alpha_doc}", (
        " On perfectly separable data only\n        ``alpha > 0`` gives a finite optimum.")
    ) + CLASS_WEIGHT_DOC + FITTED_DOC

    _loss = LogLoss
    _metric = staticmethod(accuracy_score)

    def __init__(self, *, learning_rate="auto", max_iter=1000, tol=1e-6, standardize=True,
                 alpha=0.0, l1_ratio=0.0, solver="auto", verbose=0, random_state=None,
                 callback=None, batch_size=32, schedule="auto", average=False, shuffle=True,
                 class_weight=None):
        super().__init__(learning_rate=learning_rate, max_iter=max_iter, tol=tol,
                         standardize=standardize, alpha=alpha, l1_ratio=l1_ratio, solver=solver,
                         verbose=verbose, random_state=random_state, callback=callback,
                         batch_size=batch_size, schedule=schedule, average=average,
                         shuffle=shuffle)
        self.class_weight = class_weight

    def _target(self, rows):
        """The labels, sorted, as ``classes_``; the rows' target becomes 0/1 for two
        classes (the log-loss), else the codes 0..K-1 (the softmax); ``class_weight``
        multiplies the rows' weights."""
        self.classes_ = classes = self._check_classes(rows.labels)
        name, K = type(self).__name__, classes.size
        if not isinstance(rows, ArrayRows) and self.class_weight is not None:
            raise ValueError(f"{name}: class_weight with Dask input is not supported yet; pass "
                             "the weights as sample_weight (a weight per row, e.g. y mapped "
                             "through the class weights) or fit in memory.")
        if K == 2:
            rows.encode(classes[1])
            target = _Target(1.0, 1.0, LogLoss)
        else:
            rows.encode_classes(classes)
            target = _Target(1.0, 1.0, Softmax, K)
        if self.class_weight is not None:
            codes = rows.y.astype(np.intp)
            factors = class_factors(self.class_weight, classes, codes, name, rows.sample_weight)
            rows.reweigh(factors[codes], f"{name}: with class_weight, every row's weight")
        return target

    def _check_classes(self, classes):
        """``classes`` (the sorted labels of ``y``) if there are at least two."""
        check_classification_targets(classes)
        if classes.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs examples of two classes to learn a boundary, but "
                f"y holds only one class ({classes.tolist()[0]!r}). Check the target column."
            )
        return classes

    def _set_fitted(self, coef, intercept):
        if np.ndim(coef) == 2:                           # (n, K): a column per class
            self.coef_, self.intercept_ = coef.T.copy(), np.asarray(intercept, dtype=float)
        else:
            self.coef_, self.intercept_ = coef[None, :], np.array([intercept])

    def decision_function(self, X):
        """The raw scores: :math:`z = Xw + b` (m,) for two classes, positive meaning
        ``classes_[1]``; :math:`Z = XW^\\top + b` (m, K) for K classes."""
        X = checked_input(self, X)
        if len(self.classes_) > 2:
            return X @ self.coef_.T + self.intercept_
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X):
        """The probability of each class (m, K), in the order of ``classes_``: for two,
        columns :math:`1 - \\sigma(z)` and :math:`\\sigma(z)`; rows sum to 1."""
        z = self.decision_function(X)
        if z.ndim == 2:
            return scored(softmax, z)
        return scored(_both_columns, z, sigmoid, columns=True)

    def predict_log_proba(self, X):
        z = self.decision_function(X)
        if z.ndim == 2:
            return scored(_log_softmax, z)
        return scored(_both_columns, z, _log_sigmoid, columns=True)

    def predict(self, X):
        """The class of each row: the most probable (``classes_[1]`` where :math:`z > 0`)."""
        z = self.decision_function(X)
        if z.ndim == 2:
            return scored(_best_of, z, self.classes_, dtype=self.classes_.dtype, drop=True)
        return scored(_label_of, z > 0, self.classes_, dtype=self.classes_.dtype)


def estimator(model, **params):
    """A new ``LinearRegression`` or ``LogisticClassifier`` for ``"linear"``/``"logistic"``
    (or for a loss), with ``params``."""
    kind = loss_of(model).kind
    return {"linear": LinearRegression, "logistic": LogisticClassifier}[kind](**params)


def objective_of(model, X, y, sample_weight=None):
    """``(objective, theta0)``: what ``model.fit(X, y)`` would minimize, and where it would
    start (``model`` itself is not touched). ``objective.lipschitz()`` is the largest
    curvature :math:`L` behind ``learning_rate="auto"``; ``objective.at(w, b)`` the loss
    and gradient at any weights, in the units of ``X`` and ``y``."""
    from sklearn.base import clone

    problem = clone(model)._problem(X, y, sample_weight=sample_weight)
    return problem.objective, problem.theta0
