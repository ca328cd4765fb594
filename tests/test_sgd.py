"""Stochastic and mini-batch descent (solver="sgd") and partial_fit, against references
computed here: numpy's lstsq, scikit-learn's LogisticRegression, and losses written out."""

import json
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogistic

from descend import LinearRegression, LogisticClassifier
from descend.errors import DivergenceError
from descend.models import objective_of
from descend.persist import dumps, load, save
from descend.stochastic import Batches, batch_smoothness, largest_row_norm, rate
from descend.teach import datasets


# -- references -----------------------------------------------------------------------
def half_mse(X, y, w, b):
    r = X @ w + b - y
    return 0.5 * float(r @ r) / len(y)


def penalized_log_loss(X, y, w, b, alpha):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z)) + 0.5 * alpha * float(w @ w)


@pytest.fixture(scope="module")
def housing():
    data = datasets.load_housing()
    X, y = data.X, data.y
    A = np.column_stack([X, np.ones(len(y))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return X, y, half_mse(X, y, coef[:-1], coef[-1])


def _cancer(alpha):
    """The breast-cancer data standardized, with an L2 penalty ``alpha``, and its optimal
    loss from scikit-learn (C = 1 / (alpha m))."""
    data = datasets.load_breast_cancer()
    X = (data.X - data.X.mean(0)) / data.X.std(0)
    y = data.y.astype(float)
    sk = SkLogistic(C=1.0 / (alpha * len(y)), tol=1e-12, max_iter=10_000).fit(X, y)
    return X, y, alpha, penalized_log_loss(X, y, sk.coef_[0], sk.intercept_[0], alpha)


@pytest.fixture(scope="module")
def cancer():
    """With the penalty of the project's examples, datasets.CANCER_ALPHA = 1e-3."""
    return _cancer(datasets.CANCER_ALPHA)


@pytest.fixture(scope="module")
def cancer_wide_valley():
    """With alpha = 1e-2: better conditioned, so a stream of constant steps gets close."""
    return _cancer(1e-2)


# -- the optimum, within tol --------------------------------------------------------------
# The epochs each needs, as measured: housing 20 (1 row), 40 (32, 256 rows: 6e-5, 1.5e-4);
# cancer 600 (1 and 8 rows: 2.7e-4, 6.6e-4), 1000 (32 rows: 5.4e-4). The README quotes them.
@pytest.mark.parametrize("size, epochs", [(1, 40), (32, 40), (256, 40)])
def test_stochastic_and_mini_batches_with_averaging_reach_the_housing_optimum(housing, size,
                                                                              epochs):
    X, y, best = housing
    model = LinearRegression(solver="sgd", batch_size=size, average=True, max_iter=epochs,
                             tol=0.0).fit(X, y)
    gap = (half_mse(X, y, model.coef_, model.intercept_) - best) / best
    assert 0 <= gap < 1e-3
    assert model.history_["loss"][-1] == pytest.approx(half_mse(X, y, model.coef_,
                                                                model.intercept_), rel=1e-9)


@pytest.mark.parametrize("size", [1, 8, 32])
def test_stochastic_and_mini_batches_reach_the_penalized_cancer_optimum(cancer, size):
    X, y, alpha, best = cancer
    model = LogisticClassifier(solver="sgd", batch_size=size, average=True, max_iter=1000,
                               alpha=alpha, tol=0.0).fit(X, y)
    gap = (penalized_log_loss(X, y, model.coef_[0], model.intercept_[0], alpha) - best) / best
    assert 0 <= gap < 1e-3


def test_converged_is_a_promise_for_sgd_too(cancer):
    X, y, alpha, best = cancer
    model = LogisticClassifier(solver="sgd", batch_size=16, average=True, max_iter=1000,
                               alpha=alpha, tol=1e-3).fit(X, y)
    assert model.converged_ and model.n_iter_ < 1000           # certified, and stopped early
    J = penalized_log_loss(X, y, model.coef_[0], model.intercept_[0], alpha)
    assert J - best <= 1e-3 * J


def test_whole_set_batches_are_exactly_gd(housing):
    X, y, _ = housing
    for params in ({}, {"learning_rate": 0.3}):
        gd = LinearRegression(solver="gd", max_iter=40, **params).fit(X, y)
        for size in (None, len(y), 10 * len(y)):
            whole = LinearRegression(solver="sgd", batch_size=size, max_iter=40, **params).fit(X, y)
            np.testing.assert_array_equal(whole.coef_, gd.coef_)
            assert whole.intercept_ == gd.intercept_
            np.testing.assert_array_equal(whole.history_["batch_loss"], gd.history_["loss"][:-1])


def test_the_same_random_state_gives_bit_identical_weights(cancer):
    X, y, alpha, _ = cancer

    def fit(seed):
        return LogisticClassifier(solver="sgd", batch_size=8, max_iter=5, alpha=alpha,
                                  random_state=seed, tol=0.0).fit(X, y).coef_

    np.testing.assert_array_equal(fit(3), fit(3))
    np.testing.assert_array_equal(fit(None), fit(None))
    assert not np.array_equal(fit(3), fit(4))


def test_the_rows_are_not_touched_and_unshuffled_batches_follow_the_file(housing):
    X, y, _ = housing
    X0, y0 = X.copy(), y.copy()
    LinearRegression(solver="sgd", batch_size=64, max_iter=2).fit(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    batches = list(Batches(10, 4, shuffle=False).epoch())
    assert batches == [slice(0, 4), slice(4, 8), slice(8, 10)]     # views, no copy
    drawn = list(Batches(10, 4, rng=np.random.default_rng(0)).epoch())
    assert sorted(np.concatenate(drawn).tolist()) == list(range(10))


def test_history_records_every_batch_and_every_epoch(housing):
    X, y, _ = housing
    model = LinearRegression(solver="sgd", batch_size=1000, max_iter=3, tol=0.0).fit(X, y)
    per_epoch = -(-len(y) // 1000)
    h = model.history_
    assert h["loss"].size == model.n_iter_ + 1 == 4
    assert h["batch_loss"].size == h["batch_epoch"].size == 3 * per_epoch
    assert np.all(np.diff(h["batch_epoch"]) > 0) and h["batch_epoch"][-1] == pytest.approx(3.0)
    # the first batch's loss is measured at the start, on its own rows
    w0, b0 = np.zeros(X.shape[1]), y.mean()
    assert h["loss"][0] == pytest.approx(half_mse(X, y, w0, b0), rel=1e-12)


# -- the step ----------------------------------------------------------------------------
def test_batch_smoothness_runs_from_one_row_to_the_whole_set():
    assert batch_smoothness(2.0, 50.0, 100, 1) == pytest.approx(50.0)
    assert batch_smoothness(2.0, 50.0, 100, 100) == 2.0
    assert 2.0 < batch_smoothness(2.0, 50.0, 100, 10) < 50.0


def test_the_auto_step_comes_from_the_curvature_of_the_rows():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.normal(size=200)
    objective, _ = objective_of(LinearRegression(standardize=False), X, y)
    Z = np.column_stack([X, np.ones(200)])
    L = np.linalg.eigvalsh(Z.T @ Z / 200)[-1]
    L_max = np.max(np.sum(Z * Z, axis=1))
    assert largest_row_norm(X, np.zeros(3), np.ones(3)) == pytest.approx(L_max)
    assert objective.batch_lipschitz(1) == pytest.approx(L_max, rel=1e-3)
    expected = (200 * 9 * L + 190 * L_max) / (10 * 199)
    assert objective.batch_lipschitz(10) == pytest.approx(expected, rel=1e-3)


def test_the_schedules():
    assert rate("constant", 0.5, 7.3, 100) == 0.5
    assert rate("invscaling", 0.5, 3.0, 100) == pytest.approx(0.25)
    assert rate("step", 0.8, 9.9, 100) == 0.8 and rate("step", 0.8, 10.0, 100) == 0.4
    assert rate("step", 0.8, 25.0, 100) == pytest.approx(0.2)
    assert rate("auto", 0.5, 49.9, 100) == 0.5
    assert rate("auto", 0.5, 53.0, 100) == pytest.approx(0.25)


def test_a_rate_too_large_is_a_divergence_naming_the_stable_rate(housing):
    X, y, _ = housing
    with pytest.raises(DivergenceError, match=r"solver='sgd'.*1/L = .*expected curvature"):
        LinearRegression(solver="sgd", learning_rate=1.0, batch_size=32, max_iter=5).fit(X, y)


@pytest.mark.parametrize("params, words", [
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"batch_size": 2.5}, "batch_size must be a positive integer"),
    ({"schedule": "cosine"}, "schedule must be one of"),
    ({"average": "yes"}, "average must be True or False"),
    ({"shuffle": 1}, "shuffle must be True or False"),
])
def test_bad_sgd_parameters_are_named(params, words):
    with pytest.raises(ValueError, match=words):
        LinearRegression(solver="sgd", **params).fit(np.eye(3), np.arange(3.0))


def test_dask_input_with_sgd_is_refused_clearly():
    da = pytest.importorskip("dask.array")
    X = da.from_array(np.random.default_rng(0).normal(size=(100, 2)), chunks=50)
    with pytest.raises(ValueError, match="solver='sgd' reads batches of rows in memory.*partial_fit"):
        LinearRegression(solver="sgd").fit(X, X[:, 0])


def test_a_model_file_keeps_the_batches_thinned(housing, tmp_path):
    X, y, _ = housing
    model = LinearRegression(solver="sgd", batch_size=8, max_iter=2, tol=0.0).fit(X, y)
    doc = json.loads(dumps(model))
    assert len(doc["fit"]["batches"]["loss"]) == 2000 < model.history_["batch_loss"].size
    save(model, tmp_path / "m.json")
    back = load(tmp_path / "m.json")
    assert back.history_["batch_loss"].size == 2000
    assert back.history_["batch_epoch"][-1] == pytest.approx(2.0)
    assert back.get_params()["batch_size"] == 8 and back.solver_ == "sgd"
    streamed = LinearRegression().partial_fit(X[:500], y[:500])
    save(streamed, tmp_path / "s.json")
    again = load(tmp_path / "s.json")
    assert again.stop_reason_ == "partial_fit" and not again.converged_
    np.testing.assert_array_equal(again.coef_, streamed.coef_)


# -- partial_fit ---------------------------------------------------------------------------
@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
def test_chunks_in_order_are_one_epoch_of_sgd(housing, cancer, Model):
    if Model is LinearRegression:
        X, y, _ = housing
        rate_, params = 1e-9, {}                 # raw housing: a small step is the stable one
    else:
        X, y, alpha, _ = cancer
        rate_, params = 0.05, {"alpha": alpha}
    chunk, size = 160, 16
    m = len(y) // chunk * chunk
    X, y = X[:m], y[:m]
    streamed = Model(batch_size=size, learning_rate=rate_, standardize=False, **params)
    for start in range(0, m, chunk):
        streamed.partial_fit(X[start:start + chunk], y[start:start + chunk],
                             classes=[0.0, 1.0] if Model is LogisticClassifier else None)
    first = y[:chunk].mean()                      # where the stream starts: the first chunk's
    b0 = first if Model is LinearRegression else np.log(first / (1 - first))    # best constant
    epoch = Model(solver="sgd", batch_size=size, learning_rate=rate_, schedule="constant",
                  shuffle=False, standardize=False, max_iter=1, tol=0.0, **params)
    epoch.fit(X, y, coef_init=np.zeros(X.shape[1]), intercept_init=b0)
    np.testing.assert_allclose(streamed.coef_, epoch.coef_, rtol=1e-12, atol=0)
    np.testing.assert_allclose(streamed.intercept_, epoch.intercept_, rtol=1e-12)
    np.testing.assert_allclose(streamed.history_["batch_loss"], epoch.history_["batch_loss"],
                               rtol=1e-12)                 # the start's b may differ by an ulp
    assert streamed.n_iter_ == m // chunk and streamed.stop_reason_ == "partial_fit"


def test_a_stream_learns_the_cancer_model(cancer_wide_valley):
    X, y, alpha, best = cancer_wide_valley
    model = LogisticClassifier(alpha=alpha, batch_size=8)
    for _ in range(60):                      # 60 passes over chunks of 100 rows, in order
        for start in range(0, len(y), 100):
            model.partial_fit(X[start:start + 100], y[start:start + 100], classes=[0, 1])
    gap = (penalized_log_loss(X, y, model.coef_[0], model.intercept_[0], alpha) - best) / best
    assert gap < 2e-2                        # measured 8.2e-3: a constant step's noise ball


def test_a_stream_averages_its_iterates_from_the_second_chunk_on():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(400, 3)), rng.normal(size=400)
    plain, averaged = LinearRegression(batch_size=None), LinearRegression(batch_size=None,
                                                                          average=True)
    raw = []
    for start in range(0, 400, 100):          # one update per chunk
        plain.partial_fit(X[start:start + 100], y[start:start + 100])
        averaged.partial_fit(X[start:start + 100], y[start:start + 100])
        raw.append(plain.coef_.copy())
    np.testing.assert_allclose(averaged.coef_, np.mean(raw, axis=0), rtol=1e-12)


def test_partial_fit_after_fit_goes_on_from_the_fitted_weights(cancer):
    X, y, alpha, _ = cancer
    model = LogisticClassifier(alpha=alpha, solver="newton").fit(X, y)
    before, fitted = model.coef_.copy(), model.n_iter_
    model.partial_fit(X[:50], y[:50])
    assert np.max(np.abs(model.coef_ - before)) < 0.1      # a step from the optimum, not a restart
    assert model.n_iter_ == fitted + 1 == model.history_["loss"].size - 1


def test_partial_fit_keeps_the_first_chunk_s_standardization_and_step():
    rng = np.random.default_rng(1)
    X = rng.normal(5.0, 3.0, size=(300, 2))
    y = X @ [1.0, -2.0] + rng.normal(size=300)
    model = LinearRegression().partial_fit(X[:100], y[:100])
    mean, scale, step = model.x_mean_.copy(), model.x_scale_.copy(), model._stream.t0
    np.testing.assert_allclose(mean, X[:100].mean(0))
    model.partial_fit(X[100:], y[100:])
    np.testing.assert_array_equal(model.x_mean_, mean)
    np.testing.assert_array_equal(model.x_scale_, scale)
    assert model._stream.t0 <= step


def test_an_outlying_chunk_lowers_the_step_instead_of_diverging():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2000, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=2000)
    X[1500:] *= 20.0                                 # later rows far more spread out
    y[1500:] = X[1500:] @ [1.0, 2.0, 3.0]
    model = LinearRegression()
    steps = []
    for start in range(0, 2000, 500):
        model.partial_fit(X[start:start + 500], y[start:start + 500])
        steps.append(model._stream.t0)
    assert steps[-1] < steps[0] / 100 and np.all(np.isfinite(model.coef_))
    np.testing.assert_allclose(model.coef_, [1.0, 2.0, 3.0], atol=0.05)


def test_partial_fit_refuses_what_it_cannot_use():
    X, y = np.eye(4), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        LogisticClassifier().partial_fit(X, y)
    model = LogisticClassifier().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"y holds \[2\], not among classes=\[0, 1\]"):
        model.partial_fit(X, np.array([0, 2, 0, 1]))
    with pytest.raises(ValueError, match="differ from the classes of the earlier calls"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        model.partial_fit(X, y, sample_weight=-np.ones(4))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.partial_fit(np.full((4, 4), np.nan), y)
    with pytest.raises(DivergenceError, match="partial_fit diverged.*largest stable rate"):
        LinearRegression(learning_rate=50.0, batch_size=2).partial_fit(
            np.random.default_rng(0).normal(size=(40, 2)), np.arange(40.0))


def test_fit_starts_afresh_after_partial_fit():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(100, 2)), rng.normal(size=100)
    model = LinearRegression().partial_fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    assert model._stream is None and model.stop_reason_ == "converged"


def test_coef_init_starts_the_descent_there():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(50, 2)), rng.normal(size=50)
    model = LinearRegression(solver="gd", max_iter=1, learning_rate=0.1, standardize=False)
    model.fit(X, y, coef_init=[1.0, -1.0], intercept_init=2.0)
    assert model.history_["loss"][0] == pytest.approx(half_mse(X, y, np.array([1.0, -1.0]), 2.0))
    with pytest.raises(ValueError, match="coef_init must hold 2 finite numbers"):
        model.fit(X, y, coef_init=[1.0])
    with pytest.raises(ValueError, match="intercept_init must be one finite number"):
        model.fit(X, y, intercept_init=[1.0, 2.0])


# -- noise is not divergence ------------------------------------------------------------------
@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
def test_noise_near_the_optimum_is_not_called_a_divergence(Model):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(300, 5))                 # features that carry nothing
    y = rng.normal(size=300) if Model is LinearRegression else rng.integers(0, 2, 300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(5):
            Model(solver="sgd", random_state=seed, max_iter=30).fit(X, y)
        best = Model(solver="newton").fit(X, y)
        Model(solver="sgd", max_iter=5).fit(X, y, coef_init=best.coef_, intercept_init=best.intercept_)


def test_the_certificate_waits_for_the_loss_to_stop_falling(cancer):
    X, y, alpha, _ = cancer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticClassifier(solver="sgd", batch_size=8, max_iter=40, alpha=alpha,
                                   tol=1e-9).fit(X, y)
    gap = model.history_["gap"]
    fall = -np.diff(model.history_["loss"])
    needed = 1e-9 * model.history_["loss"][1:]
    assert np.all(np.isnan(gap[1:][fall > needed]))      # a large fall: no certificate spent
    assert np.all(np.isfinite(gap[1:][fall <= needed]))


def test_a_small_first_chunk_is_warned_about():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(50, 3)), rng.normal(size=50)
    with pytest.warns(UserWarning, match="the first chunk has 1 row, too few to measure"):
        LinearRegression().partial_fit(X[:1], y[:1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LinearRegression().partial_fit(X[:20], y[:20])
        LinearRegression(standardize=False).partial_fit(X[:1], y[:1])


def test_classes_naming_one_class_is_said_so():
    with pytest.raises(ValueError, match=r"classes=\[1\] names 1 class; pass every label"):
        LogisticClassifier().partial_fit(np.eye(2), [1, 1], classes=[1])


# -- the compiled epoch ---------------------------------------------------------------------
@pytest.mark.parametrize("case", ["linear", "linear-float32-huge-y", "logistic-penalized"])
def test_the_compiled_epoch_takes_the_same_steps_as_the_objective(case, monkeypatch):
    from descend import gradient

    rng = np.random.default_rng(9)
    X = rng.normal(2.0, 3.0, size=(500, 4))
    if case.startswith("linear"):
        Model, params = LinearRegression, {}
        y = X @ [1.0, -2.0, 0.5, 3.0] + rng.normal(size=500)
        if "float32" in case:
            X, y = X.astype(np.float32), y * 1e8        # the target fitted in units of 2^26
    else:
        Model, params = LogisticClassifier, {"alpha": 0.05}
        y = (X @ [1.0, -1.0, 0.5, 0.0] + rng.logistic(size=500) > 0).astype(int)

    def fit():
        return Model(solver="sgd", batch_size=7, max_iter=6, average=True, tol=0.0,
                     random_state=1, **params).fit(X, y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = fit()
        monkeypatch.setattr(gradient, "KERNEL", "numpy")      # each batch through the objective
        reference = fit()
    np.testing.assert_allclose(compiled.coef_, reference.coef_, rtol=1e-9)
    np.testing.assert_allclose(compiled.intercept_, reference.intercept_, rtol=1e-9)
    np.testing.assert_allclose(compiled.history_["batch_loss"], reference.history_["batch_loss"],
                               rtol=1e-9)
    np.testing.assert_array_equal(compiled.history_["batch_epoch"],
                                  reference.history_["batch_epoch"])


def test_a_stream_after_an_sgd_fit_goes_on_counting_and_saves(tmp_path):
    rng = np.random.default_rng(10)
    X, y = rng.normal(size=(300, 3)), rng.normal(size=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LinearRegression(solver="sgd", max_iter=3).fit(X, y)
    model.partial_fit(X[:100], y[:100])
    model.partial_fit(X[100:], y[100:])
    epochs = model.history_["batch_epoch"]
    assert model.n_iter_ == 5 and np.all(np.diff(epochs) > 0) and epochs[-1] == pytest.approx(5)
    save(model, tmp_path / "m.json")                 # batch epochs that never decrease
    assert load(tmp_path / "m.json").n_iter_ == 5
