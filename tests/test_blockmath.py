"""The vectorized exp and log1p of the log-loss pass, in ulps of references computed in
extended precision (numpy's own float64 exp and log1p differ by an ulp or two across its
versions; long double's rounded to float64 are correctly rounded but for rare ties)."""

import numpy as np
import pytest

from descend import blockmath, gradient


def _ulps(got, want):
    return np.abs(got - want) / np.spacing(np.abs(want))


#: Where long double is float64 itself (some platforms), the reference carries its own
#: rounding: one more ulp.
SLACK = 0.0 if np.finfo(np.longdouble).nmant > 52 else 1.0


def _wide(fn, x):
    """``fn`` of ``x`` in long double, rounded to float64."""
    return fn(np.asarray(x, dtype=np.longdouble)).astype(np.float64)


@pytest.fixture(scope="module")
def compiled():
    pytest.importorskip("numba")
    gradient._compiled()                       # compiles blockmath's loops for the pass
    return blockmath


def _scores(rng):
    return np.concatenate([rng.standard_normal(100_000) * 5, rng.uniform(-750, 750, 100_000),
                           rng.standard_normal(10_000) * 1e-9,
                           [0.0, -0.0, 1e-300, 700.0, -708.3, 745.0, -745.2, 745.6, 1e300]])


def test_exp_is_within_one_ulp_of_numpy_down_to_the_subnormals(compiled):
    z = _scores(np.random.default_rng(0))
    out, work = np.empty_like(z), np.empty_like(z)
    compiled._EXP(z, out, work)
    want = _wide(np.exp, -np.abs(z))
    normal = want >= np.finfo(float).tiny
    assert _ulps(out[normal], want[normal]).max() <= 1.0 + SLACK
    # Subnormal results: within one unit of the smallest subnormal (one rounding).
    assert np.abs(out[~normal] - want[~normal]).max() <= 5e-324


def test_log1p_is_within_two_ulps_of_numpy_on_its_range(compiled):
    rng = np.random.default_rng(1)
    e = np.concatenate([rng.random(200_000), np.exp(-rng.uniform(0, 700, 100_000)),
                        [0.0, 1.0, 0.5, 1e-300]])
    out = np.empty_like(e)
    compiled._LOG1P(e, out)
    want = _wide(np.log1p, e)
    positive = want > 0
    assert _ulps(out[positive], want[positive]).max() <= 2.0 + SLACK
    assert out[e == 0].max() == 0.0


def test_block_terms_match_the_row_formulas(compiled):
    rng = np.random.default_rng(2)
    z = _scores(rng)[:-1]                      # 1e300 is no score a fit makes
    y = (rng.random(z.size) < 0.5).astype(float)
    terms, delta, e, work = (np.empty_like(z) for _ in range(4))
    gradient._LOG_BLOCK(z, y, terms, delta, e, work)
    # The row formula with numpy's exp and log1p (logaddexp(0, z) - y z would cancel).
    want = np.maximum(z, 0.0) - y * z + _wide(lambda v: np.log1p(np.exp(-np.abs(v))), z)
    big = want > 1e-300
    assert _ulps(terms[big], want[big]).max() <= 8.0
    sigma = delta + y                          # exact where y = 0
    zero = (y == 0) & (z > -700)
    sigma_ref = _wide(lambda v: 1 / (1 + np.exp(-v)), z[zero])
    assert _ulps(sigma[zero], sigma_ref).max() <= 8.0
