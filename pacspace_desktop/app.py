"""The composition root: builds the stores, services, pages and window, and runs the Qt loop."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.handlers
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pacspace_desktop import __version__
from pacspace_desktop.storage.paths import AppPaths, resolve_paths

APP_ID = "io.pacspace.Desktop"
log = logging.getLogger("pacspace_desktop")


class _RedactingFilter(logging.Filter):
    """Masks anything shaped like an API key in every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        from pacspace_desktop.domain.redact import redact

        record.msg = redact(record.getMessage())
        record.args = None
        return True


def setup_logging(log_dir: Path) -> None:
    """Log to a rotating file in the data folder, with API keys masked."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.handlers.RotatingFileHandler(log_dir / "pacspace-desktop.log",
                                                   maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def start_builtin_sandbox() -> object:
    """Start the local sandbox in-process on a free loopback port (the app's only use of it)."""
    from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer
    from pacspace_desktop.services.session_service import SandboxHandle

    server = SandboxServer(SandboxConfig(port=0, verify_delay=5.0))
    server.start()
    log.info("local sandbox started at %s", server.base_url)
    return SandboxHandle(server.base_url, DEMO_API_KEY, server.stop)


@dataclass
class AppParts:
    """Everything `build_app` made, for `run_app` and for tests."""

    window: object
    session: object
    history: object
    closers: list[Callable[[], None]]
    verification: object = None


def build_app(paths: AppPaths, keyring_backend: object | None = None,
              sandbox: bool = False) -> AppParts:
    """Build the window and everything behind it (a QApplication must exist)."""
    from pacspace_desktop.services.session_service import SandboxHandle, SessionService
    from pacspace_desktop.storage.history import HistoryStore
    from pacspace_desktop.storage.keystore import KeyStore
    from pacspace_desktop.storage.settings import SettingsStore
    from pacspace_desktop.ui.main_window import HISTORY
    from pacspace_desktop.ui.pages import build_window

    store = HistoryStore.open(paths.history_db)
    keys = KeyStore(keyring_backend)  # type: ignore[arg-type]

    def starter() -> SandboxHandle:
        handle = start_builtin_sandbox()
        assert isinstance(handle, SandboxHandle)
        return handle

    session = SessionService(SettingsStore(paths.settings_file), keys, starter)
    if sandbox:
        session.start_sandbox_profile()
    window, services = build_window(session, store, paths)
    if services.history.interrupted and session.has_profile():
        window.show_page(HISTORY)  # its banner says what was in flight when the app stopped
    verification = services.verification
    closers = [session.shutdown, store.close]
    if verification is not None:
        closers.insert(0, verification.shutdown)  # stop the receiver before the store closes
    return AppParts(window, session, services.history, closers, verification)


def run_app(args: argparse.Namespace) -> int:
    """Open the desktop app; returns the exit code."""
    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from pacspace_desktop.storage.db import StorageError
    from pacspace_desktop.ui.crash_dialog import install_excepthook
    from pacspace_desktop.ui.style import app_icon

    paths = resolve_paths(getattr(args, "data_dir", None)).ensure()
    setup_logging(paths.log_dir)
    log.info("PacSpace Desktop %s starting", __version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("PacSpace Desktop")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("PacSpace")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        parts = build_app(paths, sandbox=bool(getattr(args, "sandbox", False)))
    except StorageError as exc:
        QMessageBox.critical(None, "PacSpace Desktop cannot start",
                             f"{exc}\n\nNothing was sent. Free some disk space or fix the "
                             "folder's permissions, then start the app again.")
        return 1
    window = parts.window
    session = parts.session
    from pacspace_desktop.services.session_service import SessionService
    from pacspace_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow) and isinstance(session, SessionService)

    def secrets() -> list[str]:
        key = session.api_key()
        return [key.reveal()] if key else []

    install_excepthook(secrets, lambda: window)
    window.show()
    from pacspace_desktop.services.verification_service import VerificationService

    if isinstance(parts.verification, VerificationService):
        parts.verification.start()  # the receiver (if switched on) and background checks
    if getattr(args, "smoke_test", False):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(300, lambda: _smoke_check(window, app))
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    for close in parts.closers:
        close()
    return int(getattr(app, "_smoke_exit", 0))


def _smoke_check(window: object, app: object) -> None:
    """For packaging checks: visit every page, then quit (exit 1 if a page is missing)."""
    from PySide6.QtWidgets import QApplication

    from pacspace_desktop.ui.main_window import (
        HISTORY,
        IMPORT_FILE,
        NEW_RECORD,
        SETTINGS,
        MainWindow,
    )

    assert isinstance(window, MainWindow) and isinstance(app, QApplication)
    ok = True
    for page in (NEW_RECORD, IMPORT_FILE, HISTORY, SETTINGS):
        window.show_page(page)
        ok = ok and window.stack.currentWidget() is not None
    app._smoke_exit = 0 if ok else 1  # type: ignore[attr-defined]
    sys.stdout.write(f"smoke test: {'ok' if ok else 'FAILED'}\n")
    window.close()
    app.quit()
