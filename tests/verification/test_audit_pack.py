"""The audit pack: the workbook (read back with openpyxl), receipts (rendered with pdftoppm)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.network.client import RetrySettings, WriteClient
from pacspace_desktop.network.factory import make_http_client
from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxServer
from pacspace_desktop.services.audit_service import AuditService
from pacspace_desktop.storage import receipts
from pacspace_desktop.storage.audit_export import ITEM_HEADER, SUBMISSION_HEADER, export_xlsx
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import HistoryFilter, NewRun
from pacspace_desktop.submission.runner import SubmissionRunner

FAST = RetrySettings(base_delay=0.01, max_delay=0.05, max_retries=3, max_wait=5)
NASTY = "=HYPERLINK(\"http://evil\",\"click\")"


def _send(store: HistoryStore, sandbox: SandboxServer, items: list[WriteItem]) -> None:
    async def go() -> None:
        async with make_http_client(5.0) as http:
            runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url,
                                                         ApiKey(DEMO_API_KEY), FAST))
            await runner.run(items, NewRun("march.csv", "Sandbox", "sandbox", sandbox.base_url,
                                           "anna on PC-FIN-02",
                                           ApiKey(DEMO_API_KEY).fingerprint), 2)

    asyncio.run(go())


def _history(store: HistoryStore, sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"status": 503}])  # the first request is answered on its 2nd attempt
    _send(store, sandbox, [WriteItem("inv-1", "c-1", 5), WriteItem(NASTY, "+c-2", -3),
                           WriteItem("inv-3", "@c-3", 7, {"amount": "12.50"})])


def test_workbook_holds_what_an_auditor_needs(tmp_path: Path, store: HistoryStore,
                                              sandbox: SandboxServer) -> None:
    _history(store, sandbox)
    dest = tmp_path / "audit.xlsx"
    summary = export_xlsx(str(tmp_path / "history.sqlite3"), dest, HistoryFilter())
    assert (summary.submissions, summary.items, summary.chain.intact) == (2, 3, True)
    book = openpyxl.load_workbook(dest)
    assert book.sheetnames == ["Submissions", "Items", "About this export"]
    subs, items = book["Submissions"], book["Items"]
    assert tuple(c.value for c in subs[1]) == SUBMISSION_HEADER
    assert tuple(c.value for c in items[1]) == ITEM_HEADER
    first = {h: c.value for h, c in zip(SUBMISSION_HEADER, subs[2], strict=True)}
    received = {r["requestId"]: r["bodySha256"] for r in sandbox.state_snapshot()["requests"]}
    assert first["Request SHA-256 (bytes sent)"] == received[first["Request ID"]]
    assert first["Sent by"] == "anna on PC-FIN-02"
    assert first["API key fingerprint"].startswith("pk_test_san… sha256:")
    assert DEMO_API_KEY not in str([[c.value for c in row] for row in subs.iter_rows()])
    assert first["Chain link"] == 1 and len(first["Chain hash"]) == 64
    assert first["Verification"] == "0 of 2 verified" and first["Outcome"] == "Accepted"
    rows = [{h: c.value for h, c in zip(ITEM_HEADER, row, strict=True)}
            for row in items.iter_rows(min_row=2)]
    nasty = next(r for r in rows if r["Record key"] == NASTY)
    assert nasty["Bits"] == -3 and isinstance(nasty["Bits"], int)
    assert nasty["Account ID"] == "+c-2"  # shown exactly as recorded …
    cell = next(c for c in items["D"] if c.value == NASTY)
    assert cell.data_type == "s" and cell.quotePrefix  # … and never a formula
    assert rows[0]["Verification"] == "Waiting for verification"
    about = {r[0].value: r[1].value for r in book["About this export"].iter_rows(min_row=2)}
    assert about["History chain"].startswith("intact")


def test_selection_only_and_a_broken_chain_is_said(tmp_path: Path, store: HistoryStore,
                                                   sandbox: SandboxServer) -> None:
    _history(store, sandbox)
    first = min(r.id for r in store.list_submissions())
    store.connection.execute("UPDATE items SET bits = 500 WHERE key='inv-1'")
    summary = export_xlsx(str(tmp_path / "history.sqlite3"), tmp_path / "a.xlsx",
                          submission_ids=[first])
    assert (summary.submissions, summary.items) == (1, 2)
    about = {r[0].value: r[1].value for r in
             openpyxl.load_workbook(tmp_path / "a.xlsx")["About this export"].iter_rows()}
    assert about["History chain"].startswith("BROKEN at link 1")


def test_receipt_pdf_renders(tmp_path: Path, store: HistoryStore, sandbox: SandboxServer,
                             qapp: object) -> None:
    from pacspace_desktop.ui.receipt import receipt_html, write_receipt

    _history(store, sandbox)
    sub = min(r.id for r in store.list_submissions())
    r = receipts.receipt(store.connection, sub)
    assert r is not None and [a.status_code for a in r.attempts] == [503, 202]
    html = receipt_html(r)
    for words in ("PacSpace write receipt", "SHA-256 of the exact bytes sent", r.request_sha256,
                  "Accepted: PacSpace took the request (HTTP 202)", "anna on PC-FIN-02",
                  "History seal", "pacspace-desktop history verify", "Attempts", ">503<"):
        assert words in html
    assert DEMO_API_KEY not in html and "&lt;" not in r.key_fingerprint
    pdf = tmp_path / "receipt.pdf"
    write_receipt(r, pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/setup installs it")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 5_000  # one page, not blank


def test_audit_pack_folder(qtbot: QtBot, tmp_path: Path, store: HistoryStore,
                           sandbox: SandboxServer, request: pytest.FixtureRequest) -> None:
    from pacspace_desktop.ui.receipt import write_receipt

    _history(store, sandbox)
    request.getfixturevalue("qloop")  # the Qt loop only after the plain asyncio send
    service = AuditService(store, write_receipt)
    with qtbot.waitSignal(service.finished, timeout=20_000) as done:
        assert service.export(tmp_path / "out", HistoryFilter())
    folder = Path(done.args[0])
    assert (folder / "audit.xlsx").exists()
    names = sorted(p.name for p in (folder / "receipts").iterdir())
    assert len(names) == 2 and all(n.startswith("receipt-0000") and n.endswith(".pdf")
                                   for n in names)
    sums = (folder / "SHA256SUMS.txt").read_text(encoding="utf-8").splitlines()
    assert len(sums) == 4  # README, workbook, two receipts
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS.txt"], cwd=folder, check=True)
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "2 submission(s)" in readme and "seals when this was written: intact" in readme


def test_the_filter_in_words() -> None:
    from datetime import UTC, datetime

    from pacspace_desktop.domain.states import ItemState
    from pacspace_desktop.services.audit_service import describe

    assert describe(HistoryFilter()) == "every submission in the history"
    text = describe(HistoryFilter(since=datetime(2025, 3, 1, tzinfo=UTC),
                                  states=frozenset({ItemState.ACCEPTED}), environment="live"))
    assert text.startswith("the submissions recorded from ") and "to now (local time)" in text
    assert text.endswith("outcome Accepted; environment live")
