"""Reading CSV files: decoding, line numbers, and every kind of malformed file."""

import gzip
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descend.tables import csvfile
from descend.tables.csvfile import read_csv
from descend.tables.data import DataContainer
from descend.errors import DataError


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# ------------------------------------------------------------- good files
def test_cells_are_text_indexed_by_line(tmp_path):
    path = write(tmp_path, 'a, note ,y\n\n1,"two\nlines",2\n3, x ,4e1\n')
    frame, name, blank, _, _ = read_csv(path)
    assert name == str(path) and list(frame.columns) == ["a", "note", "y"] and blank == (2,)
    assert frame.index.tolist() == [3, 5] and frame.index.name == "line"
    # Columns of numbers come as float64, others as the text cells written.
    assert frame.to_numpy().tolist() == [[1.0, "two\nlines", 2.0], [3.0, " x ", 40.0]]
    assert [str(d) for d in frame.dtypes] == ["float64", "object", "float64"]
    text, _, _, _, _ = read_csv(path, text_columns={"a"})
    assert text["a"].tolist() == ["1", "3"]


def test_bom_whitespace_blank_lines_and_crlf(tmp_path):
    path = write(tmp_path, "\ufeff a , b ,\ty \r\n\r\n 1 , 2 , 3 \r\n\r\n4,5,6\r\n")
    data = DataContainer.from_csv(path, "y", features=["b", "a"])
    assert data.feature_names == ["b", "a"]
    np.testing.assert_array_equal(data.X, [[2.0, 1.0], [5.0, 4.0]])


def test_semicolon_separator_and_latin1(tmp_path):
    path = write(tmp_path, "städt;y\n1;2\n", encoding="latin-1")
    data = DataContainer.from_csv(path, "y", sep=";", encoding="latin-1")
    assert data.feature_names == ["städt"]


def test_gzip_file(tmp_path):
    path = write(tmp_path, gzip.compress(b"a,y\n1,2\n3,4\n"), name="d.csv.gz")
    np.testing.assert_array_equal(DataContainer.from_csv(path, "y").X, [[1.0], [3.0]])


# ------------------------------------------------------------- bad files
@pytest.mark.parametrize("text, pattern", [
    ("", "is empty"),
    ("\n  \n", "is empty"),
    ("a,b,y\n", "header on line 1 but no data rows"),
    ("a,b,y\n1,2,3\n4,5\n6,7,8,9\n", r"line 3 has 2, line 4 has 4; expected 3"),
    ("a,b,y\n1,2,3\n", None),
    ("1,2,3\n4,5,6\n", r"first line \(line 1\) looks like data.*Add a header"),
    ("a,b,a\n1,2,3\n", r"duplicate column names: 'a' \(columns 1, 3\)"),
    ("a,,y\n1,2,3\n", "header field 2 is empty"),
    ('a,y\n"1,2\n', r"line 2: the CSV cannot be parsed"),
    ('a,y\n1,2\n"3"x,4\n', r"line 3: the CSV cannot be parsed \(',' expected"),
    ('a,note,y\n1,"two\nlines",2\n\n3,x,4,5\n', r"line 5 has 4; expected 3"),  # quoted \n
    (b"a,y\n1,2\n\xe9,3\n", r"byte 0xe9 at offset 8 \(line 3\).*encoding='latin-1'"),
])
def test_malformed_files(tmp_path, text, pattern):
    path = write(tmp_path, text)
    if pattern is None:
        assert DataContainer.from_csv(path, "y").shape == (1, 2)
        return
    with pytest.raises(DataError, match=pattern) as info:
        DataContainer.from_csv(path, "y")
    assert "data.csv" in str(info.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv' does not exist"):
        DataContainer.from_csv(tmp_path / "nope.csv", "y")
    with pytest.raises(DataError, match="is a directory"):
        DataContainer.from_csv(tmp_path, "y")


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(sep=";;"), "is not a delimiter"),
    (dict(sep='"'), "is not a delimiter"),
    (dict(encoding="klingon"), "unknown encoding"),
])
def test_bad_reader_arguments(tmp_path, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        read_csv(write(tmp_path, "a,b,y\n1,2,3\n"), **kwargs)


def test_path_must_be_a_path():
    with pytest.raises(DataError, match="path must be a file name or path, not float"):
        read_csv(3.5)


def test_bad_gzip(tmp_path):
    with pytest.raises(DataError, match="not a valid gzip file"):
        DataContainer.from_csv(write(tmp_path, b"a,y\n1,2\n", name="d.csv.gz"), "y")


# ------------------------------------------------------------- property tests
def check_loads_or_data_error(text, target):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        for missing in ("error", "median"):
            try:
                data = DataContainer.from_csv(path, target, missing=missing)
            except DataError:
                continue
            m, n = data.shape
            assert data.X.dtype == np.float64 and np.all(np.isfinite(data.X))
            assert data.y.shape == (m,) and len(data.feature_names) == n >= 1
            assert data.report.n_rows == m == data.report.n_rows_read - data.report.n_dropped
            if data.y.dtype.kind == "f":
                assert np.all(np.isfinite(data.y))


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_arbitrary_text_loads_or_raises_data_error(text):
    first = text.split("\n", 1)[0].split(",")[0].strip()
    for target in {"y", first or "y"}:
        check_loads_or_data_error(text, target)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=120))
def test_arbitrary_bytes_load_or_raise_data_error(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.csv")
        with open(path, "wb") as f:
            f.write(b"c,y\n" + raw)
        for encoding in ("utf-8", "latin-1"):
            try:
                data = DataContainer.from_csv(path, "y", missing="drop", encoding=encoding)
            except DataError:
                continue
            assert np.all(np.isfinite(data.X)) and data.X.shape == (len(data.y), 1)


CELL = st.one_of(                                      # cells that keep the structure
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["", " ", "NA", "null", "n/a?", '"3,5"', "cat", "dog", "True",
                     "false", "1e400", "?", '"x\ny"']),
    st.text(st.characters(blacklist_characters=',"\r\n', blacklist_categories=("Cs",)),
            max_size=4),
)
WILD = st.one_of(CELL, st.sampled_from(['"', "3,5", "x\ny", 'a"b']), st.text(max_size=4))


@st.composite
def csv_texts(draw):
    """Mostly valid CSV: a header, then rows where about one in 16 is broken."""
    n_cols = draw(st.integers(1, 4))
    header = ["y"] + [f"c{j}" for j in range(n_cols)]
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 15)):
            rows.append(draw(st.lists(CELL, min_size=n_cols + 1, max_size=n_cols + 1)))
        else:
            rows.append(draw(st.lists(WILD, max_size=n_cols + 3)))
    return "\n".join(",".join(r) for r in [header, *rows]) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=csv_texts())
def test_mostly_valid_csv_loads_or_raises_data_error(text):
    check_loads_or_data_error(text, "y")


def _outcome(path):
    """What reading ``path`` gives: the data and report, or the error message."""
    try:
        data = DataContainer.from_csv(path, "y", missing="median")
    except DataError as err:
        return str(err)
    return (data.X.tobytes(), data.y.tolist(), data.feature_names, str(data.report))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=csv_texts())
def test_packing_and_numeric_columns_change_nothing(text):
    # The same file read in one chunk, in chunks of two and of one row, and with every
    # column kept as text (the cells parsed only later, as before packing): one outcome.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        outcomes = []
        for rows, typed in ((1 << 16, True), (2, True), (1, True), (1 << 16, False)):
            saved = csvfile.CHUNK_ROWS, csvfile.numbers
            csvfile.CHUNK_ROWS = rows
            if not typed:
                csvfile.numbers = lambda cells: None
            try:
                outcomes.append(_outcome(path))
            finally:
                csvfile.CHUNK_ROWS, csvfile.numbers = saved
        assert all(o == outcomes[0] for o in outcomes[1:]), outcomes


def test_a_gzip_csv_streams_in_a_small_multiple_of_its_text(tmp_path):
    import tracemalloc

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=100_000).round(3), rng.normal(size=100_000).round(3)
    text = "a,b,label\n" + "".join(f"{x},{z},{'yes' if x + z > 0 else 'no'}\n"
                                   for x, z in zip(a.tolist(), b.tolist()))
    path = write(tmp_path, gzip.compress(text.encode()), name="d.csv.gz")
    read_csv(path)                                       # imports and caches first
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        frame, _, _, _, _ = read_csv(path)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    # The floats alone are 16 bytes a row against about 15 of text; one Python object
    # per cell (the whole file decoded, then split) was 30 times the text.
    assert peak < 6 * len(text), f"{peak / len(text):.1f} times the decompressed text"
    np.testing.assert_array_equal(frame["a"], a)
    assert frame["label"].tolist()[:3] == ["yes" if x + z > 0 else "no" for x, z in zip(a[:3], b[:3])]


# ------------------------------------------------------------- no row vanishes
def test_a_blank_line_in_a_one_column_file_is_a_missing_cell(tmp_path):
    path = write(tmp_path, "x\n1\n\n3\n4\n")
    frame, _, blank, _, _ = read_csv(path)
    assert frame.index.tolist() == [2, 3, 4, 5]
    np.testing.assert_array_equal(frame["x"], [1.0, np.nan, 3.0, 4.0])
    assert blank == ()
    with pytest.raises(DataError, match="line 3"):
        DataContainer.from_csv(path)                          # missing="error" names it
    data = DataContainer.from_csv(path, missing="mean")
    np.testing.assert_array_equal(data.X[:, 0], [1.0, 8 / 3, 3.0, 4.0])
    assert "imputed 1 missing cell of 'x'" in str(data.report)


@pytest.mark.parametrize("text, rows, blank", [
    ("x\n1\n2\n\n\n", [1.0, 2.0], (4, 5)),                    # after the last row
    ("\n\nx\n1\n \n2\n", [1.0, np.nan, 2.0], (1, 2)),          # before the header
    ("a,y\n1,2\n\n3,4\n   \n5,6\n\n", [1.0, 3.0, 5.0], (3, 5, 7)),    # several columns
])
def test_blank_lines_that_hold_no_row_are_counted_and_reported(tmp_path, text, rows, blank):
    path = write(tmp_path, text)
    frame, _, found, _, _ = read_csv(path)
    np.testing.assert_array_equal(frame.iloc[:, 0], rows)
    assert found == blank
    data = DataContainer.from_csv(path, missing="median")
    report = str(data.report)
    assert f"skipped {len(blank)} blank line" in report
    assert ", ".join(map(str, blank)) in report


def test_every_line_is_a_row_a_blank_line_or_an_error(tmp_path):
    # Whatever the file, lines read + blank lines + header = all lines up to the last record.
    text = 'a,b\n1,2\n\n"3\n3",4\n,\n  \n5,"6"\n'
    frame, _, blank, _, _ = read_csv(write(tmp_path, text), text_columns={"a", "b"})
    assert frame.index.tolist() == [2, 4, 6, 8] and blank == (3, 7)
    assert frame.to_numpy().tolist() == [["1", "2"], ["3\n3", "4"], ["", ""], ["5", "6"]]


def test_predict_keeps_one_row_per_line_of_a_one_column_file(tmp_path):
    import subprocess
    import sys

    train = write(tmp_path, "x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(20)), "t.csv")
    model = tmp_path / "m.json"
    run = [sys.executable, "-m", "descend"]
    assert subprocess.run(run + ["train", str(train), "--target", "y", "--out", str(model),
                                 "--missing", "mean", "--quiet"], capture_output=True).returncode == 0
    new = write(tmp_path, "x\n1\n\n3\n4\n", "new.csv")
    proc = subprocess.run(run + ["predict", str(model), str(new)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1 + 4               # the header and four rows
    assert "imputed 1 missing cell of 'x'" in proc.stderr


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16", "utf-32-le", "latin-1"])
def test_a_byte_order_mark_never_reaches_the_header(tmp_path, encoding):
    text = ("" if encoding in ("utf-16", "latin-1") else "\ufeff") + '"a",y\n1,2\n3,4\n'
    path = write(tmp_path, text, encoding=encoding)
    assert DataContainer.from_csv(path, "y", encoding=encoding).feature_names == ["a"]


@pytest.mark.parametrize("encoding", ["base64", "rot13", "hex"])
def test_codecs_that_are_not_text_encodings_are_named(tmp_path, encoding):
    with pytest.raises(DataError, match="not a text encoding"):
        read_csv(write(tmp_path, "a,y\n1,2\n"), encoding=encoding)
