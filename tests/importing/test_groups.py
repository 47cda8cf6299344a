"""Keys on several lines: never half-sent. Held back whole by default; added up exactly; one
record per line with {n}/{line}; and the same after edits as after a full check."""

from __future__ import annotations

import copy
import dataclasses
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacspace_desktop.importing import (
    AmountRule,
    Detection,
    FieldSource,
    FileKind,
    ImportTable,
    Mapping,
    RepeatPolicy,
    RowBlock,
    control_totals,
    validate_table,
)

HEADERS = ["Invoice", "Customer", "Amount", "Item"]
MAPPING = Mapping(FieldSource.column("Invoice"), FieldSource.column("Customer"),
                  FieldSource.column("Amount"), AmountRule(100))
SUM = dataclasses.replace(MAPPING, repeats=RepeatPolicy.SUM)


def table_of(rows: list[list[str]]) -> ImportTable:
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in HEADERS]
    detection = Detection(FileKind.TEXT, "utf-8", "UTF-8", ",", "comma", 1, "line 1")
    return ImportTable(list(HEADERS), columns, array("q", range(2, len(rows) + 2)), detection)


LINES = [["1003", "Initech", "120.00", "licences"],
         ["1001", "ACME", "500.00", "retainer"],
         ["1003", "Initech", "80.00", "support"],
         ["1003", "Initech", "-20.00", "discount"]]


def test_held_back_whole_with_one_message() -> None:
    v = validate_table(table_of(LINES), MAPPING)
    assert v.valid_rows() == [1]
    messages = {p.message for r in (0, 2, 3) for p in v.row_problems(r)}
    assert messages == {"Invoice “1003” has 3 lines (2, 4 and 5): all 3 are held back so that "
                        "it is not sent in part — on the Columns step, choose to add them up "
                        "into one record or to send one record per line."}
    assert [it.key for it in v.build_items()] == ["1001"]


def test_added_up_exactly_into_one_record() -> None:
    v = validate_table(table_of(LINES), SUM)
    items = v.build_items()
    assert [(it.key, it.account_id, it.bits) for it in items] == [("1003", "Initech", 18000),
                                                                  ("1001", "ACME", 50000)]
    (record,) = v.combined()
    assert (record.key, record.lines, record.bits) == ("1003", (2, 4, 5), 18000)
    totals = control_totals(v)
    assert {a: (t.items, t.bits) for a, t in totals.accounts.items()} == {
        "ACME": (1, 50000), "Initech": (1, 18000)}
    assert [rows for _item, rows in v.items_with_rows()] == [[0, 2, 3], [1]]


def test_one_bad_line_holds_back_the_whole_invoice() -> None:
    rows = copy.deepcopy(LINES)
    rows[2][2] = "80,0x"
    v = validate_table(table_of(rows), SUM)
    assert v.valid_rows() == [1]
    assert [p.message for p in v.row_problems(0)] == [
        "Held back with line 4: Invoice “1003” is sent whole or not at all."]
    assert v.combined() == []
    with pytest.raises(ValueError, match="held back"):
        v.build_items([0, 2, 3])


def test_lines_naming_different_accounts_are_a_problem() -> None:
    rows = copy.deepcopy(LINES)
    rows[3][1] = "Initrode"
    v = validate_table(table_of(rows), SUM)
    assert v.valid_rows() == [1]
    assert ("The lines of Invoice “1003” name different accounts (“Initech”, “Initrode”): "
            "they cannot be added up into one record.") in [p.message for p in v.row_problems(3)]


def test_part_of_an_invoice_is_refused() -> None:
    v = validate_table(table_of(LINES), SUM)
    with pytest.raises(ValueError, match="whole or not at all"):
        v.build_items([0, 1])


def test_one_record_per_line_with_n_and_line() -> None:
    per_line = dataclasses.replace(MAPPING, key=FieldSource.template("{Invoice}-{n}"),
                                   repeats=RepeatPolicy.PER_LINE)
    v = validate_table(table_of(LINES), per_line)
    assert [it.key for it in v.build_items()] == ["1003-1", "1001-1", "1003-2", "1003-3"]
    by_line = dataclasses.replace(per_line, key=FieldSource.template("{Invoice}/{line}"))
    v = validate_table(table_of(LINES), by_line)
    assert [it.key for it in v.build_items()] == ["1003/2", "1001/3", "1003/4", "1003/5"]
    table = table_of(LINES)
    v = validate_table(table, per_line)
    table.set_cell(0, 0, "1001")  # the first line moves to invoice 1001: every {n} follows
    v.revalidate_rows([0])
    assert [it.key for it in v.build_items()] == ["1001-1", "1001-2", "1003-1", "1003-2"]


def state(v: object) -> object:
    return (list(v.problems()), v.valid_rows(), list(v.bits),  # type: ignore[attr-defined]
            [(c.key, c.rows, c.bits) for c in v.combined()])  # type: ignore[attr-defined]


_key = st.sampled_from(["A", "B", "C", ""])
_account = st.sampled_from(["X", "Y"])
_amount = st.sampled_from(["1.00", "-2.50", "0.01", "x", "999.99"])
_row = st.tuples(_key, _account, _amount)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_row, min_size=1, max_size=12),
       edits=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2), _key | _account | _amount),
                      max_size=6),
       policy=st.sampled_from([RepeatPolicy.HOLD, RepeatPolicy.SUM]))
def test_edits_match_a_full_check(rows: list[tuple[str, str, str]],
                                  edits: list[tuple[int, int, str]],
                                  policy: RepeatPolicy) -> None:
    mapping = dataclasses.replace(MAPPING, repeats=policy)
    table = table_of([[*r, ""] for r in rows])
    v = validate_table(table, mapping)
    for row, column, text in edits:
        row %= table.row_count
        table.set_cell(row, column, text)
        v.revalidate_rows([row])
        assert state(v) == state(validate_table(copy.deepcopy(table), mapping))
    v.insert_rows(0, RowBlock.of_rows([["A", "X", "3.00", ""]], 4))
    assert state(v) == state(validate_table(copy.deepcopy(table), mapping))
    v.delete_rows(0, 1)
    assert state(v) == state(validate_table(copy.deepcopy(table), mapping))


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from(["I-1", "I-2", "I-3", "I-4"]),
                                st.integers(-10**8, 10**8)), min_size=1, max_size=30))
def test_adding_the_lines_up_never_changes_the_sum(lines: list[tuple[str, int]]) -> None:
    def amount(cents: int) -> str:
        sign = "-" if cents < 0 else ""
        return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02}"

    account = {"I-1": "X", "I-2": "X", "I-3": "Y", "I-4": "Z"}
    table = table_of([[key, account[key], amount(cents), ""] for key, cents in lines])
    summed = validate_table(table, SUM)
    per_line = validate_table(table, dataclasses.replace(
        MAPPING, key=FieldSource.template("{Invoice}-{n}"), repeats=RepeatPolicy.PER_LINE))
    assert summed.valid_count == per_line.valid_count == len(lines)
    items = summed.build_items()
    assert sum(it.bits for it in items) == sum(cents for _k, cents in lines)
    assert sum(it.bits for it in per_line.build_items()) == sum(cents for _k, cents in lines)
    assert sorted(it.key for it in items) == sorted({key for key, _c in lines})
    for item in items:
        assert item.bits == sum(c for k, c in lines if k == item.key)
    sums = {a: t.bits for a, t in control_totals(summed).accounts.items()}
    lines_sums = {a: t.bits for a, t in control_totals(per_line).accounts.items()}
    assert sums == lines_sums


@pytest.mark.parametrize("policy", [RepeatPolicy.HOLD, RepeatPolicy.SUM])
def test_big_re_checks_column_by_column_match_a_full_check(
        monkeypatch: pytest.MonkeyPatch, policy: RepeatPolicy) -> None:
    import random

    from pacspace_desktop.importing import revalidate

    rng = random.Random(12)
    mapping = dataclasses.replace(MAPPING, repeats=policy)
    rows = [[rng.choice(["A", "B", "C", "D", "E", ""]) + str(rng.randrange(40)),
             rng.choice(["X", "Y", " Z", "Total", "#N/A"]),
             rng.choice(["1.00", "-2.50", "x", "#DIV/0!", ""]), ""] for _ in range(600)]
    table = table_of(rows)
    v = validate_table(table, mapping)
    monkeypatch.setattr(revalidate, "_BULK_ROWS", 0)  # every re-check takes the bulk path
    for _round in range(5):
        edited = rng.sample(range(table.row_count), 150)
        for row in edited:
            table.set_cell(row, rng.randrange(3), rng.choice(["A1", "B2", "X", "3.00", ""]))
        v.revalidate_rows(edited)
        assert state(v) == state(validate_table(copy.deepcopy(table), mapping))
        staged = v.staged_revalidation([])
        v.apply_staged(staged)


def test_an_invoice_partly_chosen_can_be_left_out_and_named() -> None:
    v = validate_table(table_of(LINES), SUM)
    partial: list[str] = []
    pairs = v.items_with_rows([0, 1, 2], partial)  # line 5 of invoice 1003 is missing
    assert [(it.key, rows) for it, rows in pairs] == [("1001", [1])]
    assert partial == ["1003"]
