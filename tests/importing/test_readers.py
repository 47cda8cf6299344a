"""Reading text files: encodings, separators, headers, line numbers, problems, progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacspace_desktop.importing import (
    CancelToken,
    ImportCancelled,
    ImportFileError,
    IssueKind,
    ReadOptions,
    detect_file,
    read_file,
)
from pacspace_desktop.importing.readers import CHUNK_BYTES
from tests.importing.conftest import FILES, write
from tests.importing.files.make_fixtures import fixtures

INVOICE_HEADERS = ["Invoice No", "Customer", "Amount", "Date", "Note"]


def test_fixture_files_are_what_the_script_writes() -> None:
    for name, data in fixtures().items():
        assert (FILES / name).read_bytes() == data, name


@pytest.mark.parametrize(("name", "encoding", "reason", "delimiter"), [
    ("utf8_bom.csv", "utf-8-sig", "UTF-8 with a byte order mark", ","),
    ("utf8_plain.csv", "utf-8", "UTF-8: accented letters are valid UTF-8", ","),
    ("utf16le_bom.txt", "utf-16", "UTF-16 little-endian (Excel “Unicode text”) with a byte "
                                  "order mark", "\t"),
    ("utf16be_bom.csv", "utf-16", "UTF-16 big-endian with a byte order mark", ";"),
    ("utf16le_nobom.csv", "utf-16-le", "UTF-16 little-endian without a byte order mark: every "
                                       "second byte is zero", ";"),
    ("invoices.tsv", "utf-8", None, "\t"),
    ("pipe.txt", "utf-8", None, "|"),
])
def test_encodings_and_separators(files: Path, name: str, encoding: str, reason: str | None,
                                  delimiter: str) -> None:
    table = read_file(files / name)
    assert table.detection.encoding == encoding
    if reason:
        assert table.detection.encoding_reason == reason
    assert table.detection.delimiter == delimiter
    assert table.headers == INVOICE_HEADERS
    assert table.column("Invoice No") == ["INV-001", "INV-002", "INV-003"]
    assert list(table.source_lines) == [2, 3, 4]
    assert table.issues == []


def test_bom_file_keeps_accents_and_dollar_amounts(files: Path) -> None:
    table = read_file(files / "utf8_bom.csv")
    assert table.column("Amount") == ["$1,234.50", "$99.99", "$0.01"]
    assert table.column("Note") == ["café", "naïve", ""]


def test_cp1252_semicolon_with_title_line(files: Path) -> None:
    table = read_file(files / "cp1252_semicolon.csv")
    d = table.detection
    assert d.encoding == "cp1252"
    assert "Windows-1252" in d.encoding_reason and "€" in d.encoding_reason
    assert d.delimiter_reason == "semicolon: 4 of 5 sample lines have 5 fields"
    assert d.header_reason == "header on line 3: lines 1–2 are a title and a blank line"
    assert table.header_line == 3
    assert table.column("Kunde")[0] == "Café Müller"
    assert table.column("Betrag") == ["1.234,56 €", "12,50 €", "-250,00 €"]
    assert list(table.source_lines) == [4, 5, 6]
    assert d.describe()[0].startswith("Encoding: Windows-1252")


def test_latin1_when_bytes_are_undefined_in_cp1252(files: Path) -> None:
    table = read_file(files / "latin1.csv")
    assert table.detection.encoding == "latin-1"
    assert "0x81" in table.detection.encoding_reason
    assert table.column("Customer")[1] == "Zoë"


def test_quoted_line_breaks_keep_the_first_line_number(files: Path) -> None:
    table = read_file(files / "multiline.csv")
    assert list(table.source_lines) == [2, 5, 6]
    assert table.column("Comment")[0] == "line one\nline two\nline three"
    assert table.column("Customer")[2] == "Globex\nInc"
    assert table.column("Comment")[2] == 'say "hi"'


def test_ragged_rows_are_kept_and_flagged(files: Path) -> None:
    table = read_file(files / "ragged.csv")
    assert table.column("Invoice") == ["G-1", "G-2", "G-3", "G-4"]
    assert table.row_values(1) == ["G-2", "ACME", "2", ""]
    kinds = {(i.line, i.row, i.kind, i.is_error) for i in table.issues}
    assert kinds == {(3, 1, IssueKind.TOO_FEW_FIELDS, False),
                     (4, 2, IssueKind.TOO_MANY_FIELDS, True)}
    assert "“extra”, “more”" in table.issues[1].message


def test_unclosed_quote_is_explained(files: Path) -> None:
    table = read_file(files / "unclosed_quote.csv")
    (issue,) = table.issues
    assert issue.kind is IssueKind.UNCLOSED_QUOTE and issue.line == 3 and issue.row == 1
    assert "never closed" in issue.message


def test_nul_bytes_are_removed_and_flagged(files: Path) -> None:
    table = read_file(files / "nul_bytes.csv")
    assert table.column("Customer") == ["ACME", "ACME"]
    (issue,) = table.issues
    assert (issue.line, issue.row, issue.kind) == (2, 0, IssueKind.NUL_BYTE)


def test_wrong_encoding_choice_flags_lines_with_bad_bytes(files: Path) -> None:
    table = read_file(files / "cp1252_semicolon.csv", ReadOptions(encoding="utf-8"))
    assert table.detection.encoding_reason == "UTF-8, as you chose"
    bad = [i for i in table.issues if i.kind is IssueKind.UNDECODABLE]
    assert [i.line for i in bad] == [4, 5, 6]
    assert "not valid UTF-8" in bad[0].message
    assert "\ufffd" in table.column("Kunde")[0]


def test_overrides_of_delimiter_and_header(files: Path) -> None:
    table = read_file(files / "cp1252_semicolon.csv",
                      ReadOptions(delimiter=";", header_row=0))
    assert table.detection.header_reason == "no header row, as you chose"
    assert table.headers[:2] == ["Column 1", "Column 2"]
    assert table.detection.delimiter_reason == "semicolon, as you chose"


def test_duplicate_and_blank_headers_are_renamed(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"Amount,amount,,Amount\n1,2,3,4\n")
    assert read_file(path).headers == ["Amount", "amount (2)", "Column 3", "Amount (3)"]


def test_blank_rows_are_skipped_but_lines_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", b"Invoice,Customer\n\nA,B\n,\nC,D\n")
    table = read_file(path)
    assert list(table.source_lines) == [3, 5]


def test_empty_and_missing_files_give_clear_messages(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        read_file(write(tmp_path, "e.csv", b""))
    with pytest.raises(ImportFileError, match="Cannot read"):
        read_file(tmp_path / "missing.csv")
    with pytest.raises(ImportFileError, match="97–2003"):
        read_file(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64))


def _big_file(tmp_path: Path, rows: int) -> Path:
    lines = ["Invoice;Customer;Amount;Note\r\n"]
    for i in range(rows):
        note = f"\"multi\r\nline {i}\"" if i % 997 == 0 else f"n{i}"
        lines.append(f"B-{i};Kunde {i % 7};{i},50;{note}\r\n")
    return write(tmp_path, "big.csv", "".join(lines).encode("utf-8"))


def test_large_file_streams_in_chunks_with_progress(tmp_path: Path) -> None:
    path = _big_file(tmp_path, 80_000)
    size = path.stat().st_size
    assert size > 2 * CHUNK_BYTES
    seen: list[tuple[int, int]] = []
    table = read_file(path, progress=lambda done, total: seen.append((done, total)))
    assert table.row_count == 80_000
    assert len(seen) >= 3 and seen[-1] == (size, size)
    assert table.column("Invoice")[-1] == "B-79999"
    assert table.column("Note")[997] == "multi\r\nline 997"
    # rows 0 and 997 span two lines each, so row 998 starts two lines further down
    assert table.line_of(998) == 2 + 998 + 2
    assert table.issues == []


def test_cancel_stops_reading(tmp_path: Path) -> None:
    path = _big_file(tmp_path, 60_000)
    token = CancelToken()

    def progress(done: int, total: int) -> None:
        token.cancel()

    with pytest.raises(ImportCancelled):
        read_file(path, progress=progress, cancel=token)


def test_detect_file_without_reading_everything(files: Path) -> None:
    d = detect_file(files / "invoices.tsv")
    assert d.delimiter_reason == "tab: 4 of 4 sample lines have 5 fields"
    assert d.header_reason == "header on line 1"
