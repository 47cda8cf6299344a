"""What keeps the Qt thread free around a big table: work in slices, frees in steps, and the
collector told that a finished table is old."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from pacspace_desktop.importing import auto_map, read_file, release, revalidate, validate_table
from pacspace_desktop.importing.gcpause import gc_paused
from pacspace_desktop.importing.release import release_steps


def test_the_first_rows_with_problems_sorted_in_slices(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.csv"
    lines = ["Invoice No,Customer,Amount"] + [
        f"R-{i % 40},K{i % 7},{i}.{'x' if i % 3 == 0 else '5'}0" for i in range(300)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_file(path)
    validation = validate_table(table, auto_map(table.headers, table.columns))
    # findings stored out of row order, as edits and regrouping leave them
    validation._findings = dict(reversed(list(validation._findings.items())))
    every = validation.rows_with_problems()
    assert len(every) > 100
    monkeypatch.setattr(revalidate, "_SORT_SLICE", 7)
    for count in (1, 5, 50, len(every), len(every) + 10):
        assert validation.first_problem_rows(count) == every[:count]


def test_a_big_dictionary_nobody_holds_is_freed_in_steps(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release, "_ENTRIES", 4)
    held = {i: (str(i),) for i in range(10)}
    parts: list[object] = [{i: (str(i),) for i in range(20)}, held]
    steps = sum(1 for _ in release_steps(parts))
    assert steps >= 5 and parts == []
    assert len(held) == 10  # one someone still holds is left as it is


def test_what_a_paused_job_built_is_not_walked_by_later_collections() -> None:
    with gc_paused():
        with gc_paused():  # nested (another thread's job): frozen only when the last ends
            column = [[str(i)] for i in range(1000)]
        assert gc.is_tracked(column) and gc.isenabled() is False
    assert gc.get_freeze_count() >= len(column)
    assert gc.isenabled()
    assert not any(o is column for o in gc.get_objects(generation=0))
