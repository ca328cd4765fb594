r"""The material's two methods, on any estimator, fitted or not.

The material trains its ``LogisticClassifier`` with a loop of its own::

    delta = (y_hat - y) / m                          # the mean error vector
    grad_w, grad_b = model._compute_loss_grad(X, delta)
    model._update_params(grad_w, grad_b)

:class:`MaterialMethods` gives both estimators these two methods exactly as
the material defines them: :math:`(X^\top\delta,\ \sum_i \delta_i)` and one
step :math:`w \leftarrow w - \alpha\, g_w`, on ``coef_`` and ``intercept_``.
``fit`` does not use them: it computes the same gradient in one fused pass
(:mod:`descend.gradient`), which a test holds equal to them.
"""

from __future__ import annotations

import numbers

import numpy as np

from .gradient import backward

__all__ = ["MaterialMethods"]


class MaterialMethods:
    """``_compute_loss_grad`` and ``_update_params``, for an estimator with
    ``learning_rate`` and ``_set_fitted(coef, intercept)``."""

    def _compute_loss_grad(self, X, delta):
        r"""The gradient of :math:`J` from the mean error vector, as the material writes it.

        With :math:`\delta = (\hat y - y)/m` for the rows of ``X``, returns
        ``(grad_w, grad_b)`` = :math:`(X^\top\delta,\ \sum_i \delta_i)` (for K classes
        ``delta`` (m, K), :math:`(\hat Y - Y)/m`, gives ``grad_w`` (n, K) and ``grad_b`` (K,)), the
        gradient of the mean data loss with respect to :math:`w` and :math:`b`
        in the units of ``X``. It needs no fitted state and folds nothing in:
        ``fit`` computes the same formula in one fused pass over ``X`` (and on
        standardized parameters when ``standardize``).
        """
        X, delta = self._material_pair(X, delta)
        if delta.ndim == 2:
            return X.T @ delta, delta.sum(axis=0)
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
        grad_w = np.asarray(grad_w, dtype=float)
        grad_b = np.asarray(grad_b, dtype=float).ravel()
        if grad_w.ndim == 2 and grad_w.shape[1] > 1:       # K classes: a column per class
            return self._update_classes(grad_w, grad_b, rate)
        grad_w = grad_w.ravel()
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

    def _update_classes(self, grad_w, grad_b, rate):
        """The step for K classes: ``coef_`` (K, n) by ``grad_w`` (n, K), ``intercept_`` (K,)."""
        name = type(self).__name__
        n, K = grad_w.shape
        if grad_b.size != K:
            raise ValueError(f"{name}._update_params: grad_b must hold one number per class "
                             f"({K}, the columns of grad_w), got {grad_b.size}.")
        coef = np.asarray(getattr(self, "coef_", np.zeros((K, n))), dtype=float)
        intercept = np.asarray(getattr(self, "intercept_", np.zeros(K)), dtype=float).ravel()
        if coef.shape != (K, n):
            raise ValueError(f"{name}._update_params: grad_w has shape {(n, K)} but coef_ has "
                             f"{coef.shape}; pass X^T delta (n, K) for the same columns and classes.")
        self._set_fitted((coef - rate * grad_w.T).T, intercept - rate * grad_b)

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
        if delta.ndim == 2 and delta.shape[0] == X.shape[0]:
            return X, delta                                  # K classes: (m, K)
        if delta.shape != (X.shape[0],):
            raise ValueError(
                f"_compute_loss_grad: delta must hold one value per row of X ({X.shape[0]}), "
                f"got shape {delta.shape}; delta = (y_hat - y) / m.")
        return X, delta
