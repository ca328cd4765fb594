"""The command line as a newcomer meets it: every problem of a file in one run, targets
that are class labels, predictions that can be joined back, figures of one's own work,
and messages, exit codes and output in the command line's own words.

The commands run as subprocesses, as a user runs them.
"""

import csv
import io
import subprocess
import sys

import numpy as np
import pytest

from commandline import PNG, run




@pytest.fixture()
def people(tmp_path):
    """Identifiers that look like numbers, a feature, a class label."""
    rng = np.random.default_rng(0)
    m = 80
    age = rng.integers(20, 70, m)
    income = rng.normal(50, 10, m).round(2)
    buys = np.where(0.1 * (age - 45) + 0.2 * (income - 50) + rng.logistic(size=m) > 0,
                    "yes", "no")
    lines = ["id,age,income,buys"] + [f"{i:04d},{a},{x},{b}" for i, (a, x, b)
                                      in enumerate(zip(age, income, buys))]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_every_problem_of_a_file_is_named_in_one_run(tmp_path):
    path = tmp_path / "four.csv"
    path.write_text("id,age,income,score,empty,y\nA1,30,1000,5,,1.5\nA2,31,2000,x,,2.5\n"
                    "A3,,3000,6,,3.5\nA4,33,4000,7,,4.5\nA5,34,5000,8,,5.5\nA6,35,6000,9,,6.5\n")
    code, _, err = run("train", path, "--target", "y", "--out", tmp_path / "m.json")
    assert code == 1 and "has 4 problems" in err
    for fix in ("'x' (line 3)", "--exclude score", "--exclude empty", "--exclude id",
                "'age' (1 missing cell, on line 4)", "--missing drop"):
        assert fix in err
    assert not (tmp_path / "m.json").exists()
    code, out, err = run("train", path, "--target", "y", "--exclude", "id,score,empty",
                         "--missing", "drop", "--test-frac", "0", "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "1 feature, " not in out and "2 features" in out


def test_features_named_twice_and_unknown_exclusions_are_said_as_such(people, tmp_path):
    code, _, err = run("train", people, "--target", "buys", "--features", "age,age")
    assert code == 1 and "--features lists 'age' more than once" in err
    assert "duplicate column" not in err
    code, _, err = run("train", people, "--target", "buys", "--exclude", "idd")
    assert code == 1 and "--exclude column 'idd' not found" in err and "'id'" in err


@pytest.mark.parametrize("model", ["auto", "logistic"])
def test_a_three_class_target_is_classified_never_fitted_as_a_regression(tmp_path, model):
    rng = np.random.default_rng(1)
    kind = rng.integers(0, 3, 60)
    path = tmp_path / "iris.csv"
    path.write_text("a,b,kind\n" + "".join(f"{k + rng.normal():.3f},{rng.normal():.3f},{k}\n"
                                           for k in kind))
    out = tmp_path / "m.json"
    code, text, err = run("train", path, "--target", "kind", "--model", model, "--out", out)
    assert code == 0 and "model: LogisticClassifier (3 classes)" in text, err
    assert "confusion matrix" in text and "R2" not in text
    code, text, err = run("train", path, "--target", "kind", "--model", "linear", "--out", out)
    assert code == 0 and "LinearRegression" in text, err


def test_a_stray_value_in_a_two_class_code_is_named_with_its_line(tmp_path):
    rows = [f"{i / 10},{1 + i % 2}" for i in range(40)]
    rows[25] = "2.5,3"                                 # line 27: the header is line 1
    path = tmp_path / "grades.csv"
    path.write_text("x,grade\n" + "\n".join(rows) + "\n")
    code, _, err = run("train", path, "--target", "grade")
    assert code == 1 and "The value 3 appears on line 27 only" in err


def test_a_tiny_file_is_told_about_test_frac_not_stratify(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("a,y\n1,yes\n2,no\n")
    code, _, err = run("train", path, "--target", "y", "--out", tmp_path / "m.json")
    assert code == 1 and "--test-frac 0" in err and "stratify" not in err
    code, _, err = run("train", path, "--target", "y", "--test-frac", "0", "--alpha", "1",
                       "--out", tmp_path / "m.json")
    assert code == 0, err


def test_predict_keeps_identifiers_as_written_and_drops_rows_it_cannot_score(people, tmp_path):
    model = tmp_path / "m.json"
    code, _, err = run("train", people, "--target", "buys", "--exclude", "id", "--out", model)
    assert code == 0, err
    new = tmp_path / "new.csv"
    lines = people.read_text().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[1], "", 1)    # line 4: no age
    new.write_text("\n".join(lines) + "\n")
    code, _, err = run("predict", model, new)
    assert code == 1 and "--missing drop" in err
    code, out, err = run("predict", model, new, "--keep", "id", "--missing", "drop")
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 79 and table[0]["id"] == "0000" and table[2]["id"] == "0003"
    assert "dropped 1 row" in err and "line 4" in err
    code, out, err = run("predict", model, people, "--keep-all")
    assert code == 0, err
    header = out.splitlines()[0].split(",")
    assert header[:4] == ["id", "age", "income", "buys"] and "predicted_buys" in header
    assert out.splitlines()[1].startswith("0000,")
    code, _, err = run("predict", model, people, "--keep", "id", "--keep-all")
    assert code == 2 and "not both" in err


def test_swapped_arguments_are_named(people, tmp_path):
    model = tmp_path / "m.json"
    run("train", people, "--target", "buys", "--exclude", "id", "--out", model)
    code, _, err = run("predict", people, model)
    assert code == 2 and "look swapped" in err and err.startswith("usage: descend predict")
    copy = tmp_path / "people_copy"                     # a table without a .csv name
    copy.write_text(people.read_text())
    code, _, err = run("evaluate", copy, people)
    assert code == 1 and "looks like a CSV file, not a model file" in err
    assert "damaged" not in err and "descend train" in err


def test_plot_draws_a_users_own_model_and_data(people, tmp_path):
    model = tmp_path / "m.json"
    run("train", people, "--target", "buys", "--exclude", "id", "--out", model)
    for figure, extra in (("loss-curve", ()), ("fit", ("--data", people))):
        out = tmp_path / f"{figure}.png"
        code, text, err = run("plot", figure, "--model", model, *extra, "--out", out)
        assert code == 0, err
        assert out.read_bytes()[:8] == PNG and out.stat().st_size > 10_000
    for args, words in ((("surface", "--model", model),
                         "a model file draws loss-curve, coefficients, fit, roc or calibration"),
                        (("fit", "--data", people), "add --model MODEL.json"),
                        (("fit", "--model", model), "add --data DATA.csv")):
        code, _, err = run("plot", *args, "--out", tmp_path / "x.png")
        assert code == 2 and words in err and err.startswith("usage: descend plot")


@pytest.mark.parametrize("flag, value", [("--rows", "0"), ("--rows", "-5"), ("--features", "0"),
                                         ("--iter", "0")])
def test_loop_vs_vector_sizes_are_usage_errors(flag, value):
    code, _, err = run("explain", "loop-vs-vector", flag, value)
    assert code == 2 and "Traceback" not in err
    assert f"argument {flag}: {value!r} is not a whole number of at least 1" in err


def test_messages_use_the_command_lines_words(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("a,b,y\n1,2,3\n2,oops,4\n3,4,5\n4,5,6\n5,6,7\n")
    code, _, err = run("train", path, "--target", "y")
    assert code == 1 and "--exclude b" in err
    for library in ("features=", "exclude=", "sep=", "target=", "missing=", "descend.persist"):
        assert library not in err
    path.write_text("a,y\n1,\n2,\n")
    code, _, err = run("train", path, "--target", "y")
    assert code == 1 and "check that --target names the right column" in err


def test_fill_values_are_short_and_imputation_is_one_line_per_rule(tmp_path):
    path = tmp_path / "gaps.csv"
    rows = [f"{0.1 if i % 2 else 0.2},{i},{i % 5},{2 * i}" for i in range(21)]
    rows[4] = ",4,4,8"                  # the median of ten 0.1 and ten 0.2: 0.15000000000000002
    rows[5] = "0.1,,0,10"
    rows[6] = "0.2,6,,12"
    path.write_text("a,b,c,y\n" + "\n".join(rows) + "\n")
    code, out, err = run("train", path, "--target", "y", "--missing", "median",
                         "--test-frac", "0", "--out", tmp_path / "m.json")
    assert code == 0, err
    imputed = [line for line in out.splitlines() if "imputed" in line]
    assert len(imputed) == 1 and "in 3 columns with each column's median" in imputed[0]
    assert "'a' 0.15 (1)" in imputed[0]


def test_no_carriage_returns_or_broken_lines_when_output_is_not_a_terminal(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 4))
    path = tmp_path / "slow.csv"
    path.write_text("a,b,c,d,y\n" + "".join(
        f"{a:.4f},{b:.4f},{c:.4f},{d:.4f},{a + 1e-3 * b:.5f}\n" for a, b, c, d in x))
    code, out, err = run("train", path, "--target", "y", "--solver", "gd", "--max-iter", "3000",
                         "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "\r" not in err and "\r" not in out
    assert all(line.startswith(("descend: warning:", "  ")) for line in err.splitlines() if line)


def test_a_warning_does_not_run_into_the_progress_bar(capsys):
    import time

    from descend.cli.commands import _Progress
    from descend.cli.main import _warn_in_one_line
    from descend.models import Step

    bar = _Progress(total=30, quiet=False, terminal=True)
    time.sleep(1.1)
    bar(Step(1, 0.5, 1e-3, 0.1, np.zeros(2), 0.0))
    bar.bar.refresh()
    _warn_in_one_line(UserWarning("use solver='lbfgs' for this"), UserWarning, "f.py", 1)
    bar.close()
    err = capsys.readouterr().err
    at = err.index("descend: warning: use --solver lbfgs for this")
    assert err[at - 1] in "\r\n"                       # on a line of its own
    silent = _Progress(total=30, quiet=False, terminal=False)
    time.sleep(1.1)
    silent(Step(1, 0.5, 1e-3, 0.1, np.zeros(2), 0.0))
    silent.close()
    assert capsys.readouterr().err == ""


def test_a_reader_that_leaves_does_not_lose_the_model(people, tmp_path):
    model = tmp_path / "m.json"
    proc = subprocess.Popen([sys.executable, "-m", "descend", "train", people, "--target",
                             "buys", "--exclude", "id", "--out", model],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()                                # as `| head -0` would
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert model.exists() and b"Traceback" not in err


def test_info_does_not_import_scikit_learn(people, tmp_path):
    model = tmp_path / "m.json"
    run("train", people, "--target", "buys", "--exclude", "id", "--out", model)
    code = ("import sys; from descend.cli.main import main; main(['info', sys.argv[1]]); "
            "print('sklearn' in sys.modules, 'pandas' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, str(model)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "weights (2 features" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "False False"


def test_train_plot_names_the_data_and_model_and_one_feature_is_singular(tmp_path,
                                                                          monkeypatch, capsys):
    from descend import outputs
    from descend.cli.main import main

    path = tmp_path / "line.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i + (i % 3)}\n" for i in range(30)))
    drawn = []
    monkeypatch.setattr(outputs, "write_figure", lambda fig, out: drawn.append(fig))
    assert main(["train", str(path), "--target", "y", "--out", str(tmp_path / "m.json"),
                 "--plot", str(tmp_path / "loss.png"), "--quiet"]) == 0
    title = drawn[0].axes[0].get_title()
    assert " ".join(title.split()) == ("line.csv: LinearRegression on 'y', loss per iteration "
                                       "(newton)")     # wrapped to the figure's width
    ticks = drawn[0].axes[0].get_xticks()
    assert np.all(ticks == np.round(ticks))
    code = main(["train", str(path), "--target", "y", "--out", str(tmp_path / "m.json"),
                 "--force"])
    assert code == 0 and "1 feature, target 'y'" in capsys.readouterr().out


def test_class_labels_and_quantities_are_told_apart(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=40)
    owns = np.where(x + rng.normal(size=40) > 0, "yes", "no").astype(object)
    owns[17] = "maybe"                                 # line 19
    path = tmp_path / "owns.csv"
    path.write_text("x,owns\n" + "".join(f"{a:.3f},{o}\n" for a, o in zip(x, owns)))
    code, _, err = run("train", path, "--target", "owns")
    assert code == 1 and "The value 'maybe' appears on line 19 only" in err
    assert "Traceback" not in err
    flags = tmp_path / "flags.csv"
    flags.write_text("x,owns\n" + "".join(f"{a:.3f},{'TRUE' if o == 'yes' else 'FALSE'}\n"
                                          for a, o in zip(x, owns)))
    code, _, err = run("train", flags, "--target", "owns", "--model", "linear")
    assert code == 1 and "true/false, a class label" in err
    counts = tmp_path / "counts.csv"                   # eight whole numbers, none repeated
    counts.write_text("x,cases\n" + "".join(f"{i},{v}\n" for i, v in
                                            enumerate([60, 104, 3, 5, 7, 9, 11, 13])))
    code, out, err = run("train", counts, "--target", "cases", "--test-frac", "0",
                         "--out", tmp_path / "m.json")
    assert code == 0 and "model: LinearRegression" in out, err


def test_exclusions_add_up_and_a_row_counter_is_pointed_out(tmp_path):
    path = tmp_path / "rows.csv"
    rng = np.random.default_rng(4)
    x = rng.normal(size=30)
    path.write_text("OBS,name,note,x,y\n" + "".join(
        f"{i + 1},n{i},t{i},{a:.3f},{2 * a + rng.normal():.3f}\n" for i, a in enumerate(x)))
    code, _, err = run("train", path, "--target", "y")
    assert code == 1 and "To leave all of those columns out at once: --exclude name,note" in err
    code, out, err = run("train", path, "--target", "y", "--exclude", "name", "--exclude",
                         "note", "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "column 'OBS' numbers the rows (1, 2, ..., 30)" in err and "--exclude OBS" in err
    code, out, err = run("train", path, "--target", "y", "--exclude", "name,note",
                         "--exclude", "OBS", "--out", tmp_path / "m.json", "--force")
    assert code == 0 and "warning" not in err and "1 feature," in out, err


def test_a_model_file_given_to_train_and_info_in_flag_words(people, tmp_path):
    model = tmp_path / "m.json"
    run("train", people, "--target", "buys", "--exclude", "id", "--out", model)
    code, _, err = run("train", model, "--target", "buys")
    assert code == 2 and "looks like a model file" in err
    code, out, _ = run("info", model)
    assert code == 0 and "trained with: --solver auto --learning-rate auto --alpha 0.0" in out
    assert "=" not in out.split("weights")[0]


def test_a_bracket_in_a_column_name_is_said_not_crashed_on(tmp_path):
    path = tmp_path / "brackets.csv"
    path.write_text("weight [kg],name,y\n" + "".join(f",n{i},{i}\n" for i in range(40)))
    code, _, err = run("train", path, "--target", "y")
    assert code == 1 and "Traceback" not in err
    assert "--exclude 'weight [kg],name'" in err


def test_plot_fit_leaves_out_rows_it_cannot_score_when_asked(people, tmp_path):
    model = tmp_path / "m.json"
    run("train", people, "--target", "buys", "--exclude", "id", "--out", model)
    gaps = tmp_path / "gaps.csv"
    lines = people.read_text().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[2], "", 1)
    gaps.write_text("\n".join(lines) + "\n")
    code, _, err = run("plot", "fit", "--model", model, "--data", gaps, "--out", tmp_path / "f.png")
    assert code == 1 and "--missing drop" in err
    code, _, err = run("plot", "fit", "--model", model, "--data", gaps, "--missing", "drop",
                       "--out", tmp_path / "f.png")
    assert code == 0, err


def test_explain_without_a_topic_lists_the_topics():
    code, _, err = run("explain")
    assert code == 2 and "{chain-rule,coin-toss,newton,loop-vs-vector,gradient-check,batches,slips,classes,lasso}" in err
