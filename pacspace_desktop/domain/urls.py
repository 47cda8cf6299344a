"""Which base URLs a profile may point at: HTTPS, except on this computer (pure rule)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    """True for a loopback address: 127.0.0.0/8, ::1, and the name `localhost` itself.

    Other names ending in `.localhost` do not count: they are looked up like any name (through
    DNS, on many systems), so they may lead to another computer, where plain http would carry
    the key unencrypted.
    """
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_problem(url: str) -> str | None:
    """What is wrong with a base URL, in plain words, or None when it may be used.

    The rule is the one the network layer enforces before sending: https:// everywhere, plain
    http:// only to this computer (the local sandbox).
    """
    text = url.strip()
    if not text:
        return "Enter PacSpace's address, for example https://balance-api.pacspace.io"
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        return (f"“{url}” is not a web address; it should look like "
                "https://balance-api.pacspace.io")
    if parts.scheme == "http" and not is_loopback_host(host):
        return (f"“{url}” is not encrypted (http://). Use https:// — plain http is allowed only "
                "for the local sandbox on this computer.")
    return None


def normalise_base_url(url: str) -> str:
    """The base URL without surrounding spaces or a trailing slash."""
    return url.strip().rstrip("/")
