"""The HTTP client of the active profile: made on first use, replaced when the profile changes.

httpx is imported with the first client, not when the app starts.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.settings import Profile

if TYPE_CHECKING:
    import httpx

    from pacspace_desktop.network.factory import TlsTrust


class HttpFactory(Protocol):
    """Makes the HTTP client of a profile (`network.factory.make_http_client`)."""

    def __call__(self, timeout: float, *, base_url: str = "",
                 trust: TlsTrust | None = None) -> httpx.AsyncClient: ...


class ProfileHttp:
    """One `httpx.AsyncClient` for the active profile's address, timeout and certificates.

    Args:
        factory: Makes a client; None means `network.factory.make_http_client`.
    """

    def __init__(self, factory: HttpFactory | None = None) -> None:
        self._factory = factory
        self._http: httpx.AsyncClient | None = None
        self._made_for: tuple[object, ...] | None = None
        self._retired: list[httpx.AsyncClient] = []

    def client(self, profile: Profile, url: str) -> httpx.AsyncClient:
        """The client for `profile` sending to `url` (a new one if either changed)."""
        from pacspace_desktop.network.factory import TlsTrust, make_http_client

        trust = TlsTrust(profile.ca_bundle, profile.trust_system_store)
        wanted = (profile.id, float(profile.timeout_s), url, trust)
        if self._http is None or self._made_for != wanted:
            self.drop()
            factory = self._factory or make_http_client
            self._http = factory(float(profile.timeout_s), base_url=url, trust=trust)
            self._made_for = wanted
        return self._http

    def drop(self) -> None:
        """Stop using the current client (the profile changed)."""
        # A run or a check that started with the old client may still be waiting to retry
        # with it (a profile changed mid-run): it is closed at exit, not under their feet.
        if self._http is not None:
            self._retired.append(self._http)
            self._http = None
            self._made_for = None

    def close(self) -> None:
        """Close every client made (at exit)."""
        self.drop()
        for old in self._retired:
            _close_later(old)
        self._retired.clear()


def _close_later(client: httpx.AsyncClient) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    start_task(client.aclose(), name="closing connections")  # keeps the task referenced
