"""Benchmark: verification counts, filters, the chain check and the audit workbook on a big history.

Builds SUBMISSIONS x ITEMS_EACH items (default 2,000 x 100 = 200,000) in a temp file, marks a
share verified / failed, seals every submission, then times each operation beside a plain
SQLite query over the same rows in the same run, and prints the ratio.

Run: .venv/bin/python bench/verification_bench.py [SUBMISSIONS] [ITEMS_EACH]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacspace_desktop.storage import chain, verification
from pacspace_desktop.storage.audit_export import export_xlsx
from pacspace_desktop.storage.db import connect
from pacspace_desktop.storage.export import export_csv
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import HistoryQuery
from pacspace_desktop.storage.history_sql import where_clause
from pacspace_desktop.storage.records import HistoryFilter


def build(path: Path, submissions: int, per: int) -> None:
    conn = connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(18)
    now = datetime.now(UTC)
    conn.execute("BEGIN")
    for sub in range(1, submissions + 1):
        ts = (now - timedelta(minutes=submissions - sub)).isoformat(timespec="microseconds")
        conn.execute("INSERT INTO runs (id, created_at, source, profile, environment, base_url, "
                     "owner, item_count) VALUES (?, ?, 'march.csv', 'Finance', 'live', "
                     "'https://balance-api.pacspace.io', '1:1', ?)", (sub, ts, per))
        conn.execute("INSERT INTO submissions (id, run_id, seq, created_at, sent_at, finished_at,"
                     " state, outcome_kind, status_code, request_id, accepted_count, "
                     "request_body, item_count, account_count, bits_sum) VALUES "
                     "(?, ?, 0, ?, ?, ?, 'accepted', 'accepted', 202, ?, ?, '{}', ?, 7, ?)",
                     (sub, sub, ts, ts, ts, f"req_{sub:024x}", per, per, per * 50))
        roll = rng.random()
        verified = "verified" if roll < 0.8 else "failed" if roll < 0.82 else None
        conn.executemany(
            "INSERT INTO items (submission_id, position, key, account_id, bits, state, "
            "verification, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(sub, pos, f"inv-{sub}-{pos}", f"acct-{pos % 7}", rng.randint(1, 99),
              "verified" if verified == "verified" else "accepted", verified,
              ts if verified else None) for pos in range(per)])
    chain.seal(conn, list(range(1, submissions + 1)))
    conn.execute("COMMIT")
    conn.close()


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    submissions = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    folder = Path(tempfile.mkdtemp(prefix="verification-bench-"))
    db = folder / "history.sqlite3"
    t0 = time.perf_counter()
    build(db, submissions, per)
    print(f"built {submissions:,} submissions x {per} items in {time.perf_counter() - t0:.1f} s")
    store = HistoryStore.open(db)
    conn = store.connection
    query = HistoryQuery.of(store)
    page_ids = [r.id for r in query.page(HistoryFilter(), limit=200).rows]

    def plain_page() -> object:
        return query.page(HistoryFilter(), limit=200)

    def plain_items_of_page() -> object:
        marks = ",".join("?" * len(page_ids))
        return conn.execute(f"SELECT submission_id, COUNT(*) FROM items WHERE submission_id IN "
                            f"({marks}) GROUP BY submission_id", page_ids).fetchall()

    def plain_count(flt: HistoryFilter) -> Callable[[], object]:
        clauses, params = where_clause(flt)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return lambda: conn.execute(f"SELECT COUNT(*) FROM submissions s JOIN runs r "
                                    f"ON r.id = s.run_id {where}", params).fetchone()

    rows = [
        ("counts for a page of 200", lambda: verification.counts(conn, page_ids),
         "same rows' plain item counts", plain_items_of_page),
        ("page + its counts", lambda: (plain_page(), verification.counts(conn, page_ids)),
         "the page alone", plain_page),
        ("status-bar waiting count", lambda: verification.waiting_total(conn),
         "COUNT(*) of items", lambda: conn.execute("SELECT COUNT(*) FROM items").fetchone()),
        ("filter 'waiting' count", plain_count(HistoryFilter(verification="waiting")),
         "unfiltered count", plain_count(HistoryFilter())),
        ("filter 'all verified' count", plain_count(HistoryFilter(verification="verified")),
         "unfiltered count", plain_count(HistoryFilter())),
        ("history verify (chain)", lambda: chain.verify(conn),
         "a scan of every item's columns", lambda: conn.execute(
             "SELECT SUM(length(key) + length(account_id) + bits) FROM items").fetchone()),
        ("audit workbook (XLSX)", lambda: export_xlsx(str(db), folder / "a.xlsx"),
         "CSV export of the same items", lambda: export_csv(str(db), folder / "a.csv")),
    ]
    print(f"{'operation':<30} {'time':>9}   {'baseline':<32} {'time':>9}  ratio")
    for name, fn, base_name, base in rows:
        repeat = 1 if "XLSX" in name or "chain" in name else 5
        t, b = timed(fn, repeat), timed(base, repeat)
        print(f"{name:<30} {t * 1000:>7.1f}ms   {base_name:<32} {b * 1000:>7.1f}ms  "
              f"{t / b if b else float('inf'):.2f}x")
    store.close()


if __name__ == "__main__":
    main()
