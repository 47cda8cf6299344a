"""Fixture files of the importing tests, and a workbook built with openpyxl."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"


@pytest.fixture
def files() -> Path:
    """The folder of fixture files (written by files/make_fixtures.py)."""
    return FILES


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """A workbook with two sheets: "Invoices" (title, blank row, header, typed cells), "Notes"."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(["Invoices March 2025"])
    ws.append([])
    ws.append(["Invoice No", "Customer", "Amount", "Date", "Paid", "Qty"])
    ws.append(["X-1", "ACME", 1234.5, datetime(2025, 3, 1), True, 3])
    ws.append(["X-2", "Globex", 0.1, date(2025, 3, 2), False, 4.0])
    ws.append(["X-3", "ACME", 250, datetime(2025, 3, 3, 10, 30), None, None])
    notes = wb.create_sheet("Notes")
    notes.append(["Key", "Account", "Units"])
    notes.append(["N-1", "ACME", 7])
    path = tmp_path / "invoices.xlsx"
    wb.save(path)
    return path


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """Write bytes to a file in `tmp_path`."""
    path = tmp_path / name
    path.write_bytes(data)
    return path
