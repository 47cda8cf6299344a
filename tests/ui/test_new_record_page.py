"""The New record page as a clerk uses it: type, add to the batch, check, send, read outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pacspace_desktop.domain.apikey import Environment
from pacspace_desktop.domain.metadata import MetaField, MetaType
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.new_record_page import NewRecordPage
from pacspace_desktop.ui.review_dialog import ReviewDialog
from tests.ui.a11y import unnamed_controls

Bot = object


@pytest.fixture
def page(qtbot: Bot, session: SessionService, store: HistoryStore,
         tmp_path: Path) -> Iterator[NewRecordPage]:
    session.start_sandbox_profile()
    service = SubmissionService(session, store)
    p = NewRecordPage(session, service, store, DraftStore(tmp_path / "drafts"))
    qtbot.addWidget(p)  # type: ignore[attr-defined]
    p.resize(1000, 800)
    p.show()
    yield p
    service.abort()


def type_record(qtbot: Bot, page: NewRecordPage, key: str, account: str, bits: str) -> None:
    for edit, text in ((page.form.key, key), (page.form.account, account),
                       (page.form.bits, bits)):
        edit.clear()
        qtbot.keyClicks(edit, text)  # type: ignore[attr-defined]
    qtbot.keyClick(page.form.bits, Qt.Key.Key_Return)  # type: ignore[attr-defined]


def open_review(qtbot: Bot, page: NewRecordPage) -> ReviewDialog:
    # A closed dialog hands activation back to its window on a desktop; offscreen it does not.
    page.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())  # type: ignore[attr-defined]
    qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page._review is not None and page._review.isVisible())  # type: ignore[attr-defined]
    assert page._review is not None
    return page._review


def send_all(qtbot: Bot, page: NewRecordPage, timeout: int = 8000) -> None:
    dialog = open_review(qtbot, page)
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done:"), timeout=timeout)  # type: ignore[attr-defined]


def titles(page: NewRecordPage) -> list[str]:
    return [c.title.text() for c in page.sending.cards]


def test_validation_as_you_type_in_a_clerks_words(qtbot: Bot, page: NewRecordPage) -> None:
    qtbot.keyClicks(page.form.bits, "1.5")  # type: ignore[attr-defined]
    assert "fraction" in page.form.bits_error.text()
    page.form.bits.clear()
    qtbot.keyClicks(page.form.bits, "-1.234")  # type: ignore[attr-defined]
    assert page.form.bits_error.isHidden()
    qtbot.keyClicks(page.form.key, " inv-1")  # type: ignore[attr-defined]
    assert "space" in page.form.key_error.text()
    qtbot.keyClick(page.form.bits, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.model.rowCount() == 0, "a record with problems is not added"
    assert "Account ID is empty" in page.form.account_error.text()


def test_add_to_batch_and_send_accepted(qtbot: Bot, page: NewRecordPage,
                                        sandbox: SandboxServer, store: HistoryStore) -> None:
    page.form.metadata.set_fields([MetaField("amount", MetaType.NUMBER, "250.00")])
    type_record(qtbot, page, "inv-1", "cust-1", "1,234")
    assert page.model.rowCount() == 1 and page.model.row(0).bits_text == "1,234"
    assert page.form.account.text() == "cust-1", "the account stays for the next record"
    assert [f.name for f in page.form.metadata.fields()] == ["amount"], "names stay too"
    page.form.metadata.set_fields([MetaField("amount", MetaType.NUMBER, "-0.50")])
    type_record(qtbot, page, "inv-2", "cust-2", "-3")
    dialog = open_review(qtbot, page)
    assert dialog.send.text() == "Send 2 items to the sandbox"
    assert dialog.totals.rowCount() == 2
    assert dialog.totals.item(0, 2).text() == "1,234"
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done:"), timeout=5000)  # type: ignore[attr-defined]
    assert titles(page) == ["Accepted by PacSpace — 2 items"]
    card = page.sending.cards[0]
    assert card.request_id.text().startswith("<b>Request ID:</b> req_")
    qtbot.mouseClick(card.copy_id, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert QApplication.clipboard().text().startswith("req_")
    assert page.model.rowCount() == 0, "accepted items leave the draft"
    snap = sandbox.state_snapshot()
    assert snap["keys"]["inv-1"]["currentBits"] == 1234
    body = store.detail(store.list_submissions()[0].id).request_body or ""
    assert '"amount":250.00' in body


def test_400_keeps_the_items_and_jumps_to_the_field(qtbot: Bot, page: NewRecordPage,
                                                    sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"status": 400, "body": '{"statusCode":400,"error":"Bad Request",'
                         '"message":"Validation failed: items[1].bits must be an integer."}'}])
    type_record(qtbot, page, "a-1", "c", "1")
    type_record(qtbot, page, "a-2", "c", "2")
    send_all(qtbot, page)
    card = page.sending.cards[0]
    assert card.title.text() == "PacSpace refused the items"
    assert "Nothing" in card.written.text()
    assert "items[1].bits" in card.details.toPlainText()
    assert [r.state for r in page.model.rows()] == [ItemState.REJECTED] * 2
    qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.form.key.text() == "a-2" and page.add.text() == "Update item"
    assert page.focusWidget() is page.form.bits


def test_401_offers_the_key_settings(qtbot: Bot, page: NewRecordPage,
                                     sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"status": 401}])
    type_record(qtbot, page, "k-1", "c", "1")
    send_all(qtbot, page)
    card = page.sending.cards[0]
    assert card.title.text() == "PacSpace did not accept the API key"
    with qtbot.waitSignal(page.settings_requested):  # type: ignore[attr-defined]
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert card.primary.text() == "Open key settings"


def test_402_says_nothing_after_this_point_was_written(qtbot: Bot, page: NewRecordPage,
                                                       session: SessionService,
                                                       sandbox: SandboxServer) -> None:
    profile = session.active_profile()
    assert profile is not None
    session.update_profile(profile.id, batch_size=1)
    sandbox.update_settings(quota=1)
    for i in range(3):
        type_record(qtbot, page, f"q-{i}", "c", "1")
    send_all(qtbot, page)
    assert titles(page) == ["Accepted by PacSpace — 1 item",
                            "Your PacSpace plan limit is reached", "Not sent"]
    assert "Nothing from this request on was written" in page.sending.cards[1].explanation.text()
    assert page.sending.cards[1].primary.text() == "View plan limits"
    assert [r.state for r in page.model.rows()] == [ItemState.REJECTED, ItemState.NOT_SENT]


def test_429_waits_with_a_countdown_then_succeeds(qtbot: Bot, page: NewRecordPage,
                                                  sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"status": 429, "retryAfter": 2}])
    type_record(qtbot, page, "r-1", "c", "1")
    dialog = open_review(qtbot, page)
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.wait_card.isVisible(), timeout=3000)  # type: ignore[attr-defined]
    assert page.sending.wait_card.title.text() == "PacSpace asked us to slow down"
    assert page.sending.wait_card.primary.text().startswith("Retry now (")
    qtbot.mouseClick(page.sending.wait_card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done:"), timeout=1500)  # type: ignore[attr-defined]
    assert titles(page) == ["Accepted by PacSpace — 1 item"]
    assert sandbox.state_snapshot()["keys"]["r-1"]["totalWrites"] == 1


def test_500_then_success(qtbot: Bot, page: NewRecordPage, sandbox: SandboxServer,
                          store: HistoryStore) -> None:
    sandbox.set_faults([{"status": 500}])
    type_record(qtbot, page, "s-1", "c", "1")
    send_all(qtbot, page)
    assert titles(page) == ["Accepted by PacSpace — 1 item"]
    detail = store.detail(store.list_submissions()[0].id)
    assert [a.status_code for a in detail.attempts] == [500, 202]


def test_dropped_connection_is_unknown_and_offers_a_check(qtbot: Bot, page: NewRecordPage,
                                                          sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"drop": True}])
    type_record(qtbot, page, "d-1", "c", "1")
    send_all(qtbot, page)
    card = page.sending.cards[0]
    assert card.title.text() == "The connection broke — outcome unknown"
    assert "Unknown — check before resending" in card.written.text()
    assert "count it twice" in card.explanation.text()
    assert page.model.row(0).state is ItemState.UNKNOWN
    with qtbot.waitSignal(page.check_requested) as sig:  # type: ignore[attr-defined]
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert sig.args == [page.sending.cards[0] and sig.args[0]]
    assert sandbox.state_snapshot()["requestsReceived"] == 1


def test_stop_midway_leaves_the_rest_in_the_draft(qtbot: Bot, page: NewRecordPage,
                                                  session: SessionService,
                                                  sandbox: SandboxServer) -> None:
    profile = session.active_profile()
    assert profile is not None
    session.update_profile(profile.id, batch_size=1)
    sandbox.set_faults([{"delay": 0.6}] * 4)
    for i in range(4):
        type_record(qtbot, page, f"x-{i}", "c", "1")
    dialog = open_review(qtbot, page)
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.stop.isVisible(), timeout=2000)  # type: ignore[attr-defined]
    # the run is recorded in a worker first: stop once the first request is on its way
    qtbot.waitUntil(lambda: sandbox.state_snapshot()["requestsReceived"] == 1, timeout=5000)  # type: ignore[attr-defined]
    qtbot.mouseClick(page.sending.stop, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done:"), timeout=5000)  # type: ignore[attr-defined]
    # the three requests not sent share one card
    assert titles(page) == ["Accepted by PacSpace — 1 item", "Not sent — 3 items in 3 requests"]
    assert [r.state for r in page.model.rows()] == [ItemState.NOT_SENT] * 3
    assert sandbox.state_snapshot()["requestsReceived"] == 1


def test_duplicate_guard_asks_for_each_known_key(qtbot: Bot, page: NewRecordPage,
                                                 sandbox: SandboxServer) -> None:
    type_record(qtbot, page, "dup-1", "c", "1")
    send_all(qtbot, page)
    type_record(qtbot, page, "dup-1", "c", "1")
    assert "sent before" in page.form.key_note.text() or page.model.rowCount() == 1
    type_record(qtbot, page, "new-1", "c", "1")
    dialog = open_review(qtbot, page)
    assert list(dialog.duplicate_boxes) == ["dup-1"]
    assert dialog.duplicates.item(0, 3).text().startswith("req_")
    sent = dialog.duplicates.item(0, 2)
    assert " by " in sent.text() and sent.toolTip() == sent.text()
    width = dialog.duplicates.fontMetrics().horizontalAdvance(sent.text())
    assert dialog.duplicates.columnWidth(2) >= width, "who sent it is not cut off"
    assert dialog.send.text() == "Send 1 item to the sandbox"
    dialog.duplicate_boxes["dup-1"].setChecked(True)
    assert dialog.send.text() == "Send 2 items to the sandbox"
    dialog.duplicate_boxes["dup-1"].setChecked(False)
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.label.text() == "Done: 1 accepted.", timeout=5000)  # type: ignore[attr-defined]
    assert sandbox.state_snapshot()["keys"]["dup-1"]["totalWrites"] == 1
    assert [r.key for r in page.model.rows()] == ["dup-1"], "the unconfirmed one stays"


def test_live_needs_an_explicit_confirmation(qtbot: Bot, page: NewRecordPage) -> None:
    from pacspace_desktop.domain.items import WriteItem

    dialog = ReviewDialog([WriteItem("k", "a", 1)], {}, "Company", Environment.LIVE, page)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.open()
    assert dialog.send.text() == "Send 1 item to LIVE"
    assert not dialog.send.isEnabled() and dialog.cancel.isDefault()
    dialog.live_confirm.setChecked(True)
    assert dialog.send.isEnabled()
    with qtbot.waitSignal(dialog.confirmed):  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]


def test_draft_survives_a_restart(qtbot: Bot, session: SessionService, store: HistoryStore,
                                  tmp_path: Path, page: NewRecordPage) -> None:
    type_record(qtbot, page, "keep-1", "c", "7")
    again = NewRecordPage(session, SubmissionService(session, store), store,
                          DraftStore(tmp_path / "drafts"))
    qtbot.addWidget(again)  # type: ignore[attr-defined]
    assert [(r.key, r.bits_text) for r in again.model.rows()] == [("keep-1", "7")]


def test_key_pattern_skips_keys_sent_before(qtbot: Bot, page: NewRecordPage) -> None:
    page.form.pattern_toggle.setChecked(True)
    page.form.prefix.setText("inv-")
    page.form.with_date.setChecked(False)
    qtbot.mouseClick(page.form.use_pattern, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.form.key.text() == "inv-001"
    qtbot.mouseClick(page.form.use_pattern, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.form.key.text() == "inv-002"


def test_controls_are_named(page: NewRecordPage) -> None:
    assert unnamed_controls(page) == []
