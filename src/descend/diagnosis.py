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
* **quasi-separation** (logistic regression without a penalty): a boundary
  that puts no row on the wrong side and some strictly on the right one, so
  that the loss keeps falling as the weights grow and no finite optimum exists
  (found by a linear program, on problems of up to two million cells).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .arrays import py_scalar
from .errors import SeparationWarning
from .newton import collinear_columns
from .tables.report import few, plural

__all__ = ["warn_unless_converged", "warn_collinear", "causes", "CollinearityWarning"]


class CollinearityWarning(UserWarning):
    """Some columns are (nearly) linear combinations of others: the data cannot tell
    their weights apart, and the fit returns the minimum-norm weights among the equally
    good ones."""


def warn_collinear(model, null, outputs=1):
    """Warn, naming the columns, when Newton's method found collinear columns (``null``:
    the directions of standardized theta it left out, theta's (n+1, K) grid read row by
    row for K ``outputs``; its last row is the intercept's). Not with an L1 part, which
    chooses among collinear columns itself (no minimum-norm answer)."""
    if null is None or not null.size or (model.alpha and model.l1_ratio):
        return
    n = model.n_features_in_
    involved = sorted({j // outputs for j in collinear_columns(null)})
    count = null.shape[1] if outputs == 1 else None        # with K classes, per class
    many = count is not None and count != 1
    combos = (f"{count} combination{'s' * many}" if count is not None else
              "a combination (for each class)")
    names = getattr(model, "feature_names_in_", None)
    named = [("the intercept" if j == n else
              (repr(str(names[j])) if names is not None else f"column {j}")) for j in involved]
    warnings.warn(
        f"{type(model).__name__}: {few(named, 8)} {'are' if len(named) > 1 else 'is'} "
        f"collinear: {combos} of them carr" + ("y" if many else "ies") +
        " no information the others do "
        "not (a column that repeats, sums or rescales others, or is constant). Their weights "
        "cannot be told apart; the fit returns the smallest weights (in standardized units) "
        "among the equally good ones. Leave one of each such group out for weights that "
        "mean something on their own.", CollinearityWarning, stacklevel=3)

#: The largest problem (rows times columns) for which a fit that stopped short
#: looks for a separating boundary with a linear program.
LP_MAX_CELLS = 2_000_000


def causes(model, rows):
    """Sentences naming what in the rows of a fit (their ``X``, and ``y`` 0/1 for a
    classifier) keeps ``model`` from converging."""
    mean, std = rows.moments()
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
    X, y = rows.X, rows.y
    if (model._loss.classifies and not model.alpha and isinstance(X, np.ndarray)
            and X.shape[0] * (X.shape[1] + 1) <= LP_MAX_CELLS):
        found += _quasi_separation(model, X, y, mean, std, getattr(rows, "sample_weight", None))
    return found


def _quasi_separation(model, X, y, mean, std, weights):
    """The sentence naming a quasi-separation, or none: of the two classes, or with K
    classes of one class from the rest (enough for the softmax's loss to have no
    minimum), found by :func:`_separated_rows` on the rows of weight above zero."""
    if weights is not None:
        X, y = X[weights > 0], y[weights > 0]
    classes = getattr(model, "classes_", np.array([0, 1]))
    sides = [(None, y)] if len(classes) == 2 else [
        (classes[k], (y == k).astype(np.float64)) for k in range(len(classes))]
    for label, target in sides:
        on_side = _separated_rows(X, target, mean, std)
        if on_side:
            which = ("the classes are" if label is None else
                     f"the class {py_scalar(label)!r} is, from the others,")
            return [f"{which} nearly separable (quasi-separation): a boundary puts "
                    f"{on_side} of {X.shape[0]} rows strictly on their class's side and none "
                    "on the wrong one, so the loss keeps falling as the weights grow and no "
                    "finite optimum exists; set alpha > 0 (an L2 penalty)"]
    return []


def _separated_rows(X, y, mean, std):
    r"""How many rows some boundary puts strictly on their class's side while none is on
    the wrong one (quasi-complete separation: the unpenalized log-loss then has no
    minimum, Albert and Anderson, 1984), or 0 when no boundary does.

    The linear program: maximize the summed margins :math:`\sum_i s_i (z_i \cdot d + d_0)`
    subject to every margin :math:`\ge 0` and :math:`|d_j| \le 1`, with :math:`s_i = \pm 1`
    the class and :math:`z` the standardized row; its optimum is 0 unless the classes
    can be separated.
    """
    from scipy.optimize import linprog

    keep = std > 0
    Z = np.empty((X.shape[0], int(keep.sum()) + 1))                # (m, n' + 1)
    np.subtract(X[:, keep], mean[keep], out=Z[:, :-1])
    Z[:, :-1] /= std[keep]
    Z[:, -1] = 1.0
    Z *= (2.0 * y - 1.0)[:, None]                                  # margins: Z @ d
    fit = linprog(-Z.sum(axis=0), A_ub=-Z, b_ub=np.zeros(X.shape[0]), bounds=(-1, 1),
                  method="highs")
    if fit.status != 0:
        return 0
    margins = Z @ fit.x
    scale = np.abs(Z).sum(axis=1)                                  # the largest a margin can be
    if np.any(margins < -1e-9 * scale) or not np.any(margins > 1e-6 * scale):
        return 0
    return int(np.sum(margins > 1e-6 * scale))


def warn_unless_converged(model, result, rows):
    """Warn, naming the cause where the data show one, unless ``result`` converged."""
    name, reason = type(model).__name__, result.stop_reason
    if reason == "converged":
        return
    gnorm = result.history["grad_norm"][-1]
    above = f"{gnorm / result.gtol:.3g} times" if result.gtol > 0 else "above"
    gap = f"{gnorm:.3g}, {above} the tolerance {result.gtol:.3g}"
    known = result.history["gap"][~np.isnan(result.history["gap"])]
    if known.size and np.isfinite(known[-1]):
        gap += (f" (the loss is {known[-1]:.3g} above its optimum by the last Newton "
                f"decrement, against tol={model.tol:g} times the loss)")
    elif known.size:
        gap += (" (no bound on the distance to the optimum could be computed: the loss still "
                "falls along a direction whose curvature is below float64's resolution, as "
                "with columns that differ by a tiny fraction of their spread; solver='lbfgs' "
                "may get closer, and dropping or combining such columns fixes it)")
    if reason == "separable":
        warnings.warn(
            f"{name}: the {'two ' * (len(getattr(model, 'classes_', ())) <= 2)}classes are "
            "perfectly separable, so the unpenalized loss has no "
            f"minimum (it keeps falling as the weights grow). Stopped after {result.n_iter} "
            f"iteration{'s' * (result.n_iter != 1)} at the first weights that classify every "
            "training example correctly. An L2 penalty (alpha=1e-3, say) gives a unique, "
            "finite optimum.", SeparationWarning, stacklevel=3)
        return
    found = causes(model, rows)
    if reason == "stalled":
        what = (f"{name}: after {result.n_iter} iterations no step lowers the loss any more "
                f"(float64 rounding), while the largest gradient component is still {gap}.")
        advice = ("The loss cannot resolve smaller steps at this scale: loosen tol"
                  + ("" if model.standardize else
                     ", or let descend rescale the data (standardize=True)") + ".")
    else:
        solver = getattr(model, "solver_", model.solver)
        what = (f"{name} did not converge in max_iter={model.max_iter} "
                f"{'epochs' if solver == 'sgd' else 'iterations'} "
                f"(solver={solver!r}): the largest gradient component is {gap}.")
        advice = ("Increase max_iter" + ("" if solver == "newton" else
                                         ", use solver='newton'") + ", or loosen tol.")
        if solver == "sgd":
            settle = [*(["average=True"] * (not model.average)),
                      *(["schedule=auto"] * (model.schedule != "auto"))]
            advice = ("Steps on batches settle only within their own noise: "
                      + "".join(f"set {' and '.join(settle)}, " for _ in settle[:1])
                      + "a larger batch_size or more epochs (max_iter), or loosen tol (1e-3 is "
                      "often within reach); solver='newton'"
                      + (" or solver='lbfgs'" * (not (model.l1_ratio and model.alpha)))
                      + " reach" + "es" * bool(model.l1_ratio and model.alpha)
                      + " the optimum itself.")
    if found:
        advice = "The cause is in the data: " + "; and ".join(found) + "."
    warnings.warn(f"{what} {advice}", ConvergenceWarning, stacklevel=3)


def _few(columns):
    return few(columns.tolist(), 5)


def _s(columns):
    return plural("", columns.size)


def _are(columns):
    return "are" if columns.size > 1 else "is"


def _them(columns):
    return "them" if columns.size > 1 else "it"
