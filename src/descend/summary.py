"""``summary()``: a fitted model's weights with their uncertainty, from the rows it was fitted
on (kept by the fit, in memory) or given again.

The rule for a penalized fit, stated once: with an L2 penalty (``alpha > 0``,
``l1_ratio=0``) the standard errors are the sandwich of the penalized Hessian
(:mod:`descend.inference`), labelled approximate, since the estimate is biased
toward zero and intervals centred on it cover the true weights less often
than they say. With an L1 part the summary is refused: which weights are zero
was chosen by the same data, and tests that ignore that choice are wrong in a
way no covariance repairs.
"""

from __future__ import annotations

import numbers

import numpy as np

from .diagnosis import data_problems, with_partners
from .inference import COV_TYPES, InferenceError, covariance, information
from .results import Summary
from .separation import find_separation

__all__ = ["summarize", "refused", "SEPARATION_MAX_CELLS"]

#: The most cells (rows times columns) on which a summary runs the linear programs that
#: find a separation, where the fit's weights do not prove the classes overlap: about 5
#: to 13 microseconds a cell where they are separated (descend.diagnosis), so 5 to 13 s
#: at most; a tenth of that where they overlap.
SEPARATION_MAX_CELLS = 1_000_000


def summarize(model, X=None, y=None, *, sample_weight=None, groups=None,
              cov_type="nonrobust", alpha=0.05, use_t=None):
    """The :class:`~descend.results.Summary` of a fitted ``model`` (see ``summary()``)."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    name = type(model).__name__
    _check_options(name, cov_type, groups, alpha)
    stored = getattr(model, "_summary_record", None)
    if X is None and y is None and getattr(model, "_fit_rows", None) is None and stored:
        if stored["cov_type"] == cov_type and cov_type != "cluster":
            return Summary(dict(stored, ci_alpha=alpha, use_t=_use_t(use_t, stored["kind"],
                                                                     cov_type)))
        raise ValueError(f"{name}.summary: this model was loaded with the summary of "
                         f"cov_type={stored['cov_type']!r} only; for cov_type={cov_type!r} "
                         "pass the rows it was fitted on: summary(X, y, cov_type=...).")
    penalty, l1_ratio = getattr(model, "_fit_penalty", (model.alpha, model.l1_ratio))
    K = len(getattr(model, "classes_", ()))
    kind = "linear" if K == 0 else ("logistic" if K == 2 else "multinomial")
    refusal = refused(kind, penalty, l1_ratio, cov_type)
    if refusal:
        raise InferenceError(f"{name}.summary: {refusal}")
    fitted = getattr(model, "_fit_rows", None)
    target = getattr(y, "name", None) if y is not None else (fitted or (None,) * 3)[2]
    X, y, w, groups = _rows(model, X, y, sample_weight, groups, kind)
    coef, intercept = _params(model, kind)
    unit = _unit(name, y) if kind == "linear" else 1.0      # y in units of its largest value
    names = _names(model)
    try:
        info = information(kind, X, y / unit, w, coef / unit, intercept / unit, groups)
        if kind == "linear" and not info.ssr > 0:
            raise InferenceError("the fit is exact (every residual is 0): there is no noise "
                                 "to estimate, so no standard errors.")
        cov, scale, n_groups = covariance(info, cov_type, alpha=penalty, names=names)
    except InferenceError as e:
        raise InferenceError(f"{name}.summary: {e}") from None
    p = info.K * info.q
    record = {
        "model": name, "kind": kind, "target": "y" if target is None else str(target),
        "names": names,
        "classes": None if K == 0 else [_plain(c) for c in model.classes_],
        "params": _blocks(coef, intercept, kind).tolist(), "cov": (cov * unit ** 2).tolist(),
        "cov_type": cov_type, "use_t": _use_t(use_t, kind, cov_type), "groups": n_groups,
        "approximate": bool(penalty), "alpha": float(penalty), "ci_alpha": alpha,
        "nobs": info.nobs, "df_model": float(p - info.K), "df_resid": info.nobs - p,
        "scale": scale * unit ** 2, "condition_number": info.condition_number,
        "spread": info.spread.tolist(), **_likelihoods(info, kind, y / unit, w, unit),
    }
    record["fit"], record["notes"] = _fit_and_notes(model, info, record, X, y, w, kind, names)
    return Summary(record)


def _use_t(use_t, kind, cov_type):
    """Student's t for the linear model's nonrobust tests, else the normal distribution
    (statsmodels' defaults), unless ``use_t`` says."""
    return bool(use_t) if use_t is not None else (kind == "linear" and cov_type == "nonrobust")


def _check_options(name, cov_type, groups, alpha):
    if cov_type not in COV_TYPES:
        raise ValueError(f"{name}.summary: cov_type must be one of {list(COV_TYPES)}, got "
                         f"{cov_type!r}.")
    if (cov_type == "cluster") != (groups is not None):
        raise ValueError(f"{name}.summary: " + (
            "cov_type='cluster' needs groups, a group label for each row of X."
            if groups is None else f"groups is for cov_type='cluster' (got {cov_type!r})."))
    if isinstance(alpha, bool) or not (isinstance(alpha, numbers.Real) and 0 < alpha < 1):
        raise ValueError(f"{name}.summary: alpha must be between 0 and 1 (0.05 gives 95% "
                         f"intervals), got {alpha!r}.")


def _rows(model, X, y, sample_weight, groups, kind):
    """``(X, y, w, groups)``: the rows in memory, ``y`` as values, 0/1 or class codes, the
    frequency weights as given (None: each row once), groups as codes 0..G-1."""
    name = type(model).__name__
    kept = None
    if X is None and y is None:
        fitted = getattr(model, "_fit_rows", None)
        if fitted is None:
            raise ValueError(
                f"{name}.summary: the rows this model was fitted on are not at hand (it was "
                "loaded, copied, fitted on Dask or by partial_fit); pass them, with their "
                "weights if any: summary(X, y, sample_weight=...).")
        rows, factor, _ = fitted
        X, y, kept = rows.X, rows.y * factor, rows.kept
        w = None if rows.sample_weight is None else rows.sample_weight * (rows.total / rows.m)
    elif X is None or y is None:
        raise ValueError(f"{name}.summary: pass both X and y (the rows of the fit), or neither.")
    else:
        X, y, w, kept = _given(model, X, y, sample_weight, kind)
    if groups is not None:
        import pandas as pd

        missing = np.asarray(pd.isna(groups)).ravel()
        groups = np.asarray(groups)
        size = X.shape[0] if kept is None else kept.shape[0]
        if missing.any():
            raise ValueError(f"{name}.summary: groups has {int(missing.sum())} missing "
                             f"label(s) (first at row {int(np.flatnonzero(missing)[0])}); give "
                             "every row a group.")
        if groups.ndim != 1 or groups.shape[0] != size:
            raise ValueError(f"{name}.summary: groups must hold one label per row of X "
                             f"({size}), got shape {groups.shape}.")
        if kept is not None:
            groups = groups[kept]
        groups = np.unique(groups, return_inverse=True)[1].ravel()
    return X, y, w, groups


def _given(model, X, y, sample_weight, kind):
    """Rows given to ``summary``, checked as ``fit`` checks them (class weights too)."""
    from .dask.inputs import is_dask
    from .metrics import class_codes
    from .rows import checked_input
    from .weights import checked_weights, class_factors

    name = type(model).__name__
    if is_dask(X) or is_dask(y):
        raise ValueError(f"{name}.summary reads the rows in memory; pass numpy arrays "
                         "(X.compute(), y.compute()).")
    X = np.asarray(checked_input(model, X), dtype=np.float64)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name}.summary: X holds NaN or infinite values.")
    y = np.asarray(y).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{name}.summary: X has {X.shape[0]} rows but y has {y.shape[0]}.")
    m = X.shape[0]
    w = checked_weights(sample_weight, m, name)
    if w is not None:
        w = np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (m,)).copy()
    if kind == "linear":
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name}.summary: y holds NaN or infinite values.")
    else:
        y = class_codes(y, model.classes_).astype(np.float64)
        if model.class_weight is not None:
            codes = y.astype(np.intp)
            factors = class_factors(model.class_weight, model.classes_, codes, name, w)
            w = factors[codes] if w is None else w * factors[codes]
    kept = None
    if w is not None and not np.all(w > 0):
        kept = w > 0
        X, y, w = X[kept], y[kept], w[kept]
    return X, y, w, kept


def _params(model, kind):
    if kind == "linear":
        return np.asarray(model.coef_, dtype=float), float(model.intercept_)
    if kind == "logistic":
        return model.coef_[0], float(model.intercept_[0])
    return model.coef_, model.intercept_


def _blocks(coef, intercept, kind):
    """The parameters as the summary shows them, (K', n + 1): the intercept first; with K
    classes each class's against the first's."""
    if kind != "multinomial":
        return np.concatenate([[intercept], coef])[None, :]
    full = np.column_stack([intercept, coef])                # (K, n + 1)
    return full[1:] - full[0]


def _names(model):
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(model, "feature_names_", None)
    return ([str(n) for n in names] if names is not None else
            [f"x{j}" for j in range(model.n_features_in_)])


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _likelihoods(info, kind, y, w, unit=1.0):
    """``llf``, ``llnull`` and for the linear model ``ssr`` and ``tss``, in y's units (``y``
    and the information's sums are in units of ``unit``)."""
    N = info.nobs
    if kind == "linear":
        mean = np.average(y, weights=w)
        tss = float(np.dot(np.ones_like(y) if w is None else w, (y - mean) ** 2))

        def gaussian(ss):                  # in y's units: log(ss unit^2), without overflow
            return -N / 2 * (np.log(2 * np.pi * ss / N) + 2 * np.log(unit) + 1)
        return {"llf": gaussian(info.ssr), "llnull": gaussian(tss),
                "ssr": info.ssr * unit ** 2, "tss": tss * unit ** 2}
    K = 2 if kind == "logistic" else info.K + 1
    shares = np.bincount(y.astype(np.intp), weights=w, minlength=K) / N
    shares = shares[shares > 0]
    return {"llf": info.llf, "llnull": float(N * np.sum(shares * np.log(shares)))}


def _unit(name, y):
    """The largest ``|y|``, by which the linear model's summary divides y, so that no sum
    of squares overflows or underflows; refused where the variances could not be held."""
    unit = float(np.max(np.abs(y))) if y.size else 0.0
    if not unit > 0 or np.all(y == y[0]):
        raise InferenceError(f"{name}.summary: y is constant, so the fit is exact and there "
                             "is no noise to estimate: no standard errors.")
    if not 1e-150 < unit < 1e150:
        raise InferenceError(f"{name}.summary: y reaches {unit:.3g}, beyond what the weights' "
                             "variances can be held in (float64 squares it): rescale y (e.g. "
                             "to thousands) for the summary.")
    return unit


def refused(kind, alpha, l1_ratio, cov_type):
    """Why a fit of ``kind`` with ``alpha`` and ``l1_ratio`` gets no summary of
    ``cov_type``, in words, or None. The one statement of the rule (the command line
    words it with its flags)."""
    if alpha and l1_ratio:
        return ("no standard errors for a fit with an L1 part: which weights are zero was "
                "chosen by the same data, and tests that ignore that choice are wrong. Refit "
                "with l1_ratio=0 (a ridge fit's summary is approximate), or "
                "without a penalty on the columns the lasso kept, knowing that its p-values "
                "then ignore the selection.")
    if kind == "multinomial" and alpha:
        return ("standard errors of a penalized fit with three classes or more are not built "
                "yet; fit with alpha=0 for the summary.")
    if kind == "multinomial" and cov_type in ("HC2", "HC3"):
        return (f"cov_type={cov_type!r} weighs each row by its leverage, which is defined for "
                "one score per row; with three classes or more use 'HC0', 'HC1' or 'cluster'.")
    return None


def _separation_notes(model, info, record, X, y, w, kind, names):
    """A note naming a separation of the classes (an unpenalized classifier), found by
    the fit's weights' proof of overlap or by the linear programs; or saying it could not
    be checked."""
    if kind == "linear" or record["alpha"]:
        return []
    coef, intercept = _params(model, kind)
    found = find_separation(X, y, w, model.classes_ if kind == "multinomial" else None,
                            coef=coef, intercept=intercept, max_cells=SEPARATION_MAX_CELLS,
                            moments=info.moments)
    if found is None:
        return [f"Separation of the classes was not checked: the fit's weights do not prove "
                f"that they overlap, and the linear programs on {X.size:,} cells would take "
                "minutes. descend.separation.find_separation(X, y) runs them."]
    if found.kind == "none":
        return []
    found = with_partners(found, X, w, info.moments)
    return [found.sentence(names) + " The standard errors of those weights describe a point "
            "on the way to infinity, not an estimate."]


def _fit_and_notes(model, info, record, X, y, w, kind, names):
    """How the fit went, in one line, and the notes below the table."""
    from .metrics import describe_fit

    notes = []
    if getattr(model, "stop_reason_", "converged") != "converged":
        notes.append("The fit did not converge (see 'fit' above): the weights are not the "
                     "optimum's, and neither are the standard errors.")
    if record["approximate"]:
        notes.append(f"alpha={record['alpha']:g}: the weights are penalized (biased toward zero); "
                     "the standard errors are the sandwich of the penalized Hessian, "
                     "approximate.")
    if record["cov_type"] != "nonrobust":
        notes.append({"HC0": "Robust (White's HC0) covariance.",
                      "HC1": "Robust covariance, HC1 (HC0 times N/(N-p)).",
                      "HC2": "Robust covariance, HC2 (each row's squared score over 1 - its "
                             "leverage).",
                      "HC3": "Robust covariance, HC3 (each row's squared score over (1 - its "
                             "leverage)^2).",
                      "cluster": f"Cluster-robust covariance (CRV1) over {record['groups']} "
                                 "groups; the linear model's tests use G - 1 degrees of "
                                 "freedom."}[record["cov_type"]])
    notes += _separation_notes(model, info, record, X, y, w, kind, names)
    found = data_problems(X, w, names, standardize=True, moments=info.moments)
    notes += [text[0].upper() + text[1:] + "." for text in found]
    if info.condition_number > 1e3 and not any("collinear" in text for text in found):
        notes.append(f"The condition number is large, {info.condition_number:.3g}, of the "
                     "columns as given with the intercept's 1; on standardized columns, where "
                     "descend computes, no set of them is nearly collinear: they are on very "
                     "different scales, which costs no digits here.")
    fit = describe_fit(model)
    gaps = np.asarray(model.history_.get("gap", []), dtype=float)
    gaps = gaps[np.isfinite(gaps)]
    separated = any("separated" in note for note in notes)       # no optimum to be near
    if gaps.size and model.stop_reason_ == "converged" and record["scale"] > 0 and not separated:
        # The loss is within ``gap`` of its optimum, so the summed negative log-likelihood
        # within N * gap / scale: each weight within sqrt(2 N gap / scale) standard errors.
        near = float(np.sqrt(2 * info.nobs * max(gaps[-1], 0.0) / record["scale"]))
        record["within"] = near
        fit += f"; the weights are within {near:.2g} standard errors of the optimum's"
        if near > 0.05:
            notes.append(f"The weights may be {near:.2g} standard errors from the optimum's "
                         "(by the fit's certified gap): refit with a smaller tol for the digits "
                         "shown.")
    return fit, notes
