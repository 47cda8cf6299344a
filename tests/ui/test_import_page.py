"""The Import page as a clerk uses it: open a messy file, check what was detected, choose the
columns, remember them, cancel a slow read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from pacspace_desktop.importing import DateOrder, FieldSource, SourceKind
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.import_mapping import _select
from pacspace_desktop.ui.import_page import TAB_CHECK, TAB_FILE, ImportPage
from tests.ui.a11y import unnamed_controls

FILES = Path(__file__).resolve().parent.parent / "importing" / "files"
Bot = object


@pytest.fixture
def page(qtbot: Bot, session: SessionService, store: HistoryStore,
         tmp_path: Path) -> Iterator[ImportPage]:
    session.start_sandbox_profile()
    service = SubmissionService(session, store)
    p = ImportPage(session, service, store, DraftStore(tmp_path / "drafts"),
                   tmp_path / "config")
    qtbot.addWidget(p)  # type: ignore[attr-defined]
    p.resize(1200, 800)
    p.show()
    yield p
    p.imports.cancel()
    service.abort()


def open_file(qtbot: Bot, page: ImportPage, path: Path) -> None:
    """Open a file (answering "Open another file?" with yes) and wait for the check."""
    with qtbot.waitSignal(page.imports.finished, timeout=15_000):  # type: ignore[attr-defined]
        page.open_file(path)
        accept_replace(page)


def accept_replace(page: ImportPage) -> None:
    """Click "Open FILE" when the page asks before putting the import on screen aside."""
    box = page.replace_box
    if box is not None:
        (button,) = [b for b in box.buttons()
                     if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole]
        button.click()


def remap(qtbot: Bot, page: ImportPage) -> None:
    """Apply the mapping on screen now and wait for the check."""
    with qtbot.waitSignal(page.imports.finished, timeout=10_000):  # type: ignore[attr-defined]
        page.mapping.flush()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_empty_state_explains_and_offers_the_next_step(page: ImportPage) -> None:
    assert page.stack.currentWidget() is page.empty
    assert "Choose a file of invoices, or drop it here." in page.empty_text.text()
    assert ".xlsx" in page.empty_text.text() and "semicolon" in page.empty_text.text()
    assert page.acceptDrops()
    assert unnamed_controls(page) == []


def test_messy_file_shows_what_was_detected_and_why(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, FILES / "cp1252_semicolon.csv")
    assert page.stack.currentWidget() is page.tabs and page.tabs.currentIndex() == TAB_FILE
    found = page.preview.found.text()
    assert "Windows-1252" in found and "semicolon" in found and "line 3" in found
    assert page.preview.model.rowCount() == 3
    assert page.preview.model.headerData(0, Qt.Orientation.Vertical) == "4"
    assert page.preview.model.data(page.preview.model.index(0, 1)) == "Café Müller"
    assert "Read 3 rows" in page.message.text()
    assert unnamed_controls(page) == []


def test_separator_override_reads_the_file_again(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, FILES / "utf8_plain.csv")
    assert len(page.result.table.headers) == 5  # type: ignore[union-attr]
    with qtbot.waitSignal(page.imports.finished, timeout=5000):  # type: ignore[attr-defined]
        page.preview.separator.setCurrentIndex(page.preview.separator.findData(";"))
        page.preview.separator.activated.emit(page.preview.separator.currentIndex())
    assert page.result is not None and page.result.options.delimiter == ";"
    assert len(page.result.table.headers) == 1
    assert page.preview.separator.currentData() == ";"
    with qtbot.waitSignal(page.imports.finished, timeout=5000):  # type: ignore[attr-defined]
        page.preview.separator.setCurrentIndex(page.preview.separator.findData(","))
        page.preview.separator.activated.emit(page.preview.separator.currentIndex())
    assert len(page.result.table.headers) == 5


def test_header_override_and_encoding_override(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, FILES / "cp1252_semicolon.csv")
    with qtbot.waitSignal(page.imports.finished, timeout=5000):  # type: ignore[attr-defined]
        page.preview.header.setValue(0)
        page.preview.header.editingFinished.emit()
    assert page.result is not None and page.result.table.headers[0] == "Column 1"
    with qtbot.waitSignal(page.imports.finished, timeout=5000):  # type: ignore[attr-defined]
        page.preview.encoding.setCurrentIndex(page.preview.encoding.findData("latin-1"))
        page.preview.encoding.activated.emit(page.preview.encoding.currentIndex())
    assert page.result.options.encoding == "latin-1"


def test_auto_match_then_pattern_and_fixed_text(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, FILES / "invoices.tsv")
    key, account = page.mapping.fields["key"], page.mapping.fields["accountId"]
    assert key.source() == FieldSource.column("Invoice No")
    assert account.source() == FieldSource.column("Customer")
    assert page.mapping.factor.currentData() == 100
    _select(key.kind, SourceKind.TEMPLATE)
    key.text.setText("inv-{Invoice No}")
    _select(account.kind, SourceKind.CONSTANT)
    account.text.setText("ACME")
    assert not page.mapping.meta_rows["Note"].include.isChecked()  # lean: nothing ticked
    assert page.mapping.suggest_row.isVisibleTo(page.mapping)
    assert "Suggested: date (“Date”)" in page.mapping.suggest_label.text()
    qtbot.mouseClick(page.mapping.suggest_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert not page.mapping.suggest_row.isVisibleTo(page.mapping)
    remap(qtbot, page)
    validation = page.grid.model.validation
    assert validation is not None
    items = validation.build_items()
    assert [it.key for it in items] == ["inv-INV-001", "inv-INV-002", "inv-INV-003"]
    assert {it.account_id for it in items} == {"ACME"} and items[0].bits == 123450
    assert items[0].metadata == {"date": "2025-03-01"}
    header = page.grid.model.headerData(1, Qt.Orientation.Horizontal)
    assert "part of Record key" in header


def test_bits_factor_shows_the_evidence(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, FILES / "cp1252_semicolon.csv")
    assert "3 of 3 values end in ,dd → decimal comma" in page.mapping.evidence.text()
    assert page.grid.totals.totals.bits == 123456 + 1250 - 25000
    _select(page.mapping.factor, 1)
    remap(qtbot, page)
    validation = page.grid.model.validation
    assert validation is not None and validation.valid_count == 1  # only -250,00 is whole
    assert page.grid.totals.totals.bits == -250
    assert "not a whole number" in " ".join(p.message for p in validation.problems())
    _select(page.mapping.factor, 1000)
    remap(qtbot, page)
    assert page.grid.totals.totals.bits == 1234560 + 12500 - 250000


def test_ambiguous_dates_are_flagged_until_a_person_chooses(qtbot: Bot,
                                                           page: ImportPage) -> None:
    open_file(qtbot, page, FILES / "dates_ambiguous.csv")
    validation = page.grid.model.validation
    assert validation is not None and validation.valid_count == 3  # no date is sent: no doubt
    page.mapping.tick_suggested()
    remap(qtbot, page)
    row = page.mapping.meta_rows["Date"]
    assert row.note.text().startswith("⚠ Choose day first or month first")
    assert row.order.isVisibleTo(page.mapping) and row.order.currentData() == DateOrder.AUTO
    validation = page.grid.model.validation
    assert validation is not None and validation.valid_count == 1  # 07/07 reads the same
    assert page.grid.model.problem_count("Date") == 2
    _select(row.order, DateOrder.DAY_FIRST)
    remap(qtbot, page)
    validation = page.grid.model.validation
    assert validation is not None and validation.valid_count == 3
    assert validation.build_items()[0].metadata == {"date": "2025-04-03"}
    assert row.note.text() == ""


def test_profile_is_remembered_and_a_new_column_is_named(qtbot: Bot, page: ImportPage,
                                                         tmp_path: Path) -> None:
    first = write(tmp_path, "march.csv", "Invoice No,Customer,Amount\nA-1,ACME,1.00\n")
    open_file(qtbot, page, first)
    account = page.mapping.fields["accountId"]
    _select(account.kind, SourceKind.CONSTANT)
    account.text.setText("HQ")
    remap(qtbot, page)
    page.mapping.remember.click()
    assert "Saved as “march”" in page.mapping.profile_note.text()
    assert (tmp_path / "config" / "mappings.json").exists()
    second = write(tmp_path, "april.csv",
                   "Invoice No,Customer,Amount,VAT\nB-1,ACME,2.00,0.38\n")
    open_file(qtbot, page, second)
    assert "saved mapping “march”" in page.mapping.profile_note.text()
    assert "new column “VAT”" in page.mapping.profile_note.text()
    assert "new column “VAT”" in page.message.text()
    assert page.mapping.fields["accountId"].source() == FieldSource.constant("HQ")


def test_cancel_a_slow_read_keeps_what_was_shown(qtbot: Bot, page: ImportPage,
                                                 tmp_path: Path) -> None:
    open_file(qtbot, page, FILES / "invoices.tsv")
    before = page.result
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("Invoice No;Customer;Amount\n")
        for i in range(400_000):
            fh.write(f"R-{i:08};K{i % 300};{i % 5000},{i % 100:02}\n")
    page.open_file(big)
    accept_replace(page)
    qtbot.waitUntil(lambda: page.bar.value() > 0, timeout=10_000)  # type: ignore[attr-defined]
    assert page.progress_row.isVisible() and "Reading big.csv" in page.bar_label.text()
    QApplication.processEvents()  # the window still answers while the worker reads
    with qtbot.waitSignal(page.imports.cancelled, timeout=10_000):  # type: ignore[attr-defined]
        qtbot.mouseClick(page.cancel, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.result is before and page.grid.model.rowCount() == 3
    assert "Cancelled" in page.message.text() and not page.progress_row.isVisible()


def test_a_dropped_file_is_opened(qtbot: Bot, page: ImportPage) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(FILES / "pipe.txt"))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    page.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(page.imports.finished, timeout=5000):  # type: ignore[attr-defined]
        page.dropEvent(drop)
    assert page.result is not None and page.result.path.name == "pipe.txt"


def test_workbook_sheet_can_be_chosen(qtbot: Bot, page: ImportPage, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(["Invoice No", "Customer", "Amount"])
    ws.append(["X-1", "ACME", 1234.5])
    notes = wb.create_sheet("Units")
    notes.append(["Key", "Account", "Units"])
    notes.append(["N-1", "ACME", 7])
    notes.append(["N-2", "ACME", 8])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    open_file(qtbot, page, path)
    assert page.preview.sheet.isVisibleTo(page) and not page.preview.separator.isVisibleTo(page)
    assert "Sheet:" in page.preview.found.text()
    with qtbot.waitSignal(page.imports.finished, timeout=5000):  # type: ignore[attr-defined]
        page.preview.sheet.setCurrentIndex(page.preview.sheet.findData("Units"))
        page.preview.sheet.activated.emit(page.preview.sheet.currentIndex())
    assert page.result is not None and page.result.table.row_count == 2
    assert page.result.validation is not None
    assert [it.bits for it in page.result.validation.build_items()] == [7, 8]
    page.tabs.setCurrentIndex(TAB_CHECK)
    assert unnamed_controls(page) == []
