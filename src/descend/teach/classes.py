r"""K classes: the softmax, and the material's gradient once more.

:func:`softmax_gradient` takes one example through multinomial regression with
numbers: the scores :math:`z = W^\top x + b`, the probabilities
:math:`\hat y = \operatorname{softmax}(z)`, the one-hot target :math:`Y`, the
residual :math:`\delta = \hat y - Y`, and the gradient
:math:`\nabla_W L = x\,\delta^\top`, :math:`\nabla_b L = \delta`, the binary
model's :math:`(a - y)x` with a column per class, checked against central
differences of the loss. It also shows that two classes are the material's
sigmoid: the probability of class 1 is :math:`\sigma(z_1 - z_0)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..losses import sigmoid
from ..softmax import softmax

__all__ = ["softmax_gradient", "SoftmaxGradient"]


def _loss(x, k, W, b):
    z = x @ W + b
    top = z.max()
    return float(top + np.log(np.exp(z - top).sum()) - z[k])


@dataclass
class SoftmaxGradient:
    """One example of K classes through the softmax, with its checks."""

    x: np.ndarray           # (n,)
    label: int              # the true class
    z: np.ndarray           # (K,) scores
    p: np.ndarray           # (K,) probabilities
    delta: np.ndarray       # (K,) p - Y
    grad_W: np.ndarray      # (n, K) x delta^T
    numeric_W: np.ndarray   # (n, K) central differences
    two_class_p: float      # softmax of scores (0, t): class 1's probability
    sigmoid_p: float        # sigma(t), the same number

    @property
    def error(self):
        """The largest difference between the formula and the differences, relative."""
        return float(np.max(np.abs(self.grad_W - self.numeric_W))
                     / max(np.max(np.abs(self.grad_W)), 1e-300))

    def __str__(self):
        K = self.z.size
        one_hot = np.eye(K)[self.label]
        rows = [f"one example, x = {np.round(self.x, 4).tolist()}, of class {self.label} "
                f"among {K}:",
                f"  scores      z = W^T x + b = {np.round(self.z, 4).tolist()}",
                f"  softmax     p = e^z / sum e^z = {np.round(self.p, 4).tolist()} "
                f"(sums to {self.p.sum():.12g})",
                f"  one-hot     Y = {one_hot.astype(int).tolist()}",
                f"  residual    delta = p - Y = {np.round(self.delta, 4).tolist()}",
                "  gradient    dL/dW = x delta^T (a column per class), dL/db = delta:"]
        for j, row in enumerate(self.grad_W):
            rows.append(f"    w_{j}: {np.round(row, 6).tolist()}")
        rows += [f"  central differences agree to {self.error:.1e} (relative).",
                 "The binary model's gradient (a - y) x, a column per class: the same "
                 "residual, the same X^T delta / m over m rows.",
                 f"Two classes are the sigmoid: softmax of the scores (0, {self.two_class_z:g}) "
                 f"gives class 1 the probability {self.two_class_p:.12f}, and "
                 f"sigma({self.two_class_z:g}) = {self.sigmoid_p:.12f}; only the difference of "
                 "the scores matters, which is why descend keeps one weight vector for two "
                 "classes."]
        return "\n".join(rows)

    @property
    def two_class_z(self):
        return float(self.z[1] - self.z[0])


def softmax_gradient(x=(1.5, -0.5), label=2, W=((0.2, -0.4, 0.1), (0.5, 0.3, -0.2)),
                     b=(0.0, 0.1, -0.1), *, h=1e-6):
    """One example ``x`` (n,) of class ``label`` through scores ``W`` (n, K) and ``b`` (K,):
    the softmax, the residual and the gradient, checked against central differences."""
    x, W, b = (np.asarray(v, dtype=float) for v in (x, W, b))
    z = x @ W + b
    p = softmax(z[None, :])[0]
    delta = p - np.eye(z.size)[label]
    grad = np.outer(x, delta)
    numeric = np.empty_like(W)
    for j in range(W.shape[0]):
        for k in range(W.shape[1]):
            step = np.zeros_like(W)
            step[j, k] = h
            numeric[j, k] = (_loss(x, label, W + step, b) - _loss(x, label, W - step, b)) / (2 * h)
    t = float(z[1] - z[0])
    two = softmax(np.array([[0.0, t]]))[0, 1]
    return SoftmaxGradient(x, int(label), z, p, delta, grad, numeric, float(two),
                           float(sigmoid(t)))
