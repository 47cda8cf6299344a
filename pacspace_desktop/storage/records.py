"""Plain records the history store takes and gives (no network or UI types).

An HTTP attempt is the domain's `Attempt`, re-exported here as `AttemptRecord`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pacspace_desktop.domain.attempts import Attempt
from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.states import ItemState


@dataclass(frozen=True, slots=True)
class NewRun:
    """One user action that sends items (a form batch, a file, a CLI call).

    Attributes:
        source: `form`, the imported file's name, or `cli:<file>`.
        profile: The profile's name.
        environment: live, test or sandbox.
        base_url: Where the items go.
        sent_by: Who sends it ("anna on PC-FIN-02"); empty: the OS user and computer.
        key_fingerprint: The API key's public fingerprint (`storage.audit.key_fingerprint`),
            for the audit pack; never the key.
    """

    source: str
    profile: str
    environment: str
    base_url: str
    sent_by: str = ""
    key_fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class FinalOutcome:
    """How a submission (one request) ended.

    Attributes:
        kind: The outcome.
        status_code: The last HTTP status, or None.
        request_id: PacSpace's Request ID when accepted.
        accepted_count: `itemCount` from PacSpace.
        server_message: The server's own words.
        request_body: The JSON text sent.
        response_text: The raw answer.
        retry_at: When to try again, for a long rate-limit wait.
    """

    kind: OutcomeKind
    status_code: int | None = None
    request_id: str | None = None
    accepted_count: int | None = None
    server_message: str = ""
    request_body: str | None = None
    response_text: str = ""
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    """One submission (one request) in a list."""

    id: int
    run_id: int
    seq: int
    created_at: datetime
    source: str
    profile: str
    environment: str
    state: ItemState
    outcome_kind: OutcomeKind | None
    status_code: int | None
    request_id: str | None
    item_count: int
    account_count: int
    bits_sum: int
    server_message: str
    sent_by: str = ""  # who sent it ("anna on PC-FIN-02", or the display name from Settings)


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item of a submission as recorded."""

    id: int
    submission_id: int
    position: int
    key: str
    account_id: str
    bits: int
    metadata_json: str | None
    state: ItemState
    checked_at: datetime | None
    check_json: str | None
    verification: str = ""
    verified_at: datetime | None = None
    verification_reason: str = ""
    verification_warning: str = ""


@dataclass(frozen=True, slots=True)
class SubmissionDetail:
    """A submission with its items, attempts and raw texts."""

    row: SubmissionRow
    base_url: str
    sent_at: datetime | None
    finished_at: datetime | None
    request_body: str | None
    response_text: str | None
    retry_at: datetime | None
    items: list[ItemRow] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class KeySighting:
    """A time a key was sent before: the answer to "was key X ever sent?"."""

    key: str
    submission_id: int
    sent_at: datetime
    state: ItemState
    request_id: str | None
    profile: str
    environment: str
    bits: int
    sent_by: str = ""


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """What to show of the history. Empty fields do not filter.

    `verification` keeps submissions with an item in that verification state (a
    `storage.verification.Verification` value; "verified": every item verified; "warning": an
    item with a "written twice?" warning).

    Attributes:
        states: Submission states to include.
        since: Earliest creation time (inclusive).
        until: Latest creation time (exclusive).
        environment: live, test or sandbox.
        profile: A profile name.
        source: A source (file name, `form`), matched as a substring.
        search: Finds submissions by item key, account ID or Request ID (exact, or prefix).
        sent_by: Who sent it, matched as a substring, case ignored ("anna").
    """

    states: frozenset[ItemState] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    environment: str | None = None
    profile: str | None = None
    source: str | None = None
    search: str | None = None
    verification: str | None = None
    sent_by: str | None = None


AttemptRecord = Attempt
