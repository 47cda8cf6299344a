"""CSV export: opens cleanly in Excel, neutralises formulas, keeps numbers as numbers."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.storage.export import HEADER, ExportCancelled, export_csv, neutralise
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import HistoryQuery
from pacspace_desktop.storage.records import HistoryFilter
from tests.storage.test_history_query import sample_history, send

CRAFTED = ['=HYPERLINK("x")', "+1", "@SUM(A1)", "-2+3", "\tTAB", "\rCR"]


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))



@pytest.fixture
def backend() -> str:
    """These tests are about the local file (its disk, its folder): SQLite only."""
    return "sqlite"

def test_neutralise() -> None:
    assert [neutralise(t) for t in CRAFTED] == ["'" + t for t in CRAFTED]
    assert neutralise("INV-1") == "INV-1"
    assert neutralise("") == ""


def test_export_rows_formulas_and_numbers(store: HistoryStore, tmp_path: Path) -> None:
    sample_history(store)
    send(store, [WriteItem(k, "=acct", -5 - n) for n, k in enumerate(CRAFTED)],
         OutcomeKind.ACCEPTED, request_id="req_x", source="@evil.csv", status=202)
    dest = tmp_path / "out.csv"
    seen: list[int] = []
    rows = export_csv(HistoryQuery.of(store).database_path(), dest, HistoryFilter(),
                      progress=seen.append, every=2)
    assert rows == 6 + len(CRAFTED)
    table = read_csv(dest)
    assert tuple(table[0]) == HEADER
    body = table[1:]
    assert len(body) == rows
    crafted = [r for r in body if r[2] == "req_x"]
    assert [r[3] for r in crafted] == ["'" + k for k in CRAFTED]
    assert {r[4] for r in crafted} == {"'=acct"}
    assert {r[9] for r in crafted} == {"'@evil.csv"}
    assert [r[5] for r in crafted] == [str(-5 - n) for n in range(len(CRAFTED))]  # numbers
    accepted = next(r for r in body if r[3] == "INV-1043")
    assert accepted[1:3] == ["Accepted", "req_4f2a9c"]
    assert accepted[5] == "-300"
    assert accepted[7:11] == ["Finance", "live", "march-invoices.csv", ""]  # accepted: no reason
    assert accepted[11] and accepted[11] == store.list_submissions()[-1].sent_by  # who sent it
    rejected = [r for r in body if r[1] == "Rejected"]
    assert rejected and all(r[10].startswith("PacSpace refused") for r in rejected), rejected
    assert accepted[0].endswith("+00:00") and "T" in accepted[0]
    meta = next(r for r in body if r[3] == "INV-1042")[6]
    assert meta == '{"amount":"12.50"}'
    assert seen[-1] == rows
    assert dest.read_bytes().count(b"\r\n") == rows + 1


def test_export_selection_and_filter(store: HistoryStore, tmp_path: Path) -> None:
    ids = sample_history(store)
    db = HistoryQuery.of(store).database_path()
    dest = tmp_path / "sel.csv"
    assert export_csv(db, dest, submission_ids=[ids["unknown"]]) == 2
    assert {r[3] for r in read_csv(dest)[1:]} == {"INV-3001", "INV-3002"}
    assert export_csv(db, dest, HistoryFilter(search="INV-2001")) == 1


def test_cancelled_export_leaves_no_file(store: HistoryStore, tmp_path: Path) -> None:
    sample_history(store)
    cancel = threading.Event()
    cancel.set()
    dest = tmp_path / "c.csv"
    with pytest.raises(ExportCancelled):
        export_csv(HistoryQuery.of(store).database_path(), dest, cancel=cancel, every=1)
    assert list(tmp_path.glob("*.csv*")) == []


@pytest.mark.parametrize("name", ["history.sqlite3", "history.sqlite3-wal", "drafts/x.csv",
                                  "logs/pacspace-desktop.log", "link.csv", "settings.json",
                                  "history.v2.20250101T000000.bak.sqlite3", "."])
def test_export_never_writes_onto_the_data_folder(store: HistoryStore, tmp_path: Path,
                                                  name: str) -> None:
    from pacspace_desktop.storage.export import ExportRefused

    sample_history(store)
    (tmp_path / "link.csv").symlink_to(tmp_path / "history.sqlite3")
    (tmp_path / "drafts").mkdir(exist_ok=True)
    before = (tmp_path / "history.sqlite3").read_bytes()
    with pytest.raises(ExportRefused, match="the app's own files in its data folder"):
        export_csv(str(tmp_path / "history.sqlite3"), tmp_path / name)
    assert (tmp_path / "history.sqlite3").read_bytes() == before


def test_a_long_name_is_a_message_and_exports_are_private(store: HistoryStore,
                                                         tmp_path: Path) -> None:
    from pacspace_desktop.storage.export import ExportRefused

    sample_history(store)
    with pytest.raises(ExportRefused, match="The file name is too long"):
        export_csv(str(tmp_path / "history.sqlite3"), tmp_path / ("x" * 300 + ".csv"))
    deep = tmp_path / "/".join(["d" * 200] * 30)
    with pytest.raises(ExportRefused, match="too long for this system"):
        export_csv(str(tmp_path / "history.sqlite3"), deep / "out.csv")
    dest = tmp_path / "out.csv"
    export_csv(str(tmp_path / "history.sqlite3"), dest)
    assert dest.stat().st_mode & 0o777 == 0o600
