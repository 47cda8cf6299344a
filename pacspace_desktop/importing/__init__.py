"""Reading CSV/TSV/XLSX files, mapping their columns to write items, and checking every cell.

Qt-free: the import grid, the CLI `check` command and tests use the same functions. Reading a
big file and checking it are plain functions meant for a worker thread: they report progress
through a callback and stop at the next chunk when a `CancelToken` is set.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pacspace_desktop.importing.dates import DateError, DateFormat, DateOrder, parse_date
    from pacspace_desktop.importing.detect import Detection, FileKind
    from pacspace_desktop.importing.edits import (
        CellsEdit,
        DeleteEdit,
        Edit,
        EditLogError,
        InsertEdit,
        apply_edits,
        edit_from_json,
        edit_to_json,
    )
    from pacspace_desktop.importing.export import export_problems_csv
    from pacspace_desktop.importing.files import detect_file, list_sheets, read_file
    from pacspace_desktop.importing.find import FindError, FindSpec, find_cells, find_changes
    from pacspace_desktop.importing.mapping import (
        AmountRule,
        FieldSource,
        FileSettings,
        Mapping,
        MappingError,
        MetadataColumn,
        MetadataType,
        RepeatPolicy,
        SignKind,
        SignRule,
        SourceKind,
        check_mapping,
    )
    from pacspace_desktop.importing.mapping_file import (
        HeaderChange,
        MappingFileError,
        MappingLibrary,
        Profile,
        ProfileMatch,
        load_mapping,
        mapping_from_json,
        mapping_to_json,
        save_mapping,
    )
    from pacspace_desktop.importing.matching import Suggestion, auto_map, lean_metadata, suggest
    from pacspace_desktop.importing.numbers import (
        DecimalSeparator,
        NumberError,
        NumberFormat,
        parse_number,
        to_minor_units,
    )
    from pacspace_desktop.importing.plan import ColumnFormat
    from pacspace_desktop.importing.progress import (
        CancelToken,
        ImportCancelled,
        ImportFileError,
        ProgressCallback,
    )
    from pacspace_desktop.importing.readers import ReadOptions
    from pacspace_desktop.importing.table import ImportTable, IssueKind, ReadIssue, RowBlock
    from pacspace_desktop.importing.totals import AccountTotal, ControlTotals, control_totals
    from pacspace_desktop.importing.validate import (
        CellProblem,
        KnownKeys,
        TableValidation,
        build_items,
        validate_table,
    )

# Each name is imported from its module on first use (PEP 562): `check` and the app's start do
# not load the modules they do not use (edits, find, export: ~0.1 s of a `check` process).
_HOMES = {
    "AccountTotal": "totals",
    "AmountRule": "mapping",
    "CancelToken": "progress",
    "CellProblem": "validate",
    "CellsEdit": "edits",
    "ColumnFormat": "plan",
    "ControlTotals": "totals",
    "DateError": "dates",
    "DateFormat": "dates",
    "DateOrder": "dates",
    "DecimalSeparator": "numbers",
    "DeleteEdit": "edits",
    "Detection": "detect",
    "Edit": "edits",
    "EditLogError": "edits",
    "FieldSource": "mapping",
    "FileKind": "detect",
    "FileSettings": "mapping",
    "FindError": "find",
    "FindSpec": "find",
    "HeaderChange": "mapping_file",
    "ImportCancelled": "progress",
    "ImportFileError": "progress",
    "ImportTable": "table",
    "InsertEdit": "edits",
    "IssueKind": "table",
    "KnownKeys": "validate",
    "Mapping": "mapping",
    "MappingError": "mapping",
    "MappingFileError": "mapping_file",
    "MappingLibrary": "mapping_file",
    "MetadataColumn": "mapping",
    "MetadataType": "mapping",
    "NumberError": "numbers",
    "NumberFormat": "numbers",
    "Profile": "mapping_file",
    "ProfileMatch": "mapping_file",
    "ProgressCallback": "progress",
    "ReadIssue": "table",
    "ReadOptions": "readers",
    "RepeatPolicy": "mapping",
    "RowBlock": "table",
    "SignKind": "mapping",
    "SignRule": "mapping",
    "SourceKind": "mapping",
    "Suggestion": "matching",
    "TableValidation": "validate",
    "apply_edits": "edits",
    "auto_map": "matching",
    "build_items": "validate",
    "check_mapping": "mapping",
    "control_totals": "totals",
    "detect_file": "files",
    "edit_from_json": "edits",
    "edit_to_json": "edits",
    "export_problems_csv": "export",
    "find_cells": "find",
    "find_changes": "find",
    "lean_metadata": "matching",
    "list_sheets": "files",
    "load_mapping": "mapping_file",
    "mapping_from_json": "mapping_file",
    "mapping_to_json": "mapping_file",
    "parse_date": "dates",
    "parse_number": "numbers",
    "read_file": "files",
    "save_mapping": "mapping_file",
    "suggest": "matching",
    "to_minor_units": "numbers",
    "validate_table": "validate",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "AccountTotal",
    "AmountRule",
    "CancelToken",
    "CellProblem",
    "CellsEdit",
    "ColumnFormat",
    "ControlTotals",
    "DateError",
    "DateFormat",
    "DateOrder",
    "DecimalSeparator",
    "DeleteEdit",
    "Detection",
    "Edit",
    "EditLogError",
    "FieldSource",
    "FileKind",
    "FileSettings",
    "FindError",
    "FindSpec",
    "HeaderChange",
    "ImportCancelled",
    "ImportFileError",
    "ImportTable",
    "InsertEdit",
    "IssueKind",
    "KnownKeys",
    "Mapping",
    "MappingError",
    "MappingFileError",
    "MappingLibrary",
    "MetadataColumn",
    "MetadataType",
    "NumberError",
    "NumberFormat",
    "Profile",
    "ProfileMatch",
    "ProgressCallback",
    "ReadIssue",
    "ReadOptions",
    "RepeatPolicy",
    "RowBlock",
    "SignKind",
    "SignRule",
    "SourceKind",
    "Suggestion",
    "TableValidation",
    "apply_edits",
    "auto_map",
    "build_items",
    "check_mapping",
    "control_totals",
    "detect_file",
    "edit_from_json",
    "edit_to_json",
    "export_problems_csv",
    "find_cells",
    "find_changes",
    "lean_metadata",
    "list_sheets",
    "load_mapping",
    "mapping_from_json",
    "mapping_to_json",
    "parse_date",
    "parse_number",
    "read_file",
    "save_mapping",
    "suggest",
    "to_minor_units",
    "validate_table",
]
