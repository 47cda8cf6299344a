"""The import grid: problems in cells and in the panel, edits re-checked, control totals,
sending the valid rows to the sandbox, rejected rows kept with their reason, export."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.ui.import_grid_model import HELD_BACK, READY, ImportGridModel
from pacspace_desktop.ui.import_page import TAB_CHECK, ImportPage
from tests.ui import test_import_page as base
from tests.ui.a11y import unnamed_controls
from tests.ui.test_import_page import open_file, write

Bot = object
page = base.page  # the same fixture: a page on the sandbox profile
ROLE_TIP = Qt.ItemDataRole.ToolTipRole
ROLE_BG = Qt.ItemDataRole.BackgroundRole
ROLE_ICON = Qt.ItemDataRole.DecorationRole
H = Qt.Orientation.Horizontal
PROBLEMS = ("Invoice No,Customer,Amount,Date\n"
            "A-1,ACME,10.00,2025-03-01\n"
            "A-2,ACME,12.x5,2025-03-02\n"
            "A-3,Globex,5.00,2025-03-03\n"
            "A-4,,7.00,2025-03-04\n"
            "A-1,Globex,1.00,2025-03-05\n")
ONE_BAD = ("Invoice No,Customer,Amount\n"
           "S-1,ACME,1.00\n"
           "S-2,ACME,2.x0\n"
           "S-3,Globex,3.00\n"
           "S-4,Globex,4.00\n")


def cell(model: ImportGridModel, row: int, name: str) -> QModelIndex:
    return model.index(model.view_row(row), model.view_column(name))


def statuses(model: ImportGridModel) -> list[str]:
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def send(qtbot: Bot, page: ImportPage, timeout: int = 10_000) -> None:
    bar = page.grid.send_bar
    page.tabs.setCurrentIndex(TAB_CHECK)
    assert bar.send.isEnabled(), bar.send.text()
    qtbot.mouseClick(bar.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bar.review_dialog is not None  # type: ignore[attr-defined]
                    and bar.review_dialog.isVisible())
    assert bar.review_dialog is not None
    qtbot.mouseClick(bar.review_dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bar.panel.label.text().startswith("Done:"),  # type: ignore[attr-defined]
                    timeout=timeout)


def test_grid_models_pass_the_model_tester(qtbot: Bot, qtmodeltester: object,
                                           page: ImportPage, tmp_path: Path) -> None:
    open_file(qtbot, page, write(tmp_path, "p.csv", PROBLEMS))
    model = page.grid.model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_only_problems(True)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(page.grid.problems.model)  # type: ignore[attr-defined]
    qtmodeltester.check(page.grid.totals.model)  # type: ignore[attr-defined]
    qtmodeltester.check(page.preview.model)  # type: ignore[attr-defined]


def test_problem_cells_are_marked_and_the_panel_jumps_to_them(qtbot: Bot, page: ImportPage,
                                                              tmp_path: Path) -> None:
    open_file(qtbot, page, write(tmp_path, "p.csv", PROBLEMS))
    page.tabs.setCurrentIndex(TAB_CHECK)
    model = page.grid.model
    amount = cell(model, 1, "Amount")
    assert model.data(amount) == "12.x5"
    assert "is not a number" in model.data(amount, ROLE_TIP)
    assert model.data(amount, ROLE_TIP).startswith("Error: ")
    assert model.data(amount, ROLE_BG) is not None and model.data(amount, ROLE_ICON) is not None
    assert model.data(cell(model, 0, "Amount"), ROLE_BG) is None
    assert "has 2 lines (2 and 6)" in model.data(cell(model, 4, "Invoice No"), ROLE_TIP)
    assert statuses(model) == [HELD_BACK, HELD_BACK, READY, HELD_BACK, HELD_BACK]
    assert model.headerData(0, Qt.Orientation.Vertical) == "2"  # the file's line
    assert "⚠ 1" in model.headerData(model.view_column("Amount"), H)
    assert "1 problem in this column" in model.headerData(model.view_column("Amount"), H,
                                                          ROLE_TIP)
    panel = page.grid.problems
    assert panel.model.rowCount() == 4
    assert "4</b> problems" in panel.title.text() and "4</b> rows held back" in \
        panel.title.text()
    lines = [panel.model.data(panel.model.index(i, 0)) for i in range(4)]
    assert lines[1].startswith("Line 3: Amount “12.x5”")
    target = panel.model.index(2, 0)
    rect = panel.list.visualRect(target)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton,  # type: ignore[attr-defined]
                     pos=rect.center())
    assert page.grid.view.currentIndex() == cell(model, 3, "Customer")


def test_show_only_rows_with_problems(qtbot: Bot, page: ImportPage,
                                      tmp_path: Path) -> None:
    open_file(qtbot, page, write(tmp_path, "p.csv", PROBLEMS))
    model = page.grid.model
    page.grid.only_problems.setChecked(True)
    assert model.rowCount() == 4
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(4)] == ["2", "3", "5",
                                                                                "6"]
    page.grid.show_cell(2, "Amount")  # a row without problems: the filter is switched off
    assert not page.grid.only_problems.isChecked() and model.rowCount() == 5


def test_editing_a_cell_checks_it_again_and_updates_the_totals(qtbot: Bot,
                                                               page: ImportPage,
                                                               tmp_path: Path) -> None:
    open_file(qtbot, page, write(tmp_path, "p.csv", PROBLEMS))
    model, totals = page.grid.model, page.grid.totals
    assert totals.totals.valid == 1 and totals.totals.accounts == {"Globex": [1, 500, 0, 0]}
    assert page.grid.send_bar.send.text() == "Send 1 valid row…"
    assert "4 rows with problems are held back" in page.grid.send_bar.held.text()
    assert model.setData(cell(model, 1, "Amount"), "12.50")
    assert model.data(cell(model, 1, "Amount"), ROLE_TIP) is None
    assert model.data(model.index(1, 0)) == READY
    assert totals.totals.valid == 2 and totals.totals.accounts["ACME"][:2] == [1, 1250]
    assert "<b>2</b> valid" in totals.summary.text()
    assert page.grid.problems.model.rowCount() == 3
    assert "⚠" not in model.headerData(model.view_column("Amount"), H)
    # Renaming the repeated key frees the repeat: a row that was not edited changes too.
    model.set_cells([(4, 0, "A-5")])
    assert model.data(model.index(4, 0)) == READY and model.data(model.index(0, 0)) == READY
    assert totals.totals.accounts["Globex"][:2] == [2, 600]
    assert totals.totals.accounts["ACME"][:2] == [2, 2250]
    assert page.grid.send_bar.send.text() == "Send 4 valid rows…"


def test_send_the_valid_rows_and_hold_back_the_rest(qtbot: Bot, page: ImportPage,
                                                    tmp_path: Path,
                                                    sandbox: SandboxServer) -> None:
    open_file(qtbot, page, write(tmp_path, "s.csv", ONE_BAD))
    bar = page.grid.send_bar
    assert bar.send.text() == "Send 3 valid rows…"
    assert "1 row with problems is held back" in bar.held.text()
    send(qtbot, page)
    model = page.grid.model
    assert statuses(model) == ["✓ Accepted", HELD_BACK, "✓ Accepted", "✓ Accepted"]
    keys = sandbox.state_snapshot()["keys"]
    assert set(keys) == {"S-1", "S-3", "S-4"} and keys["S-4"]["currentBits"] == 400
    assert page.grid.totals.totals.accepted == (3, 800)
    assert "Accepted by PacSpace: <b>3</b> records" in page.grid.totals.summary.text()
    assert "3 of the 3 records" not in bar.panel.summary.text()
    assert ("All 3 records sent were accepted. 1 row of the file was held back and not sent "
            "— nothing of it was written") in bar.panel.summary.text()
    assert not model.flags(cell(model, 0, "Amount")) & Qt.ItemFlag.ItemIsEditable
    assert not bar.send.isEnabled()
    model.setData(cell(model, 1, "Amount"), "2.00")  # fix the held-back row, send it
    assert bar.send.text() == "Send 1 valid row…"
    send(qtbot, page)
    assert sandbox.state_snapshot()["keys"]["S-2"]["currentBits"] == 200
    assert unnamed_controls(page) == []


def test_a_big_batch_is_prepared_in_the_background(qtbot: Bot, page: ImportPage,
                                                   tmp_path: Path) -> None:
    text = "Invoice No,Customer,Qty\n" + "".join(f"B-{i},ACME,{i % 9 + 1}\n"
                                                  for i in range(6000))
    open_file(qtbot, page, write(tmp_path, "big.csv", text))
    bar = page.grid.send_bar
    bar.review()
    assert bar.review_dialog is None and "Preparing 6,000 rows" in bar.held.text()
    assert not page.grid.model.flags(page.grid.model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    qtbot.waitUntil(lambda: bar.review_dialog is not None, timeout=10_000)  # type: ignore[attr-defined]
    assert bar.review_dialog is not None
    assert bar.review_dialog.send.text() == "Send 6,000 items to the sandbox"
    assert page.grid.model.flags(page.grid.model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    bar.review_dialog.reject()


def test_keys_sent_before_are_flagged_when_the_file_comes_back(qtbot: Bot,
                                                               page: ImportPage,
                                                               tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", ONE_BAD)
    open_file(qtbot, page, path)
    send(qtbot, page)
    open_file(qtbot, page, path)
    model = page.grid.model
    tip = model.data(cell(model, 0, "Invoice No"), ROLE_TIP)
    assert tip.startswith("Check: ") and "was sent before" in tip
    assert model.data(model.index(0, 0)) == READY  # a warning: the person decides
    assert page.grid.problems.model.rowCount() == 4
    page.grid.send_bar.review()
    dialog = page.grid.send_bar.review_dialog
    assert dialog is not None and set(dialog.duplicate_boxes) == {"S-1", "S-3", "S-4"}
    assert dialog.send.text() == "Send 0 items to the sandbox" and not dialog.send.isEnabled()
    dialog.reject()


def test_a_refused_request_keeps_its_rows_with_the_reason(qtbot: Bot, page: ImportPage,
                                                          tmp_path: Path,
                                                          sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"status": 400, "body": '{"statusCode":400,"error":"Bad Request",'
                         '"message":"Validation failed: items[1].bits must be an integer."}'}])
    open_file(qtbot, page, write(tmp_path, "s.csv", ONE_BAD))
    send(qtbot, page)
    model = page.grid.model
    assert statuses(model) == ["✗ Rejected", HELD_BACK, "✗ Rejected", "✗ Rejected"]
    tip = model.data(model.index(2, 0), ROLE_TIP)
    assert tip.startswith("PacSpace named this row.") and "items[1].bits" in tip
    assert model.state(0) is ItemState.REJECTED
    page.grid.only_problems.setChecked(True)
    assert model.rowCount() == 4  # rejected rows count as rows with problems
    bar = page.grid.send_bar
    assert bar.send.text() == "Send the 3 rows that were not written…"
    card = bar.panel.cards[0]
    qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.grid.view.currentIndex() == cell(model, 2, "Amount")
    send(qtbot, page)
    assert statuses(model).count("✓ Accepted") == 3


def test_export_the_rows_with_problems(qtbot: Bot, page: ImportPage,
                                       tmp_path: Path) -> None:
    open_file(qtbot, page, write(tmp_path, "p.csv", PROBLEMS))
    out = tmp_path / "problems.csv"
    assert page.export_problems(out) == 4
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["Line", "Invoice No", "Customer", "Amount", "Date", "Problem"]
    assert rows[2][0] == "3" and "not a number" in rows[2][-1]
    assert rows[1][0] == "2" and "has 2 lines (2 and 6)" in rows[1][-1]
    assert "4 rows with problems were written to problems.csv" in page.message.text()


def test_pause_then_resume_sends_the_rest_once(qtbot: Bot, page: ImportPage,
                                               tmp_path: Path, session: SessionService,
                                               sandbox: SandboxServer) -> None:
    profile = session.active_profile()
    assert profile is not None
    session.update_profile(profile.id, batch_size=1)
    sandbox.set_faults([{"delay": 0.5}] * 4)
    text = "Invoice No,Customer,Qty\n" + "".join(f"P-{i},ACME,{i}\n" for i in range(1, 5))
    open_file(qtbot, page, write(tmp_path, "p.csv", text))
    bar = page.grid.send_bar
    page.tabs.setCurrentIndex(TAB_CHECK)
    qtbot.mouseClick(bar.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert bar.review_dialog is not None
    qtbot.mouseClick(bar.review_dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bar.pause.isVisible(), timeout=3000)  # type: ignore[attr-defined]
    # pause while the first request is on its way: it still gets its answer
    qtbot.waitUntil(lambda: sandbox.state_snapshot()["requestsReceived"] == 1,  # type: ignore[attr-defined]
                    timeout=3000)
    qtbot.mouseClick(bar.pause, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bar.resume.isVisible(), timeout=5000)  # type: ignore[attr-defined]
    model = page.grid.model
    assert statuses(model) == ["✓ Accepted"] + ["– Not sent"] * 3
    assert "Paused. 3 rows not sent yet" in bar.panel.summary.text()
    assert "Sending is paused." in bar.held.text()
    qtbot.mouseClick(bar.resume, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bar.panel.label.text().startswith("Done: 3 accepted"),  # type: ignore[attr-defined]
                    timeout=10_000)
    assert statuses(model) == ["✓ Accepted"] * 4 and not bar.resume.isVisible()
    assert sandbox.state_snapshot()["requestsReceived"] == 4


def test_outcome_buttons_ask_for_settings_or_a_check(qtbot: Bot, page: ImportPage,
                                                     tmp_path: Path,
                                                     sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"status": 401}])
    path = write(tmp_path, "s.csv", ONE_BAD)
    open_file(qtbot, page, path)
    send(qtbot, page)
    card = page.grid.send_bar.panel.cards[0]
    with qtbot.waitSignal(page.settings_requested, timeout=1000):  # type: ignore[attr-defined]
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    sandbox.set_faults([{"drop": True}])
    send(qtbot, page)
    card = page.grid.send_bar.panel.cards[0]
    assert statuses(page.grid.model)[0] == "? Outcome unknown"
    with qtbot.waitSignal(page.check_requested, timeout=1000) as blocker:  # type: ignore[attr-defined]
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert blocker.args[0] > 0
