"""Fitting on Dask: the same answers as in memory, on a LocalCluster of 2 workers."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from descend import (  # noqa: E402
    DataContainer,
    DataError,
    DescendError,
    LinearRegression,
    LogisticClassifier,
)
from descend.dask import cluster  # noqa: E402

ESTIMATORS = [LinearRegression, LogisticClassifier]
SOLVERS = ["lbfgs", "gd", "nesterov", "newton"]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", memory_limit="1GiB") as lc, \
            distributed.Client(lc) as c:
        yield c


def _data(m=6000, seed=0, dtype=np.float64):
    """Unscaled, correlated features (so standardization matters) and both targets."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(m, 4))
    Z[:, 1] += 0.8 * Z[:, 0]
    X = (Z * [1.0, 30.0, 0.01, 5.0] + [0.0, 100.0, -3.0, 7.0]).astype(dtype)
    y = Z @ [1.0, -2.0, 0.5, 1.5] + 0.3 * rng.normal(size=m)
    labels = (Z @ [1.0, -1.0, 0.5, 0.8] + rng.normal(size=m) > 0).astype(float)
    return X, y, labels


def _target(est, y, labels):
    return y if est is LinearRegression else labels


def _fit_quiet(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _rel(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _same_fit(a, b, tol=1e-8):
    # Newton's stopping tests (the refinement reaching rounding, the certified gap
    # reaching tol) sit at the last digits. Those move with the order of summation, which
    # differs between chunks and blocks, and even between two runs of the same Dask fit
    # (measured: one fit on a parquet split, repeated four times, refined in 2, 3 and 5
    # steps, its losses differing in the last bits from the first step on). So a refined
    # fit is the same fit when it reaches the same weights and stops for the same reason;
    # every other path is step for step.
    if "newton" not in a.solver_:
        assert a.n_iter_ == b.n_iter_
    assert a.stop_reason_ == b.stop_reason_
    assert _rel(a.coef_, b.coef_) < tol
    assert abs(np.ravel(a.intercept_)[0] - np.ravel(b.intercept_)[0]) < tol * (
        1 + abs(np.ravel(b.intercept_)[0]))
    k = min(a.n_iter_, b.n_iter_) + 1
    np.testing.assert_allclose(a.history_["loss"][:k], b.history_["loss"][:k], rtol=1e-10)
    np.testing.assert_allclose(a.x_scale_, b.x_scale_, rtol=1e-12)


# ------------------------------------------------------------ same answers
@pytest.mark.parametrize("est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_dask_fit_equals_in_memory(client, est, solver):
    X, y, labels = _data()
    t = _target(est, y, labels)
    kw = dict(solver=solver, max_iter=40)
    ref = _fit_quiet(est(**kw), X, t)
    # Uneven row chunks, split columns: the fit must not depend on the chunking.
    Xd = da.from_array(X, chunks=((1000, 2500, 700, 1800), (2, 2)))
    yd = da.from_array(t, chunks=((1000, 2500, 700, 1800),))
    got = _fit_quiet(est(**kw), Xd, yd)
    _same_fit(got, ref)


@pytest.mark.parametrize("scale", [1e-30, 1e30])
def test_dask_linear_fit_at_any_scale_of_y(client, scale):
    X, y, _ = _data()
    ref = LinearRegression().fit(X, y * scale)
    got = LinearRegression().fit(da.from_array(X, chunks=(1500, 4)),
                                 da.from_array(y * scale, chunks=1500))
    _same_fit(got, ref)
    assert ref.converged_ and ref.n_iter_ > 0


@pytest.mark.parametrize("est", ESTIMATORS)
def test_dask_fit_with_penalty_and_float32(client, est):
    X, y, labels = _data(dtype=np.float32)
    t = _target(est, y, labels)
    ref = est(alpha=0.01).fit(X, t)
    Xd = da.from_array(X, chunks=(1500, 4))
    assert Xd.dtype == np.float32
    got = est(alpha=0.01).fit(Xd, da.from_array(t, chunks=1500))
    _same_fit(got, ref)


@pytest.mark.parametrize("one_pass_hessian", [True, False])
def test_automatic_step_costs_one_pass_not_one_per_product(client, monkeypatch,
                                                           one_pass_hessian):
    if not one_pass_hessian:
        monkeypatch.setattr(cluster, "HESSIAN_MAX", 0)        # a pass per product instead
    passes = []
    original = cluster.DaskRows.compute

    def counted(self, graph, what):
        passes.append(what)
        return original(self, graph, what)

    monkeypatch.setattr(cluster.DaskRows, "compute", counted)
    X, _, labels = _data()
    ref = _fit_quiet(LogisticClassifier(solver="gd", max_iter=5), X, labels)
    got = _fit_quiet(LogisticClassifier(solver="gd", max_iter=5),
                     da.from_array(X, chunks=(1500, 4)), da.from_array(labels, chunks=1500))
    _same_fit(got, ref)
    evaluations = passes.count("a pass over the data")
    if one_pass_hessian:
        assert passes.count("a pass for the curvature") == 1
        assert evaluations <= 2 * got.n_iter_ + 1          # the descent's own passes only
    else:
        assert evaluations > 2 * got.n_iter_ + 1


def test_dask_linear_matches_lstsq(client):
    X, y, _ = _data()
    A = np.column_stack([X, np.ones(len(y))])
    sol, *_ = np.linalg.lstsq(A, y, rcond=None)
    got = LinearRegression(tol=1e-10).fit(da.from_array(X, chunks=(2000, 4)),
                                          da.from_array(y, chunks=2000))
    assert _rel(got.coef_, sol[:-1]) < 1e-7
    assert abs(got.intercept_ - sol[-1]) < 1e-6 * (1 + abs(sol[-1]))


def test_data_fitting_in_memory_is_persisted_once_and_larger_is_streamed(client, monkeypatch):
    X, y, _ = _data()
    Xd, yd = da.from_array(X, chunks=(2000, 4)), da.from_array(y, chunks=2000)
    rows = cluster.DaskRows.prepare(Xd, yd, "test", classify=False)
    assert rows.persisted
    monkeypatch.setattr(cluster, "PERSIST_SHARE", 1e-9)     # "larger than memory"
    streamed = cluster.DaskRows.prepare(Xd, yd, "test", classify=False)
    assert not streamed.persisted
    ref = LinearRegression().fit(X, y)
    _same_fit(LinearRegression().fit(Xd, yd), ref)


# ------------------------------------------------------------ DataFrames, labels, predictions
def test_dask_dataframe_fit_keeps_names_and_predicts_lazily(client):
    X, y, _ = _data()
    frame = pd.DataFrame(X, columns=["rooms", "area", "rate", "age"])
    frame["price"] = y
    ddf = dd.from_pandas(frame, npartitions=3)
    features = ["rooms", "area", "rate", "age"]
    got = LinearRegression().fit(ddf[features], ddf["price"])
    ref = LinearRegression().fit(frame[features], frame["price"])
    _same_fit(got, ref)
    assert list(got.feature_names_in_) == features
    pred = got.predict(ddf[features])
    assert isinstance(pred, da.Array)
    np.testing.assert_allclose(pred.compute(), ref.predict(frame[features]), rtol=1e-9)


def test_dask_classifier_with_text_labels(client):
    X, _, labels = _data()
    names = np.where(labels == 1, "malignant", "benign").astype(object)
    ref = LogisticClassifier().fit(X, names)
    Xd = da.from_array(X, chunks=(2000, 4))
    yd = dd.from_pandas(pd.Series(names, name="diagnosis"), npartitions=3).to_dask_array(
        lengths=True)
    got = LogisticClassifier().fit(Xd, yd)
    assert list(got.classes_) == ["benign", "malignant"]
    _same_fit(got, ref)
    np.testing.assert_array_equal(got.predict(Xd).compute(), ref.predict(X))
    np.testing.assert_allclose(got.predict_proba(Xd).compute(), ref.predict_proba(X),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.predict_log_proba(Xd).compute(),
                               ref.predict_log_proba(X), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------ bad input
def test_dask_missing_values_are_named(client):
    X, y, _ = _data()
    X = X.copy()
    X[10, 2] = np.nan
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    with pytest.raises(DataError, match=r"1 missing or infinite value \(in c\).*dropna"):
        LinearRegression().fit(dd.from_pandas(frame, npartitions=2), y)
    y2 = y.copy()
    y2[3] = np.inf
    with pytest.raises(DataError, match="y holds 1 missing"):
        LinearRegression().fit(da.from_array(_data()[0], chunks=(2000, 4)),
                               da.from_array(y2, chunks=2000))


def test_dask_misaligned_and_wrong_inputs(client):
    X, y, labels = _data()
    ddf = dd.from_pandas(pd.DataFrame(X), npartitions=3)            # 2000 rows each
    # Other partitions of known length: y is rechunked to X's rows.
    ref = LinearRegression().fit(X, y)
    _same_fit(LinearRegression().fit(ddf, dd.from_pandas(pd.Series(y), npartitions=2)), ref)
    # Three partitions of unknown, different lengths cannot be lined up without a guess.
    s = pd.Series(y)
    ys = dd.concat([dd.from_pandas(s[:1000], npartitions=1),
                    dd.from_pandas(s[1000:3000], npartitions=1),
                    dd.from_pandas(s[3000:], npartitions=1)])
    with pytest.raises(DataError, match="one of X has 2000 rows where y's has 1000.*one "
                                        "DataFrame"):
        LinearRegression().fit(ddf, ys)
    with pytest.raises(DataError, match="X has 6000 rows but y has 10"):
        LinearRegression().fit(da.from_array(X, chunks=(2000, 4)), y[:10])
    text = dd.from_pandas(pd.DataFrame({"a": X[:, 0], "city": ["x"] * len(y)}), npartitions=2)
    with pytest.raises(DataError, match="'city'.*hold text"):
        LinearRegression().fit(text, y)
    three = np.resize([0, 1, 2], len(y))
    with pytest.raises(ValueError, match="class_weight with Dask input is not supported yet"):
        LogisticClassifier(class_weight="balanced").fit(da.from_array(X, chunks=(2000, 4)),
                                                        da.from_array(three, chunks=2000))
    fitted = LinearRegression().fit(da.from_array(X, chunks=(2000, 4)),
                                    da.from_array(y, chunks=2000))
    with pytest.raises(ValueError, match="has 3 features, but LinearRegression is expecting 4"):
        fitted.predict(da.from_array(X[:, :3], chunks=(2000, 3)))


# ------------------------------------------------------------ faults
def test_worker_killed_mid_fit_gives_the_same_answer(client):
    X, _, labels = _data(seed=3)
    Xd = da.from_array(X, chunks=(1000, 4))
    yd = da.from_array(labels, chunks=1000)
    seen, killed = [], []

    def kill_one_worker(step):
        seen.append(step.iteration)
        if step.iteration == 3 and not killed:
            address = sorted(client.scheduler_info()["workers"])[0]
            pid = client.run(os.getpid, workers=[address])[address]
            os.kill(pid, signal.SIGKILL)            # the nanny restarts it
            killed.append(address)

    got = _fit_quiet(LogisticClassifier(solver="gd", max_iter=12, callback=kill_one_worker),
                     Xd, yd)
    ref = _fit_quiet(LogisticClassifier(solver="gd", max_iter=12), X, labels)
    assert killed
    assert seen == list(range(1, got.n_iter_ + 1))          # no gap, no duplicate
    assert len(got.history_["loss"]) == got.n_iter_ + 1
    _same_fit(got, ref)
    client.wait_for_workers(2, timeout=60)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lost_scheduler_is_a_clear_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(cluster, "LOST_S", 3.0)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                                  "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                               "--nworkers", "1", "--nthreads", "1", "--no-dashboard"], **quiet)
    try:
        with distributed.Client(address, timeout=60) as c:
            c.wait_for_workers(1, timeout=60)
            X, _, labels = _data(m=3000)

            def kill_scheduler(step):
                if step.iteration == 2:
                    scheduler.send_signal(signal.SIGKILL)

            start = time.monotonic()
            with pytest.raises(DescendError, match="lost the Dask scheduler"):
                _fit_quiet(LogisticClassifier(solver="gd", max_iter=500,
                                              callback=kill_scheduler),
                           da.from_array(X, chunks=(500, 4)), da.from_array(labels, chunks=500))
            assert time.monotonic() - start < 60
    finally:
        for proc in (worker, scheduler):
            proc.kill()
            proc.wait(timeout=30)


# ------------------------------------------------------------ Dask-backed containers
@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    X, y, _ = _data(m=5000, seed=7)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["y"] = y
    frame.loc[[17, 2500], "b"] = np.nan
    frame.loc[40, "y"] = np.nan
    where = tmp_path_factory.mktemp("parts")
    dd.from_pandas(frame, npartitions=4).to_parquet(where)
    frame.iloc[:2500].to_csv(where / "one.csv", index=False)
    frame.iloc[2500:].to_csv(where / "two.csv", index=False)
    return where, frame


def test_container_from_parquet_glob_fits_like_memory(client, parquet_dir):
    where, frame = parquet_dir
    data = DataContainer.from_dask(str(where / "*.parquet"), target="y", missing="drop")
    assert data.feature_names == ["a", "b", "c", "d"]
    report = data.report
    assert (report.n_rows_read, report.n_rows) == (5000, 4997)
    assert report.dropped_missing_target == (40,)
    assert report.dropped_missing_features == (17, 2500)
    clean = frame.dropna()
    got = LinearRegression().fit(data.X, data.y)
    ref = LinearRegression().fit(clean[data.feature_names].to_numpy(), clean["y"].to_numpy())
    _same_fit(got, ref)


def test_container_missing_error_is_raised_by_the_fit(client, parquet_dir):
    where, _ = parquet_dir
    data = DataContainer.from_dask(str(where / "*.csv"), target="y")
    with pytest.raises(DataError, match=r"2 missing or infinite values \(in b\)"):
        LinearRegression().fit(data.X, data.y)


def test_container_split_is_exact_disjoint_and_repeatable(client, parquet_dir):
    where, _ = parquet_dir
    data = DataContainer.from_dask(where, target="y", missing="drop")
    train, test = data.train_test_split(0.8, seed=1)
    a = train.frame.compute()
    b = test.frame.compute()
    assert len(a) + len(b) == 4997
    sizes = data.frame.map_partitions(len).compute().tolist()
    assert len(a) == sum(int(0.8 * s + 0.5) for s in sizes)
    assert not set(a.index) & set(b.index)
    again, _ = data.train_test_split(0.8, seed=1)
    pd.testing.assert_frame_equal(again.frame.compute(), a)
    other, _ = data.train_test_split(0.8, seed=2)
    assert not other.frame.compute().index.equals(a.index)
    with pytest.raises(DataError, match="strictly between 0 and 1"):
        data.train_test_split(1.5)


def test_container_refuses_text_and_unknown_columns(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "city": ["x", "y", "z"], "y": [0.0, 1.0, 0.0]})
    ddf = dd.from_pandas(frame, npartitions=1)
    with pytest.raises(DataError, match=r"column 'city' hold text.*features="):
        DataContainer.from_dask(ddf, target="y")
    with pytest.raises(DataError, match="no column 'price'"):
        DataContainer.from_dask(ddf, target="price")
    with pytest.raises(DataError, match="cannot tell the file type"):
        DataContainer.from_dask(str(tmp_path / "data.txt"), target="y")
    assert DataContainer.from_dask(ddf, target="y", features=["a"]).feature_names == ["a"]


# ------------------------------------------------------------ optional, and no client
def test_import_needs_no_dask_and_fits_without_a_client():
    script = textwrap.dedent("""
        import sys
        import numpy as np
        import descend
        X = np.random.default_rng(0).normal(size=(500, 3))
        y = X @ [1.0, 2.0, 3.0] + 1.0
        ref = descend.LinearRegression().fit(X, y)
        assert "dask" not in sys.modules and "distributed" not in sys.modules, "imported"
        import dask.array as da
        got = descend.LinearRegression().fit(da.from_array(X, chunks=(128, 3)), y)
        from distributed import default_client
        try:
            default_client()
            raise AssertionError("a client was started")
        except ValueError:
            pass                                        # dask's own threads, no client
        assert np.max(np.abs(got.coef_ - ref.coef_)) < 1e-12, (got.coef_, ref.coef_)
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ------------------------------------------------------------ what a user mixes up
def test_split_of_a_parquet_glob_without_dropping_reads_matching_rows(client, tmp_path):
    X, y, _ = _data(m=3000, seed=11)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["price"] = y
    dd.from_pandas(frame, npartitions=10).to_parquet(tmp_path / "parts")
    data = DataContainer.from_dask(str(tmp_path / "parts" / "*.parquet"), target="price")
    train, test = data.train_test_split(0.8, seed=0)
    got = LinearRegression().fit(train.X, train.y)
    rows = train.frame.compute()
    assert len(rows) + len(test.frame.compute()) == 3000
    _same_fit(got, LinearRegression().fit(rows[["a", "b", "c", "d"]], rows["price"]))


def test_feature_names_are_checked_like_scikit_learn(client):
    X, y, _ = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    ddf = dd.from_pandas(frame, npartitions=2)
    model = LinearRegression().fit(ddf, y)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(ddf[["d", "c", "b", "a"]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        model.predict(da.from_array(X, chunks=(2000, 4)))
    unnamed = LinearRegression().fit(dd.from_pandas(pd.DataFrame(X), npartitions=2), y)
    assert not hasattr(unnamed, "feature_names_in_")          # integer labels: no names


def test_numeric_columns_of_every_kind_are_accepted(client):
    X, y, _ = _data(m=2000)
    frame = pd.DataFrame({"a": pd.array(X[:, 0], dtype="Float64"), "flag": X[:, 1] > 100,
                          "c": X[:, 2].astype(np.float32), "d": X[:, 3]})
    got = LinearRegression().fit(dd.from_pandas(frame, npartitions=2), y)
    ref = LinearRegression().fit(frame.astype(float), y)
    _same_fit(got, ref)


def test_in_memory_and_dask_halves_and_unknown_chunk_sizes_line_up(client):
    X, y, _ = _data()
    ref = LinearRegression().fit(X, y)
    _same_fit(LinearRegression().fit(X, da.from_array(y, chunks=1000)), ref)   # numpy X
    frame = pd.DataFrame(X)
    frame["y"] = y
    ddf = dd.from_pandas(frame, npartitions=3)
    kept = ddf[ddf[0] > -1.0]                        # filtered: partition sizes unknown
    rows = kept.compute()
    ref2 = LinearRegression().fit(rows[[0, 1, 2, 3]].to_numpy(), rows["y"].to_numpy())
    y_known = da.from_array(rows["y"].to_numpy(), chunks=len(rows) // 3 + 1)
    _same_fit(LinearRegression().fit(kept[[0, 1, 2, 3]], y_known), ref2)
    assert LinearRegression().fit(kept[[0, 1, 2, 3]], kept["y"]).score(
        kept[[0, 1, 2, 3]], kept["y"]) == pytest.approx(ref2.score(rows[[0, 1, 2, 3]], rows["y"]),
                                                        rel=1e-12)
    with pytest.raises(DataError, match="y must hold numbers.*LogisticClassifier"):
        LinearRegression().fit(da.from_array(X, chunks=(2000, 4)),
                               da.from_array(np.array(["a"] * len(y), dtype=object), chunks=2000))


def test_a_cluster_without_workers_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(cluster, "LOST_S", 1.0)
    X, y, _ = _data(m=500)
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as lc, \
            distributed.Client(lc):
        with pytest.raises(DescendError, match="no workers"):
            LinearRegression().fit(da.from_array(X, chunks=(250, 4)),
                                   da.from_array(y, chunks=250))


def test_container_csv_blank_lines_are_missing_rows_not_skipped(client, tmp_path):
    # A blank line is a row whose cells are all missing: the missing-value policy
    # sees it (an error, or a counted drop), it never vanishes in the reader.
    (tmp_path / "p.csv").write_text("a,y\n1,2\n\n3,4\n5,6\n")
    with pytest.raises(DataError, match="missing"):
        data = DataContainer.from_dask(str(tmp_path / "p.csv"), target="y")
        LinearRegression().fit(data.X, data.y)
    data = DataContainer.from_dask(str(tmp_path / "p.csv"), target="y", missing="drop")
    assert (data.report.n_rows_read, data.report.n_rows) == (4, 3)


@pytest.mark.parametrize("sep, written", [("tab", "\t"), ("auto", ";"), ("whitespace", "   "),
                                          (";", ";")])
def test_a_csv_glob_is_read_with_the_delimiter_named_or_detected(tmp_path, sep, written):
    rows = [[1.5, 2.0, 3.5], [2.5, 1.0, 4.0], [3.0, 0.5, 2.0]]
    for part in range(2):
        (tmp_path / f"p{part}.csv").write_text(
            written.join(["a", "b", "y"]) + "\n" +
            "".join(written.join(map(str, r)) + "\n" for r in rows))
    data = DataContainer.from_dask(str(tmp_path / "*.csv"), target="y", sep=sep)
    frame = data.frame.compute()
    assert list(frame.columns) == ["a", "b", "y"] and len(frame) == 6
    np.testing.assert_array_equal(frame["a"].to_numpy(), [1.5, 2.5, 3.0] * 2)


def test_dask_fits_k_classes_with_weights_as_in_memory():
    """The softmax on Dask chunks, weighted: the same fit as in memory, every solver."""
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    w = np.random.default_rng(0).integers(0, 3, len(y)).astype(float)
    chunked = [da.from_array(a, chunks=40) for a in (X, y, w)]
    # Both stop once the loss is within 1e-12 of the optimum, where the weights may still
    # differ by ~1e-8 with the order of the sums (chunks): whether Newton's last step is
    # taken turns on the loss's last bits (measured: 1.5e-8 apart on a fresh install).
    for solver, close in (("newton", 1e-7), ("lbfgs", 1e-6)):
        on_dask = LogisticClassifier(alpha=0.01, tol=1e-12, solver=solver).fit(
            chunked[0], chunked[1], sample_weight=chunked[2])
        in_memory = LogisticClassifier(alpha=0.01, tol=1e-12, solver=solver).fit(
            X, y, sample_weight=w)
        assert on_dask.coef_.shape == (3, 4)
        np.testing.assert_allclose(on_dask.coef_, in_memory.coef_, rtol=0, atol=close)
        np.testing.assert_allclose(np.asarray(on_dask.predict_proba(chunked[0])),
                                   in_memory.predict_proba(X), rtol=0, atol=close)
        assert (np.asarray(on_dask.predict(chunked[0])) == in_memory.predict(X)).all()
