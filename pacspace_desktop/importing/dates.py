"""Dates as spreadsheets write them, to ISO: day-first or month-first decided per column."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pacspace_desktop.importing.numbers import shown


class DateError(ValueError):
    """A text is not a date (or is ambiguous); the message says why in plain words."""


class DateOrder(StrEnum):
    """How to read `03/04/2025`: day first (3 April) or month first (March 4)."""

    AUTO = "auto"
    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


@dataclass(frozen=True, slots=True)
class DateFormat:
    """The date order of one column and the evidence for it.

    Attributes:
        order: DAY_FIRST or MONTH_FIRST when the data decides; AUTO when it needs none (ISO
            dates, serial numbers) or cannot decide (`ambiguous`).
        evidence: Plain words, e.g. "12 of 40 dates start with a day above 12 → day first".
        ambiguous: True when some dates could be read both ways and no value decides: a
            person must choose; nothing is guessed.
    """

    order: DateOrder
    evidence: str
    ambiguous: bool = False


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"]
_TIME = r"(?:[T ,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_COMPACT = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})")
_SLICE = 65_536  # values a C call takes at once past the limit (the GIL stays shared)
_PARTS = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_NAMED_DMY = re.compile(r"(\d{1,2})\.?[\s-]*([A-Za-z]{3,9})\.?[\s,-]*(\d{4}|\d{2})" + _TIME)
_NAMED_MDY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})" + _TIME)
_SERIAL = re.compile(r"(\d{1,7})(?:\.\d+)?")
_EXCEL_LAST = 2958465  # 9999-12-31


def _year(text: str) -> int:
    """A year; two digits follow Excel: 00–29 are 2000–2029, 30–99 are 1930–1999."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 30 else 1900
    return year


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(f"“{shown(text)}” is not a real date.") from None


def _month(name: str, text: str) -> int:
    month = _MONTHS.get(name[:3].lower())
    if month is None or not _MONTH_NAMES[month - 1].lower().startswith(name.lower()):
        raise DateError(f"“{shown(text)}” is not a date.")
    return month


def excel_serial_to_date(serial: int) -> date:
    """An Excel serial day number as a date, honouring Excel's 1900 leap-year bug.

    Raises:
        DateError: for 60 (29 February 1900, which never existed) and numbers out of range.
    """
    if serial == 60:
        raise DateError("Excel day 60 is 29 February 1900, a day that never existed.")
    if not 1 <= serial <= _EXCEL_LAST:
        raise DateError(f"{serial} is not a date Excel can hold.")
    if serial < 60:
        return date(1899, 12, 31) + timedelta(days=serial)
    return date(1899, 12, 30) + timedelta(days=serial)


def parse_date(text: str, order: DateOrder = DateOrder.AUTO) -> date:
    """Read a date written as ISO, day-first, month-first, with a month name, or an Excel serial.

    Args:
        text: The cell text, e.g. `2025-03-01`, `01/03/2025`, `1.3.25`, `45717`.
        order: How to read `03/04/2025`. With AUTO such a date is refused as ambiguous unless
            a part above 12 decides it.

    Raises:
        DateError: when the text is not a date or could be two dates.
    """
    s = text.strip()
    if not s:
        raise DateError("The date is empty.")
    if m := _ISO.fullmatch(s):
        return _make(int(m[1]), int(m[3]), int(m[4]), text)
    if m := _PARTS.fullmatch(s):
        first, second, year = int(m[1]), int(m[3]), _year(m[4])
        if order is DateOrder.DAY_FIRST or (order is DateOrder.AUTO and first > 12):
            return _make(year, second, first, text)
        if order is DateOrder.MONTH_FIRST or (order is DateOrder.AUTO and second > 12):
            return _make(year, first, second, text)
        if first == second:
            return _make(year, first, first, text)
        raise DateError(f"“{shown(text)}” could be {first} {_MONTH_NAMES[second - 1]} or "
                        f"{_MONTH_NAMES[first - 1]} {second}; choose day-first or "
                        "month-first for this column.")
    if m := _COMPACT.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _NAMED_DMY.fullmatch(s):
        return _make(_year(m[3]), _month(m[2], text), int(m[1]), text)
    if m := _NAMED_MDY.fullmatch(s):
        return _make(int(m[3]), _month(m[1], text), int(m[2]), text)
    if m := _SERIAL.fullmatch(s):
        return excel_serial_to_date(int(m[1]))
    raise DateError(f"“{shown(text)}” is not a date.")


def looks_like_date(text: str) -> bool:
    """True when `text` has the shape of a date (serial numbers excepted)."""
    s = text.strip()
    return bool(_ISO.fullmatch(s) or _PARTS.fullmatch(s) or _NAMED_DMY.fullmatch(s)
                or _NAMED_MDY.fullmatch(s))


def detect_date_order(values: list[str], limit: int = 5000) -> DateFormat:
    """Decide whether a column's dates are day-first or month-first, from parts above 12.

    Args:
        values: Cells of the column (empty ones are ignored).
        limit: How many non-empty values to look at.
    """
    day_first = month_first = undecided = 0
    example = ""
    # dates repeat: look at each distinct text once (a Counter keeps first-seen order)
    filled = filter(None, values)
    head = list(itertools.islice(filled, limit))
    sample = Counter(head)
    seen = len(head)
    if seen == limit and not _PARTS.fullmatch(head[-1].strip()):
        # as ever: past the limit, look on to the next date with parts — each distinct text
        # once, in slices (an ISO column has none: its whole rest was matched value by
        # value, 18 % of the check of a million rows)
        while chunk := list(itertools.islice(filled, _SLICE)):
            for text in dict.fromkeys(chunk):
                if _PARTS.fullmatch(text.strip()):
                    sample[text] += 1
                    seen += chunk.index(text) + 1
                    break
            else:
                seen += len(chunk)
                continue
            break
    for text, times in sample.items():
        m = _PARTS.fullmatch(text.strip())
        if m is None:
            continue
        first, second = int(m[1]), int(m[3])
        if first > 12 >= second:
            day_first += times
        elif second > 12 >= first:
            month_first += times
        elif first != second:
            undecided += times
            example = example or text.strip()
    if day_first >= month_first and day_first:
        words = f"{day_first} of {seen} dates start with a day above 12 → day first"
        if month_first:
            words = f"values disagree: {day_first} look day-first, {month_first} month-first " \
                    "→ day first"
        return DateFormat(DateOrder.DAY_FIRST, words)
    if month_first:
        words = f"{month_first} of {seen} dates have a day above 12 in the middle → month first"
        if day_first:
            words = f"values disagree: {month_first} look month-first, {day_first} day-first " \
                    "→ month first"
        return DateFormat(DateOrder.MONTH_FIRST, words)
    if undecided:
        return DateFormat(DateOrder.AUTO, f"no date has a part above 12, so “{example}” could "
                          "be day-first or month-first: choose the order", ambiguous=True)
    return DateFormat(DateOrder.AUTO, "dates need no order (year first, or Excel day numbers)")
