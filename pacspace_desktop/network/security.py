"""Which base URLs the client may talk to: HTTPS, except on this computer."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class InsecureUrlError(ValueError):
    """The base URL would send the key and the records unencrypted, or is not a URL."""


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Return the base URL without a trailing slash, or raise when it is not allowed.

    Raises:
        InsecureUrlError: for a non-http(s) URL, a URL without host, or http:// to a host
            other than this computer.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureUrlError(
            f"“{url}” is not a web address; it should look like https://balance-api.pacspace.io")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureUrlError(
            f"“{url}” is not encrypted (http://). Use https:// — plain http is allowed only "
            "for the local sandbox on this computer.")
    return url.strip().rstrip("/")
