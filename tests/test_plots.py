"""The figures draw what they claim: their data are checked against the models and references."""

import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.exceptions import ConvergenceWarning

from descend import DivergenceError, LinearRegression, LogisticClassifier, SeparationWarning, datasets, plots
from descend.tables.data import DataContainer

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    assert path.read_bytes()[:8] == PNG_MAGIC
    return path


def _line(ax, label_start):
    (line,) = [ln for ln in ax.get_lines() if str(ln.get_label()).startswith(label_start)]
    return line


def _lipschitz(X):
    """Reference L for half the MSE: the largest eigenvalue of [X, 1]^T [X, 1] / m."""
    A = np.column_stack([X, np.ones(len(X))])
    return float(np.linalg.eigvalsh(A.T @ A / len(X)).max())


@pytest.fixture(scope="module")
def line():
    return datasets.make_regression_line(n=30, seed=0)


@pytest.fixture(scope="module")
def plane():
    return datasets.make_regression_plane(n=60, seed=0)


# ---------------------------------------------------------------- the first figures
def test_loss_curve_draws_the_history(line, tmp_path):
    model = LinearRegression(solver="gd", max_iter=40, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(line.X, line.y)
    fig = plots.loss_curve(model)
    (drawn,) = fig.axes[0].get_lines()
    np.testing.assert_array_equal(drawn.get_xdata(), np.arange(model.n_iter_ + 1))
    np.testing.assert_array_equal(drawn.get_ydata(), model.history_["loss"])

    J_star = model.history_["loss"][-1] * (1 - 1e-12)
    ax = plots.loss_curve(model.history_, optimum=J_star).axes[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), model.history_["loss"] - J_star)
    assert ax.get_yscale() == "log"
    _png(fig, tmp_path, "loss_curve")


def test_predicted_vs_actual_scatters_the_inputs(tmp_path):
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=50)
    y_pred = y_true + rng.normal(scale=0.1, size=50)
    fig = plots.predicted_vs_actual(y_true, y_pred)
    main, residuals = fig.axes
    np.testing.assert_array_equal(main.collections[0].get_offsets(), np.column_stack([y_true, y_pred]))
    np.testing.assert_allclose(residuals.collections[0].get_offsets(),
                               np.column_stack([y_pred, y_true - y_pred]))
    _png(fig, tmp_path, "predicted_vs_actual")


def test_probability_histogram_counts_each_class(tmp_path):
    y = np.array(["no"] * 30 + ["yes"] * 20)
    proba = np.linspace(0.01, 0.99, 50)
    fig = plots.probability_histogram(y, proba, ["no", "yes"])
    bars = fig.axes[0].containers
    for container, cls in zip(bars, ["no", "yes"]):
        heights = [patch.get_height() for patch in container]
        expected, _ = np.histogram(proba[y == cls], bins=np.linspace(0, 1, 26))
        np.testing.assert_array_equal(heights, expected)
    _png(fig, tmp_path, "probability_histogram")


def _drawn(fig):
    """Lay the figure out and draw it (Agg, no display), so tick labels and extents are final."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _tick_labels(ax, axis="x"):
    ticks = getattr(ax, f"get_{axis}ticklabels")
    return [t for t in ticks() + ticks(minor=True) if t.get_text() and t.get_visible()]


def test_loss_curve_counts_iterations_in_whole_numbers_under_its_title():
    history = {"loss": [4.0, 2.0, 1.5, 1.4]}       # 0..3: matplotlib alone would tick 0.5, 1.5, ...
    title = "houses.csv: LinearRegression, loss per iteration (newton)"
    fig = plots.loss_curve(history, title=title)
    ax = fig.axes[0]
    _drawn(fig)
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    assert ax.get_title() == title
    assert plots.loss_curve(history, title=None).axes[0].get_title() == ""


def _assert_plain_log_labels(ax):
    """Every y tick label is a plain number equal to its tick, none in 5.5×10⁻¹ form."""
    labels = _tick_labels(ax, "y")
    assert labels
    for label in labels:
        text = label.get_text()
        assert "×" not in text and "times" not in text and "$" not in text, text
        assert float(text.replace("\u2212", "-")) == pytest.approx(label.get_position()[1], rel=1e-3)


def test_log_axes_read_as_plain_numbers(line):
    model = LinearRegression(solver="gd", max_iter=40, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(line.X, line.y)
    J_star = model.history_["loss"][-1] * (1 - 1e-9)
    wide = plots.loss_curve(model, optimum=J_star)                      # many decades
    narrow = plots.loss_curve({"loss": [0.69, 0.5, 0.4, 0.3, 0.25]}, log=True)   # under one decade
    small = plots.loss_curve({"loss": [3e-4, 2e-4, 1.5e-4]}, log=True)           # 0.0003 as 3e-4
    blobs = datasets.make_blobs(n=80, separation=2.5, seed=0)
    rates = plots.learning_rates(blobs.X, blobs.y, model=LogisticClassifier(standardize=False),
                                 max_iter=60)
    for fig in (wide, narrow, small, rates):
        _drawn(fig)
        assert fig.axes[0].get_yscale() == "log"
        _assert_plain_log_labels(fig.axes[0])
    minor = [t.get_text() for t in narrow.axes[0].get_yticklabels(minor=True) if t.get_text()]
    assert "0.3" in minor                                               # labelled, and plainly
    assert "3e-4" in [t.get_text() for t in small.axes[0].get_yticklabels(minor=True)]


@pytest.fixture(scope="module")
def housing_fit():
    """The demo's figure: housing, fitted on 80 %, predicted on the held-out 20 %."""
    data = datasets.load_housing()
    train, test = data.train_test_split(0.8, seed=0)
    model = LinearRegression(random_state=0).fit(train.X, train.y)
    return test.y, model.predict(test.X)


def test_fit_figure_axes_are_about_the_data_and_its_labels_do_not_collide(housing_fit, tmp_path):
    y_true, y_pred = housing_fit
    fig = plots.predicted_vs_actual(y_true, y_pred)
    renderer = _drawn(fig)
    main, residuals = fig.axes
    span = np.ptp(y_true)
    # The actual axis spans the actual values, not the one prediction of -860 k.
    x0, x1 = main.get_xlim()
    assert y_true.min() - 0.1 * span < x0 <= y_true.min() and y_true.max() <= x1 < y_true.max() + 0.1 * span
    assert main.get_ylim()[0] > y_true.min() - 0.6 * span and y_pred.min() < y_true.min() - span
    far = y_pred < y_true.min() - span / 2                          # drawn on the edge, and counted
    assert f"{far.sum()} off the scale" in " ".join(t.get_text() for t in main.get_legend().get_texts())
    for ax in (main, residuals):
        for axis in "xy":
            boxes = sorted((t.get_window_extent(renderer) for t in _tick_labels(ax, axis)),
                           key=lambda box: (box.x0, box.y0))
            assert len(boxes) >= 3
            for a, b in zip(boxes, boxes[1:]):
                assert not a.overlaps(b), (ax.get_title(), axis, a, b)
    _png(fig, tmp_path, "housing_fit")


def test_a_few_points_get_large_dark_edged_markers():
    from matplotlib.colors import to_rgba

    rng = np.random.default_rng(0)
    y_true = rng.uniform(1e5, 5e5, 11)
    fig = plots.predicted_vs_actual(y_true, y_true + rng.normal(0, 3e4, 11))
    few = fig.axes[0].collections[0]
    many = plots.predicted_vs_actual(np.arange(5000.0), np.arange(5000.0)).axes[0].collections[0]
    assert few.get_sizes()[0] >= 30 and few.get_alpha() >= 0.8
    assert many.get_sizes()[0] < few.get_sizes()[0] and many.get_alpha() < few.get_alpha()

    def luminance(colour):
        r, g, b, _ = to_rgba(colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert luminance(few.get_edgecolor()[0]) < 0.6 * luminance(few.get_facecolor()[0])
    assert np.all(few.get_linewidths() >= 0.5)


# ---------------------------------------------------------------- loss surface
def test_loss_surface_path_runs_from_start_to_fit(line, tmp_path):
    model = LinearRegression(solver="gd", standardize=False, tol=1e-3, max_iter=5000)
    fig = plots.loss_surface(line.X, line.y, model=model, grid=25)
    path = fig.descend_path
    assert model.converged_ and path.shape == (model.n_iter_ + 1, 2)
    np.testing.assert_array_equal(path[0], [0.0, line.y.mean()])      # the model starts at (0, mean y)
    np.testing.assert_array_equal(path[-1], [model.coef_[0], model.intercept_])
    ax = fig.axes[0]
    drawn = _line(ax, "descent")
    np.testing.assert_array_equal(np.column_stack(drawn.get_data()), path)
    assert drawn.get_marker() == "o"
    # The optimum is marked where least squares puts it, and the grid covers it and the path.
    w_ls, b_ls = np.polyfit(line.X[:, 0], line.y, 1)
    np.testing.assert_allclose(np.ravel(_line(ax, "optimum").get_data()), [w_ls, b_ls], rtol=1e-6)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < min(path[:, 0].min(), w_ls) and max(path[:, 0].max(), w_ls) < x1
    assert y0 < min(path[:, 1].min(), b_ls) and max(path[:, 1].max(), b_ls) < y1
    assert f"{model.n_iter_} iterations" in ax.get_title()
    _png(fig, tmp_path, "loss_surface_contour")


def test_loss_surface_heights_are_the_models_loss(tmp_path):
    # Logistic with a penalty and string labels: the 3-D path lies on J, so its
    # heights are history_["loss"], penalty included, recomputed from the library's losses.
    data = datasets.make_blobs(n=80, separation=2.5, seed=1)
    labels = np.where(data.y == 1, "yes", "no")
    model = LogisticClassifier(solver="gd", standardize=False, alpha=0.05, max_iter=2000)
    fig = plots.loss_surface(data.X[:, :1], labels, model=model, view="both", grid=20)
    flat, surface = fig.axes[0], next(ax for ax in fig.axes if ax.name == "3d")
    path = fig.descend_path
    assert path.shape == (model.n_iter_ + 1, 2)
    np.testing.assert_array_equal(path[0], [0.0, 0.0])                 # balanced classes: logit(1/2) = 0
    np.testing.assert_array_equal(path[-1], [model.coef_[0, 0], model.intercept_[0]])
    xs, ys, zs = _line(surface, "descent").get_data_3d()
    np.testing.assert_array_equal(np.column_stack([xs, ys]), path)
    np.testing.assert_allclose(zs, model.history_["loss"], rtol=1e-12)
    assert "log-loss" in fig.get_suptitle() and flat.name != "3d"
    _png(fig, tmp_path, "loss_surface_both")


def test_loss_surface_keeps_the_users_callback(line):
    seen = []
    model = LinearRegression(solver="nesterov", standardize=False, callback=seen.append)
    fig = plots.loss_surface(line.X[:, 0], line.y, model=model, grid=10)
    assert model.callback == seen.append and len(seen) == model.n_iter_
    np.testing.assert_array_equal(fig.descend_path[1:, 0], [step.coef[0] for step in seen])


def test_loss_surface_stops_the_path_where_descent_diverged(line):
    rate = 2.2 / _lipschitz(line.X)
    model = LinearRegression(solver="gd", standardize=False, learning_rate=rate)
    fig = plots.loss_surface(line.X, line.y, model=model, grid=10)
    k = int(re.search(r"diverged at iteration (\d+)", fig.axes[0].get_title()).group(1))
    assert fig.descend_path.shape == (k, 2)                            # the start and k - 1 iterates
    with pytest.raises(DivergenceError, match=f"at iteration {k}[. ]"):
        LinearRegression(solver="gd", standardize=False, learning_rate=rate).fit(line.X, line.y)


def test_loss_surface_rejects_what_it_cannot_draw(line, plane):
    with pytest.raises(ValueError, match="one feature"):
        plots.loss_surface(plane.X, plane.y)
    with pytest.raises(ValueError, match="view must be one of"):
        plots.loss_surface(line.X, line.y, view="top")
    ax = Figure().subplots()
    with pytest.raises(ValueError, match="two panels"):
        plots.loss_surface(line.X, line.y, ax=ax, view="both")
    with pytest.raises(ValueError, match="3-D"):
        plots.loss_surface(line.X, line.y, ax=ax, view="3d")


# ---------------------------------------------------------------- learning rates
def test_learning_rates_curves_are_the_descents(plane, tmp_path):
    L = _lipschitz(plane.X)
    rates = [0.05 / L, 1.0 / L, 2.2 / L]
    model = LinearRegression(standardize=False)
    fig = plots.learning_rates(plane.X, plane.y, rates, model=model, max_iter=60)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    small, good, large = (_line(ax, f"α = {rate:.3g}") for rate in rates)
    for drawn, rate in ((small, rates[0]), (good, rates[1])):
        reference = LinearRegression(solver="gd", standardize=False, learning_rate=rate, max_iter=60)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference.fit(plane.X, plane.y)
        np.testing.assert_array_equal(drawn.get_ydata(), reference.history_["loss"])
    assert good.get_ydata()[-1] < small.get_ydata()[-1]

    k = int(re.search(r"diverged at iteration (\d+)", large.get_label()).group(1))
    loss = large.get_ydata()
    assert k > 1 and loss.size == k + 1 and np.isfinite(loss).all()    # start + k iterates
    np.testing.assert_array_equal(large.get_xdata(), np.arange(k + 1))
    assert loss[-1] > loss[-2]                                           # ends where the loss rose
    fixed = dict(solver="gd", standardize=False, learning_rate=rates[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LinearRegression(max_iter=k - 1, **fixed).fit(plane.X, plane.y)   # no error before iteration k
    with pytest.raises(DivergenceError, match=f"at iteration {k}[. ]"):
        LinearRegression(max_iter=k, **fixed).fit(plane.X, plane.y)
    _png(fig, tmp_path, "learning_rates")


def test_learning_rates_default_to_multiples_of_1_over_L(plane):
    fig = plots.learning_rates(plane.X, plane.y, model=LinearRegression(standardize=False), max_iter=30)
    ax = fig.axes[0]
    L_drawn = float(re.search(r"L = ([\d.e+-]+),", ax.get_title()).group(1))
    assert L_drawn == pytest.approx(_lipschitz(plane.X), rel=1e-3)
    labels = [line.get_label() for line in ax.get_lines() if line.get_label().startswith("α")]
    assert [label.split(" = ")[2].split("/")[0] for label in labels] == ["0.05", "1", "2.2"]


def test_learning_rates_logistic_starts_at_log_2():
    data = datasets.make_blobs(n=80, separation=2.5, seed=0)
    fig = plots.learning_rates(data.X, data.y, model="logistic", max_iter=20)
    curves = [line for line in fig.axes[0].get_lines() if line.get_label().startswith("α")]
    assert len(curves) == 3
    for line in curves:                                     # w = 0, b = logit(1/2): J = log 2
        assert line.get_ydata()[0] == pytest.approx(np.log(2.0), rel=1e-12)


def test_logistic_learning_rates_each_curve_does_what_its_label_says():
    # The CLI's figure: unstandardized blobs. For the log-loss L is a worst-case bound,
    # so 2.2/L converges here; the too-large rate is found among multiples of 1/L.
    blobs = datasets.make_blobs(n=80, separation=2.5, seed=0)
    fig = plots.learning_rates(blobs.X, blobs.y, model=LogisticClassifier(standardize=False))
    ax = fig.axes[0]
    curves = {role: line for line in ax.get_lines() for role in ("too small", "good", "too large")
              if f", {role}" in str(line.get_label())}
    assert set(curves) == {"too small", "good", "too large"}
    small, good, large = (curves[role].get_ydata() for role in ("too small", "good", "too large"))
    assert large[-1] > large[0] or large[-1] - large.min() > 0.25 * (large[0] - large.min())
    assert good[-1] < small[-1] and good[-1] < large[-1] and good[-1] < 0.5 * good[0]
    assert "diverged at iteration" in curves["too large"].get_label()
    multiple = float(re.search(r"= ([\d.]+)/L, too large", curves["too large"].get_label()).group(1))
    assert multiple > 2.2                                   # 2.2/L did not diverge on the log-loss
    title = ax.get_title()
    assert "log-loss" in title and "worst case" in title and f"{multiple:g}/L is the first" in title
    calm = float(re.search(r"([\d.]+)/L does not diverge here", title).group(1))
    assert 2 < calm < multiple
    L = float(re.search(r"L = ([\d.e+-]+) bounds", title).group(1))
    fixed = dict(solver="gd", standardize=False, max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LogisticClassifier(learning_rate=calm / L, **fixed).fit(blobs.X, blobs.y)   # no error
    with pytest.raises(DivergenceError):
        LogisticClassifier(learning_rate=multiple / L, **fixed).fit(blobs.X, blobs.y)


def test_linear_learning_rates_say_2_over_L_is_exact(plane):
    fig = plots.learning_rates(plane.X, plane.y, model=LinearRegression(standardize=False), max_iter=60)
    ax = fig.axes[0]
    assert "squared error" in ax.get_title() and "exactly below 2/L" in ax.get_title()
    (large,) = [line for line in ax.get_lines() if ", too large" in str(line.get_label())]
    assert "= 2.2/L, too large: diverged" in large.get_label()


# ---------------------------------------------------------------- decision boundaries
def test_decision_boundaries_titles_hold_the_scores(tmp_path):
    fig = plots.decision_boundaries(seed=0)
    panels = [ax for ax in fig.axes if ax.get_title()]
    titles = {ax.get_title().split("\n")[0]: ax.get_title() for ax in panels}
    assert list(titles) == ["blobs, far apart", "blobs, overlapping", "moons", "circles", "xor"]
    toy = {
        "blobs, far apart": datasets.make_blobs(separation=6.0, seed=0),
        "blobs, overlapping": datasets.make_blobs(separation=2.5, seed=0),
        "moons": datasets.make_moons(seed=0),
        "circles": datasets.make_circles(seed=0),
        "xor": datasets.make_xor(seed=0),
    }
    accuracy = {}
    for name, data in toy.items():
        train, test = data.train_test_split(0.7, seed=0, stratify=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeparationWarning)
            model = LogisticClassifier(random_state=0).fit(train.X, train.y)
        shown = re.search(r"train ([\d.]+), test ([\d.]+)", titles[name]).groups()
        accuracy[name] = model.score(train.X, train.y), model.score(test.X, test.y)
        np.testing.assert_allclose([float(v) for v in shown], accuracy[name], atol=5e-4)
    assert accuracy["blobs, far apart"] == (1.0, 1.0) and "separable" in titles["blobs, far apart"]
    assert all("separable" not in titles[name] for name in ("moons", "circles", "xor"))
    for name in ("circles", "xor"):
        assert max(accuracy[name]) < 0.75
    assert min(accuracy["moons"]) > 0.8
    for ax in panels:                                       # the 0.5 contour is drawn in each panel
        assert any(getattr(c, "levels", None) is not None and list(c.levels) == [0.5]
                   for c in ax.collections + ax.get_children())
    _png(fig, tmp_path, "decision_boundaries")


def test_decision_boundaries_take_given_data_and_axes():
    data = datasets.make_blobs(n=60, separation=3.0, seed=2)
    axes = Figure().subplots(1, 2)
    fig = plots.decision_boundaries({"a": data, "b": (data.X, data.y)}, alpha=0.1, axes=axes)
    assert fig is axes[0].figure and axes[0].get_title() and axes[1].get_title()
    with pytest.raises(ValueError, match="3 features"):
        plots.decision_boundaries({"wide": DataContainer(np.zeros((4, 3)), [0, 1, 0, 1])})


# ---------------------------------------------------------------- sigmoid
def test_sigmoid_figure_values_at_zero(tmp_path):
    fig = plots.sigmoid_figure()
    sigma, slope = fig.axes[0].get_lines()[:2]
    z = sigma.get_xdata()
    assert z[0] == -8.0 and z[-1] == 8.0
    at_zero = np.flatnonzero(z == 0.0)
    assert at_zero.size == 1
    assert sigma.get_ydata()[at_zero[0]] == 0.5 and slope.get_ydata()[at_zero[0]] == 0.25
    s = sigma.get_ydata()
    np.testing.assert_allclose(slope.get_ydata(), s * (1 - s), rtol=1e-12)
    assert slope.get_ydata().max() == 0.25                  # the largest slope is at z = 0
    _png(fig, tmp_path, "sigmoid")


def test_figures_need_neither_display_nor_pyplot():
    code = ("import sys; import descend.teach.plots as p; assert 'matplotlib' not in sys.modules; "
            "p.sigmoid_figure(); assert 'matplotlib.pyplot' not in sys.modules")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_solver_paths_share_a_start_and_newton_ends_at_the_reference(model):
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 1.0, 200)
    y = 1.5 * x - 2.0 + rng.normal(0, 1, 200)
    if model == "logistic":
        y = (y > 0).astype(int)
    fig = plots.solver_paths(x, y, model=model, max_iter=40)
    paths = fig.descend_paths
    assert set(paths) == {"gd", "nesterov", "lbfgs", "newton"}
    starts = np.array([path[0] for path in paths.values()])
    assert np.all(starts == starts[0])
    A = sm.add_constant(x)
    ref = (sm.OLS(y, A) if model == "linear" else sm.Logit(y, A)).fit(
        **({} if model == "linear" else {"disp": 0, "tol": 1e-12}))
    b, w = ref.params
    np.testing.assert_allclose(paths["newton"][-1], [w, b], rtol=1e-7)
    if model == "linear":                       # a parabola: the first step lands on it
        np.testing.assert_allclose(paths["newton"][1], [w, b], rtol=1e-9)
    assert len(paths["newton"]) < len(paths["lbfgs"]) <= len(paths["gd"])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(t.startswith("newton: ") for t in legend)
