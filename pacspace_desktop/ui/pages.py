"""Building the pages and wiring them to each other and to the shell."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from pacspace_desktop.domain.catalogue import PRICING_URL, NextStep
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.services.audit_service import AuditService
from pacspace_desktop.services.history_checks import settle_time
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.services.verification_service import VerificationService
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyState
from pacspace_desktop.storage.paths import AppPaths
from pacspace_desktop.ui.history_page import HistoryPage
from pacspace_desktop.ui.import_page import ImportPage
from pacspace_desktop.ui.main_window import HISTORY, NEW_RECORD, SETTINGS, MainWindow, Pages
from pacspace_desktop.ui.new_record_page import NewRecordPage
from pacspace_desktop.ui.settings_page import SettingsPage
from pacspace_desktop.ui.verification_wiring import wire_verification
from pacspace_desktop.ui.welcome_page import WelcomePage


@dataclass
class Services:
    """The services behind the pages."""

    session: SessionService
    submissions: SubmissionService
    history: HistoryService
    verification: VerificationService | None = None
    audit: AuditService | None = None


def build_window(session: SessionService, store: HistoryStore, paths: AppPaths
                 ) -> tuple[MainWindow, Services]:
    """Make every page and the window, and connect them."""
    submissions = SubmissionService(session, store)
    history = HistoryService(store, session.read_bucket if session.read_client() else None,
                             settle=lambda: settle_time(session.active_profile()))
    history.recover()  # settle what a crash or kill left in flight, before the page reads
    drafts = DraftStore(paths.drafts_dir)
    new_record = NewRecordPage(session, submissions, store, drafts)
    import_page = ImportPage(session, submissions, store, drafts, paths.config_dir)
    history_page = HistoryPage(history)
    settings = SettingsPage(session)
    problem = session.key_storage_problem()
    welcome = WelcomePage(session.keyring_words(), problem.message if problem else "")
    window = MainWindow(session, Pages(new_record, import_page, history_page, settings,
                                       welcome))
    services = Services(session, submissions, history)
    _connect(window, services, Pages(new_record, import_page, history_page, settings, welcome))
    services.verification, services.audit = wire_verification(
        window, session, store, submissions, history, history_page, paths)
    return window, services


def _connect(window: MainWindow, s: Services, p: Pages) -> None:
    session, history = s.session, s.history
    assert isinstance(p.new_record, NewRecordPage) and isinstance(p.history, HistoryPage)
    new_record, history_page = p.new_record, p.history

    def submit_key(name: str, base_url: str, secret: str, session_only: bool = False) -> None:
        problem = session.key_storage_problem()
        if problem is not None and not session_only:
            # Never create the profile and move on with a key that was not kept anywhere.
            p.welcome.show_problem(f"The key was not saved: {problem.message}",
                                   offer_session_only=True)
            return
        profile = session.active_profile()
        if profile is None or profile.name != name.strip():
            profile = session.add_profile(name, base_url, 30.0, 100)
            if profile is None:
                return
        if session.store_key(secret, session_only=session_only):
            p.welcome.show_problem("")
            return
        status = session.key_status()
        p.welcome.show_problem(f"{status.message} {status.action}".strip(),
                               offer_session_only=status.state is KeyState.NO_BACKEND)

    p.welcome.key_submitted.connect(submit_key)
    p.welcome.session_key_requested.connect(
        lambda n, u, k: submit_key(n, u, k, session_only=True))
    p.welcome.sandbox_requested.connect(session.start_sandbox_profile)
    session.failed.connect(lambda text: p.welcome.show_problem(text)
                           if window.current_page() == "welcome" else None)

    def reader_follows_profile() -> None:
        history.set_reader(session.read_bucket if session.read_client() else None)

    session.profile_changed.connect(reader_follows_profile)
    session.key_state_changed.connect(lambda _s: reader_follows_profile())

    new_record.settings_requested.connect(lambda: window.show_page(SETTINGS))

    def check(submission_id: int) -> None:
        window.show_page(HISTORY)
        history_page.show_submission(submission_id)
        history.check_submissions([submission_id])

    new_record.check_requested.connect(check)

    def resubmit(items: list[WriteItem], source: str) -> None:
        new_record.load_items(items, f"From the history ({source}); check it before sending.")
        window.show_page(NEW_RECORD)

    history_page.resubmit_requested.connect(resubmit)
    history_page.new_record_requested.connect(lambda: window.show_page(NEW_RECORD))
    history_page.import_requested.connect(lambda: window.show_page("import"))

    def outcome_action(action: str) -> None:
        if action in (NextStep.OPEN_KEY_SETTINGS.value, NextStep.CHECK_SETTINGS.value,
                      NextStep.CHECK_CONNECTION.value):
            window.show_page(SETTINGS)
        elif action == NextStep.VIEW_PLAN.value:
            QDesktopServices.openUrl(QUrl(PRICING_URL))

    history_page.outcome_action_requested.connect(outcome_action)
    s.submissions.finished.connect(lambda _r: history.refresh())
    if isinstance(p.import_file, ImportPage):
        p.import_file.settings_requested.connect(lambda: window.show_page(SETTINGS))
        p.import_file.check_requested.connect(check)
        window.add_edit_actions(p.import_file.edit_actions())

    window.close_requested.connect(lambda: window.set_may_close(not s.submissions.busy
                                                                or _confirm_close(window, s)))


def _confirm_close(window: QWidget, s: Services) -> bool:
    """Closing while sending: stop cleanly after the request on its way, then close."""
    s.submissions.stop()
    s.submissions.finished.connect(lambda _r: window.close())
    return False

