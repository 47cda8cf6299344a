"""Reading and checking a file for `check` and `submit`: the mapping given as a file, a saved
profile's name or a preset's name; otherwise a preset recognised by the headers, or columns
matched by their names."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from pacspace_desktop.importing.files import read_with_settings
from pacspace_desktop.importing.mapping import FileSettings, Mapping, MappingError, check_mapping
from pacspace_desktop.importing.mapping_file import (
    MappingFileError,
    MappingLibrary,
    adapt_mapping,
    load_mapping_file,
)
from pacspace_desktop.importing.matching import Suggestion, auto_map, suggest_missing
from pacspace_desktop.importing.presets import Preset, load_presets, match_preset
from pacspace_desktop.importing.progress import ImportFileError
from pacspace_desktop.importing.readers import ReadOptions
from pacspace_desktop.importing.table import ImportTable
from pacspace_desktop.importing.validate import TableValidation, validate_table

SAMPLE_ROWS = 200


class CheckInputError(Exception):
    """The file or the mapping cannot be used; the message says why.

    Attributes:
        mapping: The mapping as far as it got (None when the file could not be read).
        missing: What keeps the mapping from being used, in words.
        suggestions: For each field that has no column, the likely columns, best first.
        table: The table, when the file could be read.
    """

    def __init__(self, message: str, *, mapping: Mapping | None = None,
                 missing: list[str] | None = None,
                 suggestions: dict[str, list[Suggestion]] | None = None,
                 table: ImportTable | None = None) -> None:
        super().__init__(message)
        self.mapping, self.missing = mapping, missing or []
        self.suggestions, self.table = suggestions or {}, table


@dataclass(slots=True)
class Loaded:
    """A file read, mapped and checked, and how the mapping was chosen."""

    table: ImportTable
    mapping: Mapping
    validation: TableValidation
    mapping_from: str
    notes: list[str] = field(default_factory=list)


def presets_folder() -> Path | None:
    """`resources/presets`, or None in a broken install (then no presets are offered)."""
    from pacspace_desktop.resources import ResourceMissingError, resources_dir

    try:
        return resources_dir() / "presets"
    except ResourceMissingError:
        return None


def _presets() -> list[Preset]:
    folder = presets_folder()
    try:
        return load_presets(folder) if folder is not None else []
    except MappingFileError:
        return []


def resolve_mapping(given: str, data_dir: str | None) -> tuple[Mapping, str]:
    """A mapping from `--mapping`: a file, a saved profile's name, or a preset's name.

    Raises:
        CheckInputError: when it is none of them, or cannot be read.
    """
    path = Path(given)
    try:
        if path.is_file():
            return load_mapping_file(path)
        library = _library(data_dir)
        profiles = library.profiles() if library is not None else []
    except MappingFileError as exc:
        raise CheckInputError(str(exc)) from exc
    for profile in profiles:
        if profile.name.casefold() == given.casefold():
            return profile.mapping, f"saved profile “{profile.name}”"
    presets = _presets()
    for preset in presets:
        stem = preset.name.casefold().replace(" ", "-")
        if given.casefold() in (preset.name.casefold(), stem):
            return preset.mapping, f"preset “{preset.name}”"
    names = [f"“{p.name}”" for p in profiles] or ["none"]
    raise CheckInputError(
        f"No mapping file, saved profile or preset is called “{given}”. Saved profiles: "
        f"{', '.join(names)}. Presets: {', '.join(f'“{p.name}”' for p in presets)}.")


def _library(data_dir: str | None) -> MappingLibrary | None:
    from pacspace_desktop.storage.paths import resolve_paths

    try:
        return MappingLibrary(resolve_paths(data_dir).config_dir / "mappings.json")
    except (OSError, ValueError):
        return None


def _read(path: Path, settings: FileSettings, options: ReadOptions) -> ImportTable:
    try:
        return read_with_settings(path, settings, options)
    except ImportFileError as exc:
        raise CheckInputError(str(exc)) from exc


def load(path: Path, mapping_arg: str | None, options: ReadOptions | None = None, *,
         data_dir: str | None = None) -> Loaded:
    """Read, map and check a file.

    Raises:
        CheckInputError: when the file or the mapping cannot be used (with the mapping as far
            as it got, what is missing and suggestions).
    """
    options = options or ReadOptions()
    notes: list[str] = []
    if mapping_arg is not None:
        mapping, source = resolve_mapping(mapping_arg, data_dir)
        table = _read(path, mapping.file, options)
        mapping = adapt_mapping(mapping, table.headers)
    else:
        table = _read(path, FileSettings(), options)
        match = match_preset(table.headers, _presets())
        if match is not None:
            mapping, source = match.mapping, f"preset “{match.preset.name}”"
            notes.append(f"{match.describe()} Using the preset “{match.preset.name}”; "
                         "--mapping chooses another.")
            if _rereads(match.mapping.file, table, options):
                table = _read(path, match.mapping.file, options)
                mapping = adapt_mapping(match.preset.mapping, table.headers)
        else:
            samples = [column[:SAMPLE_ROWS] for column in table.columns]
            mapping, source = auto_map(table.headers, samples), "columns matched by name"
    missing = check_mapping(mapping, table.headers)
    if missing:
        raise CheckInputError(
            f"The mapping does not fit {path.name}: {' '.join(missing)}", mapping=mapping,
            missing=missing, suggestions=suggestions(table, mapping), table=table)
    try:
        validation = validate_table(table, mapping)
    except MappingError as exc:
        raise CheckInputError(f"The mapping does not fit {path.name}: {exc}", mapping=mapping,
                              missing=[str(exc)], table=table) from exc
    return Loaded(table, mapping, validation, source, notes)


def _rereads(settings: FileSettings, table: ImportTable, options: ReadOptions) -> bool:
    detection = table.detection
    return ((settings.header_line is not None and options.header_row is None
             and settings.header_line != table.header_line)
            or (settings.delimiter is not None and options.delimiter is None
                and settings.delimiter != detection.delimiter and detection.delimiter != "")
            or settings.skip_lines > 0)


def suggestions(table: ImportTable, mapping: Mapping) -> dict[str, list[Suggestion]]:
    """For each field without a usable column, the likely columns, best first."""
    return suggest_missing(table.headers, [column[:SAMPLE_ROWS] for column in table.columns],
                           mapping)


def with_header_line(options: ReadOptions, line: int | None) -> ReadOptions:
    """The options with the header line a person gave (None: as detected or mapped)."""
    return options if line is None else dataclasses.replace(options, header_row=line)
