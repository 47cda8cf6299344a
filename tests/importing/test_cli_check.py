"""`pacspace-desktop check FILE`: text and JSON reports, exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pacspace_desktop.cli.check import load_file_items, register, run_check
from pacspace_desktop.importing import (
    AmountRule,
    FieldSource,
    Mapping,
    MetadataColumn,
    MetadataType,
    save_mapping,
)
from tests.importing.conftest import write

CSV = ("Invoice No;Customer;Amount;Date\n"
       "A-1;ACME;1.234,56 €;01.03.2025\n"
       "A-2;Globex;12,50;13.03.2025\n"
       "A-1;ACME;5,00;14.03.2025\n"
       "A-4;ACME;x;15.03.2025\n")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    code = run_check(parser.parse_args(["check", *argv]))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


HELD = ("Invoice No “A-1” has 2 lines (2 and 4): both are held back so that it is not sent "
        "in part — on the Columns step, choose to add them up into one record or to send one "
        "record per line.")


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "i.csv", CSV.encode("utf-8"))
    code, out, err = _run(capsys, str(path), "--json")
    assert code == 1
    assert "No --mapping given" in err and "Bits ← column “Amount” × 100" in err
    assert out.count("\n") == 1
    data = json.loads(out)
    assert (data["rows"], data["valid"], data["items"], data["error"]) == (4, 1, 1, None)
    assert [(p["row"], p["column"], p["message"]) for p in data["problems"]] == [
        (2, "Invoice No", HELD), (4, "Invoice No", HELD),
        (5, "Amount", "Amount “x” is not a number.")]
    assert data["totals"] == {"Globex": {"items": 1, "bits": 1250}}
    assert [(line["line"], line["status"]) for line in data["lines"]] == [
        (2, "held back"), (3, "item"), (4, "held back"), (5, "held back")]
    assert data["mapping"]["metadata"] == []  # lean: nothing ticked, nothing sent along


def test_text_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "i.csv", CSV.encode("utf-8"))
    code, out, _ = _run(capsys, str(path))
    assert code == 1
    assert "Separator: semicolon: 5 of 5 sample lines have 4 fields" in out
    assert "Column “Amount”: 3 of 3 values end in ,dd → decimal comma" in out
    assert "Error — Line 5: Amount “x” is not a number." in out
    assert f"Error — Line 2: {HELD}" in out
    assert "Rows: 4; without errors: 1; items to send: 1; bits of those: 1,250." in out
    assert "  Globex: 1 item, 1,250 bits" in out


def test_clean_file_with_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "ok.txt", b"Ref\tWho\tN\tWhen\nK-1\tX\t3\t2025-03-01\n")
    mapping = tmp_path / "m.json"
    save_mapping(Mapping(FieldSource.column("Ref"), FieldSource.column("Who"),
                         FieldSource.column("N"), AmountRule(1),
                         (MetadataColumn("When", "when", MetadataType.DATE),)), mapping)
    code, out, err = _run(capsys, str(path), "--mapping", str(mapping), "--json",
                          "--delimiter", "tab")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["rows"], data["valid"], data["problems"]) == (1, 1, [])
    assert data["totals"] == {"X": {"items": 1, "bits": 3}}
    assert data["mappingFrom"] == "m.json"
    items, problems, table, _ = load_file_items(path, mapping)
    assert problems == [] and table.row_count == 1
    assert items[0].metadata == {"when": "2025-03-01"}


def test_unreadable_file_and_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, str(tmp_path / "missing.csv"))
    assert code == 2 and "Cannot read missing.csv" in err
    path = write(tmp_path, "i.csv", CSV.encode("utf-8"))
    bad = write(tmp_path, "m.json", b"{}")
    code, _, err = _run(capsys, str(path), "--mapping", str(bad))
    assert code == 2 and "not a column mapping" in err
    other = tmp_path / "o.json"
    save_mapping(Mapping(FieldSource.column("Nope"), FieldSource.column("Customer"),
                         FieldSource.column("Amount")), other)
    code, _, err = _run(capsys, str(path), "--mapping", str(other))
    assert code == 2 and "no column “Nope”" in err


def test_workbook_sheet(workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(workbook), "--sheet", "Notes", "--json")
    assert code == 0
    assert json.loads(out)["totals"] == {"ACME": {"items": 1, "bits": 7}}
