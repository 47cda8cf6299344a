"""Where the app keeps its files: the user data and config directories, or an override."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "PacSpace Desktop"
APP_AUTHOR = "PacSpace"
DATA_DIR_ENV = "PACSPACE_DATA_DIR"
CONFIG_DIR_ENV = "PACSPACE_CONFIG_DIR"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The folders the app writes to. Nothing is created until `ensure()` is called."""

    data_dir: Path
    config_dir: Path

    @property
    def history_db(self) -> Path:
        """The SQLite history and outbox."""
        return self.data_dir / "history.sqlite3"

    @property
    def settings_file(self) -> Path:
        """Profiles and preferences (never the API key)."""
        return self.config_dir / "settings.json"

    @property
    def drafts_dir(self) -> Path:
        """Autosaved drafts of the form and the import grid."""
        return self.data_dir / "drafts"

    @property
    def log_dir(self) -> Path:
        """Log files."""
        return self.data_dir / "logs"

    def ensure(self) -> AppPaths:
        """Create the folders (private to the user) and return self."""
        for folder in (self.data_dir, self.config_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None,
                  config_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """The app's folders: arguments first, then `PACSPACE_DATA_DIR`/`PACSPACE_CONFIG_DIR`, then
    the platform's user folders.

    With only a data folder given, settings live in its `config` subfolder, so one override keeps
    a test or a portable setup entirely in one place.
    """
    data = data_dir or os.environ.get(DATA_DIR_ENV)
    config = config_dir or os.environ.get(CONFIG_DIR_ENV)
    data_path = Path(data) if data else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    if config:
        config_path = Path(config)
    elif data:
        config_path = data_path / "config"
    else:
        config_path = Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))
    return AppPaths(data_path, config_path)
