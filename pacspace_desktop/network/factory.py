"""The one place an HTTP client is made: timeouts, certificate checks and the User-Agent."""

from __future__ import annotations

import httpx

from pacspace_desktop import __version__

USER_AGENT = f"pacspace-desktop/{__version__}"


def make_http_client(timeout: float = 30.0, *,
                     transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for PacSpace: certificates verified, no redirects followed.

    Redirects are not followed because a redirected POST may be replayed or turned into a GET;
    either way the outcome of a write must come from PacSpace itself.

    Args:
        timeout: Seconds to wait for an answer; connecting gets at most 10 s of it.
        transport: Only for tests of this layer.
    """
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
        verify=True,
        transport=transport,
    )
