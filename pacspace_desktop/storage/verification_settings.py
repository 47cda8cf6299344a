"""How the app learns of verifications: the background reads budget and the webhook receiver.

Kept in `verification.json` beside the settings file (never a secret: the signing secret lives
in the keyring). A missing or unreadable file gives the defaults: gentle reads, receiver off.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path

DEFAULT_RECEIVER_PORT = 8789


class ReadBudget(StrEnum):
    """How much the app may read PacSpace in the background to learn of verifications."""

    OFF = "off"  # never on its own
    GENTLE = "gentle"  # one key at a time, slowly, for items sent in the last days
    ON_DEMAND = "on-demand"  # only when a person presses "Check verifications now"

    @property
    def label(self) -> str:
        """Words for the settings."""
        return {ReadBudget.OFF: "Off: never ask PacSpace on its own",
                ReadBudget.GENTLE: "Gentle: ask about one record key every 30 seconds",
                ReadBudget.ON_DEMAND: "Only when I press “Check verifications now”"}[self]


@dataclass(frozen=True, slots=True)
class ReceiverSettings:
    """The webhook receiver.

    Attributes:
        enabled: Listen for deliveries (off by default).
        host: The address to listen on (this computer by default).
        port: The port.
        allow_remote: Listening on an address other than this computer was asked for.
        cert_file: A PEM certificate for TLS ("" for plain HTTP).
        key_file: Its private key ("" when the certificate file holds it).
    """

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = DEFAULT_RECEIVER_PORT
    allow_remote: bool = False
    cert_file: str = ""
    key_file: str = ""


@dataclass(frozen=True, slots=True)
class VerificationSettings:
    """Everything in `verification.json`."""

    reads: ReadBudget = ReadBudget.GENTLE
    receiver: ReceiverSettings = ReceiverSettings()


class VerificationSettingsStore:
    """Loads and saves `verification.json` (written to a temporary file and renamed)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> VerificationSettings:
        """The saved settings, or the defaults."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return VerificationSettings()
        if not isinstance(raw, dict):
            return VerificationSettings()
        try:
            reads = ReadBudget(raw.get("reads", ReadBudget.GENTLE.value))
        except ValueError:
            reads = ReadBudget.GENTLE
        rec = raw.get("receiver") if isinstance(raw.get("receiver"), dict) else {}
        assert isinstance(rec, dict)
        base = ReceiverSettings()
        port = rec.get("port", base.port)
        receiver = ReceiverSettings(
            enabled=rec.get("enabled") is True,
            host=str(rec.get("host") or base.host),
            port=port if isinstance(port, int) and 0 <= port <= 65535 else base.port,
            allow_remote=rec.get("allow_remote") is True,
            cert_file=str(rec.get("cert_file") or ""),
            key_file=str(rec.get("key_file") or ""))
        return VerificationSettings(reads, receiver)

    def save(self, settings: VerificationSettings) -> None:
        """Write the settings.

        Raises:
            OSError: when the file cannot be written.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {"reads": settings.reads.value, "receiver": asdict(settings.receiver)}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)


def with_reads(settings: VerificationSettings, reads: ReadBudget) -> VerificationSettings:
    """The settings with another read budget."""
    return replace(settings, reads=reads)
