"""`check`: one JSON object even when the mapping cannot be completed, ranked suggestions,
`--header-line`, and `--mapping NAME|FILE` (a saved profile, a preset, a v1 or v2 file)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from pacspace_desktop.cli.check import register, run_check
from pacspace_desktop.importing import (
    FieldSource,
    MappingLibrary,
    auto_map,
    suggest,
)

EXPORTS = Path(__file__).parents[1] / "importing" / "files" / "exports"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    code = run_check(parser.parse_args(["check", *argv]))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_object(out: str) -> Any:
    assert out.count("\n") == 1
    return json.loads(out)


def test_no_match_still_prints_one_object_with_suggestions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Beleg,Name,Preis\nB-1,ACME,10.00\nB-2,Globex,2.50\n", encoding="utf-8")
    code, out, err = run(capsys, str(path), "--json")
    assert code == 2
    data = one_object(out)
    assert data["error"].startswith("The mapping does not fit odd.csv:")
    assert data["missing"] == ["Account ID: choose a column, a fixed text or a pattern.",
                               "Bits: choose a column, a fixed text or a pattern."]
    assert data["mapping"]["key"] == {"column": "Beleg"}
    assert data["mapping"]["accountId"] is None
    assert data["rows"] == 2 and data["file"]["detection"]["columns"] == ["Beleg", "Name",
                                                                          "Preis"]
    assert data["suggestions"] == {
        "accountId": [{"column": "Name", "score": 10, "reason": "no name fits; its values are "
                       "text", "samples": ["ACME", "Globex"]}],
        "bits": [{"column": "Preis", "score": 10, "reason": "no name fits; its values are "
                  "numbers", "samples": ["10.00", "2.50"]}]}
    assert "Account ID could be: “Name” (no name fits; its values are text; e.g. ACME, " \
           "Globex)" in err


def test_unreadable_file_prints_one_object(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, str(tmp_path / "gone.csv"), "--json")
    assert code == 2
    data = one_object(out)
    assert "Cannot read gone.csv" in data["error"] and data["mapping"] is None


@pytest.mark.parametrize(("header", "wire"), [
    ("*InvoiceNo", "key"), ("InvoiceNumber", "key"), ("Invoice number", "key"),
    ("Belegfeld 1", "key"), ("N° facture", "key"),
    ("*ContactName", "accountId"), ("*Customer", "accountId"), ("Konto", "accountId"),
    ("ItemQuantity", "quantity"), ("Lineitem quantity", "quantity"),
    ("Umsatz", "amount"), ("Montant", "amount"), ("Importe", "amount"),
    ("LineAmount", "amount"),
])
def test_decorated_joined_and_foreign_names_are_matched(header: str, wire: str) -> None:
    values = ["12.00", "3"] if wire in ("quantity", "amount") else ["X-1", "X-2"]
    found = suggest(["Other", header], [["a", "b"], values], wire)
    assert found and found[0].column == header, found
    assert found[0].samples == tuple(values)


def test_suggestions_are_ranked_with_reasons() -> None:
    found = suggest(["TaxTotal", "Total", "InvoiceAmountDue"],
                    [["1.00"], ["2.00"], ["3.00"]], "amount")
    assert found[0].column == "Total" and "usual" in found[0].reason
    assert found[1].score < found[0].score and "contains" in found[1].reason


def test_xero_prefers_the_contact_over_the_gl_account_code() -> None:
    headers = ["*ContactName", "*InvoiceNumber", "*Quantity", "*AccountCode"]
    mapping = auto_map(headers, [["Bayside"], ["INV-1"], ["1"], ["200"]])
    assert mapping.account_id == FieldSource.column("*ContactName")
    assert mapping.key == FieldSource.column("*InvoiceNumber")


def test_header_line_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "h.csv"
    path.write_text("Export 2025\nInvoice,Customer,Amount\nA-1,ACME,1.00\n", encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--json", "--header-line", "2")
    data = one_object(out)
    assert code == 0 and data["file"]["detection"]["headerLine"] == 2
    assert data["totals"] == {"ACME": {"items": 1, "bits": 100}}


def test_mapping_by_saved_profile_name(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Ref;Who;N\nK-1;X;3\n", encoding="utf-8")
    headers = ["Ref", "Who", "N"]
    mapping = auto_map(headers, [["K-1"], ["X"], ["3"]])
    mapping = mapping.__class__(FieldSource.column("Ref"), FieldSource.column("Who"),
                                FieldSource.column("N"))
    library = MappingLibrary(tmp_path / "config" / "mappings.json")  # the app's own file
    library.save("March invoices", headers, mapping)
    code, out, _ = run(capsys, str(path), "--json", "--mapping", "March invoices")
    data = one_object(out)
    assert code == 0 and data["mappingFrom"] == "saved profile “March invoices”"
    assert data["totals"] == {"X": {"items": 1, "bits": 3}}
    # the library file itself, given as a file, is understood too
    code, out, _ = run(capsys, str(path), "--json", "--mapping", str(library.path))
    assert code == 0 and one_object(out)["mappingFrom"].startswith("profile “March invoices”")
    code, out, err = run(capsys, str(path), "--mapping", "Nope")
    assert code == 2 and "No mapping file, saved profile or preset is called “Nope”" in err
    assert "“March invoices”" in err and "“DATEV Buchungsstapel”" in err


def test_mapping_by_preset_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(EXPORTS / "sage_transactions.csv"), "--json", "--mapping",
                       "sage-50-transactions")
    assert code == 0 and one_object(out)["mappingFrom"] == "preset “Sage 50 transactions”"


def test_version_1_files_still_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v1.csv"
    path.write_text("Invoice No,Customer,Amount,Date\nA-1,'0042,1.00,2025-03-01\n",
                    encoding="utf-8")
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps({
        "format": "pacspace-import-mapping", "version": 1,
        "key": {"template": "inv-{Invoice No}"}, "accountId": {"column": "Customer"},
        "bits": {"column": "Amount"}, "amount": {"factor": 100, "decimalSeparator": "auto"},
        "metadata": [{"column": "Date", "name": "date", "type": "date", "dateOrder": "auto",
                      "decimalSeparator": "auto"}]}), encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--json", "--mapping", str(v1))
    data = one_object(out)
    assert code == 0 and data["mapping"]["version"] == 2
    assert data["mapping"]["trimApostrophes"] is False  # as version 1 read it
    assert list(data["totals"]) == ["'0042"]
    v2 = dict(data["mapping"], trimApostrophes=True)
    (tmp_path / "v2.json").write_text(json.dumps(v2), encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--json", "--mapping", str(tmp_path / "v2.json"))
    assert list(one_object(out)["totals"]) == ["0042"]


def test_file_settings_in_the_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.csv"
    path.write_text("Invoice|Customer|Amount\n(units)|—|EUR\nS-1|ACME|2.00\n", encoding="utf-8")
    mapping = {"format": "pacspace-import-mapping", "version": 2,
               "file": {"headerLine": 1, "skipLines": 1, "delimiter": "|"},
               "key": {"column": "Invoice"}, "accountId": {"column": "Customer"},
               "bits": {"column": "Amount"}, "amount": {"factor": 100}}
    (tmp_path / "m.json").write_text(json.dumps(mapping), encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--json", "--mapping", str(tmp_path / "m.json"))
    data = one_object(out)
    assert code == 0 and data["rows"] == 1 and data["lines"][0]["line"] == 3


def test_a_bug_still_prints_one_object(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from pacspace_desktop.cli import check_load

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(check_load, "validate_table", broken)
    path = tmp_path / "b.csv"
    path.write_text("Invoice,Customer,Amount\nA-1,ACME,1.00\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="a bug"):
        run(capsys, str(path), "--json")
    data = one_object(capsys.readouterr().out)
    assert data["error"].startswith("The check stopped because of an unexpected error")
