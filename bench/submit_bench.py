"""Benchmark: sending 100,000 items through the app beside a bare httpx script, same sandbox.

The app side is the real path a clerk's send takes: `SubmissionService` (record the run in a
worker, claim the keys, send request by request, record every outcome) with the page's
`SendingPanel` on screen (offscreen), so the cost of showing the outcomes counts too. A
heartbeat timer on the Qt thread ticks every 5 ms; the longest gap between ticks is the
longest time the window could not react. The baseline is a bare sequential httpx script
posting the same items, batches of 100, written with `json.dumps` (see `child_baseline`).
Both run as their own processes against one sandbox process (`verify_delay` 0), alternating
A/B so that both see the same machine load; the sandbox's state is reset before each run.
Items are realistic: 100,000 invoice keys, 5,000 accounts, bits of either sign, four metadata
fields with exact decimal amounts.

Run: .venv/bin/python bench/submit_bench.py [--items 100000] [--runs 3]
Goal (issue "Fast where a clerk waits"): app/baseline >= 0.8, longest stall <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_items(n: int) -> list[Any]:
    from decimal import Decimal

    from pacspace_desktop.domain.items import WriteItem

    return [WriteItem(f"INV-2026-{i:07d}", f"CUST-{(i * 7919) % 5000:05d}",
                      ((i * 37) % 20000) - 5000,
                      {"amount": Decimal(f"{(i * 37) % 20000 - 5000}.{i % 100:02d}"),
                       "currency": "EUR", "date": f"2026-03-{1 + i % 28:02d}",
                       "description": f"Invoice {i} — Müller & Söhne GmbH"})
            for i in range(n)]


def child_baseline(base: str, n: int) -> dict[str, float]:
    """A bare sequential httpx script as anyone would write it: the same items as plain dicts
    (amounts as floats), `json.dumps` of each batch of 100, one request after another; no
    history, no checks, no retries."""
    import asyncio

    import httpx

    from pacspace_desktop.sandbox import DEMO_API_KEY

    items = [{"key": it.key, "accountId": it.account_id, "bits": it.bits,
              "metadata": {k: float(v) if k == "amount" else v
                           for k, v in (it.metadata or {}).items()}}
             for it in make_items(n)]

    async def go() -> float:
        async with httpx.AsyncClient(timeout=30) as http:
            t0 = time.perf_counter()
            for i in range(0, n, 100):
                body = json.dumps({"items": items[i:i + 100]}).encode()
                r = await http.post(f"{base}/api/v1/writes", content=body,
                                    headers={"X-Api-Key": DEMO_API_KEY,
                                             "Content-Type": "application/json"})
                assert r.status_code == 202, r.text
            return time.perf_counter() - t0

    cpu0 = _cpu()
    elapsed = asyncio.run(go())
    return {"items_per_s": n / elapsed, "seconds": elapsed, "cpu_s": _cpu() - cpu0}


def _cpu() -> float:
    """CPU seconds this process used so far (all its threads)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_app(base: str, n: int) -> dict[str, float]:
    """The app's send: SubmissionService + the page's SendingPanel, with a Qt heartbeat."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")
    import asyncio

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from pacspace_desktop.sandbox import DEMO_API_KEY
    from pacspace_desktop.services.session_service import SandboxHandle, SessionService
    from pacspace_desktop.services.submission_service import SubmissionService
    from pacspace_desktop.storage.history import HistoryStore
    from pacspace_desktop.storage.keystore import KeyStore
    from pacspace_desktop.storage.settings import SettingsStore
    from pacspace_desktop.ui.sending_panel import SendingPanel
    from tests.fakes import MemoryKeyring

    items = make_items(n)
    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        session = SessionService(SettingsStore(Path(tmp) / "settings.json"),
                                 KeyStore(MemoryKeyring()),
                                 lambda: SandboxHandle(base, DEMO_API_KEY, lambda: None))
        session.start_sandbox_profile()
        # By the time a clerk can press Send, the app has imported httpx and the clients in a
        # worker and made its HTTP client, right after the first paint (app.finish_start):
        # the same here, so that a first import on the Qt thread is not counted as a stall.
        from pacspace_desktop.app import _import_ahead

        _import_ahead()
        session.write_client()
        store = HistoryStore.open(Path(tmp) / "history.sqlite3")
        service = SubmissionService(session, store)
        panel = SendingPanel(service)
        panel.resize(1000, 700)
        panel.show()
        gaps: list[float] = []
        start_gaps: list[float] = []  # until the first request's outcome: recording the run
        last = [time.perf_counter()]
        first_done = [False]
        service.request_finished.connect(lambda _r: first_done.__setitem__(0, True))

        def beat() -> None:
            now = time.perf_counter()
            (gaps if first_done[0] else start_gaps).append(now - last[0])
            last[0] = now

        heart = QTimer()
        heart.setInterval(5)
        heart.timeout.connect(beat)
        t0 = [0.0]

        def finished(report: object) -> None:
            result["seconds"] = time.perf_counter() - t0[0]
            result["cpu_s"] = _cpu() - result["cpu0"]
            result["accepted"] = float(getattr(report, "accepted", 0))
            QTimer.singleShot(50, app.quit)

        service.finished.connect(finished)
        service.failed.connect(lambda text: (print(text, file=sys.stderr), app.quit()))

        def start() -> None:
            result["cpu0"] = _cpu()
            heart.start()
            last[0] = t0[0] = time.perf_counter()
            panel.reset()
            service.submit(items, "bench.csv")

        QTimer.singleShot(100, start)
        with loop:
            loop.run_forever()
        heart.stop()
        store.close()
    if result.get("accepted") != n:
        raise SystemExit(f"the app accepted {result.get('accepted')} of {n}")
    result["items_per_s"] = n / result["seconds"]
    result["max_gap_ms"] = max(gaps + start_gaps) * 1000 if gaps or start_gaps else 0.0
    result["start_gap_ms"] = max(start_gaps) * 1000 if start_gaps else 0.0
    result["cards"] = float(len(panel.cards))
    return result


def run_child(kind: str, base: str, n: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--base", base,
                           "--items", str(n)], capture_output=True, text=True, timeout=900,
                          check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed: {done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def reset(base: str) -> None:
    import httpx

    httpx.post(f"{base}/_sandbox/reset", timeout=10).raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=("baseline", "app"))
    parser.add_argument("--base")
    args = parser.parse_args()
    if args.child:
        fn = child_baseline if args.child == "baseline" else child_app
        print(json.dumps(fn(args.base, args.items)))
        return 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sandbox = subprocess.Popen([sys.executable, "-m", "pacspace_desktop.sandbox", "--port",
                                str(port), "--verify-delay", "0"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"{base}/_sandbox/state", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        rows: dict[str, list[dict[str, float]]] = {"baseline": [], "app": []}
        for r in range(args.runs):
            for kind in (("baseline", "app") if r % 2 == 0 else ("app", "baseline")):
                reset(base)
                got = run_child(kind, base, args.items)
                rows[kind].append(got)
                extra = (f", longest Qt-thread stall {got['max_gap_ms']:.0f} ms (while the run "
                         f"is recorded: {got['start_gap_ms']:.0f} ms), "
                         f"{got['cards']:.0f} outcome cards" if kind == "app" else "")
                print(f"run {r + 1} {kind:8}: {got['items_per_s']:,.0f} items/s "
                      f"({got['seconds']:.2f} s, {got['cpu_s']:.1f} s of CPU){extra}",
                      flush=True)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    base_ips = [g["items_per_s"] for g in rows["baseline"]]
    app_ips = [g["items_per_s"] for g in rows["app"]]
    ratios = [a / b for a, b in zip(app_ips, base_ips, strict=True)]
    stalls = [g["max_gap_ms"] for g in rows["app"]]
    print(f"\n{args.items:,} items, batches of 100, {args.runs} runs each:")
    print(f"  baseline (bare httpx): median {statistics.median(base_ips):,.0f} items/s")
    print(f"  app (SubmissionService + SendingPanel): median "
          f"{statistics.median(app_ips):,.0f} items/s")
    print(f"  ratio app/baseline: median {statistics.median(ratios):.2f}x "
          f"(range {min(ratios):.2f}-{max(ratios):.2f}; goal >= 0.8x)")
    print(f"  longest Qt-thread stall: median {statistics.median(stalls):.0f} ms "
          f"(range {min(stalls):.0f}-{max(stalls):.0f}; goal <= 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
