"""The shell as a user meets it: first run, profiles, the key, the environment, errors."""

from __future__ import annotations

import sys
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from pacspace_desktop.domain.apikey import Environment
from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxServer
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.settings import SettingsStore
from pacspace_desktop.ui.crash_dialog import CrashDialog, install_excepthook
from pacspace_desktop.ui.main_window import HISTORY, NEW_RECORD, SETTINGS, MainWindow, Pages
from pacspace_desktop.ui.settings_page import SettingsPage
from pacspace_desktop.ui.welcome_page import WelcomePage
from tests.fakes import MemoryKeyring
from tests.ui.a11y import unnamed_controls

LIVE_KEY = "pk_live_abcdef.sk_livesecret123"
TEST_KEY = "pk_test_abcdef.sk_testsecret123"


def make_window(qtbot: object, session: SessionService) -> MainWindow:
    pages = Pages(new_record=QWidget(), import_file=QWidget(), history=QWidget(),
                  settings=SettingsPage(session),
                  welcome=WelcomePage(session._keys.backend_name))
    pages.welcome.key_submitted.connect(
        lambda name, url, key: session.add_profile(name, url, 30, 100)
        and session.store_key(key))
    pages.welcome.sandbox_requested.connect(session.start_sandbox_profile)
    window = MainWindow(session, pages)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show()
    return window


def test_first_run_shows_welcome_and_checks_the_key_shape(qtbot: object,
                                                          session: SessionService) -> None:
    window = make_window(qtbot, session)
    assert window.current_page() == "welcome"
    welcome = window._pages.welcome
    assert not welcome.save.isEnabled()
    welcome.key.edit.setText("pk_live_abc def.x")
    assert "space" in welcome.key.message.text()
    assert not welcome.save.isEnabled()
    assert welcome.key.edit.echoMode() == QLineEdit.EchoMode.Password
    welcome.key.toggle.trigger()
    assert welcome.key.edit.echoMode() == QLineEdit.EchoMode.Normal
    welcome.key.edit.setText(TEST_KEY)
    assert "TEST key" in welcome.key.message.text()
    assert welcome.save.isEnabled()


def test_saving_a_key_creates_a_profile_and_keeps_the_key_in_the_keyring_only(
        qtbot: object, session: SessionService, memory_keyring: MemoryKeyring,
        tmp_path: Path) -> None:
    window = make_window(qtbot, session)
    welcome = window._pages.welcome
    welcome.name.setText("Company live")
    welcome.key.edit.setText(LIVE_KEY)
    qtbot.mouseClick(welcome.save, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert window.current_page() == NEW_RECORD
    assert window.windowTitle() == "PacSpace Desktop — Company live — LIVE"
    assert window.status.badge.text() == "LIVE"
    assert not window.live_band.isHidden()
    assert list(memory_keyring.items.values()) == [LIVE_KEY]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"livesecret" not in path.read_bytes(), path
    assert LIVE_KEY not in window.windowTitle()
    assert window.status.key.text().startswith("Key in")


def test_sandbox_from_the_welcome_page(qtbot: object, session: SessionService) -> None:
    window = make_window(qtbot, session)
    qtbot.mouseClick(window._pages.welcome.try_sandbox,  # type: ignore[attr-defined]
                     Qt.MouseButton.LeftButton)
    assert session.environment() is Environment.SANDBOX
    assert window.status.badge.text() == "SANDBOX"
    assert window.live_band.isHidden()
    assert window.status.key.text() == "Demo key (sandbox)"
    assert session.api_key() is not None and session.api_key().reveal() == DEMO_API_KEY  # type: ignore[union-attr]


def test_profiles_switch_from_the_status_bar(qtbot: object, session: SessionService) -> None:
    window = make_window(qtbot, session)
    session.add_profile("Test", "https://api.test.invalid", 30, 100)
    session.store_key(TEST_KEY)
    session.add_profile("Live", "https://api.live.invalid", 30, 50)
    session.store_key(LIVE_KEY)
    combo: QComboBox = window.status.profile
    assert [combo.itemText(i) for i in range(combo.count())] == ["Test", "Live"]
    assert combo.currentText() == "Live" and window.status.badge.text() == "LIVE"
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert session.active_profile().name == "Test"  # type: ignore[union-attr]
    assert window.status.badge.text() == "TEST"
    assert "Test" in window.windowTitle()


def test_test_connection_tells_accepted_rejected_and_unreachable(
        qtbot: object, session: SessionService, sandbox: SandboxServer) -> None:
    window = make_window(qtbot, session)
    page: SettingsPage = window._pages.settings
    session.add_profile("Local", sandbox.base_url, 5, 100)
    session.store_key(DEMO_API_KEY)
    window.show_page(SETTINGS)
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "accepted" in page.test_result.text(), timeout=5000)  # type: ignore[attr-defined]
    session.store_key("pk_test_wrong.sk_nope")
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "did not accept" in page.test_result.text(), timeout=5000)  # type: ignore[attr-defined]
    assert "Add or replace the key" in page.test_result.text()
    profile = session.active_profile()
    assert profile is not None
    session.update_profile(profile.id, base_url="http://127.0.0.1:9")
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "could not be reached" in page.test_result.text(), timeout=5000)  # type: ignore[attr-defined]


def test_no_keyring_offers_a_session_only_key(qtbot: object, qloop: object,
                                              tmp_path: Path) -> None:
    session = SessionService(SettingsStore(tmp_path / "s.json"),
                             KeyStore(keyring.backends.fail.Keyring()))
    window = make_window(qtbot, session)
    welcome = window._pages.welcome
    assert session.add_profile("P", "https://x.invalid", 30, 100) is not None
    assert not session.store_key(TEST_KEY)
    status = session.key_status()
    assert status.state.value == "no keyring"
    assert window.status.key.text() == "No keyring"
    assert session.store_key(TEST_KEY, session_only=True)
    assert session.key_status().state.value == "this session only"
    assert "session" in window.status.key.text()
    assert not any(TEST_KEY.encode() in p.read_bytes() for p in tmp_path.rglob("*")
                   if p.is_file())
    del welcome


def test_window_layout_is_remembered(qtbot: object, session: SessionService) -> None:
    session.start_sandbox_profile()
    window = make_window(qtbot, session)
    window.resize(700, 520)
    window.show_page(HISTORY)
    window.close()
    again = make_window(qtbot, session)
    assert again.current_page() == HISTORY
    assert (again.size().width(), again.size().height()) == (700, 520)


def test_every_control_has_an_accessible_name(qtbot: object, session: SessionService) -> None:
    session.start_sandbox_profile()
    window = make_window(qtbot, session)
    for page in (SETTINGS, NEW_RECORD):
        window.show_page(page)
        assert unnamed_controls(window) == []


def test_unexpected_errors_show_a_redacted_report_and_the_app_goes_on(
        qtbot: object, session: SessionService) -> None:
    window = make_window(qtbot, session)
    previous = install_excepthook(lambda: [LIVE_KEY], lambda: window)
    try:
        try:
            raise RuntimeError(f"boom with {LIVE_KEY} and pk_test_other.sk_zzz")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
        dialogs = [w for w in window.findChildren(CrashDialog)]
        assert len(dialogs) == 1
        report = dialogs[0].report.toPlainText()
        assert "RuntimeError: boom" in report
        assert "livesecret" not in report and "sk_zzz" not in report
        assert "pk_live_abc…•••" in report
        dialogs[0].close()
        assert window.isVisible()
    finally:
        sys.excepthook = previous


@pytest.mark.parametrize("env", [Environment.LIVE, Environment.TEST])
def test_badge_follows_the_key(qtbot: object, session: SessionService, env: Environment) -> None:
    window = make_window(qtbot, session)
    session.add_profile("P", "https://x.invalid", 30, 100)
    session.store_key(LIVE_KEY if env is Environment.LIVE else TEST_KEY)
    assert window.status.badge.text() == env.label
    assert window.live_band.isHidden() == (env is not Environment.LIVE)
