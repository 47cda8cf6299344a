"""Which base URLs the client may talk to: HTTPS, except on this computer.

The rule itself lives in `domain.urls`, shared with the settings that check a profile as it
is typed; here it is enforced before a request leaves.
"""

from __future__ import annotations

from pacspace_desktop.domain.urls import base_url_problem, is_loopback_host, normalise_base_url

__all__ = ["InsecureUrlError", "check_base_url", "is_loopback_host"]


class InsecureUrlError(ValueError):
    """The base URL would send the key and the records unencrypted, or is not a URL."""


def check_base_url(url: str) -> str:
    """Return the base URL without a trailing slash, or raise when it is not allowed.

    Raises:
        InsecureUrlError: for a non-http(s) URL, a URL without host, or http:// to a host
            other than this computer.
    """
    problem = base_url_problem(url)
    if problem is not None:
        raise InsecureUrlError(problem)
    return normalise_base_url(url)
