"""What keeps the Qt thread free around a big table: work in slices, frees in steps, and the
collector told that a finished table is old."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from pacspace_desktop.importing import (
    ImportTable,
    RowBlock,
    TableValidation,
    auto_map,
    read_file,
    release,
    revalidate,
    validate_table,
)
from pacspace_desktop.importing.gcpause import gc_paused
from pacspace_desktop.importing.keyindex import KeyIndex
from pacspace_desktop.importing.release import release_steps


def _checked(tmp_path: Path) -> tuple[ImportTable, TableValidation]:
    path = tmp_path / "k.csv"
    lines = ["Invoice No,Customer,Amount"] + [f"R-{i % 250},K{i % 7},{i}.50" for i in range(300)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_file(path)
    return table, validate_table(table, auto_map(table.headers, table.columns))


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


def _same_index(validation: TableValidation) -> None:
    """The index after edits holds what an index of the keys as they are now holds."""
    live = validation._index
    fresh = KeyIndex.of(list(live.keys))
    keys = {k for k in live.keys if k}
    assert set(live.first) == set(fresh.first) == keys
    assert {k: live.rows_of(k) for k in keys} == {k: fresh.rows_of(k) for k in keys}


def test_a_big_edit_brings_the_index_it_replaced_up_to_date_instead_of_copying(
        tmp_path: Path) -> None:
    table, validation = _checked(tmp_path)
    copies: list[bool] = []  # for each copy: was it of the index's `first`?
    original = revalidate._copied

    def counted(d: dict[Any, Any]) -> dict[Any, Any]:
        copies.append(d is validation._index.first)
        return original(d)

    revalidate._copied = counted  # type: ignore[assignment]
    try:
        keys = table.columns[0]
        for step in range(6):
            rows = list(range(step * 7 % 50, 300, 9))  # fewer keys than half the index
            for r in rows:
                keys[r] = f"R-{(r * 7 + step) % 120}"  # new repeats, lost repeats, new keys
            validation.apply_staged(validation.staged_revalidation(rows))
            _same_index(validation)
            if step == 2:  # a small edit checked at once, between two big ones
                keys[1] = "R-new"
                validation.revalidate_rows([1])
                _same_index(validation)
            if step == 4:  # rows put in: every row number moves, so the next one copies
                validation.insert_rows(5, RowBlock.of_rows([["R-5", "K1", "1.50"]], 3))
                _same_index(validation)
        fresh = validate_table(table, validation.mapping)
        assert list(fresh.problems()) == list(validation.problems())
        assert fresh.valid_rows() == validation.valid_rows()
    finally:
        revalidate._copied = original  # type: ignore[assignment]
    assert copies.count(True) == 2  # the first big edit, and the one after rows were put in


def test_a_checked_table_with_a_key_pattern_is_freed_once_let_go_of(tmp_path: Path) -> None:
    """The key pattern's line numbers ({n}) make no cycle through the plan, and thawing after
    a table is let go of gives the collector back what froze with its jobs: nothing of the
    table stays alive (a whole table per file, otherwise)."""
    import dataclasses
    import weakref

    from pacspace_desktop.importing import FieldSource, SourceKind
    from pacspace_desktop.importing.gcpause import thaw

    table, first = _checked(tmp_path)
    mapping = dataclasses.replace(first.mapping, key=FieldSource(SourceKind.TEMPLATE,
                                                                 "{Invoice No}-{n}"))
    validation = validate_table(table, mapping)
    assert validation.plan.uses_ordinals
    gone = weakref.ref(validation.plan)
    parts: list[object] = [validation, first, table]
    del validation, first, table
    for _step in release_steps(parts):
        pass
    thaw()
    gc.collect()
    assert gone() is None
