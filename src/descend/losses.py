r"""Losses, the link functions, and their derivatives, side by side.

Both models compute a raw score :math:`z = Xw + b` and a prediction
:math:`a = \hat y = g(z)` through a link :math:`g`: the identity for linear
regression, the sigmoid for logistic regression. Each loss below is paired
with its derivative with respect to :math:`z`, and for both losses that
derivative is the same residual

.. math::
    \frac{\partial L}{\partial z} = \hat y - y = \delta,

which is why a single gradient :math:`\nabla_w J = X^\top\delta/m` serves
both models (see :mod:`descend.gradient`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

__all__ = [
    "sigmoid",
    "sigmoid_derivative",
    "squared_error_loss",
    "binary_log_loss",
    "log_loss_from_scores",
    "SquaredError",
    "LogLoss",
    "LOSSES",
    "loss_of",
]


def sigmoid(z):
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Stable for any finite ``z``: it never overflows and returns exactly 0 or 1
    only where the true value rounds to them.
    """
    return expit(np.asarray(z, dtype=float))


def sigmoid_derivative(z):
    r"""The derivative :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`."""
    s = sigmoid(z)
    return s * (1.0 - s)


def _as_pair(y_true, y_pred, what):
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {y_true.size} values but {what} has {y_pred.size}; "
            "they must have one value per example."
        )
    if y_true.size == 0:
        raise ValueError("the loss of zero examples is undefined: pass at least one.")
    return y_true, y_pred


def squared_error_loss(y_true, y_pred):
    r"""Half the mean squared error.

    .. math::
        J = \frac{1}{2m} \sum_{i=1}^{m} (\hat y_i - y_i)^2

    The factor :math:`\tfrac12` is a convention: it cancels the 2 that the
    derivative brings down, so :math:`\partial J / \partial \hat y_i =
    (\hat y_i - y_i)/m`. It halves the loss value but moves no minimum.
    """
    y_true, y_pred = _as_pair(y_true, y_pred, "y_pred")
    return 0.5 * float(np.mean((y_pred - y_true) ** 2))


def binary_log_loss(y_true, y_prob):
    r"""Binary cross-entropy of predicted probabilities.

    .. math::
        J = -\frac{1}{m} \sum_{i=1}^{m}
            \left[ y_i \log p_i + (1 - y_i) \log(1 - p_i) \right]

    This is the negative log-likelihood of Bernoulli trials, divided by
    :math:`m`. Probabilities are clipped to :math:`[\epsilon, 1-\epsilon]`
    with :math:`\epsilon` the machine epsilon of float64, so ``p`` exactly 0 or
    1 gives a large finite loss rather than ``inf`` and no warning. Training
    uses :func:`log_loss_from_scores`, which needs no clipping.
    """
    y_true, p = _as_pair(y_true, y_prob, "y_prob")
    eps = np.finfo(p.dtype).eps
    p = np.clip(p, eps, 1.0 - eps)
    return float(-np.mean(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p)))


def _exp_minus_abs(z):
    """:math:`e^{-|z|}`, which never overflows."""
    e = np.abs(z)
    np.negative(e, out=e)
    return np.exp(e, out=e)


def _log_loss_terms(z, y, e):
    # log(1 + e^z) - y z  ==  max(z, 0) - y z + log(1 + e^{-|z|}), with e = e^{-|z|}.
    # For y in {0, 1} the first two terms cancel exactly, so the value is exact
    # (no catastrophic cancellation) for any |z|, and exp never overflows.
    terms = np.maximum(z, 0.0)
    terms -= y * z
    terms += np.log1p(e)
    return terms


def log_loss_from_scores(y_true, z):
    r"""Binary cross-entropy computed from raw scores :math:`z` (logits).

    With :math:`p = \sigma(z)`,
    :math:`-[y\log p + (1-y)\log(1-p)] = \log(1 + e^{z}) - y z`,
    evaluated here as :math:`\max(z, 0) - yz + \log(1 + e^{-|z|})`: exact and
    free of overflow for any finite :math:`z` (``|z|`` of 1e4 and beyond).
    """
    y_true, z = _as_pair(y_true, z, "z")
    return float(np.mean(_log_loss_terms(z, y_true, _exp_minus_abs(z))))


class SquaredError:
    """Linear regression's pairing: identity link, half squared error.

    What a loss knows of itself, for everything that asks "which model?":
    ``name``; ``kind``, the word the command line and the teaching code use;
    ``title``, for figures; ``curvature``, a bound on the second derivative
    of the loss in ``z`` (1 here), which turns the data's largest eigenvalue
    into a step size; ``curvature_constant``, whether that second derivative
    is the same everywhere (the loss is a parabola: Newton's first step is
    its last); ``classifies``, whether targets are two labels coded
    0/1 (and separable data can leave the loss without a minimum); and
    :meth:`start`, the best constant score, where a fit begins.
    """

    name = "squared_error"
    kind = "linear"
    title = "half mean squared error"
    curvature = 1.0
    curvature_constant = True
    classifies = False

    @staticmethod
    def link(z):
        return z

    @staticmethod
    def start(y_mean):
        """The best constant prediction: the mean of y."""
        return float(y_mean)

    @staticmethod
    def loss_sum_and_delta(z, y):
        """Per-block terms: the summed loss and the residual ``delta = a - y``."""
        delta = z - y
        return 0.5 * float(delta @ delta), delta

    @staticmethod
    def term(z, y):
        """One row, scalars: ``(loss, delta)``. The compiled pass calls it per row."""
        delta = z - y
        return 0.5 * delta * delta, delta

    @classmethod
    def curvature_terms(cls, z, y):
        """Per-block terms of the Hessian pass: ``(loss_sum, delta, h)``, with ``h`` the
        second derivative in ``z`` of each row's loss; None here, every row's is 1."""
        return (*cls.loss_sum_and_delta(z, y), None)


class LogLoss:
    """Logistic regression's pairing: sigmoid link, binary cross-entropy.

    The log-loss has second derivative :math:`\\sigma(1-\\sigma) \\le 1/4`;
    see :class:`SquaredError` for what each attribute means.
    """

    name = "log_loss"
    kind = "logistic"
    title = "log-loss"
    curvature = 0.25
    curvature_constant = False
    classifies = True

    @staticmethod
    def link(z):
        return expit(z)

    @staticmethod
    def start(y_mean):
        """The best constant score: the log-odds of the positive class (kept finite)."""
        p = min(max(float(y_mean), 1e-12), 1 - 1e-12)
        return math.log(p / (1 - p))

    @staticmethod
    def loss_sum_and_delta(z, y):
        r"""Per-block terms from one :math:`e = e^{-|z|}` shared by loss and link.

        :math:`L = \max(z, 0) - yz + \log(1 + e)` as in
        :func:`log_loss_from_scores`, and :math:`\sigma(z) = 1/(1 + e)` for
        :math:`z \ge 0`, :math:`e/(1 + e)` otherwise: one ``exp`` per row
        instead of two, and the same values as scipy's ``expit`` to a few ulps
        of :math:`\sigma` (which ulp depends on the ``exp`` of the library and
        the CPU).
        """
        e = _exp_minus_abs(z)                              # (m_blk,)
        terms = _log_loss_terms(z, y, e)
        delta = np.where(z >= 0.0, 1.0, e)
        e += 1.0
        delta /= e                                         # sigma(z)
        delta -= y
        return float(terms.sum()), delta

    @staticmethod
    def term(z, y):
        """One row, scalars: ``(loss, delta)``, the same formulas as
        :meth:`loss_sum_and_delta`. The compiled pass calls it per row."""
        e = math.exp(-abs(z))
        a = (1.0 if z >= 0.0 else e) / (1.0 + e)          # sigma(z)
        return max(z, 0.0) - y * z + math.log1p(e), a - y

    @staticmethod
    def curvature_terms(z, y):
        r"""Per-block terms of the Hessian pass: ``(loss_sum, delta, h)`` with
        :math:`h = \sigma(z)(1 - \sigma(z)) = e/(1 + e)^2` for :math:`e = e^{-|z|}`,
        which keeps its digits where :math:`\sigma` rounds to 1."""
        e = _exp_minus_abs(z)
        terms = _log_loss_terms(z, y, e)
        one_e = 1.0 + e
        delta = np.where(z >= 0.0, 1.0, e) / one_e - y
        h = e / (one_e * one_e)
        return float(terms.sum()), delta, h


#: The losses by the word for their model: ``"linear"`` and ``"logistic"``.
LOSSES = {loss.kind: loss for loss in (SquaredError, LogLoss)}


def loss_of(model):
    """The loss of ``model``: an estimator, ``"linear"``/``"logistic"``, or a loss itself.

    The one place that answers "which model is this?".
    """
    if isinstance(model, str):
        if model not in LOSSES:
            raise ValueError(f"model must be 'linear' or 'logistic', got {model!r}")
        return LOSSES[model]
    if model in LOSSES.values():
        return model
    loss = getattr(model, "_loss", None)
    if loss is None:
        raise ValueError(f"model must be 'linear', 'logistic' or a descend estimator, "
                         f"got {model!r}")
    return loss
