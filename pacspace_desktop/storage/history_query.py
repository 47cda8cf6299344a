"""Reading the history for the History page: sorted keyset pages, summary counts, check targets.

Everything is done in SQL (sorting, filtering, counting), so a history of a million items opens
as fast as a plain query. Also here: what a stored check on the server means for one item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.dbapi import Db
from pacspace_desktop.storage.history import _SUB_COLS, HistoryStore, _submission
from pacspace_desktop.storage.history_sql import _dt, _ts, where_clause
from pacspace_desktop.storage.records import HistoryFilter, ItemRow, SubmissionRow


class SortColumn(StrEnum):
    """What the list can be sorted by."""

    TIME = "time"
    SOURCE = "source"
    PROFILE = "profile"
    ITEMS = "items"
    ACCOUNTS = "accounts"
    BITS = "bits"
    OUTCOME = "outcome"
    REQUEST_ID = "request_id"
    SENT_BY = "sent_by"


_SORT_SQL: dict[SortColumn, str] = {
    SortColumn.TIME: "s.created_at",
    SortColumn.SOURCE: "r.source",
    SortColumn.PROFILE: "r.profile || ' ' || r.environment",
    SortColumn.ITEMS: "s.item_count",
    SortColumn.ACCOUNTS: "s.account_count",
    SortColumn.BITS: "s.bits_sum",
    SortColumn.OUTCOME: "s.state",
    SortColumn.REQUEST_ID: "COALESCE(s.request_id, '')",
    SortColumn.SENT_BY: "r.sent_by",
}

# An accepted submission whose items were all confirmed verified is shown as verified.
_SHOWN_STATE = ("CASE WHEN s.state = 'accepted' AND NOT EXISTS (SELECT 1 FROM items v "
                "WHERE v.submission_id = s.id AND v.state <> 'verified') THEN 'verified' "
                "ELSE s.state END")


@dataclass(frozen=True, slots=True)
class Sort:
    """A sort order; ties are broken by the submission's id in the same direction."""

    column: SortColumn = SortColumn.TIME
    descending: bool = True


Cursor = tuple[Any, int]
"""Where a page ended: the last row's sort value and id (keyset paging)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of submissions and where the next one starts (None when there is no more)."""

    rows: list[SubmissionRow]
    next_cursor: Cursor | None


@dataclass(frozen=True, slots=True)
class PeriodCounts:
    """Submissions and their items by state over one period (accepted includes verified)."""

    submissions: Mapping[ItemState, int]
    items: Mapping[ItemState, int]

    def items_in(self, *states: ItemState) -> int:
        """Items in any of `states`."""
        return sum(self.items.get(s, 0) for s in states)

    def submissions_in(self, *states: ItemState) -> int:
        """Submissions in any of `states`."""
        return sum(self.submissions.get(s, 0) for s in states)


@dataclass(frozen=True, slots=True)
class Summary:
    """Today's and this week's counts (local time; the week starts on Monday)."""

    today: PeriodCounts
    week: PeriodCounts


@dataclass(frozen=True, slots=True)
class CheckTarget:
    """An item to check on the server, with what is needed to read the answer."""

    item_id: int
    submission_id: int
    key: str
    bits: int
    state: ItemState
    sent_at: datetime | None


class HistoryQuery:
    """Read-only queries over a history connection (the one a `HistoryStore` uses)."""

    def __init__(self, conn: Db) -> None:
        self._conn = conn

    @classmethod
    def of(cls, store: HistoryStore) -> HistoryQuery:
        """Queries over a store's connection."""
        return cls(store.connection)

    def database_path(self) -> str:
        """The database file ("" for an in-memory database)."""
        for _seq, name, file in self._conn.execute("PRAGMA database_list").fetchall():
            if name == "main":
                return str(file or "")
        return ""

    def page(self, flt: HistoryFilter, sort: Sort = Sort(), after: Cursor | None = None,
             limit: int = 200) -> Page:
        """Up to `limit` submissions after `after` in the given order."""
        expr = _SORT_SQL[sort.column]
        clauses, params = where_clause(flt)
        direction, op = ("DESC", "<") if sort.descending else ("ASC", ">")
        if after is not None:
            clauses.append(f"({expr}, s.id) {op} (?, ?)")
            params += [after[0], after[1]]
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._conn.execute(
            f"SELECT {_SUB_COLS}, {_SHOWN_STATE}, {expr} FROM submissions s "
            f"JOIN runs r ON r.id = s.run_id {where} "
            f"ORDER BY {expr} {direction}, s.id {direction} LIMIT ?",
            (*params, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        result = [replace(_submission(r[:16]), state=ItemState(r[16])) for r in rows]
        cursor = (rows[-1][17], rows[-1][0]) if more and rows else None
        return Page(result, cursor)

    def rows_by_id(self, submission_ids: Iterable[int]) -> list[SubmissionRow]:
        """Submissions as the list shows them, by id."""
        out: list[SubmissionRow] = []
        for chunk in _chunks(list(submission_ids)):
            out += [replace(_submission(r[:16]), state=ItemState(r[16])) for r in
                    self._conn.execute(
                        f"SELECT {_SUB_COLS}, {_SHOWN_STATE} FROM submissions s JOIN runs r "
                        f"ON r.id = s.run_id WHERE s.id IN ({','.join('?' * len(chunk))})",
                        chunk)]
        return out

    def first_keys(self, submission_ids: Iterable[int]) -> dict[int, str]:
        """The record key of each submission's first item, by submission id (for the list)."""
        out: dict[int, str] = {}
        for chunk in _chunks(list(submission_ids)):
            out.update((int(r[0]), str(r[1])) for r in self._conn.execute(
                "SELECT submission_id, key FROM items WHERE position = 0 AND submission_id IN "
                f"({','.join('?' * len(chunk))})", chunk))
        return out

    def count(self, flt: HistoryFilter) -> tuple[int, int]:
        """How many submissions match the filter, and how many items they hold."""
        clauses, params = where_clause(flt)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        join = "JOIN runs r ON r.id = s.run_id" if any("r." in c for c in clauses) else ""
        count, items = self._conn.execute(
            f"SELECT COUNT(*), COALESCE(SUM(s.item_count), 0) FROM submissions s {join} {where}",
            params).fetchone()
        return int(count), int(items)

    def summary(self, now: datetime) -> Summary:
        """Counts since local midnight and since Monday 00:00 local time."""
        local = now.astimezone()
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        monday = midnight - timedelta(days=midnight.weekday())
        return Summary(self._period(midnight), self._period(monday))

    def _period(self, since: datetime) -> PeriodCounts:
        subs: dict[ItemState, int] = {}
        items: dict[ItemState, int] = {}
        for state, count, total in self._conn.execute(
                "SELECT state, COUNT(*), SUM(item_count) FROM submissions WHERE created_at >= ? "
                "GROUP BY state", (_ts(since),)):
            subs[ItemState(state)] = int(count)
            items[ItemState(state)] = int(total or 0)
        return PeriodCounts(subs, items)

    def choices(self) -> tuple[list[str], list[str]]:
        """The profiles and environments that occur in the history, for the filters."""
        profiles = [r[0] for r in self._conn.execute(
            "SELECT DISTINCT profile FROM runs ORDER BY profile")]
        envs = [r[0] for r in self._conn.execute(
            "SELECT DISTINCT environment FROM runs ORDER BY environment")]
        return profiles, envs

    def check_targets(self, submission_ids: Iterable[int] = (),
                      item_ids: Iterable[int] = ()) -> list[CheckTarget]:
        """The items of some submissions and some single items, in history order, once each."""
        sql = ("SELECT i.id, i.submission_id, i.key, i.bits, i.state, "
               "COALESCE(s.sent_at, s.created_at) FROM items i "
               "JOIN submissions s ON s.id = i.submission_id WHERE {col} IN ({marks}) "
               "ORDER BY s.created_at, s.id, i.position")
        found: dict[int, CheckTarget] = {}
        for col, ids in (("i.submission_id", list(submission_ids)), ("i.id", list(item_ids))):
            for chunk in _chunks(ids):
                for r in self._conn.execute(sql.format(col=col, marks=",".join("?" * len(chunk))),
                                            chunk):
                    found.setdefault(r[0], CheckTarget(r[0], r[1], r[2], r[3], ItemState(r[4]),
                                                       _dt(r[5])))
        return list(found.values())

    def items_by_id(self, item_ids: Iterable[int]) -> list[ItemRow]:
        """Items by id, in history order."""
        out: list[ItemRow] = []
        for chunk in _chunks(list(item_ids)):
            out += [ItemRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], ItemState(r[7]), _dt(r[8]),
                            r[9], *verification.item_extra(r[10:])) for r in self._conn.execute(
                "SELECT id, submission_id, position, key, account_id, bits, metadata, state, "
                f"checked_at, check_json, {verification.ITEM_COLUMNS} FROM items "
                f"WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
        return sorted(out, key=lambda it: (it.submission_id, it.position))

    def item_ids_of(self, submission_ids: Iterable[int]) -> list[int]:
        """The item ids of some submissions."""
        out: list[int] = []
        for chunk in _chunks(list(submission_ids)):
            out += [r[0] for r in self._conn.execute(
                f"SELECT id FROM items WHERE submission_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY submission_id, position", chunk)]
        return out


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


# --- what a check on the server means ------------------------------------------------------

class Verdict(StrEnum):
    """What a check on the server says about one item."""

    VERIFIED = "verified"  # accepted, and PacSpace has verified it
    HELD = "held"  # accepted, PacSpace holds it, verification pending
    MISSING = "missing"  # accepted, yet PacSpace holds nothing (yet)
    LANDED = "landed"  # outcome unknown; a write arrived after we sent: it most likely landed
    EARLIER_ONLY = "earlier-only"  # outcome unknown; only writes from before we sent
    TOO_SOON = "too-soon"  # PacSpace holds nothing yet, but the write may still be queued
    NOT_LANDED = "not-landed"  # PacSpace holds nothing for the key: our write did not land
    OTHER_WRITES = "other-writes"  # rejected / not sent, but the key has other writes
    NO_ANSWER = "no-answer"  # the check itself failed


@dataclass(frozen=True, slots=True)
class Interpretation:
    """A check's verdict in words, and whether the item may be sent again because of it."""

    verdict: Verdict
    text: str
    may_resend: bool


CLOCK_TOLERANCE = timedelta(seconds=60)
"""A write this close before our send time still counts as ours (clocks differ a little)."""

DEFAULT_SETTLE = timedelta(minutes=10)
"""How long after a send a "not found" starts to mean "not written": PacSpace queues writes
(202 "queued") before they can be read, so an empty answer soon after a send proves nothing."""


def interpret_check(state: ItemState, sent_at: datetime | None,
                    check: Mapping[str, Any], checked_at: datetime | None = None,
                    settle: timedelta = DEFAULT_SETTLE) -> Interpretation:
    """What a stored check (see `HistoryService`) means for an item in `state` sent at `sent_at`.

    Args:
        state: The item's state in history.
        sent_at: When its request left (None if it never did).
        check: `found` (True, False or None), `totalWrites`, `lastWriteAt`, `verified`,
            `message`.
        checked_at: When the check was made (None: unknown, so never long enough after).
        settle: How long after the send a "not found" may be trusted.
    """
    found = check.get("found")
    held = state in (ItemState.ACCEPTED, ItemState.VERIFIED)
    if found is None:
        why = str(check.get("message") or "no answer")
        return Interpretation(Verdict.NO_ANSWER, f"The check got no clear answer ({why}). "
                              "Nothing is known yet: try the check again later.", False)
    if found is False:
        if held:
            return Interpretation(Verdict.MISSING, (
                "PacSpace holds nothing for this key, although it accepted the request. It may "
                "not have processed it yet: check again later. Do not resend it."), False)
        return _not_found(state, sent_at, checked_at, settle)
    writes = check.get("totalWrites")
    verified = check.get("verified") is True
    if held:
        if verified:
            return Interpretation(Verdict.VERIFIED,
                                  "PacSpace holds this write and has verified it.", False)
        return Interpretation(Verdict.HELD, "PacSpace holds this write; its verification is "
                              "still pending.", False)
    if state in (ItemState.REJECTED, ItemState.NOT_SENT):
        return Interpretation(Verdict.OTHER_WRITES, (
            f"PacSpace holds {writes or 'some'} other write(s) for this key. This request was "
            "not written; sending it again adds to them."), True)
    last = _parse_time(check.get("lastWriteAt"))
    if last is None or sent_at is None or last >= sent_at - CLOCK_TOLERANCE:
        tail = " PacSpace has verified it." if verified else ""
        return Interpretation(Verdict.LANDED, (
            "PacSpace holds a write for this key after this request was sent: it most likely "
            f"landed. Do not resend.{tail}"), False)
    return Interpretation(Verdict.EARLIER_ONLY, (
        "PacSpace's last write for this key is from before this request was sent: this "
        "request most likely did not land. Compare the bits PacSpace holds with your records "
        "before entering it again."), False)


def _not_found(state: ItemState, sent_at: datetime | None, checked_at: datetime | None,
               settle: timedelta) -> Interpretation:
    """PacSpace holds nothing for the key of an item it never accepted: what that shows."""
    if state in (ItemState.REJECTED, ItemState.NOT_SENT) or sent_at is None:
        return Interpretation(Verdict.NOT_LANDED, "PacSpace holds nothing for this key, and "
                              "this request was not written. It may be sent again.", True)
    settle_words = _duration(settle)
    if checked_at is None or checked_at - sent_at < settle:
        after = f"{(sent_at + settle).astimezone():%d %b %Y at %H:%M}"
        since = (f"the request left only {_duration(checked_at - sent_at)} before this check"
                 if checked_at is not None and checked_at >= sent_at
                 else "this check was too soon after the request left")
        return Interpretation(Verdict.TOO_SOON, (
            f"PacSpace holds nothing for this key yet, but {since}. PacSpace queues writes "
            "before they can be read, so this does not show that the write failed, and "
            f"sending it again now could count it twice. Check again after {after} (the "
            f"settle time is {settle_words}; you can change it in Settings)."), False)
    return Interpretation(Verdict.NOT_LANDED, (
        f"PacSpace held nothing for this key {_duration(checked_at - sent_at)} after the "
        f"request left, longer than the settle time of {settle_words} in which queued writes "
        "become readable. The write most likely did not land, so it may be sent again. If "
        "PacSpace was slow today, check once more before sending."), True)


def _duration(span: timedelta) -> str:
    seconds = max(0, int(span.total_seconds()))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    hours = round(minutes / 60)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def resubmit_refusal(item: ItemRow, check: Interpretation | None) -> str:
    """Why an item may not be sent again ("" when it may), given its last check's meaning.

    Accepted items never; unknown ones only after a check found nothing for the key.
    """
    state = item.state
    if state in (ItemState.ACCEPTED, ItemState.VERIFIED):
        return "PacSpace already accepted it: sending it again would count it twice."
    if state in (ItemState.QUEUED, ItemState.SENDING):
        return "It is still being sent."
    if state is ItemState.UNKNOWN:
        if check is None:
            return ("Its outcome is unknown: check it on the server first. If it did land, "
                    "sending it again would count it twice.")
        if not check.may_resend:
            return check.text
    return ""
