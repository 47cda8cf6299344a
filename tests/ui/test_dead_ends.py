"""No dead ends after a send: the buttons come back, "Retry now" resends, nothing is stuck."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.draft_model import DraftRow
from pacspace_desktop.ui.new_record_page import NewRecordPage
from tests.ui.test_new_record_page import open_review, send_all, type_record

Bot = object


@pytest.fixture
def service(session: SessionService, store: HistoryStore) -> Iterator[SubmissionService]:
    svc = SubmissionService(session, store)
    # Cut every automatic retry's wait short, so repeated 5xx answers end quickly.
    svc.waiting.connect(lambda _e: svc.retry_now())
    yield svc
    svc.abort()


def make_page(qtbot: Bot, session: SessionService, service: SubmissionService,
              store: HistoryStore, tmp_path: Path) -> NewRecordPage:
    p = NewRecordPage(session, service, store, DraftStore(tmp_path / "drafts"))
    qtbot.addWidget(p)  # type: ignore[attr-defined]
    p.resize(1000, 800)
    p.show()
    return p


@pytest.fixture
def page(qtbot: Bot, session: SessionService, service: SubmissionService, store: HistoryStore,
         tmp_path: Path) -> NewRecordPage:
    session.start_sandbox_profile()
    return make_page(qtbot, session, service, store, tmp_path)


def controls_back(page: NewRecordPage) -> bool:
    """Send, Add, Edit and Remove work again (a row is selected), without typing anything."""
    page.table.selectRow(0)
    return all(b.isEnabled() for b in (page.submit, page.add, page.edit, page.remove))


@pytest.mark.parametrize("fault", [
    {"status": 500},
    {"status": 502, "body": "<html><body>bad gateway</body></html>"},
])
def test_retry_now_on_the_final_card_resends_what_was_not_written(
        qtbot: Bot, page: NewRecordPage, sandbox: SandboxServer, fault: dict[str, object]) -> None:
    sandbox.set_faults([fault] * 4)  # the first attempt and all three automatic retries
    type_record(qtbot, page, "retry-1", "c", "5")
    send_all(qtbot, page)
    card = page.sending.cards[0]
    assert "Nothing" in card.written.text()
    # a card put into the panel is shown one turn of the event loop later
    qtbot.waitUntil(card.primary.isVisible, timeout=2000)  # type: ignore[attr-defined]
    assert card.primary.text() == "Retry now"
    assert page.submit.isEnabled()
    qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done: 1 accepted"),  # type: ignore[attr-defined]
                    timeout=8000)
    assert page.model.rowCount() == 0
    assert sandbox.state_snapshot()["keys"]["retry-1"]["totalWrites"] == 1


@pytest.mark.parametrize("fault", [{"status": 401}, {"status": 500}, {"status": 400}])
def test_the_buttons_come_back_after_a_send_that_failed(
        qtbot: Bot, page: NewRecordPage, sandbox: SandboxServer, fault: dict[str, object]) -> None:
    sandbox.set_faults([fault] * 4)
    type_record(qtbot, page, "back-1", "c", "5")
    send_all(qtbot, page)
    assert controls_back(page)
    assert not page.sending.stop.isVisible()


def test_the_buttons_come_back_after_a_send_that_was_accepted(
        qtbot: Bot, page: NewRecordPage) -> None:
    type_record(qtbot, page, "ok-1", "c", "5")
    page.model.append(DraftRow("ok-2", "c", "x"))  # has a problem: stays in the batch
    send_all(qtbot, page)
    assert page.model.rowCount() == 1
    page.table.selectRow(0)
    assert page.add.isEnabled() and page.edit.isEnabled() and page.remove.isEnabled()


def test_sending_with_no_key_says_so_with_a_button_and_starts_nothing(
        qtbot: Bot, session: SessionService, service: SubmissionService, store: HistoryStore,
        tmp_path: Path) -> None:
    session.add_profile("Company test", "https://balance-api.pacspace.io", 30, 100)
    page = make_page(qtbot, session, service, store, tmp_path)
    type_record(qtbot, page, "nokey-1", "c", "5")
    qtbot.mouseClick(page.submit, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page._review is None
    assert page.problem.isVisible() and "no usable API key" in page.problem.text()
    assert page.problem_action.isVisible()
    assert page.sending.label.text() == ""
    with qtbot.waitSignal(page.settings_requested):  # type: ignore[attr-defined]
        qtbot.mouseClick(page.problem_action, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert controls_back(page)


def test_a_key_lost_between_review_and_send_never_leaves_starting(
        qtbot: Bot, page: NewRecordPage, session: SessionService) -> None:
    type_record(qtbot, page, "gone-1", "c", "5")
    dialog = open_review(qtbot, page)
    session.add_profile("Company test", "https://balance-api.pacspace.io", 30, 100)
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.problem.isVisible() and page.problem_action.isVisible()
    assert "Starting" not in page.sending.label.text()
    assert controls_back(page)


def test_send_again_from_history_skips_an_item_already_in_the_batch(
        qtbot: Bot, page: NewRecordPage) -> None:
    type_record(qtbot, page, "inv-1", "c", "5")
    skipped = page.load_items([WriteItem("inv-1", "c", 5), WriteItem("inv-2", "c", 6)],
                              "From the history")
    assert skipped == ["inv-1"]
    assert [r.key for r in page.model.rows()] == ["inv-1", "inv-2"]
    assert page.notice.isVisible()
    assert "1 item was already in the batch and was not added again: inv-1" in \
        page.notice.text()
    assert page.submit.isEnabled() and page.submit.text() == "Send 2 items…"


def test_a_problem_goes_away_once_the_batch_is_fixed(qtbot: Bot, page: NewRecordPage) -> None:
    type_record(qtbot, page, "twice", "c", "5")
    type_record(qtbot, page, "other", "c", "5")
    page.edit_row(1)
    page.form.key.setText("twice")
    page.add_to_batch()
    page.review()
    assert page.problem.isVisible()
    page.table.selectRow(1)
    page.remove.click()
    assert not page.problem.isVisible()
    assert page.model.row(0).state is None or page.model.row(0).state is not ItemState.SENDING


def test_unknown_items_are_not_sent_from_the_batch_until_a_check_offers_them(
        qtbot: Bot, page: NewRecordPage, sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"drop": True}])
    type_record(qtbot, page, "lost-1", "c", "5")
    send_all(qtbot, page)
    assert page.model.row(0).state is ItemState.UNKNOWN
    assert not page.submit.isEnabled()
    assert "unknown outcome (check on the server first)" in page.draft_note.text()
    # History's "Send again" after a check that found nothing: the waiting row is offered.
    assert page.load_items([WriteItem("lost-1", "c", 5)], "From the history") == []
    assert page.model.rowCount() == 1 and page.model.row(0).state is None
    assert page.submit.isEnabled() and page.submit.text() == "Send 1 item…"
