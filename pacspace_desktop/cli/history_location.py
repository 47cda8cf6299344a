"""Which history a command uses: `--history postgresql://…`, the team history chosen in
Settings (team_history.json), or the local file. The same backend as the app, never a silent
fallback to the local file when the team database cannot be reached."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyStore
from pacspace_desktop.storage.paths import AppPaths
from pacspace_desktop.storage.team_settings import (
    TeamSettings,
    TeamSettingsError,
    check_url,
    keyring_account,
    load,
)


@dataclass(frozen=True)
class Location:
    """Where the history is, and who sends from here."""

    url: str  # "" for the local file
    path: Path
    sent_by: str

    @property
    def is_team(self) -> bool:
        return bool(self.url)

    @property
    def name(self) -> str:
        """For messages."""
        from pacspace_desktop.storage.pg import display_url

        return display_url(self.url) if self.url else str(self.path)


def locate(args: argparse.Namespace, paths: AppPaths) -> Location:
    """The history a command uses (see the module's words).

    Raises:
        TeamSettingsError: a `--history` address that cannot be used.
    """
    chosen = getattr(args, "history", None)
    team = load(paths.config_dir)
    if chosen:
        if chosen.startswith(("postgresql://", "postgres://")):
            return Location(check_url(chosen), paths.history_db, team.display_name)
        return Location("", Path(chosen), team.display_name)
    if team.connected:
        return Location(team.connection_url(), paths.history_db, team.display_name)
    return Location("", paths.history_db, team.display_name)


def open_location(location: Location, keys: KeyStore | None = None) -> HistoryStore:
    """Open the history a command uses.

    Raises:
        StorageError: it cannot be opened (for a team database: cannot be reached).
    """
    if not location.is_team:
        return HistoryStore.open(location.path)
    from pacspace_desktop.storage.team import open_team

    password: str | None = None
    try:
        password = (keys or KeyStore()).team_password(keyring_account(location.url))
    except KeyringUnavailable:
        password = None  # libpq still reads PGPASSWORD and ~/.pgpass
    return open_team(location.url, password)


__all__ = ["Location", "TeamSettings", "TeamSettingsError", "locate",
           "open_location"]
