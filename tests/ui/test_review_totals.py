"""The check before sending: wide enough to read account IDs, totals only of what is sent."""

from __future__ import annotations

from datetime import UTC, datetime

from pacspace_desktop.domain.apikey import Environment
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.records import KeySighting
from pacspace_desktop.ui.review_dialog import ReviewDialog


def test_totals_leave_out_held_back_keys_and_account_ids_are_readable(qtbot: object) -> None:
    items = [WriteItem("inv-1", "CUSTOMER-ACME-HOLDINGS-0001", 5),
             WriteItem("inv-2", "CUSTOMER-ACME-HOLDINGS-0001", 7),
             WriteItem("inv-3", "CUSTOMER-BETA-0002", 11)]
    seen = {"inv-2": [KeySighting("inv-2", 1, datetime.now(UTC), ItemState.ACCEPTED, "req_1",
                                  "P", "test", 7)],
            "inv-3": [KeySighting("inv-3", 1, datetime.now(UTC), ItemState.ACCEPTED, "req_1",
                                  "P", "test", 11)]}
    dialog = ReviewDialog(items, seen, "P", Environment.TEST)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    assert dialog.width() >= 600
    table = dialog.totals

    def shown() -> dict[str, tuple[str, str]]:
        out = {}
        for row in range(table.rowCount()):
            if not table.isRowHidden(row):
                out[table.item(row, 0).text()] = (table.item(row, 1).text(),
                                                  table.item(row, 2).text())
        return out

    assert shown() == {"CUSTOMER-ACME-HOLDINGS-0001": ("1", "5")}  # inv-2, inv-3 held back
    account = table.item(0, 0)
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance(account.text())
    dialog.duplicate_boxes["inv-3"].setChecked(True)
    assert shown() == {"CUSTOMER-ACME-HOLDINGS-0001": ("1", "5"), "CUSTOMER-BETA-0002": ("1", "11")}
    assert dialog.send.text() == "Send 2 items to TEST"
