"""Opening the history database: WAL, durable commits, and versioned migrations with a backup.

One migration list serves both backends: a local SQLite file (`connect`) and a team's
PostgreSQL database (`connect_team`, through `pg.PgConnection`, which speaks the same SQL).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.dbapi import Db
from pacspace_desktop.storage.errors import StorageError, StorageFault, fault_of, storage_error

if TYPE_CHECKING:
    from pacspace_desktop.storage.pg import PgConnection

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "StorageError", "StorageFault", "connect",
           "connect_team"]


MIGRATIONS: list[Callable[[Db], None]] = []


def _migration(fn: Callable[[Db], None]) -> Callable[[Db], None]:
    MIGRATIONS.append(fn)
    return fn


@_migration
def _v1(conn: Db) -> None:
    _run_script(conn, """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL,
            profile TEXT NOT NULL,
            environment TEXT NOT NULL,
            base_url TEXT NOT NULL,
            owner TEXT NOT NULL,
            item_count INTEGER NOT NULL
        );
        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            seq INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            finished_at TEXT,
            state TEXT NOT NULL,
            outcome_kind TEXT,
            status_code INTEGER,
            request_id TEXT,
            accepted_count INTEGER,
            server_message TEXT,
            request_body TEXT,
            response_text TEXT,
            retry_at TEXT,
            item_count INTEGER NOT NULL,
            account_count INTEGER NOT NULL,
            bits_sum INTEGER NOT NULL
        );
        CREATE INDEX submissions_run ON submissions(run_id, seq);
        CREATE INDEX submissions_created ON submissions(created_at);
        CREATE INDEX submissions_request ON submissions(request_id);
        CREATE INDEX submissions_state ON submissions(state);
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            position INTEGER NOT NULL,
            key TEXT NOT NULL,
            account_id TEXT NOT NULL,
            bits INTEGER NOT NULL,
            metadata TEXT,
            state TEXT NOT NULL,
            checked_at TEXT,
            check_json TEXT
        );
        CREATE INDEX items_submission ON items(submission_id, position);
        CREATE INDEX items_key ON items(key);
        CREATE INDEX items_account ON items(account_id);
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            number INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            status_code INTEGER,
            outcome_kind TEXT NOT NULL,
            server_message TEXT,
            response_text TEXT
        );
        CREATE INDEX attempts_submission ON attempts(submission_id, number);
    """)


@_migration
def _v2(conn: Db) -> None:
    # Claims on record keys (see storage/claims.py) and who sent each run. Every key that may
    # have been written, or is on its way, is claimed by its latest item, so the guard holds
    # for what was sent before the upgrade too.
    held = ",".join(f"'{s.value}'" for s in (ItemState.QUEUED, ItemState.SENDING,
                                               ItemState.ACCEPTED, ItemState.VERIFIED,
                                               ItemState.UNKNOWN))
    _run_script(conn, f"""
        ALTER TABLE runs ADD COLUMN sent_by TEXT NOT NULL DEFAULT '';
        CREATE TABLE claims (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            item_id INTEGER NOT NULL REFERENCES items(id),
            claimed_at TEXT NOT NULL,
            PRIMARY KEY (scope, key)
        ) WITHOUT ROWID;
        CREATE INDEX claims_item ON claims(item_id);
        INSERT INTO claims (scope, key, item_id, claimed_at)
            SELECT r.environment, i.key, MAX(i.id), MAX(s.created_at)
            FROM items i JOIN submissions s ON s.id = i.submission_id
            JOIN runs r ON r.id = s.run_id
            WHERE i.state IN ({held})
            GROUP BY r.environment, i.key
    """)


@_migration
def _v3(conn: Db) -> None:
    # Verification tracking (storage/verification.py), webhook deliveries (storage/webhook_log.py),
    # the tamper-evident chain (storage/chain.py) and the API key's public fingerprint per run.
    _run_script(conn, """
        ALTER TABLE runs ADD COLUMN key_fingerprint TEXT NOT NULL DEFAULT '';
        ALTER TABLE items ADD COLUMN verification TEXT;
        ALTER TABLE items ADD COLUMN verified_at TEXT;
        ALTER TABLE items ADD COLUMN verification_reason TEXT;
        ALTER TABLE items ADD COLUMN verification_source TEXT;
        ALTER TABLE items ADD COLUMN verification_read_at TEXT;
        ALTER TABLE items ADD COLUMN verification_warning TEXT;
        CREATE TABLE webhook_deliveries (
            id INTEGER PRIMARY KEY,
            received_at TEXT NOT NULL,
            remote TEXT NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            event_id TEXT,
            event_type TEXT,
            request_id TEXT,
            items_matched INTEGER NOT NULL DEFAULT 0,
            detail TEXT NOT NULL,
            body_sha256 TEXT NOT NULL,
            body TEXT,
            stored_event INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX webhook_events_once ON webhook_deliveries(event_id)
            WHERE stored_event = 1;
        CREATE INDEX webhook_deliveries_time ON webhook_deliveries(received_at);
        CREATE INDEX items_verification ON items(state, verification);
        CREATE TABLE chain (
            seq INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL UNIQUE REFERENCES submissions(id),
            content_hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            sealed_at TEXT NOT NULL
        )
    """)
    from pacspace_desktop.storage import chain

    chain.seal(conn, [r[0] for r in conn.execute("SELECT id FROM submissions ORDER BY id")])


@_migration
def _v4(conn: Db) -> None:
    # "Was this key sent?" looks keys up in every environment; the claims' primary key starts
    # with the environment, so without this every look-up scanned all claims (3 s for the
    # 20,000 keys of a file over 200,000 claims).
    conn.execute("CREATE INDEX IF NOT EXISTS claims_key ON claims(key)")


def _run_script(conn: Db, script: str) -> None:
    # executescript() would COMMIT first and break the migration's transaction.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path, busy_timeout: float = 10.0) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the history database.

    WAL with `synchronous=NORMAL`: a committed row survives the app being killed; the one
    write that must also survive a power cut — a request marked as sending, before it leaves —
    commits with `synchronous=FULL` (`HistoryStore.mark_sending`), which makes everything
    committed before it durable too. What a power cut can take back after that (an outcome, a
    released claim) is only ever taken back to the safe side: "outcome unknown", "held".

    Raises:
        StorageError: when the file cannot be opened, is not a database, or is newer than this
            version of the app (`fault` says which).
    """
    if str(path).startswith(("postgresql:", "postgres:")):  # never a file named like one
        raise StorageError(f"{path} is a team database's address, not a history file: "
                           "PacSpace Desktop opens it as the team history only.",
                           StorageFault.BUG)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               timeout=busy_timeout)
    except (OSError, sqlite3.Error) as exc:
        raise storage_error(exc, path) from exc
    try:
        _set_up(conn, path, time.monotonic() + busy_timeout)
    except sqlite3.Error as exc:
        conn.close()
        raise storage_error(exc, path) from exc
    except StorageError:
        conn.close()
        raise
    return conn


def _set_up(conn: sqlite3.Connection, path: Path, deadline: float) -> None:
    """WAL, durability and the schema. Two processes opening a new history at once: turning
    it to WAL needs the file to itself, and SQLite may answer "locked" at once instead of
    waiting (its busy handler is not asked), so this step is tried again until the deadline."""
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # another connection held it: not changed yet
                raise sqlite3.OperationalError("database is locked")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            _migrate(conn, path)
            return
        except sqlite3.OperationalError as exc:
            if fault_of(exc) is not StorageFault.LOCKED or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)  # only while another process sets the file up: a few ms


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = _checked_version(conn, path)
    if version == SCHEMA_VERSION:
        return
    if version > 0:
        backup_before_migration(conn, path, version)
    while True:
        # Each step re-reads the version under the write lock: two processes opening a new
        # history at once (two windows, the app and the command line) must not both run it.
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _checked_version(conn, path)
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version={version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back by itself (a full disk)
                conn.execute("ROLLBACK")
            raise


def _checked_version(conn: sqlite3.Connection, path: Path) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The history file {path} was written by a newer PacSpace Desktop "
            f"(schema {version}; this version knows {SCHEMA_VERSION}). Update the app.",
            StorageFault.NEWER)
    return version


def backup_before_migration(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the database (consistently, through SQLite's backup API) before changing its schema."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.v{version}.{stamp}.bak{path.suffix}")
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target


TEAM_SCHEMA_TABLE = "pacspace_schema"


def connect_team(url: str, password: str | None = None, connect_timeout: float = 5.0
                 ) -> PgConnection:
    """Open (creating the tables if needed) and migrate a team's history on PostgreSQL.

    The migrations are this module's, run in one transaction under the team's write lock, so
    two clerks whose apps open a new team database at once do not both run them. A database
    at the current version is only read: a user without the right to create tables can use
    it. (No backup is made before a migration here: the database's own backups are its
    administrator's.)

    Raises:
        StorageError: when the server cannot be reached (`UNREACHABLE`), refuses the user, or
            holds a schema newer than this app (`NEWER`).
    """
    from pacspace_desktop.storage.pg import COMPAT_SQL, PgConnection

    conn = PgConnection(url, password, connect_timeout)
    try:
        if team_schema_version(conn) != SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"CREATE TABLE IF NOT EXISTS {TEAM_SCHEMA_TABLE} "
                             "(version INTEGER NOT NULL)")
                version = _checked_team_version(conn)
                if version == 0:
                    for statement in COMPAT_SQL:
                        conn.execute(statement)
                    conn.execute(f"INSERT INTO {TEAM_SCHEMA_TABLE} (version) VALUES (0)")
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](conn)
                conn.execute(f"UPDATE {TEAM_SCHEMA_TABLE} SET version=?", (SCHEMA_VERSION,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(StorageError):  # the first error says why
                        conn.execute("ROLLBACK")
                raise
    except BaseException:
        conn.close()
        raise
    return conn


def team_schema_version(conn: Db) -> int:
    """The schema version of a team database (0: no PacSpace tables yet)."""
    exists = conn.execute(f"SELECT to_regclass('{TEAM_SCHEMA_TABLE}') IS NOT NULL").fetchone()
    return _checked_team_version(conn) if exists and exists[0] else 0


def _checked_team_version(conn: Db) -> int:
    row = conn.execute(f"SELECT MAX(version) FROM {TEAM_SCHEMA_TABLE}").fetchone()
    version = int(row[0]) if row and row[0] is not None else 0
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The team history was set up by a newer PacSpace Desktop (schema {version}; this "
            f"version knows {SCHEMA_VERSION}). Update the app on this computer; until then "
            "nothing can be sent from it.", StorageFault.NEWER)
    return version
