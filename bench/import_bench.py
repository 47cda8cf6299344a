"""Benchmark: read + map + validate an invoice CSV against a plain `csv.reader` pass.

Run `python bench/import_bench.py [--sizes 100000,1000000]`. Each measurement runs in its own
subprocess, so the peak memory (ru_maxrss) belongs to that step alone. Goals: at 100k rows at
most 4× the plain csv.reader time; at 1M rows at most 1.5 GB peak.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ["Nord", "Süd", "Ost", "West", "Zentrum"]
NOTES = ["", "Skonto 2 %", "Teillieferung", "bezahlt", "Mahnung 1", "Gutschrift folgt"]


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


def child_csv(path: Path) -> dict[str, float]:
    """A plain csv.reader pass: the baseline."""
    start = time.perf_counter()
    n = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for _row in csv.reader(fh, delimiter=";"):
            n += 1
    return {"seconds": time.perf_counter() - start, "rows": n}


def child_import(path: Path) -> dict[str, float]:
    """Read, auto-map and validate, and the control totals."""
    sys.path.insert(0, str(ROOT))
    from pacspace_desktop.importing import auto_map, control_totals, read_file, validate_table

    start = time.perf_counter()
    table = read_file(path)
    read_done = time.perf_counter()
    mapping = auto_map(table.headers, [c[:200] for c in table.columns])
    validation = validate_table(table, mapping)
    totals = control_totals(validation)
    end = time.perf_counter()
    return {"seconds": end - start, "read": read_done - start, "check": end - read_done,
            "rows": table.row_count, "valid": totals.valid_rows}


def _run_child(kind: str, path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                          check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout))


def main() -> None:
    """Generate the files, measure, and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        result = (child_csv if kind == "csv" else child_import)(Path(path))
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as folder:
        for rows in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"invoices_{rows}.csv"
            generate(path, rows)
            size_mb = path.stat().st_size / 1e6
            base = _run_child("csv", path)
            full = _run_child("import", path)
            ratio = full["seconds"] / base["seconds"]
            print(f"{rows:>9,} rows ({size_mb:,.0f} MB): csv.reader {base['seconds']:.2f} s; "
                  f"read+map+validate {full['seconds']:.2f} s (read {full['read']:.2f} s, "
                  f"check {full['check']:.2f} s) = {ratio:.1f}× csv.reader; "
                  f"peak memory {full['maxrss_mb']:,.0f} MB "
                  f"(csv.reader process {base['maxrss_mb']:,.0f} MB); "
                  f"valid rows {int(full['valid']):,}")


if __name__ == "__main__":
    main()
