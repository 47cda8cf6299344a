"""Removing API keys from any text before it is logged, reported, shown or stored."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pacspace_desktop.domain.apikey import mask_key

_KEY_LIKE = re.compile(r"pk_(?:live|test)_[^\s\"'<>,;]+")
_PREFIX = re.compile(r"^pk_(?:live|test)_")
_MIN_PART = 6  # shorter parts would mask ordinary words


def secret_forms(secret: str) -> list[str]:
    """The key and the parts of it a server or proxy might echo on their own, longest first.

    `pk_live_PUBLIC.SECRET` is also looked for as `PUBLIC.SECRET` (without its prefix) and as
    the bare `SECRET`; the public part alone identifies but does not open the account.
    """
    if not secret:
        return []
    forms = [secret]
    without = _PREFIX.sub("", secret)
    if without != secret and len(without) >= _MIN_PART:
        forms.append(without)
    _public, dot, tail = secret.partition(".")
    if dot and len(tail) >= _MIN_PART:
        forms.append(tail)
    return sorted(set(forms), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every API key masked: the known ones (also their bare secret parts), and
    anything shaped like a key."""
    for secret in secrets:
        for form in secret_forms(secret):
            if form in text:
                text = text.replace(form, mask_key(secret) if form == secret else "•••")
    return _KEY_LIKE.sub(lambda m: mask_key(m.group(0)), text)


_EXCEPTION_NAME = re.compile(r"^(?:[a-z_]+\.)*[A-Z][A-Za-z]*(?:Error|Timeout|Exception)\b:?\s*")


def transport_words(message: str) -> str:
    """A stored transport-failure message without a leading exception name.

    Histories written before issue 14 hold `ReadTimeout: …` or `RemoteProtocolError: …` for
    failures without an answer; History shows them as words. Use only for messages of
    attempts that had no HTTP answer (a server's own words are left as they are).
    """
    stripped = _EXCEPTION_NAME.sub("", message.strip())
    if stripped == message.strip():
        return message
    return stripped[:1].upper() + stripped[1:] if stripped else "No details were recorded."
