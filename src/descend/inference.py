r"""How sure a fit is of its weights: their covariance, and the likelihoods behind a summary.

All three models are written as one: row :math:`i`, with frequency weight
:math:`w_i` and the design row :math:`d_i = [1, x_i]`, adds to the negative
log-likelihood a term whose score (gradient in the parameters) is
:math:`r_i \otimes d_i` and whose curvature is :math:`C_i \otimes d_i d_i^\top`:

* linear: :math:`r_i = \hat y_i - y_i`, :math:`C_i = 1` (with the variance
  :math:`\sigma^2` estimated as :math:`\sum_i w_i r_i^2 / (N - p)`);
* two classes: :math:`r_i = \sigma(z_i) - y_i`, :math:`C_i = \sigma(1 - \sigma)`;
* K classes, against the first class (statsmodels' ``MNLogit``):
  :math:`r_{ik} = P_{ik} - Y_{ik}` and :math:`C_i = \operatorname{diag}(P_i) - P_iP_i^\top`
  over the classes :math:`k = 1 .. K-1`.

The information is :math:`H = \sum_i w_i C_i \otimes d_i d_i^\top` and the
covariance :math:`\phi H^{-1}` (``"nonrobust"``; :math:`\phi = \sigma^2` for the
linear model, 1 otherwise), or the sandwich :math:`H^{-1} M H^{-1}` with
:math:`M = \sum_i w_i u_i (r_i r_i^\top) \otimes d_i d_i^\top`: ``"HC0"``
:math:`u_i = 1`, ``"HC1"`` times :math:`N/(N - p)`, ``"HC2"``
:math:`u_i = 1/(1 - h_i)` and ``"HC3"`` :math:`1/(1 - h_i)^2` with the leverage
:math:`h_i = C_i d_i^\top H^{-1} d_i`; ``"cluster"`` sums the scores within
each group, :math:`M = \sum_g s_g s_g^\top` with
:math:`s_g = \sum_{i \in g} w_i r_i \otimes d_i`, times
:math:`G/(G - 1) \cdot (N - 1)/(N - p)` (statsmodels' CRV1).

Weights are frequencies: a row of weight 3 counts as three rows, so
:math:`N = \sum_i w_i`, the degrees of freedom and every statistic are those
of the repeated rows, as the fit's are. With an L2 penalty
:math:`\alpha\lVert w\rVert^2/2` on the mean loss, :math:`H` becomes
:math:`H_\alpha = H + N\alpha/\phi\, I_w` (the weights, never the intercept)
and the covariance the sandwich :math:`H_\alpha^{-1} M H_\alpha^{-1}`, with
:math:`M = \phi H` for ``"nonrobust"``: approximate, since the penalized
estimate is biased toward zero.

The sums run over blocks of rows on standardized columns
:math:`[(x - \mu)/s, 1]`, which keeps a column far from zero (a year) from
costing digits; the covariance is mapped back to the data's units at the end.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve, cholesky
from scipy.special import expit

from .gradient import _one_thread_blas, _threads, in_runs

__all__ = ["COV_TYPES", "information", "covariance", "InferenceError"]

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")
BLOCK = 8192


class InferenceError(ValueError):
    """The data cannot give the covariance asked for (collinear columns, too few rows)."""


def _rows_of(m, size=BLOCK):
    return [slice(i, min(i + size, m)) for i in range(0, m, size)]


def _frame(X, w):
    """The (weighted) column means and standard deviations (one pass,
    :mod:`descend.moments`)."""
    from .moments import column_moments

    return column_moments(X, sample_weight=w)


def _terms(kind, X, y, coef, intercept):
    """``(r, C, loglik)`` of a block of rows: scores (b, K'), curvatures (b, K', K') and
    each row's log-likelihood (b,) (the linear model's: minus half its squared residual)."""
    if kind == "linear":
        r = (X @ coef + intercept - y)[:, None]
        return r, np.ones((len(y), 1, 1)), -0.5 * r[:, 0] ** 2
    if kind == "logistic":
        z = X @ coef + intercept
        p = expit(z)
        return (p - y)[:, None], (p * (1.0 - p))[:, None, None], y * z - np.logaddexp(0.0, z)
    Z = X @ coef.T + intercept                            # (b, K)
    logP = Z - Z.max(axis=1, keepdims=True)
    logP -= np.log(np.exp(logP).sum(axis=1, keepdims=True))
    P, codes = np.exp(logP), y.astype(np.intp)
    Y = np.zeros_like(P)
    Y[np.arange(len(codes)), codes] = 1.0
    P1 = P[:, 1:]
    C = -P1[:, :, None] * P1[:, None, :]
    C[:, np.arange(P1.shape[1]), np.arange(P1.shape[1])] += P1
    return P1 - Y[:, 1:], C, logP[np.arange(len(codes)), codes]


class Information:
    """The sums one pass over the rows gives: the information ``H`` and the HC0 meat (on
    standardized columns, parameters class by class, each ``[w_1..w_n, b]``), the
    cluster scores, the log-likelihood, and the condition number of the columns."""

    def __init__(self, kind, X, y, w, coef, intercept, groups=None):
        self.kind, m, n = kind, *X.shape
        self.moments = _frame(X, w)              # the columns' (weighted) means and spreads
        self.mean, self.spread = self.moments[0], np.where(self.moments[1] > 0,
                                                           self.moments[1], 1.0)
        self.nobs = float(m if w is None else w.sum())
        K = 1 if kind != "multinomial" else coef.shape[0] - 1
        q = n + 1
        self.q, self.K = q, K
        G = None if groups is None else int(groups.max()) + 1

        def sums(blocks):                       # one thread's sums over its run of blocks
            H, M = np.zeros((K * q, K * q)), np.zeros((K * q, K * q))
            S = None if G is None else np.zeros((G, K * q))
            llf, ssr, gram = 0.0, 0.0, np.zeros((q, q))
            for rows in blocks:
                llf, ssr = self._add(X, y, w, coef, intercept, groups, rows, H, M, S, gram,
                                     llf, ssr)
            return [H, M, S, gram, llf, ssr]

        H, M, S, gram, llf, ssr = _threaded(X, sums)
        self.H, self.M0, gram = _symmetric(H), _symmetric(M), _symmetric(gram)
        self.S, self.llf, self.ssr = S, llf, ssr
        self.condition_number = _condition(gram, self.mean, self.spread)
        self._X, self._y, self._w = X, y, w
        self._params = coef, intercept

    def _add(self, X, y, w, coef, intercept, groups, rows, H, M, S, gram, llf, ssr):
        """Add the block ``rows``' terms into the sums; ``(llf, ssr)`` so far."""
        q, K = self.q, self.K
        D, wb = self._design(X[rows]), (np.ones(rows.stop - rows.start) if w is None
                                        else w[rows])
        r, C, loglik = _terms(self.kind, X[rows], y[rows], coef, intercept)
        for k in range(K):
            for j in range(k, K):
                H[k*q:(k+1)*q, j*q:(j+1)*q] += D.T @ (D * (wb * C[:, k, j])[:, None])
                M[k*q:(k+1)*q, j*q:(j+1)*q] += D.T @ (D * (wb * r[:, k] * r[:, j])[:, None])
        if S is not None:                                           # each group's scores
            scores = (wb[:, None] * r)[:, :, None] * D[:, None, :]         # (b, K', q)
            np.add.at(S, groups[rows], scores.reshape(len(wb), K * q))
        gram += D.T @ (D * wb[:, None])
        return llf + float(wb @ loglik), ssr + (float(wb @ r[:, 0] ** 2)
                                                if self.kind == "linear" else 0.0)

    def _design(self, Xb):
        """``[(x - mean)/spread, 1]`` of a block of rows."""
        n = Xb.shape[1]
        D = np.empty((Xb.shape[0], n + 1))
        np.subtract(Xb, self.mean, out=D[:, :n])
        D[:, :n] /= self.spread
        D[:, n] = 1.0
        return D

    def leverage_meat(self, power, factor):
        """The HC2 (``power`` 1) or HC3 (2) meat, from a second pass for the leverages
        :math:`h_i = C_i d_i^\top H^{-1} d_i` (``factor``: Cholesky's of :math:`H`)."""
        X = self._X

        def sums(blocks):
            M = np.zeros((self.q, self.q))
            for rows in blocks:
                self._add_leverage(rows, power, factor, M)
            return [M]

        return _threaded(X, sums)[0]

    def _add_leverage(self, rows, power, factor, M):
        """Add the block ``rows``' terms of the HC2 or HC3 meat into ``M``."""
        X, y, w = self._X, self._y, self._w
        D = self._design(X[rows])
        wb = np.ones(D.shape[0]) if w is None else w[rows]
        r, C, _ = _terms(self.kind, X[rows], y[rows], *self._params)
        h = C[:, 0, 0] * np.einsum("ij,ji->i", D, cho_solve(factor, D.T))
        whole = h > 1 - 1e-8
        if np.any(whole & (wb > 0)):
            raise InferenceError(
                f"{int(np.sum(whole))} row(s) have leverage 1, among them row "
                f"{rows.start + int(np.flatnonzero(whole)[0])} of the rows fitted: each "
                "alone determines a weight (as a category of one row does), its "
                "residual is 0 and HC2 and HC3 divide 0 by 1 - 1. Use 'HC0' or "
                "'HC1', or merge that category.")
        u = wb * r[:, 0] ** 2 / (1.0 - h) ** power
        M += D.T @ (D * u[:, None])


def _condition(gram, mean, spread):
    r"""The condition number of the columns as given with the intercept's 1, weighted,
    :math:`\sqrt{w}[1, X]` (statsmodels' ``condition_number``), from the Gram matrix of
    the standardized columns: :math:`[1, X] = [Z, 1] A`, so its singular values are
    those of :math:`R A` with :math:`R^\top R` that Gram matrix."""
    q = gram.shape[0]
    A = np.zeros((q, q))
    A[q - 1, 0] = 1.0
    A[np.arange(q - 1), np.arange(1, q)] = spread
    A[q - 1, 1:] = mean
    try:
        R = cholesky(gram, lower=False)
    except LinAlgError:
        return np.inf
    singular = np.linalg.svd(R @ A, compute_uv=False)
    return float(singular[0] / singular[-1]) if singular[-1] > 0 else np.inf


def _threaded(X, sums):
    """``sums(blocks)`` over the row blocks of ``X``, split in runs over the cores as the
    fit's passes are (BLAS on one thread each), added in the runs' order."""
    blocks = _rows_of(X.shape[0])
    k = min(_threads(X, None), max(len(blocks), 1))
    parts = {}

    def run(lo, hi):
        parts[lo] = sums(blocks[lo:hi])

    with _one_thread_blas():        # many small products: threads only wait on each other
        in_runs(run, len(blocks), k)
    total = None
    for lo in sorted(parts):
        total = parts[lo] if total is None else [
            None if a is None else a + b for a, b in zip(total, parts[lo])]
    return total


def _symmetric(A):
    upper = np.triu(A)
    return upper + np.triu(A, 1).T


def information(kind, X, y, weight, coef, intercept, groups=None):
    """The :class:`Information` of the rows ``X``, ``y`` (values, 0/1 or class codes),
    frequency ``weight`` (None: each row once) and ``groups`` (codes 0..G-1) at the
    weights ``coef``, ``intercept`` in the data's units (``coef`` (K, n) for K classes)."""
    X = np.asarray(X, dtype=np.float64)
    return Information(kind, X, np.asarray(y, dtype=np.float64),
                       None if weight is None else np.asarray(weight, dtype=np.float64),
                       np.asarray(coef, dtype=np.float64),
                       np.asarray(intercept, dtype=np.float64), groups)


def covariance(info, cov_type="nonrobust", alpha=0.0, names=None):
    """``(cov, scale, groups)``: the covariance of the parameters in the data's units,
    class by class each ``[intercept, coef_1..coef_n]``; the linear model's
    :math:`\\sigma^2` (1 otherwise); the number of groups for ``"cluster"`` (else None).
    ``alpha``: the L2 penalty's strength on the mean loss (0: none)."""
    K, q = info.K, info.q
    p = K * q
    if info.nobs - p <= 0:
        raise InferenceError(
            f"{info.nobs:g} rows (counted by their weights) leave no degrees of freedom for "
            f"{p} parameters; standard errors need more rows than parameters.")
    scale = info.ssr / (info.nobs - p) if info.kind == "linear" else 1.0
    penalty = np.zeros(p)
    if alpha:                              # on the weights in the data's units, not the intercept
        penalty = np.tile(np.append(info.nobs * alpha / info.spread ** 2, 0.0), K)
    half = cho_solve(_factored(info.H + np.diag(penalty), info, names), np.eye(p))
    groups = None
    if cov_type == "nonrobust":
        cov = scale * (half @ info.H @ half if alpha else half)
    else:
        if cov_type in ("HC0", "HC1"):
            meat = info.M0 * (info.nobs / (info.nobs - p) if cov_type == "HC1" else 1.0)
        elif cov_type in ("HC2", "HC3"):
            meat = info.leverage_meat(1 if cov_type == "HC2" else 2,
                                      cho_factor(info.H + np.diag(penalty), lower=True))
        else:
            groups = info.S.shape[0]
            if groups < 2:
                raise InferenceError("cov_type='cluster' needs at least two groups; groups "
                                     "holds one.")
            meat = info.S.T @ info.S * (groups / (groups - 1.0) * (info.nobs - 1.0)
                                        / (info.nobs - p))
        cov = half @ meat @ half
    T = _to_data_units(info)
    big = np.kron(np.eye(K), T)
    return _symmetric(big @ cov @ big.T), scale, groups


def _factored(H, info, names):
    """The Cholesky factor of ``H``; collinear columns are named in an InferenceError."""
    try:
        factor = cho_factor(H, lower=True)
        if np.all(np.isfinite(factor[0])) and np.min(np.abs(np.diag(factor[0]))) > (
                1e-7 * np.sqrt(np.max(np.abs(np.diag(H))))):
            return factor
    except LinAlgError:
        pass
    values, vectors = np.linalg.eigh(H)
    v = np.abs(vectors[:, 0]).reshape(info.K, info.q).max(axis=0)   # per column
    involved = np.flatnonzero(v > 0.1 * v.max())
    n = info.q - 1
    named = [("the intercept" if j == n else
              (repr(str(names[j])) if names is not None else f"column {j}")) for j in involved]
    condition = f"{values[-1] / max(values[0], 1e-300):.3g}"
    separate = " (or separate the classes)" if info.kind != "linear" else ""
    if len(named) == 1:
        raise InferenceError(
            f"the information matrix is singular (condition {condition}): {named[0]} is "
            f"constant or a combination of the other columns{separate}, so its weight cannot "
            "be told apart from theirs and has no standard error; leave it out.")
    raise InferenceError(
        f"the information matrix is singular (condition {condition}): {', '.join(named)} are "
        f"collinear{separate}, so their weights cannot be told apart and have no standard "
        "errors; leave one of them out, or merge them.")


def _to_data_units(info):
    """``T`` (q, q): standardized ``[w_1..w_n, b]`` to the data's ``[intercept, coef]``."""
    q, mean, spread = info.q, info.mean, info.spread
    T = np.zeros((q, q))
    T[0, :q - 1] = -mean / spread
    T[0, q - 1] = 1.0
    T[1:, :q - 1] = np.diag(1.0 / spread)
    return T
