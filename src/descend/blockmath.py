r"""The log-loss's row terms for a whole block of scores at once, in loops a compiler
vectorizes.

The compiled pass (:mod:`descend.gradient`) needs, per row, :math:`e = e^{-|z|}`,
:math:`\log(1 + e)` and :math:`\sigma(z)`. The C library's ``exp`` and ``log1p``
are scalar calls (PyPI's llvmlite has no vector math library), about 11 ns a
row. Written here as branch-free polynomials, each loop free of calls and of
Python's division check, LLVM turns them into SIMD code (about 1 ns a value):

* :math:`e^{x}` for :math:`x = -|z| \le 0`: Cody and Waite's reduction
  :math:`x = k\ln 2 + r`, :math:`|r| \le \ln 2/2`, with :math:`\ln 2` in two
  parts, the Taylor polynomial of degree 13 (its remainder is below 4e-18),
  and :math:`2^k` built from its exponent bits in a loop of its own, as
  :math:`2^{k+511} \cdot 2^{-511}` so that results down to the subnormals are
  rounded once. Within 1 ulp of numpy's ``exp``.
* :math:`\log(1 + e)` for :math:`0 \le e \le 1`: :math:`2\,\mathrm{atanh}(s)`
  with :math:`s = e/(2 + e) \le 1/3`, the odd series to :math:`s^{35}`.
  Within 2 ulp of numpy's ``log1p``.

``tests/test_blockmath.py`` measures both against numpy over the whole range.
The Horner steps are written out one per line: as a loop over a tuple of
coefficients numba no longer vectorized them (the 1M x 50 pass went from 18.5
to 31 ms).
"""

from __future__ import annotations

import numpy as np

__all__ = ["exp_neg_abs", "log1p_unit", "log_loss_block"]

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01          # ln 2 to 32 bits: k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_TWO_M511 = 1.4916681462400413e-154           # 2^-511


def exp_neg_abs(z, out, work):
    """``out[i] = exp(-|z[i]|)``; ``work`` is scratch of the same length (float64)."""
    n = z.shape[0]
    for i in range(n):                        # reduction and polynomial: floats only
        x = max(-abs(z[i]), -745.5)
        k = np.floor(x * _LOG2E + 0.5)
        r = (x - k * _LN2_HI) - k * _LN2_LO
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        out[i] = p * r + 1.0
        work[i] = k
    bits = work.view(np.int64)
    for i in range(n):                        # 2^(k + 511) from its exponent bits
        bits[i] = (np.int64(work[i]) + 1534) << 52
    for i in range(n):
        value = out[i] * work[i] * _TWO_M511
        out[i] = value if abs(z[i]) < 745.5 else 0.0


def log1p_unit(e, out):
    """``out[i] = log(1 + e[i])`` for ``0 <= e[i] <= 1``."""
    for i in range(e.shape[0]):
        x = e[i]
        s = x / (2.0 + x)
        s2 = s * s
        q = 2.0 / 35.0
        q = q * s2 + 2.0 / 33.0
        q = q * s2 + 2.0 / 31.0
        q = q * s2 + 2.0 / 29.0
        q = q * s2 + 2.0 / 27.0
        q = q * s2 + 2.0 / 25.0
        q = q * s2 + 2.0 / 23.0
        q = q * s2 + 2.0 / 21.0
        q = q * s2 + 2.0 / 19.0
        q = q * s2 + 2.0 / 17.0
        q = q * s2 + 2.0 / 15.0
        q = q * s2 + 2.0 / 13.0
        q = q * s2 + 2.0 / 11.0
        q = q * s2 + 2.0 / 9.0
        q = q * s2 + 2.0 / 7.0
        q = q * s2 + 2.0 / 5.0
        q = q * s2 + 2.0 / 3.0
        out[i] = 2.0 * s + s * (s2 * q)


def log_loss_block(z, y, terms, delta, e, work):
    """Per row of a block: ``terms[i]`` the log-loss, ``delta[i] = sigma(z) - y``, the
    formulas of :meth:`descend.losses.LogLoss.term`; ``e`` and ``work`` are scratch."""
    _EXP(z, e, work)
    _LOG1P(e, terms)
    for i in range(z.shape[0]):
        zi = z[i]
        terms[i] += max(zi, 0.0) - y[i] * zi
        delta[i] = (1.0 if zi >= 0.0 else e[i]) / (1.0 + e[i]) - y[i]


# What log_loss_block calls: these functions, or their compiled twins (descend.gradient
# compiles them and puts them here before it compiles log_loss_block).
_EXP, _LOG1P = exp_neg_abs, log1p_unit
