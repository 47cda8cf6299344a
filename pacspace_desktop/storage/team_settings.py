"""Where this computer's history lives: the local file (the default) or a team's database.

Kept in `team_history.json` beside the settings file. Never a password: that lives in the OS
keyring (`KeyStore.team_password`, under `keyring_account`). The address, the CA file for
TLS and a display name ("Anna (PC-FIN-02)") that sends are recorded under.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

FILE_NAME = "team_history.json"


class TeamSettingsError(ValueError):
    """An address or option that cannot be used; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """The team history this computer uses ("" url: the local history).

    Attributes:
        url: `postgresql://user@host:port/database`, without a password.
        ca_file: A PEM file of the certificate authority that signed the server's
            certificate; when set, the server's name and certificate are checked
            (`sslmode=verify-full`).
        display_name: Who sends from here, as History shows it ("" : the OS user and computer).
    """

    url: str = ""
    ca_file: str = ""
    display_name: str = ""

    @property
    def connected(self) -> bool:
        """Whether a team history is chosen."""
        return bool(self.url)

    def connection_url(self) -> str:
        """The address the connection uses, with the TLS options."""
        return with_tls(self.url, self.ca_file)

    def keyring_account(self) -> str:
        """The keyring account of this connection's password."""
        return keyring_account(self.url)


def keyring_account(url: str) -> str:
    """The keyring account of a team database's password (one per user, server, database)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"team-history:{parts.username or ''}@{parts.hostname or ''}{port}{parts.path}"


def check_url(url: str) -> str:
    """The address, tidied, or `TeamSettingsError` saying what is wrong with it."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise TeamSettingsError("A team history's address starts with postgresql:// — for "
                                "example postgresql://anna@db.example.com/pacspace.")
    if not parts.hostname or not parts.path.strip("/"):
        raise TeamSettingsError("The address needs the server and the database: "
                                "postgresql://user@server/database.")
    if parts.password:
        raise TeamSettingsError("Leave the password out of the address: it goes into the "
                                "password field and is kept in the system keyring.")
    return url


def with_tls(url: str, ca_file: str) -> str:
    """`url` with `sslmode=verify-full` and the CA file when a CA file is given."""
    if not url or not ca_file:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(sslmode="verify-full", sslrootcert=ca_file)
    return urlunsplit(parts._replace(query=urlencode(query)))


def load(config_dir: Path) -> TeamSettings:
    """The saved choice (the local history when there is none or it cannot be read)."""
    try:
        data = json.loads((config_dir / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TeamSettings()
    if not isinstance(data, dict):
        return TeamSettings()
    known = {f.name for f in fields(TeamSettings)}
    return replace(TeamSettings(), **{k: str(v) for k, v in data.items()
                                      if k in known and isinstance(v, str)})


def save(config_dir: Path, settings: TeamSettings) -> None:
    """Write the choice atomically (never a password).

    Raises:
        OSError: the file cannot be written.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=config_dir, prefix=".team_history.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(settings), fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, config_dir / FILE_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
