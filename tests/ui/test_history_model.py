"""HistoryTableModel: lazy pages, filtering and sorting in SQL, checked by qtmodeltester."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import HistoryFilter
from pacspace_desktop.ui.history_items_model import AttemptsTableModel, ItemsTableModel
from pacspace_desktop.ui.history_model import (
    COL_BITS,
    COL_OUTCOME,
    COL_PROFILE,
    COL_REQUEST_ID,
    COL_SOURCE,
    ROW_ROLE,
    HistoryTableModel,
)
from tests.storage.test_history_query import sample_history, send


def many(store: HistoryStore, n: int) -> None:
    for i in range(n):
        send(store, [WriteItem(f"k-{i}", "a", i - 10)],
             OutcomeKind.ACCEPTED if i % 3 else OutcomeKind.BAD_REQUEST,
             request_id=f"req_{i:04d}" if i % 3 else None, status=202 if i % 3 else 400)


def test_lazy_pages_filter_and_sort(store: HistoryStore, qtmodeltester: Any,
                                    qapp: Any) -> None:
    many(store, 45)
    service = HistoryService(store)
    model = HistoryTableModel(service, page_size=20)
    assert model.rowCount() == 20 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 40
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 45 and not model.canFetchMore(QModelIndex())
    assert model.row_at(0).id == 45  # newest first
    service.set_filter(HistoryFilter(states=frozenset({ItemState.REJECTED})))
    assert model.rowCount() == 15
    assert {model.row_at(r).state for r in range(15)} == {ItemState.REJECTED}
    service.set_filter(HistoryFilter())
    model.sort(COL_BITS, Qt.SortOrder.AscendingOrder)
    assert model.row_at(0).bits_sum == -10
    model.sort(COL_BITS, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).bits_sum == 34
    model.sort(COL_REQUEST_ID, Qt.SortOrder.DescendingOrder)
    assert model.index(0, COL_REQUEST_ID).data() == "req_0044"


def test_model_tester_after_load_fetch_filter_and_sort(store: HistoryStore, qtmodeltester: Any,
                                                      qapp: Any) -> None:
    # Qt's tester runs fetchMore() inside modelReset, which it then flags; so each state gets a
    # model of its own (each with its own service, as resets follow the service).
    many(store, 45)
    loaded = HistoryTableModel(HistoryService(store), page_size=20)
    qtmodeltester.check(loaded)  # loads, then fetches more itself
    assert loaded.rowCount() == 45
    filtered = HistoryService(store)
    filtered.set_filter(HistoryFilter(search="k-1"))
    qtmodeltester.check(HistoryTableModel(filtered, page_size=4))
    for column in range(8):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            service = HistoryService(store)
            HistoryTableModel(service).sort(column, order)
            qtmodeltester.check(HistoryTableModel(service, page_size=10))


def test_cells_speak_for_finance_staff(store: HistoryStore, qtmodeltester: Any,
                                       qapp: Any) -> None:
    ids = sample_history(store)
    model = HistoryTableModel(HistoryService(store))
    qtmodeltester.check(model)
    row = next(r for r in range(model.rowCount()) if model.row_at(r).id == ids["accepted"])
    assert model.index(row, COL_OUTCOME).data() == "✓ Accepted"
    assert model.index(row, COL_OUTCOME).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(row, COL_SOURCE).data() == "march-invoices.csv"
    assert model.index(row, COL_PROFILE).data() == "Finance · LIVE"
    assert model.index(row, COL_REQUEST_ID).data() == "req_4f2a9c"
    assert model.index(row, 0).data(ROW_ROLE).id == ids["accepted"]
    unknown = next(r for r in range(model.rowCount()) if model.row_at(r).id == ids["unknown"])
    assert model.index(unknown, COL_OUTCOME).data() == "? Outcome unknown"
    assert "The connection broke" in model.index(unknown, COL_OUTCOME).data(
        Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(COL_BITS, Qt.Orientation.Horizontal) == "Bits"


def test_detail_models(store: HistoryStore, qtmodeltester: Any, qtbot: QtBot) -> None:
    ids = sample_history(store)
    detail = store.detail(ids["accepted"])
    items = ItemsTableModel()
    items.set_items(detail.items)
    attempts = AttemptsTableModel()
    attempts.set_attempts(detail.attempts)
    qtmodeltester.check(items)
    qtmodeltester.check(attempts)
    assert items.index(1, 2).data() == "-300"
    assert items.index(0, 6).data() == "Not checked"
    assert attempts.index(0, 2).data() == "202"
