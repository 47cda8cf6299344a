"""The one error catalogue: every outcome of a write, in words a finance clerk understands.

The form, the import grid, the history and the command line all take their words from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pacspace_desktop.domain.states import ItemState


class Written(StrEnum):
    """What PacSpace holds after this outcome."""

    NOTHING = "nothing"
    EVERYTHING = "everything"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The line shown on the outcome card."""
        return {
            Written.NOTHING: "Nothing",
            Written.EVERYTHING: "Everything",
            Written.UNKNOWN: "Unknown — check before resending",
        }[self]


class RetryPolicy(StrEnum):
    """What the client does on its own after this outcome."""

    NONE = "none"  # final: success, or a problem a person must fix
    BACKOFF = "backoff"  # retried automatically with exponential backoff and jitter
    NEVER_UNKNOWN = "never-unknown"  # may have been written: never re-sent automatically


class NextStep(StrEnum):
    """The action offered as a button beside the outcome."""

    NONE = "none"
    FIX_ITEMS = "fix-items"
    OPEN_KEY_SETTINGS = "open-key-settings"
    VIEW_PLAN = "view-plan"
    RETRY_LATER = "retry-later"
    CHECK_ON_SERVER = "check-on-server"
    CHECK_CONNECTION = "check-connection"
    CHECK_SETTINGS = "check-settings"
    CONTACT_SUPPORT = "contact-support"


class OutcomeKind(StrEnum):
    """Every way a write request can end. The value is stored in history."""

    ACCEPTED = "accepted"
    BAD_REQUEST = "http-400"
    UNAUTHORIZED = "http-401"
    PLAN_LIMIT = "http-402"
    FORBIDDEN = "http-403"
    NOT_FOUND = "http-404"
    CONFLICT = "http-409"
    UNPROCESSABLE = "http-422"
    RATE_LIMITED = "http-429"
    SERVER_ERROR = "http-500"
    BAD_GATEWAY = "http-502"
    UNAVAILABLE = "http-503"
    GATEWAY_TIMEOUT = "http-504"
    OTHER_CLIENT_ERROR = "http-4xx"
    OTHER_SERVER_ERROR = "http-5xx"
    UNEXPECTED_STATUS = "http-other"
    HOST_NOT_FOUND = "host-not-found"
    CONNECTION_REFUSED = "connection-refused"
    CONNECT_FAILED = "connect-failed"
    TLS_ERROR = "tls-error"
    TIMEOUT_BEFORE_SEND = "timeout-before-send"
    TIMEOUT_AFTER_SEND = "timeout-after-send"
    CONNECTION_DROPPED = "connection-dropped"
    UNREADABLE_ANSWER = "unreadable-answer"
    INSECURE_URL = "insecure-url"
    INVALID_ITEMS = "invalid-items"
    CANCELLED_IN_FLIGHT = "cancelled-in-flight"
    INTERRUPTED = "interrupted"
    NOT_SENT = "not-sent"


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """Everything the user is told about one outcome.

    Attributes:
        kind: Which outcome.
        title: One short line, no codes.
        explanation: One or two sentences in plain words.
        written: What PacSpace holds now.
        next_step: The action to offer.
        next_step_text: The sentence (or button text) that says what to do next.
        retry: What the client does on its own.
        stops_run: True when the requests after this one are not sent (they would fail too, or
            must not be sent without a person deciding).
    """

    kind: OutcomeKind
    title: str
    explanation: str
    written: Written
    next_step: NextStep
    next_step_text: str
    retry: RetryPolicy
    stops_run: bool

    @property
    def left_the_computer(self) -> bool:
        """False when the request never left: the connection, the name lookup or the
        certificate check failed, or the address was refused, before a byte was sent."""
        return self.kind not in _NEVER_LEFT

    @property
    def item_state(self) -> ItemState:
        """The state of every item of a request that ended this way.

        "Rejected" is PacSpace's refusal; a request that never reached PacSpace (refused
        connection, unknown name, certificate, connect timeout) is "not sent".
        """
        if self.kind is OutcomeKind.ACCEPTED:
            return ItemState.ACCEPTED
        if not self.left_the_computer:
            return ItemState.NOT_SENT
        if self.written is Written.UNKNOWN:
            return ItemState.UNKNOWN
        return ItemState.REJECTED


_NEVER_LEFT = frozenset({
    OutcomeKind.HOST_NOT_FOUND, OutcomeKind.CONNECTION_REFUSED, OutcomeKind.CONNECT_FAILED,
    OutcomeKind.TLS_ERROR, OutcomeKind.TIMEOUT_BEFORE_SEND, OutcomeKind.INSECURE_URL,
    OutcomeKind.INVALID_ITEMS, OutcomeKind.NOT_SENT,
})


def _e(kind: OutcomeKind, title: str, explanation: str, written: Written, step: NextStep,
       step_text: str, retry: RetryPolicy = RetryPolicy.NONE,
       stops_run: bool = False) -> CatalogueEntry:
    return CatalogueEntry(kind, title, explanation, written, step, step_text, retry, stops_run)


_N, _E, _U = Written.NOTHING, Written.EVERYTHING, Written.UNKNOWN
_UNKNOWN_WHY = ("It was not sent again on its own, because a second write to the same record "
                "key would count it twice.")

_ENTRIES: dict[OutcomeKind, CatalogueEntry] = {e.kind: e for e in (
    _e(OutcomeKind.ACCEPTED, "Accepted by PacSpace",
       "PacSpace received the items and queued them for verification.",
       _E, NextStep.NONE, "Nothing to do. Keep the Request ID for your records."),
    _e(OutcomeKind.BAD_REQUEST, "PacSpace refused the items",
       "PacSpace found something wrong in the items and rejected the whole request.",
       _N, NextStep.FIX_ITEMS, "Fix the item named in the details, then send again."),
    _e(OutcomeKind.UNAUTHORIZED, "PacSpace did not accept the API key",
       "The API key is wrong, was disabled, or belongs to another environment.",
       _N, NextStep.OPEN_KEY_SETTINGS,
       "Open the key settings and paste a current key from the PacSpace dashboard.",
       stops_run=True),
    _e(OutcomeKind.PLAN_LIMIT, "Your PacSpace plan limit is reached",
       "PacSpace stopped accepting records for this billing period. Nothing from this request "
       "on was written.",
       _N, NextStep.VIEW_PLAN,
       "Upgrade the plan or wait for the next billing period, then send the rest.",
       stops_run=True),
    _e(OutcomeKind.FORBIDDEN, "This key may not record data",
       "PacSpace knows the key but does not allow it to make writes.",
       _N, NextStep.CONTACT_SUPPORT,
       "Ask your PacSpace administrator for a key that may write.", stops_run=True),
    _e(OutcomeKind.NOT_FOUND, "PacSpace could not find the address",
       "The server answered, but it does not know the write address. The base URL in the "
       "profile is probably wrong.",
       _N, NextStep.CHECK_SETTINGS, "Check the base URL in the profile settings.",
       stops_run=True),
    _e(OutcomeKind.CONFLICT, "PacSpace reported a conflict",
       "PacSpace refused the request because it conflicts with data it already holds.",
       _N, NextStep.CHECK_ON_SERVER,
       "Check the records on the server before changing and resending them."),
    _e(OutcomeKind.UNPROCESSABLE, "PacSpace could not process the items",
       "The request was well formed, but PacSpace could not accept its content.",
       _N, NextStep.FIX_ITEMS, "Read PacSpace's message in the details, fix the items, resend."),
    _e(OutcomeKind.RATE_LIMITED, "PacSpace asked us to slow down",
       "Too many requests were sent in a short time. This request was not written. It was "
       "tried again automatically, and PacSpace still asked to wait; nothing more is sent on "
       "its own.",
       _N, NextStep.RETRY_LATER, "Wait a minute, then send these items again.",
       RetryPolicy.BACKOFF, stops_run=True),
    _e(OutcomeKind.SERVER_ERROR, "PacSpace had a problem",
       "PacSpace's server failed while handling the request and did not write it. It was "
       "tried again automatically.",
       _N, NextStep.RETRY_LATER, "Try again in a few minutes.", RetryPolicy.BACKOFF,
       stops_run=True),
    _e(OutcomeKind.BAD_GATEWAY, "PacSpace could not be reached through the network",
       "A gateway between this computer and PacSpace failed. The request was not written; it "
       "was tried again automatically.",
       _N, NextStep.RETRY_LATER, "Try again in a few minutes.", RetryPolicy.BACKOFF,
       stops_run=True),
    _e(OutcomeKind.UNAVAILABLE, "PacSpace is unavailable right now",
       "PacSpace is down for maintenance or overloaded. The request was not written; it was "
       "tried again automatically.",
       _N, NextStep.RETRY_LATER, "Try again later.", RetryPolicy.BACKOFF, stops_run=True),
    _e(OutcomeKind.GATEWAY_TIMEOUT, "PacSpace did not answer the gateway in time",
       "A gateway in front of PacSpace gave up waiting. PacSpace's documentation treats this "
       "like a server error: the request was not written and was tried again automatically.",
       _N, NextStep.RETRY_LATER, "Try again later.", RetryPolicy.BACKOFF, stops_run=True),
    _e(OutcomeKind.OTHER_CLIENT_ERROR, "PacSpace refused the request",
       "PacSpace answered with an error this app does not know; it says nothing was written.",
       _N, NextStep.CONTACT_SUPPORT, "Copy the details and send them to support.",
       stops_run=True),
    _e(OutcomeKind.OTHER_SERVER_ERROR, "PacSpace had an unexpected problem",
       "The server answered with an error this app does not know. The request was not "
       "written.",
       _N, NextStep.RETRY_LATER, "Try again later; if it lasts, copy the details for support.",
       stops_run=True),
    _e(OutcomeKind.UNEXPECTED_STATUS, "PacSpace gave an answer this app does not understand",
       "The server answered, but not in a way that says whether the items were written. "
       + _UNKNOWN_WHY,
       _U, NextStep.CHECK_ON_SERVER, "Check on the server before sending these items again.",
       RetryPolicy.NEVER_UNKNOWN),
    _e(OutcomeKind.HOST_NOT_FOUND, "PacSpace's address could not be found",
       "This computer could not look up the server's name. Nothing was sent.",
       _N, NextStep.CHECK_CONNECTION,
       "Check the internet connection and the base URL in the profile, then send again.",
       RetryPolicy.BACKOFF, stops_run=True),
    _e(OutcomeKind.CONNECTION_REFUSED, "PacSpace refused the connection",
       "The server is not accepting connections at this address. Nothing was sent.",
       _N, NextStep.CHECK_CONNECTION,
       "Check the base URL in the profile and that the server is running, then send again.",
       RetryPolicy.BACKOFF, stops_run=True),
    _e(OutcomeKind.CONNECT_FAILED, "Could not connect to PacSpace",
       "The connection could not be opened. Nothing was sent.",
       _N, NextStep.CHECK_CONNECTION, "Check the internet connection, then send again.",
       RetryPolicy.BACKOFF, stops_run=True),
    _e(OutcomeKind.TLS_ERROR, "The secure connection to PacSpace failed",
       "The server's certificate could not be verified, so nothing was sent. A proxy or a "
       "wrong address can cause this.",
       _N, NextStep.CHECK_SETTINGS,
       "Check the base URL; if your company uses a proxy, ask IT about its certificate.",
       stops_run=True),
    _e(OutcomeKind.TIMEOUT_BEFORE_SEND, "PacSpace did not answer in time",
       "The connection could not be opened in time, so nothing was sent.",
       _N, NextStep.CHECK_CONNECTION, "Check the internet connection, then send again.",
       RetryPolicy.BACKOFF, stops_run=True),
    _e(OutcomeKind.TIMEOUT_AFTER_SEND, "No answer from PacSpace — outcome unknown",
       "The items were sent, but PacSpace did not answer in time. They may or may not have "
       "been written. " + _UNKNOWN_WHY,
       _U, NextStep.CHECK_ON_SERVER, "Check on the server before sending these items again.",
       RetryPolicy.NEVER_UNKNOWN),
    _e(OutcomeKind.CONNECTION_DROPPED, "The connection broke — outcome unknown",
       "The items were sent, but the connection closed before PacSpace answered. They may "
       "or may not have been written. " + _UNKNOWN_WHY,
       _U, NextStep.CHECK_ON_SERVER, "Check on the server before sending these items again.",
       RetryPolicy.NEVER_UNKNOWN),
    _e(OutcomeKind.UNREADABLE_ANSWER, "PacSpace's answer could not be read — outcome unknown",
       "The server answered with something that is not a PacSpace answer (for example a "
       "web page from a proxy), so it is not known whether the items were written. "
       + _UNKNOWN_WHY,
       _U, NextStep.CHECK_ON_SERVER, "Check on the server before sending these items again.",
       RetryPolicy.NEVER_UNKNOWN),
    _e(OutcomeKind.INSECURE_URL, "The address is not secure",
       "The base URL starts with http:// and points to another computer. The API key and "
       "the records would travel unencrypted, so nothing was sent.",
       _N, NextStep.CHECK_SETTINGS, "Change the base URL to start with https://.",
       stops_run=True),
    _e(OutcomeKind.INVALID_ITEMS, "Some items have problems",
       "These items were held back because of problems found before sending. Nothing was "
       "sent for them.",
       _N, NextStep.FIX_ITEMS, "Fix the problems shown next to each item, then send again."),
    _e(OutcomeKind.CANCELLED_IN_FLIGHT, "Stopped while sending — outcome unknown",
       "Sending was stopped while this request was on its way. PacSpace may or may not have "
       "written it. " + _UNKNOWN_WHY,
       _U, NextStep.CHECK_ON_SERVER, "Check on the server before sending these items again."),
    _e(OutcomeKind.INTERRUPTED, "The app stopped while sending — outcome unknown",
       "The app was closed or crashed while this request was on its way. PacSpace may or "
       "may not have written it. " + _UNKNOWN_WHY,
       _U, NextStep.CHECK_ON_SERVER, "Check on the server before sending these items again."),
    _e(OutcomeKind.NOT_SENT, "Not sent",
       "Sending stopped before this request left the computer. Nothing was written.",
       _N, NextStep.NONE, "Send these items again when you are ready."),
)}

_BY_STATUS = {
    400: OutcomeKind.BAD_REQUEST, 401: OutcomeKind.UNAUTHORIZED, 402: OutcomeKind.PLAN_LIMIT,
    403: OutcomeKind.FORBIDDEN, 404: OutcomeKind.NOT_FOUND, 409: OutcomeKind.CONFLICT,
    422: OutcomeKind.UNPROCESSABLE, 429: OutcomeKind.RATE_LIMITED,
    500: OutcomeKind.SERVER_ERROR, 502: OutcomeKind.BAD_GATEWAY, 503: OutcomeKind.UNAVAILABLE,
    504: OutcomeKind.GATEWAY_TIMEOUT,
}


def entry(kind: OutcomeKind) -> CatalogueEntry:
    """The catalogue entry of an outcome kind."""
    return _ENTRIES[kind]


def kind_for_status(status: int) -> OutcomeKind:
    """The outcome of an HTTP status that is not a success.

    408 (request timeout) is a client-side status that some proxies send after the body was
    read; it is treated as an unknown outcome, never retried.
    """
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if 400 <= status < 500 and status != 408:
        return OutcomeKind.OTHER_CLIENT_ERROR
    if 500 <= status < 600:
        return OutcomeKind.OTHER_SERVER_ERROR
    return OutcomeKind.UNEXPECTED_STATUS


def entry_for_status(status: int) -> CatalogueEntry:
    """The catalogue entry of an HTTP status that is not a success."""
    return entry(kind_for_status(status))


def all_entries() -> list[CatalogueEntry]:
    """Every entry, for documentation and tests."""
    return list(_ENTRIES.values())


BUTTON_TEXT: dict[NextStep, str] = {
    NextStep.NONE: "",
    NextStep.FIX_ITEMS: "Show the item",
    NextStep.OPEN_KEY_SETTINGS: "Open key settings",
    NextStep.VIEW_PLAN: "View plan limits",
    NextStep.RETRY_LATER: "Retry now",
    NextStep.CHECK_ON_SERVER: "Check on server",
    NextStep.CHECK_CONNECTION: "Open connection settings",
    NextStep.CHECK_SETTINGS: "Open profile settings",
    NextStep.CONTACT_SUPPORT: "Copy details for support",
}
"""The verb on the button that offers each next step (the UI's only source for these words)."""

PRICING_URL = "https://pacspace.io/pricing"
