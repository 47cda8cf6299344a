"""Settings → Team history: test, connect, disconnect, and move the local history in.

Connecting saves the address (team_history.json) and puts the password in the keyring; the
app opens the team history from its next start (every page and service works on one store, so
the switch is made where the app is built, not under a send in progress). A team history that
cannot be reached at start is never replaced by the local file without a person choosing it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.errors import StorageError
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyStore
from pacspace_desktop.storage.team import (
    MoveReport,
    TeamCheck,
    check_connection,
    move_local_history,
    open_team,
)
from pacspace_desktop.storage.team_settings import (
    TeamSettings,
    TeamSettingsError,
    check_url,
    load,
    save,
)

log = logging.getLogger(__name__)


def open_configured_history(config_dir: Path, history_db: Path, keys: KeyStore
                            ) -> HistoryStore:
    """The history Settings chose: the team's database, or the local file.

    Raises:
        StorageError: the team history cannot be opened (`UNREACHABLE`, `NEWER`, …); the
            local file is not opened instead.
    """
    team = load(config_dir)
    if not team.connected:
        store = HistoryStore.open(history_db)
    else:
        try:
            password = keys.team_password(team.keyring_account())
        except KeyringUnavailable:
            password = None  # libpq may still find one (PGPASSWORD, ~/.pgpass)
        store = open_team(team.connection_url(), password)
    store.sent_by = team.display_name
    return store


class TeamHistoryService(QObject):
    """The team history's settings and the actions of Settings → Team history.

    Signals:
        checked(object): a `TeamCheck` ("Test the connection", and the check before connecting).
        changed(object): the `TeamSettings` now saved (after connect or disconnect).
        moved(object): a `MoveReport`, after the local history was moved in.
        failed(str): an action could not be done; the words say why.
        busy_changed(bool): an action started or ended.
    """

    checked = Signal(object)
    changed = Signal(object)
    moved = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, config_dir: Path, history_db: Path, keys: KeyStore,
                 in_use: str = "", parent: QObject | None = None) -> None:
        """`in_use` is the address of the team history this run of the app uses ("": local)."""
        super().__init__(parent)
        self._config_dir = config_dir
        self._history_db = history_db
        self._keys = keys
        self._in_use = in_use
        self._task: asyncio.Task[None] | None = None

    def settings(self) -> TeamSettings:
        """What is saved now."""
        return load(self._config_dir)

    @property
    def in_use(self) -> str:
        """The team history this run of the app uses ("" for the local history)."""
        return self._in_use

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def stored_password(self, settings: TeamSettings) -> str | None:
        """The saved password of a connection, or None (also when the keyring is locked)."""
        try:
            return self._keys.team_password(settings.keyring_account())
        except KeyringUnavailable:
            return None

    # --- actions (each in a worker thread: a server may take seconds to answer) -------------

    def test(self, url: str, ca_file: str, password: str | None) -> bool:
        """Test a connection; `checked` tells the result."""
        settings = self._parsed(url, ca_file, "")
        if settings is None:
            return False
        return self._start(self._test(settings, password, connect=False), "testing team history")

    def connect_team(self, url: str, ca_file: str, display_name: str, password: str | None
                     ) -> bool:
        """Test, then save the connection (password to the keyring) if it can be used."""
        settings = self._parsed(url, ca_file, display_name)
        if settings is None:
            return False
        return self._start(self._test(settings, password, connect=True),
                           "connecting team history")

    def use_local(self) -> None:
        """Back to the local history (from the next start); the password leaves the keyring."""
        old = self.settings()
        try:
            if old.connected:
                self._keys.set_team_password(old.keyring_account(), None)
            new = TeamSettings(display_name=old.display_name)
            save(self._config_dir, new)
        except (KeyringUnavailable, OSError) as exc:
            self.failed.emit(f"The team history could not be disconnected: {exc}")
            return
        self.changed.emit(new)

    def move_local(self) -> bool:
        """Move the local history into the saved team history; `moved` gives the count."""
        team = self.settings()
        if not team.connected:
            self.failed.emit("Connect to a team history first.")
            return False
        if not self._history_db.exists():
            self.failed.emit("There is no local history on this computer to move.")
            return False
        return self._start(self._move(team), "moving history into the team history")

    # --- inside ----------------------------------------------------------------------------

    def _parsed(self, url: str, ca_file: str, display_name: str) -> TeamSettings | None:
        try:
            clean = check_url(url)
        except TeamSettingsError as exc:
            self.failed.emit(str(exc))
            return None
        ca = ca_file.strip()
        if ca and not Path(ca).is_file():
            self.failed.emit(f"The CA file {ca} cannot be found.")
            return None
        return TeamSettings(clean, ca, display_name.strip())

    def _start(self, work: object, name: str) -> bool:
        if self.busy:
            self.failed.emit("Wait for the team history action that is running to finish.")
            return False
        self.busy_changed.emit(True)
        self._task = start_task(work, name=name,  # type: ignore[arg-type]
                                on_error=lambda _e: self.busy_changed.emit(False))
        return True

    async def _test(self, settings: TeamSettings, password: str | None, connect: bool) -> None:
        try:
            if password is None:
                password = self.stored_password(settings)
            found: TeamCheck = await asyncio.to_thread(
                check_connection, settings.connection_url(), password)
            self.checked.emit(found)
            if connect and found.ok:
                try:
                    if password:
                        self._keys.set_team_password(settings.keyring_account(), password)
                    save(self._config_dir, settings)
                except KeyringUnavailable as exc:
                    self.failed.emit(f"The password cannot be kept in the system keyring "
                                     f"({exc}); the team history was not connected.")
                    return
                except OSError as exc:
                    self.failed.emit(f"The team history could not be saved: {exc}")
                    return
                self.changed.emit(settings)
        finally:
            self.busy_changed.emit(False)

    async def _move(self, team: TeamSettings) -> None:
        try:
            password = self.stored_password(team)

            def work() -> MoveReport:
                local = HistoryStore.open(self._history_db)
                try:
                    shared = open_team(team.connection_url(), password)
                    try:
                        return move_local_history(local, shared)
                    finally:
                        shared.close()
                finally:
                    local.close()

            try:
                report = await asyncio.to_thread(work)
            except StorageError as exc:
                self.failed.emit(f"{exc} Nothing was moved.")
                return
            log.info("moved the local history into the team history: %s", report)
            self.moved.emit(report)
        finally:
            self.busy_changed.emit(False)
