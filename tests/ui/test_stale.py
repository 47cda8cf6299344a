"""Nothing stale stays on screen: words belong to what they describe."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.connection_check import ConnectionCheck
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import HistoryFilter
from pacspace_desktop.ui.history_page import HistoryPage
from pacspace_desktop.ui.settings_page import SettingsPage
from pacspace_desktop.ui.status_bar import AppStatusBar
from tests.storage.test_history_query import sample_history


def test_history_drops_the_detail_of_a_row_the_filters_hide(store: HistoryStore,
                                                            qtbot: QtBot) -> None:
    ids = sample_history(store)
    service = HistoryService(store)
    page = HistoryPage(service)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.show_submission(ids["rejected"])
    assert page.detail.detail is not None
    service.set_filter(HistoryFilter(states=frozenset({ItemState.ACCEPTED})))
    QApplication.processEvents()
    assert page.detail.detail is None and not page.detail.isVisible()


def test_a_new_profile_starts_with_no_last_request_and_no_test_result(
        qtbot: QtBot, session: SessionService) -> None:
    session.start_sandbox_profile()
    bar = AppStatusBar(session)
    settings = SettingsPage(session)
    qtbot.addWidget(bar)
    qtbot.addWidget(settings)
    session.note_last_request(datetime.now(UTC), "Accepted")
    assert "Accepted" in bar.connection.text()
    settings._tested_profile = session.active_profile().id  # type: ignore[union-attr]
    settings._show_check(ConnectionCheck(True, "Connected — PacSpace accepted the key", "ok"))
    session.add_profile("Company test", "https://balance-api.pacspace.io", 30, 100)
    assert bar.connection.text() == "No request sent yet"
    assert settings.test_result.text() == ""
    assert settings.name.text() == "Company test", "the page shows the profile now in use"
