"""The cleaning report and the phrases it shares with error messages."""

import numpy as np

from descend.tables.report import CleaningReport, Encoding, Imputation, Where, count, few, plural


def test_empty_report():
    report = CleaningReport(source="'f.csv'", row_word="line", n_rows_read=3, n_rows=3)
    assert not report.changed and report.n_dropped == 0
    assert str(report) == ("Cleaning report for 'f.csv' (3 rows read, 3 kept):\n"
                           "- nothing needed cleaning")


def test_every_kind_of_entry_is_written_out():
    report = CleaningReport(
        source="'f.csv'", row_word="line", n_rows_read=12, n_rows=9,
        dropped_missing_target=(4,), dropped_missing_features=(7, 9),
        imputed={"a": Imputation("median", 2.5, 3)},
        encoded={"k": Encoding(("u", "v", "w"), "u", ("k=v", "k=w"))},
        booleans=("f",), dropped_columns={"z": "text column, and categorical='drop'"})
    assert report.changed and report.n_dropped == 3
    assert str(report).splitlines() == [
        "Cleaning report for 'f.csv' (12 rows read, 9 kept):",
        "- dropped 1 row with a missing target (line 4)",
        "- dropped 2 rows with missing feature values (lines 7, 9)",
        "- imputed 3 missing cells of 'a' with the median 2.5",
        "- one-hot encoded 'k' (3 levels) as 'k=v', 'k=w'; level 'u' is the baseline (its "
        "column is dropped: with an intercept all levels would be collinear)",
        "- converted true/false to 1/0 in 'f'",
        "- left out column 'z': text column, and categorical='drop'",
    ]


def test_phrases():
    assert (plural("line", 1), plural("line", 2), plural("row", 0)) == ("line", "lines", "rows")
    assert (count(1, "cell"), count(3, "cell")) == ("1 cell", "3 cells")
    assert few(range(3)) == "0, 1, 2"
    assert few(range(10), k=2) == "0, 1, ... (10 in all)"
    assert few(["a"], quote=True) == "'a'"


def test_where_names_the_rows_of_a_mask():
    where = Where("'f.csv'", "line", np.array([2, 3, 5, 6], dtype=object))
    assert where.rows(np.array([False, True, False, False])) == "line 3"
    assert where.rows(np.array([True, True, True, True]), k=2) == "lines 2, 3, ... (4 in all)"
