"""Cells on the clipboard as Excel and LibreOffice put them there: tab-separated text (cells
with tabs, line breaks or quotes in "…"), and an HTML table beside it."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence

from PySide6.QtCore import QMimeData

Rows = list[list[str]]


def to_tsv(rows: Sequence[Sequence[str]]) -> str:
    """Tab-separated text, one line a row (ending in a line break, as Excel writes it)."""
    out = io.StringIO()
    csv.writer(out, dialect="excel-tab", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def to_html(rows: Sequence[Sequence[str]], header: bool = False) -> str:
    """An HTML table (the first row as headings when `header`), for word processors."""
    lines = ["<table>"]
    for i, row in enumerate(rows):
        tag = "th" if header and i == 0 else "td"
        cells = "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row)
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</table>")
    return "".join(lines)


def parse_tsv(text: str) -> Rows:
    """Rows of cells from tab-separated text; a quoted cell may hold tabs and line breaks.

    The line break after the last row (Excel adds one) does not make an empty row.
    """
    if not text:
        return []
    if "\t" not in text and "\n" not in text.rstrip("\r\n") and '"' not in text:
        return [[text.rstrip("\r\n")]]  # one value: taken as it is
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel-tab")
    return [row or [""] for row in reader]  # a blank line is one empty cell


def mime_of(rows: Sequence[Sequence[str]], header: bool = False) -> QMimeData:
    """Clipboard data: `text/plain` tab-separated and `text/html` as a table."""
    mime = QMimeData()
    mime.setText(to_tsv(rows))
    mime.setHtml(to_html(rows, header))
    return mime


def rows_of(mime: QMimeData | None) -> Rows:
    """The cells on the clipboard (its plain text), or [] when there is none."""
    if mime is None or not mime.hasText():
        return []
    return parse_tsv(mime.text())
