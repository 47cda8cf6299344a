"""Dates to ISO: day-first or month-first decided per column, never guessed."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacspace_desktop.importing import DateError, DateOrder, parse_date
from pacspace_desktop.importing.dates import detect_date_order, excel_serial_to_date

DMY, MDY, AUTO = DateOrder.DAY_FIRST, DateOrder.MONTH_FIRST, DateOrder.AUTO


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("2025-03-01", AUTO, date(2025, 3, 1)),
    ("2025-03-01T10:30:00", AUTO, date(2025, 3, 1)),
    ("01/03/2025", DMY, date(2025, 3, 1)),
    ("1.3.2025", DMY, date(2025, 3, 1)),
    ("03/01/2025", MDY, date(2025, 3, 1)),
    ("25/03/2025", AUTO, date(2025, 3, 25)),
    ("03/25/2025", AUTO, date(2025, 3, 25)),
    ("1.3.25", DMY, date(2025, 3, 1)),
    ("1.3.99", DMY, date(1999, 3, 1)),
    ("07/07/2025", AUTO, date(2025, 7, 7)),
    ("45717", AUTO, date(2025, 3, 1)),
    ("45717.5", AUTO, date(2025, 3, 1)),
    ("20250301", AUTO, date(2025, 3, 1)),
    ("1 Mar 2025", AUTO, date(2025, 3, 1)),
    ("March 1, 2025", AUTO, date(2025, 3, 1)),
    ("01-Mar-25", AUTO, date(2025, 3, 1)),
])
def test_parses(text: str, order: DateOrder, expected: date) -> None:
    assert parse_date(text, order) == expected


def test_excel_serials_honour_the_1900_leap_bug() -> None:
    assert excel_serial_to_date(1) == date(1900, 1, 1)
    assert excel_serial_to_date(59) == date(1900, 2, 28)
    assert excel_serial_to_date(61) == date(1900, 3, 1)
    assert excel_serial_to_date(45717) == date(2025, 3, 1)
    with pytest.raises(DateError, match="never existed"):
        excel_serial_to_date(60)


@pytest.mark.parametrize(("text", "words"), [
    ("03/04/2025", "could be 3 April or March 4"),
    ("31/02/2025", "not a real date"),
    ("soon", "not a date"),
    ("", "empty"),
])
def test_refuses_with_words(text: str, words: str) -> None:
    with pytest.raises(DateError, match=words):
        parse_date(text)


def test_column_order_from_parts_above_12() -> None:
    found = detect_date_order(["01/03/2025", "25/03/2025", "", "2025-01-01"])
    assert found.order is DMY and not found.ambiguous
    assert found.evidence == "1 of 3 dates start with a day above 12 → day first"
    assert detect_date_order(["03/25/2025", "03/01/2025"]).order is MDY
    ambiguous = detect_date_order(["03/04/2025", "05/06/2025", "07/07/2025"])
    assert ambiguous.ambiguous and ambiguous.order is AUTO
    assert "choose the order" in ambiguous.evidence
    iso = detect_date_order(["2025-03-01", "45717"])
    assert not iso.ambiguous


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2029, 12, 31)),
       st.sampled_from(["iso", "dmy", "mdy", "dmy2", "dot", "serial"]))
def test_round_trip(day: date, style: str) -> None:
    d, m, y = day.day, day.month, day.year
    text, order = {
        "iso": (day.isoformat(), AUTO),
        "dmy": (f"{d:02}/{m:02}/{y}", DMY),
        "mdy": (f"{m:02}/{d:02}/{y}", MDY),
        "dmy2": (f"{d}/{m}/{y % 100:02}", DMY),
        "dot": (f"{d}.{m}.{y}", DMY),
        "serial": (str((day - date(1899, 12, 30)).days), AUTO),
    }[style]
    assert parse_date(text, order) == day


@given(st.text(max_size=30), st.sampled_from(list(DateOrder)))
def test_random_text_raises_only_date_error(text: str, order: DateOrder) -> None:
    with contextlib.suppress(DateError):
        parse_date(text, order)
