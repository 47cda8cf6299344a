"""Mapping columns to fields: auto_map in four languages, JSON files, profiles by headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacspace_desktop.importing import (
    AmountRule,
    DateOrder,
    DecimalSeparator,
    FieldSource,
    Mapping,
    MappingError,
    MappingFileError,
    MappingLibrary,
    MetadataColumn,
    MetadataType,
    auto_map,
    check_mapping,
    lean_metadata,
    load_mapping,
    mapping_from_json,
    mapping_to_json,
    save_mapping,
)
from pacspace_desktop.importing.matching import detect_type


def _map(headers: list[str], samples: list[list[str]] | None = None) -> Mapping:
    return auto_map(headers, samples or [[] for _ in headers])


def test_english_with_quantity() -> None:
    m = _map(["Invoice No.", "Customer ID", "Qty", "Amount", "Region"],
             [["A"], ["C"], ["3"], ["$1.00"], ["North"]])
    assert m.key == FieldSource.column("Invoice No.")
    assert m.account_id == FieldSource.column("Customer ID")
    assert m.bits == FieldSource.column("Qty")
    assert m.amount.factor == 1
    assert m.metadata == ()  # lean by default: only what a person ticks
    lean = lean_metadata(["Invoice No.", "Customer ID", "Qty", "Amount", "Region"],
                         [["A"], ["C"], ["3"], ["$1.00"], ["North"]], ["Invoice No."])
    assert [(c.column, c.name, c.type) for c in lean] == [("Amount", "amount",
                                                           MetadataType.NUMBER)]


@pytest.mark.parametrize(("headers", "key", "account", "bits", "factor"), [
    (["order_id", "client", "Total"], "order_id", "client", "Total", 100),
    (["Rechnungsnummer", "Kunde", "Betrag"], "Rechnungsnummer", "Kunde", "Betrag", 100),
    (["Rechnungsnr", "Kunde", "Menge", "Betrag"], "Rechnungsnr", "Kunde", "Menge", 1),
    (["N° facture", "Client", "Montant"], "N° facture", "Client", "Montant", 100),
    (["Facture", "Client", "Quantité"], "Facture", "Client", "Quantité", 1),
    (["Factura", "Cliente", "Importe"], "Factura", "Cliente", "Importe", 100),
    (["Factura", "Cliente", "Cantidad"], "Factura", "Cliente", "Cantidad", 1),
    (["REF", "Debtor", "gross"], "REF", "Debtor", "gross", 100),
    (["Document", "Account", "Units"], "Document", "Account", "Units", 1),
])
def test_languages_and_spelling(headers: list[str], key: str, account: str, bits: str,
                                factor: int) -> None:
    m = _map(headers)
    assert (m.key, m.account_id, m.bits) == (FieldSource.column(key),
                                             FieldSource.column(account),
                                             FieldSource.column(bits))
    assert m.amount.factor == factor


def test_metadata_types_from_data() -> None:
    m = _map(["Invoice", "Customer", "Qty", "Date", "Paid", "Zip", "Net"],
             [["1"], ["c"], ["1"], ["01.03.2025", "2025-03-02"], ["yes", "no"],
              ["01234"], ["1.234,50 €"]])
    assert m.metadata == ()
    samples = [["01.03.2025", "2025-03-02"], ["yes", "no"], ["01234"], ["1.234,50 €"]]
    types = {c: detect_type(v, c) for c, v in zip(["Date", "Paid", "Zip", "Net"], samples,
                                                   strict=True)}
    assert types == {"Date": MetadataType.DATE, "Paid": MetadataType.YESNO,
                     "Zip": MetadataType.TEXT, "Net": MetadataType.NUMBER}


def test_unmatched_fields_are_left_for_a_person() -> None:
    m = _map(["Foo", "Bar"])
    assert m.key is None and m.bits is None
    problems = check_mapping(m, ["Foo", "Bar"])
    assert "Record key: choose a column, a fixed text or a pattern." in problems


def test_check_mapping_names_missing_columns() -> None:
    m = Mapping(FieldSource.template("inv-{Nr}"), FieldSource.constant("ACME"),
                FieldSource.column("Qty"), metadata=(MetadataColumn("Gone", "gone"),))
    assert check_mapping(m, ["Qty"]) == [
        "Record key: the file has no column “Nr”.",
        "Metadata “gone”: the file has no column “Gone”."]


def test_factor_must_be_power_of_ten() -> None:
    with pytest.raises(MappingError, match="1, 10, 100"):
        AmountRule(25)


FULL = Mapping(FieldSource.template("inv-{Invoice No}"), FieldSource.column("Customer"),
               FieldSource.column("Amount"), AmountRule(100, DecimalSeparator.COMMA),
               (MetadataColumn("Date", "date", MetadataType.DATE, DateOrder.DAY_FIRST),
                MetadataColumn("Note", "note")))


def test_json_round_trip_and_format(tmp_path: Path) -> None:
    data = mapping_to_json(FULL)
    assert data["format"] == "pacspace-import-mapping" and data["version"] == 2
    assert data["key"] == {"template": "inv-{Invoice No}"}
    assert data["amount"] == {"factor": 100, "decimalSeparator": "comma"}
    assert mapping_from_json(json.loads(json.dumps(data))) == FULL
    path = tmp_path / "m.json"
    save_mapping(FULL, path)
    assert load_mapping(path) == FULL


@pytest.mark.parametrize(("data", "words"), [
    ({"format": "other"}, "not a column mapping"),
    ({"format": "pacspace-import-mapping", "version": 9}, "version 9"),
    ({"format": "pacspace-import-mapping", "version": 1, "amount": {"factor": 3}}, "1, 10"),
    ({"format": "pacspace-import-mapping", "version": 1, "key": {"row": "x"}}, "“key”"),
    ({"format": "pacspace-import-mapping", "version": 1,
      "metadata": [{"column": "a", "type": "colour"}]}, "one of text, number"),
])
def test_bad_mapping_files(data: object, words: str) -> None:
    with pytest.raises(MappingFileError, match=words):
        mapping_from_json(data)


def test_unreadable_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(MappingFileError, match="not valid JSON"):
        load_mapping(path)


def test_library_finds_exact_and_close_profiles(tmp_path: Path) -> None:
    library = MappingLibrary(tmp_path / "profiles" / "mappings.json")
    assert library.find(["a"]) is None
    headers = ["Invoice No", "Customer", "Amount", "Date", "Note", "Region"]
    mapping = FULL.__class__(FULL.key, FULL.account_id, FULL.bits, FULL.amount,
                             (*FULL.metadata, MetadataColumn("Region", "region")))
    library.save("Shop export", headers, mapping)
    exact = library.find(["invoice no", "CUSTOMER", "Amount", "Date", "Note", "Region"])
    assert exact is not None and exact.exact and exact.profile.name == "Shop export"
    assert exact.mapping.account_id == FieldSource.column("CUSTOMER")
    assert exact.mapping.key == FieldSource.template("inv-{invoice no}")
    close = library.find(["Invoice No", "Customer", "Amount", "Date", "Note", "VAT"])
    assert close is not None and not close.exact
    assert close.change.added == ("VAT",) and close.change.removed == ("Region",)
    assert close.change.describe() == "This file has a new column “VAT”; “Region” is gone."
    assert [m.column for m in close.mapping.metadata] == ["Date", "Note"]
    assert library.find(["Something", "Else"]) is None
    library.save("Shop export", headers[:3], mapping)  # same name replaces
    assert len(library.profiles()) == 1
    library.remove("Shop export")
    assert library.profiles() == []
