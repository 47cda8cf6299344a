"""Wiring verification into the shell: the service, the status bar, History and its dialogs."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.services.verification_service import VerificationService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import AppPaths
from pacspace_desktop.storage.verification_settings import VerificationSettingsStore
from pacspace_desktop.ui.history_page import HistoryPage
from pacspace_desktop.ui.main_window import MainWindow
from pacspace_desktop.ui.verification_dialog import VerificationDialog

SETTINGS_FILE = "verification.json"


def wire_verification(window: MainWindow, session: SessionService, store: HistoryStore,
                      submissions: SubmissionService, history: HistoryService,
                      page: HistoryPage, paths: AppPaths) -> VerificationService:
    """Build the verification service and connect it; the caller starts and shuts it down."""
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
    service.waiting_changed.connect(window.status.show_verification)
    service.warning_found.connect(page.status.setText)

    dialogs: list[VerificationDialog] = []

    def open_dialog() -> None:
        if not dialogs:
            dialogs.append(VerificationDialog(service, window))
        dialogs[0].reload_log()
        dialogs[0].show()
        dialogs[0].raise_()

    page.verification_requested.connect(open_dialog)
    follow_profile()
    return service
