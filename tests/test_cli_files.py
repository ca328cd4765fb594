"""The command line on files as people write them: delimiters, quotes, decimal commas,
encodings, byte order marks; read the same way at training and prediction.

Every test runs the real command as a subprocess. One table is written in each
dialect; the model trained on any of them must equal the model trained on the
plain comma file (the reference), and predict, evaluate and info must read
them back with no flag repeated.
"""

import json

import numpy as np
import pytest

from commandline import run

M = 60



def _rows():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=M).round(3), rng.normal(size=M).round(3)
    price = (2 * a - b + rng.normal(size=M)).round(3)
    return [[f"{x:.3f}", f"{z:.3f}", f"{p:.3f}"] for x, z, p in zip(a, b, price)]


def write(path, sep, rows, header=("a", "b", "price"), encoding="utf-8", bom=b""):
    text = sep.join(header) + "\n" + "".join(sep.join(r) + "\n" for r in rows)
    path.write_bytes(bom + text.encode(encoding))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("dialects")
    rows = _rows()
    comma = [[c.replace(".", ",") for c in r] for r in rows]
    return {
        "comma": write(d / "comma.csv", ",", rows),
        "semicolon": write(d / "semicolon.csv", ";", rows),
        "tab": write(d / "tab.tsv", "\t", rows),
        "pipe": write(d / "pipe.csv", "|", rows),
        "space": write(d / "space.txt", "   ", rows),
        "bom": write(d / "bom.csv", ",", rows, bom=b"\xef\xbb\xbf"),
        "decimal": write(d / "decimal.csv", ";", comma),
        "quoted": write(d / "quoted.csv", ",", rows, header=("'a'", "'b'", "'price'")),
        "dir": d,
    }


def train(path, out, *flags):
    code, stdout, err = run("train", path, "--target", "price", "--out", out, "--force",
                            "--test-frac", "0", *flags)
    assert code == 0, err
    return stdout, json.loads(out.read_text())


@pytest.fixture(scope="module")
def reference(files):
    _, doc = train(files["comma"], files["dir"] / "comma.json")
    return doc


@pytest.mark.parametrize("kind, shown", [("semicolon", "';'"), ("tab", "tab"), ("pipe", "'|'"),
                                         ("space", "whitespace"), ("bom", "','")])
def test_the_delimiter_is_detected_said_and_kept_for_predict(files, reference, kind, shown):
    model = files["dir"] / f"{kind}.json"
    out, doc = train(files[kind], model)
    assert f"delimiter {shown} (detected)" in out
    np.testing.assert_allclose(doc["coef"], reference["coef"], rtol=1e-12)
    assert doc["training_data"]["csv"]["sep"] == {"semicolon": ";", "tab": "\t", "pipe": "|",
                                                  "space": "whitespace", "bom": ","}[kind]
    code, preds, err = run("predict", model, files[kind])
    assert code == 0, err
    lines = preds.strip().splitlines()
    assert lines[0] == "predicted_price" and len(lines) == M + 1
    code, shown_info, _ = run("info", model)
    assert code == 0 and "reads new files with delimiter" in shown_info


@pytest.mark.parametrize("spelling", ["\\t", "tab", "\\\\t"])
def test_a_tab_is_accepted_however_it_is_typed(files, reference, spelling):
    _, doc = train(files["tab"], files["dir"] / "tab-typed.json", "--sep", spelling)
    np.testing.assert_allclose(doc["coef"], reference["coef"], rtol=1e-12)


@pytest.mark.parametrize("flag, value", [("--sep", ";;"), ("--encoding", "rot13"),
                                         ("--quote", "ab")])
def test_a_bad_reading_flag_is_a_usage_error_of_train(files, flag, value):
    code, _, err = run("train", files["comma"], "--target", "price", flag, value)
    assert code == 2
    assert err.startswith("usage: descend train") and f"argument {flag}" in err
    assert "Traceback" not in err


def test_decimal_commas_are_named_then_read_with_decimal_and_kept(files, reference):
    model = files["dir"] / "decimal.json"
    code, _, err = run("train", files["decimal"], "--target", "price", "--out", model)
    assert code == 1 and err.count("\n") == 1          # a, b and price: one problem, one fix
    assert ("columns 'price', 'a', 'b' hold numbers written with decimal commas (3,5), read "
            "as text: pass --decimal ,") in err
    out, doc = train(files["decimal"], model, "--decimal", ",")
    assert "decimal mark ','" in out
    np.testing.assert_allclose(doc["coef"], reference["coef"], rtol=1e-12)
    code, text, err = run("evaluate", model, files["decimal"])      # no --decimal again
    assert code == 0, err
    assert "R2" in text
    code, preds, err = run("predict", model, files["decimal"], "--keep-all")
    assert code == 0, err
    header, first = preds.splitlines()[:2]            # written as the input: ';' and ','
    written = files["decimal"].read_text().splitlines()[1]
    assert header == "a;b;price;predicted_price" and first.startswith(written + ";")
    predicted = float(first.split(";")[-1].replace(",", "."))
    a, b = (float(v.replace(",", ".")) for v in written.split(";")[:2])
    assert predicted == pytest.approx(reference["intercept"] + reference["coef"][0] * a
                                      + reference["coef"][1] * b, rel=1e-9)


def test_a_point_in_a_decimal_comma_file_is_refused_with_its_line(files):
    path = files["dir"] / "thousands.csv"
    path.write_text("a;price\n1,5;2\n1.234,5;3\n7;4\n")
    code, _, err = run("train", path, "--target", "price", "--decimal", ",")
    assert code == 1 and "'1.234,5' (line 3)" in err and "thousands separator" in err


def test_single_quoted_names_are_detected_or_read_with_quote(files, reference):
    out, doc = train(files["quoted"], files["dir"] / "quoted.json")
    assert "quote \"'\"" in out and doc["feature_names"] == ["a", "b"]
    np.testing.assert_allclose(doc["coef"], reference["coef"], rtol=1e-12)
    code, _, err = run("train", files["quoted"], "--target", "price", "--quote", '"')
    assert code == 1 and "--quote \"'\"" in err         # told to, when told otherwise
    double = files["dir"] / "double.csv"
    double.write_text(files["comma"].read_text().replace("a,b,price", '"a","b","price"', 1))
    code, _, err = run("predict", files["dir"] / "quoted.json", double)
    assert code == 1 and "pass --quote '\"'" in err     # the model reads with ', this file "


def test_latin_1_text_levels_are_read_back_with_the_saved_encoding(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=40)
    season = np.where(rng.random(40) < 0.5, "été", "hiver")
    y = 2 * x + (season == "été") + rng.normal(0, 0.1, 40)
    path = tmp_path / "saisons.csv"
    path.write_bytes(("x;saison;prix\n" + "".join(
        f"{a:.3f};{s};{b:.3f}\n" for a, s, b in zip(x, season, y))).encode("latin-1"))
    code, _, err = run("train", path, "--target", "prix", "--out", tmp_path / "m.json")
    assert code == 1 and "--encoding latin-1" in err
    code, out, err = run("train", path, "--target", "prix", "--encoding", "latin-1",
                         "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "'saison=été'" in out or "'saison=hiver'" in out
    code, preds, err = run("predict", tmp_path / "m.json", path)
    assert code == 0, err
    assert len(preds.strip().splitlines()) == 41
    utf8 = tmp_path / "saisons-utf8.csv"
    utf8.write_text(path.read_bytes().decode("latin-1"), encoding="utf-8")
    code, _, err = run("predict", tmp_path / "m.json", utf8)
    assert code == 1 and "reads as UTF-8" in err and "pass --encoding utf-8" in err


def test_another_delimiter_that_would_match_is_named(files):
    given = files["dir"] / "semicolon-given.json"
    train(files["semicolon"], given, "--sep", ";")
    code, _, err = run("predict", given, files["comma"])
    assert code == 1
    assert "delimiter ';' (as given to descend train)" in err and "pass --sep ," in err
    assert "lacks" not in err
    code, _, err = run("predict", given, files["comma"], "--sep", ",")
    assert code == 0, err
    detected = files["dir"] / "semicolon-detected.json"
    train(files["semicolon"], detected)                # detected in training: detected again
    code, preds, err = run("predict", detected, files["comma"])
    assert code == 0 and len(preds.strip().splitlines()) == M + 1, err


def test_year_headers_are_column_names(tmp_path):
    path = tmp_path / "years.csv"
    rng = np.random.default_rng(0)
    v = rng.normal(size=(30, 3)).round(3)
    path.write_text("2019,2020,2021\n" + "".join(f"{a},{b},{a + b + c / 10:.3f}\n"
                                                 for a, b, c in v))
    code, out, err = run("train", path, "--target", "2021", "--out", tmp_path / "m.json")
    assert code == 0, err
    assert "2 features, target '2021'" in out
