"""At 1280×720 and 1366×850 no page grows the window past the screen and no label is clipped.

A label is clipped when its geometry is smaller than what it needs: its size hint's width for a
one-line label, its height for its width for a wrapped one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from pacspace_desktop.app import AppParts, build_app
from pacspace_desktop.domain.metadata import MetaField, MetaType
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.ui.history_page import HistoryPage
from pacspace_desktop.ui.main_window import HISTORY, IMPORT_FILE, NEW_RECORD, SETTINGS, MainWindow
from pacspace_desktop.ui.new_record_page import NewRecordPage
from tests.fakes import MemoryKeyring
from tests.services.test_history_service import crashed_run
from tests.storage.test_history_query import sample_history

Bot = object
SCREENS = [(1280, 720), (1366, 850)]


@pytest.fixture(params=SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def app_at(request: pytest.FixtureRequest, qtbot: Bot, qloop: object,
           tmp_path: Path) -> Iterator[tuple[AppParts, tuple[int, int]]]:
    paths = resolve_paths(tmp_path / "data").ensure()
    store = HistoryStore.open(paths.history_db)
    sample_history(store)
    crashed_run(store, ["INV-9001", "INV-9002", "a-much-longer-record-key-2025-03-31-0001"])
    store.close()  # the app starts over it: a restart after a crash
    parts = build_app(paths, MemoryKeyring(), sandbox=True)
    window = parts.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    size: tuple[int, int] = request.param
    window.resize(*size)
    window.show()
    try:
        yield parts, size
    finally:
        for close in parts.closers:
            close()


def clipped(page: QWidget) -> list[str]:
    """Visible labels and buttons whose geometry is smaller than what their text needs."""
    found = []
    for w in page.findChildren(QWidget):
        if not w.isVisible() or w.width() <= 0:
            continue
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            if w.wordWrap():
                need_h = w.heightForWidth(w.width())
                if need_h > w.height() + 1:
                    found.append(f"label {w.text()[:60]!r}: {w.height()} < {need_h} high")
            elif w.sizeHint().width() > w.width() + 1:
                found.append(f"label {w.text()[:60]!r}: {w.width()} < {w.sizeHint().width()}")
        elif isinstance(w, QAbstractButton) and w.text() \
                and w.minimumSizeHint().width() > w.width() + 1:
            found.append(f"button {w.text()!r}: {w.width()} < {w.minimumSizeHint().width()}")
    return found


def fits(window: MainWindow, size: tuple[int, int]) -> None:
    QApplication.processEvents()
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= size[0] and hint.height() <= size[1], \
        f"the window needs {hint.width()}×{hint.height()} on {window.current_page()}"
    assert window.width() <= size[0] and window.height() <= size[1], \
        f"the window grew to {window.width()}×{window.height()} on {window.current_page()}"
    problems = clipped(window.stack.currentWidget())
    assert not problems, f"{window.current_page()}: " + "; ".join(problems)


def test_no_page_grows_the_window_and_no_label_is_clipped(
        qtbot: Bot, app_at: tuple[AppParts, tuple[int, int]]) -> None:
    parts, size = app_at
    window = parts.window
    assert isinstance(window, MainWindow)
    for page in (NEW_RECORD, IMPORT_FILE, SETTINGS, HISTORY):
        window.show_page(page)
        fits(window, size)


def test_history_fits_with_a_row_selected_and_during_a_check(
        qtbot: Bot, app_at: tuple[AppParts, tuple[int, int]]) -> None:
    parts, size = app_at
    window = parts.window
    assert isinstance(window, MainWindow)
    window.show_page(HISTORY)
    page = window._pages.history
    assert isinstance(page, HistoryPage)
    assert page.banner.isVisible()  # the restart after a crash
    page.banner.explain.click()
    fits(window, size)
    for row in range(page.model.rowCount()):
        page.table.selectRow(row)
        fits(window, size)
        for tab in range(page.detail.tabs.count()):
            page.detail.tabs.setCurrentIndex(tab)
            fits(window, size)
        page.detail.card.toggle.setChecked(True)
        fits(window, size)
    page.table.selectAll()
    page._check_started(4)
    page._check_progress(1, 4)
    fits(window, size)


def test_the_form_fits_with_every_problem_shown(
        qtbot: Bot, app_at: tuple[AppParts, tuple[int, int]]) -> None:
    parts, size = app_at
    window = parts.window
    assert isinstance(window, MainWindow)
    window.show_page(NEW_RECORD)
    page = window._pages.new_record
    assert isinstance(page, NewRecordPage)
    page.form.key.setText(" invoice-2025-001")
    page.form.bits.setText("12.5")
    page.form.metadata.set_fields([MetaField("amount", MetaType.NUMBER, "250.00"),
                                   MetaField("due", MetaType.DATE, "31/13/2025")])
    page.form.pattern_toggle.setChecked(True)
    page.form.entry(show_all=True)
    fits(window, size)


def test_tables_show_more_than_one_and_a_half_rows(
        qtbot: Bot, app_at: tuple[AppParts, tuple[int, int]]) -> None:
    parts, _size = app_at
    window = parts.window
    assert isinstance(window, MainWindow)
    window.show_page(NEW_RECORD)
    page = window._pages.new_record
    assert isinstance(page, NewRecordPage)
    QApplication.processEvents()
    row = page.table.verticalHeader().defaultSectionSize()
    header = page.table.horizontalHeader().height()
    assert page.table.viewport().height() >= 3 * row, (page.table.height(), header, row)
    meta = page.form.metadata.table
    assert meta.viewport().height() >= 2 * meta.verticalHeader().defaultSectionSize()


def test_a_dragged_divider_is_remembered(qtbot: Bot, qloop: object, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QSplitter

    paths = resolve_paths(tmp_path / "data").ensure()

    def open_app() -> tuple[AppParts, QSplitter]:
        parts = build_app(paths, MemoryKeyring(), sandbox=True)
        window = parts.window
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.resize(1280, 720)
        window.show()
        QApplication.processEvents()
        # History is made on first show (or when asked for): ask for it.
        found = window.page(HISTORY).findChild(QSplitter, "HistorySplitter")
        assert found is not None
        return parts, found

    parts, splitter = open_app()
    window = parts.window
    assert isinstance(window, MainWindow)
    window.show_page(HISTORY)
    QApplication.processEvents()
    total = sum(splitter.sizes())
    splitter.setSizes([total - 150, 150])
    moved = splitter.sizes()
    window.close()
    for close in parts.closers:
        close()
    again, splitter = open_app()
    try:
        assert splitter.sizes() == moved
    finally:
        for close in again.closers:
            close()


def test_the_form_fits_with_an_outcome_card_shown(
        qtbot: Bot, app_at: tuple[AppParts, tuple[int, int]]) -> None:
    parts, size = app_at
    window = parts.window
    assert isinstance(window, MainWindow)
    window.show_page(NEW_RECORD)
    page = window._pages.new_record
    assert isinstance(page, NewRecordPage)
    import httpx

    assert parts.session is not None
    url = parts.session.base_url()  # type: ignore[attr-defined]
    httpx.post(f"{url}/_sandbox/faults", json={"queue": [{"status": 401}]})
    page.form.key.setText("fit-1")
    page.form.account.setText("acct-1")
    page.form.bits.setText("5")
    page.add_to_batch()
    page.review()
    assert page._review is not None
    page._review.send.click()
    qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done:"), timeout=8000)  # type: ignore[attr-defined]
    fits(window, size)


def test_the_form_fits_while_a_retry_waits(
        qtbot: Bot, app_at: tuple[AppParts, tuple[int, int]]) -> None:
    parts, size = app_at
    window = parts.window
    assert isinstance(window, MainWindow)
    window.show_page(NEW_RECORD)
    page = window._pages.new_record
    assert isinstance(page, NewRecordPage)
    import httpx

    url = parts.session.base_url()  # type: ignore[attr-defined]
    httpx.post(f"{url}/_sandbox/faults", json={"queue": [{"status": 429, "retryAfter": 30}]})
    page.form.key.setText("wait-1")
    page.form.account.setText("acct-1")
    page.form.bits.setText("5")
    page.add_to_batch()
    page.review()
    assert page._review is not None
    page._review.send.click()
    qtbot.waitUntil(page.sending.wait_card.isVisible, timeout=8000)  # type: ignore[attr-defined]
    fits(window, size)
    page._service.abort()
