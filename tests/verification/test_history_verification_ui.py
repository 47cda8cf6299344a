"""History through real parts: sandbox → signed webhook → the app's receiver → the History page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxServer
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.services.session_service import SandboxHandle, SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.services.verification_service import ReceiverStatus, VerificationService
from pacspace_desktop.services.webhook_intake import receiver_warning
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.settings import SettingsStore
from pacspace_desktop.storage.verification_settings import (
    ReadBudget,
    ReceiverSettings,
    VerificationSettingsStore,
)
from pacspace_desktop.ui.history_model import COL_VERIFICATION
from pacspace_desktop.ui.history_page import HistoryPage
from pacspace_desktop.ui.verification_dialog import VerificationDialog
from tests.fakes import MemoryKeyring

SECRET = "whsec_ui_test_000000000000000"


@pytest.fixture
def session(tmp_path: Path, qloop: object, sandbox: SandboxServer) -> Iterator[SessionService]:
    svc = SessionService(SettingsStore(tmp_path / "config" / "settings.json"),
                         KeyStore(MemoryKeyring()),
                         lambda: SandboxHandle(sandbox.base_url, DEMO_API_KEY, lambda: None))
    assert svc.start_sandbox_profile()
    try:
        yield svc
    finally:
        svc.shutdown()


@pytest.fixture
def verification(tmp_path: Path, store: HistoryStore,
                 session: SessionService) -> Iterator[VerificationService]:
    svc = VerificationService(store, VerificationSettingsStore(tmp_path / "v.json"),
                              session.key_store, session.read_bucket, "sandbox")
    svc.set_read_budget(ReadBudget.OFF)  # only the webhook may tell
    try:
        yield svc
    finally:
        svc.shutdown()


def test_webhooks_reach_the_history_page(qtbot: QtBot, store: HistoryStore,
                                         session: SessionService, sandbox: SandboxServer,
                                         verification: VerificationService) -> None:
    history = HistoryService(store, session.read_bucket)
    page = HistoryPage(history)
    qtbot.addWidget(page)
    verification.items_changed.connect(history.verification_changed)
    assert verification.store_secret(SECRET)
    with qtbot.waitSignal(verification.receiver_changed) as changed:
        verification.apply_receiver(ReceiverSettings(enabled=True, port=0))
    status = changed.args[0]
    assert isinstance(status, ReceiverStatus) and status.listening and not status.warning
    sandbox.update_settings(webhook_url=status.url, webhook_secret=SECRET, verify_delay=0.1)
    sandbox.set_faults([{}, {"verify": "fail", "verifyError": "Ledger closed"}])
    submissions = SubmissionService(session, store)
    profile = session.active_profile()
    assert profile is not None
    session.update_profile(profile.id, batch_size=2)
    with qtbot.waitSignal(submissions.finished, timeout=20_000):
        submissions.submit([WriteItem(f"inv-{i}", "c-1", i + 1) for i in range(4)], "form")
    history.refresh()

    def cells() -> set[str]:
        return {page.model.index(r, COL_VERIFICATION).data()
                for r in range(page.model.rowCount())}

    qtbot.waitUntil(lambda: cells() == {"✓✓ 2 of 2 verified", "✗ 0 of 2 verified, 2 failed"},
                    timeout=20_000)
    ModelTester(None).check(page.model)  # type: ignore[arg-type]
    page.filters.verification.setCurrentIndex(page.filters.verification.findData("verified"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert cells() == {"✓✓ 2 of 2 verified"}
    page.filters.verification.setCurrentIndex(page.filters.verification.findData("failed"))
    qtbot.waitUntil(lambda: cells() == {"✗ 0 of 2 verified, 2 failed"})
    page.table.selectRow(0)
    assert "verification failed for 2 of 2" in page.detail.verification_note.text()
    assert "Ledger closed" in page.detail.verification_note.text()
    assert verification.waiting() == (0, 2)

    dialog = VerificationDialog(verification)
    qtbot.addWidget(dialog)
    ModelTester(None).check(dialog.log_model)  # type: ignore[arg-type]
    assert dialog.log_model.rowCount() == 2
    assert {dialog.log_model.index(r, 1).data() for r in range(2)} == {"✓ Accepted"}
    assert "A signing secret is stored" in dialog.secret_state.text()
    dialog.log.selectRow(0)
    assert "answered HTTP 200" in dialog.delivery.toPlainText()
    assert '"requestId"' in dialog.delivery.toPlainText()  # the body as PacSpace sent it
    assert dialog.receiver_status.text() == f"Listening on {status.url}"


def test_receiver_refuses_other_addresses_unless_asked(qtbot: QtBot,
                                                       verification: VerificationService
                                                       ) -> None:
    failures: list[str] = []
    verification.failed.connect(failures.append)
    verification.apply_receiver(ReceiverSettings(enabled=True, host="192.0.2.10", port=0))
    assert not verification.receiver_status.listening
    assert "is not this computer" in failures[-1]
    verification.apply_receiver(ReceiverSettings(enabled=False))
    assert verification.receiver_status.message == "The receiver is off."


def test_receiver_warnings() -> None:
    assert receiver_warning("127.0.0.1", tls=False, has_secret=True) == ""
    assert "without TLS" in receiver_warning("0.0.0.0", tls=False, has_secret=True)
    assert receiver_warning("0.0.0.0", tls=True, has_secret=True) == ""
    assert receiver_warning("::1", tls=False, has_secret=False).startswith("No signing secret")


def test_status_bar_counts_what_waits(qtbot: QtBot, session: SessionService) -> None:
    from pacspace_desktop.ui.status_bar import AppStatusBar

    bar = AppStatusBar(session)
    qtbot.addWidget(bar)
    bar.show()
    bar.show_verification(1234, 2)
    assert bar.verification.isVisible()
    text = bar.verification.text()  # the number is grouped as the locale says
    assert "234 waiting for verification</a>" in text and "✗ 2 failed verification" in text
    assert "href='waiting'" in text and "href='failed'" in text
    bar.show_verification(0, 0)
    assert not bar.verification.isVisible()


def test_every_control_of_the_dialog_and_the_page_has_a_name(
        qtbot: QtBot, store: HistoryStore, session: SessionService,
        verification: VerificationService) -> None:
    from tests.ui.a11y import unnamed_controls

    dialog = VerificationDialog(verification)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []
    page = HistoryPage(HistoryService(store, session.read_bucket))
    qtbot.addWidget(page)
    page.show()
    assert unnamed_controls(page) == []


def test_the_status_bar_count_opens_history_filtered(qtbot: QtBot, tmp_path: Path) -> None:
    from pacspace_desktop.app import build_app
    from pacspace_desktop.storage.paths import resolve_paths
    from pacspace_desktop.ui.main_window import MainWindow

    parts = build_app(resolve_paths(tmp_path / "app").ensure(), keyring_backend=MemoryKeyring())
    window = parts.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    try:
        parts.session.start_sandbox_profile()  # type: ignore[attr-defined]  # past Welcome
        window.status.verification.linkActivated.emit("failed")
        page = window._pages.history
        assert isinstance(page, HistoryPage)
        assert window.current_page() == "history"
        assert page.filters.verification.currentData() == "failed"
        assert page.service.filter.verification == "failed"
    finally:
        for close in parts.closers:
            close()
