"""ImportService: reading and checking in a worker thread, with progress, Cancel and errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pacspace_desktop.importing import (
    FieldSource,
    Mapping,
    MappingLibrary,
    ReadOptions,
    auto_map,
)
from pacspace_desktop.services.import_service import ImportResult, ImportService

FILES = Path(__file__).resolve().parent.parent / "importing" / "files"
Bot = object


@pytest.fixture
def service(qloop: object) -> Iterator[ImportService]:
    svc = ImportService()
    yield svc
    svc.cancel()


def big_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Invoice No;Customer;Amount;Date;Note\r\n")
        for i in range(rows):
            fh.write(f"B-{i:07};K{i % 500:04};{i % 9000},{i % 100:02};01.03.2025;"
                     "some words to make the file bigger\r\n")
    return path


def load(qtbot: Bot, service: ImportService, path: Path, **kw: object) -> ImportResult:
    with qtbot.waitSignal(service.finished, timeout=10_000) as blocker:  # type: ignore[attr-defined]
        service.load(path, **kw)  # type: ignore[arg-type]
    result = blocker.args[0]
    assert isinstance(result, ImportResult)
    return result


def test_load_reads_maps_and_checks_in_a_worker(qtbot: Bot, service: ImportService) -> None:
    seen: list[tuple[int, str]] = []
    threads: set[str] = set()
    service.progress.connect(lambda p, t: seen.append((p, t)))

    def known(keys: list[str]) -> set[str]:
        threads.add(threading.current_thread().name)
        return {"INV-002"} & set(keys)

    result = load(qtbot, service, FILES / "utf8_bom.csv", known_keys=known)
    assert result.table.headers == ["Invoice No", "Customer", "Amount", "Date", "Note"]
    assert result.mapping.key == FieldSource.column("Invoice No")
    assert result.validation is not None and result.validation.valid_count == 3
    codes = [p.code for p in result.validation.problems()]
    assert codes == ["sent_before"]
    assert seen and seen[-1][0] == 100
    assert threads and threading.main_thread().name not in threads
    assert not service.busy


def test_progress_then_cancel_leaves_nothing(qtbot: Bot, service: ImportService,
                                             tmp_path: Path) -> None:
    path = big_csv(tmp_path / "big.csv", 400_000)
    finished: list[object] = []
    service.finished.connect(finished.append)
    with qtbot.waitSignal(service.progress, timeout=10_000,  # type: ignore[attr-defined]
                          check_params_cb=lambda p, _t: p > 0):
        service.load(path)
    with qtbot.waitSignal(service.cancelled, timeout=10_000) as blocker:  # type: ignore[attr-defined]
        service.cancel()
    assert "Nothing was changed" in blocker.args[0]
    assert finished == [] and not service.busy


def test_a_new_job_replaces_the_running_one(qtbot: Bot, service: ImportService,
                                            tmp_path: Path) -> None:
    path = big_csv(tmp_path / "big.csv", 200_000)
    results: list[ImportResult] = []
    service.finished.connect(results.append)
    service.load(path)
    with qtbot.waitSignal(service.finished, timeout=10_000):  # type: ignore[attr-defined]
        service.load(FILES / "pipe.txt")
    qtbot.wait(300)  # type: ignore[attr-defined]
    assert [r.path.name for r in results] == ["pipe.txt"]


def test_unreadable_file_fails_in_words(qtbot: Bot, service: ImportService,
                                        tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    with qtbot.waitSignal(service.failed, timeout=5000) as blocker:  # type: ignore[attr-defined]
        service.load(old)
    assert "Excel 97" in blocker.args[0]


def test_incomplete_mapping_gives_the_table_without_a_check(qtbot: Bot,
                                                            service: ImportService,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Alpha,Beta\nx,1\ny,2\n", encoding="utf-8")
    result = load(qtbot, service, path)
    assert result.validation is None and result.table.row_count == 2
    assert any("Record key" in p for p in result.mapping_problems)


def test_preferred_mapping_and_profile(qtbot: Bot, service: ImportService,
                                       tmp_path: Path) -> None:
    first = load(qtbot, service, FILES / "pipe.txt")
    mapping = Mapping(FieldSource.template("p-{Invoice No}"), FieldSource.constant("ACME"),
                      FieldSource.column("Amount"), first.mapping.amount)
    library = MappingLibrary(tmp_path / "mappings.json")
    library.save("pipes", first.table.headers, mapping)
    again = load(qtbot, service, FILES / "pipe.txt", library=library)
    assert again.profile is not None and again.profile.exact and again.mapping == mapping
    kept = load(qtbot, service, FILES / "pipe.txt", options=ReadOptions(delimiter="|"),
                mapping=first.mapping, library=library)
    assert kept.mapping == first.mapping and kept.profile is None


def test_check_again_under_another_mapping(qtbot: Bot, service: ImportService) -> None:
    first = load(qtbot, service, FILES / "invoices.tsv")
    samples = [c[:10] for c in first.table.columns]
    mapping = auto_map(first.table.headers, samples)
    mapping = Mapping(mapping.key, FieldSource.constant(""), mapping.bits, mapping.amount)
    with qtbot.waitSignal(service.finished, timeout=5000) as blocker:  # type: ignore[attr-defined]
        service.check(first, mapping)
    result = blocker.args[0]
    assert result.table is first.table
    assert result.validation is not None and result.validation.valid_count == 0
