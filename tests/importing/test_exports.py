"""Exports of real accounting systems through `check --json`, asserted line by line.

The fixtures (files/exports/, see its README) are written from each system's public format
description. For each: which lines become items, which are held back and why, which are left
out as totals, and the totals per account.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from pacspace_desktop.cli.check import register, run_check

EXPORTS = Path(__file__).parent / "files" / "exports"


def check(capsys: pytest.CaptureFixture[str], name: str, *argv: str) -> tuple[int, Any]:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    code = run_check(parser.parse_args(["check", str(EXPORTS / name), "--json", *argv]))
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object
    return code, json.loads(out)


def statuses(data: Any) -> list[tuple[int, str]]:
    return [(line["line"], line["status"]) for line in data["lines"]]


def totals(data: Any) -> dict[str, tuple[int, int]]:
    return {a: (t["items"], t["bits"]) for a, t in data["totals"].items()}


def test_quickbooks_invoice_lines_are_held_back_whole(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "quickbooks_invoices.csv")
    assert data["mappingFrom"] == "preset “QuickBooks Online invoices”"
    assert code == 1
    assert statuses(data) == [(2, "item"), (3, "held back"), (4, "held back"),
                              (5, "held back"), (6, "held back"), (7, "held back")]
    reasons = {line["line"]: line["reasons"] for line in data["lines"]}
    assert reasons[5] == reasons[6] == reasons[7] == [
        "InvoiceNo “1003” has 3 lines (5, 6 and 7): all 3 are held back so that it is not sent "
        "in part — on the Columns step, choose to add them up into one record or to send one "
        "record per line."]
    assert totals(data) == {"Acme Corp": (1, 50000)}
    assert data["lines"][0]["bits"] == 50000 and data["lines"][1]["bits"] is None
    assert data["mapping"]["metadata"][0]["dateOrder"] == "month-first"


def test_quickbooks_lines_added_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    preset = json.loads((Path(__file__).parents[2] / "resources" / "presets"
                         / "quickbooks-online-invoices.json").read_text())
    preset["repeatedKeys"] = "sum"
    mapping = tmp_path / "qbo.json"
    mapping.write_text(json.dumps(preset))
    code, data = check(capsys, "quickbooks_invoices.csv", "--mapping", str(mapping))
    assert code == 0
    assert statuses(data) == [(2, "item"), (3, "combined"), (4, "combined"), (5, "combined"),
                              (6, "combined"), (7, "combined")]
    assert data["combined"] == [
        {"key": "1002", "accountId": "Globex Inc", "lines": [3, 4], "bits": 24000 + 13650},
        {"key": "1003", "accountId": "Initech", "lines": [5, 6, 7], "bits": 12000 + 8000 - 2000}]
    assert totals(data) == {"Acme Corp": (1, 50000), "Globex Inc": (1, 37650),
                            "Initech": (1, 18000)}
    assert (data["rows"], data["valid"], data["items"]) == (6, 6, 3)


def test_xero_export_header_found_and_lean(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "xero_sales_invoices.csv")
    assert data["file"]["detection"]["headerLine"] == 1  # POAddressLine1… are names, not data
    assert data["mappingFrom"] == "preset “Xero sales invoices”"
    assert [m["column"] for m in data["mapping"]["metadata"]] == ["*InvoiceDate", "Currency"]
    assert code == 1
    assert statuses(data) == [(2, "item"), (3, "held back"), (4, "held back"), (5, "item")]
    assert totals(data) == {"Bayside Club": (1, 23000), "Marine Systems": (1, 5000)}


def test_datev_signs_period_and_ddmm_dates(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "datev_extf.csv", "--lines")
    assert code == 0
    detection = data["file"]["detection"]
    assert detection["headerLine"] == 2 and detection["encoding"] == "cp1252"
    assert "DATEV's line with the booking period" in detection["headerReason"]
    assert [(line["key"], line["accountId"], line["bits"]) for line in data["lines"]] == [
        ("RE2025-101", "10001", 119000), ("RE2025-102", "10002", 59500),
        ("GS2025-007", "10001", -11900),  # H: a credit note subtracts
        ("RE2025-103", "10003", 23800)]
    assert totals(data) == {"10001": (2, 107100), "10002": (1, 59500), "10003": (1, 23800)}


def test_datev_items_metadata() -> None:
    from pacspace_desktop.cli.check import load_file_items

    items, problems, _table, _mapping = load_file_items(EXPORTS / "datev_extf.csv", None)
    assert problems == []
    assert items[2].metadata == {"date": "2025-03-10", "currency": "EUR",
                                 "description": "Gutschrift Rabatt"}
    assert items[3].metadata == {"date": "2025-03-28", "currency": "EUR",  # default for ""
                                 "description": "Lizenzen Müller GmbH"}


def test_shopify_orders_are_one_record_each(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "shopify_orders.csv")
    assert code == 0
    assert [(c["key"], c["lines"], c["bits"]) for c in data["combined"]] == [
        ("#1001", [2, 3], 4490), ("#1003", [5, 6, 7], 4090)]
    assert totals(data) == {"ana@example.com": (1, 4490), "ben@example.com": (1, 2500),
                            "cy@example.com": (1, 4090)}


def test_stripe_payments(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "stripe_payments.csv")
    assert code == 0 and data["items"] == 3
    assert totals(data) == {"cus_Ox1": (2, 12000 + 1999), "cus_Ox2": (1, 7550)}


def test_sage_credit_notes_subtract(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "sage_transactions.csv")
    assert code == 0
    assert [line["bits"] for line in data["lines"]] == [25000, 9999, -2500]
    assert totals(data) == {"ACME01": (2, 22500), "BETA02": (1, 9999)}


def test_bank_statement_two_columns_and_balances(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "bank_statement.csv")
    assert code == 0  # balance lines are left out, not errors
    assert statuses(data) == [(2, "total"), (3, "item"), (4, "item"), (5, "item"), (6, "item"),
                              (7, "total")]
    assert [line["bits"] for line in data["lines"][1:5]] == [50000, -4590, 120000, -80000]
    assert data["lines"][5]["reasons"] == [
        "A balance row (“Closing balance”), not an item: it is left out of what is sent."]
    assert data["fileTotals"] == []  # a balance is not a sum of the lines
    assert totals(data) == {"bank-account": (4, 85410)}


def test_total_rows_left_out_and_compared(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "totals_de.csv")
    assert code == 0
    assert statuses(data) == [(2, "item"), (3, "item"), (4, "total"), (5, "item"),
                              (6, "total"), (7, "total")]
    assert [(t["line"], t["label"], t["bits"], t["matches"]) for t in data["fileTotals"]] == [
        (4, "Summe", 35050, True), (6, "Zwischensumme", 4950, True), (7, "Gesamt", 40000, True)]
    assert [p["code"] for p in data["problems"]] == ["total_row"] * 3
    assert totals(data) == {"Müller GmbH": (2, 14950), "Schulz KG": (1, 25050)}


def test_a_file_total_that_differs_is_said(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = (EXPORTS / "totals_de.csv").read_text(encoding="utf-8").replace("Gesamt;;400,00",
                                                                           "Gesamt;;410,00")
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    run_check(parser.parse_args(["check", str(tmp_path / "t.csv")]))
    out = capsys.readouterr().out
    assert ("File total — The file's total on line 7 (“Gesamt”, 41,000 bits) differs from the "
            "3 lines above it (40,000 bits) by 1,000 bits: check the file before sending.") in out


def test_excel_error_values_say_what_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "excel_errors.csv")
    assert code == 1
    assert statuses(data) == [(2, "item"), (3, "held back"), (4, "held back"),
                              (5, "held back"), (6, "item")]  # #VALUE! in a column not sent
    reasons = {line["line"]: line["reasons"] for line in data["lines"]}
    assert reasons[3] == ["Customer holds the Excel error “#N/A”: a lookup (VLOOKUP, XLOOKUP, "
                          "MATCH) found nothing. Fix it in the workbook and export the file "
                          "again; the row is held back."]
    assert reasons[4] == ["Amount holds the Excel error “#DIV/0!”: a formula divides by zero "
                          "or by an empty cell. Fix it in the workbook and export the file "
                          "again; the row is held back."]
    assert "cells that were deleted" in reasons[5][0]
    assert totals(data) == {"ACME": (1, 1000), "Hooli": (1, 750)}


def test_excel_error_cells_of_a_workbook(tmp_path: Path) -> None:
    import openpyxl

    from pacspace_desktop.importing import auto_map, read_file, validate_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Invoice", "Customer", "Amount"])
    ws.append(["W-1", "#N/A", 10])
    ws.append(["W-2", "ACME", "#SPILL!"])
    ws.append(["W-3", "ACME", 3])
    path = tmp_path / "errors.xlsx"
    wb.save(path)
    table = read_file(path)
    v = validate_table(table, auto_map(table.headers, table.columns))
    assert [p.code for p in v.row_problems(0)] == ["excel_error"]
    assert "no room to spill" in v.row_problems(1)[0].message
    assert v.valid_rows() == [2]


def test_mac_roman_is_read_as_mac_roman(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, "mac_roman.csv")
    assert code == 0
    assert data["file"]["detection"]["encoding"] == "mac_roman"
    assert list(data["totals"]) == ["Café Bürger", "Müller & Söhne"]


def test_mojibake_is_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "double.csv"  # UTF-8 text that was once read as Windows-1252 and saved
    path.write_text("Invoice,Customer,Amount\nD-1,CafÃ© BÃ¼rger,1.00\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    run_check(parser.parse_args(["check", str(path), "--json"]))
    data = json.loads(capsys.readouterr().out)
    (warning,) = data["file"]["warnings"]
    assert "looks garbled, e.g. “CafÃ© BÃ¼rger” in Customer" in warning


def test_text_report_names_the_invoices_added_up(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    code = run_check(parser.parse_args(["check", str(EXPORTS / "shopify_orders.csv")]))
    captured = capsys.readouterr()
    assert code == 0
    assert "This looks like a Shopify orders export (34 of 34 columns match)." in captured.err
    assert ("Combined — Name “#1003”: lines 5, 6 and 7 added up into one record of 4,090 bits "
            "for cy@example.com") in captured.out
    assert "Rows: 6; without errors: 6; items to send: 3; bits of those: 11,080." in \
        captured.out


def test_a_customer_named_like_a_total_is_an_invoice(tmp_path: Path) -> None:
    from pacspace_desktop.importing import auto_map, read_file, validate_table

    path = tmp_path / "sum.csv"
    path.write_text("Invoice,Customer,Amount\nS-1,Sum Logistics GmbH,5.00\nS-2,Total,1.00\n"
                    ",Total invoices,6.00\n", encoding="utf-8")
    table = read_file(path)
    v = validate_table(table, auto_map(table.headers, table.columns))
    assert v.is_valid(0)  # an invoice for a customer whose name starts with "Sum"
    assert v.total_rows() == [1, 2]  # the account is only "Total"; no key and a label
