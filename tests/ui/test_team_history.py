"""Settings → Team history against a real PostgreSQL, and the app opening the team history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pacspace_desktop.app import build_app
from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.services.team_history_service import TeamHistoryService
from pacspace_desktop.storage.errors import StorageError, StorageFault
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.paths import AppPaths, resolve_paths
from pacspace_desktop.storage.records import FinalOutcome, NewRun
from pacspace_desktop.storage.team import open_team
from pacspace_desktop.storage.team_settings import TeamSettings, load, save
from pacspace_desktop.ui.team_history_box import TeamHistoryBox
from tests.fakes import MemoryKeyring
from tests.pg_cluster import CLERK_PASSWORD

ACCOUNT_PREFIX = ("PacSpace Desktop", "team-history:clerk@127.0.0.1:")


def _chosen_in_settings(tmp_path: Path, team_url: str, sent_by: str
                        ) -> tuple[AppPaths, MemoryKeyring]:
    """A data folder whose Settings chose the team history at `team_url`, its password in
    the keyring the app is given."""
    paths = resolve_paths(tmp_path / "data").ensure()
    ring = MemoryKeyring()
    settings = TeamSettings(team_url, "", sent_by)
    save(paths.config_dir, settings)
    KeyStore(ring).set_team_password(settings.keyring_account(), CLERK_PASSWORD)
    return paths, ring


def _local_history(path: Path) -> None:
    store = HistoryStore.open(path)
    try:
        run = store.record_run(NewRun("march.csv", "Finance", "live", "https://x"),
                               [[WriteItem("INV-1", "acct-1", 5), WriteItem("INV-2", "acct-1", 7)]])
        store.finish(run.submission_ids[0], FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_1"))
    finally:
        store.close()


def test_test_connect_move_and_disconnect(qtbot: QtBot, qloop: object, tmp_path: Path,
                                          team_url: str) -> None:
    ring = MemoryKeyring()
    config, db = tmp_path / "config", tmp_path / "data" / "history.sqlite3"
    _local_history(db)
    box = TeamHistoryBox(TeamHistoryService(config, db, KeyStore(ring)))
    qtbot.addWidget(box)
    box.show()
    assert box.state.text().startswith("<b>Local history.</b>")
    assert not box.move_button.isEnabled() and not box.disconnect_button.isEnabled()
    box.url.setText(team_url)
    box.password.setText(CLERK_PASSWORD)
    box.display_name.setText("Anna (PC-FIN-02)")
    qtbot.mouseClick(box.test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.result.text().startswith("Connected to"), timeout=15000)
    assert "no PacSpace history yet" in box.result.text()
    assert not load(config).connected, "a test saves nothing"

    qtbot.mouseClick(box.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: load(config).connected, timeout=15000)
    saved = (config / "team_history.json").read_text()
    assert CLERK_PASSWORD not in saved and json.loads(saved)["display_name"] == "Anna (PC-FIN-02)"
    assert [v for k, v in ring.items.items() if k[1].startswith(ACCOUNT_PREFIX[1])] == [
        CLERK_PASSWORD]
    qtbot.waitUntil(lambda: box.move_button.isEnabled(), timeout=5000)
    assert "restart it now" in box.state.text()

    qtbot.mouseClick(box.move_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.result.text().startswith("Moved"), timeout=15000)
    assert box.result.text().startswith("Moved 1 submission(s) with 2 item(s) from 1 send(s) "
                                        "into the team history; 2 key(s) are now claimed there.")

    qtbot.mouseClick(box.disconnect_button, Qt.MouseButton.LeftButton)
    assert load(config) == TeamSettings(display_name="Anna (PC-FIN-02)")
    assert not any(k[1].startswith("team-history:") for k in ring.items)
    assert box.state.text().startswith("<b>Local history.</b>")


def test_a_wrong_address_is_told_before_anything_is_tried(qtbot: QtBot, qloop: object,
                                                          tmp_path: Path) -> None:
    box = TeamHistoryBox(TeamHistoryService(tmp_path, tmp_path / "h.sqlite3",
                                            KeyStore(MemoryKeyring())))
    qtbot.addWidget(box)
    box.url.setText("postgresql://anna:pw@db/pacspace")
    qtbot.mouseClick(box.connect_button, Qt.MouseButton.LeftButton)
    assert "Leave the password out of the address" in box.result.text()
    assert not (tmp_path / "team_history.json").exists()


def test_the_app_opens_the_team_history_chosen_in_settings(qtbot: QtBot, qloop: object,
                                                           tmp_path: Path, team_url: str) -> None:
    paths, ring = _chosen_in_settings(tmp_path, team_url, "Anna (PC-FIN-02)")
    parts = build_app(paths, ring, sandbox=True)
    try:
        qtbot.addWidget(parts.window)  # type: ignore[arg-type]
        store = parts.history._store  # type: ignore[attr-defined]
        assert store.path.startswith("postgresql://clerk@127.0.0.1:")
        assert not paths.history_db.exists(), "the local file is not used"
        assert store.sent_by == "Anna (PC-FIN-02)", "sends are recorded under the name"
    finally:
        for close in parts.closers:
            close()


def test_an_unreachable_team_history_stops_the_app_from_starting(
        qtbot: QtBot, qloop: object, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data").ensure()
    save(paths.config_dir, TeamSettings("postgresql://clerk@127.0.0.1:1/team"))
    with pytest.raises(StorageError) as caught:
        build_app(paths, MemoryKeyring(), sandbox=True)
    assert caught.value.fault is StorageFault.UNREACHABLE
    assert not paths.history_db.exists(), "never a silent fallback to the local file"


def test_a_send_in_the_app_is_refused_for_a_key_another_clerk_holds(
        qtbot: QtBot, qloop: object, tmp_path: Path, team_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app records its send in the team database (through a second connection of its
    own, never a file named after the address) and is told who has the key."""
    from PySide6.QtWidgets import QLabel

    from pacspace_desktop.ui.main_window import MainWindow
    from pacspace_desktop.ui.new_record_page import NewRecordPage

    monkeypatch.chdir(tmp_path)
    paths, ring = _chosen_in_settings(tmp_path, team_url, "Ben (PC-FIN-03)")
    parts = build_app(paths, ring, sandbox=True)
    anna = open_team(team_url, CLERK_PASSWORD)
    try:
        window = parts.window
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)
        window.show()
        page = window._pages.new_record
        assert isinstance(page, NewRecordPage)
        page.form.key.setText("INV-3001")
        page.form.account.setText("C00044")
        page.form.bits.setText("75")
        page.add_to_batch()
        page.review()
        assert page._review is not None
        anna.record_run(NewRun("april.csv", "Local sandbox", "sandbox", "http://x",
                               "Anna (PC-FIN-02)"), [[WriteItem("INV-3001", "C00044", 75)]])
        qtbot.mouseClick(page._review.send, Qt.MouseButton.LeftButton)

        def refusal() -> str:
            return next((w.text() for w in window.findChildren(QLabel)
                         if "already taken" in w.text()), "")

        qtbot.waitUntil(lambda: bool(refusal()), timeout=15000)
        assert "being sent right now by another send in the team history" in refusal()
        assert "by Anna (PC-FIN-02)" in refusal()
        assert not any(p.name.startswith("postgres") for p in tmp_path.iterdir())
        assert not paths.history_db.exists()
    finally:
        anna.close()
        for close in parts.closers:
            close()


def test_starting_the_app_leaves_another_clerks_running_send_alone(
        qtbot: QtBot, qloop: object, tmp_path: Path, team_url: str) -> None:
    """Ben's app settles what a crashed send left at start; Anna's send, whose connection is
    alive, is not one of them: it stays queued and keeps its claims."""
    from pacspace_desktop.domain.states import ItemState
    from pacspace_desktop.storage.claims import KeysClaimed

    paths, ring = _chosen_in_settings(tmp_path, team_url, "Ben (PC-FIN-03)")
    anna = open_team(team_url, CLERK_PASSWORD)
    try:
        anna.record_run(NewRun("april.csv", "Local sandbox", "sandbox", "http://x",
                               "Anna (PC-FIN-02)"), [[WriteItem("INV-4001", "C00044", 75)]])
        parts = build_app(paths, ring, sandbox=True)
        try:
            assert [s.state for s in anna.list_submissions()] == [ItemState.QUEUED]
            ben = open_team(team_url, CLERK_PASSWORD)
            try:
                with pytest.raises(KeysClaimed):
                    ben.record_run(NewRun("april.csv", "Local sandbox", "sandbox",
                                          "http://x", "Ben (PC-FIN-03)"),
                                   [[WriteItem("INV-4001", "C00044", 75)]])
            finally:
                ben.close()
        finally:
            for close in parts.closers:
                close()
    finally:
        anna.close()
