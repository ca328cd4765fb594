"""Stochastic descent from the command line: --solver sgd, --chunksize streaming through
partial_fit, the batches and slips topics and figures. The commands run as subprocesses."""

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from commandline import PNG, run
from descend import LogisticClassifier
from descend.tables.csvfile import read_csv, read_csv_chunks
from descend.tables.data import DataContainer


@pytest.fixture()
def patients(tmp_path):
    """400 rows: two numeric features, a category, a yes/no target; classes mixed."""
    rng = np.random.default_rng(0)
    m = 400
    age = rng.normal(50, 10, m).round(1)
    dose = rng.normal(5, 2, m).round(2)
    site = rng.choice(["north", "south", "east"], m)
    z = 0.1 * (age - 50) + 0.8 * (dose - 5) + (site == "north") + rng.logistic(size=m)
    frame = pd.DataFrame({"age": age, "dose": dose, "site": site,
                          "outcome": np.where(z > 0, "yes", "no")})
    path = tmp_path / "patients.csv"
    frame.to_csv(path, index=False)
    return path


def test_chunks_are_read_as_the_whole_file_is(patients):
    whole = read_csv(patients).frame
    chunks = list(read_csv_chunks(patients, 150))
    assert [len(c.frame) for c in chunks] == [150, 150, 100]
    joined = pd.concat([c.frame for c in chunks])
    pd.testing.assert_frame_equal(joined, whole)            # line numbers and values
    assert list(joined.index[:2]) == [2, 3] and joined.index[-1] == 401


def test_a_bad_line_in_a_later_chunk_is_named(tmp_path):
    path = tmp_path / "late.csv.gz"
    lines = ["x,y"] + [f"{i},{i % 2}" for i in range(300)] + ["1,2,3"]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    chunks = read_csv_chunks(path, 100)
    for _ in range(3):
        next(chunks)
    with pytest.raises(Exception, match="line 302 has 3"):
        next(chunks)


def test_chunksize_trains_as_partial_fit_over_the_same_chunks(patients, tmp_path):
    code, out, err = run("train", patients, "--target", "outcome", "--chunksize", 100,
                         "--no-shuffle", "--test-frac", 0, "--batch-size", 10,
                         "--learning-rate", 0.05, "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "streaming: chunks of 100 rows through partial_fit, 1 pass" in out
    assert "trained on 400 rows (4 chunks in all), 0 rows held out" in out
    saved = json.loads((tmp_path / "m.json").read_text())
    data = DataContainer.from_csv(patients, "outcome")
    X = pd.DataFrame(data.X, columns=data.feature_names)
    y = np.where(data.y == "yes", "yes", "no")
    model = LogisticClassifier(batch_size=10, learning_rate=0.05)
    for start in range(0, 400, 100):
        model.partial_fit(X.iloc[start:start + 100], y[start:start + 100], classes=["no", "yes"])
    np.testing.assert_allclose(saved["coef"], model.coef_[0], rtol=1e-12)
    assert saved["params"]["batch_size"] == 10 and saved["fit"]["stop_reason"] == "partial_fit"
    code, preds, err = run("predict", tmp_path / "m.json", patients)
    assert code == 0, err
    assert len(preds.strip().splitlines()) == 401


def test_chunksize_holds_out_rows_and_scores_them(patients, tmp_path):
    code, out, err = run("train", patients, "--target", "outcome", "--chunksize", 120,
                         "--max-iter", 5, "--average", "--out", tmp_path / "m.json",
                         "--plot", tmp_path / "loss.png")
    assert code == 0, err
    trained, held = map(int, __import__("re").search(
        r"trained on (\d+) rows .* (\d+) rows held out", out).groups())
    assert trained + held == 400 and 50 < held < 110
    accuracy = float(out.split("accuracy")[1].split()[0])
    assert accuracy > 0.7
    assert (tmp_path / "loss.png").read_bytes().startswith(PNG)


@pytest.mark.parametrize("lines, words", [
    (["x,y"] + [f"{i},a" for i in range(100)] + [f"{i},b" for i in range(100)],
     "single value, 'a'.*the first chunk, lines 2-101, decides"),
    (["x,y"] + [f"{i},{'ab'[i % 2]}" for i in range(100)] + ["5,c"],
     "line 102: target 'y' is 'c', a class the first chunk did not show"),
    (["x,y"] + [f"{i},{'ab'[i % 2]}" for i in range(100)] + ["five,a"],
     "line 102"),
])
def test_what_a_stream_cannot_learn_is_named_with_its_line(tmp_path, lines, words):
    path = tmp_path / "stream.csv"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run("train", path, "--target", "y", "--model", "logistic",
                         "--chunksize", 100, "--test-frac", 0, "--out", tmp_path / "m.json")
    assert code == 1
    assert __import__("re").search(words, err), err
    assert "Traceback" not in err


def test_chunksize_needs_a_stochastic_solver(patients):
    code, out, err = run("train", patients, "--target", "outcome", "--chunksize", 100,
                         "--solver", "newton")
    assert code == 2 and "--chunksize streams the file through partial_fit" in err


def test_solver_sgd_from_the_command_line(patients, tmp_path):
    code, out, err = run("train", patients, "--target", "outcome", "--solver", "sgd",
                         "--batch-size", 8, "--average", "--max-iter", 30, "--schedule",
                         "constant", "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "solver 'sgd', 30 epochs" in out
    code, info, err = run("info", tmp_path / "m.json")
    assert "--solver sgd" in info and "--batch-size 8 --schedule constant --average" in info


def test_explain_slips_and_batches():
    code, out, err = run("explain", "slips", "--iter", 30)
    assert code == 0, err
    for line in ("b = b - alpha * b", "dz += a - y", "dw, db not divided by m"):
        assert line in out
    code, out, err = run("explain", "slips", "--learning-rate", "auto")
    assert code == 1 and "give --learning-rate a number" in err
    code, out, err = run("explain", "batches")
    assert code == 0, err
    assert "stochastic (1 row)" in out and "20640" in out


@pytest.mark.parametrize("figure", ["batch-paths", "slips"])
def test_the_batch_and_slip_figures(tmp_path, figure):
    code, out, err = run("plot", figure, "--out", tmp_path / "f.png")
    assert code == 0, err
    assert (tmp_path / "f.png").read_bytes().startswith(PNG)


@pytest.mark.parametrize("frac", ["0.97", "0.02"])
def test_chunks_that_hold_out_every_row_or_none(tmp_path, frac):
    rng = np.random.default_rng(8)
    x = rng.normal(size=203)
    path = tmp_path / "small.csv"
    path.write_text("x,y\n" + "".join(f"{a:.4f},{2 * a + 1:.4f}\n" for a in x))
    code, out, err = run("train", path, "--target", "y", "--chunksize", 20, "--test-frac", frac,
                         "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "Traceback" not in err and (tmp_path / "m.json").exists()


def test_a_chunk_must_hold_twenty_rows(patients):
    code, out, err = run("train", patients, "--target", "outcome", "--chunksize", 5)
    assert code == 2 and "--chunksize 5: a chunk must hold at least 20 rows" in err


def test_explain_slips_at_a_rate_that_blows_up():
    code, out, err = run("explain", "slips", "--learning-rate", 10, "--iter", 20)
    assert code == 0 and not err, err
    rows = [line for line in out.splitlines() if line.startswith(("the material", "b = b", "dz +=",
                                                                  "dw, db"))]
    assert len(rows) == 4 and all(len(row.split()) >= 4 for row in rows)
