"""What `submit` sends: a JSON list of items, or an invoice file mapped like the import grid."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pacspace_desktop.cli.output import err
from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.validation import Severity, parse_raw_items

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


class InputError(Exception):
    """The input cannot be sent; nothing was sent."""


@dataclass(frozen=True, slots=True)
class GivenItems:
    """The items to send, how many rows were held back, and the history's source name."""

    items: list[WriteItem]
    held_back: int
    source: str


def read_items(path: Path, mapping: Path | str | None, *,
               data_dir: str | None = None) -> GivenItems:
    """JSON files must be entirely valid; invoice files send their valid rows, like the grid
    (an invoice on several lines is sent whole — added up — or held back whole).

    Args:
        path: The file.
        mapping: A mapping file, a saved profile's or a preset's name, or None.
        data_dir: Where the app's settings (saved profiles) are, as `--data-dir`.

    Raises:
        InputError: with the reason in plain words (nothing was sent).
    """
    if path.suffix.lower() in TABLE_SUFFIXES:
        return _table_items(path, mapping, data_dir)
    if mapping is not None:
        raise InputError("--mapping is for CSV, TSV, TXT and XLSX files, not JSON.")
    parsed = parse_raw_items(load_items_file(path))
    if parsed.errors:
        err(f"{len(parsed.errors)} problem(s) in {path}; nothing was sent:")
        for p in parsed.errors[:50]:
            err(f"  {p.describe()}")
        if len(parsed.errors) > 50:
            err(f"  … and {len(parsed.errors) - 50} more.")
        raise InputError("Fix the problems above and try again.")
    for p in parsed.problems:
        err(f"Note: {p.describe()}")
    return GivenItems(parsed.items, 0, f"cli:{path.name}")


def _table_items(path: Path, mapping: Path | str | None, data_dir: str | None) -> GivenItems:
    from pacspace_desktop.cli.check import describe_mapping
    from pacspace_desktop.cli.check_load import CheckInputError, load
    from pacspace_desktop.cli.check_report import combined_lines

    try:
        loaded = load(path, None if mapping is None else str(mapping), data_dir=data_dir)
    except CheckInputError as exc:
        raise InputError(str(exc)) from exc
    if mapping is None:
        for note in loaded.notes:
            err(note)
        err(f"No --mapping given: {loaded.mapping_from}: {describe_mapping(loaded.mapping)}.")
    validation, table = loaded.validation, loaded.table
    items = validation.build_items()
    problems = validation.all_problems()
    totals = [p for p in problems if p.code == "total_row"]
    errors = [p for p in problems if p.severity is Severity.ERROR and p.code != "total_row"]
    held_rows = {p.row for p in errors}
    if errors:
        n = len(held_rows)
        err(f"{n:,} of {table.row_count:,} row{'s' if table.row_count != 1 else ''} "
            f"{'have' if n != 1 else 'has'} problems and {'are' if n != 1 else 'is'} held "
            "back:")
        for p in errors[:50]:
            err(f"  line {p.line}, {p.column}: {p.message}" if p.column else
                f"  line {p.line}: {p.message}")
        if len(errors) > 50:
            err(f"  … and {len(errors) - 50:,} more.")
    for p in totals:
        err(f"Left out — line {p.line}: {p.message}")
    for line in combined_lines(validation):
        err(f"Combined — {line}")
    return GivenItems(items, len(held_rows), path.name)


def load_items_file(path: Path) -> list[Any]:
    """Read a JSON list of items or `{"items": [...]}`.

    Raises:
        InputError: with the reason in plain words.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start + 1} cannot be read). "
                         "Save it as UTF-8 and try again.") from exc
    try:
        data = jsonwire.loads(text)
    except jsonwire.JsonLimitError as exc:
        raise InputError(f"{path} cannot be read: {exc}.") from exc
    except jsonwire.NotJsonError as exc:
        raise InputError(f"{path} holds {exc}; JSON has no NaN or Infinity.") from exc
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        where = f" at line {line}, column {col}" if line else ""
        raise InputError(f"{path} is not valid JSON{where}: "
                         f"{getattr(exc, 'msg', str(exc))}.") from exc
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if not isinstance(data, list):
        raise InputError(f"{path} must hold a list of items, or {{\"items\": [...]}}.")
    return data
