"""`pacspace-desktop history verify` on a real history file: intact, edited, deleted, moved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacspace_desktop.cli import main
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import resolve_paths
from tests.verification.test_chain import _history


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    path = resolve_paths(str(tmp_path / "data")).ensure().history_db
    store = HistoryStore.open(path)
    _history(store, 3)
    store.close()
    return path


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["--data-dir", str(tmp_path / "data"), "history", "verify", *extra])
    return code, capsys.readouterr().out


def test_intact(tmp_path: Path, history_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _run(tmp_path, capsys)
    assert code == 0 and "The history is intact: 3 sealed submission(s)" in text
    code, text = _run(tmp_path, capsys, "--json")
    assert code == 0 and json.loads(text)["intact"] is True


@pytest.mark.parametrize(("tamper", "words"), [
    ("UPDATE items SET bits = bits * 10 WHERE submission_id = 2", "submission 2 (seal 2"),
    ("DELETE FROM chain WHERE seq = 2", "seal 3 of the chain"),
    ("UPDATE chain SET seq = seq + 10 WHERE seq = 1", "seal 2 of the chain"),
])
def test_broken(tmp_path: Path, history_file: Path, capsys: pytest.CaptureFixture[str],
                tamper: str, words: str) -> None:
    import sqlite3

    conn = sqlite3.connect(history_file)
    conn.execute(tamper)
    conn.commit()
    conn.close()
    code, text = _run(tmp_path, capsys)
    assert code == 1 and "The history was changed: the first broken record is" in text
    assert words in text


def test_no_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--data-dir", str(tmp_path / "none"), "history", "verify"])
    assert code == 2 and "nothing to check" in capsys.readouterr().err


def test_history_lists_verification(tmp_path: Path, history_file: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from pacspace_desktop.storage import verification
    from pacspace_desktop.storage.verification import Verification

    store = HistoryStore.open(history_file)
    ids = [it.id for it in store.items_of(1)]
    verification.write(store.connection, lambda c: verification.mark_items(
        c, ids[:2], Verification.VERIFIED, datetime.now(UTC), "", "webhook"))
    store.close()
    assert main(["--data-dir", str(tmp_path / "data"), "history"]) == 0
    text = capsys.readouterr().out
    assert "Verification: 2 of 3 verified" in text and "Verification: 0 of 3 verified" in text
    assert main(["--data-dir", str(tmp_path / "data"), "history", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    first = next(e for e in entries if e["submission"] == 1)
    assert first["verification"] == "2 of 3 verified"
    assert [it["verification"] for it in first["items"]] == ["verified", "verified", "waiting"]


def test_audit_workbook_from_the_command_line(tmp_path: Path, history_file: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    dest = tmp_path / "march.xlsx"
    code = main(["--data-dir", str(tmp_path / "data"), "history", "audit", str(dest)])
    assert code == 0
    assert "3 submission(s), 9 item(s); the history's seals are intact" in capsys.readouterr().out
    assert openpyxl.load_workbook(dest)["Items"].max_row == 10
    code = main(["--data-dir", str(tmp_path / "data"), "history", "audit", str(dest),
                 "--since", "2000-01-01", "--until", "2000-01-31"])
    assert code == 0 and "0 submission(s)" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path / "data"), "history", "audit", str(dest),
                 "--since", "31/03/2025"]) == 2
    assert "a date like 2025-03-31" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path / "data"), "history", "audit"]) == 2
