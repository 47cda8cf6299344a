"""Edits of a checked table: rows put in and taken out are checked incrementally and end up
exactly where a full check would; find and replace; the edit log; accounting amounts."""

from __future__ import annotations

import copy
import dataclasses
from array import array
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacspace_desktop.importing import (
    AmountRule,
    CellsEdit,
    DecimalSeparator,
    DeleteEdit,
    Detection,
    EditLogError,
    FileKind,
    FindError,
    FindSpec,
    ImportTable,
    InsertEdit,
    RowBlock,
    apply_edits,
    auto_map,
    edit_from_json,
    edit_to_json,
    find_cells,
    find_changes,
    parse_number,
    validate_table,
)
from pacspace_desktop.importing.table import IssueKind, ReadIssue

HEADERS = ["Invoice No", "Customer", "Amount"]
DETECTION = Detection(FileKind.TEXT, "utf-8", "UTF-8", ",", "comma", 1, "line 1")


def table_of(rows: list[list[str]], issues: list[ReadIssue] | None = None) -> ImportTable:
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], []]
    return ImportTable(list(HEADERS), columns, array("q", range(2, len(rows) + 2)), DETECTION,
                       issues or [])


ROWS = [["A-1", "ACME GmbH", "10.00"], ["A-2", "ACME GmbH", "1x"], ["A-1", "Globex", "3.00"],
        ["A-4", "", "4.00"], ["A-5", "Initech GmbH", "5.00"]]
# A fixed decimal point: edits keep the formats decided when the file was read, so a full
# check of the edited table must not decide them again from the edited values.
MAPPING = dataclasses.replace(auto_map(HEADERS, [["A-1"], ["ACME"], ["10.00"]]),
                              amount=AmountRule(100, DecimalSeparator.POINT))


def snapshot(table: ImportTable) -> list[tuple[int, int, tuple[tuple[str, str], ...]]]:
    """Every row's line, validity and problems, from a full check of the table as it is."""
    full = validate_table(copy.deepcopy(table), MAPPING)
    return [(table.line_of(r), int(full.is_valid(r)),
             tuple((p.code, p.message) for p in full.row_problems(r)))
            for r in range(table.row_count)]


def state(validation: object, table: ImportTable) -> list[tuple[int, int, tuple[tuple[str, str],
                                                                               ...]]]:
    v = validation
    return [(table.line_of(r), int(v.is_valid(r)),  # type: ignore[attr-defined]
             tuple((p.code, p.message) for p in v.row_problems(r)))  # type: ignore[attr-defined]
            for r in range(table.row_count)]


def test_insert_and_delete_rows_match_a_full_check() -> None:
    table = table_of([list(r) for r in ROWS])
    validation = validate_table(table, MAPPING)
    affected = validation.insert_rows(1, RowBlock.of_rows([["A-2", "Hooli", "2.00"]], 3))
    assert affected == [1, 2]  # the new row and the row whose key it now repeats
    assert table.line_of(1) == 0 and table.cell(1, 1) == "Hooli"
    assert state(validation, table) == snapshot(table)
    assert "has 2 lines (new and 3)" in validation.row_problems(2)[-1].message
    block, affected = validation.delete_rows(0, 1)
    assert block.columns[0] == ["A-1"] and block.lines == [2]
    assert affected == [2]  # the other A-1 is no longer a repeat
    assert validation.is_valid(2) and state(validation, table) == snapshot(table)
    assert validation.insert_rows(0, block) == [0, 3]
    assert state(validation, table) == snapshot(table)
    assert [table.line_of(r) for r in range(table.row_count)] == [2, 0, 3, 4, 5, 6]


def test_read_issues_travel_with_their_rows() -> None:
    issue = ReadIssue(4, 2, IssueKind.NUL_BYTE, "NUL removed.")
    table = table_of([list(r) for r in ROWS], [issue])
    validation = validate_table(table, MAPPING)
    assert not validation.is_valid(2)
    block, _ = validation.delete_rows(2, 1)
    assert table.issues == [] and block.issues[0].row == 0
    assert all(validation.is_valid(r) for r in (0, 2, 3)) is False  # A-2 "1x", A-4 empty
    validation.insert_rows(2, block)
    assert table.issues == [issue] and not validation.is_valid(2)
    assert state(validation, table) == snapshot(table)


_cell = st.sampled_from(["A-1", "A-2", "A-3", "", "ACME", "1.00", "x", "2,50"])
_op = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 30), st.integers(0, 2), _cell),
    st.tuples(st.just("insert"), st.integers(0, 30), st.lists(st.lists(_cell, max_size=3),
                                                             min_size=1, max_size=3)),
    st.tuples(st.just("delete"), st.integers(0, 30), st.integers(1, 3)))


@settings(max_examples=60, deadline=None)
@given(st.lists(_op, max_size=12))
def test_any_sequence_of_edits_matches_a_full_check(ops: list[tuple[object, ...]]) -> None:
    table = table_of([list(r) for r in ROWS])
    validation = validate_table(table, MAPPING)
    for op in ops:
        n = table.row_count
        if op[0] == "set" and n:
            row, col, text = int(op[1]) % n, int(op[2]), str(op[3])  # type: ignore[call-overload]
            table.set_cell(row, col, text)
            validation.revalidate_rows([row])
        elif op[0] == "insert":
            validation.insert_rows(int(op[1]) % (n + 1), RowBlock.of_rows(op[2], 3))  # type: ignore[arg-type, call-overload]
        elif op[0] == "delete" and n:
            at = int(op[1]) % n  # type: ignore[call-overload]
            validation.delete_rows(at, min(int(op[2]), n - at))  # type: ignore[call-overload]
    assert state(validation, table) == snapshot(table)
    assert validation.counts_by_column() == validate_table(copy.deepcopy(table),
                                                           MAPPING).counts_by_column()


def test_find_and_replace() -> None:
    table = table_of([list(r) for r in ROWS])
    changes = find_changes(table, FindSpec("gmbh"), "AG")
    assert changes == [(0, 1, "ACME GmbH", "ACME AG"), (1, 1, "ACME GmbH", "ACME AG"),
                       (4, 1, "Initech GmbH", "Initech AG")]
    assert find_changes(table, FindSpec("gmbh", match_case=True), "AG") == []
    assert find_changes(table, FindSpec("GmbH", whole_cell=True), "AG") == []
    assert find_changes(table, FindSpec("Globex", whole_cell=True), "Hooli",
                        columns=[1]) == [(2, 1, "Globex", "Hooli")]
    assert find_changes(table, FindSpec(r"A-(\d)", regex=True), r"INV-\1",
                        columns=[0], skip=lambda r: r == 0)[0] == (1, 0, "A-2", "INV-2")
    assert find_changes(table, FindSpec("1", whole_cell=False), "\\1", columns=[2])[0][3] \
        == "\\10.00"  # a plain replacement is taken as it is
    assert find_cells(table, FindSpec("a-1")) == [(0, 0), (2, 0)]
    with pytest.raises(FindError, match="not a valid regular expression"):
        FindSpec("[abc", regex=True).pattern()
    with pytest.raises(FindError, match="does not fit"):
        find_changes(table, FindSpec("A-(1)", regex=True), r"\2")
    with pytest.raises(FindError, match="Type what to find"):
        FindSpec("").pattern()


def test_edit_log_round_trip_and_replay() -> None:
    edits = [CellsEdit(((1, 2, "2.00"),)), InsertEdit(0, (("N-1", "ACME", "1.00"),), (0,)),
             DeleteEdit(3, 1)]
    assert [edit_from_json(edit_to_json(e)) for e in edits] == edits
    table = table_of([list(r) for r in ROWS])
    undo = apply_edits(table, edits)
    assert undo[0] == ["1x"] and undo[1] is None and undo[2].columns[0] == ["A-1"]
    assert table.columns[0] == ["N-1", "A-1", "A-2", "A-4", "A-5"]
    assert table.cell(2, 2) == "2.00" and table.line_of(0) == 0
    with pytest.raises(EditLogError):
        apply_edits(table, [CellsEdit(((99, 0, "x"),))])
    with pytest.raises(EditLogError):
        edit_from_json({"op": "shuffle"})


@pytest.mark.parametrize(("text", "value"), [
    ("(250,00) €", "-250.00"), ("€ (250,00)", "-250.00"), ("€(250,00)", "-250.00"),
    ("(1.234,56) EUR", "-1234.56"), ("CHF (12,50)", "-12.50"), ("(250,00)\u00a0€", "-250.00"),
])
def test_accounting_brackets_with_the_currency_outside(text: str, value: str) -> None:
    assert parse_number(text, DecimalSeparator.COMMA) == Decimal(value)
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["(€ 250,00) €", "((250,00)) €", "€ (250,00) €", "- (250,00) €"])
def test_accounting_brackets_still_refuse_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, DecimalSeparator.COMMA)


@given(st.integers(0, 10**9), st.integers(0, 99), st.sampled_from(["€", "EUR", "$", "£"]),
       st.sampled_from(["", " ", "\u00a0"]), st.booleans())
def test_accounting_amounts_read_negative(units: int, cents: int, currency: str, space: str,
                                          before: bool) -> None:
    grouped = f"{units:,}".replace(",", ".") + f",{cents:02}"
    text = f"{currency}{space}({grouped})" if before else f"({grouped}){space}{currency}"
    assert parse_number(text, DecimalSeparator.COMMA) == -Decimal(f"{units}.{cents:02}")
