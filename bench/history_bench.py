"""Benchmark: open the History page and search it over a history of 1,000,000 items, and
claim 10,000 keys for a send — on the local SQLite file and on a team's PostgreSQL database.

Builds 10,000 submissions x 100 items in a temp file (executemany, big transactions) and, for
PostgreSQL, copies them (COPY) into a private cluster started here (initdb/pg_ctl, fsync on)
or into the empty database of `--pg-url`. Then, per backend, times the page (model
construction + first page + summary strip + counts, offscreen Qt), a search by record key,
and `record_run` of a send of 10,000 new keys (100 requests of 100: the claims' conflict
check and take in one transaction), each beside a plain query of the same backend in the same
run (medians of 6 after a first call, min-max).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history_bench.py [SUBMISSIONS]
     [ITEMS_EACH] [--backend sqlite|postgresql|both] [--pg-url postgresql://…]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.db import connect
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import HistoryFilter, NewRun
from pacspace_desktop.ui.history_page import HistoryPage

STATES = [("accepted", "accepted", 90), ("rejected", "http-400", 5),
          ("unknown", "connection-dropped", 3), ("not_sent", "not-sent", 2)]


def build(path: Path, submissions: int, per: int) -> None:
    conn = connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(7)
    now = datetime.now(UTC)
    weights = [w for *_x, w in STATES]
    conn.execute("BEGIN")
    for run in range(submissions // 10):  # a run = an imported file of 10 requests
        created = now - timedelta(minutes=(submissions // 10 - run) * 50)
        ts = created.isoformat(timespec="microseconds")
        env = rng.choice(["live", "test"])
        conn.execute("INSERT INTO runs (id, created_at, source, profile, environment, "
                     "base_url, owner, item_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (run + 1, ts, f"invoices-{created:%Y-%m}.csv",
                      rng.choice(["Finance", "Payables"]), env,
                      "https://api.pacspace.io", "1:1", 10 * per))
        subs, items = [], []
        for seq in range(10):
            sub_id = run * 10 + seq + 1
            state, kind, _w = rng.choices(STATES, weights)[0]
            rid = f"req_{rng.getrandbits(96):024x}" if state == "accepted" else None
            subs.append((sub_id, run + 1, seq, ts, ts, ts, state, kind,
                         202 if rid else None, rid, per if rid else None, "", "{}", "", None,
                         per, 7, per * 50))
            for pos in range(per):
                n = (sub_id - 1) * per + pos
                items.append((n + 1, sub_id, pos, f"INV-{2020 + n // 200000}-{n:07d}",
                              f"C{n % 4999:05d}", rng.randint(-500, 5000),
                              '{"amount":"12.50"}', state, None, None))
        conn.executemany(
            "INSERT INTO submissions (id, run_id, seq, created_at, sent_at, finished_at, state, "
            "outcome_kind, status_code, request_id, accepted_count, server_message, "
            "request_body, response_text, retry_at, item_count, account_count, bits_sum) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", subs)
        conn.executemany(
            "INSERT INTO items (id, submission_id, position, key, account_id, bits, metadata, "
            "state, checked_at, check_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", items)
        # what was sent holds its key's claim, as a real history does (schema v2)
        conn.executemany(
            "INSERT OR REPLACE INTO claims (scope, key, item_id, claimed_at) "
            "SELECT ?, ?, ?, ? WHERE ? IN ('accepted', 'unknown')",
            [(env, it[3], it[0], ts, it[7]) for it in items])
        if run % 100 == 99:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


_TABLES = ("runs", "submissions", "items", "claims")


def copy_to_team(path: Path, url: str) -> None:
    """Copy the built SQLite history into an empty team database (created by `open_team`)."""
    import sqlite3

    import psycopg

    from pacspace_desktop.storage.team import open_team

    open_team(url).close()  # the schema, through the app's migrations
    src = sqlite3.connect(path)
    with psycopg.connect(url, autocommit=True) as dst:
        for table in _TABLES:
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            with dst.cursor() as cur, cur.copy(
                    f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                    copy.write_row(row)
        for table in ("runs", "submissions", "items"):
            dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))")
        dst.execute("ANALYZE")
    src.close()


def timed(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float, float, float]:
    """(first call, median, min, max of the rest) in milliseconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    rest = times[1:] or times
    return times[0], statistics.median(rest), min(rest), max(rest)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a.removeprefix("--").split("=", 1) for a in sys.argv[1:]
                if a.startswith("--") and "=" in a)
    submissions = int(args[0]) if args else 10_000
    per = int(args[1]) if len(args) > 1 else 100
    backend = opts.get("backend", "both")
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        t = time.perf_counter()
        build(path, submissions, per)
        print(f"built {submissions:,} submissions x {per} = {submissions * per:,} items in "
              f"{time.perf_counter() - t:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        if backend in ("sqlite", "both"):
            print("-- SQLite (the local history)")
            run_backend(app, HistoryStore.open(path), submissions, per)
        if backend in ("postgresql", "both"):
            url = opts.get("pg-url")
            if url:
                bench_team(app, path, url, submissions, per)
            else:
                from tests.pg_cluster import private_cluster

                with private_cluster(fsync=True) as cluster:
                    bench_team(app, path, cluster.admin_url(cluster.create_db()), submissions,
                               per)


def bench_team(app: QApplication, path: Path, url: str, submissions: int, per: int) -> None:
    from pacspace_desktop.storage.team import open_team

    t = time.perf_counter()
    copy_to_team(path, url)
    print(f"-- PostgreSQL (a team history; copied in {time.perf_counter() - t:.1f} s)")
    run_backend(app, open_team(url), submissions, per)


def run_backend(app: QApplication, store: HistoryStore, submissions: int, per: int) -> None:
    conn = store.connection
    n_key = (submissions * per * 47) // 100
    key = f"INV-{2020 + n_key // 200000}-{n_key:07d}"

    def open_page() -> None:
        page = HistoryPage(HistoryService(store))
        assert page.model.rowCount() == 200
        page.deleteLater()
        app.processEvents()

    service = HistoryService(store)
    page = HistoryPage(service)

    def search() -> None:
        service.set_filter(HistoryFilter())
        t0 = time.perf_counter()
        service.set_filter(HistoryFilter(search=key))  # what the debounced box does
        search.ms.append((time.perf_counter() - t0) * 1000)  # type: ignore[attr-defined]
        assert page.model.rowCount() == 1

    search.ms = []  # type: ignore[attr-defined]

    def base_list() -> None:
        conn.execute("SELECT s.*, r.* FROM submissions s JOIN runs r ON r.id = s.run_id "
                     "ORDER BY s.created_at DESC LIMIT 200").fetchall()

    def base_key() -> None:
        assert conn.execute("SELECT submission_id FROM items WHERE key = ?",
                            (key,)).fetchall()

    first_open, open_ms, open_lo, open_hi = timed(open_page)
    _f, base_list_ms, _lo, _hi = timed(base_list)
    timed(search)
    ms = search.ms  # type: ignore[attr-defined]
    first_search, search_ms = ms[0], statistics.median(ms[1:])
    _f, base_key_ms, _lo, _hi = timed(base_key)
    print("open the page (model + first 200 rows + summary + counts): "
          f"first {first_open:.1f} ms, "
          f"median {open_ms:.1f} ms ({open_lo:.0f}-{open_hi:.0f}; goal <= 300 ms); plain "
          f"query {base_list_ms:.2f} ms; ratio {open_ms / base_list_ms:.0f}x")
    print("search by record key (list + counts + summary reload): "
          f"first {first_search:.1f} ms, "
          f"median {search_ms:.1f} ms ({min(ms[1:]):.0f}-{max(ms[1:]):.0f}; goal <= 100 "
          f"ms); plain query {base_key_ms:.3f} ms; ratio {search_ms / base_key_ms:.0f}x")
    page.deleteLater()
    app.processEvents()

    rounds = iter(range(1000))
    tag = f"{random.getrandbits(32):08x}"  # new keys, also after another backend's run
    claim_keys = 10_000

    def claim() -> None:
        n = next(rounds)
        batches = [[WriteItem(f"NEW-{tag}-{n:03d}-{b:03d}-{i:03d}", f"C{i:05d}", 1)
                    for i in range(100)] for b in range(claim_keys // 100)]
        store.record_run(NewRun(f"claims-{n}.csv", "Finance", "live", "https://x"),
                         batches)

    def base_insert() -> None:
        n = next(rounds)
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO bench_plain (k, v) VALUES (?, ?)",
                         [(f"P-{tag}-{n:03d}-{i:05d}", i) for i in range(claim_keys)])
        conn.execute("COMMIT")

    conn.execute("CREATE TABLE IF NOT EXISTS bench_plain (k TEXT PRIMARY KEY, v INTEGER)")
    claims_ms: list[float] = []
    plain_ms: list[float] = []
    for _ in range(7):  # alternating A/B
        claims_ms.append(timed(claim, 1)[0])
        plain_ms.append(timed(base_insert, 1)[0])
    c, p = claims_ms[1:], plain_ms[1:]
    print(f"claim {claim_keys:,} keys (record_run: conflict check + claims + rows, one "
          f"transaction): first {claims_ms[0]:.0f} ms, median {statistics.median(c):.0f} ms "
          f"({min(c):.0f}-{max(c):.0f}; goal <= 1000 ms); plain insert of {claim_keys:,} "
          f"rows {statistics.median(p):.0f} ms; ratio "
          f"{statistics.median(c) / statistics.median(p):.1f}x")
    store.close()


if __name__ == "__main__":
    main()
