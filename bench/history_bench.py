"""Benchmark: open the History page and search it over a history of 1,000,000 items.

Builds 10,000 submissions x 100 items in a temp file (executemany, big transactions), then
times the page (model construction + first page + summary strip + counts, offscreen Qt) and a
search by record key, each beside a plain SQLite query for the same data in the same run.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history_bench.py [SUBMISSIONS] [ITEMS_EACH]
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

from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.db import connect
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import HistoryFilter
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


def timed(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    """(first call, median of the rest) in milliseconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times[0], statistics.median(times[1:])


def main() -> None:
    submissions = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        t = time.perf_counter()
        build(path, submissions, per)
        print(f"built {submissions:,} submissions x {per} = {submissions * per:,} items in "
              f"{time.perf_counter() - t:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        store = HistoryStore.open(path)
        conn = store.connection
        key = f"INV-2022-{(submissions * per * 47) // 100:07d}"

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

        first_open, open_ms = timed(open_page)
        _f, base_list_ms = timed(base_list)
        timed(search)
        first_search, search_ms = search.ms[0], statistics.median(search.ms[1:])  # type: ignore[attr-defined]
        _f, base_key_ms = timed(base_key)
        print("open the page (model + first 200 rows + summary + counts): "
              f"first {first_open:.1f} ms, "
              f"median {open_ms:.1f} ms (goal <= 300 ms); plain query "
              f"{base_list_ms:.2f} ms; ratio {open_ms / base_list_ms:.0f}x")
        print("search by record key (list + counts + summary reload): "
              f"first {first_search:.1f} ms, "
              f"median {search_ms:.1f} ms (goal <= 100 ms); plain query "
              f"{base_key_ms:.3f} ms; ratio {search_ms / base_key_ms:.0f}x")
        store.close()


if __name__ == "__main__":
    main()
