"""descend train prints the summary and keeps it in the model file; descend info shows it."""

import json

import numpy as np
import pandas as pd
import pytest

from commandline import run as _run


class _Ran:
    def __init__(self, code, out, err):
        self.returncode, self.stdout, self.stderr = code, out, err


def run(*args):
    return _Ran(*_run(*args))

sm = pytest.importorskip("statsmodels.api")


@pytest.fixture
def spector(tmp_path):
    data = sm.datasets.spector.load_pandas().data
    path = tmp_path / "spector.csv"
    data.to_csv(path, index=False)
    return path, data


def _table_rows(text):
    """The coefficient rows of a printed summary: name -> numbers."""
    rows, inside = {}, False
    for line in text.splitlines():
        if line.split()[:2] == ["coef", "std"]:
            inside = True
            continue
        if inside and line.startswith("="):
            break
        if inside:
            parts = line.split()
            rows[parts[0]] = [float(v) for v in parts[1:]]
    return rows


def test_train_prints_the_summary_and_info_shows_it_again(spector, tmp_path):
    path, data = spector
    out = tmp_path / "m.json"
    printed = run("train", path, "--target", "GRADE", "--test-frac", "0", "--out", out,
                  "--cov-type", "HC0", "--tol", "1e-12")
    assert printed.returncode == 0, printed.stderr
    theirs = sm.Logit(data["GRADE"], sm.add_constant(data[["GPA", "TUCE", "PSI"]])).fit(
        disp=0, cov_type="HC0")
    rows = _table_rows(printed.stdout)
    for name, theirs_name in [("intercept", "const"), ("GPA", "GPA"), ("TUCE", "TUCE"),
                              ("PSI", "PSI")]:
        coef, se = rows[name][:2]
        assert coef == pytest.approx(theirs.params[theirs_name], rel=1e-4, abs=1e-4)
        assert se == pytest.approx(theirs.bse[theirs_name], rel=1e-4, abs=1e-4)
    assert "Covariance:                       HC0" in printed.stdout
    assert json.loads(out.read_text())["summary"]["cov_type"] == "HC0"
    info = run("info", out)
    assert info.returncode == 0, info.stderr
    assert _table_rows(info.stdout) == rows and "Target:                         GRADE" in info.stdout


def test_quiet_training_prints_no_summary_but_keeps_it(spector, tmp_path):
    path, _ = spector
    out = tmp_path / "m.json"
    printed = run("train", path, "--target", "GRADE", "--out", out, "--quiet")
    assert printed.returncode == 0 and "std err" not in printed.stdout
    assert "summary" in json.loads(out.read_text())


def test_training_says_why_there_is_no_summary(spector, tmp_path):
    path, _ = spector
    lasso = run("train", path, "--target", "GRADE", "--alpha", "0.01", "--l1-ratio", "1",
                "--out", tmp_path / "a.json")
    assert lasso.returncode == 0, lasso.stderr
    assert "summary: none: no standard errors for a fit with an L1 part" in lasso.stdout
    assert "Refit with --l1-ratio 0" in lasso.stdout
    chunks = run("train", path, "--target", "GRADE", "--chunksize", "20",
                 "--out", tmp_path / "b.json")
    assert chunks.returncode == 0, chunks.stderr
    assert "summary: none: a model trained in chunks (--chunksize)" in chunks.stdout
    bad = run("train", path, "--target", "GRADE", "--cov-type", "HC9", "--out", tmp_path / "c.json")
    assert bad.returncode == 2 and "--cov-type" in bad.stderr


def test_a_collinear_file_gets_a_summary_line_naming_the_columns(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    frame["twice_a"] = 2 * frame["a"]
    frame["y"] = frame["a"] + rng.normal(size=60)
    path = tmp_path / "collinear.csv"
    frame.to_csv(path, index=False)
    printed = run("train", path, "--target", "y", "--test-frac", "0",
                  "--out", tmp_path / "m.json")
    assert printed.returncode == 0, printed.stderr
    assert "summary: none:" in printed.stdout and "'a', 'twice_a' are collinear" in printed.stdout


def test_plot_coefficients_draws_a_model_files_summary(spector, tmp_path):
    from commandline import PNG

    path, _ = spector
    model = tmp_path / "m.json"
    run("train", path, "--target", "GRADE", "--out", model, "--quiet")
    drawn = run("plot", "coefficients", "--model", model, "--out", tmp_path / "c.png")
    assert drawn.returncode == 0, drawn.stderr
    assert (tmp_path / "c.png").read_bytes().startswith(PNG)
    chunks = tmp_path / "chunks.json"
    run("train", path, "--target", "GRADE", "--chunksize", "20", "--out", chunks, "--quiet")
    none = run("plot", "coefficients", "--model", chunks, "--out", tmp_path / "d.png")
    assert none.returncode == 1 and "holds no summary" in none.stderr
    cancer = run("plot", "coefficients", "--model", "logistic", "--out", tmp_path / "e.png")
    assert cancer.returncode == 2 and "separate the classes" in cancer.stderr


def test_the_summary_of_separated_classes_names_the_column_in_flag_words(tmp_path):
    rng = np.random.default_rng(0)
    dose = np.concatenate([rng.uniform(-2, -0.01, 100), np.zeros(20), rng.uniform(0.01, 2, 100)])
    frame = pd.DataFrame({"dose": dose, "noise": rng.normal(size=220),
                          "y": np.concatenate([np.zeros(100), rng.integers(0, 2, 20),
                                               np.ones(100)]).astype(int)})
    path = tmp_path / "doses.csv"
    frame.to_csv(path, index=False)
    printed = run("train", path, "--target", "y", "--test-frac", "0", "--out", tmp_path / "m.json")
    assert printed.returncode == 0, printed.stderr
    notes = printed.stdout.split("Notes:")[1]
    assert "quasi-completely separated: a boundary along column 'dose'" in notes
    assert "--alpha 1e-3" in notes and "alpha > 0" not in notes
    assert "quasi-completely separated" in printed.stderr          # the fit's warning too
