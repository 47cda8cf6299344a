"""Sign rules: a debit/credit column (S/H, DR/CR, Debit/Credit) or two columns; every way a
sign can be unclear holds the row back with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacspace_desktop.importing import (
    AmountRule,
    FieldSource,
    Mapping,
    SignRule,
    read_file,
    validate_table,
)
from pacspace_desktop.importing.mapping import SIGN_MARKERS
from tests.importing.conftest import write

LEDGER = ("Ref,Account,Amount,Side\n"
          "L-1,ACME,100.00,DR\n"
          "L-2,ACME,40.00,cr\n"          # markers compare case-insensitively
          "L-3,ACME,5.00,\n"             # no marker
          "L-4,ACME,5.00,XX\n"           # unknown marker
          "L-5,ACME,-5.00,CR\n")         # a sign twice


def _marker(positive: tuple[str, ...], negative: tuple[str, ...]) -> Mapping:
    return Mapping(FieldSource.column("Ref"), FieldSource.column("Account"),
                   FieldSource.column("Amount"), AmountRule(100),
                   sign=SignRule.marker("Side", positive, negative))


def test_dr_cr_markers(tmp_path: Path) -> None:
    table = read_file(write(tmp_path, "l.csv", LEDGER.encode()))
    _label, positive, negative = SIGN_MARKERS[1]
    v = validate_table(table, _marker(positive, negative))
    assert [it.bits for it in v.build_items()] == [10000, -4000]
    messages = {r: [p.message for p in v.row_problems(r)] for r in (2, 3, 4)}
    assert messages[2] == ["Side is empty: it must say whether “5.00” adds (DR/D/DEBIT) or "
                           "subtracts (CR/C/CREDIT)."]
    assert messages[3] == ["Side “XX” is neither DR nor CR: the sign of the amount is unknown."]
    assert messages[4] == ["Amount “-5.00” already has a minus sign, and Side gives the sign "
                           "too: correct the file so that only one of them says it."]


@pytest.mark.parametrize("side", ["Debit", "debit", "D"])
def test_debit_credit_words(tmp_path: Path, side: str) -> None:
    text = f"Ref,Account,Amount,Side\nW-1,ACME,1.50,{side}\nW-2,ACME,0.50,Credit\n"
    table = read_file(write(tmp_path, "w.csv", text.encode()))
    _label, positive, negative = SIGN_MARKERS[2]
    assert [it.bits for it in validate_table(table, _marker(positive, negative)).build_items()
            ] == [150, -50]


def test_two_columns(tmp_path: Path) -> None:
    text = ("Ref,Account,In,Out\nT-1,Bank,10.00,\nT-2,Bank,,2.50\nT-3,Bank,0.00,1.00\n"
            "T-4,Bank,1.00,1.00\nT-5,Bank,,\n")
    table = read_file(write(tmp_path, "t.csv", text.encode()))
    mapping = Mapping(FieldSource.column("Ref"), FieldSource.column("Account"),
                      FieldSource.column("In"), AmountRule(100),
                      sign=SignRule.two_columns("Out"))
    v = validate_table(table, mapping)
    assert [(it.key, it.bits) for it in v.build_items()] == [("T-1", 1000), ("T-2", -250),
                                                            ("T-3", -100)]
    assert [p.code for p in v.row_problems(3)] == ["both_sides"]
    assert v.row_problems(4)[0].message == "In and Out are both empty."
