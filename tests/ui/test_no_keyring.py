"""A first start with no system keyring: the key is never dropped silently, and never lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt

from pacspace_desktop.app import AppParts, build_app
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.storage.keystore import KeyState
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.ui.main_window import SETTINGS, MainWindow
from pacspace_desktop.ui.settings_page import SettingsPage
from pacspace_desktop.ui.welcome_page import WelcomePage
from tests.fakes import MemoryKeyring

Bot = object
TEST_KEY = "pk_test_abcdef.sk_testsecret123"
OTHER_KEY = "pk_test_ghijkl.sk_othersecret456"


def start(qtbot: Bot, tmp_path: Path, backend: object) -> AppParts:
    parts = build_app(resolve_paths(tmp_path / "data").ensure(), backend)
    assert isinstance(parts.window, MainWindow)
    qtbot.addWidget(parts.window)  # type: ignore[attr-defined]
    parts.window.show()
    return parts


@pytest.fixture
def no_keyring(qtbot: Bot, qloop: object, tmp_path: Path) -> Iterator[AppParts]:
    parts = start(qtbot, tmp_path, keyring.backends.fail.Keyring())
    try:
        yield parts
    finally:
        for close in parts.closers:
            close()


def parts_of(parts: AppParts) -> tuple[MainWindow, SessionService, WelcomePage, SettingsPage]:
    window, session = parts.window, parts.session
    assert isinstance(window, MainWindow) and isinstance(session, SessionService)
    return window, session, window._pages.welcome, window._pages.settings


def test_the_welcome_page_says_the_key_cannot_be_stored_and_offers_this_session(
        qtbot: Bot, no_keyring: AppParts) -> None:
    window, session, welcome, _settings = parts_of(no_keyring)
    assert window.current_page() == "welcome"
    assert "none" not in welcome.where.text().split()
    assert "cannot be stored" in welcome.where.text()
    assert "this session only" in welcome.where.text()
    assert not welcome.save.isVisible()
    assert welcome.session_only.isVisible() and welcome.session_only.isDefault()
    welcome.key.edit.setText(TEST_KEY)
    qtbot.keyClick(welcome.key.edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert window.current_page() != "welcome"
    assert session.key_status().state is KeyState.SESSION_ONLY
    assert session.write_client() is not None


def test_save_with_no_keyring_never_moves_on_with_a_dropped_key(
        qtbot: Bot, no_keyring: AppParts) -> None:
    window, session, welcome, _settings = parts_of(no_keyring)
    welcome.key.edit.setText(TEST_KEY)
    welcome.key_submitted.emit("PacSpace", "https://balance-api.pacspace.io", TEST_KEY)
    assert window.current_page() == "welcome"
    assert not session.has_profile()
    assert welcome.problem.isVisible() and "not saved" in welcome.problem.text()
    assert welcome.session_only.isVisible()


def test_settings_keeps_offering_this_session_and_never_drops_a_working_key(
        qtbot: Bot, no_keyring: AppParts) -> None:
    window, session, welcome, settings = parts_of(no_keyring)
    welcome.key.edit.setText(TEST_KEY)
    qtbot.mouseClick(welcome.session_only, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    window.show_page(SETTINGS)
    assert "there is none" in settings.key_state.text()
    assert settings.session_key.isVisible(), "the offer stays once a session key exists"
    assert not settings.store_key.isVisible(), "Save key would fail: it is not offered"
    # Saving anyway (e.g. from code) fails and keeps the working session key.
    assert not session.store_key(OTHER_KEY)
    assert session.key_status().state is KeyState.SESSION_ONLY
    assert session.api_key() is not None and session.api_key().masked.startswith("pk_test_abc")  # type: ignore[union-attr]
    # Replacing the session key with another one works from the page.
    settings.key_field.edit.setText(OTHER_KEY)
    qtbot.mouseClick(settings.session_key, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    key = session.api_key()
    assert key is not None and key.masked.startswith("pk_test_ghi")
    assert settings.session_key.isVisible()


def test_with_a_keyring_the_welcome_page_names_it(qtbot: Bot, qloop: object,
                                                  tmp_path: Path) -> None:
    parts = start(qtbot, tmp_path, MemoryKeyring())
    try:
        _window, _session, welcome, _settings = parts_of(parts)
        assert welcome.where.text() == ("The key is stored only in fakes MemoryKeyring, never "
                                        "in a file.")
        assert welcome.save.isVisible() and not welcome.session_only.isVisible()
    finally:
        for close in parts.closers:
            close()
