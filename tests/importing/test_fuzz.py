"""Damaged and random files: always a table or a clear message, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacspace_desktop.importing import (
    ImportFileError,
    IssueKind,
    MappingError,
    auto_map,
    control_totals,
    read_file,
    validate_table,
)
from tests.importing.conftest import write


def _read_and_check(data: bytes, name: str = "f.csv") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            table = read_file(path)
        except ImportFileError as exc:
            assert str(exc).endswith(".")
            return
        for issue in table.issues:
            assert f"Line {issue.line}" in issue.message
        assert all(len(c) == table.row_count for c in table.columns)
        mapping = auto_map(table.headers, [c[:50] for c in table.columns])
        try:
            validation = validate_table(table, mapping)
        except MappingError:
            return
        control_totals(validation)
        validation.all_problems()


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    _read_and_check(data)


csv_like = st.lists(
    st.lists(st.sampled_from(["INV-1", "ACME", "1,5", '"', '""', "x\ny", "\r", ";", ",", "\t",
                              "€", "(2.00)", "", "\x00", "é", "Amount", "Customer", "Invoice"]),
             max_size=8).map("".join),
    max_size=12).map(lambda lines: "\n".join(["Invoice,Customer,Amount", *lines]))


@FUZZ
@given(csv_like, st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-16-be"]))
def test_csv_like_text(text: str, encoding: str) -> None:
    _read_and_check(text.encode(encoding, errors="replace"))


@FUZZ
@given(csv_like, st.integers(min_value=0, max_value=400))
def test_truncated_files(text: str, cut: int) -> None:
    data = text.encode("utf-16")
    _read_and_check(data[: max(cut, 1)])


def test_huge_field_is_a_clear_message(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.csv",
                 b"Invoice,Customer,Qty\nH-1,A,1\nH-2,A," + b"9" * 200_000 + b"\nH-3,A,3\n")
    table = read_file(path)
    assert table.column("Invoice") == ["H-1", "H-3"]
    (issue,) = table.issues
    assert issue.row is None and issue.kind is IssueKind.UNREADABLE_LINE
    assert issue.message == ("Line 3 could not be read (a cell is longer than 131,072 "
                             "characters); it is left out.")
    validation = validate_table(table, auto_map(table.headers, table.columns))
    assert validation.has_errors
    assert [p.line for p in validation.all_problems()] == [3]


@pytest.mark.parametrize("data", [
    b'Invoice,Customer,Qty\nA,"B,1\n',
    b'"',
    b"\xff\xfe\x00",
    b"\xef\xbb\xbf",
    b"\n\n\n",
    b"PK\x03\x04",
    b"a\rb\rc\r",
    b'Invoice;Customer;Qty\r\nA;B;"1\r\n2"x;3\r\n',
])
def test_odd_files(data: bytes) -> None:
    _read_and_check(data)
