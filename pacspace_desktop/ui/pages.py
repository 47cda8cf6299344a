"""Building the pages and wiring them to each other and to the shell.

The window paints with its first page only; every other page (and the modules behind it) is
made the first time the clerk opens it, and what the first paint need not wait for (the
keyring, the sandbox, the HTTP client, verification) starts right after it: `finish_start`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from pacspace_desktop.services.history_checks import settle_time
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyState
from pacspace_desktop.storage.paths import AppPaths
from pacspace_desktop.ui.main_window import (
    HISTORY,
    IMPORT_FILE,
    NEW_RECORD,
    SETTINGS,
    WELCOME,
    LazyPages,
    MainWindow,
)

if TYPE_CHECKING:
    from pacspace_desktop.domain.items import WriteItem
    from pacspace_desktop.services.audit_service import AuditService
    from pacspace_desktop.services.verification_service import VerificationService
    from pacspace_desktop.ui.history_page import HistoryPage
    from pacspace_desktop.ui.new_record_page import NewRecordPage


@dataclass
class Services:
    """The services behind the pages (verification and audit exist after `finish_start`)."""

    session: SessionService
    submissions: SubmissionService
    history: HistoryService
    verification: VerificationService | None = None
    audit: AuditService | None = None
    paths: AppPaths | None = field(default=None, repr=False)
    store: HistoryStore | None = field(default=None, repr=False)
    ready: bool = False  # `finish_start` ran


def build_window(session: SessionService, store: HistoryStore, paths: AppPaths,
                 first_page: str | None = None) -> tuple[MainWindow, Services]:
    """Make the window with its first page (`first_page`, else the one the clerk left, else
    New record); the other pages are made when first shown."""
    submissions = SubmissionService(session, store)
    # The reader (a key, an HTTP client, maybe the sandbox) is set by `finish_start`.
    history = HistoryService(store, None, settle=lambda: settle_time(session.active_profile()))
    history.recover()  # settle what a crash or kill left in flight, before the page reads
    services = Services(session, submissions, history, paths=paths, store=store)
    drafts = DraftStore(paths.drafts_dir)
    holder: list[MainWindow] = []

    def new_record() -> QWidget:
        from pacspace_desktop.ui.new_record_page import NewRecordPage

        page = NewRecordPage(session, submissions, store, drafts)
        _wire_new_record(holder[0], services, page)
        return page

    def import_file() -> QWidget:
        from pacspace_desktop.ui.import_page import ImportPage

        page = ImportPage(session, submissions, store, drafts, paths.config_dir)
        window = holder[0]
        page.settings_requested.connect(lambda: window.show_page(SETTINGS))
        page.check_requested.connect(lambda sid: _check(window, history, sid))
        window.add_edit_actions(page.edit_actions())
        return page

    def history_page() -> QWidget:
        from pacspace_desktop.ui.history_page import HistoryPage

        page = HistoryPage(history)
        _wire_history(holder[0], services, page)
        return page

    def settings() -> QWidget:
        from pacspace_desktop.services.team_history_service import TeamHistoryService
        from pacspace_desktop.ui.settings_page import SettingsPage

        team = TeamHistoryService(paths.config_dir, paths.history_db, session.key_store,
                                  store.path if store.path.startswith("postgresql") else "")
        return SettingsPage(session, team=team)

    def welcome() -> QWidget:
        from pacspace_desktop.ui.welcome_page import WelcomePage

        known = session.key_store.found  # else named once `finish_start` found the keyring
        problem = session.key_storage_problem() if known else None
        page = WelcomePage(session.keyring_words() if known else "",
                           problem.message if problem else "")
        _wire_welcome(holder[0], session, page)
        return page

    pages = LazyPages({NEW_RECORD: new_record, IMPORT_FILE: import_file,
                       HISTORY: history_page, SETTINGS: settings, WELCOME: welcome})
    window = MainWindow(session, pages)
    holder.append(window)
    _connect(window, services)
    if history.interrupted and session.has_profile():
        first_page = HISTORY  # its banner says what was in flight when the app stopped
    window.open_first_page(first_page)
    return window, services


def finish_start(window: MainWindow, s: Services) -> None:
    """What the first paint does not wait for: verification and the audit pack, and the
    History's check on the server (a key, an HTTP client, the sandbox if that is the
    profile). The keyring is found in a worker: `SessionService.read_keyring`."""
    from pacspace_desktop.ui.verification_wiring import wire_verification

    assert s.paths is not None and s.store is not None
    s.verification, s.audit = wire_verification(
        window, s.session, s.store, s.submissions, s.history,
        lambda: _history_page(window), s.paths)
    s.ready = True
    _reader_follows_profile(s)


def _history_page(window: MainWindow) -> HistoryPage:
    from pacspace_desktop.ui.history_page import HistoryPage

    page = window.page(HISTORY)
    assert isinstance(page, HistoryPage)
    return page


def _reader_follows_profile(s: Services) -> None:
    s.history.set_reader(s.session.read_bucket if s.session.read_client() else None)


def _check(window: MainWindow, history: HistoryService, submission_id: int) -> None:
    window.show_page(HISTORY)
    _history_page(window).show_submission(submission_id)
    history.check_submissions([submission_id])


def _connect(window: MainWindow, s: Services) -> None:
    session = s.session

    def reader_follows_profile() -> None:
        if s.ready:  # before, `finish_start` sets the reader
            _reader_follows_profile(s)

    session.profile_changed.connect(reader_follows_profile)
    session.key_state_changed.connect(lambda _s: reader_follows_profile())
    s.submissions.finished.connect(lambda _r: s.history.refresh())
    window.close_requested.connect(lambda: window.set_may_close(not s.submissions.busy
                                                                or _confirm_close(window, s)))


def _wire_welcome(window: MainWindow, session: SessionService, welcome: QWidget) -> None:
    from pacspace_desktop.ui.welcome_page import WelcomePage

    assert isinstance(welcome, WelcomePage)

    def submit_key(name: str, base_url: str, secret: str, session_only: bool = False) -> None:
        problem = session.key_storage_problem()
        if problem is not None and not session_only:
            # Never create the profile and move on with a key that was not kept anywhere.
            welcome.show_problem(f"The key was not saved: {problem.message}",
                                 offer_session_only=True)
            return
        profile = session.active_profile()
        if profile is None or profile.name != name.strip():
            profile = session.add_profile(name, base_url, 30.0, 100)
            if profile is None:
                return
        if session.store_key(secret, session_only=session_only):
            welcome.show_problem("")
            return
        status = session.key_status()
        welcome.show_problem(f"{status.message} {status.action}".strip(),
                             offer_session_only=status.state is KeyState.NO_BACKEND)

    def keyring_found(_status: object) -> None:
        problem = session.key_storage_problem()
        welcome.set_keyring(session.keyring_words(), problem.message if problem else "")

    welcome.key_submitted.connect(submit_key)
    welcome.session_key_requested.connect(
        lambda n, u, k: submit_key(n, u, k, session_only=True))
    welcome.sandbox_requested.connect(session.start_sandbox_profile)
    session.failed.connect(lambda text: welcome.show_problem(text)
                           if window.current_page() == WELCOME else None)
    if not session.key_store.found:
        session.key_state_changed.connect(keyring_found)  # said once the keyring was found


def _wire_new_record(window: MainWindow, s: Services, page: NewRecordPage) -> None:
    page.settings_requested.connect(lambda: window.show_page(SETTINGS))
    page.check_requested.connect(lambda sid: _check(window, s.history, sid))


def _wire_history(window: MainWindow, s: Services, page: HistoryPage) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from pacspace_desktop.domain.catalogue import PRICING_URL, NextStep

    def resubmit(items: list[WriteItem], source: str) -> None:
        new_record = window.page(NEW_RECORD)
        load = getattr(new_record, "load_items", None)
        if callable(load):
            load(items, f"From the history ({source}); check it before sending.")
        window.show_page(NEW_RECORD)

    def outcome_action(action: str) -> None:
        if action in (NextStep.OPEN_KEY_SETTINGS.value, NextStep.CHECK_SETTINGS.value,
                      NextStep.CHECK_CONNECTION.value):
            window.show_page(SETTINGS)
        elif action == NextStep.VIEW_PLAN.value:
            QDesktopServices.openUrl(QUrl(PRICING_URL))

    page.resubmit_requested.connect(resubmit)
    page.new_record_requested.connect(lambda: window.show_page(NEW_RECORD))
    page.import_requested.connect(lambda: window.show_page(IMPORT_FILE))
    page.outcome_action_requested.connect(outcome_action)


def _confirm_close(window: QWidget, s: Services) -> bool:
    """Closing while sending: stop cleanly after the request on its way, then close."""
    s.submissions.stop()
    s.submissions.finished.connect(lambda _r: window.close())
    return False
