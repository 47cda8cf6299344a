"""A submission's receipt as a PDF, printed with Qt (QTextDocument on a QPdfWriter).

Written for someone who has never seen the app: what was sent, by whom, where, when, the exact
bytes' SHA-256, PacSpace's answer, the verification of each item, and the history seal that
ties the receipt to the history it was printed from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.receipts import Receipt
from pacspace_desktop.storage.verification import Verification

_OUTCOME_WORDS = {
    "accepted": "Accepted: PacSpace took the request (HTTP 202) and queued it for verification.",
    "verified": "Accepted and verified by PacSpace.",
    "rejected": "Rejected: PacSpace refused the request; nothing was written.",
    "unknown": "Outcome unknown: the connection broke after the request left, so it is not "
               "known whether PacSpace wrote it.",
    "not_sent": "Not sent: the request never left the computer; nothing was written.",
}

_CSS = """
body { font-family: 'DejaVu Sans'; font-size: 9pt; color: #111; }
h1 { font-size: 16pt; margin-bottom: 2pt; }
h2 { font-size: 11pt; margin-top: 8pt; margin-bottom: 2pt; }
.sub { color: #444; }
td, th { vertical-align: top; }
th { text-align: left; font-weight: bold; background: #e8e8e8; }
td.k { color: #333; width: 32%; }
.mono { font-family: 'DejaVu Sans Mono'; font-size: 7.5pt; }
.num { text-align: right; }
.note { color: #444; font-size: 8pt; }
"""


def _when(value: datetime | None) -> str:
    """"2 December 2026, 14:02:11 UTC", with the local time first when it differs."""
    if value is None:
        return "—"
    utc = value.astimezone(UTC)
    text = f"{utc.day} {utc:%B %Y, %H:%M:%S} UTC"
    local = value.astimezone()
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds():
        text = f"{local.day} {local:%B %Y, %H:%M:%S} (UTC{local:%z}) = {text}"
    return text


def _row(key: str, value: str, mono: bool = False) -> str:
    cls = ' class="mono"' if mono else ""
    return (f'<tr><td class="k" width="34%">{escape(key)}</td>'
            f'<td{cls}>{escape(value) or "—"}</td></tr>')


def _item_state(item_verification: str, when: datetime | None, reason: str,
                warning: str) -> str:
    try:
        state = Verification(item_verification)
    except ValueError:
        return ""
    text = state.label if state is not Verification.NONE else "Not written"
    if state is Verification.VERIFIED and when is not None:
        text += f" {when.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    if state is Verification.FAILED and reason:
        text += f": {reason}"
    if warning:
        text += " — written twice? PacSpace counts more writes for this key than were sent"
    return text


def receipt_html(r: Receipt, printed: datetime | None = None) -> str:
    """The receipt as HTML (what the PDF shows)."""
    printed = printed or datetime.now(UTC)
    state = ItemState(r.state)
    head = (f"<h1>PacSpace write receipt</h1><p class='sub'>Submission {r.submission_id}"
            f" · Request ID {escape(r.request_id or 'none (not accepted)')}</p>"
            "<p>This receipt records one request that PacSpace Desktop sent to PacSpace's "
            "write API (<i>POST /api/v1/writes</i>) and what PacSpace answered. It was printed "
            f"from the sender's local history on {escape(_when(printed))}.</p>")
    request = "".join([
        "<h2>The request</h2><table width='100%' cellpadding='1' cellspacing='0'>",
        _row("Recorded in the history", _when(r.created_at)),
        _row("Sent to PacSpace", _when(r.sent_at)),
        _row("Outcome recorded", _when(r.finished_at)),
        _row("Sent by", r.sent_by),
        _row("Profile and environment", f"{r.profile} · {r.environment.upper()}"),
        _row("PacSpace address", r.base_url),
        _row("API key (fingerprint; the key itself is never printed)", r.key_fingerprint
             or "not recorded (sent before this was kept)"),
        _row("From", "the form" if r.source == "form" else r.source),
        _row("Items", str(len(r.items))),
        _row("Bits, sum of all items", f"{r.bits_sum:,}"),
        _row("SHA-256 of the exact bytes sent", r.request_sha256 or "not kept", mono=True),
        "</table>"])
    answer = "".join([
        "<h2>PacSpace's answer</h2><table width='100%' cellpadding='1' cellspacing='0'>",
        _row("Outcome", _OUTCOME_WORDS.get(r.state, state.label)),
        _row("HTTP status", str(r.status_code) if r.status_code else "no answer"),
        _row("Request ID", r.request_id),
        _row("PacSpace's message", r.server_message),
        _row("Verification", r.counts.text() or "nothing was written, so nothing to verify"),
        "</table>"])
    rows = "".join(
        f"<tr><td class='num'>{n}</td><td>{escape(it.key)}</td><td>{escape(it.account_id)}"
        f"</td><td class='num'>{it.bits:,}</td><td>"
        f"{escape(_item_state(it.verification, it.when, it.reason, it.warning))}</td></tr>"
        for n, it in enumerate(r.items, start=1))
    items = ("<h2>Items</h2><table width='100%' cellpadding='3' cellspacing='0'>"
             "<tr><th width='6%'>#</th>"
             "<th width='24%'>Record key</th><th width='18%'>Account ID</th>"
             "<th width='10%' align='right'>Bits</th><th>Verification</th></tr>"
             f"{rows}</table>")
    tries = "".join(
        f"<tr><td class='num'>{a.number}</td><td>{escape(_when(a.started_at))}</td>"
        f"<td>{a.status_code or 'no answer'}</td><td class='num'>{a.duration_ms:,} ms</td>"
        f"<td>{escape(a.result)}</td></tr>" for a in r.attempts)
    attempts = ("<h2>Attempts</h2><table width='100%' cellpadding='3' cellspacing='0'>"
                "<tr><th width='6%'>#</th><th width='40%'>Started</th><th width='12%'>HTTP</th>"
                "<th width='12%' align='right'>Took</th><th>Result</th></tr>"
                f"{tries}</table>") if r.attempts else ""
    if r.link is not None:
        seal = "".join([
            "<h2>History seal</h2><table width='100%' cellpadding='1' cellspacing='0'>",
            _row("Link in the history chain", str(r.link.seq)),
            _row("This record's seal (SHA-256)", r.link.hash, mono=True),
            _row("Seal of the record before it", r.link.prev_hash, mono=True),
            "</table><p class='note'>Each finished request is sealed with a hash of its "
            "content and of the record before it. To check that the history still matches "
            "this receipt, run <i>pacspace-desktop history verify</i> on the computer that "
            "holds it; the seal above must appear unchanged in the audit workbook.</p>"])
    else:
        seal = ("<h2>History seal</h2><p>This request was still open when the receipt was "
                "printed, so it is not sealed yet.</p>")
    return f"<html><head><style>{_CSS}</style></head><body>{head}{request}{answer}" \
           f"{attempts}{items}{seal}</body></html>"


def write_receipt(r: Receipt, path: Path) -> None:
    """Print the receipt to a PDF file (A4, 15 mm margins).

    Raises:
        OSError: when the file cannot be written.
    """
    writer = QPdfWriter(str(path))
    writer.setTitle(f"PacSpace write receipt — submission {r.submission_id}")
    writer.setCreator("PacSpace Desktop")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(300)
    doc = QTextDocument()
    doc.setHtml(receipt_html(r))
    doc.print_(writer)  # lays the text out on the writer's pages in points, with page breaks
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the receipt {path} could not be written")
