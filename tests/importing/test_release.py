"""Letting go of a table piece by piece: only what nobody else holds is taken apart."""

from __future__ import annotations

from pathlib import Path

from pacspace_desktop.importing import (
    ImportTable,
    TableValidation,
    auto_map,
    read_file,
    validate_table,
)
from pacspace_desktop.importing.release import release_steps


def _checked(tmp_path: Path, rows: int = 300) -> tuple[ImportTable, TableValidation]:
    path = tmp_path / "f.csv"
    lines = ["Invoice No,Customer,Amount"] + [f"R-{i % 250},K{i % 7},{i}.50" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_file(path)
    return table, validate_table(table, auto_map(table.headers, table.columns))


def test_a_table_nobody_holds_is_freed_in_steps(tmp_path: Path) -> None:
    table, validation = _checked(tmp_path)
    column = table.columns[0]
    kept = list(column)
    parts: list[object] = [validation, table]
    del table, validation
    steps = sum(1 for _ in release_steps(parts))
    assert steps > 3 and parts == []
    assert column == kept  # a column someone still holds is left as it is


def test_a_table_still_held_is_left_alone(tmp_path: Path) -> None:
    table, validation = _checked(tmp_path)
    before = [list(c) for c in table.columns]
    parts: list[object] = [validation, table]
    for _ in release_steps(parts):
        pass
    assert [list(c) for c in table.columns] == before
    assert validation.valid_count == validate_table(table, validation.mapping).valid_count
