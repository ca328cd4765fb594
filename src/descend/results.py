r"""A fit's summary: its weights with their standard errors, tests and intervals, and the
likelihood statistics, named as statsmodels names them.

:class:`Summary` is built from a plain record (numbers and lists, as a model
file stores it), so a saved model shows the same table without its data. It
prints as a text table, shows as an HTML table in notebooks, and
``to_frame()`` gives the coefficient table as a DataFrame. The linear model's
nonrobust tests use Student's t with ``df_resid`` degrees of freedom, the
classifiers' and the robust ones the normal distribution, as statsmodels'
defaults do; ``use_t=True`` asks for t (with ``G - 1`` degrees for
``cov_type="cluster"``, as Stata).
"""

from __future__ import annotations

import html

import numpy as np
from scipy import special

from .metrics import _count

__all__ = ["Summary"]


def _two_sided(stat, df):
    """The two-sided p-value of ``stat``: Student's t with ``df`` degrees, or normal (None)."""
    a = np.abs(stat)
    return 2 * (special.stdtr(df, -a) if df is not None else special.ndtr(-a))


def _quantile(q, df):
    return special.stdtrit(df, q) if df is not None else special.ndtri(q)


class Summary:
    """The summary of a fitted model (see ``summary()`` on the estimators)."""

    def __init__(self, record):
        self.record = record
        self.kind = record["kind"]
        self._params = np.asarray(record["params"], dtype=float)          # (K', q)
        self._cov = np.asarray(record["cov"], dtype=float)                # (K'q, K'q)
        self.cov_type = record["cov_type"]
        self.alpha = record["ci_alpha"]
        self.nobs = record["nobs"]
        self.df_model = record["df_model"]
        self.df_resid = record["df_resid"]
        self.llf = record["llf"]
        self.llnull = record["llnull"]
        self.condition_number = record["condition_number"]
        self.use_t = record["use_t"]
        groups = record.get("groups")
        self._df_denominator = groups - 1 if self.cov_type == "cluster" else self.df_resid
        self.df_inference = self._df_denominator if self.use_t else None
        self.names = ["intercept"] + [str(n) for n in record["names"]]
        classes = record.get("classes")
        self.blocks = ([str(c) for c in classes[1:]] if self.kind == "multinomial" else None)

    # -- the numbers, shaped as statsmodels shapes them ---------------------
    def _shaped(self, values):
        import pandas as pd

        values = np.asarray(values, dtype=float).reshape(self._params.shape)
        if self.blocks is None:
            return pd.Series(values[0], index=self.names)
        return pd.DataFrame(values.T, index=self.names, columns=self.blocks)

    @property
    def params(self):
        """The weights: the intercept, then a weight per column (a column per class, each
        against the first class, for K classes)."""
        return self._shaped(self._params)

    @property
    def bse(self):
        """The standard errors of the weights."""
        return self._shaped(np.sqrt(np.diag(self._cov)))

    @property
    def tvalues(self):
        """Each weight divided by its standard error (t for the linear model, z else)."""
        return self._shaped(self._params.ravel() / np.sqrt(np.diag(self._cov)))

    @property
    def pvalues(self):
        """The two-sided p-value of each weight being zero."""
        stat = self._params.ravel() / np.sqrt(np.diag(self._cov))
        return self._shaped(_two_sided(stat, self.df_inference))

    def conf_int(self, alpha=None):
        """The ``1 - alpha`` confidence interval of each weight (columns 0 and 1)."""
        import pandas as pd

        alpha = self.alpha if alpha is None else alpha
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1 (0.05 for 95% intervals), "
                             f"got {alpha!r}.")
        half = _quantile(1 - alpha / 2, self.df_inference) * np.sqrt(np.diag(self._cov))
        centre = self._params.ravel()
        return pd.DataFrame({0: centre - half, 1: centre + half}, index=self._labels())

    def cov_params(self):
        """The covariance matrix of the weights, labelled."""
        import pandas as pd

        labels = self._labels()
        return pd.DataFrame(self._cov, index=labels, columns=labels)

    def _labels(self):
        if self.blocks is None:
            return list(self.names)
        return [f"{block}:{name}" for block in self.blocks for name in self.names]

    @property
    def k_params(self):
        return self._params.size

    @property
    def aic(self):
        """Akaike's criterion, :math:`-2\\ell + 2k`."""
        return -2 * self.llf + 2 * self.k_params

    @property
    def bic(self):
        """Schwarz's criterion, :math:`-2\\ell + k \\log N`."""
        return -2 * self.llf + np.log(self.nobs) * self.k_params

    @property
    def llr(self):
        """The likelihood-ratio statistic against the model of the intercept alone."""
        return 2 * (self.llf - self.llnull)

    @property
    def llr_pvalue(self):
        """The chi-squared p-value of ``llr`` with ``df_model`` degrees."""
        return float(special.chdtrc(self.df_model, self.llr))

    @property
    def prsquared(self):
        """McFadden's pseudo R-squared, :math:`1 - \\ell / \\ell_0` (the classifiers)."""
        self._only("prsquared", classifier=True)
        return 1 - self.llf / self.llnull

    @property
    def rsquared(self):
        """The share of y's (weighted) variance the model explains (the linear model)."""
        self._only("rsquared", classifier=False)
        return 1 - self.record["ssr"] / self.record["tss"]

    @property
    def rsquared_adj(self):
        self._only("rsquared_adj", classifier=False)
        return 1 - (self.nobs - 1) / self.df_resid * (1 - self.rsquared)

    @property
    def fvalue(self):
        """The F statistic of every weight but the intercept being zero; with a robust
        ``cov_type``, the Wald test's, from that covariance (as statsmodels)."""
        self._only("fvalue", classifier=False)
        if self.df_model == 0:
            return np.nan
        if self.cov_type == "nonrobust" and not self.record.get("approximate"):
            ssr, tss = self.record["ssr"], self.record["tss"]
            return ((tss - ssr) / self.df_model) / (ssr / self.df_resid)
        beta, C = self._params.ravel()[1:], self._cov[1:, 1:]
        if self._wald_rank() < self.df_model:
            return np.nan                         # see the note the table shows
        return float(beta @ np.linalg.solve(C, beta)) / self.df_model

    def _wald_rank(self):
        """The rank of the weights' covariance (not the intercept's): with ``"cluster"``
        at most ``G - 1``, too few for the F test when there are fewer groups than
        weights."""
        C = self._cov[1:, 1:]
        if not C.size:
            return 0
        d = np.sqrt(np.diag(C))
        d[d == 0] = 1.0
        values = np.linalg.eigvalsh(C / np.outer(d, d))           # of the correlations
        return int(np.sum(values > 1e-10 * values.max()))

    @property
    def f_pvalue(self):
        self._only("f_pvalue", classifier=False)
        return float(special.fdtrc(self.df_model, self._df_denominator, self.fvalue))

    def _only(self, name, classifier):
        if (self.kind != "linear") != classifier:
            other = "the classifiers" if classifier else "the linear model"
            instead = "prsquared" if not classifier else "rsquared"
            raise AttributeError(f"{name} is defined for {other} only; this summary is of a "
                                 f"{'linear' if self.kind == 'linear' else 'logistic'} fit "
                                 f"(see {instead}).")

    # -- shown ---------------------------------------------------------------
    def _table(self):
        """``(columns, cells)``: the coefficient table's headings and numbers (p, 6)."""
        stat = "t" if self.use_t else "z"
        se = np.sqrt(np.diag(self._cov))
        centre = self._params.ravel()
        half = _quantile(1 - self.alpha / 2, self.df_inference) * se
        columns = ["coef", "std err", stat, f"P>|{stat}|", f"[{_level(self.alpha / 2)}",
                   f"{_level(1 - self.alpha / 2)}]"]
        cells = np.column_stack([centre, se, centre / se,
                                 _two_sided(centre / se, self.df_inference),
                                 centre - half, centre + half])
        return columns, cells

    def to_frame(self):
        """The coefficient table: coef, std err, t (or z), P>|t| and the interval."""
        import pandas as pd

        columns, cells = self._table()
        if self.blocks is None:
            index = pd.Index(self.names)
        else:
            index = pd.MultiIndex.from_product([self.blocks, self.names],
                                               names=["class", "column"])
        return pd.DataFrame(cells, index=index, columns=columns)

    def _own_notes(self):
        if self.kind == "linear" and np.isnan(self.fvalue) and self.df_model:
            return [f"No F test: the covariance of the weights has rank {self._wald_rank()}, "
                    f"fewer than the {self.df_model:g} weights it would test (with "
                    "cov_type='cluster', at most one less than the groups)."]
        return []

    def _heading(self):
        r = self.record
        what = ("least squares" if self.kind == "linear" else
                f"logistic, {len(r['classes'])} classes")
        cov = self.cov_type + (f" ({r['groups']} groups)" if self.cov_type == "cluster" else "")
        if r.get("approximate"):
            cov += ", approximate (penalized)"
        left = [("Target:", str(r["target"])), ("Model:", what),
                ("Covariance:", cov), ("Observations:", _count(self.nobs)),
                ("Df residuals:", _count(self.df_resid)), ("Df model:", _count(self.df_model))]
        if self.kind == "linear":
            right = [("R-squared:", f"{self.rsquared:.4f}"),
                     ("Adj. R-squared:", f"{self.rsquared_adj:.4f}"),
                     ("F-statistic:", f"{self.fvalue:.4g}"),
                     ("Prob (F-statistic):", f"{self.f_pvalue:.4g}")]
        else:
            right = [("Pseudo R-squ.:", f"{self.prsquared:.4f}"),
                     ("LL-Null:", f"{self.llnull:.6g}"),
                     ("LLR p-value:", f"{self.llr_pvalue:.4g}")]
        right += [("Log-likelihood:", f"{self.llf:.6g}"), ("AIC:", f"{self.aic:.6g}"),
                  ("BIC:", f"{self.bic:.6g}")]
        return left, right

    def _rows(self):
        """The coefficient table's rows as text: ``(block, name, cells)`` each."""
        columns, cells = self._table()
        blocks = self.blocks or [None]
        rows = [(block, name, [_number(v) for v in cells[k * len(self.names) + j]])
                for k, block in enumerate(blocks) for j, name in enumerate(self.names)]
        return columns, rows

    def __str__(self):
        left, right = self._heading()
        width = 78
        lines = [f"{self.record['model']} summary".center(width), "=" * width]
        wide = max(22, *(len(value) for _, value in left))     # no value is cut short
        for i in range(max(len(left), len(right))):
            a = f"{left[i][0]:<15}{left[i][1]:>{wide}}" if i < len(left) else " " * (15 + wide)
            b = "{:<20}{:>20}".format(*right[i]) if i < len(right) else ""
            lines.append(f"{a} {b}".rstrip())
        lines.append("fit: " + self.record["fit"])
        columns, rows = self._rows()
        first = max(12, *(len(name) for _, name, _ in rows))
        lines.append("=" * max(width, first + 12 * len(columns)))
        lines.append(" " * first + "".join(f"{c:>12}" for c in columns))
        shown = None
        for block, name, cells in rows:
            if block != shown and block is not None:
                lines.append(f"class {block} (against {self.record['classes'][0]!s}):")
                shown = block
            lines.append(f"{name:<{first}}" + "".join(f"{c:>12}" for c in cells))
        lines.append("=" * max(width, first + 12 * len(columns)))
        notes = list(self.record.get("notes") or []) + self._own_notes()
        if notes:
            lines.append("Notes:")
            lines += [f"[{i}] {note}" for i, note in enumerate(notes, 1)]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        left, right = self._heading()
        cells = "".join(
            f"<tr><th>{html.escape(a[0])}</th><td>{html.escape(a[1])}</td>"
            f"<th>{html.escape(b[0])}</th><td>{html.escape(b[1])}</td></tr>"
            for a, b in zip(left + [("", "")] * (len(right) - len(left)),
                            right + [("", "")] * (len(left) - len(right))))
        columns, rows = self._rows()
        first = (self.record.get("classes") or [""])[0]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr><th>" + html.escape(name if block is None else f"{block} (against {first}): "
                                     f"{name}") + "</th>"
            + "".join(f"<td>{html.escape(c)}</td>" for c in values) + "</tr>"
            for block, name, values in rows)
        notes = "".join(f"<li>{html.escape(n)}</li>"
                        for n in list(self.record.get("notes") or []) + self._own_notes())
        return (f"<div><strong>{html.escape(self.record['model'])} summary</strong>"
                f"<table>{cells}</table><p>fit: {html.escape(self.record['fit'])}</p>"
                f"<table><tr><th></th>{head}</tr>{body}</table>"
                + (f"<p>Notes:</p><ol>{notes}</ol>" if notes else "") + "</div>")


def _level(q):
    """A probability for a column heading, with the digits it needs (0.025, 0.99999995)."""
    return np.format_float_positional(q, precision=10, trim="-")


def _number(v):
    if not np.isfinite(v):
        return str(v)
    return f"{v:.4f}" if 1e-3 <= abs(v) < 1e5 else (f"{v:.3e}" if v else "0")
