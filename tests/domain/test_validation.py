from __future__ import annotations

from decimal import Decimal

import pytest

from pacspace_desktop.domain.batching import split_into_requests
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.domain.validation import (
    Severity,
    check_request,
    parse_raw_items,
)


def _codes(raw: object, limits: Limits = DEFAULT_LIMITS) -> set[tuple[int | None, str | None, str]]:
    return {(p.index, p.field, p.code) for p in parse_raw_items([raw], limits).problems}


def test_a_good_item_has_no_problem() -> None:
    parsed = parse_raw_items([{"key": "inv-1", "accountId": "c-1", "bits": 2,
                               "metadata": {"amount": Decimal("250.00")}}])
    assert parsed.problems == []
    assert parsed.items == [WriteItem("inv-1", "c-1", 2, {"amount": Decimal("250.00")})]
    assert parsed.positions == [0]


def test_every_problem_of_an_item_is_reported() -> None:
    codes = _codes({"key": " inv-1", "accountId": "", "bits": 1.5, "metadata": [1]})
    assert codes == {(0, "key", "spaces"), (0, "accountId", "blank"),
                     (0, "bits", "not_integer"), (0, "metadata", "not_object")}


@pytest.mark.parametrize(("raw", "expected"), [
    ({"accountId": "a", "bits": 1}, (0, "key", "missing")),
    ({"key": 5, "accountId": "a", "bits": 1}, (0, "key", "not_text")),
    ({"key": "   ", "accountId": "a", "bits": 1}, (0, "key", "blank")),
    ({"key": "k" * 129, "accountId": "a", "bits": 1}, (0, "key", "too_long")),
    ({"key": "a\nb", "accountId": "a", "bits": 1}, (0, "key", "control_char")),
    ({"key": "k", "accountId": "a", "bits": "12abc"}, (0, "bits", "not_integer")),
    ({"key": "k", "accountId": "a", "bits": True}, (0, "bits", "not_integer")),
    ({"key": "k", "accountId": "a", "bits": Decimal("1e400")}, (0, "bits", "not_integer")),
    ({"key": "k", "accountId": "a", "bits": float("nan")}, (0, "bits", "not_integer")),
    ({"key": "k", "accountId": "a"}, (0, "bits", "missing")),
    ({"key": "k", "accountId": "a", "bits": 10**9 + 1}, (0, "bits", "out_of_range")),
    ({"key": "k", "accountId": "a", "bits": -(10**9) - 1}, (0, "bits", "out_of_range")),
    ({"key": "k", "accountId": "a", "bits": 1, "metadata": "x"}, (0, "metadata", "not_object")),
    ({"key": "k", "accountId": "a", "bits": 1, "metadata": {"v": float("inf")}},
     (0, "metadata", "not_finite")),
    ({"key": "k", "accountId": "a", "bits": 1, "metadata": {"v": [Decimal("NaN")]}},
     (0, "metadata", "not_finite")),
    ("not an item", (0, None, "not_object")),
])
def test_each_rule(raw: object, expected: tuple[int, str, str]) -> None:
    assert expected in _codes(raw)


def test_limits_are_settings() -> None:
    assert (0, "key", "too_long") in _codes({"key": "abcdef", "accountId": "a", "bits": 1},
                                            Limits(max_id_length=5))
    assert _codes({"key": "k", "accountId": "a", "bits": 50}, Limits(max_abs_bits=10)) == {
        (0, "bits", "out_of_range")}


def test_messages_are_sentences_for_a_clerk() -> None:
    parsed = parse_raw_items([{"key": "k", "accountId": "a", "bits": 1.5}])
    text = parsed.problems[0].describe()
    assert text == "Item 1, Bits: Bits must be a whole number without a decimal point; 1.5 is not."


def test_duplicate_keys_in_one_list_are_errors_on_the_repeat() -> None:
    parsed = parse_raw_items([{"key": "k", "accountId": "a", "bits": 1},
                              {"key": "k", "accountId": "b", "bits": 2}])
    assert [(p.index, p.code) for p in parsed.problems] == [(1, "duplicate_key")]
    assert "count the record twice" in parsed.problems[0].message
    assert [it.account_id for it in parsed.items] == ["a"]


def test_empty_list_is_an_error() -> None:
    assert [p.code for p in parse_raw_items([]).errors] == ["empty"]


def test_unknown_fields_are_warnings() -> None:
    parsed = parse_raw_items([{"key": "k", "accountId": "a", "bits": 1, "amount": 3}])
    assert [(p.code, p.severity) for p in parsed.problems] == [
        ("unknown_field", Severity.WARNING)]
    assert len(parsed.items) == 1


def test_an_item_over_the_body_limit_is_refused() -> None:
    big = {"key": "k", "accountId": "a", "bits": 1, "metadata": {"note": "x" * 2000}}
    parsed = parse_raw_items([big], Limits(max_body_bytes=1000))
    assert [p.code for p in parsed.errors] == ["too_large"]
    assert parsed.items == []


def test_request_checks() -> None:
    items = [WriteItem(f"k{i}", "a", 1) for i in range(101)]
    assert {p.code for p in check_request(items)} == {"too_many"}
    assert {p.code for p in check_request([])} == {"empty"}
    assert {p.code for p in check_request([WriteItem("k", "a", 1)] * 2)} == {"duplicate_key"}


def test_split_into_requests_by_count_and_size() -> None:
    items = [WriteItem(f"k{i}", "a", 1) for i in range(10_001)]
    batches = split_into_requests(items, 100)
    assert len(batches) == 101
    assert [len(b) for b in batches[-2:]] == [100, 1]
    assert [it for b in batches for it in b] == items
    big = [WriteItem(f"k{i}", "a", 1, {"note": "x" * 400}) for i in range(10)]
    limits = Limits(max_body_bytes=1500)
    sized = split_into_requests(big, 100, limits)
    assert all(len(b) <= 3 for b in sized)
    assert [it for b in sized for it in b] == big
    with pytest.raises(ValueError, match="between 1 and 100"):
        split_into_requests(items, 101)


def test_lone_surrogates_deep_metadata_and_huge_bits_are_problems_not_crashes() -> None:
    from pacspace_desktop.domain.validation import parse_raw_items

    deep: dict[str, object] = {"v": 1}
    for _ in range(900):
        deep = {"a": deep}
    parsed = parse_raw_items([
        {"key": "k\ud800", "accountId": "a", "bits": 1},
        {"key": "k2", "accountId": "a", "bits": 1, "metadata": {"n": "\udfff"}},
        {"key": "k3", "accountId": "a", "bits": 1, "metadata": deep},
        {"key": "k4", "accountId": "a", "bits": 10**5000},
    ])
    codes = [(p.index, p.code) for p in parsed.errors]
    assert codes == [(0, "broken_char"), (1, "not_json"), (2, "too_deep"), (3, "out_of_range")]
    assert parsed.items == []
