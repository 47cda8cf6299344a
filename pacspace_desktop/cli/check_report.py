"""The one JSON object `check --json` prints, and the words of the text report."""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from pacspace_desktop.cli.check_load import CheckInputError, Loaded
from pacspace_desktop.domain.validation import Severity
from pacspace_desktop.importing.groups import lines_text
from pacspace_desktop.importing.mapping_json import mapping_to_json
from pacspace_desktop.importing.table import ImportTable
from pacspace_desktop.importing.totals import ControlTotals, FileTotal, control_totals, file_totals
from pacspace_desktop.importing.validate import TableValidation

LINES_UP_TO = 10_000  # rows; above that, `lines` only with --lines


def _detection(table: ImportTable) -> dict[str, Any]:
    d = table.detection
    return {"kind": d.kind.value, "encoding": d.encoding, "encodingReason": d.encoding_reason,
            "delimiter": d.delimiter, "delimiterReason": d.delimiter_reason,
            "headerLine": d.header_line, "headerReason": d.header_reason, "sheet": d.sheet,
            "columns": list(table.headers)}


def _status(v: TableValidation, row: int, in_group: set[int]) -> str:
    problems = v.row_problems(row)
    if any(p.code == "total_row" for p in problems):
        return "total"
    if not v.is_valid(row):
        return "held back"
    return "combined" if row in in_group else "item"


def line_report(v: TableValidation) -> list[dict[str, Any]]:
    """Every row: its line, what happens to it (item, combined, held back, total) and why."""
    plan, table = v.plan, v.table
    in_group = {r for c in v.combined() for r in c.rows}
    out = []
    for row in range(table.row_count):
        problems = v.row_problems(row)
        out.append({
            "line": table.line_of(row), "status": _status(v, row, in_group),
            "key": plan.key_at(row), "accountId": plan.account_at(row),
            "bits": v.bits[row] if v.is_valid(row) else None,
            "reasons": [p.message for p in problems if p.severity is Severity.ERROR],
            "warnings": [p.message for p in problems if p.severity is Severity.WARNING]})
    return out


def _file_total(t: FileTotal) -> dict[str, Any]:
    return {"line": t.line, "label": t.label, "bits": t.bits, "linesAbove": t.lines,
            "bitsAbove": t.lines_bits, "matches": t.matches, "message": t.describe()}


def report(loaded: Loaded, *, lines: bool | None = None, problems: bool = True
           ) -> dict[str, Any]:
    """The JSON object of a check that could run (`problems` False: that list left empty)."""
    v, table = loaded.validation, loaded.table
    totals: ControlTotals = control_totals(v)
    error = Severity.ERROR
    data: dict[str, Any] = {
        "file": {"detection": _detection(table), "warnings": list(table.warnings)},
        "mappingFrom": loaded.mapping_from,
        "mapping": mapping_to_json(loaded.mapping),
        "rows": totals.rows, "valid": totals.valid_rows, "items": totals.items,
        "problems": [{"row": line, "column": f.column, "message": f.message, "code": f.code,
                      "severity": "error" if f.severity is error else f.severity.value}
                     for line, f in (v.lined_findings() if problems else ())],
        "combined": [{"key": c.key, "accountId": c.account_id, "lines": list(c.lines),
                      "bits": c.bits} for c in v.combined()],
        "fileTotals": [_file_total(t) for t in file_totals(v)],
        "totals": {account: {"items": t.items, "bits": t.bits}
                   for account, t in totals.accounts.items()},
        "bits": totals.bits,
        "error": None,
    }
    if lines or (lines is None and table.row_count <= LINES_UP_TO):
        data["lines"] = line_report(v)
    return data


def report_text(loaded: Loaded, *, lines: bool | None = None) -> str:
    """`json.dumps(report(loaded), ensure_ascii=False)`, the same text, with the words of a
    finding shared by many lines (an invoice on several lines) escaped once, not per line:
    escaping 60,000 messages was a quarter of `check --json` for a wide export."""
    data = report(loaded, lines=lines, problems=False)
    parts = [f"{json.dumps(key)}: "
             + (_problems_text(loaded.validation) if key == "problems" else
                json.dumps(value, ensure_ascii=False)) for key, value in data.items()]
    return "{" + ", ".join(parts) + "}"


def _problems_text(v: TableValidation) -> str:
    quoted, error = encode_basestring, Severity.ERROR
    tails: dict[int, str] = {}  # by the finding (alive for the whole loop): shared by lines
    texts = []
    for line, f in v.lined_findings():
        tail = tails.get(id(f))
        if tail is None:
            severity = "error" if f.severity is error else f.severity.value
            tail = tails[id(f)] = (f', "column": {quoted(f.column)}, "message": '
                                   f'{quoted(f.message)}, "code": {quoted(f.code)}, '
                                   f'"severity": {quoted(severity)}}}')
        texts.append(f'{{"row": {line}{tail}')
    return "[" + ", ".join(texts) + "]"


def failure(exc: CheckInputError) -> dict[str, Any]:
    """The JSON object of a check that could not run: why, and what would make it run."""
    table = exc.table
    return {
        "file": ({"detection": _detection(table), "warnings": list(table.warnings)}
                 if table is not None else None),
        "mappingFrom": None,
        "mapping": mapping_to_json(exc.mapping) if exc.mapping is not None else None,
        "rows": table.row_count if table is not None else None,
        "valid": 0, "items": 0, "problems": [], "combined": [], "fileTotals": [],
        "totals": {}, "bits": 0,
        "error": str(exc), "missing": exc.missing,
        "suggestions": {wire: [{"column": s.column, "score": s.score, "reason": s.reason,
                                "samples": list(s.samples)} for s in found]
                        for wire, found in exc.suggestions.items()},
    }


def combined_lines(v: TableValidation) -> list[str]:
    """"Invoice “1003”: lines 2, 3 and 4 added up → 1 record, 12,345 bits" for the text report."""
    label = v.plan.key_column.lstrip("*").strip()
    return [f"{label} “{c.key}”: lines {lines_text(c.lines)} added up into one record of "
            f"{c.bits:,} bits for {c.account_id}" for c in v.combined()]
