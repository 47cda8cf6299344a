"""`check --json` writes its problems with each shared message escaped once: the text is
exactly what `json.dumps` makes of the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacspace_desktop.cli.check_load import CheckInputError, load
from pacspace_desktop.cli.check_report import report, report_text

FILES = Path(__file__).parent / "files"


def _same(path: Path) -> None:
    loaded = load(path, None)
    for lines in (None, True, False):
        text = report_text(loaded, lines=lines)
        assert text == json.dumps(report(loaded, lines=lines), ensure_ascii=False)
        json.loads(text)


@pytest.mark.parametrize("path", sorted(p for p in FILES.rglob("*")
                                        if p.suffix in (".csv", ".tsv", ".txt")),
                         ids=lambda p: p.name)
def test_fixture_files(path: Path) -> None:
    try:
        _same(path)
    except CheckInputError as exc:  # a file the check refuses has no report
        pytest.skip(str(exc))


def test_invoices_on_several_lines_with_odd_keys(tmp_path: Path) -> None:
    keys = ['R-1', 'R-"2"', "R\\3", "Ä–4 “x”", "#N/A", "Total", "", "R\t5", "'R-6"]
    rows = ["Rechnungsnummer;Kunde;Betrag"]
    for i in range(600):
        key = keys[i % len(keys)]
        rows.append(f'"{key.replace(chr(34), chr(34) * 2)}";K{i % 7};{i},{i % 100:02}')
    rows.append("Summe;;1,00")
    path = tmp_path / "invoices.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    loaded = load(path, None)
    assert len(report(loaded)["problems"]) > 500  # shared messages, escapes, a total row
    _same(path)
