"""Checking mapped rows: cell problems, duplicates, history, edits, totals, items, export."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.limits import Limits
from pacspace_desktop.domain.validation import Severity
from pacspace_desktop.importing import (
    AmountRule,
    DateOrder,
    FieldSource,
    ImportTable,
    Mapping,
    MappingError,
    MetadataColumn,
    MetadataType,
    RepeatPolicy,
    auto_map,
    build_items,
    control_totals,
    export_problems_csv,
    lean_metadata,
    read_file,
    validate_table,
)
from tests.importing.conftest import write

CSV = ("Invoice;Customer;Amount;Date;Paid\n"
       "A-1;ACME;1.234,56 €;01.03.2025;ja\n"         # line 2
       "A-2;Globex;12,50;13.03.2025;nein\n"          # line 3
       "A-1;ACME;(5,00);1.3.2025;ja\n"               # line 4: duplicate of line 2
       ";ACME;1,234x;32.03.2025;vielleicht\n"        # line 5: four errors
       "A-5; ACME;0,001;;\n"                         # line 6: space, fraction of a cent
       "A-6;Globex;=1+1;;\n")                        # line 7: formula-looking


def _mapping() -> Mapping:
    return Mapping(FieldSource.column("Invoice"), FieldSource.column("Customer"),
                   FieldSource.column("Amount"), AmountRule(100),
                   (MetadataColumn("Date", "date", MetadataType.DATE),
                    MetadataColumn("Paid", "paid", MetadataType.YESNO),
                    MetadataColumn("Amount", "amount", MetadataType.NUMBER)))


def _lean(table: ImportTable) -> Mapping:
    mapping = auto_map(table.headers, table.columns)
    taken = [s.value for s in (mapping.key, mapping.account_id, mapping.bits) if s]
    return dataclasses.replace(mapping,
                               metadata=lean_metadata(table.headers, table.columns, taken))


@pytest.fixture
def table(tmp_path: Path) -> ImportTable:
    return read_file(write(tmp_path, "v.csv", CSV.encode("utf-8")))


def _by_line(validation: object) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for p in validation.all_problems():  # type: ignore[attr-defined]
        out.setdefault(p.line, []).append((p.column, p.message))
    return out


def test_problems_per_cell_in_plain_words(table: ImportTable) -> None:
    v = validate_table(table, _mapping())
    problems = _by_line(v)
    held = ("Invoice", "Invoice “A-1” has 2 lines (2 and 4): both are held back so that it is "
                          "not sent in part — on the Columns step, choose to add them up into "
                          "one record or to send one record per line.")
    assert problems[2] == problems[4] == [held]
    assert sorted(problems[5]) == sorted([
        ("Invoice", "Record key is empty."),
        ("Amount", "Amount “1,234x” is not a number."),
        ("Amount", "Amount “1,234x” is not a number."),
        ("Date", "Date “32.03.2025” is not a real date."),
        ("Paid", "Paid “vielleicht” is not yes or no."),
    ])
    assert ("Customer", "Account ID starts or ends with a space. Remove the space: PacSpace "
                        "would treat it as a different record.") in problems[6]
    assert ("Amount", "Amount: 0.001 × 100 is not a whole number of cents.") in problems[6]
    assert 3 not in problems
    assert v.valid_count == 1 and v.valid_rows() == [1]
    assert v.counts_by_column() == {"Invoice": 3, "Amount": 5, "Date": 1, "Paid": 1,
                                    "Customer": 1}
    fmt = {f.column: f for f in v.formats}
    assert fmt["Amount"].evidence.endswith("→ decimal comma")
    assert fmt["Date"].choice == DateOrder.DAY_FIRST


def _summing() -> Mapping:
    return dataclasses.replace(_mapping(), repeats=RepeatPolicy.SUM)


def test_items_of_valid_rows_are_exact(table: ImportTable) -> None:
    v = validate_table(table, _summing())
    items = v.build_items()
    # lines 2 and 4 are one invoice, added up: 1,234.56 + (5.00) = 1,229.56
    assert [(i.key, i.account_id, i.bits) for i in items] == [("A-1", "ACME", 122956),
                                                               ("A-2", "Globex", 1250)]
    assert items[0].metadata == {"date": "2025-03-01", "paid": True}  # amounts differ: left out
    assert jsonwire.dumps(items[1].metadata) == '{"date":"2025-03-13","paid":false,' \
                                                '"amount":12.50}'
    assert build_items(table, _summing(), [0, 1, 2]) == items
    with pytest.raises(ValueError, match="whole or not at all"):
        v.build_items([0, 1])
    with pytest.raises(ValueError, match="held back"):
        v.item(4)


def test_control_totals(table: ImportTable) -> None:
    totals = control_totals(validate_table(table, _summing()))
    assert (totals.rows, totals.valid_rows) == (6, 3)
    assert {a: (t.items, t.bits) for a, t in totals.accounts.items()} == {
        "ACME": (1, 122956), "Globex": (1, 1250)}
    assert totals.bits == 124206
    held = control_totals(validate_table(table, _mapping()))
    assert {a: (t.items, t.bits) for a, t in held.accounts.items()} == {"Globex": (1, 1250)}


def test_keys_sent_before_are_warnings(table: ImportTable) -> None:
    calls: list[list[str]] = []

    def known(keys: list[str]) -> set[str]:
        calls.append(keys)
        return {"A-2", "not-in-file"}

    v = validate_table(table, _mapping(), known_keys=known)
    (p,) = v.row_problems(1)
    assert p.severity is Severity.WARNING and "was sent before" in p.message
    assert v.is_valid(1)
    assert len(calls) == 1 and sorted(calls[0]) == ["A-1", "A-2", "A-5", "A-6"]


def test_edit_revalidates_only_what_changed(table: ImportTable) -> None:
    asked: list[list[str]] = []
    v = validate_table(table, _mapping(), known_keys=lambda keys: asked.append(keys) or set())
    asked.clear()
    invoice = table.column_index("Invoice")
    table.set_cell(2, invoice, "A-3")  # the duplicate of line 2 gets its own key
    assert v.revalidate_rows([2]) == [0, 2]
    assert v.is_valid(2) and v.row_problems(2) == []
    assert asked == [["A-3"]]
    table.set_cell(1, invoice, "A-3")  # now line 3 and line 4 share A-3
    changed = v.revalidate_rows([1])
    assert changed == [1, 2]
    assert not v.is_valid(1) and not v.is_valid(2)
    assert "has 2 lines (3 and 4)" in v.row_problems(2)[0].message
    table.set_cell(1, invoice, "A-2")  # undo: line 4 is alone again
    assert v.revalidate_rows([1]) == [1, 2]
    assert v.is_valid(2)
    amount = table.column_index("Amount")
    table.set_cell(3, amount, "7,00")
    table.set_cell(3, invoice, "A-4")
    table.set_cell(3, table.column_index("Date"), "")
    table.set_cell(3, table.column_index("Paid"), "")
    v.revalidate_rows([3])
    assert v.is_valid(3) and v.bits[3] == 700
    assert control_totals(v).accounts["ACME"].items == 3
    assert v.counts_by_column() == {"Amount": 3, "Customer": 1}


def test_template_and_constant_sources(table: ImportTable) -> None:
    mapping = Mapping(FieldSource.template("inv-{Invoice}/{{x}}"), FieldSource.constant("ALL"),
                      FieldSource.constant("1"))
    v = validate_table(table, mapping)
    items = v.build_items()
    assert items[0].key == "inv-A-2/{x}" and items[0].account_id == "ALL"
    assert items[0].bits == 1 and items[0].metadata is None
    (p,) = v.row_problems(2)
    assert p.column == "Record key" and p.field == "key" and p.code == "repeated_key"
    assert v.valid_count == 4


def test_ambiguous_date_column_is_flagged_not_guessed(files: Path) -> None:
    table = read_file(files / "dates_ambiguous.csv")
    mapping = _lean(table)
    v = validate_table(table, mapping)
    (fmt,) = [f for f in v.formats if f.kind == "date"]
    assert fmt.ambiguous and fmt.column == "Date"
    assert not v.is_valid(0) and v.is_valid(2)  # 07/07 is the same either way
    assert "could be 3 April or March 4" in v.row_problems(0)[0].message
    chosen = Mapping(mapping.key, mapping.account_id, mapping.bits, mapping.amount,
                     (MetadataColumn("Date", "Date", MetadataType.DATE, DateOrder.DAY_FIRST),))
    assert validate_table(table, chosen).build_items()[0].metadata == {"Date": "2025-04-03"}


def test_month_first_and_serial_dates(files: Path) -> None:
    table = read_file(files / "dates_mdy.csv")
    v = validate_table(table, _lean(table))
    assert [i.metadata for i in v.build_items()] == [
        {"date": "2025-03-04"}, {"date": "2025-12-31"}, {"date": "2025-03-01"}]


def test_negative_amounts_file(files: Path) -> None:
    table = read_file(files / "negatives.csv")
    v = validate_table(table, auto_map(table.headers, table.columns))
    assert [i.bits for i in v.build_items()] == [-25000, -1200, -510, 1200, 1200, 725]


def test_read_issues_become_row_problems(files: Path) -> None:
    table = read_file(files / "ragged.csv")
    v = validate_table(table, auto_map(table.headers, table.columns))
    assert v.is_valid(1)  # too few fields: only a warning, the missing note is optional
    assert not v.is_valid(2)  # too many fields: an error
    assert [p.severity for p in v.row_problems(1)] == [Severity.WARNING]
    assert v.has_errors


def test_mapping_that_does_not_fit(table: ImportTable) -> None:
    with pytest.raises(MappingError, match="no column “Nope”"):
        validate_table(table, Mapping(FieldSource.column("Nope"), FieldSource.column("Customer"),
                                      FieldSource.column("Amount")))


def test_bits_out_of_range_and_huge_rows(tmp_path: Path) -> None:
    big = "x" * 100_000
    path = write(tmp_path, "h.csv", f"Invoice,Customer,Qty,Note\nH-1,A,2000000000,\nH-2,A,1,"
                                    f"{big}\n".encode())
    table = read_file(path)
    limits = Limits(max_body_bytes=60_000)
    mapping = auto_map(table.headers, [c[:5] for c in table.columns])
    mapping = dataclasses.replace(mapping, metadata=(MetadataColumn("Note", "note"),))
    v = validate_table(table, mapping, limits)
    assert "between -1,000,000,000 and 1,000,000,000" in v.row_problems(0)[0].message
    (size,) = v.row_problems(1)
    assert size.code == "too_large" and "KB" in size.message


def test_export_of_problem_rows(table: ImportTable, tmp_path: Path) -> None:
    v = validate_table(table, _mapping())
    out = tmp_path / "problems.csv"
    assert export_problems_csv(v, out) == 5
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["Line", "Invoice", "Customer", "Amount", "Date", "Paid", "Problem"]
    assert [r[0] for r in rows[1:]] == ["2", "4", "5", "6", "7"]
    assert rows[5][3] == "'=1+1"
    assert "Amount “=1+1” is not a number." in rows[5][-1]
    assert "Invoice: Record key is empty." in rows[3][-1]
