"""The History page: empty state, filters, detail, export, resend, checks and the crash banner."""

from __future__ import annotations

import asyncio
import csv
import gc
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.factory import make_http_client
from pacspace_desktop.network.reads import ReadClient
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.history_page import EMPTY_TEXT, NO_READER_WHY, HistoryPage
from tests.services.test_history_service import crashed_run, write_to_sandbox
from tests.storage.test_history_query import sample_history


@pytest.fixture
def http(qloop: object) -> Iterator[httpx.AsyncClient]:
    client = make_http_client(5)
    yield client
    task = asyncio.get_event_loop().create_task(client.aclose())
    while not task.done():
        QApplication.processEvents()
    gc.collect()  # collect Qt wrappers while the loop and QApplication still exist


def page_for(qtbot: QtBot, service: HistoryService) -> HistoryPage:
    page = HistoryPage(service)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    return page


def select(page: HistoryPage, *submission_ids: int) -> None:
    page.table.clearSelection()
    for sub in submission_ids:
        row = page.model.row_of(sub)
        page.table.selectionModel().select(
            page.model.index(row, 0),
            page.table.selectionModel().SelectionFlag.Select
            | page.table.selectionModel().SelectionFlag.Rows)
    QApplication.processEvents()  # lay out the detail panel that appears


def test_empty_state_offers_next_actions(store: HistoryStore, qtbot: QtBot) -> None:
    page = page_for(qtbot, HistoryService(store))
    assert page.stack.currentWidget() is page.empty
    assert any(w.text() == EMPTY_TEXT for w in page.empty.findChildren(type(page.status)))
    with qtbot.waitSignal(page.new_record_requested):
        qtbot.mouseClick(page.new_record_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.import_requested):
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)


def test_filters_search_and_summary(store: HistoryStore, qtbot: QtBot) -> None:
    ids = sample_history(store)
    page = page_for(qtbot, HistoryService(store))
    assert page.model.rowCount() == 4
    assert "2 accepted" in page.summary.today.text()
    assert "2 items with an unknown outcome" in page.summary.today.toolTip()
    qtbot.keyClicks(page.filters.search, "INV-300")
    assert page.model.rowCount() == 4  # debounced: not yet
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert page.model.row_at(0).id == ids["unknown"]
    assert page.count_label.text().startswith("1 submissions · 2 items")
    page.filters.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=2000)
    page.filters.outcome.setCurrentIndex(2)  # rejected
    assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == [ids["rejected"]]
    page.filters.environment.setCurrentIndex(page.filters.environment.findData("live"))
    assert page.stack.currentWidget() is page.no_match
    page.filters.clear_filters()
    assert page.model.rowCount() == 4 and page.stack.currentIndex() == 0


def test_detail_shows_attempts_redacted_request_and_copies(store: HistoryStore,
                                                           qtbot: QtBot) -> None:
    ids = sample_history(store)
    page = page_for(qtbot, HistoryService(store))
    select(page, ids["rejected"])
    d = page.detail
    assert d.detail is not None and d.detail.row.id == ids["rejected"]
    assert d.card.title.text() == "PacSpace refused the items"
    assert d.attempts_model.rowCount() == 1
    assert d.attempts_model.index(0, 2).data() == "400"
    request = d.request.toPlainText()
    assert "X-Api-Key: pk_test_…•••" in request and '"key":"INV-2001"' in request
    assert "Validation failed" in d.answer.toPlainText()
    select(page, ids["accepted"])
    assert "X-Api-Key: pk_live_…•••" in d.request.toPlainText()
    assert d.card.copy_id.isVisible()
    qtbot.mouseClick(d.card.copy_id, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "req_4f2a9c"
    d.items_view.selectRow(1)
    d.copy_selected()
    assert QGuiApplication.clipboard().text().splitlines()[1].startswith("INV-1043\tacct-7\t-300")
    assert "Not checked on the server yet" in d.check_note.text()


def test_export_from_the_page(store: HistoryStore, qtbot: QtBot, qloop: object,
                              tmp_path: Path) -> None:
    ids = sample_history(store)
    page = page_for(qtbot, HistoryService(store))
    dest = tmp_path / "sel.csv"
    select(page, ids["accepted"], ids["unknown"])
    assert page.export_button.text() == "Export selected to CSV…"
    page.ask_export_path = lambda: str(dest)
    with qtbot.waitSignal(page.service.export_finished, timeout=5000):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    rows = list(csv.reader(dest.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(r[3] for r in rows[1:]) == ["INV-1042", "INV-1043", "INV-3001", "INV-3002"]
    assert page.status.text() == f"Exported 4 items to {dest}."


def test_resubmit_refuses_accepted_and_unchecked_unknown(store: HistoryStore,
                                                         qtbot: QtBot) -> None:
    ids = sample_history(store)
    page = page_for(qtbot, HistoryService(store))
    select(page, ids["accepted"], ids["rejected"], ids["unknown"], ids["not_sent"])
    with qtbot.waitSignal(page.resubmit_requested) as sig:
        qtbot.mouseClick(page.resend_button, Qt.MouseButton.LeftButton)
    items, source = sig.args
    assert sorted(items, key=lambda i: i.key) == [WriteItem("INV-2001", "acct-9", 5),
                                                  WriteItem("INV-4001", "acct-5", 7)]
    assert source == "Sent again from history"  # two sources
    assert "2 items left out: PacSpace already accepted it" in page.status.text()
    assert "check it on the server first" in page.status.text()
    select(page, ids["accepted"])
    with qtbot.assertNotEmitted(page.resubmit_requested):
        qtbot.mouseClick(page.resend_button, Qt.MouseButton.LeftButton)
    assert page.status.text().startswith("Nothing to send again.")


def test_check_buttons_need_a_reader(store: HistoryStore, qtbot: QtBot) -> None:
    ids = sample_history(store)
    page = page_for(qtbot, HistoryService(store, None))
    select(page, ids["unknown"])
    assert not page.check_button.isEnabled()
    assert page.check_button.toolTip() == NO_READER_WHY
    assert not page.detail.check_all.isEnabled()
    assert page.detail.check_all.toolTip() == NO_READER_WHY


def test_crash_banner_then_check_on_sandbox(store: HistoryStore, qtbot: QtBot,
                                           sandbox: SandboxServer, demo_key: str,
                                           http: httpx.AsyncClient) -> None:
    sub = crashed_run(store, ["landed-1", "lost-1", "lost-2"])
    write_to_sandbox(sandbox, demo_key, [{"key": "landed-1", "accountId": "acct-1", "bits": 10}])
    time.sleep(0.01)
    reader = ReadClient(http, sandbox.base_url, ApiKey(demo_key)).read_bucket
    # A settle time of 0: a "not found" counts at once (the too-soon case is tested below).
    service = HistoryService(store, reader, pace_s=0.01, settle=lambda: timedelta(0))
    service.recover()
    page = page_for(qtbot, service)  # built after recover(): still shows the banner
    assert page.banner.isVisible()
    assert page.banner.message.text() == ("1 request was being sent when the app stopped "
                                          "(3 items); its outcome is unknown.")
    qtbot.mouseClick(page.banner.explain, Qt.MouseButton.LeftButton)
    assert page.banner.explanation.isVisible()
    assert "never sent again on their own" in page.banner.explanation.text()
    select(page, sub)
    with qtbot.waitSignal(service.check_finished, timeout=10000):
        qtbot.mouseClick(page.banner.check, Qt.MouseButton.LeftButton)
    assert page.status.text() == ("Check finished: 3 of 3 items checked — 1 most likely landed "
                                  "(do not resend), 2 not found long after sending (may be sent "
                                  "again).")
    d = page.detail
    d.items_view.selectRow(0)
    assert "it most likely landed. Do not resend." in d.check_note.text()
    assert d.items_model.index(0, 6).data().startswith("10 bits, 1 write")  # + verified later
    assert "now counts as accepted" in d.check_note.text()
    d.items_view.selectRow(1)
    assert "most likely did not land, so it may be sent again" in d.check_note.text()
    assert "safe" not in d.check_note.text()
    with qtbot.waitSignal(page.resubmit_requested) as sig:
        qtbot.mouseClick(page.resend_button, Qt.MouseButton.LeftButton)
    assert sorted(i.key for i in sig.args[0]) == ["lost-1", "lost-2"]
    qtbot.mouseClick(page.banner.dismiss, Qt.MouseButton.LeftButton)
    assert not page.banner.isVisible()
    # Each item took what its check showed; checks that disagree leave the request unknown.
    assert [it.state for it in store.items_of(sub)] == [ItemState.ACCEPTED, ItemState.NOT_SENT,
                                                        ItemState.NOT_SENT]
    assert store.submission_row(sub).state is ItemState.UNKNOWN
