"""A team's shared history: open it, test a connection, and move a local history into it.

The team history is the same `HistoryStore` over a PostgreSQL connection (`pg.PgConnection`),
so the claims that keep one person's windows from sending a key twice keep a whole team from
it. There is never a fallback to the local file: a team database that cannot be reached
refuses the send (`StorageFault.UNREACHABLE`), since the local file does not know what the
others sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from pacspace_desktop.storage.db import SCHEMA_VERSION, connect_team, team_schema_version
from pacspace_desktop.storage.dbapi import Db
from pacspace_desktop.storage.errors import StorageError, StorageFault
from pacspace_desktop.storage.history import HistoryStore

_TABLES = ("runs", "submissions", "items", "attempts", "claims", "chain")


def open_team(url: str, password: str | None = None, connect_timeout: float = 5.0
              ) -> HistoryStore:
    """The team history at `url` (a `postgresql://` address; TLS options in its query).

    Raises:
        StorageError: the database cannot be reached or used (the message says why).
    """
    return HistoryStore(connect_team(url, password, connect_timeout))


@dataclass(frozen=True, slots=True)
class TeamCheck:
    """What "Test the connection" found.

    Attributes:
        reachable: The server answered and let the user in.
        schema_version: The history's schema there (0: not set up yet; it is set up on first
            connect), or None when unreachable.
        can_write: The user may write the history (or create it, when it is not set up).
        message: One sentence for a person.
        fault: Why it failed, when it did.
    """

    reachable: bool
    schema_version: int | None
    can_write: bool
    message: str
    fault: StorageFault | None = None

    @property
    def ok(self) -> bool:
        """Reachable, at this app's schema (or empty), and writable."""
        return (self.reachable and self.can_write and self.schema_version is not None
                and self.schema_version <= SCHEMA_VERSION)


def check_connection(url: str, password: str | None = None, connect_timeout: float = 5.0
                     ) -> TeamCheck:
    """Reach the team database, read its schema version and ask whether the user may write.

    Nothing is created or changed: a database that is still empty is set up by the first
    real connection.
    """
    from pacspace_desktop.storage.pg import PgConnection, display_url

    where = display_url(url)
    try:
        conn = PgConnection(url, password, connect_timeout)
    except StorageError as exc:
        return TeamCheck(False, None, False, str(exc), exc.fault)
    try:
        try:
            version = team_schema_version(conn)
        except StorageError as exc:
            return TeamCheck(True, None, False, str(exc), exc.fault)
        if version == 0:
            row = conn.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')"
                               ).fetchone()
            can_write = bool(row and row[0])
            what = "It has no PacSpace history yet; connecting sets one up."
        else:
            row = conn.execute(
                "SELECT bool_and(has_table_privilege(t, 'INSERT,UPDATE,DELETE')) "
                "FROM unnest(?::text[]) AS t", (list(_TABLES),)).fetchone()
            can_write = bool(row and row[0])
            what = f"It holds a PacSpace history (schema {version})."
        if not can_write:
            return TeamCheck(True, version, False, f"The team history at {where} answered, "
                             f"but this database user may not write to it. {what} Ask "
                             "whoever runs the database for write permission.",
                             StorageFault.READ_ONLY)
        return TeamCheck(True, version, True,
                         f"Connected to {where}. {what} This user may write to it.")
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class MoveReport:
    """What "Move the local history into the team database" did."""

    runs: int
    submissions: int
    items: int
    claims: int
    skipped_claims: int
    already: int = 0  # sends of this history that a move before brought in already

    def text(self) -> str:
        """One sentence for a person."""
        tail = (f" {self.skipped_claims} key(s) were held in the team history already: those "
                "claims stay with the team's send." if self.skipped_claims else "")
        if self.already:
            tail += (f" {self.already} send(s) were moved in before and were not copied "
                     "again.")
        return (f"Moved {self.submissions} submission(s) with {self.items} item(s) from "
                f"{self.runs} send(s) into the team history; {self.claims} key(s) are now "
                f"claimed there.{tail}")


def move_local_history(local: HistoryStore, team: HistoryStore) -> MoveReport:
    """Copy every run of the local history into the team history, in one transaction.

    New ids are given in the team database; claims come along unless the team holds that key
    already (then the team's claim stays and the count says so). A send that a move before
    brought in (the same start time, file, sender process and environment) is not copied
    again, so moving twice does not double the history. The local file is kept
    as it is (it is not deleted). Sends still running locally are refused: they would go on
    writing into the local file.

    Raises:
        StorageError: a local send is still on its way, or a database cannot be used.
    """
    src = local.connection
    open_runs = src.execute("SELECT COUNT(*) FROM submissions WHERE state IN (?, ?)",
                            ("queued", "sending")).fetchone()[0]
    if open_runs:
        local.recover_interrupted()
        open_runs = src.execute("SELECT COUNT(*) FROM submissions WHERE state IN (?, ?)",
                                ("queued", "sending")).fetchone()[0]
        if open_runs:
            raise StorageError("A send on this computer is still on its way: wait until it "
                               "has finished, then move the history.", StorageFault.LOCKED)
    dst = team.connection
    counts = {"runs": 0, "submissions": 0, "items": 0, "claims": 0, "skipped": 0,
              "already": 0}
    dst.execute("BEGIN IMMEDIATE")
    try:
        _copy(src, dst, counts)
        dst.execute("COMMIT")
    except BaseException:
        if dst.in_transaction:
            with suppress(StorageError):  # a lost connection: the first error says why
                dst.execute("ROLLBACK")
        raise
    return MoveReport(counts["runs"], counts["submissions"], counts["items"],
                      counts["claims"], counts["skipped"], counts["already"])


def _columns(conn: Db, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _copy(src: Db, dst: Db, counts: dict[str, int]) -> None:
    run_cols = [c for c in _columns(src, "runs") if c != "id"]
    sub_cols = [c for c in _columns(src, "submissions") if c not in ("id", "run_id")]
    item_cols = [c for c in _columns(src, "items") if c not in ("id", "submission_id")]
    att_cols = [c for c in _columns(src, "attempts") if c not in ("id", "submission_id")]
    item_map: dict[int, int] = {}
    sub_map: dict[int, int] = {}
    same = ("created_at", "source", "owner", "environment")
    at = [run_cols.index(c) + 1 for c in same]
    for run in src.execute(f"SELECT id, {', '.join(run_cols)} FROM runs ORDER BY id").fetchall():
        if dst.execute("SELECT 1 FROM runs WHERE " + " AND ".join(f"{c}=?" for c in same),
                       tuple(run[i] for i in at)).fetchone():
            counts["already"] += 1  # moved in before
            continue
        new_run = _insert(dst, "runs", run_cols, run[1:])
        counts["runs"] += 1
        for sub in src.execute(f"SELECT id, {', '.join(sub_cols)} FROM submissions "
                               "WHERE run_id=? ORDER BY seq", (run[0],)).fetchall():
            new_sub = _insert(dst, "submissions", ["run_id", *sub_cols], (new_run, *sub[1:]))
            sub_map[sub[0]] = new_sub
            counts["submissions"] += 1
            items = src.execute(f"SELECT id, position, {', '.join(item_cols)} FROM items "
                                "WHERE submission_id=? ORDER BY position", (sub[0],)).fetchall()
            dst.executemany(f"INSERT INTO items (submission_id, {', '.join(item_cols)}) VALUES "
                            f"({', '.join('?' * (len(item_cols) + 1))})",
                            [(new_sub, *it[2:]) for it in items])
            new_ids = dict(dst.execute("SELECT position, id FROM items WHERE submission_id=?",
                                       (new_sub,)).fetchall())
            item_map.update((it[0], new_ids[it[1]]) for it in items)
            counts["items"] += len(items)
            for att in src.execute(f"SELECT {', '.join(att_cols)} FROM attempts "
                                   "WHERE submission_id=? ORDER BY number", (sub[0],)):
                _insert(dst, "attempts", ["submission_id", *att_cols], (new_sub, *att))
    for scope, key, item_id, claimed_at in src.execute(
            "SELECT scope, key, item_id, claimed_at FROM claims").fetchall():
        if item_id not in item_map:
            continue
        held = dst.execute("SELECT 1 FROM claims WHERE scope=? AND key=?", (scope, key)
                           ).fetchone()
        if held:
            counts["skipped"] += 1
            continue
        dst.execute("INSERT INTO claims (scope, key, item_id, claimed_at) VALUES (?, ?, ?, ?)",
                    (scope, key, item_map[item_id], claimed_at))
        counts["claims"] += 1
    from pacspace_desktop.storage import chain

    chain.seal(dst, sorted(sub_map.values()))  # the team's chain links them in its own order


def _insert(conn: Db, table: str, cols: Sequence[str], values: Sequence[Any]) -> int:
    cur = conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                       f"({', '.join('?' * len(cols))})", tuple(values))
    return int(cur.lastrowid or 0)
