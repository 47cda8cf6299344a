"""The import with its edits is a draft: it survives a crash (the page is simply built again with
the same draft store), is offered back, restored with its history, and removed when done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.import_page import ImportPage
from tests.ui import test_import_page as base
from tests.ui.a11y import unnamed_controls
from tests.ui.test_import_grid import ONE_BAD, send
from tests.ui.test_import_grid import PROBLEMS as WITH_REPEAT
from tests.ui.test_import_page import open_file, write

Bot = Any
page = base.page

# Drafts, not repeated keys, are tested here: line 6 is held back for the space in its
# account.
PROBLEMS = WITH_REPEAT.replace("A-1,Globex,1.00", "A-5, Globex,1.00")


def another_page(qtbot: Bot, session: SessionService, store: HistoryStore,
                 tmp_path: Path) -> ImportPage:
    """What the next start of the app builds (same data folder)."""
    p = ImportPage(session, SubmissionService(session, store), store,
                   DraftStore(tmp_path / "drafts"), tmp_path / "config")
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    return p


def edit_and_wait_for_the_draft(qtbot: Bot, page: ImportPage, tmp_path: Path) -> list[list[str]]:
    model, editor = page.grid.model, page.grid.editor
    editor.push_cells([(1, 2, "12.50")], "Edit Amount")
    model_index = model.index(3, 0)
    page.grid.view.setCurrentIndex(model_index)
    editor.delete_rows()  # the row with the empty customer
    draft = DraftStore(tmp_path / "drafts").path("import")
    qtbot.waitUntil(draft.exists, timeout=3000)
    assert model.table is not None
    return [list(c) for c in model.table.columns]


def test_a_crash_leaves_a_draft_that_is_restored_with_its_history(
        qtbot: Bot, page: ImportPage, tmp_path: Path, session: SessionService,
        store: HistoryStore) -> None:
    path = write(tmp_path, "p.csv", PROBLEMS)
    open_file(qtbot, page, path)
    original = [list(c) for c in page.grid.model.table.columns]  # type: ignore[union-attr]
    edited = edit_and_wait_for_the_draft(qtbot, page, tmp_path)
    # no clean close: the next start just builds the page again
    again = another_page(qtbot, session, store, tmp_path)
    assert again.banner.isVisible()
    assert "Your import of “p.csv” was not finished." in again.banner.label.text()
    assert "with 2 changes" in again.banner.label.text()
    assert again.banner.restore.isVisible() and not again.banner.restore_cells.isVisible()
    assert unnamed_controls(again) == []
    with qtbot.waitSignal(again.imports.finished, timeout=10_000):
        qtbot.mouseClick(again.banner.restore, Qt.MouseButton.LeftButton)
    model = again.grid.model
    assert [list(c) for c in model.table.columns] == edited  # type: ignore[union-attr]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(4)] == ["2", "3", "4",
                                                                                "6"]
    assert "Restored p.csv with your 2 changes" in again.message.text()
    assert again.grid.totals.totals.valid == 3 and not again.banner.isVisible()
    assert again.grid_actions.undo.text() == "Undo Delete 1 row"
    again.grid_actions.undo.trigger()
    again.grid_actions.undo.trigger()
    assert [list(c) for c in model.table.columns] == original  # type: ignore[union-attr]
    assert again.grid.totals.totals.valid == 2
    # every change undone: nothing is left to restore
    qtbot.waitUntil(lambda: not DraftStore(tmp_path / "drafts").path("import").exists(),
                    timeout=3000)


def test_a_changed_file_is_restored_from_the_saved_cells(
        qtbot: Bot, page: ImportPage, tmp_path: Path, session: SessionService,
        store: HistoryStore) -> None:
    path = write(tmp_path, "p.csv", PROBLEMS)
    open_file(qtbot, page, path)
    edited = edit_and_wait_for_the_draft(qtbot, page, tmp_path)
    path.write_text(PROBLEMS + "A-9,Hooli,9.00,2025-03-09\n", encoding="utf-8")
    again = another_page(qtbot, session, store, tmp_path)
    assert "the file has changed since" in again.banner.label.text()
    assert again.banner.restore_cells.isVisible() and not again.banner.restore.isVisible()
    with qtbot.waitSignal(again.imports.finished, timeout=10_000):
        qtbot.mouseClick(again.banner.restore_cells, Qt.MouseButton.LeftButton)
    assert [list(c) for c in again.grid.model.table.columns] == edited  # type: ignore[union-attr]
    path.unlink()
    third = another_page(qtbot, session, store, tmp_path)
    assert "the file is gone" in third.banner.label.text()
    qtbot.mouseClick(third.banner.discard, Qt.MouseButton.LeftButton)
    assert not DraftStore(tmp_path / "drafts").path("import").exists()
    assert not another_page(qtbot, session, store, tmp_path).banner.isVisible()


def test_the_draft_goes_once_every_valid_row_is_sent(qtbot: Bot, page: ImportPage,
                                                    tmp_path: Path) -> None:
    open_file(qtbot, page, write(tmp_path, "s.csv", ONE_BAD))
    page.grid.editor.push_cells([(1, 2, "2.00")], "Edit Amount")
    draft = DraftStore(tmp_path / "drafts").path("import")
    qtbot.waitUntil(draft.exists, timeout=3000)
    send(qtbot, page)
    assert not draft.exists()
