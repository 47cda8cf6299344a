"""The app's send and a command-line send of the same keys at once, on one history.

The app side goes through the real `SubmissionService` (no window needed); the command line
is a real `submit` process over the same data folder. Whichever records its run first holds
the keys; the other is refused before anything leaves and says who has them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.submission.runner import RunReport

ROUNDS = 10
KEYS = 200


@pytest.mark.slow
def test_app_and_command_line_sending_one_file_at_once(
        qtbot: QtBot, session: SessionService, store: HistoryStore, sandbox: SandboxServer,
        demo_key: str, tmp_path: Path) -> None:
    session.start_sandbox_profile()
    service = SubmissionService(session, store)
    outcomes: list[object] = []
    service.finished.connect(outcomes.append)
    service.refused.connect(outcomes.append)
    winners = {"app": 0, "command line": 0}
    for round_no in range(ROUNDS):
        sandbox.reset()
        sandbox.set_faults([{"delay": 0.03}] * 4)
        keys = [f"R{round_no}-{i:04d}" for i in range(KEYS)]
        file = tmp_path / f"round{round_no}.json"
        file.write_text(json.dumps([{"key": k, "accountId": "acct-1", "bits": 5}
                                    for k in keys]), encoding="utf-8")
        env = dict(os.environ, PACSPACE_API_KEY=demo_key, PACSPACE_DATA_DIR=str(tmp_path),
                   PACSPACE_CONFIG_DIR=str(tmp_path / "cli-config"))
        cli = subprocess.Popen(
            [sys.executable, "-m", "pacspace_desktop", "submit", str(file), "--base-url",
             sandbox.base_url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        time.sleep(0.1 * round_no)  # meet the command line at a different moment each round
        outcomes.clear()
        assert service.submit([WriteItem(k, "acct-1", 5) for k in keys], "form")
        qtbot.waitUntil(lambda: bool(outcomes), timeout=30000)
        _, err = cli.communicate(timeout=60)
        snap = sandbox.state_snapshot()
        assert {k: v["totalWrites"] for k, v in snap["keys"].items()} == dict.fromkeys(keys, 1)
        app_sent = isinstance(outcomes[0], RunReport)
        if app_sent:
            assert isinstance(outcomes[0], RunReport) and outcomes[0].accepted == KEYS
            assert cli.returncode == 2 and err.startswith("Nothing was sent: 200 record keys")
            assert "the form" in err or "sent before and accepted by PacSpace" in err, err
            winners["app"] += 1
        else:
            assert cli.returncode == 0, err
            text = str(outcomes[0])
            assert text.startswith("Nothing was sent: 200 record keys"), text
            assert f"“round{round_no}.json”" in text or "sent before" in text
            winners["command line"] += 1
    print(f"\nwho won: {winners}")


def test_two_windows_on_one_history_cannot_both_take_a_key(
        qtbot: QtBot, session: SessionService, store: HistoryStore, sandbox: SandboxServer,
        tmp_path: Path) -> None:
    """Each window has its own connection to the history file, as two app windows do."""
    session.start_sandbox_profile()
    other = HistoryStore.open(tmp_path / "history.sqlite3")
    try:
        sandbox.set_faults([{"delay": 0.3}])
        first, second = SubmissionService(session, store), SubmissionService(session, other)
        said: list[object] = []
        for service in (first, second):  # whichever records its run first sends
            service.finished.connect(said.append)
            service.refused.connect(said.append)
        batch = [WriteItem(f"W-{i}", "acct-1", 1) for i in range(5)]
        assert first.submit(batch, "form") and second.submit(batch, "form")
        qtbot.waitUntil(lambda: len(said) == 2, timeout=10000)
        refusal = next(s for s in said if isinstance(s, str))
        assert "5 keys (W-0, W-1, W-2, W-3, W-4) are being sent right now" in refusal
        assert {k: v["totalWrites"] for k, v in sandbox.state_snapshot()["keys"].items()} \
            == dict.fromkeys((it.key for it in batch), 1)
    finally:
        other.close()


def test_the_form_says_who_holds_the_keys_and_the_clerk_is_not_stuck(
        qtbot: QtBot, session: SessionService, store: HistoryStore, sandbox: SandboxServer,
        tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from pacspace_desktop.domain.states import ItemState
    from pacspace_desktop.storage.drafts import DraftStore
    from pacspace_desktop.storage.records import NewRun
    from pacspace_desktop.ui.new_record_page import NewRecordPage
    from tests.ui.test_new_record_page import type_record

    session.start_sandbox_profile()
    page = NewRecordPage(session, SubmissionService(session, store), store,
                         DraftStore(tmp_path / "drafts"))
    qtbot.addWidget(page)
    page.resize(1000, 800)
    page.show()
    type_record(qtbot, page, "INV-7", "acct-1", "5")
    qtbot.mouseClick(page.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page._review is not None and page._review.isVisible())
    review = page._review
    assert review is not None
    # Between the check and the click, a command-line send on this computer takes the key.
    other = HistoryStore.open(tmp_path / "history.sqlite3")
    try:
        other.record_run(NewRun("cli:march.json", "command line", "sandbox", sandbox.base_url,
                                "ben on PC-FIN-07"), [[WriteItem("INV-7", "acct-1", 5)]])
    finally:
        other.close()
    qtbot.mouseClick(review.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.problem.isVisible(), timeout=5000)
    text = page.problem.text()
    assert text.startswith("Nothing was sent: 1 record key of this send is already taken")
    assert "“march.json”" in text and "ben on PC-FIN-07" in text
    assert sandbox.state_snapshot()["requestsReceived"] == 0
    assert [r.state for r in page.model.rows()] == [ItemState.NOT_SENT]
    qtbot.waitUntil(lambda: page.add.isEnabled() and page.submit.isEnabled(), timeout=5000)


class DiskFull(HistoryStore):
    """Every connection to this history finds the disk full (SQLite's page limit): the page's,
    the one that records the run and the one that marks and finishes requests."""

    @classmethod
    def open(cls, path: Path, busy_timeout: float = 10.0) -> HistoryStore:
        store = super().open(path, busy_timeout)
        pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
        store.connection.execute(f"PRAGMA max_page_count={pages}")
        return store


def test_a_full_disk_refuses_the_send_in_words_and_sends_nothing(
        qtbot: QtBot, session: SessionService, sandbox: SandboxServer, tmp_path: Path) -> None:
    session.start_sandbox_profile()
    store = DiskFull.open(tmp_path / "full.sqlite3")
    service = SubmissionService(session, store)
    said: list[str] = []
    service.failed.connect(said.append)
    service.finished.connect(lambda report: said.append(report.broke_off))
    assert service.submit([WriteItem(f"F-{i}", "acct-1", 1, {"note": "x" * 2000})
                           for i in range(50)], "form")
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    text = said[0]
    assert "cannot be written because the disk is full" in text and "rollback" not in text.lower()
    assert text.endswith("Nothing was sent.")
    assert not service.busy, "the page may offer Send again at once"
    assert sandbox.state_snapshot()["requestsReceived"] == 0
    store.close()


def test_a_history_failing_mid_run_leaves_the_form_telling_the_truth(
        qtbot: QtBot, session: SessionService, sandbox: SandboxServer, tmp_path: Path) -> None:
    """The first request is accepted and recorded; the history then refuses the next mark:
    its items leave the draft, the rest are marked not sent, the words say why."""
    from pacspace_desktop.domain.states import ItemState
    from pacspace_desktop.storage.drafts import DraftStore
    from pacspace_desktop.ui.new_record_page import NewRecordPage
    from tests.storage.test_storage_faults import MarkFails
    from tests.ui.test_new_record_page import type_record

    session.start_sandbox_profile()
    profile = session.active_profile()
    assert profile is not None
    session.update_profile(profile.id, batch_size=1)
    store = MarkFails.open(tmp_path / "history.sqlite3")
    try:
        page = NewRecordPage(session, SubmissionService(session, store), store,
                             DraftStore(tmp_path / "drafts"))
        qtbot.addWidget(page)
        page.resize(1000, 800)
        page.show()
        for i in range(3):
            type_record(qtbot, page, f"H-{i}", "acct-1", "1")
        qtbot.mouseClick(page.submit, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page._review is not None and page._review.isVisible())
        assert page._review is not None
        qtbot.mouseClick(page._review.send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.sending.label.text().startswith("Done:"), timeout=8000)
        assert [r.key for r in page.model.rows()] == ["H-1", "H-2"], "H-0 was accepted"
        assert {r.state for r in page.model.rows()} == {ItemState.NOT_SENT}
        assert "Sending stopped before request 2 of 3 left" in page.problem.text()
        assert page.problem.isVisible()
        qtbot.waitUntil(lambda: page.submit.isEnabled(), timeout=3000)
        assert sandbox.state_snapshot()["requestsReceived"] == 1
    finally:
        store.close()


def test_the_review_names_a_key_being_sent_right_now_and_offers_no_resend(
        qtbot: QtBot) -> None:
    from datetime import UTC, datetime

    from pacspace_desktop.domain.apikey import Environment
    from pacspace_desktop.domain.states import ItemState
    from pacspace_desktop.storage.records import KeySighting
    from pacspace_desktop.ui.review_dialog import ReviewDialog

    when = datetime(2026, 3, 3, 10, 42, tzinfo=UTC)
    seen = {"inv-1": [KeySighting("inv-1", 1, when, ItemState.SENDING, None, "Main", "live", 5,
                                  "ben on PC-FIN-07")],
            "inv-2": [KeySighting("inv-2", 2, when, ItemState.ACCEPTED, "req_9", "Try-out",
                                  "sandbox", 5, "anna on PC-FIN-02")]}
    dialog = ReviewDialog([WriteItem("inv-1", "a", 5), WriteItem("inv-2", "a", 5)], seen,
                          "Main", Environment.LIVE)
    qtbot.addWidget(dialog)
    busy, sent = dialog.duplicate_boxes["inv-1"], dialog.duplicate_boxes["inv-2"]
    assert not busy.isEnabled() and "holds this key right now" in busy.toolTip()
    assert sent.isEnabled()
    texts = [dialog.duplicates.item(r, 2).text() for r in range(2)]
    stamp = f"{when.astimezone():%d %b %Y %H:%M}"
    assert texts == [f"Being sent right now, since {stamp} by ben on PC-FIN-07",
                     f"Accepted, {stamp} by anna on PC-FIN-02 (sandbox)"]


def test_retry_now_on_the_import_page_resends_what_was_not_written(
        qtbot: QtBot, session: SessionService, store: HistoryStore, sandbox: SandboxServer,
        tmp_path: Path) -> None:
    """After repeated 500s the final card's "Retry now" sends the rows again (nothing of them
    was written), built from the grid as it is now."""
    from pacspace_desktop.storage.drafts import DraftStore
    from pacspace_desktop.ui.import_page import ImportPage
    from tests.ui.test_import_grid import ONE_BAD, send, statuses
    from tests.ui.test_import_page import open_file, write

    session.start_sandbox_profile()
    service = SubmissionService(session, store)
    service.waiting.connect(lambda _e: service.retry_now())  # cut the automatic waits short
    page = ImportPage(session, service, store, DraftStore(tmp_path / "drafts"),
                      tmp_path / "config")
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    try:
        open_file(qtbot, page, write(tmp_path, "s.csv", ONE_BAD))
        sandbox.set_faults([{"status": 500}] * 4)
        send(qtbot, page)
        bar = page.grid.send_bar
        card = bar.panel.cards[0]
        qtbot.waitUntil(card.primary.isVisible, timeout=2000)  # shown a loop turn later
        assert card.primary.text() == "Retry now"
        assert "S-1" not in sandbox.state_snapshot()["keys"]
        qtbot.mouseClick(card.primary, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bar.panel.label.text().startswith("Done: 3 accepted"),
                        timeout=10000)
        keys = sandbox.state_snapshot()["keys"]
        assert {k: v["totalWrites"] for k, v in keys.items()} == {"S-1": 1, "S-3": 1, "S-4": 1}
        assert statuses(page.grid.model).count("✓ Accepted") == 3
    finally:
        page.imports.cancel()
        service.abort()


def test_every_message_showing_at_1280x720_draws_nothing_over_anything(
        qtbot: QtBot, session: SessionService, store: HistoryStore, tmp_path: Path) -> None:
    """Field errors, metadata errors and a refusal under the batch: the form scrolls; its
    metadata rows and buttons keep their own room."""
    from pacspace_desktop.domain.metadata import MetaField, MetaType
    from pacspace_desktop.storage.drafts import DraftStore
    from pacspace_desktop.ui.new_record_page import NewRecordPage

    session.start_sandbox_profile()
    page = NewRecordPage(session, SubmissionService(session, store), store,
                         DraftStore(tmp_path / "drafts"))
    qtbot.addWidget(page)
    page.resize(1110, 650)  # the New record page's share of a 1280x720 window
    page.show()
    page.form.key.setText(" bad key ")
    page.form.bits.setText("1.5")
    page.form.metadata.set_fields([MetaField("amount", MetaType.NUMBER, "x"),
                                   MetaField("due", MetaType.DATE, "03/04/2025")])
    page.form.entry(show_all=True)
    page._show_problem("Nothing was sent: 1 record key of this send is already taken. " * 4)
    qtbot.wait(50)
    meta = page.form.metadata
    table_bottom = meta.table.mapTo(page, meta.table.rect().bottomLeft()).y()
    buttons_top = meta.add.mapTo(page, meta.add.rect().topLeft()).y()
    assert table_bottom < buttons_top, "the metadata buttons are drawn over its rows"
    assert meta.table.height() >= meta.table.minimumHeight()
