"""The audit workbook: one sheet of submissions, one of items, one that says what was exported.

Written with the standard library (zipfile + SpreadsheetML), on its own connection so it can
run in a worker thread. Every text is an inline string; text that a spreadsheet could take for
a formula (`=`, `+`, `-`, `@`, tab, CR at the start) is marked with Excel's own "quote prefix"
style, so it shows exactly as recorded and stays text when someone edits the cell. Bits are
numbers; times are ISO 8601 UTC text.
"""

from __future__ import annotations

import os
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage import chain, verification
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.history_sql import where_clause
from pacspace_desktop.storage.records import HistoryFilter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

SUBMISSION_HEADER = (
    "Submission", "Request ID", "Outcome", "HTTP status", "Recorded (UTC)", "Sent (UTC)",
    "Outcome recorded (UTC)", "Sent by", "Profile", "Environment", "PacSpace address",
    "API key fingerprint", "Source", "Items", "Accounts", "Bits (sum)", "Verification",
    "Request SHA-256 (bytes sent)", "PacSpace's answer", "Chain link", "Chain hash")
ITEM_HEADER = (
    "Submission", "Request ID", "Position", "Record key", "Account ID", "Bits",
    "Metadata (JSON)", "Outcome", "Verification", "Verified or failed at (UTC)",
    "PacSpace's reason", "Warning", "Last checked on PacSpace (UTC)")


@dataclass(frozen=True, slots=True)
class AuditSummary:
    """What an audit export wrote."""

    submissions: int
    items: int
    chain: chain.ChainReport
    submission_ids: tuple[int, ...] = ()


def _iso(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(UTC).isoformat(timespec="seconds")


def _clean(text: str) -> str:
    return _ILLEGAL.sub("\ufffd", text)


def _cell(ref: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = _clean(str(value))
    style = ' s="2"' if text.startswith(FORMULA_START) else ""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"{style}><is><t{space}>{escape(text)}</t></is></c>'


def _col(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _width(title: str) -> int:
    """A column's width in characters, from what it holds."""
    if "SHA-256" in title or "hash" in title.lower():
        return 66
    if title in ("Request ID", "PacSpace's answer", "PacSpace's reason", "Warning", "What",
                 "How to check", "History chain", "Metadata (JSON)", "PacSpace address"):
        return 34
    if "(UTC)" in title:
        return 26
    return max(10, min(28, len(title) + 4))


def _sheet(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    cols = "".join(f'<col min="{i}" max="{i}" width="{_width(h)}" customWidth="1"/>'
                   for i, h in enumerate(header, start=1))
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://'
           'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView '
           'workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
           f'state="frozen"/></sheetView></sheetViews><cols>{cols}</cols><sheetData>')
    head = "".join(f'<c r="{_col(i)}1" t="inlineStr" s="1"><is><t>{escape(h)}</t></is></c>'
                   for i, h in enumerate(header))
    yield f'<row r="1">{head}</row>'
    letters = [_col(i) for i in range(max(len(header), 32))]
    for r, row in enumerate(rows, start=2):
        yield f'<row r="{r}">' + "".join(_cell(f"{letters[i]}{r}", v)
                                         for i, v in enumerate(row)) + "</row>"
    yield "</sheetData></worksheet>"


_SUBS = ("SELECT s.id, s.request_id, s.state, s.status_code, s.created_at, s.sent_at, "
         "s.finished_at, r.sent_by, r.profile, r.environment, r.base_url, r.key_fingerprint, "
         "r.source, s.item_count, s.account_count, s.bits_sum, s.request_body, "
         "s.server_message, c.seq, c.hash FROM submissions s JOIN runs r ON r.id = s.run_id "
         "LEFT JOIN chain c ON c.submission_id = s.id ")


def _submission_ids(conn: sqlite3.Connection, flt: HistoryFilter,
                    ids: Sequence[int] | None) -> list[int]:
    if ids is not None:
        return sorted(set(ids))
    clauses, params = where_clause(flt)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return [r[0] for r in conn.execute(
        f"SELECT s.id FROM submissions s JOIN runs r ON r.id = s.run_id {where} "
        "ORDER BY s.created_at, s.id", params)]


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), 500):
        yield list(ids[start:start + 500])


def _submission_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> Iterator[list[Any]]:
    for chunk in _chunks(ids):
        counts = verification.counts(conn, chunk)
        for r in conn.execute(_SUBS + f"WHERE s.id IN ({','.join('?' * len(chunk))}) "
                              "ORDER BY s.created_at, s.id", chunk):
            c = counts.get(r[0])
            yield [r[0], r[1] or "", ItemState(r[2]).label, r[3], _iso(r[4]), _iso(r[5]),
                   _iso(r[6]), r[7],
                   r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15],
                   c.text() if c else "", chain.request_sha256(r[16]), r[17] or "", r[18],
                   r[19] or "not sealed"]


def _item_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> Iterator[list[Any]]:
    state = verification.STATE_SQL
    for chunk in _chunks(ids):
        for r in conn.execute(
                "SELECT i.submission_id, s.request_id, i.position, i.key, i.account_id, "
                f"i.bits, i.metadata, i.state, {state}, {verification.when_sql('i')}, "
                "i.verification_reason, "
                "i.verification_warning, i.checked_at FROM items i JOIN submissions s ON "
                f"s.id = i.submission_id WHERE i.submission_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY s.created_at, s.id, i.position", chunk):
            label = verification.Verification(r[8]).label if r[8] else ""
            yield [r[0], r[1] or "", r[2] + 1, r[3], r[4], int(r[5]), r[6] or "",
                   ItemState(r[7]).label, label,
                   _iso(r[9]), r[10] or "", r[11] or "", _iso(r[12])]


def _about(report: chain.ChainReport, subs: int, items: int, what: str) -> list[list[Any]]:
    state = ("intact: every submission matches its seal" if report.intact else
             f"BROKEN at link {report.broken_seq}: {report.reason}" if report.broken_seq
             else f"{len(report.unsealed)} finished submission(s) have no seal")
    return [["Exported (UTC)", datetime.now(UTC).isoformat(timespec="seconds")],
            ["What", what], ["Submissions", subs], ["Items", items],
            ["History chain", state], ["Chain links checked", report.links],
            ["Chain head (last link's hash)", report.head],
            ["How to check", "Run 'pacspace-desktop history verify' on the computer that "
                             "holds this history; each submission's chain hash here must match."]]


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
    'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
    'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
    'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas'
    '.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name '
    'val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills '
    'count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType='
    '"gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1">'
    '<xf/></cellStyleXfs><cellXfs count="3"><xf/><xf fontId="1" applyFont="1"/><xf '
    'quotePrefix="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
    'builtinId="0"/></cellStyles></styleSheet>')
_NAMES = ("Submissions", "Items", "About this export")


def _workbook() -> tuple[str, str]:
    sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, n in enumerate(_NAMES, start=1))
    book = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://'
            'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            f'{sheets}</sheets></workbook>')
    rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                   f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}'
                   '.xml"/>' for i in range(1, len(_NAMES) + 1))
    rels += (f'<Relationship Id="rId{len(_NAMES) + 1}" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/styles" Target="styles.xml"/>')
    return book, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                  'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  f'{rels}</Relationships>')


def export_xlsx(db_path: str, dest: Path, flt: HistoryFilter | None = None,
                submission_ids: Sequence[int] | None = None, what: str = "") -> AuditSummary:
    """Write the audit workbook for the filtered submissions (or `submission_ids`) to `dest`.

    Written next to `dest` and renamed at the end, so a failed export leaves no half file.

    Raises:
        StorageError: when the history cannot be read or the file cannot be written.
    """
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        conn = sqlite3.connect(db_path, check_same_thread=False, timeout=10.0)
    except sqlite3.Error as exc:
        raise StorageError(f"The history cannot be read for the export: {exc}.") from exc
    try:
        conn.execute("PRAGMA query_only=ON")
        ids = _submission_ids(conn, flt or HistoryFilter(), submission_ids)
        items = 0
        for chunk in _chunks(ids):
            items += int(conn.execute(
                f"SELECT COUNT(*) FROM items WHERE submission_id IN "
                f"({','.join('?' * len(chunk))})", chunk).fetchone()[0])
        report = chain.verify(conn)
        book, rels = _workbook()
        types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="'
                        'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet'
                        '+xml"/>' for i in range(1, len(_NAMES) + 1))
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=types))
            zf.writestr("_rels/.rels", _ROOT_RELS)
            zf.writestr("xl/workbook.xml", book)
            zf.writestr("xl/_rels/workbook.xml.rels", rels)
            zf.writestr("xl/styles.xml", _STYLES)
            for n, (header, rows) in enumerate(
                    ((SUBMISSION_HEADER, _submission_rows(conn, ids)),
                     (ITEM_HEADER, _item_rows(conn, ids)),
                     (("About this export", ""),
                      _about(report, len(ids), items, what or "the history"))), start=1):
                with zf.open(f"xl/worksheets/sheet{n}.xml", "w") as fh:
                    for part in _sheet(header, rows):
                        fh.write(part.encode("utf-8"))
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise StorageError(f"The history cannot be read for the export: {exc}.") from exc
    except OSError as exc:
        raise StorageError(f"The file {dest} cannot be written: {exc.strerror or exc}.") from exc
    finally:
        conn.close()
        tmp.unlink(missing_ok=True)
    return AuditSummary(len(ids), items, report, tuple(ids))
