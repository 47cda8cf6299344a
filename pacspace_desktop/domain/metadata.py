"""Metadata typed by people: named values of a type (text, number, yes/no, date), made exact."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.jsonwire import JsonValue


class MetaType(StrEnum):
    """The kinds of value the metadata editor offers."""

    TEXT = "text"
    NUMBER = "number"
    YESNO = "yes/no"
    DATE = "date"
    JSON = "JSON"  # a nested list or object, kept as written (from files or history)


@dataclass(frozen=True, slots=True)
class MetaField:
    """One named value as typed: its exact text is kept, so 250.00 stays 250.00."""

    name: str
    kind: MetaType
    text: str


@dataclass(frozen=True, slots=True)
class MetaProblem:
    """A problem of one metadata row (0-based), in plain words."""

    row: int
    message: str


_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
_YES = {"yes", "y", "true", "1", "ja", "oui", "sí", "si"}
_NO = {"no", "n", "false", "0", "nein", "non"}


def parse_number(text: str) -> Decimal:
    """An exact decimal from typed text (`250.00`, `-1,5`); no thousands separators.

    Raises:
        ValueError: with a sentence that says how to write it.
    """
    raw = text.strip().replace("\u2212", "-")
    if not _NUMBER.fullmatch(raw):
        raise ValueError(f"“{text.strip()}” is not a number. Write it like 1234.50, without "
                         "thousands separators or currency signs.")
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"“{text.strip()}” is not a number.") from exc


def parse_yesno(text: str) -> bool:
    """True/False from yes/no words."""
    word = text.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"“{text.strip()}” is not yes or no.")


_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def parse_date(text: str) -> str:
    """An ISO date (YYYY-MM-DD) from typed text.

    Besides year-month-day, day and month in either order ("15/03/2025", "03.15.2025") are
    taken when only one reading is a date; "03/04/2025" (3 April or 4 March?) is never guessed.
    """
    raw = text.strip()
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        pass
    m = _DMY.match(raw)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        readings = set()
        for day, month in ((a, b), (b, a)):
            try:
                readings.add(date(year, month, day))
            except ValueError:
                continue
        if len(readings) == 1:
            return readings.pop().isoformat()
        if len(readings) == 2:
            first, second = sorted(readings, key=lambda d: (d.month != b, d))
            raise ValueError(f"“{raw}” could be {first.day} {first:%B} or {second.day} "
                             f"{second:%B} {year}. Write it as year-month-day, like "
                             f"{first.isoformat()}.")
    raise ValueError(f"“{raw}” is not a date. Write it as year-month-day, like "
                     "2025-03-31.")


def build_metadata(fields: Sequence[MetaField]
                   ) -> tuple[dict[str, JsonValue] | None, list[MetaProblem]]:
    """The metadata object for an item, and every problem of the rows.

    Rows without a value are skipped: the form keeps the names of the last record as a
    template, and a name left empty means "not for this record". No rows gives None.
    """
    result: dict[str, JsonValue] = {}
    problems: list[MetaProblem] = []
    for row, f in enumerate(fields):
        name = f.name.strip()
        if not f.text.strip():
            continue
        if not name:
            problems.append(MetaProblem(row, "Give this value a name."))
            continue
        if name in result:
            problems.append(MetaProblem(row, f"The name “{name}” is used twice."))
            continue
        try:
            result[name] = _value(f)
        except ValueError as exc:
            problems.append(MetaProblem(row, f"{name}: {exc}"))
    return (result or None), problems


def _value(f: MetaField) -> JsonValue:
    if f.kind is MetaType.NUMBER:
        return parse_number(f.text)
    if f.kind is MetaType.YESNO:
        return parse_yesno(f.text)
    if f.kind is MetaType.DATE:
        return parse_date(f.text)
    if f.kind is MetaType.JSON:
        try:
            return jsonwire.loads(f.text)
        except ValueError as exc:
            raise ValueError("this is not valid JSON.") from exc
    return f.text


def fields_from_metadata(metadata: dict[str, JsonValue] | None) -> list[MetaField]:
    """Rows for the editor from a metadata object (e.g. an item resubmitted from history)."""
    rows = []
    for name, value in (metadata or {}).items():
        if isinstance(value, bool):
            rows.append(MetaField(name, MetaType.YESNO, "yes" if value else "no"))
        elif isinstance(value, int | Decimal | float):
            rows.append(MetaField(name, MetaType.NUMBER, str(value)))
        elif isinstance(value, str):
            try:
                kind = MetaType.DATE if date.fromisoformat(value).isoformat() == value \
                    else MetaType.TEXT
            except ValueError:
                kind = MetaType.TEXT
            rows.append(MetaField(name, kind, value))
        else:
            rows.append(MetaField(name, MetaType.JSON, jsonwire.dumps(value)))
    return rows
