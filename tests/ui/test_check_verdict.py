"""A check's verdict on an unknown outcome shows everywhere: row, card, banner, counts, export."""

from __future__ import annotations

import csv
import time
from datetime import timedelta
from pathlib import Path

import httpx
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.reads import ReadClient
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.history_model import COL_OUTCOME, COL_REASON
from pacspace_desktop.ui.history_page import HistoryPage
from tests.services.test_history_service import crashed_run, write_to_sandbox
from tests.ui.test_history_page import http, page_for, select

__all__ = ["http"]


def checked_page(qtbot: QtBot, store: HistoryStore, sandbox: SandboxServer, demo_key: str,
                 client: httpx.AsyncClient, keys: list[str], written: list[str]
                 ) -> tuple[HistoryPage, HistoryService, int]:
    sub = crashed_run(store, keys)
    if written:
        write_to_sandbox(sandbox, demo_key,
                         [{"key": k, "accountId": "acct-1", "bits": 10} for k in written])
    time.sleep(0.01)
    reader = ReadClient(client, sandbox.base_url, ApiKey(demo_key)).read_bucket
    service = HistoryService(store, reader, pace_s=0.01, settle=lambda: timedelta(0))
    service.recover()
    page = page_for(qtbot, service)
    assert page.banner.isVisible()
    assert "with an unknown outcome" in page.summary.today.toolTip()
    select(page, sub)
    with qtbot.waitSignal(service.check_finished, timeout=10000):
        page.banner.check.click()
    return page, service, sub


def export(qtbot: QtBot, page: HistoryPage, service: HistoryService, dest: Path) -> list[list[str]]:
    with qtbot.waitSignal(service.export_finished, timeout=5000):
        page.export_to(str(dest), selection_only=True)
    return list(csv.reader(dest.read_text(encoding="utf-8-sig").splitlines()))


def test_a_check_that_finds_the_writes_settles_the_request_as_accepted(
        store: HistoryStore, qtbot: QtBot, sandbox: SandboxServer, demo_key: str,
        http: httpx.AsyncClient, tmp_path: Path) -> None:
    page, service, sub = checked_page(qtbot, store, sandbox, demo_key, http,
                                      ["land-1", "land-2"], ["land-1", "land-2"])
    p = page
    row = p.model.row_of(sub)
    assert p.model.index(row, COL_OUTCOME).data() == "✓ Accepted"
    assert p.model.index(row, COL_REASON).data() == "Checked on the server: it landed"
    card = p.detail.card
    assert card.title.text() == "Checked on the server: it landed"
    assert "Everything" in card.written.text()
    assert "The connection broke" not in card.title.text()
    assert not p.banner.isVisible()
    assert "0 items with an unknown outcome" in p.summary.today.toolTip()
    summary = service.summary()
    assert summary is not None
    assert summary.today.items_in(ItemState.UNKNOWN) == 0
    assert summary.today.items_in(ItemState.ACCEPTED, ItemState.VERIFIED) == 2
    rows = export(qtbot, p, service, tmp_path / "landed.csv")
    assert {r[1] for r in rows[1:]} == {"Accepted"}
    # The evidence stays with each item, and the keys stay claimed: they were written.
    items = store.items_of(sub)
    assert all(it.check_json and it.checked_at for it in items)
    assert {h.key for h in store.holders(["land-1", "land-2"])} == {"land-1", "land-2"}
    p.detail.items_view.selectRow(0)
    assert "it most likely landed" in p.detail.check_note.text()


def test_a_check_long_after_that_finds_nothing_settles_it_as_not_written(
        store: HistoryStore, qtbot: QtBot, sandbox: SandboxServer, demo_key: str,
        http: httpx.AsyncClient, tmp_path: Path) -> None:
    page, service, sub = checked_page(qtbot, store, sandbox, demo_key, http,
                                      ["lost-1", "lost-2"], [])
    p = page
    row = p.model.row_of(sub)
    assert p.model.index(row, COL_OUTCOME).data() == "– Not sent"
    assert p.model.index(row, COL_REASON).data() == \
        "Checked on the server: it was not written"
    assert p.detail.card.title.text() == "Checked on the server: it was not written"
    assert not p.banner.isVisible()
    summary = service.summary()
    assert summary is not None and summary.today.items_in(ItemState.UNKNOWN) == 0
    rows = export(qtbot, p, service, tmp_path / "lost.csv")
    assert {r[1] for r in rows[1:]} == {"Not sent"}
    assert store.holders(["lost-1", "lost-2"]) == []  # released: they may be sent again
    plan = service.resubmit_plan([sub])
    assert sorted(it.key for it in plan.items) == ["lost-1", "lost-2"]
