"""`pacspace-desktop check FILE`: read and check a CSV/TSV/XLSX file without sending anything."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pacspace_desktop.cli.check_args import register
from pacspace_desktop.cli.check_load import (
    SAMPLE_ROWS,
    CheckInputError,
    Loaded,
    load,
    with_header_line,
)
from pacspace_desktop.cli.check_report import combined_lines, failure, report_text
from pacspace_desktop.cli.output import err, out
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.validation import FIELD_LABELS, Severity
from pacspace_desktop.importing.mapping import Mapping, SignKind
from pacspace_desktop.importing.readers import ReadOptions
from pacspace_desktop.importing.table import ImportTable
from pacspace_desktop.importing.totals import control_totals, file_totals
from pacspace_desktop.importing.validate import CellProblem

__all__ = ["SAMPLE_ROWS", "CheckInputError", "load_file_items", "register", "run_check"]

EXIT_OK, EXIT_ROW_ERRORS, EXIT_UNREADABLE = 0, 1, 2
_DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|",
                    "bar": "|"}


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    return _DELIMITER_WORDS.get(text.lower(), text)


def describe_mapping(mapping: Mapping) -> str:
    """The mapping in one line: "Record key ← column “No”; Bits ← column “Amount” × 100"."""
    parts = []
    for wire, source in mapping.sources().items():
        where = source.describe() if source is not None else "nothing (choose a column)"
        parts.append(f"{FIELD_LABELS[wire]} ← {where}")
    if mapping.bits is not None and mapping.amount.factor != 1:
        parts[-1] += f" × {mapping.amount.factor}"
    if mapping.sign.kind is not SignKind.NONE:
        parts[-1] += f", {mapping.sign.describe()}"
    if mapping.metadata:
        parts.append("metadata ← " + ", ".join(f"“{m.column}”" for m in mapping.metadata))
    else:
        parts.append("no metadata")
    parts.append(f"repeated keys: {mapping.repeats.value}")
    return "; ".join(parts)


def load_file_items(path: Path, mapping_path: Path | str | None,
                    options: ReadOptions | None = None, *, data_dir: str | None = None
                    ) -> tuple[list[WriteItem], list[CellProblem], ImportTable, Mapping]:
    """Read, map and check a file; the items of the valid rows and every problem.

    Args:
        path: The file.
        mapping_path: A mapping file, a saved profile's or a preset's name, or None.
        options: Overrides of detection.
        data_dir: Where the app's settings (saved profiles) are, as `--data-dir`.

    Raises:
        CheckInputError: when the file or the mapping cannot be used.
    """
    loaded = load(path, None if mapping_path is None else str(mapping_path), options,
                  data_dir=data_dir)
    v = loaded.validation
    return v.build_items(), v.all_problems(), loaded.table, loaded.mapping


def _line(p: CellProblem) -> str:
    mark = "Warning" if p.severity is Severity.WARNING else "Error"
    if p.code == "total_row":
        mark = "Left out"
    where = f"Line {p.line}"
    if p.column and not p.message.startswith(p.column):
        where += f", {p.column}"
    return f"{mark} — {where}: {p.message}"


def _text_report(loaded: Loaded) -> None:
    table, validation = loaded.table, loaded.validation
    for line in table.detection.describe():
        out(line)
    for warning in table.warnings:
        out(f"Warning — {warning}")
    for fmt in validation.formats:
        check = " — please choose" if fmt.ambiguous else ""
        out(f"Column “{fmt.column}”: {fmt.evidence}{check}")
    for problem in validation.all_problems():
        out(_line(problem))
    for line in combined_lines(validation):
        out(f"Combined — {line}")
    for own in file_totals(validation):
        out(f"File total — {own.describe()}")
    totals = control_totals(validation)
    out(f"Rows: {totals.rows:,}; without errors: {totals.valid_rows:,}; items to send: "
        f"{totals.items:,}; bits of those: {totals.bits:,}.")
    for account, total in totals.accounts.items():
        out(f"  {account}: {total.items:,} item{'s' if total.items != 1 else ''}, "
            f"{total.bits:,} bits")


def run_check(args: argparse.Namespace) -> int:
    """Check a file and print the problems and control totals. Returns the exit code.

    With `--json` exactly one JSON object is printed, whatever happens: a bug in the program
    still prints one (with `error`) before the crash report is written.
    """
    try:
        return _run_check(args)
    except Exception:
        if args.json:
            out(json.dumps({"error": "The check stopped because of an unexpected error in the "
                                     "program (not a problem in your file); the report is in "
                                     "the log folder.", "rows": None, "problems": [],
                            "totals": {}}, ensure_ascii=False))
        raise


def _run_check(args: argparse.Namespace) -> int:
    options = ReadOptions(encoding=args.encoding, delimiter=_delimiter(args.delimiter),
                          sheet=args.sheet)
    options = with_header_line(options, getattr(args, "header_line", None))
    try:
        loaded = load(Path(args.file), args.mapping, options,
                      data_dir=getattr(args, "data_dir", None))
    except CheckInputError as exc:
        err(str(exc))
        for wire, found in exc.suggestions.items():
            names = "; ".join(f"“{s.column}” ({s.reason}; e.g. {', '.join(s.samples) or '—'})"
                              for s in found)
            err(f"  {FIELD_LABELS[wire]} could be: {names}")
        if args.json:
            out(json.dumps(failure(exc), ensure_ascii=False))
        return EXIT_UNREADABLE
    if args.mapping is None:
        for note in loaded.notes:
            err(note)
        err(f"No --mapping given: {loaded.mapping_from}: {describe_mapping(loaded.mapping)}.")
    if args.json:
        out(report_text(loaded, lines=True if getattr(args, "lines", False) else None))
    else:
        _text_report(loaded)
    return EXIT_ROW_ERRORS if loaded.validation.has_errors else EXIT_OK
