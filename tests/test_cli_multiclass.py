"""The command line with K classes, sample weights, class weights and the L1 penalty:
iris end to end against scikit-learn, model files that keep all of it, and every bad
weight named with its column and line.

Most commands run in this process (``main``), for speed; one runs as a user runs it.
"""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from commandline import run
from descend import LogisticClassifier, jsonfile
from descend.cli.main import main
from descend.errors import DataError
from descend.persist import load, save

IRIS = load_iris()
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
X, Y = IRIS.data, IRIS.target                                          # (150, 4), 0/1/2
SPECIES = np.array(IRIS.target_names)[Y]


def cli(capsys, *args):
    """``descend ARGS...`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as stop:                               # usage errors: argparse exits
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def write(path, X=X, **columns):
    frame = pd.DataFrame(X, columns=FEATURES)
    for name, values in columns.items():
        frame[name] = values
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("iris")


@pytest.fixture(scope="module")
def species(folder):
    return write(folder / "iris.csv", species=SPECIES)


@pytest.fixture(scope="module")
def coded(folder):
    return write(folder / "iris012.csv", kind=Y)


@pytest.fixture(scope="module")
def trained(folder, species):
    """The species model, trained on every row as a user would (a subprocess)."""
    model = folder / "species.json"
    code, out, err = run("train", species, "--target", "species", "--test-frac", "0",
                         "--alpha", repr(1 / 150), "--tol", "1e-12", "--out", model)
    assert code == 0, err
    return model, out


def sklearn_fit(X, y, **params):
    return LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000, solver="newton-cholesky",
                              **params).fit(X, y)


# -- iris end to end ------------------------------------------------------------------
def test_auto_classifies_three_species_as_scikit_learn_does(trained):
    model, out = trained
    assert "model: LogisticClassifier (3 classes)" in out and "R2" not in out
    reference = sklearn_fit(X, SPECIES)                 # the same penalty: alpha = 1/(C m)
    accuracy = float(out.split("accuracy")[1].split()[0])
    assert accuracy == pytest.approx(reference.score(X, SPECIES), abs=1e-6)     # 6 digits
    fitted = load(model)
    assert fitted.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert fitted.coef_.shape == (3, 4) and fitted.intercept_.shape == (3,)
    np.testing.assert_allclose(fitted.coef_, reference.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(fitted.intercept_, reference.intercept_, rtol=1e-6, atol=1e-6)
    for name in ("setosa", "versicolor", "virginica"):            # per class and confused
        assert f"\n  {name}" in out
    assert "confusion matrix (rows: true class, columns: predicted class)" in out


def test_a_0_1_2_code_is_three_classes_not_a_regression(coded, folder, capsys):
    model = folder / "coded.json"
    code, out, err = cli(capsys, "train", coded, "--target", "kind", "--out", model, "--quiet")
    assert code == 0, err
    assert "LogisticClassifier (3 classes)" not in out          # --quiet: no narration
    assert "macro-F1" in out and "R2" not in out
    fitted = load(model)
    assert fitted.classes_.tolist() == [0, 1, 2] and fitted.classes_.dtype.kind == "i"
    assert fitted.score(pd.DataFrame(X, columns=FEATURES), Y) > 0.9


def test_predict_writes_the_label_and_a_probability_per_class(trained, species, capsys):
    model, _ = trained
    code, out, err = cli(capsys, "predict", model, species, "--keep", "species")
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == ["species", "predicted_species", "probability_setosa",
                              "probability_versicolor", "probability_virginica"]
    proba = np.array([[float(row[f"probability_{c}"]) for c in IRIS.target_names]
                      for row in table])
    expected = load(model).predict_proba(pd.DataFrame(X, columns=FEATURES))
    np.testing.assert_array_equal(proba, expected)               # written to the last bit
    predicted = np.array([row["predicted_species"] for row in table])
    np.testing.assert_array_equal(predicted, np.array(IRIS.target_names)[proba.argmax(axis=1)])


def test_evaluate_gives_each_class_and_the_confusion_matrix(trained, species, capsys):
    model, _ = trained
    code, out, err = cli(capsys, "evaluate", model, species)
    assert code == 0, err
    assert "LogisticClassifier (3 classes) on" in out and "macro-F1" in out
    lines = out.splitlines()
    top = lines.index("confusion matrix (rows: true class, columns: predicted class):")
    assert lines[top + 1].split() == ["setosa", "versicolor", "virginica"]
    matrix = np.array([line.split()[1:] for line in lines[top + 2:top + 5]], dtype=int)
    predicted = load(model).predict(pd.DataFrame(X, columns=FEATURES))
    expected = [[np.sum((SPECIES == t) & (predicted == p)) for p in IRIS.target_names]
                for t in IRIS.target_names]
    np.testing.assert_array_equal(matrix, expected)
    assert matrix.sum() == 150 and np.trace(matrix) >= 140
    support = [line.split()[-1] for line in lines[top - 3:top]]
    assert support == ["50", "50", "50"]


def test_info_shows_the_classes_and_a_weight_column_per_class(trained, capsys):
    model, _ = trained
    code, out, err = cli(capsys, "info", model)
    assert code == 0, err
    assert "classes: setosa, versicolor, virginica (3, multinomial" in out
    assert "--alpha 0.006666666666666667 --l1-ratio 0.0" in out
    assert "; a column per class):" in out
    header = out.split("a column per class):\n")[1].splitlines()[0]
    assert header.split() == ["setosa", "versicolor", "virginica"]
    row = next(line for line in out.splitlines() if line.strip().startswith("petal_width"))
    np.testing.assert_allclose([float(v) for v in row.split()[1:]],
                               load(model).coef_[:, 3], rtol=1e-5)


def test_the_model_file_keeps_k_classes_bit_for_bit(trained, tmp_path):
    model, _ = trained
    doc = json.loads(model.read_text())
    assert len(doc["coef"]) == 3 and all(len(row) == 4 for row in doc["coef"])
    assert len(doc["intercept"]) == 3 and doc["classes"] == list(IRIS.target_names)
    assert doc["params"]["l1_ratio"] == 0.0 and doc["params"]["class_weight"] is None
    first = load(model)
    again = load(save(first, tmp_path / "again.json"))
    new = pd.DataFrame(X * 1.3 - 0.5, columns=FEATURES)
    for method in ("predict_proba", "predict_log_proba", "decision_function", "predict"):
        np.testing.assert_array_equal(getattr(again, method)(new), getattr(first, method)(new))


def test_a_python_fit_round_trips_with_its_class_weights(tmp_path):
    fitted = LogisticClassifier(alpha=0.01, class_weight={0: 2.0, 2: 0.5}).fit(X, Y)
    loaded = load(save(fitted, tmp_path / "m.json"))
    assert loaded.class_weight == {0: 2.0, 2: 0.5} and loaded.get_params() == fitted.get_params()
    for method in ("predict_proba", "decision_function", "predict"):
        np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(fitted, method)(X))
    labelled = LogisticClassifier(class_weight={True: 3.0}).fit(X, Y == 2)
    doc = json.loads(save(labelled, tmp_path / "b.json").read_text())
    assert doc["params"]["class_weight"] == {"true": 3.0}
    assert load(tmp_path / "b.json").class_weight == {True: 3.0}


# -- model files that do not add up ---------------------------------------------------
def _edited(tmp_path, model, edit):
    doc = {k: v for k, v in json.loads(model.read_text()).items() if k != "checksum"}
    edit(doc)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(jsonfile.seal(doc)))
    return path


@pytest.mark.parametrize("edit, match", [
    (lambda d: d.update(coef=d["coef"][:2]), r'"coef" must hold 3 lists, one per class'),
    (lambda d: d.update(coef=[d["coef"][0], d["coef"][1][:3], d["coef"][2]]),
     r'"coef\[1\]" has 3 values, but the model has n_features_in = 4'),
    (lambda d: d.update(intercept=d["intercept"][0]), r'"intercept" must be a list of 3'),
    (lambda d: d.update(intercept=d["intercept"][:2]),
     r'"intercept" has 2 values, but the model has classes = 3'),
    (lambda d: d.update(classes=d["classes"][:2]), r'"coef" holds 3 lists, one per class'),
    (lambda d: d.update(classes=d["classes"][::-1]), "not in sorted order"),
    (lambda d: d["params"].update(class_weight={"setosa": 2, "daisy": 1}),
     r'"params.class_weight" names \[\'daisy\'\]'),
    (lambda d: d["params"].update(class_weight={"setosa": -1}), "a finite number >= 0"),
    (lambda d: d["params"].update(class_weight=[1, 2]), "must be null, \"balanced\""),
    (lambda d: d["params"].update(l1_ratio=2), "l1_ratio must be a number from 0"),
])
def test_inconsistent_files_are_refused_with_the_reason(tmp_path, trained, edit, match):
    with pytest.raises(DataError, match="cannot load model file .*" + match):
        load(_edited(tmp_path, trained[0], edit))


def test_a_file_of_the_previous_format_still_loads(tmp_path, folder, capsys):
    data = write(folder / "two.csv", sick=np.where(Y == 2, "yes", "no"))
    model = tmp_path / "m.json"
    assert cli(capsys, "train", data, "--target", "sick", "--out", model, "--quiet")[0] == 0

    def older(doc):                      # format 2: no l1_ratio or class_weight yet
        doc["format_version"] = 2
        del doc["params"]["l1_ratio"], doc["params"]["class_weight"]

    old = load(_edited(tmp_path, model, older))
    assert old.l1_ratio == 0.0 and old.class_weight is None and old.coef_.shape == (1, 4)
    frame = pd.DataFrame(X, columns=FEATURES)
    np.testing.assert_array_equal(old.predict_proba(frame), load(model).predict_proba(frame))
    code, out, err = cli(capsys, "info", tmp_path / "edited.json")
    assert code == 0 and "(probabilities are of yes)" in out and "--l1-ratio" not in out, err


# -- targets: classes, stray values, spellings -------------------------------------------
def test_a_stray_value_beside_three_classes_is_named_with_its_line(tmp_path, capsys):
    labels = SPECIES.astype(object)
    labels[40] = "setsa"                                 # line 42: the header is line 1
    path = write(tmp_path / "typo.csv", species=labels)
    code, _, err = cli(capsys, "train", path, "--target", "species", "--out", tmp_path / "m.json")
    assert code == 1 and "The value 'setsa' appears on line 42 only, a likely typo" in err
    assert "the others hold 3 classes" in err and not (tmp_path / "m.json").exists()


def test_quantities_given_to_the_classifier_are_sent_to_the_linear_model(tmp_path, capsys):
    frame = pd.DataFrame(X[:, 1:], columns=FEATURES[1:]).assign(
        length=X[:, 0] + np.arange(150) / 1e3)
    path = tmp_path / "lengths.csv"
    frame.to_csv(path, index=False)
    code, _, err = cli(capsys, "train", path, "--target", "length", "--model", "logistic",
                       "--out", tmp_path / "m.json")
    assert code == 1 and "150 distinct values in 150 rows" in err
    assert "quantities, not classes" in err and "use --model linear" in err


def test_three_spellings_of_two_classes_fit_three_and_say_so(tmp_path, capsys):
    rng = np.random.default_rng(3)
    answer = rng.choice(["yes", "Yes", "no"], 150)
    path = write(tmp_path / "spelt.csv", answer=answer)
    code, out, err = cli(capsys, "train", path, "--target", "answer", "--out", tmp_path / "m.json")
    assert code == 0 and "LogisticClassifier (3 classes)" in out, err
    assert "differ only in case or spaces: 'Yes'" in err and "write them alike" in err


def test_a_weighted_stream_of_three_classes_is_partial_fit_chunk_by_chunk(tmp_path, capsys):
    """--chunksize with three classes and --sample-weight: the model file holds what
    partial_fit gives on the same chunks, in order, with the same weights."""
    order = np.random.default_rng(5).permutation(150)            # every chunk sees each class
    w = (np.arange(150) % 4).astype(float)
    path = write(tmp_path / "stream.csv", X=X[order], species=SPECIES[order], w=w)
    code, out, err = cli(capsys, "train", path, "--target", "species", "--sample-weight", "w",
                         "--chunksize", "50", "--test-frac", "0", "--no-shuffle", "--quiet",
                         "--out", tmp_path / "m.json")
    assert code == 0, err
    streamed = load(tmp_path / "m.json")
    by_hand = LogisticClassifier(random_state=0)
    for lo in range(0, 150, 50):
        by_hand.partial_fit(X[order][lo:lo + 50], SPECIES[order][lo:lo + 50],
                            classes=np.unique(SPECIES), sample_weight=w[lo:lo + 50])
    assert streamed.coef_.shape == (3, 4)
    np.testing.assert_allclose(streamed.coef_, by_hand.coef_, rtol=1e-10, atol=1e-12)


def test_a_stream_refuses_balanced_class_weights_in_its_own_words(coded, tmp_path, capsys):
    code, _, err = cli(capsys, "train", coded, "--target", "kind", "--chunksize", "50",
                       "--class-weight", "balanced", "--out", tmp_path / "m.json")
    assert code == 2 and "--class-weight balanced needs every class's count" in err


# -- sample weights -----------------------------------------------------------------------
def test_whole_number_weights_fit_as_repeated_rows(tmp_path, capsys):
    w = np.arange(150) % 3 + np.where(Y == 1, 1, 0)                   # 0 to 3: 0 drops a row
    weighted = write(tmp_path / "weighted.csv", species=SPECIES, w=w)
    repeated = write(tmp_path / "repeated.csv", X=np.repeat(X, w, axis=0),
                     species=np.repeat(SPECIES, w))
    flags = ["--target", "species", "--test-frac", "0", "--alpha", "0.01", "--tol", "1e-12"]
    code, out, err = cli(capsys, "train", weighted, *flags, "--sample-weight", "w",
                         "--out", tmp_path / "w.json")
    assert code == 0, err
    assert "read column 'w' as each row's sample weight" in out
    assert "training metrics (rows weighted by 'w'):" in out
    assert cli(capsys, "train", repeated, *flags, "--out", tmp_path / "r.json")[0] == 0
    a, b = load(tmp_path / "w.json"), load(tmp_path / "r.json")
    assert a.feature_names_in_.tolist() == FEATURES                  # w is not a feature
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-8, atol=1e-8)

    code, out, err = cli(capsys, "info", tmp_path / "w.json")
    assert code == 0 and "--sample-weight w" in out, err
    code, plain, err = cli(capsys, "evaluate", tmp_path / "w.json", weighted)
    assert code == 0 and "add --sample-weight w to weigh the rows" in plain, err
    code, weighed, err = cli(capsys, "evaluate", tmp_path / "w.json", weighted,
                             "--sample-weight", "w")
    assert code == 0 and "metrics (rows weighted by 'w'):" in weighed, err
    code, again, err = cli(capsys, "evaluate", tmp_path / "r.json", repeated)
    assert code == 0, err
    accuracy = [float(text.split("accuracy")[1].split()[0]) for text in (weighed, again)]
    assert accuracy[0] == accuracy[1]
    support = [line.split()[-1] for line in weighed.splitlines()
               if line.strip().startswith(("setosa", "versicolor", "virginica"))][:3]
    assert support == [str(int(w[Y == k].sum())) for k in range(3)]


@pytest.mark.parametrize("cells, found", [
    ({5: "-2"}, "holds negative weights on line 7 (e.g. -2)"),
    ({3: "heavy"}, "holds text, not numbers: 'heavy' (line 5)"),
    ({9: "NaN"}, "has no weight on line 11 (an empty, NA or NaN cell)"),
    ({9: ""}, "has no weight on line 11"),
    ({2: "inf"}, "infinite or overflowing weights on line 4"),
    ({k: "0" for k in range(150)}, "is 0 on every line kept (150)"),
])
def test_bad_weights_are_named_with_the_column_and_line(tmp_path, capsys, cells, found):
    w = np.ones(150).astype(object)
    for row, cell in cells.items():
        w[row] = cell
    path = write(tmp_path / "bad.csv", species=SPECIES, weight=w)
    code, _, err = cli(capsys, "train", path, "--target", "species", "--sample-weight", "weight",
                       "--out", tmp_path / "m.json")
    assert code == 1 and "the sample-weight column 'weight'" in err and found in err, err
    assert "Traceback" not in err and "sample_weight" not in err
    assert not (tmp_path / "m.json").exists()


def test_two_bad_weights_are_named_in_one_run(tmp_path, capsys):
    w = np.ones(150).astype(object)
    w[3], w[7] = "-1", "x"
    path = write(tmp_path / "bad.csv", species=SPECIES, w=w)
    code, _, err = cli(capsys, "train", path, "--target", "species", "--sample-weight", "w",
                       "--out", tmp_path / "m.json")
    assert code == 1 and "has 2 problems" in err and "line 5" in err and "line 9" in err


@pytest.mark.parametrize("args, message", [
    (["--sample-weight", "species"], "--sample-weight species is the --target column"),
    (["--sample-weight", "w", "--features", "w,sepal_length"], "also listed in --features"),
    (["--class-weight", "balanced", "--model", "linear"], "--class-weight weighs the classes"),
    (["--class-weight", "setosa=heavy"], "is not balanced, nor each class's weight"),
    (["--l1-ratio", "1.5"], "'1.5' is not a number from 0 to 1"),
    (["--l1-ratio", "0.5"], "--alpha is 0, so nothing would be penalized"),
])
def test_weights_and_l1_ratio_misused_are_usage_errors(species, tmp_path, capsys, args, message):
    code, _, err = cli(capsys, "train", species, "--target", "species", *args,
                       "--out", tmp_path / "m.json")
    assert code == 2 and message in err, err


def test_a_weight_column_missing_from_the_file_is_named(species, tmp_path, capsys):
    code, _, err = cli(capsys, "train", species, "--target", "species", "--sample-weight", "wt",
                       "--out", tmp_path / "m.json")
    assert code == 1 and "--sample-weight column 'wt' not found" in err


# -- class weights and the L1 penalty -----------------------------------------------------
def test_balanced_class_weights_match_scikit_learn(tmp_path, capsys):
    keep = np.r_[0:50, 50:70, 100:150]                     # 50, 20 and 50 rows
    path = write(tmp_path / "unbalanced.csv", X=X[keep], species=SPECIES[keep])
    model = tmp_path / "m.json"
    code, out, err = cli(capsys, "train", path, "--target", "species", "--test-frac", "0",
                         "--class-weight", "balanced", "--alpha", repr(1 / keep.size),
                         "--tol", "1e-12", "--out", model)
    assert code == 0, err
    reference = sklearn_fit(X[keep], SPECIES[keep], class_weight="balanced")
    fitted = load(model)
    assert fitted.class_weight == "balanced"
    np.testing.assert_allclose(fitted.coef_, reference.coef_, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fitted.intercept_, reference.intercept_, rtol=1e-5, atol=1e-5)
    unweighted = sklearn_fit(X[keep], SPECIES[keep])
    assert np.abs(unweighted.coef_ - reference.coef_).max() > 1e-2      # it did weigh
    assert "--class-weight balanced" in cli(capsys, "info", model)[1]


def test_class_weights_by_label_reach_the_estimator(coded, tmp_path, capsys):
    model = tmp_path / "m.json"
    code, _, err = cli(capsys, "train", coded, "--target", "kind", "--test-frac", "0",
                       "--class-weight", "0=2,2=0.5", "--alpha", "0.01", "--out", model)
    assert code == 0, err
    fitted = load(model)
    assert fitted.class_weight == {0: 2.0, 2: 0.5}
    reference = LogisticClassifier(alpha=0.01, class_weight={0: 2.0, 2: 0.5}).fit(
        pd.DataFrame(X, columns=FEATURES), Y)
    np.testing.assert_allclose(fitted.coef_, reference.coef_, rtol=1e-6, atol=1e-8)
    code, _, err = cli(capsys, "train", coded, "--target", "kind", "--class-weight", "3=1",
                       "--out", model, "--force")
    assert code == 1 and "--class-weight names '3', which is not a class" in err


def test_l1_ratio_sets_the_weights_of_noise_to_exactly_zero(tmp_path, capsys):
    rng = np.random.default_rng(0)
    noise = {f"noise{j}": rng.normal(size=150).round(3) for j in range(3)}
    path = write(tmp_path / "noisy.csv", species=SPECIES, **noise)
    flags = ["--target", "species", "--test-frac", "0", "--alpha", "0.05", "--tol", "1e-10"]
    code, out, err = cli(capsys, "train", path, *flags, "--l1-ratio", "1",
                         "--out", tmp_path / "lasso.json")
    assert code == 0, err
    lasso = load(tmp_path / "lasso.json")
    assert lasso.l1_ratio == 1.0 and "--l1-ratio 1.0" in cli(capsys, "info",
                                                             tmp_path / "lasso.json")[1]
    names = list(lasso.feature_names_in_)
    zeros = lasso.coef_ == 0.0
    assert zeros.sum() >= 3 and np.all(zeros[:, [names.index(n) for n in noise]].any(axis=0))
    assert not zeros[:, names.index("petal_length")].all()
    assert cli(capsys, "train", path, *flags, "--out", tmp_path / "ridge.json")[0] == 0
    assert not np.any(load(tmp_path / "ridge.json").coef_ == 0.0)
