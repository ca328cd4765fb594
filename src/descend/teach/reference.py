r"""The material's first version of training: plain Python loops over examples.

Kept as a small, readable reference that the vectorized engine is tested
against (to 1e-12), and for showing how much the vectorized version gains.
Each quantity is computed for one example :math:`i` at a time:

1. :math:`z_i = \sum_j x_{ij} w_j + b`
2. :math:`a_i = g(z_i)` (identity or sigmoid)
3. :math:`\delta_i = a_i - y_i`
4. :math:`\partial J/\partial w_j \mathrel{+}= \delta_i x_{ij} / m`,
   :math:`\partial J/\partial b \mathrel{+}= \delta_i / m`

Do not use it on large data: it is slow on purpose.
"""

from __future__ import annotations

import math

__all__ = ["looped_gradient", "looped_descent"]


def _link(name):
    if name == "identity":
        return lambda z: z
    if name == "sigmoid":
        return lambda z: 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    raise ValueError(f"link must be 'identity' or 'sigmoid', got {name!r}")


def looped_gradient(X, y, w, b, link="identity"):
    """``(grad_w, grad_b)`` of the mean loss, one example and one weight at a time.

    ``link="identity"`` gives the gradient of half the mean squared error,
    ``"sigmoid"`` that of the binary cross-entropy: the same loop serves both.
    """
    g = _link(link)
    m, n = len(X), len(w)
    grad_w = [0.0] * n
    grad_b = 0.0
    for i in range(m):
        z = b
        for j in range(n):
            z += X[i][j] * w[j]
        delta = g(z) - y[i]
        for j in range(n):
            grad_w[j] += delta * X[i][j] / m
        grad_b += delta / m
    return grad_w, grad_b


def looped_descent(X, y, learning_rate, n_iter, link="identity"):
    r"""Batch gradient descent from zero weights, :math:`w \leftarrow w - \alpha\,\nabla_w J`.

    Returns the final ``(w, b)``.
    """
    w, b = [0.0] * len(X[0]), 0.0
    for _ in range(n_iter):
        grad_w, grad_b = looped_gradient(X, y, w, b, link)
        w = [w_j - learning_rate * g_j for w_j, g_j in zip(w, grad_w)]
        b -= learning_rate * grad_b
    return w, b
