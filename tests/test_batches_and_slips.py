"""The teaching side of stochastic descent: the slips of a from-scratch loop, caught by
the gradient check, and the figures of batch sizes, checked against formulas written here."""

import warnings

import numpy as np
import pytest

from descend import LinearRegression
from descend.teach import plots
from descend.teach.batches import batches_table
from descend.teach.datasets import make_blobs, make_regression_plane
from descend.teach.slips import SLIPS, looped_gradient, slips, slips_figure, step


@pytest.fixture(scope="module")
def blobs():
    data = make_blobs(40, separation=1.5, seed=1)
    return data.X + 1.0, data.y.astype(float)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_the_right_loop_is_the_vectorized_gradient(blobs):
    X, y = blobs
    w, b = np.array([0.4, -0.3]), 0.2
    a = sigmoid(X @ w + b)
    J, dw, db = looped_gradient(X, y, w, b)
    np.testing.assert_allclose(dw, X.T @ (a - y) / len(y), rtol=1e-12)
    assert db == pytest.approx(np.mean(a - y), rel=1e-12)
    assert J == pytest.approx(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)), rel=1e-12)


def test_each_slip_computes_what_its_line_says(blobs):
    X, y = blobs
    m = len(y)
    w, b = np.array([0.4, -0.3]), 0.2
    a = sigmoid(X @ w + b)
    _, dw, db = looped_gradient(X, y, w, b, "no-1/m")
    np.testing.assert_allclose(dw, X.T @ (a - y), rtol=1e-12)           # m times too large
    _, dw, db = looped_gradient(X, y, w, b, "accumulated-dz")
    carried = np.cumsum(a - y)                                           # dz_i = sum of errors so far
    np.testing.assert_allclose(dw, X.T @ carried / m, rtol=1e-12)
    assert db == pytest.approx(carried.sum() / m, rel=1e-12)
    w1, b1, _, used = step(X, y, w, b, 0.1, "bias")
    assert used == b and b1 == pytest.approx(0.9 * b)                    # b stepped by itself


def test_the_gradient_check_catches_every_slip_and_only_the_slips(blobs):
    report = slips(*blobs, n_iter=60)
    checks = {run.name: run.check for run in report.runs}
    assert set(checks) == set(SLIPS)
    assert checks["right"] < 1e-6
    assert all(checks[name] > 0.5 for name in SLIPS if name != "right")
    right = report.runs[0]
    assert all(run.final_gap > 3 * right.final_gap for run in report.runs[1:])
    text = str(report)
    assert "dz += a - y" in text and "J* =" in text


def test_the_slips_figure_draws_each_slip_beside_the_right_update(blobs):
    report = slips(*blobs, n_iter=30)
    fig = slips_figure(report)
    assert len(fig.axes) == 3
    for ax, run in zip(fig.axes, report.runs[1:]):
        drawn = [line.get_ydata() for line in ax.get_lines()]
        np.testing.assert_array_equal(drawn[0], report.runs[0].loss)
        np.testing.assert_array_equal(drawn[1], run.loss)


def test_batch_paths_glide_wander_and_settle():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = plots.batch_paths(epochs=12, seed=0)
    paths = fig.descend_paths
    whole, one = paths["whole set (gd)"], paths["stochastic (1 row)"]
    assert whole.shape == (13, 2) and one.shape == (12 * 100 + 1, 2)
    np.testing.assert_array_equal(whole[0], one[0])                       # the same start
    drawn = fig.axes[0].get_lines()
    np.testing.assert_array_equal(drawn[2].get_xdata(), one[:, 0])        # the path drawn is the walk
    tail = 300
    optimum = paths["whole set (gd)"][-1]          # gd on a round bowl lands on the optimum
    spread = np.mean(np.linalg.norm(one[-tail:] - optimum, axis=1))
    settled = np.mean(np.linalg.norm(paths["decayed"][-tail:] - optimum, axis=1))
    assert settled < 0.8 * spread                                         # the ball shrinks


def test_batch_losses_are_the_estimators_histories():
    data = make_regression_plane(200, seed=2)
    fig = plots.batch_losses(data.X, data.y, batch_sizes=(None, 10), epochs=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = LinearRegression(solver="newton", tol=1e-12).fit(data.X, data.y)
        gd = LinearRegression(solver="gd", max_iter=4, tol=0.0).fit(data.X, data.y)
    drawn = fig.axes[0].get_lines()[0].get_ydata()
    np.testing.assert_allclose(drawn, gd.history_["loss"] - ref.history_["loss"][-1], rtol=1e-9)


def test_the_loss_curve_of_a_stochastic_fit_shows_its_batches():
    data = make_regression_plane(200, seed=3)
    model = LinearRegression(solver="sgd", batch_size=20, max_iter=5).fit(data.X, data.y)
    fig = plots.loss_curve(model)
    batch_line, epoch_line = fig.axes[0].get_lines()
    np.testing.assert_array_equal(batch_line.get_xdata(), model.history_["batch_epoch"])
    np.testing.assert_array_equal(epoch_line.get_ydata(), model.history_["loss"])
    assert "epoch" in fig.axes[0].get_xlabel()


def test_the_batches_table_in_numbers():
    data = make_regression_plane(300, seed=4)
    text = batches_table(data.X, data.y, batch_sizes=(None, 30, 1), epochs=(1, 2))
    assert "mini-batch (30 rows)" in text and "stochastic (1 row)" in text
    assert "after 2 epochs" in text
