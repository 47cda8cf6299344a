"""`pacspace-desktop check FILE`: read and check a CSV/TSV/XLSX file without sending anything."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pacspace_desktop.cli.output import err, out
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.validation import FIELD_LABELS, Severity
from pacspace_desktop.importing.files import read_file
from pacspace_desktop.importing.mapping import Mapping, MappingError, auto_map
from pacspace_desktop.importing.mapping_file import MappingFileError, load_mapping
from pacspace_desktop.importing.progress import ImportFileError
from pacspace_desktop.importing.readers import ReadOptions
from pacspace_desktop.importing.table import ImportTable
from pacspace_desktop.importing.totals import ControlTotals, control_totals
from pacspace_desktop.importing.validate import CellProblem, TableValidation, validate_table

EXIT_OK, EXIT_ROW_ERRORS, EXIT_UNREADABLE = 0, 1, 2
SAMPLE_ROWS = 200
_DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|",
                    "bar": "|"}


class CheckInputError(Exception):
    """The file or the mapping cannot be used; the message says why."""


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
    p.add_argument("--mapping", metavar="MAPPING.json",
                   help="a column mapping saved by the app (default: match columns by name)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of a workbook (default: first)")
    p.add_argument("--encoding", metavar="E", help="text encoding, e.g. utf-8, cp1252, utf-16")
    p.add_argument("--delimiter", metavar="D",
                   help="field separator: , ; | or tab (default: detected)")
    p.set_defaults(handler=run_check)
    return p


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    return _DELIMITER_WORDS.get(text.lower(), text)


def _describe_mapping(mapping: Mapping) -> str:
    parts = []
    for wire, source in mapping.sources().items():
        where = source.describe() if source is not None else "nothing (choose a column)"
        parts.append(f"{FIELD_LABELS[wire]} ← {where}")
    if mapping.bits is not None and mapping.amount.factor != 1:
        parts[-1] += f" × {mapping.amount.factor}"
    if mapping.metadata:
        parts.append("metadata ← " + ", ".join(f"“{m.column}”" for m in mapping.metadata))
    return "; ".join(parts)


def _load(path: Path, mapping_path: Path | None, options: ReadOptions,
          notes: list[str]) -> tuple[ImportTable, Mapping, TableValidation]:
    try:
        table = read_file(path, options)
    except ImportFileError as exc:
        raise CheckInputError(str(exc)) from exc
    if mapping_path is not None:
        try:
            mapping = load_mapping(mapping_path)
        except MappingFileError as exc:
            raise CheckInputError(str(exc)) from exc
    else:
        samples = [column[:SAMPLE_ROWS] for column in table.columns]
        mapping = auto_map(table.headers, samples)
        notes.append("No --mapping given: columns were matched by their names: "
                     + _describe_mapping(mapping) + ".")
    try:
        validation = validate_table(table, mapping)
    except MappingError as exc:
        raise CheckInputError(f"The mapping does not fit {path.name}: {exc}") from exc
    return table, mapping, validation


def load_file_items(path: Path, mapping_path: Path | None,
                    options: ReadOptions | None = None
                    ) -> tuple[list[WriteItem], list[CellProblem], ImportTable, Mapping]:
    """Read, map and check a file; the items of the valid rows and every problem.

    Args:
        path: The file.
        mapping_path: A mapping file, or None to match columns by name.
        options: Overrides of detection.

    Raises:
        CheckInputError: when the file or the mapping cannot be used.
    """
    table, mapping, validation = _load(path, mapping_path, options or ReadOptions(), [])
    return validation.build_items(), validation.all_problems(), table, mapping


def _json(validation: TableValidation, problems: list[CellProblem],
          totals: ControlTotals) -> str:
    data = {
        "rows": totals.rows, "valid": totals.valid_rows,
        "problems": [{"row": p.line, "column": p.column, "message": p.message}
                     for p in problems],
        "totals": {account: {"items": t.items, "bits": t.bits}
                   for account, t in totals.accounts.items()},
    }
    return json.dumps(data, ensure_ascii=False)


def _line(p: CellProblem) -> str:
    mark = "Warning" if p.severity is Severity.WARNING else "Error"
    where = f"Line {p.line}"
    if p.column and not p.message.startswith(p.column):
        where += f", {p.column}"
    return f"{mark} — {where}: {p.message}"


def run_check(args: argparse.Namespace) -> int:
    """Check a file and print the problems and control totals. Returns the exit code."""
    options = ReadOptions(encoding=args.encoding, delimiter=_delimiter(args.delimiter),
                          sheet=args.sheet)
    notes: list[str] = []
    try:
        table, _mapping, validation = _load(
            Path(args.file), Path(args.mapping) if args.mapping else None, options, notes)
    except CheckInputError as exc:
        err(str(exc))
        return EXIT_UNREADABLE
    for note in notes:
        err(note)
    problems = validation.all_problems()
    totals = control_totals(validation)
    if args.json:
        out(_json(validation, problems, totals))
    else:
        for line in table.detection.describe():
            out(line)
        for fmt in validation.formats:
            check = " — please choose" if fmt.ambiguous else ""
            out(f"Column “{fmt.column}”: {fmt.evidence}{check}")
        for problem in problems:
            out(_line(problem))
        out(f"Rows: {totals.rows:,}; without errors: {totals.valid_rows:,}; "
            f"bits of those: {totals.bits:,}.")
        for account, total in totals.accounts.items():
            out(f"  {account}: {total.items:,} item{'s' if total.items != 1 else ''}, "
                f"{total.bits:,} bits")
    return EXIT_ROW_ERRORS if validation.has_errors else EXIT_OK
