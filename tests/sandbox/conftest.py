"""Fixtures for the sandbox server tests: a real server on loopback, a real HTTP client."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer

VERIFY_DELAY = 0.2
# httpx builds a fresh certifi SSL context per client (~90 ms); share one (all traffic is http).
SSL_CONTEXT = ssl.create_default_context()


def item(key: str = "order-1", account: str = "customer-1", bits: Any = 1, **extra: Any) -> Any:
    return {"key": key, "accountId": account, "bits": bits, **extra}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(port=0, verify_delay=VERIFY_DELAY)) as server:
        yield server


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox.base_url,
        headers={"X-Api-Key": DEMO_API_KEY},
        timeout=5.0,
        verify=SSL_CONTEXT,
    ) as http:
        yield http


@pytest.fixture
def anon(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """A client without an API key (for control endpoints and 401 tests)."""
    with httpx.Client(base_url=sandbox.base_url, timeout=5.0, verify=SSL_CONTEXT) as http:
        yield http
