"""The whole app as built by the composition root: the paths between pages work end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt

from pacspace_desktop.app import AppParts, build_app
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.services.history_service import CheckReport, HistoryService
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.ui.main_window import HISTORY, NEW_RECORD, MainWindow
from pacspace_desktop.ui.new_record_page import NewRecordPage
from tests.fakes import MemoryKeyring

Bot = object


@pytest.fixture
def app_parts(qtbot: Bot, qloop: object, tmp_path: Path) -> Iterator[AppParts]:
    parts = build_app(resolve_paths(tmp_path / "data").ensure(), MemoryKeyring(), sandbox=True)
    assert isinstance(parts.window, MainWindow)
    qtbot.addWidget(parts.window)  # type: ignore[attr-defined]
    parts.window.show()
    try:
        yield parts
    finally:
        for close in parts.closers:
            close()


def _sandbox_url(parts: AppParts) -> str:
    assert isinstance(parts.session, SessionService)
    url = parts.session.base_url()
    assert url is not None
    return url


def test_unknown_outcome_leads_to_a_check_on_the_server(qtbot: Bot, app_parts: AppParts) -> None:
    window = app_parts.window
    assert isinstance(window, MainWindow)
    assert window.current_page() == NEW_RECORD
    assert window.status.badge.text() == "SANDBOX"
    httpx.post(f"{_sandbox_url(app_parts)}/_sandbox/faults", json={"queue": [{"drop": True}]})
    page = window._pages.new_record
    assert isinstance(page, NewRecordPage)
    page.form.key.setText("inv-77")
    page.form.account.setText("acct-1")
    page.form.bits.setText("5")
    page.add_to_batch()
    page.review()
    assert page._review is not None
    qtbot.mouseClick(page._review.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(page.sending.cards), timeout=5000)  # type: ignore[attr-defined]
    card = page.sending.cards[0]
    assert card.primary.text() == "Check on server"
    history = app_parts.history
    assert isinstance(history, HistoryService)
    with qtbot.waitSignal(history.check_finished, timeout=10_000) as finished:  # type: ignore[attr-defined]
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert window.current_page() == HISTORY
    report = finished.args[0]
    assert isinstance(report, CheckReport)
    assert [a.interpretation.verdict.value for a in report.answers] == ["landed"]
    assert "Do not send it again" in report.answers[0].interpretation.text or \
        "do not" in report.answers[0].interpretation.text.lower()


def test_an_interrupted_submission_opens_the_history_with_its_banner(
        qtbot: Bot, qloop: object, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data").ensure()
    store = HistoryStore.open(paths.history_db)
    run = store.record_run(NewRun("form", "Local sandbox", "sandbox", "http://127.0.0.1:1"),
                           [[WriteItem("k-1", "a", 1)], [WriteItem("k-2", "a", 1)]],
                           owner="999999999:1")
    store.mark_sending(run.submission_ids[0], "{}")
    store.close()
    parts = build_app(paths, MemoryKeyring(), sandbox=True)
    try:
        window = parts.window
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.show()
        assert window.current_page() == HISTORY
        banner = window._pages.history.banner  # type: ignore[attr-defined]
        assert banner.isVisible()
        assert banner.message.text() == ("1 request was being sent when the app stopped "
                                          "(1 item); its outcome is unknown.")
        assert banner.check.isEnabled(), "the sandbox profile can check on the server"
    finally:
        for close in parts.closers:
            close()


def test_resubmit_from_history_lands_in_the_form(qtbot: Bot, app_parts: AppParts) -> None:
    window = app_parts.window
    assert isinstance(window, MainWindow)
    httpx.post(f"{_sandbox_url(app_parts)}/_sandbox/faults", json={"queue": [{"status": 400}]})
    page = window._pages.new_record
    assert isinstance(page, NewRecordPage)
    page.load_items([WriteItem("re-1", "acct", 2)])
    page.review()
    assert page._review is not None
    qtbot.mouseClick(page._review.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done:"), timeout=5000)  # type: ignore[attr-defined]
    page.model.set_rows([])
    window.show_page(HISTORY)
    history_page = window._pages.history
    history = app_parts.history
    assert isinstance(history, HistoryService)
    [row] = history.page().rows
    history_page.resubmit([row.id], [])  # type: ignore[attr-defined]
    assert window.current_page() == NEW_RECORD
    assert [r.key for r in page.model.rows()] == ["re-1"]
