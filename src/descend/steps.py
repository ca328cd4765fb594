"""What a fit shows after each update: :class:`Step` for callbacks, and verbose lines.

The solvers report in the objective's coordinates (standardized parameters,
in the target's unit); :func:`reporter` turns each report into the user's
units before a callback or a printed line sees it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Step", "reporter"]


class Step(NamedTuple):
    """What a ``callback`` sees after each update."""

    iteration: int
    loss: float
    grad_norm: float
    learning_rate: float
    coef: np.ndarray        # (n_features,), in the units of X
    intercept: float


def reporter(name, objective, factor, *, verbose=0, callback=None, max_iter=1):
    """The solvers' ``callback(k, J, grad_norm, t, theta)`` for one fit, or None.

    ``factor`` turns the objective's target unit into the user's (1, or the
    power of two ``y`` was divided by). ``verbose=1`` prints iterations 1, 2,
    4, 8, ... and every tenth of ``max_iter``; 2 and more print every one.
    """
    if not verbose and callback is None:
        return None
    every = 1 if verbose >= 2 else max(1, max_iter // 10)
    unit = objective.unit * factor                  # the user's y per unit of the objective's J

    def report(k, J, gnorm, t, theta):
        J, gnorm = J * unit * unit, gnorm * unit
        if verbose and (k % every == 0 or (k & (k - 1)) == 0):
            print(f"[{name}] iter {k:6d}  loss {J:.10g}  max|grad| {gnorm:.3e}  step {t:.3e}",
                  flush=True)
        if callback is not None:
            w, b = objective.params(theta)
            callback(Step(k, J, gnorm, t, w * factor, b * factor))
    return report
