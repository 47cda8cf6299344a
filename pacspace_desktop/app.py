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
    services: object = None


def build_app(paths: AppPaths, keyring_backend: object | None = None,
              sandbox: bool = False, finish: bool = True) -> AppParts:
    """Build the window and everything behind it (a QApplication must exist).

    The window has its first page only; the others are made on first show. With
    `finish=False` what the first paint need not wait for (the keyring, verification, the
    sandbox, the HTTP client) is left to `finish_start`, which `run_app` calls right after
    the first paint; tests get everything at once.
    """
    from pacspace_desktop.services.session_service import SandboxHandle, SessionService
    from pacspace_desktop.services.team_history_service import open_configured_history
    from pacspace_desktop.storage.keystore import KeyStore
    from pacspace_desktop.storage.settings import SettingsStore
    from pacspace_desktop.ui.pages import build_window

    keys = KeyStore(keyring_backend)  # type: ignore[arg-type]
    # The team history chosen in Settings, or the local file; never the file instead of an
    # unreachable team database (its claims guard the whole team).
    store = open_configured_history(paths.config_dir, paths.history_db, keys)

    def starter() -> SandboxHandle:
        handle = start_builtin_sandbox()
        assert isinstance(handle, SandboxHandle)
        return handle

    session = SessionService(SettingsStore(paths.settings_file), keys, starter)
    if sandbox:
        session.start_sandbox_profile(start_now=False)  # it starts on first use
    window, services = build_window(session, store, paths)

    def stop_verification() -> None:  # the receiver stops before the store closes
        if services.verification is not None:
            services.verification.shutdown()

    parts = AppParts(window, session, services.history,
                     [stop_verification, session.shutdown, store.close], services=services)
    if finish:
        session.read_keyring_now()
        finish_start(parts)
    return parts


def _import_ahead() -> None:
    """Import the Qt-free modules the rest of the start needs: httpx and httpcore (with click
    and rich where they are installed, ~250 modules), the clients, the sandbox, what
    verification and the audit pack stand on. Run in a worker thread right after the first
    paint, so that the Qt thread does not stall on them."""
    import httpcore  # noqa: F401  # httpx imports it with its first transport
    import httpx  # noqa: F401

    import pacspace_desktop.network.client
    import pacspace_desktop.network.reads
    import pacspace_desktop.network.webhook_server
    import pacspace_desktop.network.webhooks
    import pacspace_desktop.sandbox
    import pacspace_desktop.storage.audit_export
    import pacspace_desktop.storage.receipts
    import pacspace_desktop.storage.verification_settings
    import pacspace_desktop.storage.webhook_log  # noqa: F401


def finish_start(parts: AppParts) -> None:
    """Right after the first paint: verification, the audit pack and History's check on the
    server (the caller has read the keyring by then: `SessionService.read_keyring`)."""
    from pacspace_desktop.ui.main_window import MainWindow
    from pacspace_desktop.ui.pages import Services
    from pacspace_desktop.ui.pages import finish_start as wire_the_rest

    assert isinstance(parts.window, MainWindow) and isinstance(parts.services, Services)
    wire_the_rest(parts.window, parts.services)
    parts.verification = parts.services.verification


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
        parts = build_app(paths, sandbox=bool(getattr(args, "sandbox", False)),
                          finish=False)
    except StorageError as exc:
        tail = ("Free some disk space or fix the folder's permissions, then start the app again."
                if exc.fault.value not in ("unreachable", "newer") else
                "Start the app again once the team database can be reached. To send with this "
                f"computer's own history instead, remove {paths.config_dir / 'team_history.json'}"
                " — then only this computer's sends are guarded against duplicates.")
        QMessageBox.critical(None, "PacSpace Desktop cannot start",
                             f"{exc}\n\nNothing was sent. {tail}")
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

    async def after_first_paint() -> None:
        from pacspace_desktop.services.verification_service import VerificationService

        await asyncio.to_thread(_import_ahead)  # what comes next imports them: not the Qt's
        await session.read_keyring()  # found in a worker thread: slow, and not the Qt's
        finish_start(parts)
        if isinstance(parts.verification, VerificationService):
            parts.verification.start()  # the receiver (if switched on) and background checks
        log.info("start-up finished")
        if getattr(args, "smoke_test", False):
            QTimer.singleShot(300, lambda: _smoke_check(window, app))

    from PySide6.QtCore import QTimer

    from pacspace_desktop.services.tasks import start_task

    begun: list[bool] = []

    def begin() -> None:  # once: at the first paint, or soon anyway if none comes
        if not begun:
            begun.append(True)
            start_task(after_first_paint(), name="start-up")

    window.first_painted.connect(begin)
    QTimer.singleShot(1500, begin)
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    for close in parts.closers:
        close()
    return int(getattr(app, "_smoke_exit", 0))


def _smoke_check(window: object, app: object) -> None:
    """For packaging checks: visit every page (each is made on its first show), then quit
    (exit 1 if a page is missing)."""
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
        ok = ok and window.current_page() == page and window.stack.currentWidget() is not None
    app._smoke_exit = 0 if ok else 1  # type: ignore[attr-defined]
    sys.stdout.write(f"smoke test: {'ok' if ok else 'FAILED'}\n")
    window.close()
    app.quit()
