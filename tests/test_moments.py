"""Column moments in one pass: both kernels against numpy, and the merge of parts."""

import math
from fractions import Fraction

import numpy as np
import pytest

import descend.gradient as gradient
from descend.moments import column_moments, merge_moments


def _exact_moments(X):
    """Column means and standard deviations of float64 ``X``, exact then rounded once.

    Fractions hold every float exactly, so the reference owes nothing to the
    summation order of numpy, the BLAS or the CPU, nor to ``longdouble``
    (which is plain float64 on some platforms).
    """
    m = X.shape[0]
    means, stds = [], []
    for column in X.T:
        values = [Fraction(v) for v in column.tolist()]
        mu = sum(values) / m
        means.append(float(mu))
        stds.append(math.sqrt(float(sum((v - mu) ** 2 for v in values) / m)))
    return np.array(means), np.array(stds)


def _assert_means_close(mean, X, ref):
    # A sum of m terms in any order (blocks, pairs, threads) is within about
    # log2(m) roundings of the summed magnitudes: eps * log2(m) * mean|x| per column.
    bound = np.finfo(float).eps * math.ceil(math.log2(X.shape[0])) * np.abs(X).mean(axis=0)
    assert np.all(np.abs(mean - ref) <= bound), np.abs(mean - ref) / bound


@pytest.fixture(params=["numpy", "auto"])
def kernel(request, monkeypatch):
    monkeypatch.setattr(gradient, "KERNEL", request.param)
    return request.param


def test_moments_match_numpy_on_offset_unscaled_columns(kernel):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5003, 6)) * [1e-3, 1.0, 1e3, 5.0, 1e6, 0.1] + [1e4, -3.0, 0.0, 1e8, 2.0, 7.0]
    mean, std = column_moments(X, block_rows=97)                 # uneven blocks
    ref_mean, ref_std = _exact_moments(X)
    _assert_means_close(mean, X, ref_mean)
    # The 1e4 offset with spread 1e-3 costs digits: measured 1.3e-12 on column 0.
    np.testing.assert_allclose(std, ref_std, rtol=1e-11)


def test_constant_columns_are_exact_and_float32_is_summed_in_float64(kernel):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 3)).astype(np.float32)
    X[:, 1] = np.float32(0.1)
    mean, std = column_moments(X, block_rows=256)
    assert mean[1] == np.float64(np.float32(0.1)) and std[1] == 0.0
    wide = X.astype(np.float64)
    np.testing.assert_allclose(mean, wide.mean(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(std, wide.std(axis=0), rtol=1e-12)


def test_extreme_columns_neither_overflow_nor_underflow(kernel):
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(4000, 3))
    X = Z * [1e-200, 1e200, 1.0]
    _, std = column_moments(X, block_rows=300)
    np.testing.assert_allclose(std / [1e-200, 1e200, 1.0], Z.std(axis=0), rtol=1e-12)


def test_merging_parts_equals_the_whole():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(1000, 4)) * [1.0, 100.0, 0.01, 3.0] + [5.0, -2e3, 0.0, 1e5]
    cuts = [0, 10, 11, 400, 1000]
    parts = [X[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
    rows = np.array([len(p) for p in parts] + [0])              # an empty part is ignored
    # Exact part moments: the merge's error is then its own, not numpy's mean of a part
    # (whose rounding would enter the merged spread at first order).
    exact = [_exact_moments(p) for p in parts]
    means = np.array([mu for mu, _ in exact] + [np.zeros(4)])
    stds = np.array([sd for _, sd in exact] + [np.zeros(4)])
    mean, std = merge_moments(rows, means, stds)
    ref_mean, ref_std = _exact_moments(X)
    _assert_means_close(mean, X, ref_mean)
    np.testing.assert_allclose(std, ref_std, rtol=1e-12)


@pytest.mark.parametrize("module", ["moments", "gradient", "models", "rows", "objective",
                                    "dask.cluster", "dask.inputs", "dask.container",
                                    "tables.data", "tables.standardize", "cli.main"])
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", f"import descend.{module}"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
