r"""Separation: classes a boundary can split, so that the unpenalized log-loss has no minimum.

Write each row with the intercept's 1, standardized (constant columns left out,
they repeat the intercept), and signed by its class: :math:`S_i = s_i\,(\tilde x_i, 1)`
with :math:`s_i = +1` for :math:`y_i = 1` and :math:`-1` for :math:`y_i = 0`, the
rows of :math:`S` (m, q). The margins of weights :math:`\theta` are :math:`S\theta`
and the loss is :math:`\sum_i \log(1 + e^{-(S\theta)_i})`. Along any direction of the
cone

.. math::
    C = \{d : Sd \ge 0\}

with :math:`Sd \ne 0` the loss falls for ever, so no finite optimum exists (Albert
and Anderson, 1984); the weights of the columns :math:`d` uses run to infinity. The
rows :math:`Q` that some :math:`d \in C` puts strictly on their side decide the kind:

* **none**, :math:`Q` empty: every :math:`d \in C` has :math:`Sd = 0`;
* **complete**, :math:`Q` every row: a boundary with no overlap at all;
* **quasi-complete**, otherwise: the other rows lie *on* every such boundary.

Three linear programs (Konis, 2007), solved by HiGHS, on :math:`\hat S_i = S_i /
\lVert S_i\rVert_1` (margins relative to their row's scale):

1. *test*: maximize :math:`\sum_i \hat S_i d` subject to :math:`\hat Sd \ge 0`,
   :math:`|d_j| \le 1`; its optimum is 0 exactly when there is no separation;
2. *rows*: maximize :math:`\sum_i t_i` subject to :math:`\hat Sd \ge t`,
   :math:`0 \le t \le 1`, :math:`|d_j| \le 10^6`: since :math:`C` is a cone its
   optimum is :math:`|Q|`, with :math:`t_i = 1` on :math:`Q` (a row counts when it
   can be put at a margin of :data:`MARGIN` of its scale, all of them at once);
3. *columns*: minimize :math:`\lVert d_w\rVert_1` (the intercept is free) subject to
   :math:`S_Q d \ge 1` and :math:`S_{\bar Q} d \ge 0`: the sparsest separating
   direction, whose columns alone separate the rows of :math:`Q`. Under complete
   separation every column can take part (:math:`C` has an interior); these are the
   fewest it needs.

A fitted model saves the programs where the classes overlap. By Stiemke's lemma
exactly one of two holds: some :math:`d` has :math:`Sd \ge 0`, :math:`Sd \ne 0`; or
some :math:`\lambda > 0` has :math:`S^\top\lambda = 0`. The unpenalized log-loss's
gradient is :math:`-\sum_i \lambda_i S_i/m` with :math:`\lambda_i > 0` the row's
weight times the probability the fit gives the wrong class, so a fit at the optimum
*is* the proof that no direction separates; :func:`overlap_proved` makes the proof
hold for a fit that stopped at a tolerance, from one curvature pass. With K classes,
each class against the rest, the softmax's gradient for that class plays the part.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Separation", "find_separation", "overlap_proved", "named_columns", "MARGIN"]

#: A row is separated when some boundary can put it this far (relative to its
#: standardized row's L1 norm) on its class's side, every separated row at once.
MARGIN = 1e-6
#: A margin below minus this (relative) is a row on the wrong side.
WRONG = 1e-9
#: How far a row's probability of the wrong class may be off in float64 (twice the
#: rounding of 1/(1 + e) next to 1, where it rounds to 0 for scores beyond 37).
ROUNDING = 2.0 ** -52
#: How many times the sparsest direction is sought again with its columns reweighted.
REWEIGHTS = 3


class Separation(NamedTuple):
    """What :func:`find_separation` found: ``kind`` ("none", "quasi-complete" or
    "complete"); ``columns``, the indices of the features of the sparsest separating
    direction (the intercept is not a feature); ``rows``, how many rows it puts strictly
    on their class's side; ``label``, with K classes the class separated from the others
    (None for two)."""

    kind: str
    columns: tuple = ()
    rows: int = 0
    label: object = None
    partners: tuple = ()          # other columns nearly collinear with ``columns``

    def sentence(self, names=None) -> str:
        """One sentence naming the kind, the columns (by ``names`` where given) and the
        remedies; "" for "none"."""
        if self.kind == "none":
            return ""
        if self.kind == "unknown":
            return ("The classes may be separated: the fit's weights do not prove that they "
                    "overlap, and the linear programs that tell were not run on this many "
                    "rows (descend.separation.find_separation(X, y) runs them); set alpha > 0 "
                    "(an L2 penalty) for a finite optimum either way.")
        who = ("The classes are" if self.label is None else
               f"The class {_shown(self.label)} is")
        many = len(self.columns) != 1
        along = (f"along {named_columns(self.columns, names)}" if self.columns else
                 "of the intercept alone")
        side = "their class's side" if self.label is None else "their side"
        where = (f"puts all {self.rows} rows strictly on {side}" if self.kind == "complete"
                 else f"puts {self.rows} row{'s' * (self.rows != 1)} strictly on {side} and "
                 "the others on it, none on the wrong side")
        grow = ("their weights grow" if many else "its weight grows") + " without bound"
        drop = f"or drop or merge {'those columns' if many else 'that column'}"
        if self.partners:
            drop += (f" and {named_columns(self.partners, names)}, which nearly repeat"
                     f"{'s' * (len(self.partners) == 1)} {'them' if many else 'it'} and "
                     "carr" + ("ies" if len(self.partners) == 1 else "y") + " the same boundary")
        return (f"{who} {self.kind}ly separated{' from the others' * (self.label is not None)}"
                f": a boundary {along} {where}, so the unpenalized loss has no minimum and "
                f"{grow}; set alpha > 0 (an L2 penalty), {drop}.")


def named_columns(columns, names=None, k=8):
    """``"column 3"``, ``"columns 0, 4"``, or by ``names``: ``"columns 'a', 'b'"``; past
    ``k`` of them, the total."""
    columns = [int(j) for j in columns]
    shown = [repr(str(names[j])) if names is not None else str(j) for j in columns[:k]]
    more = f", ... ({len(columns)} in all)" if len(columns) > k else ""
    return f"column{'s' * (len(columns) != 1)} {', '.join(shown)}{more}"


def _shown(label):
    return repr(label.item() if isinstance(label, np.generic) else label)


def find_separation(X, y, sample_weight=None, classes=None, *, coef=None, intercept=0.0,
                    max_cells=None, moments=None):
    """The separation of the classes in ``X`` (m, n): ``y`` 0/1 for two classes, or the
    codes 0..K-1 for K (then of one class from the rest, the first found; ``classes`` the
    labels, for :attr:`Separation.label`, and K). Rows of ``sample_weight`` 0 are left out.

    ``coef`` and ``intercept``, the weights of an unpenalized fit on these rows ((n,) and
    a number, or (K, n) and (K,)), are tried first as the proof that the classes overlap
    (:func:`overlap_proved`); the linear programs run only where it fails. With
    ``max_cells``, None where they would run on more than that many cells (rows times
    columns): the answer is then not known. ``moments``: the columns' (weighted) means
    and deviations, where known.

    ``columns`` are those of the sparsest separating direction found (program 3): they
    alone separate the rows it counts. Under complete separation other columns may take
    part too (any small enough change of a separating direction still separates).
    """
    X, y = np.asarray(X), np.asarray(y).astype(np.intp)
    K = len(classes) if classes is not None else max(int(y.max(initial=0)) + 1, 2)
    labels = [None] if K == 2 else (classes if classes is not None else np.arange(K))
    joint, proved = ((False, np.zeros(len(labels), bool)) if coef is None else
                     _overlap(X, y, coef, intercept, sample_weight, moments))
    if joint:
        return Separation("none")
    if max_cells is not None and X.shape[0] * (X.shape[1] + 1) > max_cells:
        return None
    keep = slice(None) if sample_weight is None else np.asarray(sample_weight) > 0
    S, columns = _standardized(np.asarray(X[keep], dtype=float))
    y = y[keep]
    for k, label in enumerate(labels):
        positive = y == (1 if K == 2 else k)
        if proved[k] or positive.all() or not positive.any():
            continue                        # proved, or one class only: no boundary to draw
        signed = S * np.where(positive, 1.0, -1.0)[:, None]
        found = _separation(signed)
        if found is not None:
            Q, d = found
            kind = "complete" if Q.all() else "quasi-complete"
            return Separation(kind, tuple(columns[_support(signed, Q, d)].tolist()),
                              int(Q.sum()), label)
    if K == 2:
        return Separation("none")
    if max_cells is not None and len(y) * (K - 1) * K * S.shape[1] > max_cells:
        return None
    return _joint(S, y, K, columns)


def _joint(S, y, K, columns):
    r"""A separation of K classes that no class alone shows (three classes in sectors):
    programs 1 and 2 on the rows :math:`(e_{y_i} - e_k) \otimes S_i`, one for each row
    :math:`i` and other class :math:`k`, whose margins are :math:`z_{iy_i} - z_{ik}`.
    A row counts as separated when all its margins are; the columns named are those the
    direction found uses in any class."""
    m, q = S.shape
    pairs = [(i, k) for k in range(K) for i in np.flatnonzero(y != k)]
    rows = np.array([i for i, _ in pairs])
    signed = np.zeros((len(pairs), K * q))
    for r, (i, k) in enumerate(pairs):
        signed[r, y[i] * q:(y[i] + 1) * q] = S[i]
        signed[r, k * q:(k + 1) * q] = -S[i]
    found = _separation(signed)
    if found is None:
        return Separation("none")
    Q, d = found
    separated = np.bincount(rows[Q], minlength=m) == K - 1       # all of a row's margins
    weight = np.abs(d.reshape(K, q)[:, :-1]).max(axis=0)
    used = np.flatnonzero(weight > 1e-9 * weight.max()) if weight.max() > 0 else []
    kind = "complete" if separated.all() else "quasi-complete"
    return Separation(kind, tuple(columns[used].tolist()), int(separated.sum()))


def _standardized(X):
    """``(S, columns)``: the rows standardized with the intercept's 1 last (m, q), and the
    indices of the columns kept (the non-constant ones); not yet signed."""
    top = np.abs(X).max(axis=0, initial=0.0)
    X = X / np.where(top > 0, top, 1.0)                      # no sum overflows; same signs
    mean = X.mean(axis=0)
    std = np.sqrt(np.mean((X - mean) ** 2, axis=0))
    keep = std > 0
    S = np.empty((X.shape[0], int(keep.sum()) + 1))
    np.subtract(X[:, keep], mean[keep], out=S[:, :-1])
    S[:, :-1] /= std[keep]
    S[:, -1] = 1.0
    return S, np.flatnonzero(keep)


def _separation(S):
    """``(Q, d)``: the separated rows and a direction putting each of them at a margin of
    at least half its row's scale (in units of :data:`MARGIN`), or None: programs 1 and 2
    of the module's docstring."""
    from scipy import sparse
    from scipy.optimize import linprog

    m, q = S.shape
    unit = S / np.abs(S).sum(axis=1, keepdims=True)                # (m, q), rows of L1 norm 1
    test = linprog(-unit.sum(axis=0), A_ub=-unit, b_ub=np.zeros(m), bounds=(-1, 1),
                   method="highs")
    if test.status != 0 or not np.any(unit @ test.x > MARGIN):
        return None
    A = sparse.hstack([sparse.csr_matrix(-unit), sparse.identity(m, format="csr")],
                      format="csr")                                # -unit d + t <= 0
    rows = linprog(np.r_[np.zeros(q), -np.ones(m)], A_ub=A, b_ub=np.zeros(m),
                   bounds=[(-1 / MARGIN, 1 / MARGIN)] * q + [(0, 1)] * m, method="highs")
    if rows.x is not None:                      # solved, or stopped at a feasible point
        d = rows.x[:q]
        margins = unit @ d                                         # t_i = 1: margin >= 1
        if margins.min() >= -WRONG * np.abs(d).max() and np.any(margins >= 0.5):
            return margins >= 0.5, d
    # Program 1 proved a separation: its own direction names at least its rows.
    d = test.x / MARGIN
    return unit @ d >= 1.0, d


def _support(S, Q, d):
    """The features of the sparsest direction found separating the rows ``Q``: program 3
    of the module's docstring, then reweighted (each column's cost the inverse of its
    last weight, Candes, Wakin and Boyd, 2008) until the columns stop changing, at most
    :data:`REWEIGHTS` times; ``d`` from program 2 where the first fails."""
    from scipy.optimize import linprog

    m, q = S.shape
    cost, found = np.ones(q - 1), None
    for _ in range(1 + REWEIGHTS):
        both = np.r_[cost, 0.0, cost, 0.0]                         # the intercept is free
        fit = linprog(both, A_ub=np.hstack([-S, S]), b_ub=np.where(Q, -1.0, 0.0),
                      bounds=(0, None), method="highs")            # d = u - v
        if fit.status != 0:
            break
        d = fit.x[:q] - fit.x[q:]
        w = np.abs(d[:-1])
        support = np.flatnonzero(w > 1e-9 * w.max())
        if found is not None and np.array_equal(support, found):
            break
        found, cost = support, 1.0 / (w + 1e-3 * w.max())
    if found is None:
        w = np.abs(d[:-1])
        found = np.flatnonzero(w > 1e-9 * w.max()) if w.max() > 0 else np.array([], int)
    return found


def overlap_proved(X, y, coef, intercept, sample_weight=None, moments=None):
    r"""Whether an unpenalized fit's weights prove that no boundary separates the classes:
    a (1,) bool for two classes (``y`` 0/1, ``coef`` (n,)), else (K,), each class against
    the rest (``y`` the codes, ``coef`` (K, n), ``intercept`` (K,)). One curvature pass
    of the fit's own (about one Newton iteration); a second for collinear columns.

    With :math:`S` the signed standardized rows (the module's docstring),
    :math:`\lambda_i` a row's weight times the probability the fit gives the wrong class
    and :math:`h_i = \lambda_i(1 - \pi_i) \le \lambda_i` its curvature (:math:`\pi_i` that
    probability), the
    fit's gradient is :math:`-S^\top\lambda/m` and its Hessian
    :math:`H = S^\top\operatorname{diag}(h)S/m`. For any :math:`d` with
    :math:`u = Sd \ge 0`, by Cauchy-Schwarz with :math:`H`,

    .. math::
        \textstyle\sum_i \lambda_i u_i = -m\, g^\top d
        \le m\sqrt{g^\top H^{-1} g}\,\sqrt{d^\top H d}, \qquad
        m\, d^\top H d = \sum_i h_i u_i^2 \le u_{\max} \sum_i \lambda_i u_i,

    so :math:`d^\top H d \le (g^\top H^{-1} g)\, u_{\max}^2`, while
    :math:`d^\top H d \ge \nu_{\min}(H) \lVert d\rVert^2 \ge \nu_{\min}(H)\,
    u_{\max}^2 / R^2` with :math:`R` the longest row. Where
    :math:`\nu_{\min}(H) > R^2\, g^\top H^{-1} g` (the Newton decrement), only
    :math:`u = 0` is left: no row can be separated. Directions that move no margin
    (eigenvalues of :math:`S^\top S` below ``1e-12`` of the largest: collinear columns)
    are left out first when :math:`H` is singular.
    """
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    return _overlap(X, y, coef, intercept, sw, moments)[1]


def _overlap(X, y, coef, intercept, sw=None, moments=None):
    r"""``(joint, proved)``: whether the weights prove that the classes overlap (for K
    classes, that no direction of all the classes' weights at once separates them), and
    for each class against the rest (:func:`overlap_proved`).

    For K classes the same argument holds on the rows :math:`(e_{y_i} - e_k)\otimes S_i`
    with :math:`\lambda_{ik}` row :math:`i`'s weight times the probability of class
    :math:`k`: the softmax's gradient is :math:`-\sum \lambda_{ik}(e_{y_i} - e_k)\otimes
    S_i/m`, and its Hessian's row terms, the variance of the scores along :math:`d` under
    :math:`p_i`, are at most :math:`\sum_k p_{ik} u_{ik}^2` (a variance is at most the
    mean square about any point, here the true class's score). Directions that move every
    class's scores alike move no margin and are left out; a margin moves at most
    :math:`\sqrt2 R \lVert d
Vert`.
    """
    from .moments import column_moments

    X = np.asarray(X)
    coef = np.asarray(coef, dtype=float)
    K = 1 if coef.ndim == 1 or coef.shape[0] == 1 else coef.shape[0]
    mean, std = column_moments(X, sample_weight=sw) if moments is None else moments
    scale = np.where(std > 0, std, 1.0)
    m, n = X.shape
    top = np.max(np.abs(np.r_[X.max(axis=0, initial=-np.inf) - mean,
                             mean - X.min(axis=0, initial=np.inf)].reshape(2, n)), axis=0)
    R2 = 1.0 + float(np.sum((top / scale) ** 2))                 # bounds every |row|^2
    # A Hessian from every few blocks is below H (its rows' terms are >= 0), so it
    # proves too, at about one gradient pass's cost (as descend.objective's gap bound).
    every = max(1, min((n + 1) * K // 16, m // (8 * (n + 1))))
    proved, joint = np.zeros(K, bool), False
    for step in dict.fromkeys((every, 1)):
        g, blocks, H = _curvature(X, y, coef, intercept, mean, scale, sw, step)
        joint = joint or (K > 1 and _decrement_small(*_without_shifts(H, g, K), 2 * R2))
        if joint:
            return True, np.ones(K, bool)
        proved |= [_decrement_small(Hk, g[:, k], R2) for k, Hk in enumerate(blocks)]
        if K == 1 and proved.all():
            return True, proved
    V = _moving(X, mean, scale, sw)                               # leave collinear columns out
    proved |= [_decrement_small(V.T @ Hk @ V, V.T @ g[:, k], R2) for k, Hk in enumerate(blocks)]
    if K > 1:
        B = np.kron(V, np.eye(K))
        joint = _decrement_small(*_without_shifts(B.T @ H @ B, B.T @ g.ravel(), K, V.shape[1]),
                                 2 * R2)
    return (bool(joint) if K > 1 else bool(proved.all())), (np.ones(K, bool) if joint else proved)


def _without_shifts(H, g, K, q=None):
    """``H`` (qK, qK) and ``g`` on theta's (q, K) grid, restricted to the directions that
    do not add one vector to every class's weights (they move no margin)."""
    g = np.asarray(g).ravel()
    q = len(g) // K if q is None else q
    E = np.linalg.qr(np.eye(K) - 1.0 / K)[0][:, :K - 1]           # an orthonormal basis of 1-perp
    B = np.kron(np.eye(q), E)                                     # (qK, q(K - 1))
    return B.T @ H @ B, B.T @ g


def _curvature(X, y, coef, intercept, mean, scale, sw, every):
    """The fit's gradient on standardized columns (n + 1, K), the Hessian's diagonal
    block of each class (``K`` 1 for two classes) and for K classes the whole Hessian on
    theta's grid (else None), from one pass of :mod:`descend.hessian`
    or :mod:`descend.softmax`; with ``every`` above 1 a gradient pass and a lower bound
    on the Hessian from every ``every``-th block of rows."""
    from . import hessian, softmax
    from .gradient import loss_grad
    from .losses import LogLoss

    y = np.asarray(y, dtype=float)
    if coef.ndim == 1 or coef.shape[0] == 1:
        w, b = coef.ravel(), float(np.ravel(intercept)[0])
        if every == 1:
            _, gw, gb, H, _ = hessian.loss_grad_hessian(X, y, w, b, LogLoss, mean, scale,
                                                        sample_weight=sw)
        else:
            _, gw, gb, _ = loss_grad(X, y, w, b, LogLoss, sample_weight=sw)
            H = hessian.hessian_bound(X, y, w, b, LogLoss, mean, scale, every,
                                      sample_weight=sw)[0]
        gw, gb, blocks, H = gw[:, None], np.array([gb]), [H], None
    else:
        W, b = coef.T, np.asarray(intercept, dtype=float)
        K = W.shape[1]
        if every == 1:
            _, gw, gb, H, _ = softmax.loss_grad_hessian(X, y, W, b, mean, scale, sw)
        else:
            _, gw, gb, _ = softmax.loss_grad(X, y, W, b, sw)
            H = softmax.hessian_bound(X, y, W, b, mean, scale, every, sw)[0]
        blocks = [H[k::K, k::K] for k in range(K)]                # theta's grid, row by row
    g = np.vstack([(gw - mean[:, None] * np.asarray(gb)) / scale[:, None], gb])
    return g, blocks, H


def _decrement_small(H, g, R2):
    r""":math:`\nu_{\min}(H) > R^2 g^\top H^{-1} g`, with room for rounding in ``H``: by
    Cholesky, of :math:`H` for the decrement and of :math:`H - \tau I` for the bound."""
    from scipy.linalg import solve_triangular

    if not (np.all(np.isfinite(H)) and np.all(np.isfinite(g)) and np.isfinite(R2)):
        return False
    try:
        L = np.linalg.cholesky(H)
        a = solve_triangular(L, g, lower=True)                    # |a|^2 = g' H^-1 g
        # A row's probability of the wrong class is off by up to ROUNDING (it rounds to 0
        # where sigma(z) rounds to 1, while its curvature keeps its digits), so h <= lambda
        # + ROUNDING: the bound grows to (sqrt(g' H^-1 g) + sqrt(ROUNDING))^2.
        reach = (np.sqrt(float(a @ a)) + np.sqrt(ROUNDING)) ** 2
        tau = 1e-12 * float(np.trace(H)) + 2.0 * R2 * reach
        return bool(np.isfinite(tau) and np.all(np.isfinite(
            np.linalg.cholesky(H - tau * np.eye(len(H))))))
    except np.linalg.LinAlgError:
        return False


def _moving(X, mean, scale, sw):
    r"""The directions (q, k) that move some margin: eigenvectors of :math:`S^\top S`
    (weighted; one pass of :mod:`descend.hessian`, as for least squares) above ``1e-12``
    of its largest eigenvalue."""
    from .hessian import loss_grad_hessian
    from .losses import SquaredError

    from .gradient import _one_thread_blas

    G = loss_grad_hessian(X, np.zeros(X.shape[0]), np.zeros(X.shape[1]), 0.0, SquaredError,
                          mean, scale, sample_weight=sw)[3]
    with _one_thread_blas():                  # a small matrix: threads only cost here
        mu, V = np.linalg.eigh(G)
    return V[:, mu > 1e-12 * mu[-1]]
