"""Start-up: the window paints with its first page only; every other page is made on first show
and works; what the first paint does not wait for (keyring, verification, sandbox, HTTP client)
comes right after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from pacspace_desktop.app import AppParts, build_app, finish_start
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import AppPaths, resolve_paths
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.ui.main_window import (
    HISTORY,
    IMPORT_FILE,
    NEW_RECORD,
    SETTINGS,
    WELCOME,
    MainWindow,
)
from tests.fakes import MemoryKeyring

Bot = object


def _window(parts: AppParts) -> MainWindow:
    assert isinstance(parts.window, MainWindow)
    return parts.window


def _open(qtbot: Bot, parts: AppParts) -> MainWindow:
    """Show the window and wait for its first paint (as `run_app` does)."""
    window = _window(parts)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.first_painted, timeout=5000):  # type: ignore[attr-defined]
        window.show()
    return window


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return resolve_paths(tmp_path / "data").ensure()


@pytest.fixture
def staged(qtbot: Bot, qloop: object, paths: AppPaths) -> Iterator[AppParts]:
    """The app as `run_app` builds it: the first page only, the rest after the first paint."""
    parts = build_app(paths, MemoryKeyring(), sandbox=True, finish=False)
    try:
        yield parts
    finally:
        for close in parts.closers:
            close()


def test_the_window_paints_with_its_first_page_only(qtbot: Bot, staged: AppParts) -> None:
    window = _open(qtbot, staged)
    assert window.current_page() == NEW_RECORD
    assert set(window._pages.built()) == {NEW_RECORD}  # nothing else was made for the paint
    assert window.stack.currentWidget() is window.page(NEW_RECORD)
    assert window.windowTitle() == "PacSpace Desktop — Local sandbox"
    assert window.status.badge.text() == "SANDBOX"
    assert staged.verification is None, "verification starts after the first paint"
    assert isinstance(staged.session, SessionService)
    assert staged.session._sandbox is None, "the sandbox starts after the first paint"


def test_every_page_is_made_on_first_show_and_works(qtbot: Bot, staged: AppParts) -> None:
    from pacspace_desktop.ui.history_page import HistoryPage
    from pacspace_desktop.ui.import_page import ImportPage
    from pacspace_desktop.ui.new_record_page import NewRecordPage
    from pacspace_desktop.ui.settings_page import SettingsPage

    window = _open(qtbot, staged)
    finish_start(staged)
    assert staged.verification is not None
    edit_before = len(window.edit_menu.actions())
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    window.activateWindow()
    for key, shortcut, kind in ((IMPORT_FILE, "Ctrl+2", ImportPage),
                                (HISTORY, "Ctrl+3", HistoryPage),
                                (SETTINGS, "Ctrl+,", SettingsPage),
                                (NEW_RECORD, "Ctrl+1", NewRecordPage)):
        seq = QKeySequence(shortcut)[0]
        QTest.keyClick(window, seq.key(), seq.keyboardModifiers())
        assert window.current_page() == key, shortcut
        assert isinstance(window.stack.currentWidget(), kind)
    assert set(window._pages.built()) == {NEW_RECORD, IMPORT_FILE, HISTORY, SETTINGS}
    assert len(window.edit_menu.actions()) > edit_before, "the grid's actions joined Edit"

    new_record = window.page(NEW_RECORD)
    assert isinstance(new_record, NewRecordPage)
    new_record.load_items([WriteItem("lazy-1", "acct-1", 3)])
    assert [r.key for r in new_record.model.rows()] == ["lazy-1"]
    importer = window.page(IMPORT_FILE)
    assert isinstance(importer, ImportPage) and importer.stack.currentWidget() is importer.empty
    settings = window.page(SETTINGS)
    assert isinstance(settings, SettingsPage)
    assert [settings.profiles.item(i).text() for i in range(settings.profiles.count())] \
        == ["Local sandbox (in use)"]
    history = window.page(HISTORY)
    assert isinstance(history, HistoryPage)
    window.show_page(HISTORY)
    assert history.filters.isVisible() and history.stack.currentWidget() is history.empty
    assert staged.history.has_reader, "History checks on the server once started"  # type: ignore[attr-defined]


def test_an_interrupted_send_still_opens_history_with_its_banner(
        qtbot: Bot, qloop: object, paths: AppPaths) -> None:
    store = HistoryStore.open(paths.history_db)
    run = store.record_run(NewRun("form", "Local sandbox", "sandbox", "http://127.0.0.1:1"),
                           [[WriteItem("k-1", "a", 1)]], owner="999999999:1")
    store.mark_sending(run.submission_ids[0], "{}")
    store.close()
    parts = build_app(paths, MemoryKeyring(), sandbox=True, finish=False)
    try:
        window = _open(qtbot, parts)
        assert window.current_page() == HISTORY
        assert set(window._pages.built()) == {HISTORY}
        banner = window.page(HISTORY).banner  # type: ignore[attr-defined]
        assert banner.isVisible()
        assert "outcome is unknown" in banner.message.text()
        finish_start(parts)
        qtbot.waitUntil(lambda: banner.check.isEnabled(), timeout=5000)  # type: ignore[attr-defined]
    finally:
        for close in parts.closers:
            close()


def test_a_first_run_paints_the_key_page_and_names_the_keyring_after(
        qtbot: Bot, qloop: object, paths: AppPaths) -> None:
    parts = build_app(paths, None, finish=False)  # the keyring as the app finds it
    try:
        window = _open(qtbot, parts)
        assert window.current_page() == WELCOME
        welcome = window._pages.welcome
        assert welcome.isVisible() and welcome.save.isVisible()
        assert welcome.where.text() == ("The key is stored only in the system keyring, never "
                                        "in a file.")
        assert window.status.key.text() == "Checking the keyring…"
        session = parts.session
        assert isinstance(session, SessionService)
        session.read_keyring_now()  # what run_app does in a worker right after the paint
        name = session.key_store.backend_name
        assert welcome.where.text() == f"The key is stored only in {name}, never in a file."
        assert window.status.key.text() == "No key stored"
        finish_start(parts)
        welcome.key.edit.setText("pk_test_abcdef.sk_testsecret123")
        qtbot.mouseClick(welcome.save, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        assert window.current_page() == NEW_RECORD
        assert window.status.key.text() == f"Key in {name}"
    finally:
        for close in parts.closers:
            close()


CHILD = r"""
import json, os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            sys.stdout.write(json.dumps(sorted(sys.modules)) + "\n")
            sys.stdout.flush()
            os._exit(0)
        return False

app = QApplication(sys.argv[:1])
watch = FirstPaint()
app.installEventFilter(watch)
from pacspace_desktop.cli.main import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("argv", [["--sandbox"], []], ids=["sandbox", "first-run"])
def test_the_first_paint_waits_for_no_network_keyring_sandbox_or_importing(
        tmp_path: Path, argv: list[str]) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PACSPACE_DATA_DIR=str(tmp_path / "d"),
               PACSPACE_CONFIG_DIR=str(tmp_path / "c"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([sys.executable, "-c", CHILD, *argv], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    for heavy in ("httpx", "keyring", "pacspace_desktop.sandbox",
                  "pacspace_desktop.importing.readers", "pacspace_desktop.ui.import_page",
                  "pacspace_desktop.ui.history_page", "pacspace_desktop.ui.settings_page",
                  "pacspace_desktop.services.verification_service",
                  "pacspace_desktop.cli.key"):
        assert heavy not in loaded, f"{heavy} was imported before the first paint"
