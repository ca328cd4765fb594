"""Why a fit stopped short, said in one warning that names the cause in the data.

A fit that does not converge warns with scikit-learn's ``ConvergenceWarning``
(or :class:`~descend.errors.SeparationWarning` for perfectly separable
classes). Before advising more iterations or a looser ``tol``, the warning
looks for what in the data keeps the descent from converging, on the rows
the fit used, and names it:

* a **constant column** without standardization, which duplicates the
  intercept and makes the loss a narrow valley;
* **subnormal values** (below 2.2e-308), which carry too few significant
  digits for the loss to resolve a step;
* **quasi-separation** (logistic regression without a penalty): rows the
  model classifies with near certainty, all correctly, while the weights keep
  growing, so that no finite optimum exists.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .errors import SeparationWarning
from .gradient import row_blocks
from .moments import column_moments

__all__ = ["warn_unless_converged", "causes"]

#: |z| beyond which sigma(z) is within 2e-9 of 0 or 1: a near-certain row.
CERTAIN_SCORE = 20.0


def causes(model, X, y):
    """Sentences naming what in ``X`` (in memory or Dask rows) and ``y`` (0/1 for a
    classifier) keeps ``model`` from converging."""
    mean, std = (column_moments(X) if isinstance(X, np.ndarray) else (X.mean, X.std))
    found = []
    constant = np.flatnonzero(std == 0) if not model.standardize else np.array([], dtype=int)
    if constant.size:
        found.append(f"column{_s(constant)} {_few(constant)} {_are(constant)} constant, "
                     "duplicating the intercept, which unscaled makes the loss a narrow "
                     f"valley; leave {_them(constant)} out, or let descend rescale the data "
                     "(standardize=True)")
    tiny = np.finfo(float).tiny
    subnormal = np.flatnonzero(((std > 0) & (std < tiny)) | ((mean != 0) & (np.abs(mean) < tiny)))
    if subnormal.size:
        found.append(f"column{_s(subnormal)} {_few(subnormal)} {_are(subnormal)} subnormal "
                     "(below 2.2e-308), with too few significant digits to resolve a step; "
                     "rescale (e.g. multiply by 1e300)")
    if (hasattr(model, "classes_") and not model.alpha and isinstance(X, np.ndarray)):
        z = _scores(X, model.coef_[0], model.intercept_[0])         # (m,)
        certain = np.abs(z) > CERTAIN_SCORE
        if certain.any() and np.all((z[certain] > 0) == (y[certain] == 1.0)):
            found.append(f"the classes are nearly separable (quasi-separation): {certain.sum()} "
                         f"of {z.size} rows are classified with near certainty (|z| > "
                         f"{CERTAIN_SCORE:g}), all correctly, and the weights keep growing, so "
                         "no finite optimum exists; set alpha > 0 (an L2 penalty)")
    return found


def warn_unless_converged(model, result, X, y):
    """Warn, naming the cause where the data show one, unless ``result`` converged."""
    name, reason = type(model).__name__, result.stop_reason
    if reason == "converged":
        return
    gnorm = result.history["grad_norm"][-1]
    above = f"{gnorm / result.gtol:.3g} times" if result.gtol > 0 else "above"
    gap = f"{gnorm:.3g}, {above} the tolerance {result.gtol:.3g}"
    if reason == "separable":
        warnings.warn(
            f"{name}: the two classes are perfectly separable, so the unpenalized loss has no "
            f"minimum (it keeps falling as the weights grow). Stopped after {result.n_iter} "
            f"iteration{'s' * (result.n_iter != 1)} at the first weights that classify every "
            "training example correctly. Set alpha > 0 (an L2 penalty) for a unique, finite "
            "optimum.", SeparationWarning, stacklevel=4)
        return
    found = causes(model, X, y)
    if reason == "stalled":
        what = (f"{name}: after {result.n_iter} iterations no step lowers the loss any more "
                f"(float64 rounding), while the largest gradient component is still {gap}.")
        advice = ("The loss cannot resolve smaller steps at this scale: loosen tol"
                  + ("" if model.standardize else
                     ", or let descend rescale the data (standardize=True)") + ".")
    else:
        what = (f"{name} did not converge in max_iter={model.max_iter} iterations "
                f"(solver={model.solver!r}): the largest gradient component is {gap}.")
        advice = ("Increase max_iter" + ("" if model.solver == "lbfgs" else
                                         ", use solver='lbfgs'") + ", or loosen tol.")
    if found:
        advice = "The cause is in the data: " + "; and ".join(found) + "."
    warnings.warn(f"{what} {advice}", ConvergenceWarning, stacklevel=4)


def _scores(X, w, b):
    """``X w + b`` one cache-sized block at a time (a float32 X is never widened whole)."""
    z = np.empty(X.shape[0])
    for rows in row_blocks(X):
        np.matmul(X[rows].astype(np.float64, copy=False), w, out=z[rows])
    z += b
    return z


def _few(columns):
    return ", ".join(map(str, columns[:5])) + (", ..." if columns.size > 5 else "")


def _s(columns):
    return "s" if columns.size > 1 else ""


def _are(columns):
    return "are" if columns.size > 1 else "is"


def _them(columns):
    return "them" if columns.size > 1 else "it"
