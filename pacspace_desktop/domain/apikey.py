"""The API key: its shape, its environment, and a form that never shows it in full."""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

KEY_SHAPE = re.compile(r"^pk_(live|test)_[^.\s]+\.\S+$")


class Environment(StrEnum):
    """Where writes go. LIVE counts for real."""

    LIVE = "live"
    TEST = "test"
    SANDBOX = "sandbox"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The badge text."""
        return self.value.upper()


class ApiKey:
    """An API key that masks itself in `repr`, `str`, f-strings and tracebacks.

    Only `reveal()` gives the full text, and only the HTTP layer calls it.
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def reveal(self) -> str:
        """The full key, for the `X-Api-Key` header only."""
        return self._secret

    @property
    def masked(self) -> str:
        """`pk_live_abc…•••`: enough to recognise a key, never enough to use it."""
        return mask_key(self._secret)

    @property
    def fingerprint(self) -> str:
        """`pk_live_abc… sha256:1a2b3c4d5e6f`: names the key in an audit pack, cannot be used."""
        digest = hashlib.sha256(self._secret.encode("utf-8")).hexdigest()[:12]
        return f"{mask_key(self._secret).removesuffix('•••')} sha256:{digest}"

    @property
    def environment(self) -> Environment:
        """LIVE or TEST from the key's prefix."""
        return environment_of(self._secret)

    def __repr__(self) -> str:
        return f"ApiKey({self.masked})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._secret == self._secret

    def __hash__(self) -> int:
        return hash(self._secret)


def mask_key(secret: str) -> str:
    """Mask a key, keeping its prefix and three characters of the public part."""
    match = re.match(r"^(pk_(?:live|test)_)([^.]{0,3})", secret)
    if match:
        return f"{match.group(1)}{match.group(2)}…•••"
    return "•••" if secret else ""


def environment_of(secret: str) -> Environment:
    """The environment a key belongs to, from its prefix."""
    if secret.startswith("pk_live_"):
        return Environment.LIVE
    if secret.startswith("pk_test_"):
        return Environment.TEST
    return Environment.UNKNOWN


def key_shape_problem(text: str) -> str | None:
    """What is wrong with a pasted key's shape, in plain words, or None when it looks right."""
    if not text:
        return "Paste the API key from the PacSpace dashboard."
    if text != text.strip():
        return "The key starts or ends with a space. Remove it; keys contain no spaces."
    if any(ch.isspace() for ch in text):
        return "The key contains a space or a line break. Copy it again in one piece."
    if not text.startswith(("pk_live_", "pk_test_")):
        return "PacSpace keys start with pk_live_ or pk_test_."
    if not KEY_SHAPE.match(text):
        return ("The key looks cut off: it has two parts joined by a dot "
                "(pk_live_PUBLIC.SECRET).")
    return None
