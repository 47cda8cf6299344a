"""Reading CSV/TSV/XLSX files, mapping their columns to write items, and checking every cell.

Qt-free: the import grid, the CLI `check` command and tests use the same functions. Reading a
big file and checking it are plain functions meant for a worker thread: they report progress
through a callback and stop at the next chunk when a `CancelToken` is set.
"""

from __future__ import annotations

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
