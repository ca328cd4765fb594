"""The descend command, run as a user runs it: a subprocess on files we write."""

import re
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from commandline import PNG, run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def houses(tmp_path):
    rng = np.random.default_rng(0)
    m = 300
    size = rng.uniform(40, 200, m)
    rooms = rng.integers(1, 6, m)
    town = rng.choice(["north", "south", "east"], m)
    price = 1000 * size + 5000 * rooms + np.where(town == "north", 20000, 0) + rng.normal(0, 5000, m)
    lines = ["size,rooms,town,price"]
    lines += [f"{s:.1f},{r},{t},{p:.0f}" for s, r, t, p in zip(size, rooms, town, price)]
    lines[5] = lines[5].replace(f",{town[4]},", ",,")     # one missing town cell (row 4)
    path = tmp_path / "houses.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def patients(tmp_path):
    rng = np.random.default_rng(1)
    m = 200
    a, b = rng.normal(size=m), rng.normal(size=m)
    sick = np.where(a + 0.5 * b + rng.logistic(scale=0.5, size=m) > 0, "yes", "no")
    path = tmp_path / "patients.csv"
    path.write_text("a,b,sick\n" + "".join(f"{x:.4f},{y:.4f},{s}\n" for x, y, s in zip(a, b, sick)))
    return path


def test_demo_end_to_end(tmp_path):
    code, out, err = run("demo", "--out", tmp_path / "figs")
    assert code == 0, err
    assert "Housing prices -> LinearRegression" in out and "R2" in out and "RMSE" in out
    assert "separate the classes perfectly" in out and "alpha=0.001" in out
    assert re.search(r"accuracy\s+0\.9\d", out)
    assert re.search(r"imputed 207 missing cells of 'total_bedrooms'", out)
    pngs = sorted((tmp_path / "figs").glob("*.png"))
    assert [p.name for p in pngs] == ["cancer_fit.png", "cancer_loss.png",
                                      "housing_fit.png", "housing_loss.png"]
    assert all(p.read_bytes()[:8] == PNG and p.stat().st_size > 10_000 for p in pngs)
    assert all(str(p) in out for p in pngs)
    code, _, err = run("demo", "--out", tmp_path / "figs")      # its own files: rewritten
    assert code == 0, err


def test_demo_does_not_overwrite_a_users_file(tmp_path):
    mine = tmp_path / "housing_loss.png"
    mine.write_text("my own figure")
    code, out, err = run("demo", "--out", tmp_path)
    assert code == 1
    assert err.startswith("descend: error:") and "was not written by descend" in err
    assert "Traceback" not in err and mine.read_text() == "my own figure"
    assert run("demo", "--out", tmp_path, "--force")[0] == 0


def test_train_predict_evaluate_info_linear(tmp_path, houses):
    model = tmp_path / "price.json"
    code, out, err = run("train", houses, "--target", "price", "--missing", "drop",
                         "--out", model, "--plot", tmp_path / "loss.png", cwd=tmp_path)
    assert code == 0, err
    assert "dropped 1 row" in out or "dropped 1" in out
    r2 = float(re.search(r"R2\s+([-\d.]+)", out).group(1))
    assert r2 > 0.95
    assert "model: LinearRegression" in out and model.exists()
    assert (tmp_path / "loss.png").read_bytes()[:8] == PNG

    new = tmp_path / "new.csv"
    new.write_text("town,size,rooms\nnorth,100,3\nsouth,50,1\n")
    code, out, err = run("predict", model, new)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "predicted_price" and len(lines) == 3
    first, second = float(lines[1]), float(lines[2])
    assert first == pytest.approx(100_000 + 15_000 + 20_000, rel=0.05)
    assert second == pytest.approx(50_000 + 5_000, rel=0.1)

    code, out, err = run("evaluate", model, houses)
    assert code == 1 and "missing" in err                # the held-out cell is still empty

    code, out, err = run("info", model)
    assert code == 0 and "LinearRegression" in out and "town=south" in out and "(intercept)" in out


def test_train_logistic_auto_and_predict_probabilities(tmp_path, patients):
    model = tmp_path / "sick.json"
    code, out, err = run("train", patients, "--target", "sick", "--out", model, "--quiet")
    assert code == 0, err
    assert "accuracy" in out and "data:" not in out          # --quiet: no narration
    out_csv = tmp_path / "preds.csv"
    code, out, err = run("predict", model, patients, "--out", out_csv)
    assert code == 0, err
    header, *rows = out_csv.read_text().strip().splitlines()
    assert header == "predicted_sick,probability_no,probability_yes" and len(rows) == 200
    p = np.array([[float(v) for v in row.split(",")[1:]] for row in rows])
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    code, out, err = run("evaluate", model, patients)
    assert code == 0 and float(re.search(r"accuracy\s+([\d.]+)", out).group(1)) > 0.7


def test_bad_usage_exits_2(houses):
    assert run("train", houses)[0] == 2                      # no --target
    assert run("fly")[0] == 2
    assert run("train", houses, "--target", "price", "--model", "tree")[0] == 2


def test_data_errors_exit_1_with_one_clear_line(tmp_path, houses):
    code, out, err = run("train", houses, "--target", "prize", cwd=tmp_path)
    assert code == 1 and err.startswith("descend: error:") and "price" in err
    assert "Traceback" not in err
    code, _, err = run("train", houses, "--target", "prize", "--debug", cwd=tmp_path)
    assert code != 0 and "Traceback" in err
    code, _, err = run("predict", tmp_path / "nope.json", houses)
    assert code == 1 and "no such file" in err
    code, _, err = run("train", houses, "--target", "price", "--missing", "drop",
                       "--solver", "gd", "--learning-rate", "10", cwd=tmp_path)
    assert code == 1 and "largest stable rate" in err


def test_train_never_overwrites_a_users_file(tmp_path, houses):
    mine = tmp_path / "model.json"
    mine.write_text("{}")
    code, _, err = run("train", houses, "--target", "price", "--missing", "drop", cwd=tmp_path)
    assert code == 1 and "--force" in err and mine.read_text() == "{}"
    assert run("train", houses, "--target", "price", "--missing", "drop", "--force",
               cwd=tmp_path)[0] == 0


@pytest.mark.parametrize("command, words", [
    ("demo", ["--out", "--force", "--debug"]),
    ("train", ["--target", "--features", "--model", "--solver", "--learning-rate", "--max-iter",
               "--tol", "--alpha", "--test-frac", "--seed", "--missing", "--out", "--plot",
               "--force", "--quiet", "--debug", "--sep", "--encoding"]),
    ("predict", ["MODEL.json", "DATA.csv", "--out", "--force", "--sep", "--encoding"]),
    ("evaluate", ["MODEL.json", "DATA.csv", "--sep", "--encoding"]),
    ("explain", ["chain-rule", "coin-toss", "newton", "loop-vs-vector", "gradient-check"]),
    ("info", ["MODEL.json"]),
])
def test_help_is_complete(command, words):
    code, out, _ = run(command, "--help")
    assert code == 0 and all(w in out for w in words)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'pip install -e ".[test]" && pytest'
    assert command in readme and command in ci
    assert "pip install -e . && descend demo" in readme


def test_progress_bar_shows_the_live_loss_after_a_second(capsys):
    import time

    from descend.cli.commands import _Progress
    from descend.models import Step
    bar = _Progress(total=30, quiet=False, terminal=True)
    time.sleep(1.1)                        # the bar waits a second before it appears
    for k in range(1, 21):
        bar(Step(k, 0.5 / k, 1e-3, 0.1, np.zeros(2), 0.0))
    bar.bar.refresh()
    bar.close()
    err = capsys.readouterr().err
    assert "descending" in err and "loss=0.025" in err
    quiet = _Progress(total=30, quiet=True)
    quiet(Step(1, 1.0, 1.0, 1.0, np.zeros(2), 0.0))
    quiet.close()
    assert capsys.readouterr().err == ""


def test_explain_commands():
    code, out, err = run("explain", "chain-rule")
    assert code == 0, err
    assert out.count("closed form (a - y) * x[0]") == 2 and "both products are (a - y) * x" in out
    code, out, _ = run("explain", "coin-toss", "7", "10")
    assert code == 0 and "largest at p = 0.7000" in out
    code, out, _ = run("explain", "loop-vs-vector", "--rows", "200", "--iter", "3")
    assert code == 0 and "faster" in out
    code, out, _ = run("explain", "newton", "--model", "linear")
    assert code == 0 and "w = 1.932203, b = 1.152542" in out        # np.polyfit(x, y, 1)
    assert "lands on the optimum" in out
    code, out, _ = run("explain", "gradient-check")
    values = [float(v) for v in re.findall(r"central differences ([\d.e+-]+)", out)]
    assert code == 0 and len(values) == 2 and max(values) < 1e-5
    code, _, err = run("explain", "coin-toss", "13", "12")
    assert code == 1 and "heads must be a whole number from 0 to tosses=12" in err


def test_a_failed_run_never_claims_a_name(tmp_path, houses):
    args = ("train", houses, "--target", "price", "--missing", "drop", "--out", "m.json")
    code, _, err = run(*args, "--solver", "gd", "--learning-rate", "10", cwd=tmp_path)
    assert code == 1 and not (tmp_path / "m.json").exists()
    (tmp_path / "m.json").write_text("my notes")
    assert run(*args, cwd=tmp_path)[0] == 1 and (tmp_path / "m.json").read_text() == "my notes"


def test_a_file_changed_by_the_user_is_theirs(tmp_path, houses):
    args = ("train", houses, "--target", "price", "--missing", "drop", "--out", "m.json")
    assert run(*args, cwd=tmp_path)[0] == 0
    assert run(*args, cwd=tmp_path)[0] == 0                  # descend's own file: rewritten
    (tmp_path / "m.json").write_text("edited by hand")
    code, _, err = run(*args, cwd=tmp_path)
    assert code == 1 and "was not written by descend" in err
    assert (tmp_path / "m.json").read_text() == "edited by hand"


@pytest.mark.parametrize("bad", [["--test-frac", "1.5"], ["--alpha", "-1"], ["--max-iter", "0"],
                                 ["--tol", "nan"], ["--learning-rate", "abc"],
                                 ["--solver", "lbfgs", "--learning-rate", "0.1"],
                                 ["--solver", "newton", "--learning-rate", "0.1"],
                                 ["--plot", "loss.xyz"]])
def test_bad_values_are_usage_errors(tmp_path, houses, bad):
    code, _, err = run("train", houses, "--target", "price", *bad, cwd=tmp_path)
    assert code == 2 and "usage:" in err and "Traceback" not in err


def test_evaluate_refuses_labels_the_model_never_saw(tmp_path, patients):
    model = tmp_path / "m.json"
    assert run("train", patients, "--target", "sick", "--out", model, "--quiet")[0] == 0
    other = tmp_path / "other.csv"
    other.write_text("a,b,sick\n0.1,0.2,yes\n0.3,-1,maybe\n")
    code, _, err = run("evaluate", model, other)
    assert code == 1 and "'maybe' are not among the model's classes" in err


def test_tampered_model_file_and_broken_pipe(tmp_path, patients):
    model = tmp_path / "m.json"
    assert run("train", patients, "--target", "sick", "--out", model, "--quiet")[0] == 0
    # Two ways a reader leaves early, both with stdout block-buffered as it is without
    # PYTHONUNBUFFERED: the output fits the pipe (8 KiB) and its last block is written
    # after the command returns; or the output is far beyond the pipe's 64 KiB and
    # the write fails while descend still writes.
    rows = patients.read_text().splitlines()
    many = tmp_path / "many.csv"
    many.write_text("\n".join(rows[:1] + rows[1:] * 40) + "\n")
    env = {key: val for key, val in os.environ.items() if key != "PYTHONUNBUFFERED"}
    for data in (patients, many):
        proc = subprocess.run(
            ["bash", "-c", f'"{sys.executable}" -m descend predict "{model}" "{data}" | head -1; '
                           'echo "descend exited with ${PIPESTATUS[0]}" >&2'],
            capture_output=True, text=True, timeout=120, env=env)
        assert proc.stdout.strip() == "predicted_sick,probability_no,probability_yes"
        assert proc.stderr.strip().splitlines()[-1] == "descend exited with 0", proc.stderr
        assert not re.search("Traceback|BrokenPipe|Exception ignored", proc.stderr), proc.stderr
    model.write_text(model.read_text().replace('"stop_reason": "converged"', '"stop_reason": "zzz"'))
    code, _, err = run("info", model)
    assert code == 1 and "stop_reason" in err and "Traceback" not in err


def test_semicolons_and_integer_labels(tmp_path):
    data = tmp_path / "semi.csv"
    rows = [f"{x};{(x * 7) % 5 - 2};{int(x * 7 % 5 > 2)}" for x in range(40)]
    data.write_text("a;b;y\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.json"
    code, _, err = run("train", data, "--target", "y", "--sep", ";", "--out", model, "--quiet",
                       "--alpha", "0.01")
    assert code == 0, err
    code, out, _ = run("predict", model, data, "--sep", ";")
    assert code == 0
    assert out.splitlines()[0] == "predicted_y;probability_0;probability_1"   # as the input
    assert set(line.split(";")[0] for line in out.splitlines()[1:]) <= {"0", "1"}


def test_demo_refuses_a_file_as_its_folder_before_any_work(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    code, out, err = run("demo", "--out", target)
    assert code == 1 and "is a file" in err and out == "" and target.read_text() == "mine"


@pytest.mark.parametrize("figure, extra", [("surface", ["--model", "logistic"]),
                                           ("learning-rates", []), ("boundaries", []),
                                           ("sigmoid", []), ("loss-curve", ["--data", "cancer"]),
                                           ("solver-paths", ["--model", "logistic"]),
                                           ("loss-curve", ["--solver", "newton"])])
def test_plot_writes_every_figure(tmp_path, figure, extra):
    code, out, err = run("plot", figure, *extra, cwd=tmp_path)
    assert code == 0, err
    path = tmp_path / f"{figure}.png"
    assert path.read_bytes()[:8] == PNG and str(path.name) in out
    assert run("plot", figure, "--out", "x.txt", cwd=tmp_path)[0] == 2


def test_advice_is_given_in_command_line_words(tmp_path):
    data = tmp_path / "holes.csv"
    data.write_text("a,b,y\n1,2,3\n2,,5\n3,4,7\n4,5,9\n")
    code, _, err = run("train", data, "--target", "y", cwd=tmp_path)
    assert code == 1 and "--missing drop" in err and "missing='drop'" not in err


# -- nothing lost: outputs never over inputs, written all at once ------------------------

@pytest.mark.parametrize("args, message", [
    (["predict", "{model}", "{data}", "--out", "{model}"],
     "--out .*m.json is the same file as MODEL.json .*m.json: writing it would destroy MODEL.json"),
    (["predict", "{model}", "{data}", "--out", "{data}"], "is the same file as DATA.csv"),
    (["predict", "{model}", "{data}", "--out", "{alias}"], "is the same file as MODEL.json"),
    (["train", "{data}", "--target", "sick", "--out", "{data}"], "is the same file as DATA.csv"),
    (["train", "{data}", "--target", "sick", "--out", "{other}", "--plot", "{other}"],
     "--plot .*x.json is the same file as --out .*x.json: one would overwrite the other"),
])
def test_no_command_writes_over_its_own_inputs(tmp_path, patients, args, message):
    model = tmp_path / "m.json"
    assert run("train", patients, "--target", "sick", "--out", model, "--quiet")[0] == 0
    (tmp_path / "alias.json").symlink_to(model)
    before = {p: p.read_bytes() for p in (model, patients)}
    names = {"model": model, "data": patients, "alias": tmp_path / "alias.json",
             "other": tmp_path / "x.json"}
    code, out, err = run(*[a.format(**names) for a in args], "--force")
    assert code == 2 and re.search(message, err), err
    assert "Traceback" not in err and not (tmp_path / "x.json").exists()
    assert {p: p.read_bytes() for p in before} == before


def _big_copy(patients, tmp_path, repeat):
    rows = patients.read_text().splitlines()
    big = tmp_path / "big.csv"
    big.write_text("\n".join(rows[:1] + rows[1:] * repeat) + "\n")
    return big


def _temporary_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _wait_for_partial_output(proc, folder, name):
    """Poll until ``proc`` has written part of ``name``'s temporary file."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        for tmp in folder.glob(f".{name}.descend-*.tmp"):
            try:
                if tmp.stat().st_size > 0:
                    return True
            except FileNotFoundError:
                pass
        time.sleep(0.002)
    return False


@pytest.mark.parametrize("how", ["kill", "terminate"])
def test_a_killed_predict_leaves_the_previous_output_whole(tmp_path, patients, how):
    model, out = tmp_path / "m.json", tmp_path / "preds.csv"
    assert run("train", patients, "--target", "sick", "--out", model, "--quiet")[0] == 0
    assert run("predict", model, patients, "--out", out)[0] == 0
    before = out.read_bytes()
    big = _big_copy(patients, tmp_path, 2000)                         # 400,000 rows
    proc = subprocess.Popen([sys.executable, "-m", "descend", "predict", str(model), str(big),
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    caught = _wait_for_partial_output(proc, tmp_path, "preds.csv")
    getattr(proc, how)()
    _, err = proc.communicate(timeout=60)
    assert caught, "predict ended before it was caught writing"
    assert out.read_bytes() == before
    if how == "terminate":                    # SIGTERM unwinds: nothing is left behind
        assert proc.returncode == 128 + 15 and _temporary_files(tmp_path) == []
        assert b"Traceback" not in err
    # The next run knows the file as descend's (no --force), and removes what a kill left.
    code, _, err = run("predict", model, patients, "--out", out)
    assert code == 0, err
    assert out.read_bytes() == before and _temporary_files(tmp_path) == []


def test_a_write_that_fails_part_way_leaves_the_previous_output(tmp_path, patients):
    import resource

    model, out = tmp_path / "m.json", tmp_path / "preds.csv"
    assert run("train", patients, "--target", "sick", "--out", model, "--quiet")[0] == 0
    assert run("predict", model, patients, "--out", out)[0] == 0
    before = out.read_bytes()
    big = _big_copy(patients, tmp_path, 1000)               # about 5 MB of predictions

    def small_files():                                      # as `ulimit -f 1024`: a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    proc = subprocess.run([sys.executable, "-m", "descend", "predict", str(model), str(big),
                           "--out", str(out)], capture_output=True, text=True, timeout=300,
                          preexec_fn=small_files)
    assert proc.returncode == 1 and "File too large" in proc.stderr, proc.stderr
    assert out.read_bytes() == before and _temporary_files(tmp_path) == []
