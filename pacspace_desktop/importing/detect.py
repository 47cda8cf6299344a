"""Detecting a text file's encoding, separator and header row — each with its reason in words."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pacspace_desktop.importing.dates import looks_like_date
from pacspace_desktop.importing.numbers import looks_numeric

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar (|)"}
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16",
                  "utf-16-le": "UTF-16 little-endian", "utf-16-be": "UTF-16 big-endian",
                  "cp1252": "Windows-1252", "latin-1": "Latin-1 (ISO-8859-1)",
                  "mac_roman": "Mac Roman"}
SAMPLE_RECORDS = 50
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


class FileKind(StrEnum):
    """The kind of file read."""

    TEXT = "text"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class Detection:
    """What was detected about a file, and why, so that a person can check and override it.

    Attributes:
        kind: A text file (CSV/TSV/TXT) or an Excel workbook.
        encoding: Python codec name used to read a text file ("" for a workbook).
        encoding_reason: Plain words: "UTF-8 with a byte order mark".
        delimiter: The field separator of a text file ("" for a workbook).
        delimiter_reason: "semicolon: 40 of 40 sample lines have 5 fields".
        header_line: File line (or sheet row) of the header; 0 when there is none.
        header_reason: "header on line 3: lines 1–2 are a title and a blank line".
        sheet: The sheet read from a workbook.
        sheets: Every sheet of a workbook, in order.
        sheet_reason: Why this sheet.
        field_count: The usual number of fields per line.
    """

    kind: FileKind
    encoding: str
    encoding_reason: str
    delimiter: str
    delimiter_reason: str
    header_line: int
    header_reason: str
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    sheet_reason: str = ""
    field_count: int = 0

    def describe(self) -> list[str]:
        """One line per choice, for a panel or the CLI: "Encoding: …"."""
        if self.kind is FileKind.XLSX:
            return [f"Sheet: {self.sheet_reason}", f"Header: {self.header_reason}"]
        return [f"Encoding: {self.encoding_reason}", f"Separator: {self.delimiter_reason}",
                f"Header: {self.header_reason}"]


def detect_encoding(sample: bytes, complete: bool) -> tuple[str, str]:
    """The codec of a text file from its first bytes, and the reason in words.

    Args:
        sample: The first bytes of the file.
        complete: True when `sample` is the whole file.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 with a byte order mark"
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16", "UTF-16 little-endian (Excel “Unicode text”) with a byte order mark"
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", "UTF-16 big-endian with a byte order mark"
    head = sample[:4096]
    pairs = len(head) // 2
    if pairs >= 2:
        even = sum(1 for i in range(0, pairs * 2, 2) if head[i] == 0)
        odd = sum(1 for i in range(1, pairs * 2, 2) if head[i] == 0)
        if odd > pairs * 0.3 and even < pairs * 0.05:
            return "utf-16-le", ("UTF-16 little-endian without a byte order mark: every "
                                 "second byte is zero")
        if even > pairs * 0.3 and odd < pairs * 0.05:
            return "utf-16-be", ("UTF-16 big-endian without a byte order mark: every "
                                 "second byte is zero")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        if sample.isascii():
            return "utf-8", "UTF-8: the file holds only plain letters and digits (no accents)"
        return "utf-8", "UTF-8: accented letters are valid UTF-8"
    mac = _mac_roman_reason(sample)
    if mac is not None:
        return "mac_roman", mac
    high = {b for b in sample if 0x80 <= b <= 0x9F}
    if high & _CP1252_UNDEFINED:
        byte = min(high & _CP1252_UNDEFINED)
        return "latin-1", (f"Latin-1 (ISO-8859-1): not UTF-8, and byte 0x{byte:02X} has no "
                           "meaning in Windows-1252")
    if high:
        example = bytes([min(high)]).decode("cp1252")
        return "cp1252", (f"Windows-1252: not UTF-8, and characters like “{example}” are "
                          "Windows-1252 (usual for Excel on Windows)")
    return "cp1252", ("Windows-1252: not UTF-8; accented letters are single bytes "
                      "(usual for Excel on Windows)")


_WESTERN = set("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŒ€£")


def _plausible(text: str) -> int:
    """How many non-ASCII characters read like letters of Western European words: a letter
    among letters of the same case (`Café`, `Müller`), or € and £."""
    score = 0
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        if ch not in _WESTERN:
            score -= 2
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if ch in "€£" or (ch.islower() and (before.isalpha() or after.isalpha())) or (
                ch.isupper() and (before.isupper() or not before.isalpha())):
            score += 1
        else:
            score -= 1
    return score


def _mac_roman_reason(sample: bytes) -> str | None:
    """Why the bytes are Mac Roman (older Macs, FileMaker, some Mac exports), or None: its
    letters read as words where Windows-1252 gives `CafŽ` or control characters."""
    high = [b for b in sample if b >= 0x80]
    if not high:
        return None
    mac = sample.decode("mac_roman")
    windows = sample.decode("cp1252", errors="replace").replace("\ufffd", "\x81")
    mac_score, win_score = _plausible(mac), _plausible(windows)
    if mac_score <= win_score or mac_score <= 0:
        return None
    word = next((w for w in mac.split() if any(ord(c) > 127 for c in w)), "")
    word = word.strip(",;\"'|")[:30]
    return (f"Mac Roman: not UTF-8, and its accented letters read as words (“{word}”), where "
            "Windows-1252 would garble them")


@dataclass(frozen=True, slots=True)
class SampleRecord:
    """One record of the sample: where it starts and its fields."""

    line: int
    fields: list[str]


def sample_records(text: str, delimiter: str, limit: int = SAMPLE_RECORDS) -> list[SampleRecord]:
    """Parse the first records of `text` (quote-aware), with the line where each starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[SampleRecord] = []
    last = 0
    try:
        for fields in reader:
            records.append(SampleRecord(last + 1, fields))
            last = reader.line_num
            if len(records) >= limit:
                break
    except csv.Error:
        pass  # the full read reports it with its line number
    return records


def _width(fields: Sequence[str]) -> int:
    """Fields up to the last non-empty one (trailing empty cells are padding)."""
    n = len(fields)
    while n and not fields[n - 1].strip():
        n -= 1
    return n


def detect_delimiter(text: str) -> tuple[str, str, int]:
    """The separator whose sample lines most consistently have the same number of fields.

    Returns:
        The delimiter, the reason in words, and the usual number of fields.
    """
    best: tuple[float, int, str, str] | None = None
    for delimiter, name in DELIMITERS.items():
        counts = [len(r.fields) for r in sample_records(text, delimiter) if _width(r.fields)]
        if not counts:
            continue
        width, same = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (same / len(counts), width, delimiter,
                 f"{name}: {same} of {len(counts)} sample lines have {width} fields")
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        return ",", "no separator found: every line is a single column", 1
    return best[2], best[3], best[1]


def dominant_width(records: Sequence[SampleRecord]) -> int:
    """The most common number of fields among non-blank records."""
    counts = [len(r.fields) for r in records if _width(r.fields)]
    return Counter(counts).most_common(1)[0][0] if counts else 0


# a code like INV-1001, C001, AB12: letters, then digits that are most of it. Not a name with
# a number at the end, as headers have (POAddressLine1, TrackingName2, Belegfeld 1).
_CODE = re.compile(r"[A-Za-z]{1,4}[-_/#]?\d{2,}|[A-Za-z]+[-_/#]\d+$")


def _is_header(fields: Sequence[str]) -> bool:
    cells = [f.strip() for f in fields if f.strip()]
    if not cells or len(cells) * 2 < len(fields):
        return False
    numeric = sum(1 for c in cells if looks_numeric(c) or looks_like_date(c) or _CODE.match(c))
    return numeric * 4 <= len(cells)


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def detect_header(records: Sequence[SampleRecord], width: int) -> tuple[int, str]:
    """The header: the first record with the usual field count that is mostly words.

    Args:
        records: Sample records with their first line.
        width: The usual number of fields (for a sheet, count without trailing empty cells).

    Returns:
        The header line (0 when there is none) and the reason in words.
    """
    skipped: list[str] = []
    for record in records:
        filled = _width(record.fields)
        if not filled:
            skipped.append("a blank line")
            continue
        cells = sum(1 for f in record.fields if f.strip())
        if cells * 2 >= width and (len(record.fields) == width or filled == width):
            if _is_header(record.fields):
                if not skipped:
                    return record.line, f"header on line {record.line}"
                what = _joined(skipped)
                if record.line == 2:
                    return record.line, f"header on line 2: line 1 is {what}"
                return record.line, (f"header on line {record.line}: lines 1–{record.line - 1}"
                                     f" are {what}")
            return 0, (f"no header row: line {record.line}, the first full line, holds data; "
                       "columns are named Column 1, Column 2, …")
        first = record.fields[0].strip().strip('"') if record.fields else ""
        if first in ("EXTF", "DTVF"):
            skipped.append("DATEV's line with the booking period")
        else:
            skipped.append("a title" if cells == 1 else "a short line" if filled < width
                           else "a line of another length")
    return 0, "no header row found; columns are named Column 1, Column 2, …"
