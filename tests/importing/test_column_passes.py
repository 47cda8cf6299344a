"""The full check's one-pass-per-column scan (`colscan`) and its groups stored once
(`group_all`) find exactly what the re-check of edited rows finds through
`rowscan.cell_checks` and `regroup` (the code the full check used before), cell for cell and
bit for bit: apostrophes, Excel error values, total rows, odd keys and amounts, defaults,
signs, metadata and repeated keys under each policy, across slice boundaries."""

from __future__ import annotations

import re
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacspace_desktop.importing import scan
from pacspace_desktop.importing.cells import TOTAL_WORDS, may_hold_total_label, total_label_in
from pacspace_desktop.importing.detect import Detection, FileKind
from pacspace_desktop.importing.files import read_file
from pacspace_desktop.importing.groups import regroup
from pacspace_desktop.importing.mapping import (
    AmountRule,
    FieldSource,
    Mapping,
    MetadataColumn,
    MetadataType,
    RepeatPolicy,
    SignRule,
)
from pacspace_desktop.importing.matching import auto_map
from pacspace_desktop.importing.numbers import PLAIN_LONGEST, DecimalSeparator, bulk_minor_units
from pacspace_desktop.importing.table import ImportTable
from pacspace_desktop.importing.validate import TableValidation, validate_table

FILES = Path(__file__).parent / "files"
HEADERS = ["Key", "Account", "Amount", "Side", "Note", "Day"]
DETECTION = Detection(FileKind.TEXT, "utf-8", "UTF-8", ";", "semicolon", 1, "line 1")

CELLS = ["", " ", "A-1", "A-2", "'A-3", "'", "'#N/A", "#N/A", " #REF!", "#div/0!", "Total",
         "Summe:", "total 1003", "Sum Logistics", "Closing balance", "Übertrag", "ACME",
         " ACME", "ACME ", "x\x1fy", "a\tb", "a\x7fb", "x\u00a0", "K" * 129, "10,00",
         "1.234,56", "-3,00", "'5,00",
         "12", "1,5", "(2,00)", "€ 7,00", "9" * 12 + ",00", "1.2.3", "S", "H", "2025-01-31",
         "31.01.2025", "13/13/2025", "Zwischensumme", "Gesamt 2025", "totally"]


def _table(rows: list[list[str]]) -> ImportTable:
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in HEADERS]
    return ImportTable(list(HEADERS), columns, array("q", range(2, len(rows) + 2)), DETECTION)


def _same_as_the_edit_path(validation: TableValidation) -> None:
    # what `check --json` lists is `all_problems`, in the same order
    assert [(line, f.column, f.field, f.code, f.message, f.severity)
            for line, f in validation.lined_findings()] == \
        [(p.line, p.column, p.field, p.code, p.message, p.severity)
         for p in validation.all_problems()]
    n = validation.row_count
    full = [validation._findings.get(row, ()) for row in range(n)]
    bits = list(validation.bits)
    bulk = validation._bulk_findings(list(range(n)))  # writes the bits again
    for row in range(n):  # as `revalidate_rows` stores a big re-check
        validation._store(row, tuple(bulk.get(row, ())))
    regroup(validation, set(validation._index.keys))
    assert [validation._findings.get(row, ()) for row in range(n)] == full
    assert list(validation.bits) == bits


MAPPINGS = [
    Mapping(FieldSource.column("Key"), FieldSource.column("Account"),
            FieldSource.column("Amount"), AmountRule(100, DecimalSeparator.COMMA)),
    Mapping(FieldSource.column("Key"), FieldSource.column("Account"),
            FieldSource.column("Amount"), AmountRule(100, DecimalSeparator.COMMA),
            trim_apostrophes=False, bits_default="0,00"),
    Mapping(FieldSource.template("{Key}-{line}"), FieldSource.constant("ACME"),
            FieldSource.column("Amount"), AmountRule(1, DecimalSeparator.POINT),
            metadata=(MetadataColumn("Note", "note"),
                      MetadataColumn("Day", "day", MetadataType.DATE),
                      MetadataColumn("Side", "n", MetadataType.NUMBER,
                                     decimal_separator=DecimalSeparator.COMMA))),
    Mapping(FieldSource.column("Account"), FieldSource.column("Account"),
            FieldSource.column("Amount"), AmountRule(100, DecimalSeparator.COMMA),
            sign=SignRule.marker("Side", ["S"], ["H"])),
    Mapping(FieldSource.column("Key"), FieldSource.column("Note"),
            FieldSource.column("Amount"), AmountRule(100, DecimalSeparator.COMMA),
            sign=SignRule.two_columns("Side")),
    Mapping(FieldSource.column("Key"), FieldSource.column("Account"),
            FieldSource.column("Amount"), AmountRule(100, DecimalSeparator.COMMA),
            repeats=RepeatPolicy.SUM),
    Mapping(FieldSource.column("Key"), FieldSource.column("Account"),
            FieldSource.column("Amount"), AmountRule(100, DecimalSeparator.COMMA),
            repeats=RepeatPolicy.PER_LINE),
]


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "SLICE", 4)  # many slices, some odd and some clean


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(CELLS), min_size=len(HEADERS),
                         max_size=len(HEADERS)), max_size=40),
       st.sampled_from(range(len(MAPPINGS))))
def test_the_column_passes_find_what_the_edit_path_finds(rows: list[list[str]],
                                                          which: int) -> None:
    _same_as_the_edit_path(validate_table(_table(rows), MAPPINGS[which]))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["A-1", "A-2", "A-3", "Total"]),
                          st.sampled_from(["ACME", "Globex"]),
                          st.sampled_from(["10,00", "-3,00", "1.234,56", "x", ""])),
                max_size=30),
       st.sampled_from(range(len(MAPPINGS))))
def test_invoices_on_several_lines_find_the_same(lines: list[tuple[str, str, str]],
                                                 which: int) -> None:
    rows = [[key, account, amount, "S", "", ""] for key, account, amount in lines]
    _same_as_the_edit_path(validate_table(_table(rows), MAPPINGS[which]))


@pytest.mark.parametrize("path", sorted(p for p in FILES.rglob("*")
                                        if p.suffix in (".csv", ".tsv", ".txt")),
                         ids=lambda p: p.name)
def test_fixture_files_find_the_same(path: Path) -> None:
    table = read_file(path)
    mapping = auto_map(table.headers, [c[:200] for c in table.columns])
    if mapping.key is None or mapping.account_id is None or mapping.bits is None:
        pytest.skip("no complete mapping by name")
    _same_as_the_edit_path(validate_table(table, mapping))


_OLD_LOWER = re.compile(r"\x1f\s*(?:" + "|".join(re.escape(w.lower()) for w in TOTAL_WORDS)
                        + r")\b")


PIECES = [*"tosuabegl :-.\x1f1", "total", "summe", "sum", "sub", "balance", "gesamt", "saldo"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=6).map("".join), min_size=1,
                max_size=6))
def test_the_total_words_as_a_tree_match_as_the_list_did(cells: list[str]) -> None:
    text = "\x1f" + "\x1f".join(cells)
    assert may_hold_total_label(cells) == (_OLD_LOWER.search(text.lower()) is not None)
    assert total_label_in(text + "\x1f") == may_hold_total_label(cells)


@pytest.mark.parametrize("shift", [0, 2, 6])
def test_plain_amounts_are_never_longer_than_the_bound(shift: int) -> None:
    longest = "-999" + ",999" * 12 + ("." + "9" * shift if shift else "")
    assert len(longest) == PLAIN_LONGEST + 1 + shift - (not shift)
    assert bulk_minor_units([longest], DecimalSeparator.POINT, shift) is not None
    assert bulk_minor_units([longest + "9"], DecimalSeparator.POINT, shift) is None
    assert bulk_minor_units(["-" + "9" * 40], DecimalSeparator.POINT, shift) is not None
    assert bulk_minor_units(["-" + "9" * 41], DecimalSeparator.POINT, shift) is None
