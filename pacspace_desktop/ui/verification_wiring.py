"""Wiring verification and the audit pack into the shell: services, status bar and History.

Done right after the window's first paint; the History page is wired when it is made.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QWidget

from pacspace_desktop.services.audit_service import AuditService
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.services.verification_service import VerificationService
from pacspace_desktop.storage.audit_export import AuditSummary
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import AppPaths
from pacspace_desktop.storage.verification_settings import VerificationSettingsStore
from pacspace_desktop.ui.main_window import HISTORY, MainWindow

if TYPE_CHECKING:
    from pacspace_desktop.storage.receipts import Receipt
    from pacspace_desktop.ui.history_page import HistoryPage

SETTINGS_FILE = "verification.json"


def wire_verification(window: MainWindow, session: SessionService, store: HistoryStore,
                      submissions: SubmissionService, history: HistoryService,
                      history_page: Callable[[], HistoryPage], paths: AppPaths
                      ) -> tuple[VerificationService, AuditService]:
    """Build the verification and audit services and connect them; the caller starts the
    verification service (`start()`) and shuts it down. `history_page()` makes (or gives)
    the History page; it is wired once the window has made it."""
    service = VerificationService(store, VerificationSettingsStore(paths.config_dir
                                                                   / SETTINGS_FILE),
                                  session.key_store, parent=window)

    def follow_profile() -> None:
        reader = session.read_bucket if session.read_client() else None
        service.set_reader(reader, session.environment().value)

    session.profile_changed.connect(follow_profile)
    session.key_state_changed.connect(lambda _s: follow_profile())
    submissions.started.connect(lambda _r, _i: service.send_started())

    def send_ended(*_args: object) -> None:
        # `finished` is said while the run's task is still ending: look once it has.
        def check() -> None:
            if not submissions.busy:
                service.send_finished()
                service.refresh()

        QTimer.singleShot(0, check)

    for signal in (submissions.finished, submissions.failed, submissions.refused):
        signal.connect(send_ended)
    service.items_changed.connect(history.verification_changed)
    history.check_started.connect(lambda _n: service.send_started("check"))

    def check_ended(_report: object) -> None:  # a person's check goes first, and may verify
        service.send_finished("check")
        service.refresh()

    history.check_finished.connect(check_ended)
    service.waiting_changed.connect(window.status.show_verification)

    def show_in_history(which: str) -> None:  # the status bar's count was clicked
        window.show_page(HISTORY)
        combo = history_page().filters.verification
        combo.setCurrentIndex(max(0, combo.findData(which)))

    window.status.verification.linkActivated.connect(show_in_history)
    dialogs: list[QWidget] = []

    def open_dialog() -> None:
        from pacspace_desktop.ui.verification_dialog import VerificationDialog

        if not dialogs:
            dialogs.append(VerificationDialog(service, window))
        dialog = dialogs[0]
        assert isinstance(dialog, VerificationDialog)
        dialog.reload_log()
        dialog.show()
        dialog.raise_()

    warnings: list[str] = []  # said before the History page was made: shown when it is
    service.warning_found.connect(warnings.append)
    audit = AuditService(store, _write_receipt, parent=window)

    def page_made(_page: QWidget) -> None:
        page = history_page()
        service.warning_found.disconnect(warnings.append)
        service.warning_found.connect(page.status.setText)
        if warnings:
            page.status.setText(warnings[-1])
        page.verification_requested.connect(open_dialog)
        wire_audit(window, audit, history, page)

    window.when_built(HISTORY, page_made)
    follow_profile()
    window.status.show_verification(*service.waiting())
    return service, audit


def _write_receipt(r: Receipt, path: Path) -> None:
    from pacspace_desktop.ui.receipt import write_receipt  # the PDF printer, on first use

    write_receipt(r, path)


def ask_folder(parent: QWidget) -> str:
    """Where to put an audit pack (a new folder is made inside)."""
    return QFileDialog.getExistingDirectory(parent, "Choose where to put the audit pack",
                                            str(Path.home()))


def wire_audit(window: MainWindow, audit: AuditService, history: HistoryService,
               page: HistoryPage) -> AuditService:
    """The audit pack: History's "Audit pack…" asks for a folder and writes into it."""
    if not hasattr(audit, "ask_folder"):
        audit.ask_folder = ask_folder  # type: ignore[attr-defined]  # tests replace it

    def requested(ids: object) -> None:
        chosen = audit.ask_folder(window)  # type: ignore[attr-defined]
        if not chosen:
            return
        selected = list(ids) if isinstance(ids, list) and ids else None
        audit.export(Path(chosen), history.filter, selected)

    def finished(folder: str, summary: object) -> None:
        if not isinstance(summary, AuditSummary):
            return
        why = summary.chain.reason or "some finished submissions are not sealed"
        seal = ("the history's seals are intact" if summary.chain.intact
                else f"the history's seals are NOT intact: {why}")
        page.status.setText(f"Audit pack written to {folder}: {summary.submissions} "
                            f"submission(s), {summary.items} item(s), one receipt each; {seal}.")

    page.audit_requested.connect(requested)
    audit.progress.connect(page.status.setText)
    audit.failed.connect(page.status.setText)
    audit.finished.connect(finished)
    return audit
