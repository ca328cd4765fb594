"""Model files: exact round trips, and a clear DataError for every bad file."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from descend import LinearRegression, LogisticClassifier
from descend.errors import DataError
from descend.persist import FORMAT_VERSION, check_columns, load, save

RNG = np.random.default_rng(0)
X = RNG.normal(size=(80, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -3.0]               # (80, 3)
SCORE = X @ [1.5, -0.2, 4.0] + RNG.normal(size=80)
LABEL = SCORE > np.median(SCORE)                                                 # 40 of each
# New data unlike the training data: other scales, a wide range, exact zeros.
NEW = np.vstack([RNG.normal(size=(40, 3)) * 1e3, np.zeros((1, 3)), RNG.uniform(-1, 1, (40, 3))])


def round_trip(model, tmp_path, name="model.json", **kw):
    path = save(model, tmp_path / name, **kw)
    return load(path), json.loads(path.read_text())


def assert_same_fit(a, b):
    assert type(a) is type(b) and a.get_params() == b.get_params()
    for key in ("coef_", "intercept_", "x_mean_", "x_scale_"):
        assert np.array_equal(getattr(a, key), getattr(b, key))
        assert np.shape(getattr(a, key)) == np.shape(getattr(b, key))
    assert (a.n_features_in_, a.n_iter_, a.converged_, a.stop_reason_) == \
        (b.n_features_in_, b.n_iter_, b.converged_, b.stop_reason_)
    for key in ("loss", "grad_norm", "learning_rate"):
        assert np.array_equal(a.history_[key], b.history_[key])


@pytest.mark.parametrize("params", [
    {}, {"alpha": 0.3, "solver": "gd", "learning_rate": 0.5, "max_iter": 500},
    {"alpha": 0.3, "solver": "nesterov", "learning_rate": 0.1, "tol": 1e-9},
])
def test_linear_round_trip_is_bit_identical(tmp_path, params):
    model = LinearRegression(**params).fit(X, SCORE)
    loaded, doc = round_trip(model, tmp_path)
    assert_same_fit(model, loaded)
    assert isinstance(loaded.intercept_, float)
    assert np.array_equal(loaded.predict(NEW), model.predict(NEW))
    assert loaded.score(X, SCORE) == model.score(X, SCORE)
    assert doc["coef"] == model.coef_.tolist() and doc["intercept"] == model.intercept_
    assert doc["params"]["alpha"] == params.get("alpha", 0.0)
    assert doc["fit"]["history"]["loss"] == model.history_["loss"].tolist()


@pytest.mark.parametrize("labels", [
    np.array(["no", "yes"]), np.array([False, True]), np.array([-1, 1]), np.array([1.0, 2.0]),
    np.array(["ham", "spam"], dtype=object), np.array([3, 7], dtype=np.int32),
])
def test_classifier_round_trip_keeps_labels_and_predictions(tmp_path, labels):
    y = labels[LABEL.astype(int)]
    model = LogisticClassifier(alpha=0.01).fit(X, y)
    loaded, doc = round_trip(model, tmp_path)
    assert_same_fit(model, loaded)
    assert loaded.classes_.dtype == model.classes_.dtype
    assert doc["classes"] == labels.tolist()
    assert [type(c) for c in doc["classes"]] == [type(c) for c in labels.tolist()]
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        assert np.array_equal(getattr(loaded, method)(NEW), getattr(model, method)(NEW)), method
    assert loaded.score(X, y) == model.score(X, y)


def test_dataframe_model_keeps_feature_names_and_checks_them(tmp_path):
    frame = pd.DataFrame(X, columns=["age", "income", "rate"])
    model = LogisticClassifier().fit(frame, LABEL)
    loaded, doc = round_trip(model, tmp_path)
    assert doc["feature_names"] == ["age", "income", "rate"] and doc["feature_names_in"] is True
    assert loaded.feature_names_in_.tolist() == ["age", "income", "rate"]
    new = pd.DataFrame(NEW, columns=["age", "income", "rate"])
    assert np.array_equal(loaded.predict_proba(new), model.predict_proba(new))
    with pytest.raises(ValueError, match="feature names should match"):
        loaded.predict(new[["rate", "age", "income"]])


def test_feature_names_given_to_save_are_kept_apart_from_feature_names_in(tmp_path):
    model = LinearRegression().fit(X, SCORE)
    loaded, doc = round_trip(model, tmp_path, feature_names=["a", "b", "c"])
    assert doc["feature_names"] == ["a", "b", "c"] and doc["feature_names_in"] is False
    assert not hasattr(loaded, "feature_names_in_")
    assert loaded.feature_names_.tolist() == ["a", "b", "c"]
    assert np.array_equal(loaded.predict(NEW), model.predict(NEW))
    resaved, doc = round_trip(loaded, tmp_path, "again.json")
    assert doc["feature_names"] == ["a", "b", "c"]


@pytest.mark.parametrize("names, match", [
    (["a", "b"], "must be 3 unique names.*got 2"),
    (["a", "a", "b"], r"must be 3 unique names.*\(2 unique\)"),
])
def test_save_refuses_feature_names_that_do_not_fit(tmp_path, names, match):
    with pytest.raises(DataError, match=match):
        save(LinearRegression().fit(X, SCORE), tmp_path / "m.json", feature_names=names)
    frame = pd.DataFrame(X, columns=["p", "q", "r"])
    with pytest.raises(DataError, match="differ from the names the model was fitted with"):
        save(LinearRegression().fit(frame, SCORE), tmp_path / "m.json", feature_names=["a", "b", "c"])


def test_layout_and_fit_only_params(tmp_path):
    model = LinearRegression(random_state=np.random.default_rng(1), callback=print).fit(X, SCORE)
    _, doc = round_trip(model, tmp_path)
    assert (doc["format"], doc["format_version"], doc["estimator"]) == \
        ("descend-model", FORMAT_VERSION, "LinearRegression")
    assert doc["params"]["random_state"] is None and doc["params"]["callback"] is None
    assert len(doc["fit"]["history"]["loss"]) == doc["fit"]["n_iter"] + 1
    assert "classes" not in doc


def test_overwrite_is_refused_unless_asked(tmp_path):
    path = tmp_path / "model.json"
    save(LinearRegression().fit(X, SCORE), path)
    first = path.read_text()
    with pytest.raises(FileExistsError, match=r"already exists; pass overwrite=True \(--force"):
        save(LinearRegression(alpha=1.0).fit(X, SCORE), path)
    assert path.read_text() == first
    save(LinearRegression(alpha=1.0).fit(X, SCORE), path, overwrite=True)
    assert load(path).alpha == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]        # no temp file left


def test_non_finite_weights_and_unfitted_models_are_refused(tmp_path):
    model = LogisticClassifier().fit(X, LABEL)
    model.coef_[0, 1] = np.nan
    with pytest.raises(DataError, match=r"coef_ holds non-finite values \(at positions \[1\]\)"):
        save(model, tmp_path / "m.json")
    with pytest.raises(NotFittedError):
        save(LinearRegression(), tmp_path / "m.json")
    with pytest.raises(TypeError, match="can only save descend's LinearRegression or"):
        save(object(), tmp_path / "m.json")
    with pytest.raises(FileNotFoundError, match="folder .* does not exist"):
        save(LinearRegression().fit(X, SCORE), tmp_path / "nowhere" / "m.json")
    assert list(tmp_path.iterdir()) == []


def edit(doc, key, value):
    """A copy of doc with doc[key] (a dotted path) set to value, or deleted if value is ..."""
    doc = json.loads(json.dumps(doc))
    *parents, last = key.split(".")
    target = doc
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return doc


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A fitted classifier and its saved document."""
    model = LogisticClassifier().fit(pd.DataFrame(X, columns=["a", "b", "c"]), LABEL)
    return model, json.loads(save(model, tmp_path_factory.mktemp("good") / "m.json").read_text())


@pytest.mark.parametrize("key, value, match", [
    ("format", "sklearn-model", r"not a descend model file \(its \"format\" is 'sklearn-model'"),
    ("format", ..., r"not a descend model file \(its \"format\" is None"),
    ("format_version", FORMAT_VERSION + 1,
     f"format_version {FORMAT_VERSION + 1}, written by a newer descend.*reads format_version "
     f"{FORMAT_VERSION}. Upgrade descend"),
    ("format_version", "1", "\"format_version\" must be a positive integer, got '1'"),
    ("coef", ..., "missing the key 'coef'; the file is incomplete"),
    ("estimator", "Ridge", "unknown estimator 'Ridge'; descend can load LinearRegression"),
    ("coef", [1.0, 2.0], "\"coef\" has 2 values, but the model has n_features_in = 3"),
    ("x_mean", [0.0] * 4, "\"x_mean\" has 4 values, but the model has n_features_in = 3"),
    ("feature_names", ["a", "b"], "\"feature_names\" must be null or 3 unique strings"),
    ("coef", [1.0, 1e999, 0.0], r"\"coef\" holds non-finite values \(at positions \[1\]\)"),
    ("coef", [1, -10**400, 0], r"\"coef\" holds non-finite values \(at positions \[1\]\)"),
    ("coef", [1.0, "2", 0.0], "\"coef\" must hold only numbers"),
    ("intercept", None, "\"intercept\" must hold only numbers"),
    ("params.solver", "adam", "bad \"params\": .*solver must be one of"),
    ("params.momentum", 0.9, "bad \"params\": .*momentum"),
    ("classes", ["x", "x"], "\"classes\" must be two or more distinct labels"),
    ("classes", ["x"], "\"classes\" must be two or more distinct labels"),
    ("classes_dtype", "<i8", r"labels \(strings, numbers or booleans\) of dtype '<i8', got \[False, True\]"),
    ("classes_dtype", "hex", r"\"classes\" \[False, True\] do not fit \"classes_dtype\" 'hex'"),
    ("fit.n_iter", -1, "\"fit\" must hold an integer \"n_iter\""),
    ("fit.history.loss", [0.5], "\"fit.history.loss\" has 1 values, but the model has n_iter \\+ 1"),
])
def test_bad_model_files_raise_data_error_naming_file_and_problem(tmp_path, good, key, value, match):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(edit(good[1], key, value)))
    with pytest.raises(DataError, match=f"cannot load model file '{re.escape(str(path))}': .*{match}"):
        load(path)


def test_missing_keys_are_all_named(tmp_path, good):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(edit(edit(good[1], "coef", ...), "x_scale", ...)))
    with pytest.raises(DataError, match="missing the keys 'coef', 'x_scale'; .*Save the model again"):
        load(path)


def test_missing_truncated_and_non_json_files(tmp_path, good):
    with pytest.raises(DataError, match=re.escape(f"'{tmp_path / 'none.json'}': no such file")):
        load(tmp_path / "none.json")
    path = tmp_path / "model.json"
    text = json.dumps(good[1], indent=1)
    path.write_text(text[: len(text) // 2])
    line = text[: len(text) // 2].count("\n") + 1
    with pytest.raises(DataError, match=rf"not valid JSON \(.*: line {line}, column \d+\); "
                                        "the file may be truncated"):
        load(path)
    path.write_text("[1, 2]")
    with pytest.raises(DataError, match="it is JSON but not a descend model file"):
        load(path)
    path.write_bytes(b"\x89PNG\xff\xfe")
    with pytest.raises(DataError, match=r"cannot be read as a text file \('utf-8' codec"):
        load(path)
    with pytest.raises(DataError, match="cannot be read as a text file"):
        load(tmp_path)


def test_good_document_loads(tmp_path, good):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(good[1]))
    frame = pd.DataFrame(NEW, columns=["a", "b", "c"])
    assert np.array_equal(load(path).decision_function(frame), good[0].decision_function(frame))


def test_non_finite_history_is_written_as_null(tmp_path):
    model = LinearRegression().fit(X, SCORE)
    model.history_["learning_rate"][0] = np.inf
    loaded, doc = round_trip(model, tmp_path)
    assert doc["fit"]["history"]["learning_rate"][0] is None
    assert math.isnan(loaded.history_["learning_rate"][0])


def test_check_columns_names_missing_and_unexpected_and_returns_order(tmp_path):
    frame = pd.DataFrame(X, columns=["age", "income", "rate"])
    model, _ = round_trip(LinearRegression().fit(frame, SCORE), tmp_path)
    assert check_columns(model, ["rate", "age", "income"]).tolist() == [1, 2, 0]
    assert check_columns(model, ["y", "rate", "income", "age"], allow_extra=True).tolist() == [3, 2, 1]
    with pytest.raises(DataError, match="missing from the data: 'income'; unexpected columns: "
                                        "'salary', 'y'. Give the data"):
        check_columns(model, ["age", "salary", "rate", "y"])
    with pytest.raises(DataError, match="repeat the column name 'age'"):
        check_columns(model, ["age", "age", "income", "rate"])
    unnamed = LinearRegression().fit(X, SCORE)
    assert check_columns(unnamed, ["p", "q", "r"]).tolist() == [0, 1, 2]
    with pytest.raises(DataError, match="3 unnamed features.*exactly 3 columns.*they have 2"):
        check_columns(unnamed, ["p", "q"])
    named, _ = round_trip(unnamed, tmp_path, "named.json", feature_names=["p", "q", "r"])
    assert check_columns(named, ["r", "q", "p"]).tolist() == [2, 1, 0]


def test_training_data_round_trip(tmp_path):
    import numpy as np
    from descend import LinearRegression
    from descend.persist import load, save
    X = np.arange(12.0).reshape(6, 2)
    model = LinearRegression().fit(X, X[:, 0] * 2 + 1)
    info = {"target_name": "price", "schema": {"features": [{"name": "a", "kind": "number"}]}}
    save(model, tmp_path / "m.json", feature_names=["a", "b"], training_data=info)
    assert load(tmp_path / "m.json").training_data_ == info
    save(model, tmp_path / "n.json")
    assert load(tmp_path / "n.json").training_data_ is None


def test_the_envelope_reader_knows_every_estimator_a_file_can_hold():
    from descend.modelfields import ESTIMATORS
    from descend.modelfile import ESTIMATOR_NAMES

    assert tuple(ESTIMATORS) == ESTIMATOR_NAMES
