"""Sample weights in the passes over the data: each pass against numpy written out here,
integer weights against repeated rows, zero weights against removed rows."""

import warnings

import numpy as np
import pytest

from descend import gradient
from descend.gradient import loss_grad
from descend.hessian import exact_grad, hessian_bound, loss_grad_hessian
from descend.losses import LogLoss, SquaredError
from descend.moments import column_moments
from descend.stochastic import largest_row_norm


# -- references -----------------------------------------------------------------------
def _row_losses(loss, z, y):
    """Each row's loss, by hand: half the squared residual, or log(1 + e^z) - y z."""
    if loss is SquaredError:
        return 0.5 * (z - y) ** 2
    return np.logaddexp(0.0, z) - y * z


def _residuals(loss, z, y):
    return z - y if loss is SquaredError else 1.0 / (1.0 + np.exp(-z)) - y


def _reference(X, y, w, b, loss, sw):
    """``(J, grad_w, grad_b)`` = (sum s L / m, X^T (s delta) / m, sum s delta / m)."""
    X = X.astype(np.float64)
    z = X @ w + b
    delta = sw * _residuals(loss, z, y)
    m = len(y)
    return float(sw @ _row_losses(loss, z, y)) / m, X.T @ delta / m, float(delta.sum()) / m


def _data(m=203, n=4, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(m, n)) * [1.0, 10.0, 0.1, 3.0][:n] + 2.0).astype(dtype)
    w, b = rng.normal(size=n) * 0.1, 0.3
    y_lin = X.astype(np.float64) @ rng.normal(size=n) + rng.normal(size=m)
    y_bin = (rng.uniform(size=m) < 0.5).astype(float)
    sw = rng.uniform(0.0, 3.0, size=m)
    sw[::7] = 0.0
    return X, w, b, y_lin, y_bin, sw * m / sw.sum()


def _target(loss, y_lin, y_bin):
    return y_lin if loss is SquaredError else y_bin


@pytest.fixture(params=["numpy", "numba"])
def kernel(request, monkeypatch):
    """Run a test once with numpy blocks and once with the compiled kernels."""
    if request.param == "numba":
        pytest.importorskip("numba")
    monkeypatch.setattr(gradient, "KERNEL", "numpy" if request.param == "numpy" else "auto")
    return request.param


# -- the plain pass ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
@pytest.mark.parametrize("blocks", [{}, {"block_rows": 7}, {"block_rows": 7, "n_threads": 2}])
def test_weighted_loss_and_gradient_match_numpy(loss, dtype, blocks, kernel):
    X, w, b, y_lin, y_bin, sw = _data(dtype=dtype)
    y = _target(loss, y_lin, y_bin)
    J, gw, gb, _ = loss_grad(X, y, w, b, loss, sample_weight=sw, **blocks)
    rJ, rgw, rgb = _reference(X, y, w, b, loss, sw)
    assert J == pytest.approx(rJ, rel=1e-12)
    np.testing.assert_allclose(gw, rgw, rtol=1e-11, atol=1e-14 * np.abs(rgw).max())
    assert gb == pytest.approx(rgb, rel=1e-11, abs=1e-15)


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_weights_of_one_are_no_weights_to_the_bit(loss, kernel):
    X, w, b, y_lin, y_bin, _ = _data(m=1001)
    y = _target(loss, y_lin, y_bin)
    plain = loss_grad(X, y, w, b, loss, block_rows=64)
    ones = loss_grad(X, y, w, b, loss, block_rows=64, sample_weight=np.ones(len(y)))
    assert plain[0] == ones[0] and plain[2] == ones[2] and plain[3] == ones[3]
    np.testing.assert_array_equal(plain[1], ones[1])


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_integer_weights_are_repeated_rows(loss, kernel):
    X, w, b, y_lin, y_bin, _ = _data()
    y = _target(loss, y_lin, y_bin)
    counts = np.random.default_rng(1).integers(0, 4, size=len(y))     # 0 drops the row
    m = len(y)
    J, gw, gb, _ = loss_grad(X, y, w, b, loss, block_rows=7,
                             sample_weight=counts * m / counts.sum())
    Xr, yr = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    rJ, rgw, rgb, _ = loss_grad(Xr, yr, w, b, loss, block_rows=7)
    assert J == pytest.approx(rJ, rel=1e-12)
    np.testing.assert_allclose(gw, rgw, rtol=1e-12)
    assert gb == pytest.approx(rgb, rel=1e-12)


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_zero_weights_are_removed_rows(loss, kernel):
    X, w, b, y_lin, y_bin, _ = _data()
    y = _target(loss, y_lin, y_bin)
    keep = np.arange(len(y)) % 3 != 0
    sw = keep * len(y) / keep.sum()                       # the kept rows weigh m / m_kept
    J, gw, gb, _ = loss_grad(X, y, w, b, loss, block_rows=7, sample_weight=sw)
    rJ, rgw, rgb, _ = loss_grad(X[keep], y[keep], w, b, loss, block_rows=7)
    assert J == pytest.approx(rJ, rel=1e-12)
    np.testing.assert_allclose(gw, rgw, rtol=1e-12)
    assert gb == pytest.approx(rgb, rel=1e-12)


def test_separated_ignores_rows_of_weight_zero(kernel):
    X = np.array([[-2.0], [-1.0], [1.0], [2.0], [3.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.0])               # the last row on the wrong side
    assert not loss_grad(X, y, np.ones(1), 0.0, LogLoss)[3]
    sw = np.array([1.25, 1.25, 1.25, 1.25, 0.0])
    assert loss_grad(X, y, np.ones(1), 0.0, LogLoss, sample_weight=sw)[3]
    assert loss_grad_hessian(X, y, np.ones(1), 0.0, LogLoss, np.zeros(1), np.ones(1),
                             sample_weight=sw)[4]


def test_weights_of_the_wrong_length_are_refused():
    X, w, b, y, _, sw = _data()
    with pytest.raises(ValueError, match=r"sample_weight has shape \(202,\).*shape \(203,\)"):
        loss_grad(X, y, w, b, SquaredError, sample_weight=sw[1:])


# -- the curvature pass and the exact residuals ------------------------------------------
@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_weighted_hessian_matches_numpy(loss, dtype):
    X, w, b, y_lin, y_bin, sw = _data(dtype=dtype)
    y = _target(loss, y_lin, y_bin)
    shift, scale = np.array([2.0, 1.0, 2.0, 0.0]), np.array([1.0, 10.0, 0.1, 3.0])
    J, gw, gb, H, _ = loss_grad_hessian(X, y, w, b, loss, shift, scale, block_rows=7,
                                        n_threads=2, sample_weight=sw)
    X64 = X.astype(np.float64)
    z = X64 @ w + b
    a = 1.0 / (1.0 + np.exp(-z))
    h = np.ones_like(z) if loss is SquaredError else a * (1 - a)
    A = np.column_stack([(X64 - shift) / scale, np.ones(len(y))])        # [Z, 1]
    rH = A.T @ ((sw * h)[:, None] * A) / len(y)
    np.testing.assert_allclose(H, rH, rtol=1e-11, atol=1e-14)
    rJ, rgw, rgb = _reference(X, y, w, b, loss, sw)
    assert J == pytest.approx(rJ, rel=1e-12)
    np.testing.assert_allclose(gw, rgw, rtol=1e-11)
    # The bound from every other block: the weighted terms of those blocks only, and
    # the share of the weight they hold.
    H_S, share = hessian_bound(X, y, w, b, loss, shift, scale, 2, block_rows=7,
                               sample_weight=sw)
    read = (np.arange(len(y)) // 7) % 2 == 0
    s_read = np.where(read, sw, 0.0)
    np.testing.assert_allclose(H_S, A.T @ ((s_read * h)[:, None] * A) / len(y), rtol=1e-11,
                               atol=1e-14)
    assert share == pytest.approx(s_read.sum() / len(y), rel=1e-12)


def test_weighted_exact_gradient_matches_numpy(kernel):
    X, w, b, y, _, sw = _data(m=2001)
    shift = np.array([2.0, 1.0, 2.0, 0.0])
    J, gc, gb = exact_grad(X, y, w, b, shift, n_threads=2, sample_weight=sw)
    r = X @ w + b - y
    m = len(y)
    assert J == pytest.approx(0.5 * float(sw @ (r * r)) / m, rel=1e-12)
    np.testing.assert_allclose(gc, (X - shift).T @ (sw * r) / m, rtol=1e-11)
    assert gb == pytest.approx(float(sw @ r) / m, rel=1e-11)


# -- the moments --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("blocks", [{}, {"block_rows": 7, "n_threads": 2}])
def test_weighted_moments_match_numpy(dtype, blocks, kernel):
    X, _, _, _, _, sw = _data(m=1001, dtype=dtype)
    X[:, 2] = 0.7                                         # a constant column
    mean, std = column_moments(X, sample_weight=sw, **blocks)
    X64 = X.astype(np.float64)
    ref_mean = np.average(X64, axis=0, weights=sw)
    ref_std = np.sqrt(np.average((X64 - ref_mean) ** 2, axis=0, weights=sw))
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-13)
    np.testing.assert_allclose(std, ref_std, rtol=1e-12, atol=1e-15)
    assert mean[2] == np.float64(dtype(0.7)) and std[2] == 0.0   # exactly, unlike numpy


@pytest.mark.parametrize("where", [0, 5, -1])
def test_a_row_of_weight_zero_leaves_the_moments_alone(where, kernel):
    X, _, _, _, _, sw = _data(m=50)
    X[:, 2] = 0.7
    X[where], sw[where] = 1e300, 0.0                      # huge, in every column
    kept = np.arange(50) != np.arange(50)[where]
    weighted = column_moments(X, block_rows=7, sample_weight=sw)
    without = column_moments(X[kept], block_rows=7, sample_weight=sw[kept])
    np.testing.assert_allclose(weighted[0], without[0], rtol=1e-14)
    np.testing.assert_allclose(weighted[1], without[1], rtol=1e-13)
    assert weighted[0][2] == 0.7 and weighted[1][2] == 0.0


def test_a_value_not_finite_in_a_row_of_weight_zero_still_shows(kernel):
    X, _, _, _, _, sw = _data(m=50)
    X[3, 1], sw[3] = np.nan, 0.0
    assert np.isnan(column_moments(X, block_rows=7, sample_weight=sw)[0][1])


# -- stochastic descent -------------------------------------------------------------------
def test_largest_row_norm_with_and_without_weights():
    X, _, _, _, _, sw = _data()
    shift, scale = X.mean(axis=0), X.std(axis=0)
    norms = np.sum(((X - shift) / scale) ** 2, axis=1) + 1.0
    assert largest_row_norm(X, shift, scale) == pytest.approx(norms.max(), rel=1e-14)
    assert largest_row_norm(X, shift, scale, sample_weight=sw) == pytest.approx(
        (sw * norms).max(), rel=1e-14)
    X[0], sw[0] = 1e300, 0.0
    assert largest_row_norm(X, shift, scale, sample_weight=sw) == pytest.approx(
        (sw * norms)[1:].max(), rel=1e-14)


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_a_weighted_epoch_compiled_takes_the_objective_s_steps(loss, monkeypatch):
    pytest.importorskip("numba")
    from descend.objective import Objective
    from descend.rows import ArrayRows
    from descend.stochastic import Batches, BatchLog, run_epoch

    X, _, _, y_lin, y_bin, sw = _data(m=500)
    y = _target(loss, y_lin, y_bin)
    objective = Objective(ArrayRows(X, y, sample_weight=sw), loss, alpha=0.05,
                          mean=X.mean(axis=0), scale=X.std(axis=0))

    def epoch():
        log = BatchLog()
        batches = Batches(500, 7, rng=np.random.default_rng(4))
        x, average, _ = run_epoch(objective, batches, np.full(5, 0.1), log=log,
                                  t_of=lambda e: 0.05 / (1 + e), average=(np.zeros(5), 0))
        return x, average[0], log.arrays()[0]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = epoch()
        monkeypatch.setattr(gradient, "KERNEL", "numpy")      # each batch through the objective
        reference = epoch()
    for got, want in zip(compiled, reference):
        np.testing.assert_allclose(got, want, rtol=1e-9)
    # The weights count: without them the steps differ.
    objective.rows.sample_weight = None
    assert not np.allclose(epoch()[0], reference[0], rtol=1e-6)


# -- Dask -----------------------------------------------------------------------------------
def test_dask_rows_with_weights_are_the_in_memory_passes():
    da = pytest.importorskip("dask.array")
    from descend.dask.cluster import DaskRows
    from descend.errors import DataError

    X, w, b, y_lin, y_bin, sw = _data(m=600)
    raw = sw * 3.5                                        # DaskRows scales them to sum to m
    chunks = (100, 250, 50, 200)
    Xd, wd = da.from_array(X, chunks=(chunks, 4)), da.from_array(raw, chunks=300)
    rows = DaskRows.prepare(Xd, da.from_array(y_lin, chunks=(chunks,)), "test", False,
                            sample_weight=wd)
    np.testing.assert_allclose(rows.sample_weight.compute(), sw, rtol=1e-14)
    ref_mean = np.average(X, axis=0, weights=sw)
    mean, std = rows.moments()
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-13)
    np.testing.assert_allclose(std, np.sqrt(np.average((X - ref_mean) ** 2, axis=0,
                                                       weights=sw)), rtol=1e-12)
    assert rows.y_mean == pytest.approx(np.average(y_lin, weights=sw), rel=1e-12)
    got = rows.loss_grad(w, b, SquaredError)
    want = loss_grad(X, y_lin, w, b, SquaredError, sample_weight=sw)
    assert got[0] == pytest.approx(want[0], rel=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-11)
    shift, scale = mean, std
    H = rows.loss_grad_hessian(w, b, SquaredError, shift, scale)[3]
    np.testing.assert_allclose(H, loss_grad_hessian(X, y_lin, w, b, SquaredError, shift, scale,
                                                    sample_weight=sw)[3], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(rows.squared_hessian(shift, scale), H, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(rows.exact_grad(w, b, shift)[1],
                               exact_grad(X, y_lin, w, b, shift, sample_weight=sw)[1], rtol=1e-11)
    # A classifier's mean label is the weighted share of the positive class.
    labels = DaskRows.prepare(Xd, da.from_array(y_bin, chunks=(chunks,)), "test", True,
                              sample_weight=raw)
    labels.encode(1.0)
    assert labels.y_mean == pytest.approx(np.average(y_bin, weights=sw), rel=1e-12)
    got = labels.loss_grad(w, b, LogLoss)
    want = loss_grad(X, y_bin, w, b, LogLoss, sample_weight=sw)
    assert got[0] == pytest.approx(want[0], rel=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-11)
    with pytest.raises(DataError, match="X has 600 rows but sample_weight has 599 values"):
        DaskRows.prepare(Xd, da.from_array(y_lin, chunks=(chunks,)), "test", False,
                         sample_weight=raw[1:])
    with pytest.raises(DataError, match="sample_weight holds 1 negative"):
        DaskRows.prepare(Xd, da.from_array(y_lin, chunks=(chunks,)), "test", False,
                         sample_weight=np.where(np.arange(600) == 3, -1.0, raw))
