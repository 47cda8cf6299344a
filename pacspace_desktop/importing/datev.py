"""DATEV Buchungsstapel (EXTF): the period in the preamble line, and `Belegdatum` as DDMM.

DATEV writes the document date as day and month only (`0301` is 3 January); the year comes
from the booking period in the preamble above the header (fields 15 and 16, "Datum vom" and
"Datum bis", as YYYYMMDD).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from pacspace_desktop.domain.jsonwire import JsonValue
from pacspace_desktop.importing.findings import Finding
from pacspace_desktop.importing.numbers import shown

_FROM, _TO = 14, 15  # 0-based fields of the EXTF preamble


def is_datev(preamble: Sequence[Sequence[str]]) -> bool:
    """True when the lines above the header start like a DATEV EXTF/DTVF file."""
    return bool(preamble) and bool(preamble[0]) and preamble[0][0].strip('"') in ("EXTF",
                                                                                   "DTVF")


def _day(text: str) -> date | None:
    text = text.strip().strip('"')
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def period(preamble: Sequence[Sequence[str]]) -> tuple[date, date] | None:
    """The booking period ("Datum vom" – "Datum bis") of a DATEV preamble, or None."""
    if not is_datev(preamble) or len(preamble[0]) <= _TO:
        return None
    start, end = _day(preamble[0][_FROM]), _day(preamble[0][_TO])
    if start is None or end is None or end < start:
        return None
    return start, end


def ddmm_converter(column: str, preamble: Sequence[Sequence[str]]
                   ) -> Callable[[str], tuple[JsonValue, tuple[Finding, ...]]]:
    """A converter of `DDMM` (or `DMM`) dates to ISO, the year taken from the DATEV period."""
    found = period(preamble)

    def problem(text: str, why: str) -> tuple[JsonValue, tuple[Finding, ...]]:
        return None, (Finding(column, "metadata", "not_date", f"{column} “{shown(text)}” {why}"),)

    def convert(text: str) -> tuple[JsonValue, tuple[Finding, ...]]:
        digits = text.strip()
        if not digits.isdigit() or len(digits) not in (3, 4):
            return problem(text, "is not a day and month written DDMM (0301 is 3 January).")
        day, month = int(digits[:-2]), int(digits[-2:])
        if found is None:
            return problem(text, "has no year, and the file has no DATEV period line to take "
                                 "it from: set the year in the mapping or export again.")
        start, end = found
        for year in range(start.year, end.year + 1):
            try:
                when = date(year, month, day)
            except ValueError:
                continue
            if start <= when <= end:
                return when.isoformat(), ()
        return problem(text, f"is not a date within the file's period "
                             f"({start:%d.%m.%Y}–{end:%d.%m.%Y}).")
    return convert
