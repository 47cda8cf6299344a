"""Reading workbooks: sheet choice, header detection, dates as ISO, numbers exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacspace_desktop.importing import (
    FileKind,
    ImportFileError,
    ReadOptions,
    list_sheets,
    read_file,
)
from pacspace_desktop.importing.xlsx import cell_text
from tests.importing.conftest import write


def test_lists_sheets(workbook: Path) -> None:
    assert list_sheets(workbook) == ["Invoices", "Notes"]


def test_reads_first_sheet_with_title_rows(workbook: Path) -> None:
    table = read_file(workbook)
    d = table.detection
    assert d.kind is FileKind.XLSX
    assert d.sheets == ("Invoices", "Notes")
    assert d.sheet_reason == "“Invoices”, the first of 2 sheets"
    assert d.header_reason == "header on row 3: rows 1–2 are a title and a blank row"
    assert table.headers == ["Invoice No", "Customer", "Amount", "Date", "Paid", "Qty"]
    assert list(table.source_lines) == [4, 5, 6]
    assert table.column("Amount") == ["1234.5", "0.1", "250"]
    assert table.column("Date") == ["2025-03-01", "2025-03-02", "2025-03-03T10:30:00"]
    assert table.column("Paid") == ["TRUE", "FALSE", ""]
    assert table.column("Qty") == ["3", "4", ""]
    assert table.issues == []


def test_reads_chosen_sheet(workbook: Path) -> None:
    table = read_file(workbook, ReadOptions(sheet="Notes"))
    assert table.detection.sheet_reason == "“Notes”, as you chose"
    assert table.headers == ["Key", "Account", "Units"]
    assert table.column("Units") == ["7"]


def test_missing_sheet_names_the_sheets(workbook: Path) -> None:
    with pytest.raises(ImportFileError, match=r"no sheet “Nope”.*“Invoices”, “Notes”"):
        read_file(workbook, ReadOptions(sheet="Nope"))


def test_damaged_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.xlsx", b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        read_file(path)


@pytest.mark.parametrize(("value", "text"), [
    (0.1, "0.1"), (1e-07, "0.0000001"), (2.0, "2"), (12345678901234567890.0,
                                                     "12345678901234567000"),
    (None, ""), (-3, "-3"), ("x", "x"),
])
def test_cell_text_is_exact(value: object, text: str) -> None:
    assert cell_text(value) == text
