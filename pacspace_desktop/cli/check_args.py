"""The arguments of `pacspace-desktop check`, registered without importing what checks a file
(`pacspace-desktop --help` and the desktop app do not load importing/ at start)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the `check` command to an argparse subparsers object.

    Args:
        sub: The object returned by `ArgumentParser.add_subparsers`.
    """
    p: argparse.ArgumentParser = sub.add_parser(
        "check", help="check a CSV/TSV/XLSX file without sending anything",
        description="Read a file, map its columns to items and report every problem and the "
                    "control totals. Nothing is sent. Exit 0: no errors; 1: some rows have "
                    "errors; 2: the file or the mapping cannot be read.")
    p.add_argument("file", help="a .csv, .tsv, .txt or .xlsx file")
    p.add_argument("--mapping", metavar="NAME|FILE",
                   help="a mapping file, or the name of a profile saved in the app or of a "
                        "preset (default: a preset the columns fit, else columns matched by "
                        "name)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--lines", action="store_true",
                   help="in --json, list every line even for files over 10,000 rows")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of a workbook (default: first)")
    p.add_argument("--encoding", metavar="E",
                   help="text encoding, e.g. utf-8, cp1252, mac_roman, utf-16")
    p.add_argument("--delimiter", metavar="D",
                   help="field separator: , ; | or tab (default: detected)")
    p.add_argument("--header-line", metavar="N", type=int, default=None,
                   help="the file line of the column names (0: the file has none)")
    # the handler is named, not imported: reading and checking (importing/) is loaded only
    # when the command runs
    p.set_defaults(handler="pacspace_desktop.cli.check:run_check")
    return p
