"""The Import page with exports of accounting systems: a preset offered and used, the choice
for invoices on several lines, the review naming the invoices added up, what a send says about
the rows held back, and opening another file or Ctrl+O."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from pacspace_desktop.importing import FieldSource, RepeatPolicy, SignKind
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.ui.import_mapping import _select
from pacspace_desktop.ui.import_page import TAB_CHECK, ImportPage
from pacspace_desktop.ui.main_window import IMPORT_FILE, MainWindow, Pages
from tests.ui import test_import_page as base
from tests.ui.a11y import unnamed_controls
from tests.ui.test_import_grid import statuses
from tests.ui.test_import_page import open_file, remap

Bot = object
page = base.page
EXPORTS = Path(__file__).resolve().parent.parent / "importing" / "files" / "exports"


def use_preset(qtbot: Bot, page: ImportPage) -> None:
    offer = page.mapping.preset
    assert offer.isVisibleTo(page.mapping)
    with qtbot.waitSignal(page.imports.finished, timeout=10_000):  # type: ignore[attr-defined]
        qtbot.mouseClick(offer.use, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]


def choose_repeats(qtbot: Bot, page: ImportPage, policy: RepeatPolicy) -> None:
    rules = page.mapping.rules
    _select(rules.repeats, policy)
    rules.repeats.activated.emit(rules.repeats.currentIndex())
    remap(qtbot, page)


def test_a_preset_is_offered_and_used(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, EXPORTS / "xero_sales_invoices.csv")
    offer = page.mapping.preset
    assert "This looks like a Xero sales invoices export (33 of 33 columns match)." in \
        offer.text.text()
    assert offer.use.text() == "Use the Xero sales invoices preset"
    assert page.mapping.fields["bits"].source() == FieldSource.column("*Quantity")
    use_preset(qtbot, page)
    mapping = page.mapping.mapping()
    assert mapping.bits == FieldSource.column("LineAmount") and mapping.amount.factor == 100
    assert [m.column for m in mapping.metadata] == ["*InvoiceDate", "Currency"]
    assert not offer.isVisibleTo(page.mapping)
    assert "Using the preset “Xero sales invoices”." in page.mapping.profile_note.text()
    info = page.mapping.rules.repeat_info.text()
    assert info == ("1 record key is on several lines (e.g. “INV-0002” on 2 lines): all its "
                    "lines are held back. Never part of one is sent.")
    validation = page.grid.model.validation
    assert validation is not None and validation.valid_rows() == [0, 3]
    assert unnamed_controls(page) == []


def test_the_preset_rereads_a_datev_file_and_signs_credit_notes(qtbot: Bot,
                                                                page: ImportPage) -> None:
    open_file(qtbot, page, EXPORTS / "datev_extf.csv")
    use_preset(qtbot, page)
    rules = page.mapping.rules
    assert rules.sign_kind.currentData() == SignKind.MARKER
    assert rules.sign_column.currentData() == "Soll/Haben-Kennzeichen"
    validation = page.grid.model.validation
    assert validation is not None
    assert list(validation.bits) == [119000, 59500, -11900, 23800]
    assert page.grid.totals.totals.accounts["10001"][:2] == [2, 107100]
    assert "1,904.00 EUR" in page.grid.totals.summary.text()  # bits beside the amount


def test_lines_added_up_are_named_in_the_review_and_sent_whole(
        qtbot: Bot, page: ImportPage, sandbox: SandboxServer) -> None:
    open_file(qtbot, page, EXPORTS / "quickbooks_invoices.csv")
    use_preset(qtbot, page)
    assert page.grid.send_bar.send.text() == "Send 1 valid row…"
    choose_repeats(qtbot, page, RepeatPolicy.SUM)
    assert "the lines of each are added up into one record" in \
        page.mapping.rules.repeat_info.text()
    bar = page.grid.send_bar
    assert bar.send.text() == "Send 6 valid rows (3 records)…"
    model = page.grid.model
    assert statuses(model) == ["Ready to send"] + ["Ready (added up)"] * 5
    tip = model.data(model.index(model.view_row(1), 0), Qt.ItemDataRole.ToolTipRole)
    assert tip == ("Sent as one record with the other lines of its invoice (lines 3 and 4): "
                   "37,650 bits in all.")
    assert "3 records to send" in page.grid.totals.summary.text()
    page.tabs.setCurrentIndex(TAB_CHECK)
    bar.review()
    dialog = bar.review_dialog
    assert dialog is not None
    notes = dialog.notes.text()
    assert "2 invoices on several lines are sent as one record each" in notes
    assert "“1002”: lines 3 and 4 → one record of 376.50 (37,650 bits)" in notes
    assert "“1003”: lines 5, 6 and 7 → one record of 180.00 (18,000 bits)" in notes
    assert dialog.send.text() == "Send 3 items to the sandbox"
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bar.panel.label.text().startswith("Done:"),  # type: ignore[attr-defined]
                    timeout=10_000)
    keys = sandbox.state_snapshot()["keys"]
    assert {k: v["currentBits"] for k, v in keys.items()} == {"1001": 50000, "1002": 37650,
                                                               "1003": 18000}
    assert statuses(page.grid.model) == ["✓ Accepted"] * 6  # every line of each invoice


def test_one_record_per_line(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, EXPORTS / "quickbooks_invoices.csv")
    use_preset(qtbot, page)
    choose_repeats(qtbot, page, RepeatPolicy.PER_LINE)
    assert page.mapping.fields["key"].source() == FieldSource.template("{*InvoiceNo}-{n}")
    validation = page.grid.model.validation
    assert validation is not None
    assert [it.key for it in validation.build_items()] == ["1001-1", "1002-1", "1002-2",
                                                           "1003-1", "1003-2", "1003-3"]
    choose_repeats(qtbot, page, RepeatPolicy.HOLD)  # back: the plain column again
    assert page.mapping.fields["key"].source() == FieldSource.column("*InvoiceNo")


def test_after_a_send_what_was_held_back_is_said(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, EXPORTS / "excel_errors.csv")
    from tests.ui.test_import_grid import send

    send(qtbot, page)
    assert page.grid.send_bar.panel.summary.text() == (
        "All 2 records sent were accepted. 3 rows of the file were held back and not sent — "
        "nothing of them was written: fix them in the grid or export them.")


def test_opening_another_file_asks_first(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, EXPORTS / "excel_errors.csv")  # 3 rows held back
    first = page.result
    page.open_file(EXPORTS / "stripe_payments.csv")
    box = page.replace_box
    assert box is not None and box.isVisible()
    assert "3 rows held back" in box.informativeText()
    (keep,) = [b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.RejectRole]
    assert box.defaultButton() is keep
    keep.click()
    assert page.result is first and page.replace_box is None
    open_file(qtbot, page, EXPORTS / "stripe_payments.csv")  # answered "Open …" this time
    assert page.result is not None and page.result.path.name == "stripe_payments.csv"


class _Page(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def choose_file(self) -> None:
        self.asked += 1


def test_ctrl_o_opens_the_file_dialog(qtbot: Bot, session: SessionService) -> None:
    from pacspace_desktop.ui.settings_page import SettingsPage
    from pacspace_desktop.ui.welcome_page import WelcomePage

    session.start_sandbox_profile()
    importer = _Page()
    pages = Pages(new_record=QWidget(), import_file=importer, history=QWidget(),
                  settings=SettingsPage(session),
                  welcome=WelcomePage(session._keys.backend_name))
    window = MainWindow(session, pages)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show()
    (action,) = [a for a in window.findChildren(type(window.menuBar().actions()[0]))
                 if a.shortcut().toString() == "Ctrl+O"]
    action.trigger()
    assert window.current_page() == IMPORT_FILE and importer.asked == 1


def test_total_rows_are_left_out_with_their_reason(qtbot: Bot, page: ImportPage) -> None:
    open_file(qtbot, page, EXPORTS / "totals_de.csv")
    model = page.grid.model
    assert statuses(model) == ["Ready to send", "Ready to send", "– Left out (a total)",
                               "Ready to send", "– Left out (a total)", "– Left out (a total)"]
    tip = model.data(model.index(model.view_row(2), 0), Qt.ItemDataRole.ToolTipRole)
    assert tip == "Left out: A total row (“Summe”), not an item: it is left out of what is sent."
    assert page.grid.totals.totals.bits == 40000
    summary = page.grid.totals.summary.text()
    assert "<b>0</b> held back · <b>3</b> total rows left out" in summary
    assert ("The file's total on line 7 (“Gesamt”, 40,000 bits) equals the 3 lines above it."
            in summary)
    assert "3</b> total rows left out" in page.grid.problems.title.text()
    assert page.grid.send_bar.held.text() == "3 total rows of the file are left out."
    panel = page.grid.problems.model
    assert panel.data(panel.index(0, 0), Qt.ItemDataRole.ToolTipRole).startswith(
        "Left out — a total of the file, not an item.")
    assert model.data(model.index(model.view_row(2), 0), Qt.ItemDataRole.DecorationRole) is None


def test_a_remembered_mapping_keeps_how_the_file_was_read(qtbot: Bot, page: ImportPage,
                                                          tmp_path: Path) -> None:
    from tests.ui.test_import_page import write

    path = write(tmp_path, "title.csv", "Rechnung;Kunde;Betrag\nR-1;ACME;1,00\n")
    open_file(qtbot, page, path)
    with qtbot.waitSignal(page.imports.finished, timeout=5000):  # type: ignore[attr-defined]
        page.preview.header.setValue(0)  # the clerk says: no header line
        page.preview.header.editingFinished.emit()
    assert page.result is not None and page.result.table.headers[0] == "Column 1"
    page.remember_mapping()
    (profile,) = page.library.profiles()
    assert profile.mapping.file.header_line == 0 and profile.mapping.file.delimiter is None
    assert profile.mapping.metadata == ()  # lean: nothing was ticked


def test_a_field_without_a_column_gets_ranked_suggestions(qtbot: Bot, page: ImportPage,
                                                          tmp_path: Path) -> None:
    from tests.ui.test_import_page import write

    open_file(qtbot, page, write(tmp_path, "odd.csv", "Beleg,Name,Preis\nB-1,ACME,10.00\n"))
    text = page.mapping.problems.text()
    assert "Account ID: choose a column, a fixed text or a pattern." in text
    assert "Account ID could be: “Name” (no name fits; its values are text; e.g. ACME)" in text
    assert "Bits could be: “Preis” (no name fits; its values are numbers; e.g. 10.00)" in text
