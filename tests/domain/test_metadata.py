from __future__ import annotations

from decimal import Decimal

import pytest

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.metadata import (
    MetaField,
    MetaType,
    build_metadata,
    fields_from_metadata,
    parse_number,
)


def test_typed_rows_become_exact_metadata() -> None:
    meta, problems = build_metadata([
        MetaField("amount", MetaType.NUMBER, "250.00"),
        MetaField("currency", MetaType.TEXT, "USD"),
        MetaField("paid", MetaType.YESNO, "Yes"),
        MetaField("due", MetaType.DATE, "2025-03-31"),
        MetaField("", MetaType.TEXT, ""),
        MetaField("unused", MetaType.NUMBER, "  "),
        MetaField("lines", MetaType.JSON, '[{"sku": "A", "qty": 2}]'),
    ])
    assert problems == []
    assert jsonwire.dumps(meta) == ('{"amount":250.00,"currency":"USD","paid":true,'
                                    '"due":"2025-03-31","lines":[{"sku":"A","qty":2}]}')


def test_problems_name_the_row() -> None:
    meta, problems = build_metadata([
        MetaField("amount", MetaType.NUMBER, "1,234.50"),
        MetaField("", MetaType.TEXT, "x"),
        MetaField("a", MetaType.TEXT, "1"), MetaField("a", MetaType.TEXT, "2"),
        MetaField("due", MetaType.DATE, "03/04/2025"),  # 3 April or 4 March: never guessed
        MetaField("ok", MetaType.YESNO, "maybe"),
    ])
    assert [p.row for p in problems] == [0, 1, 3, 4, 5]
    assert "without thousands separators" in problems[0].message
    assert meta == {"a": "1"}


@pytest.mark.parametrize(("text", "value"), [("250.00", Decimal("250.00")),
                                             ("-1,5", Decimal("-1.5")), (" 7 ", Decimal(7))])
def test_numbers(text: str, value: Decimal) -> None:
    assert parse_number(text) == value
    assert str(parse_number(text)) == str(value)


def test_round_trip_through_rows() -> None:
    meta = {"amount": Decimal("250.00"), "paid": False, "due": "2025-01-02", "n": 3,
            "note": "hi", "nested": {"a": [1, 2]}}
    again, problems = build_metadata(fields_from_metadata(meta))
    assert problems == [] and jsonwire.dumps(again) == jsonwire.dumps(meta)
    assert build_metadata([]) == (None, [])
