"""The one gradient: finite differences, blocks, the material's loop, dtypes."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from descend import gradient
from descend.gradient import backward, loss_grad
from descend.moments import column_moments
from descend.losses import LogLoss, SquaredError
from descend.teach.reference import looped_descent, looped_gradient


def _data(m=60, n=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n)) * [1.0, 10.0, 0.1, 3.0][:n] + 2.0
    w = rng.normal(size=n) * 0.1
    y_lin = X @ rng.normal(size=n) + rng.normal(size=m)
    y_bin = (rng.uniform(size=m) < 0.5).astype(float)
    return X, w, 0.3, y_lin, y_bin


@pytest.fixture(params=["numpy", "numba"])
def kernel(request, monkeypatch):
    """Run a test once with numpy blocks and once with the compiled kernel."""
    if request.param == "numba":
        pytest.importorskip("numba")
    monkeypatch.setattr(gradient, "KERNEL", request.param)
    return request.param


def _numeric_grad(X, y, w, b, loss, h=1e-6):
    def J(w_, b_):
        return loss_grad(X, y, w_, b_, loss)[0]
    gw = np.array([(J(w + h * e, b) - J(w - h * e, b)) / (2 * h) for e in np.eye(w.size)])
    return gw, (J(w, b + h) - J(w, b - h)) / (2 * h)


@pytest.mark.parametrize("loss, which", [(SquaredError, 3), (LogLoss, 4)])
def test_gradient_matches_finite_differences(loss, which, kernel):
    X, w, b, y_lin, y_bin = _data()
    y = y_lin if loss is SquaredError else y_bin
    _, gw, gb, _ = loss_grad(X, y, w, b, loss)
    nw, nb = _numeric_grad(X, y, w, b, loss)
    np.testing.assert_allclose(gw, nw, rtol=1e-6, atol=1e-8)
    assert gb == pytest.approx(nb, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_blocks_sum_to_the_whole(loss, kernel):
    X, w, b, y_lin, y_bin = _data(m=1001)
    y = y_lin if loss is SquaredError else y_bin
    whole = loss_grad(X, y, w, b, loss, block_rows=10_000)
    blocked = loss_grad(X, y, w, b, loss, block_rows=7)
    assert blocked[0] == pytest.approx(whole[0], rel=1e-13)
    np.testing.assert_allclose(blocked[1], whole[1], rtol=1e-12)
    assert blocked[2] == pytest.approx(whole[2], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("link, loss", [("identity", SquaredError), ("sigmoid", LogLoss)])
def test_material_loop_equals_vectorized(link, loss):
    X, w, b, y_lin, y_bin = _data(m=40, n=3)
    y = y_lin if link == "identity" else y_bin
    lw, lb = looped_gradient(X.tolist(), y.tolist(), w.tolist(), b, link)
    _, gw, gb, _ = loss_grad(X, y, w, b, loss)
    np.testing.assert_allclose(lw, gw, rtol=1e-12, atol=1e-12)
    assert lb == pytest.approx(gb, rel=1e-12, abs=1e-12)


def test_material_loop_descends():
    # y = 2x + 1 exactly: the loop's gradient descent recovers w = 2, b = 1.
    X = [[x] for x in np.linspace(-1, 1, 21)]
    y = [2 * row[0] + 1 for row in X]
    w, b = looped_descent(X, y, learning_rate=0.5, n_iter=400)
    assert w[0] == pytest.approx(2.0, abs=1e-8) and b == pytest.approx(1.0, abs=1e-8)


def test_backward_is_the_formula():
    # The material: delta = (y_hat - y)/m, grad_w = X^T delta, grad_b = sum(delta).
    X, _, _, _, _ = _data(m=10)
    delta = (np.arange(10.0) - 2.5) / 10
    gw, gb = backward(X, delta)
    by_hand = [sum(X[i, j] * delta[i] for i in range(10)) for j in range(X.shape[1])]
    np.testing.assert_allclose(gw, by_hand, rtol=1e-13)
    assert gb == pytest.approx(2.0, rel=1e-15)              # (45 - 25)/10


def test_the_pass_is_backward_of_the_mean_error_vector(kernel):
    X, w, b, y_lin, _ = _data(m=1000)
    J, gw, gb, _ = loss_grad(X, y_lin, w, b, SquaredError, block_rows=64)
    delta = (X @ w + b - y_lin) / 1000
    ref_w, ref_b = backward(X, delta)
    np.testing.assert_allclose(gw, ref_w, rtol=1e-12, atol=1e-14 * np.abs(ref_w).max())
    assert gb == pytest.approx(ref_b, rel=1e-12, abs=1e-14)


def test_float32_is_accumulated_in_float64():
    X, w, b, y_lin, _ = _data(m=500)
    X32 = X.astype(np.float32)
    J32, gw32, _, _ = loss_grad(X32, y_lin, w, b, SquaredError)
    J64, gw64, _, _ = loss_grad(X32.astype(np.float64), y_lin, w, b, SquaredError)
    assert gw32.dtype == np.float64
    np.testing.assert_allclose(gw32, gw64, rtol=1e-12)
    assert J32 == pytest.approx(J64, rel=1e-12)


def test_column_moments_match_numpy():
    X, *_ = _data(m=2003)
    mean, std = column_moments(X, block_rows=100)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(std, X.std(axis=0), rtol=1e-12)


def test_separation_certificate(kernel):
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    assert loss_grad(X, y, np.array([1.0]), 0.0, LogLoss)[3] is True
    assert loss_grad(X, y, np.array([-1.0]), 0.0, LogLoss)[3] is False
    assert loss_grad(X, y, np.array([1.0]), 0.0, SquaredError)[3] is False


def _numpy_reference(X, y, w, b, loss):
    # The plain, unblocked formula in float64: z = Xw + b, delta, X^T delta / m.
    X = np.asarray(X, dtype=np.float64)
    z = X @ w + b
    if loss is SquaredError:
        J, delta = 0.5 * np.mean((z - y) ** 2), z - y
    else:
        J = np.mean(np.logaddexp(0.0, z) - y * z)
        delta = 1.0 / (1.0 + np.exp(-z)) - y
    return J, X.T @ delta / len(y), delta.mean()


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_threaded_blocks_equal_numpy_float64(loss, n_threads, kernel):
    X, w, b, y_lin, y_bin = _data(m=5003)
    y = y_lin if loss is SquaredError else y_bin
    J, gw, gb, _ = loss_grad(X, y, w, b, loss, block_rows=97, n_threads=n_threads)   # 52 blocks
    rJ, rgw, rgb = _numpy_reference(X, y, w, b, loss)
    assert J == pytest.approx(rJ, rel=1e-12)
    np.testing.assert_allclose(gw, rgw, rtol=1e-12, atol=1e-12 * np.abs(rgw).max())
    assert gb == pytest.approx(rgb, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_threaded_float32_is_widened_exactly(loss, kernel):
    X, w, b, y_lin, y_bin = _data(m=5003)
    y = y_lin if loss is SquaredError else y_bin
    X32 = X.astype(np.float32)
    J, gw, gb, _ = loss_grad(X32, y, w, b, loss, block_rows=97, n_threads=2)
    # Exact against the float32 values in float64 arithmetic ...
    rJ, rgw, rgb = _numpy_reference(X32, y, w, b, loss)
    assert gw.dtype == np.float64
    assert J == pytest.approx(rJ, rel=1e-12)
    np.testing.assert_allclose(gw, rgw, rtol=1e-12, atol=1e-12 * np.abs(rgw).max())
    # ... and within float32 rounding of the float64 data.
    fJ, fgw, _ = _numpy_reference(X, y, w, b, loss)
    assert J == pytest.approx(fJ, rel=1e-5)
    np.testing.assert_allclose(gw, fgw, rtol=1e-4, atol=1e-5 * np.abs(fgw).max())


def test_thread_count_does_not_change_the_result(kernel):
    X, w, b, _, y_bin = _data(m=4001)
    one = loss_grad(X, y_bin, w, b, LogLoss, block_rows=50, n_threads=1)
    two = loss_grad(X, y_bin, w, b, LogLoss, block_rows=50, n_threads=2)
    assert one[0] == two[0] and one[2] == two[2] and one[3] == two[3]
    np.testing.assert_array_equal(one[1], two[1])


def test_default_pass_on_a_large_X_uses_threads_and_agrees():
    # 8 MiB and more go parallel by default; the result is that of one thread.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40_000, 30))                      # 9.6 MB, several blocks
    y = (rng.uniform(size=40_000) < 0.5).astype(float)
    w = rng.normal(size=30) * 0.1
    auto = loss_grad(X, y, w, 0.2, LogLoss)
    one = loss_grad(X, y, w, 0.2, LogLoss, n_threads=1)
    assert auto[0] == one[0]
    np.testing.assert_array_equal(auto[1], one[1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_fit_allocates_a_few_vectors_never_a_copy_of_X(dtype):
    import tracemalloc

    from descend import LogisticClassifier

    rng = np.random.default_rng(4)
    X = (rng.normal(size=(300_000, 50)) * np.linspace(0.1, 100, 50) + 5).astype(dtype)  # 120/60 MB
    y = (X[:, 0] + rng.normal(size=300_000) * 10 > 5).astype(float)
    # Compile (or load from numba's cache) the kernels for this dtype first: what that
    # allocates depends on which test ran before, not on the fit.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LogisticClassifier(max_iter=2, tol=0).fit(X[:1000], y[:1000])
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        model = LogisticClassifier(max_iter=5, tol=0).fit(X, y)
        extra = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert model.n_iter_ == 5
    # A few float64 vectors of length m (the 0/1 target, the curvature's zero target;
    # 2.25 measured) and cache-sized blocks, never a copy of X (25 or 50 such vectors).
    bound = 4 * X.shape[0] * 8 + 0.01 * X.nbytes
    assert extra <= bound, f"a fit allocated {extra / (8 * X.shape[0]):.2f} vectors of length m"


# -- the compiled kernel ------------------------------------------------------------

@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [3, 4])              # odd widths leave a SIMD remainder
def test_compiled_kernel_equals_numpy_blocks(loss, dtype, n, monkeypatch):
    pytest.importorskip("numba")
    X, w, b, y_lin, y_bin = _data(m=5003, n=n)
    X = X.astype(dtype)
    y = y_lin if loss is SquaredError else y_bin
    monkeypatch.setattr(gradient, "KERNEL", "numpy")
    J, gw, gb, sep = loss_grad(X, y, w, b, loss, block_rows=97, n_threads=2)
    monkeypatch.setattr(gradient, "KERNEL", "numba")
    cJ, cgw, cgb, csep = loss_grad(X, y, w, b, loss, block_rows=97, n_threads=2)
    assert cJ == pytest.approx(J, rel=1e-13)
    np.testing.assert_allclose(cgw, gw, rtol=1e-12, atol=1e-13 * np.abs(gw).max())
    assert cgb == pytest.approx(gb, rel=1e-12, abs=1e-15)
    assert csep is sep


@pytest.mark.parametrize("loss", [SquaredError, LogLoss])
def test_folding_the_plain_gradient_is_the_gradient_on_standardized_columns(loss, kernel):
    # A fit descends on z = ((X - mu)/s) v + c and folds the plain gradient once:
    # grad_v = (grad_w - mu grad_b)/s. The reference is the pass over the
    # standardized copy of X, at the same point (w = v/s, b = c - mu.w).
    X, _, _, y_lin, y_bin = _data(m=3001)
    y = y_lin if loss is SquaredError else y_bin
    mean, scale = X.mean(axis=0), X.std(axis=0)
    v, c = np.array([0.3, -0.2, 0.5, 0.1]), 0.2
    w, b = v / scale, c - mean @ (v / scale)
    J, gw, gb, _ = loss_grad(X, y, w, b, loss, block_rows=64)
    sJ, sgv, sgc, _ = loss_grad((X - mean) / scale, y, v, c, loss, block_rows=64)
    assert J == pytest.approx(sJ, rel=1e-12)
    np.testing.assert_allclose((gw - mean * gb) / scale, sgv, rtol=1e-10, atol=1e-12 * np.abs(sgv).max())
    assert gb == pytest.approx(sgc, rel=1e-10, abs=1e-14)


def test_log_loss_pass_is_exact_at_huge_scores(kernel):
    # |z| of 1e4: every term is 0 or |z| exactly, and delta is 0 or +-1.
    X = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    J, gw, gb, sep = loss_grad(X, y, np.array([1e4]), 0.0, LogLoss)
    assert J == 2e4 / 4 and gb == 0.0 and sep is False
    np.testing.assert_array_equal(gw, [(0.0 + 1.0 + 1.0 + 0.0) / 4])


def test_compiled_pass_allocates_little(monkeypatch):
    pytest.importorskip("numba")
    import tracemalloc

    monkeypatch.setattr(gradient, "KERNEL", "numba")
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200_000, 20)).astype(np.float32)                  # 16 MB
    y = (rng.uniform(size=200_000) < 0.5).astype(float)
    w = rng.normal(size=20) * 0.1
    loss_grad(X, y, w, 0.0, LogLoss)                                       # compiled first
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        loss_grad(X, y, w, 0.0, LogLoss, n_threads=2)
        extra = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert extra <= 0.01 * X.nbytes, f"the pass allocated {extra / X.nbytes:.4f} × the size of X"
