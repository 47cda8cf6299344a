"""Asking PacSpace what it holds for a key: `GET /api/v1/reads/bucket/{key}`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.catalogue import OutcomeKind, kind_for_status
from pacspace_desktop.network.factory import trust_used
from pacspace_desktop.network.failures import classify_transport_error, describe_transport_error
from pacspace_desktop.network.responses import mask_secrets, parse_json, server_message
from pacspace_desktop.network.security import InsecureUrlError, check_base_url

if TYPE_CHECKING:  # imported with the first request, not at the app's start
    import httpx

READS_PATH = "/api/v1/reads/bucket/"


@dataclass(frozen=True, slots=True)
class Bucket:
    """What PacSpace holds for one key.

    Attributes:
        key: The record key.
        account_id: Its account.
        current_bits: The sum of every write to the key.
        total_writes: How many writes the key has had.
        last_write_at: When the last write arrived (as the server wrote it).
        verified: True when PacSpace has verified the last write.
    """

    key: str
    account_id: str | None
    current_bits: int | None
    total_writes: int | None
    last_write_at: str | None
    verified: bool | None


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The answer to a read.

    Attributes:
        key: The key asked about.
        found: True when PacSpace holds the key; False for a clear 404; None when unknown.
        bucket: What PacSpace holds, when found.
        kind: None for a clear answer (found or not found), else the failure's outcome kind.
        status_code: The HTTP status, or None.
        server_message: The server's own words.
        response_text: The raw answer.
        checked_at: When the answer came (UTC).
    """

    key: str
    found: bool | None
    bucket: Bucket | None
    kind: OutcomeKind | None
    status_code: int | None
    server_message: str
    response_text: str
    checked_at: datetime


class ReadClient:
    """Reads buckets from one PacSpace base URL with one API key. Never retries on its own."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, api_key: ApiKey) -> None:
        self._http = http
        self._base_url = base_url
        self._key = api_key

    def __repr__(self) -> str:
        return f"ReadClient({self._base_url!r}, {self._key!r})"

    async def read_bucket(self, key: str) -> ReadResult:
        """Ask what PacSpace holds for `key`. Failures are results, not exceptions."""
        now = datetime.now(UTC)
        try:
            url = check_base_url(self._base_url) + READS_PATH + quote(key, safe="")
        except InsecureUrlError as exc:
            return ReadResult(key, None, None, OutcomeKind.INSECURE_URL, None, str(exc), "", now)
        import httpx  # loaded once: then a dictionary look-up

        try:
            response = await self._http.get(url, headers={"X-Api-Key": self._key.reveal()})
        except httpx.TransportError as exc:
            kind = classify_transport_error(exc)
            message = describe_transport_error(exc, kind, trust_used(self._http))
            return ReadResult(key, None, None, kind, None, mask_secrets(message, self._key), "",
                              datetime.now(UTC))
        text = mask_secrets(response.text, self._key)  # an echoed key never goes further
        parsed = parse_json(text)
        checked = datetime.now(UTC)
        if response.status_code == 200:
            bucket = _bucket(key, parsed)
            if bucket is None:
                return ReadResult(key, None, None, OutcomeKind.UNREADABLE_ANSWER, 200,
                                  server_message(text, parsed), text, checked)
            return ReadResult(key, True, bucket, None, 200, "", text, checked)
        if response.status_code == 404 and isinstance(parsed, Mapping):
            return ReadResult(key, False, None, None, 404, server_message(text, parsed), text,
                              checked)
        return ReadResult(key, None, None, kind_for_status(response.status_code),
                          response.status_code, server_message(text, parsed), text, checked)


def _bucket(key: str, body: Any) -> Bucket | None:
    if not isinstance(body, Mapping):
        return None
    data = body.get("data", body)
    if not isinstance(data, Mapping):
        return None

    def _int(name: str) -> int | None:
        value = data.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _str(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) else None

    verified = data.get("verified")
    return Bucket(key=_str("key") or key, account_id=_str("accountId"),
                  current_bits=_int("currentBits"), total_writes=_int("totalWrites"),
                  last_write_at=_str("lastWriteAt"),
                  verified=verified if isinstance(verified, bool) else None)
