"""Benchmark: read + map + validate an invoice CSV against a plain `csv.reader` pass.

Run `python bench/import_bench.py [--sizes 100000,1000000] [--repeat 5]`. Each measurement
runs in its own subprocess, so the peak memory (ru_maxrss) belongs to that step alone; the
csv.reader baseline and the import run alternately on the same file in the same run, and the
figures are medians (the machine is shared and noisy). A third child runs the import in a
worker thread (`asyncio.to_thread`) while a 10 ms heartbeat on the event loop records the
longest gap between beats. Goals: at 100k rows at most 3× the plain csv.reader time
(issue 16); at 1M rows at most 1.5 GB peak; the longest heartbeat gap at most 100 ms.

`--page` measures the real Import page instead (`ImportPage`, its grid view, model, problems
panel and totals): a wide export (20 columns, ~80,000 accounts, invoices on one to three lines)
opened through `page.open_file` while a 5 ms QTimer beats on the Qt thread; it prints the
longest gap from the open until the grid shows the rows (and 0.5 s after), the longest gap
when that table is dropped for a small file, and, as the same-run baseline, the longest gap
of the idle page. Goal: every gap at most 100 ms.

`--cli` measures `pacspace-desktop check FILE --json` as a process (start-up, imports, the
check and the JSON report) against a process that makes the plain csv.reader pass, alternately,
with the bytecode of both cached as an installed app has it. Goal: at most 3× (issue 16).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ["Nord", "Süd", "Ost", "West", "Zentrum"]
NOTES = ["", "Skonto 2 %", "Teillieferung", "bezahlt", "Mahnung 1", "Gutschrift folgt"]
BEAT = 0.010


def generate(path: Path, rows: int, seed: int = 6) -> None:
    """An invoice export as European Excel writes it: semicolons and decimal commas."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Rechnungsnummer;Kunde;Betrag;Datum;Währung;Region;MwSt;Bemerkung\r\n")
        for i in range(rows):
            cents = rng.randint(-50_000, 5_000_000)
            euros, rest = divmod(abs(cents), 100)
            amount = f"{'-' if cents < 0 else ''}{euros:,}".replace(",", ".") + f",{rest:02}"
            day = f"{rng.randint(1, 28):02}.{rng.randint(1, 12):02}.2025"
            vat = f"{abs(cents) * 19 // 100 // 100},{abs(cents) * 19 // 100 % 100:02}"
            note = rng.choice(NOTES)
            if i % 1000 == 0:
                note = f"\"zwei\r\nZeilen {i}\""
            fh.write(f"R-{i:08};K{rng.randint(1, 5000):05};{amount};{day};EUR;"
                     f"{rng.choice(REGIONS)};{vat};{note}\r\n")


ACCOUNTS = 80_000
WIDE_EXTRA = 12  # columns a wide export has beyond the eight above


def generate_wide(path: Path, rows: int, seed: int = 16) -> None:
    """A wide ERP export: invoices on one to three lines (repeated keys), ~80,000 accounts."""
    rng = random.Random(seed)
    extra = [f"Feld {i}" for i in range(1, WIDE_EXTRA + 1)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(";".join(["Rechnungsnummer", "Kunde", "Betrag", "Datum", "Währung", "Region",
                           "MwSt", "Bemerkung", *extra]) + "\r\n")
        i = invoice = 0
        while i < rows:
            invoice += 1
            account = f"K{rng.randint(1, ACCOUNTS):06}"
            day = f"{rng.randint(1, 28):02}.{rng.randint(1, 12):02}.2025"
            for _line in range(min(rng.choice((1, 1, 1, 2, 3)), rows - i)):
                cents = rng.randint(100, 5_000_000)
                euros, rest = divmod(cents, 100)
                amount = f"{euros:,}".replace(",", ".") + f",{rest:02}"
                fields = [f"{rng.randint(0, 999)}" if k % 3 else rng.choice(REGIONS)
                          for k in range(WIDE_EXTRA)]
                fh.write(";".join([f"R-{invoice:08}", account, amount, day, "EUR",
                                   rng.choice(REGIONS), f"{cents * 19 // 10_000},00",
                                   rng.choice(NOTES), *fields]) + "\r\n")
                i += 1


def child_page(path: Path) -> dict[str, float]:
    """The file opened on the real Import page, a 5 ms heartbeat on the Qt thread."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")
    sys.path.insert(0, str(ROOT))
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from pacspace_desktop.sandbox import DEMO_API_KEY
    from pacspace_desktop.services.session_service import SandboxHandle, SessionService
    from pacspace_desktop.services.submission_service import SubmissionService
    from pacspace_desktop.storage.drafts import DraftStore
    from pacspace_desktop.storage.history import HistoryStore
    from pacspace_desktop.storage.keystore import KeyStore
    from pacspace_desktop.storage.settings import SettingsStore
    from pacspace_desktop.ui.import_page import ImportPage
    from tests.fakes import MemoryKeyring

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.csv"
        generate_wide(small, 50)
        session = SessionService(SettingsStore(Path(tmp) / "config" / "settings.json"),
                                 KeyStore(MemoryKeyring()),
                                 lambda: SandboxHandle("http://127.0.0.1:9", DEMO_API_KEY,
                                                       lambda: None))
        session.start_sandbox_profile()
        store = HistoryStore.open(Path(tmp) / "history.sqlite3")
        service = SubmissionService(session, store)
        page = ImportPage(session, service, store, DraftStore(Path(tmp) / "drafts"),
                          Path(tmp) / "config")
        page.resize(1400, 900)
        page.show()
        gaps: list[float] = []
        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        heart = QTimer()
        heart.setInterval(5)
        heart.timeout.connect(beat)

        async def phase(start: object, done: asyncio.Event) -> tuple[float, float]:
            gaps.clear()
            last[0] = t0 = time.perf_counter()
            start()  # type: ignore[operator]
            for _ in range(200):  # "Open small.csv instead?": yes
                box = page.replace_box
                if box is not None:
                    (button,) = [b for b in box.buttons()
                                 if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole]
                    button.click()
                    break
                if done.is_set():
                    break
                await asyncio.sleep(0.005)
            await done.wait()
            took = time.perf_counter() - t0
            await asyncio.sleep(0.5)  # what the page does after the rows landed
            beat()
            return took, max(gaps)

        async def run() -> None:
            heart.start()
            await asyncio.sleep(0.3)
            gaps.clear()
            await asyncio.sleep(1.0)
            result["idle_gap"] = max(gaps)
            landed = asyncio.Event()
            page.imports.finished.connect(lambda _r: landed.set())
            result["seconds"], result["open_gap"] = await phase(
                lambda: page.open_file(path), landed)
            model = page.grid.model
            result["rows"] = model.rowCount()
            landed.clear()
            _took, result["drop_gap"] = await phase(lambda: page.open_file(small), landed)
            heart.stop()
            page.imports.cancel()
            service.abort()

        with loop:
            loop.run_until_complete(run())
        page.close()
        store.close()
        session.shutdown()
    return result


def child_csv(path: Path) -> dict[str, float]:
    """A plain csv.reader pass: the baseline."""
    start = time.perf_counter()
    n = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for _row in csv.reader(fh, delimiter=";"):
            n += 1
    return {"seconds": time.perf_counter() - start, "rows": n}


def _import(path: Path, keep: list[object] | None = None) -> dict[str, float]:
    from pacspace_desktop.importing import auto_map, control_totals, read_file, validate_table

    start = time.perf_counter()
    table = read_file(path)
    read_done = time.perf_counter()
    mapping = auto_map(table.headers, [c[:200] for c in table.columns])
    validation = validate_table(table, mapping)
    totals = control_totals(validation)
    end = time.perf_counter()
    if keep is not None:
        keep.append(validation)  # the caller decides when the table goes
    return {"seconds": end - start, "read": read_done - start, "check": end - read_done,
            "rows": table.row_count, "valid": totals.valid_rows}


def child_import(path: Path) -> dict[str, float]:
    """Read, auto-map and validate, and the control totals."""
    sys.path.insert(0, str(ROOT))
    import pacspace_desktop.importing  # noqa: F401  (imports are not part of the time)

    return _import(path)


def child_stall(path: Path) -> dict[str, float]:
    """The import in a worker thread while the event loop beats every 10 ms."""
    sys.path.insert(0, str(ROOT))
    import pacspace_desktop.importing  # noqa: F401

    async def run() -> dict[str, float]:
        gaps: list[float] = []
        done = asyncio.Event()

        async def heartbeat() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(BEAT)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(5 * BEAT)  # the heartbeat is running
        kept: list[object] = []
        result = await asyncio.to_thread(_import, path, kept)
        done.set()
        await beat
        result["longest_gap"] = max(gaps)
        result["beats"] = len(gaps)
        start = time.perf_counter()
        kept.clear()  # a dropped table is freed in one go, wherever its last reference goes
        result["drop"] = time.perf_counter() - start
        return result

    return asyncio.run(run())


def _run_child(kind: str, path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                          check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout))


def _measure(path: Path, rows: int, repeat: int) -> None:
    base: list[float] = []
    full: list[dict[str, float]] = []
    ratios: list[float] = []
    for _ in range(repeat):
        b = _run_child("csv", path)
        f = _run_child("import", path)
        base.append(b["seconds"])
        full.append(f)
        ratios.append(f["seconds"] / b["seconds"])
    stalls = [_run_child("stall", path) for _ in range(max(1, repeat // 2))]
    med = statistics.median
    size_mb = path.stat().st_size / 1e6
    seconds, read, check = (med(f[k] for f in full) for k in ("seconds", "read", "check"))
    gaps = sorted(s["longest_gap"] * 1000 for s in stalls)
    runs = ", ".join(f"{g:.0f}" for g in gaps)
    base_rss = _run_child("csv", path)["maxrss_mb"]
    print(f"{rows:>9,} rows ({size_mb:,.0f} MB), {repeat} runs, medians:\n"
          f"    csv.reader {med(base):.3f} s; read+map+validate {seconds:.3f} s (read "
          f"{read:.3f} s, check {check:.3f} s) = {med(ratios):.2f}× csv.reader "
          f"(runs {min(ratios):.2f}–{max(ratios):.2f}×)\n"
          f"    peak memory {max(f['maxrss_mb'] for f in full):,.0f} MB (csv.reader process "
          f"{base_rss:,.0f} MB); valid rows {int(full[0]['valid']):,}\n"
          f"    longest heartbeat gap during a worker-thread import: {med(gaps):.0f} ms median "
          f"(runs {runs} ms; a beat every {BEAT * 1000:.0f} ms; import "
          f"{med(s['seconds'] for s in stalls):.2f} s); dropping the table afterwards takes "
          f"{med(s['drop'] for s in stalls) * 1000:.0f} ms", flush=True)


CSV_SCRIPT = """
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as fh:
    n = sum(1 for _row in csv.reader(fh, delimiter=";"))
print(n)
"""


def _timed(command: list[str], env: dict[str, str], out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with out.open("wb") as fh:  # run in the temporary folder: `-m` puts the cwd on sys.path
        subprocess.run(command, env=env, stdout=fh, stderr=subprocess.DEVNULL, check=False,
                       cwd=out.parent)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _measure_cli(path: Path, rows: int, repeat: int, folder: Path) -> None:
    import os

    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(folder / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app has its bytecode cached
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    csv_cmd = [sys.executable, "-c", CSV_SCRIPT, str(path)]
    check_cmd = [sys.executable, "-m", "pacspace_desktop", "check", str(path), "--json"]
    out = folder / "out.json"
    _timed(csv_cmd, env, out)
    _timed(check_cmd, env, out)  # writes the bytecode cache
    report = json.loads(out.read_text(encoding="utf-8"))
    base, full, ratios, cpu = [], [], [], []
    for _ in range(repeat):
        b, b_cpu = _timed(csv_cmd, env, out)
        f, f_cpu = _timed(check_cmd, env, out)
        base.append(b)
        full.append(f)
        ratios.append(f / b)
        cpu.append(f_cpu / b_cpu)
    med = statistics.median
    print(f"{rows:>9,} rows, `check FILE --json` as a process, {repeat} runs, medians:\n"
          f"    csv.reader process {med(base):.3f} s; check process {med(full):.3f} s = "
          f"{med(ratios):.2f}× (runs {min(ratios):.2f}–{max(ratios):.2f}×); CPU time "
          f"{med(cpu):.2f}× ({min(cpu):.2f}–{max(cpu):.2f}×); it reported "
          f"{report['rows']:,} rows, {report['valid']:,} valid", flush=True)


def _measure_page(path: Path, rows: int, repeat: int) -> None:
    runs = [_run_child("page", path) for _ in range(repeat)]
    med = statistics.median

    def ms(key: str) -> str:
        values = sorted(r[key] * 1000 for r in runs)
        return f"{med(values):.0f} ms ({values[0]:.0f}–{values[-1]:.0f})"

    print(f"{rows:>9,} rows, {WIDE_EXTRA + 8} columns ({path.stat().st_size / 1e6:,.0f} MB), "
          f"Import page, {repeat} runs, medians (min–max):\n"
          f"    open → rows in the grid {med(r['seconds'] for r in runs):.2f} s; longest "
          f"Qt-thread gap {ms('open_gap')}\n"
          f"    dropping it for a 50-row file: longest gap {ms('drop_gap')}\n"
          f"    baseline, the idle page in the same run: longest gap {ms('idle_gap')} "
          f"(a beat every 5 ms; goal ≤ 100 ms)", flush=True)


def main() -> None:
    """Generate the files, measure, and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs per size (at most 3 for a million rows and more)")
    parser.add_argument("--page", action="store_true",
                        help="open a wide export on the real Import page (stalls)")
    parser.add_argument("--cli", action="store_true",
                        help="`check FILE --json` as a process against a csv.reader process")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        children = {"csv": child_csv, "import": child_import, "stall": child_stall,
                    "page": child_page}
        result = children[kind](Path(path))
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if args.page:
        with tempfile.TemporaryDirectory() as folder:
            for rows in (int(s) for s in args.sizes.split(",")):
                path = Path(folder) / f"wide_{rows}.csv"
                generate_wide(path, rows)
                _measure_page(path, rows, args.repeat if rows < 1_000_000 else
                              min(args.repeat, 3))
        return
    with tempfile.TemporaryDirectory() as folder:
        for rows in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"invoices_{rows}.csv"
            generate(path, rows)
            if args.cli:
                _measure_cli(path, rows, args.repeat, Path(folder))
                continue
            _measure(path, rows, args.repeat if rows < 1_000_000 else min(args.repeat, 3))


if __name__ == "__main__":
    main()
