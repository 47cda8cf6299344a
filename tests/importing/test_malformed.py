"""Malformed files through the command line: a clear message in words that names the limit,
a documented exit code, never a traceback; and a seeded fuzz run over 600 generated inputs."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from pacspace_desktop.cli.inputs import InputError, read_items
from pacspace_desktop.cli.main import EXIT_CRASH, main
from pacspace_desktop.importing import ImportFileError, read_file
from tests import malformed

DOCUMENTED = {0, 1, 2}  # check: ok / rows with errors / unreadable; submit: 2 = bad input


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text and "Error:" not in text.replace("Error —", "")
    return code, text


@pytest.fixture(params=sorted(malformed.XLSX_CLASSES))
def bad_workbook(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """One file per class of damaged or disproportionate workbook."""
    path = tmp_path / f"{request.param}.xlsx"
    path.write_bytes(malformed.XLSX_CLASSES[request.param]())
    return request.param, path


@pytest.fixture(params=sorted(malformed.CSV_CLASSES))
def bad_csv(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """One file per class of disproportionate text file."""
    path = tmp_path / f"{request.param}.csv"
    path.write_bytes(malformed.CSV_CLASSES[request.param]())
    return request.param, path


@pytest.fixture(params=sorted(malformed.JSON_CLASSES))
def bad_json(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """One items file per class of malformed JSON."""
    path = tmp_path / f"{request.param}.json"
    path.write_bytes(malformed.JSON_CLASSES[request.param]())
    return request.param, path


XLSX_WORDS = {
    "damaged_workbook_xml": "is damaged (its list of sheets or its styles)",
    "damaged_styles_xml": "is damaged (its list of sheets or its styles)",
    "damaged_sheet_xml": "is damaged (the cells of the sheet “Invoices”)",
    "bad_shared_string": "is damaged (the cells of the sheet “Invoices”)",
    "bad_shared_string_text": "is damaged (the cells of the sheet “Invoices”)",
    "zero_sheets": "has no sheets",
    "zip_bomb": "this app reads workbooks of at most 2 GB unpacked, packed at most 200:1",
    "far_cell": "Line 2 has 16,384 cells; this app reads at most 1,024 columns",
    "far_header_cell": "has 16,384 columns (line 1); this app reads at most 1,024 columns",
    "long_cell": "a cell is longer than 131,072 characters",
}


def test_each_damaged_workbook_is_named_in_words(bad_workbook: tuple[str, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    name, path = bad_workbook
    code, text = _run(capsys, "check", str(path))
    assert code in DOCUMENTED
    if name in XLSX_WORDS:
        assert XLSX_WORDS[name] in text
    if name in ("huge_dimension", "far_cell", "long_cell"):
        table = read_file(path)  # the other rows are still read, as wide as the header
        assert table.column("Invoice")[-1] == "A-2" and len(table.headers) == 3


CSV_WORDS = {
    "wide": "has 16,384 columns (line 1); this app reads at most 1,024 columns",
    "one_long_line": "a cell is longer than 131,072 characters",
    "long_amount": "has 5,000 digits; this app reads amounts of at most 40 digits",
    "exponent": "is not a number",
    "huge_exponent": "is not a number",
}


def test_each_disproportionate_text_file_is_bounded_and_named(
        bad_csv: tuple[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    name, path = bad_csv
    mapping = tmp_path / "mapping.json"
    amount = "Amount" if name in ("exponent", "huge_exponent", "long_amount") else "Qty"
    mapping.write_text('{"format": "pacspace-import-mapping", "version": 1, '
                       '"key": {"column": "Invoice"}, "accountId": {"column": "Customer"}, '
                       f'"bits": {{"column": "{amount}"}}, "amount": {{"factor": 1, '
                       '"decimalSeparator": "auto"}, "metadata": []}', encoding="utf-8")
    code, text = _run(capsys, "check", str(path), "--mapping", str(mapping))
    assert code in DOCUMENTED
    if name in CSV_WORDS:
        assert CSV_WORDS[name] in text


JSON_WORDS = {
    "deep": "nested more than 64 levels deep",
    "deep_metadata": "nested more than 64 levels deep",
    "surrogate_key": "Record key holds a broken character",
    "surrogate_account": "Account ID holds a broken character",
    "surrogate_metadata": "holds a broken character (a lone surrogate)",
    "long_bits": "the most this app reads is 100 digits",
    "long_metadata_number": "the most this app reads is 100 digits",
    "exponent": "an exponent of 999,999,999; the most this app takes is ±100",
    "huge_exponent": "an exponent of 99,999,999,999; the most this app takes is ±100",
    "exponent_in_metadata": "an exponent of 999,999,999",
}


def test_each_malformed_items_file_is_refused_in_words(
        bad_json: tuple[str, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    name, path = bad_json
    monkeypatch.setenv("PACSPACE_API_KEY", "pk_test_fuzz.secret")
    # nothing valid is in these files; were it sent, it would go to a closed loopback port
    code, text = _run(capsys, "submit", str(path), "--base-url", "http://127.0.0.1:9")
    assert code == 2 and "Nothing was sent" in text
    assert JSON_WORDS[name] in text


def test_an_unexpected_error_exits_with_its_own_code_and_keeps_a_report(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    import pacspace_desktop.cli.check as check

    def bug(args: object) -> int:
        raise ZeroDivisionError("pk_live_abcdef.sk_supersecret in a bug")

    monkeypatch.setattr(check, "run_check", bug)
    monkeypatch.setattr(check, "register", _register_with(bug))
    code = main(["--data-dir", str(tmp_path / "d"), "check", "x.csv"])
    err = capsys.readouterr().err
    assert code == EXIT_CRASH == 70
    assert "unexpected error in the program" in err and "Traceback" not in err
    report = (tmp_path / "d" / "logs" / "pacspace-desktop-cli-crash.log").read_text()
    assert "ZeroDivisionError" in report and "sk_supersecret" not in report
    assert (tmp_path / "d" / "logs" / "pacspace-desktop-cli-crash.log").stat().st_mode & 0o077 == 0


def _register_with(handler: object) -> object:
    def register(sub: object) -> None:
        p = sub.add_parser("check")  # type: ignore[attr-defined]
        p.add_argument("file")
        p.set_defaults(handler=handler)

    return register


FUZZ_COUNT = 600


def test_fuzz_no_traceback_no_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """600 seeded inputs (JSON, CSV and XLSX in turn): each is read and checked or refused in
    words. A hang ends the run through pytest-timeout; the inputs are small, so it is fast."""
    seen = {".json": 0, ".csv": 0, ".xlsx": 0}
    refused = 0
    for n, (suffix, data) in enumerate(malformed.generate(FUZZ_COUNT)):
        path = tmp_path / f"fuzz-{n}{suffix}"
        path.write_bytes(data)
        seen[suffix] += 1
        if suffix == ".json":
            try:
                read_items(path, None)
            except InputError as exc:
                assert str(exc).endswith(".") and "Traceback" not in str(exc)
                refused += 1
        else:
            code, _text = _run(capsys, "check", str(path))
            assert code in DOCUMENTED, f"input {n} ({suffix}) ended with exit {code}"
            refused += code == 2
            with contextlib.suppress(ImportFileError):
                read_file(path)
        path.unlink()
    capsys.readouterr()
    assert sum(seen.values()) == FUZZ_COUNT >= 500
    assert 0 < refused < FUZZ_COUNT
