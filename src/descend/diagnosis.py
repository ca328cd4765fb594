"""Why a fit stopped short, or why its optimum does not exist, said in one warning that
names the cause in the data.

A fit that does not converge warns with scikit-learn's ``ConvergenceWarning``.
Before advising more iterations or a looser ``tol``, the warning looks for what
in the data keeps the descent from converging, on the rows the fit used, and
names it with its remedy (:func:`data_problems`, and separation):

* **nearly collinear columns**: sets of columns that the smallest eigenvectors of
  their correlation matrix tie together (a condition index above 30, Belsley, Kuh
  and Welsch, 1980), which leave their weights poorly determined;
* columns whose standard deviations lie **10⁶ or more apart**, without
  standardization;
* a **constant column** without standardization, which duplicates the
  intercept and makes the loss a narrow valley;
* **subnormal values** (below 2.2e-308), which carry too few significant
  digits for the loss to resolve a step;
* **separation** (logistic regression without a penalty): a boundary that puts
  no row on the wrong side and some strictly on the right one, so that the loss
  keeps falling as the weights grow and no finite optimum exists
  (:mod:`descend.separation`).

Separation is looked for in unpenalized logistic fits in memory, also one that
converged (the gradient falls below ``tol`` on the way to infinity), and warned
about with :class:`~descend.errors.SeparationWarning`. In a fit that converged,
the fit's own weights prove that the classes overlap, from one more curvature
pass (about one Newton iteration; so up to :data:`PROOF_MAX_WEIGHTS` weights,
the fits that Newton's method makes, and on at most :data:`FIT_CHECK_CELLS` cells,
where it costs milliseconds), and the linear programs run only where that proof
fails, on at most :data:`LP_MAX_CELLS` cells. A fit stopped on
classes it found separable, or short of convergence, runs them within that cap.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .errors import SeparationWarning
from .newton import collinear_columns
from .separation import Separation, find_separation, named_columns
from .tables.report import few

__all__ = ["warn_unless_converged", "warn_collinear", "causes", "data_problems", "with_partners",
           "separation_of", "CollinearityWarning"]

#: The largest problem (rows times columns) on which a fit runs the linear programs
#: of :mod:`descend.separation`: on separated classes they take 5 to 13 microseconds a
#: cell (measured, the more on a busy machine), so about a second at most, a tenth of
#: that where the classes overlap; a fit that converged runs them only where its
#: weights prove nothing.
LP_MAX_CELLS = 100_000
#: The most weights (columns times classes) for which a fit proves the classes overlap
#: from its weights: one curvature pass costs about one Newton iteration, and up to
#: here the fit itself is made by Newton's method (descend.base.AUTO_NEWTON_FEATURES).
PROOF_MAX_WEIGHTS = 400
#: The largest problem (rows times columns times classes) on which a fit that converged
#: looks for a separation at all. The proof costs 0.35-0.65 of a fit at every size
#: measured (a gradient pass, part of a curvature pass and the columns' extremes, against
#: fits of a few passes), so it runs where that is milliseconds: up to here, about 15 ms.
#: Beyond, the fit stays as fast as it was; ``summary()`` always looks, and a fit that
#: stops short looks within :data:`LP_MAX_CELLS`.
FIT_CHECK_CELLS = 2_000_000
#: A condition index (the square root of the ratio of the correlation matrix's largest
#: eigenvalue to one of its eigenvalues) above this marks a near-dependency among
#: columns: 30 is "moderate to strong" for Belsley, Kuh and Welsch (1980).
COLLINEAR_INDEX = 30.0
#: A near-dependency ties the columns whose weights' variance it carries more than this
#: share of (Belsley's variance-decomposition proportions; 0.5 is his threshold).
COLLINEAR_SHARE = 0.5
#: Standard deviations this far apart slow a descent on unstandardized columns.
SCALE_RATIO = 1e6
#: The most cells times columns (m n^2) for which a warning looks for collinear sets.
COLLINEAR_MAX_WORK = 4e9


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


def data_problems(X, sample_weight=None, names=None, standardize=True, moments=None):
    """Sentences naming what in ``X`` (m, n) makes weights hard to fit or to trust, each
    with its remedy: nearly collinear column sets, columns scaled 10^6 apart (without
    ``standardize``), constant columns, subnormal values; [] when none. ``X`` finite, in
    memory; ``names``: the columns' names (a DataFrame's own by default), else "column j";
    ``moments``: the columns' (weighted) means and deviations, where already known."""
    if names is None and hasattr(X, "columns"):
        names = list(X.columns)
    X = np.asarray(X)
    if X.dtype not in (np.float64, np.float32):
        X = X.astype(np.float64)
    return [text for _, text in _findings(X, sample_weight, names, standardize, moments)]


def _findings(X, sample_weight, names, standardize, moments=None, max_work=None):
    """``(kind, sentence)`` for each of :func:`data_problems`; collinear sets only for X in
    memory and, with ``max_work``, up to that many cells times columns."""
    from .moments import column_moments

    if moments is None:
        moments = column_moments(X, sample_weight=sample_weight)
    mean, std = moments
    names = None if names is None else [str(v) for v in names]
    found = []
    constant = np.flatnonzero(std == 0)
    if constant.size:
        which, many = named_columns(constant, names), constant.size > 1
        they, them = _are(constant), "them" if many else "it"
        found.append(("constant", (
            f"{which} {they} constant, duplicating the intercept, which unscaled makes the "
            f"loss a narrow valley; leave {them} out, or let descend rescale the data "
            "(standardize=True)") if not standardize else (
            f"{which} {they} constant: {them} carr{'y' if many else 'ies'} nothing the "
            f"intercept does not and {'their weights stay' if many else 'its weight stays'} 0; "
            f"leave {them} out")))
    tiny = np.finfo(float).tiny
    subnormal = np.flatnonzero(((std > 0) & (std < tiny)) | ((mean != 0) & (np.abs(mean) < tiny)))
    if subnormal.size:
        found.append(("subnormal", f"{named_columns(subnormal, names)} {_are(subnormal)} "
                      "subnormal (below 2.2e-308), with too few significant digits to resolve "
                      "a step; rescale (e.g. multiply by 1e300)"))
    spread = np.flatnonzero((std > 0) & np.isfinite(std))
    if not standardize and spread.size > 1:
        low, high = spread[np.argmin(std[spread])], spread[np.argmax(std[spread])]
        if std[high] >= SCALE_RATIO * std[low]:
            found.append(("scale", f"the columns are scaled {_g(std[high] / std[low])} apart: "
                          f"{named_columns([low], names)} varies by {_g(std[low])} (standard "
                          f"deviation) and {named_columns([high], names)} by {_g(std[high])}, "
                          "which makes the loss a narrow valley; let descend rescale the data "
                          "(standardize=True)"))
    if (isinstance(X, np.ndarray) and spread.size > 1 and
            (max_work is None or X.shape[0] * X.shape[1] ** 2 <= max_work)):
        for group, index in collinear_sets(X, sample_weight, moments):
            found.append(("collinear", f"{named_columns(group, names)} are "
                          f"nearly collinear (condition number {_g(index)} on standardized "
                          "columns), which leaves their weights poorly determined and slows a "
                          "descent; drop or combine some of them, or set alpha > 0 (an L2 "
                          "penalty)"))
    return found


def collinear_sets(X, sample_weight=None, moments=None):
    r"""``[(columns, condition index), ...]``: the sets of columns that near-dependencies
    tie together, the worst first.

    With :math:`R` the (weighted) correlation matrix of the non-constant columns and
    :math:`R = V\operatorname{diag}(\mu)V^\top`, each eigenvector :math:`v_k` whose
    condition index :math:`\sqrt{\mu_{\max}/\mu_k}` is at least :data:`COLLINEAR_INDEX`
    is a near-dependency, :math:`\operatorname{Var}(Zv_k) = \mu_k \approx 0`; it ties
    the columns more than :data:`COLLINEAR_SHARE` of whose weight's variance it carries,
    :math:`(v_{jk}^2/\mu_k) / \sum_l v_{jl}^2/\mu_l` (Belsley, Kuh and Welsch, 1980;
    its two largest entries at least). Sets that share a column are merged, each with
    its largest index.
    """
    from .gradient import _one_thread_blas
    from .hessian import loss_grad_hessian
    from .losses import SquaredError
    from .moments import column_moments

    X = np.asarray(X)
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    mean, std = column_moments(X, sample_weight=sw) if moments is None else moments
    keep = np.flatnonzero(std > 0)
    if keep.size < 2 or not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
        return []                                # sums beyond float64: no correlations
    scale = np.where(std > 0, std, 1.0)
    H = loss_grad_hessian(X, np.zeros(X.shape[0]), np.zeros(X.shape[1]), 0.0, SquaredError,
                          mean, scale, sample_weight=sw)[3]      # [Z, 1]' diag(s) [Z, 1] / m
    R = H[np.ix_(keep, keep)] / H[-1, -1]                          # the correlation matrix
    if not np.all(np.isfinite(R)):
        return []
    with _one_thread_blas():                  # a small matrix: threads only cost here
        mu, V = np.linalg.eigh(R)
    top = mu[-1]
    groups = []                                                    # [set, index]
    # Belsley's variance-decomposition proportions: the share of each weight's variance
    # (proportional to sum_k v_jk^2 / mu_k) that the near-dependency k carries.
    floor = top * np.finfo(float).eps
    parts = V ** 2 / np.maximum(mu, floor)                         # (columns, k)
    shares = parts / parts.sum(axis=1, keepdims=True)
    for k in np.flatnonzero(mu <= top / COLLINEAR_INDEX ** 2):
        index = np.sqrt(top / mu[k]) if mu[k] > 0 else np.inf
        members = np.flatnonzero(shares[:, k] > COLLINEAR_SHARE)
        if members.size < 2:                                       # its two largest, at least
            members = np.argsort(-V[:, k] ** 2)[:2]
        members = set(keep[members].tolist())
        for other in [g for g in groups if g[0] & members]:
            groups.remove(other)
            members |= other[0]
            index = max(index, other[1])
        groups.append([members, index])
    return [(tuple(sorted(g)), float(i)) for g, i in sorted(groups, key=lambda g: -g[1])]


def separation_of(model, rows, proof=True, converged=False):
    """The :class:`~descend.separation.Separation` of a logistic fit's rows, or None
    where it is not looked for (a penalty, a regression, rows not in memory) or not
    known (the linear programs past :data:`LP_MAX_CELLS`). With ``proof``, the fit's
    weights are tried first as the proof that the classes overlap; a fit that
    ``converged`` runs the linear programs only where that proof was tried and failed
    (without a sign of separation they would cost more than the fit)."""
    X = rows.X
    if not (model._loss.classifies and not model.alpha and isinstance(X, np.ndarray)):
        return None
    K = len(model.classes_)
    coef = None
    if (proof and X.shape[1] * (K if K > 2 else 1) <= PROOF_MAX_WEIGHTS
            and np.all(np.isfinite(model.coef_))):
        coef = model.coef_ if K > 2 else model.coef_[0]
    if converged and (coef is None or X.size * (K if K > 2 else 1) > FIT_CHECK_CELLS):
        return None
    found = find_separation(X, rows.y, rows.sample_weight, model.classes_ if K > 2 else None,
                            coef=coef, intercept=model.intercept_, max_cells=LP_MAX_CELLS,
                            moments=rows.moments())
    if found is None and coef is not None:       # the proof failed, the programs too large
        return Separation("unknown")
    return with_partners(found, X, rows.sample_weight, rows.moments())


def with_partners(found, X, sample_weight=None, moments=None):
    """``found`` (a Separation, or None) with the columns nearly collinear with the ones it
    names, which carry the same boundary: dropping only the named ones would leave it."""
    if found is None or found.kind not in ("complete", "quasi-complete") or not found.columns:
        return found
    named = set(found.columns)
    partners = {j for columns, _ in collinear_sets(X, sample_weight, moments)
                if named & set(columns) for j in columns} - named
    return found._replace(partners=tuple(sorted(partners)))


def causes(model, rows):
    """Sentences naming what in the rows of a fit (their ``X``, and ``y`` 0/1 or codes for
    a classifier) keeps ``model`` from converging."""
    found = [text for kind, text in _findings(
        rows.X, getattr(rows, "sample_weight", None), getattr(model, "feature_names_in_", None),
        model.standardize, rows.moments(), COLLINEAR_MAX_WORK)
        if not (kind == "constant" and model.standardize)]       # rescaled, it is harmless
    separation = separation_of(model, rows)
    if separation is not None and separation.kind != "none":
        text = separation.sentence(getattr(model, "feature_names_in_", None))
        found.append(text[0].lower() + text[1:].rstrip("."))
    return found


def warn_unless_converged(model, result, rows):
    """Warn, naming the cause where the data show one, unless ``result`` converged; and
    where it converged or stopped on separable classes, warn once of a separation (an
    unpenalized logistic fit in memory, see :func:`separation_of`)."""
    name, reason = type(model).__name__, result.stop_reason
    names = getattr(model, "feature_names_in_", None)
    if reason == "converged":
        separation = separation_of(model, rows, converged=True)
        if separation is not None and separation.kind != "none":
            text = separation.sentence(names)
            met = ("" if separation.kind == "unknown" else
                   " The fit met tol at weights that only grow as tol shrinks.")
            warnings.warn(f"{name}: {text[0].lower()}{text[1:]}{met}", SeparationWarning,
                          stacklevel=3)
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
        separation = separation_of(model, rows, proof=False)
        classes = f"the {'two ' * (len(getattr(model, 'classes_', ())) <= 2)}classes"
        stopped = (f"Stopped after {result.n_iter} iteration{'s' * (result.n_iter != 1)} at "
                   "the first weights that classify every training example correctly.")
        if separation is None or separation.kind == "none":
            text = (f"{classes} are perfectly separable, so the unpenalized loss has no minimum "
                    f"(it keeps falling as the weights grow). {stopped} An L2 penalty "
                    "(alpha=1e-3, say) gives a unique, finite optimum.")
        else:
            text = f"{classes} are perfectly separable. {stopped} {separation.sentence(names)}"
        warnings.warn(f"{name}: {text}", SeparationWarning, stacklevel=3)
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


def _are(columns):
    return "are" if columns.size > 1 else "is"


def _g(x):
    """A number for a message: ``187``, ``2441``, ``3.4e5``, ``1e-3``."""
    if not np.isfinite(x):
        return "infinite"
    if 1 <= x < 1e5:
        return f"{x:.0f}"
    text = f"{x:.2g}"
    return text.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
