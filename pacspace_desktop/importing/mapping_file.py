"""Mappings as JSON files (versioned), and a library of profiles found by a file's headers."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pacspace_desktop.importing.dates import DateOrder
from pacspace_desktop.importing.mapping import (
    AmountRule,
    FieldSource,
    Mapping,
    MappingError,
    MetadataColumn,
    MetadataType,
    SourceKind,
    normalize_header,
)
from pacspace_desktop.importing.numbers import DecimalSeparator

MAPPING_FORMAT = "pacspace-import-mapping"
LIBRARY_FORMAT = "pacspace-import-mapping-library"
VERSION = 1


class MappingFileError(ValueError):
    """A mapping file cannot be read; the message says why."""


def _source_json(source: FieldSource | None) -> dict[str, str] | None:
    return None if source is None else {source.kind.value: source.value}


def mapping_to_json(mapping: Mapping) -> dict[str, Any]:
    """The mapping as a JSON object (see docs/importing.md for the format)."""
    return {
        "format": MAPPING_FORMAT, "version": VERSION,
        "key": _source_json(mapping.key),
        "accountId": _source_json(mapping.account_id),
        "bits": _source_json(mapping.bits),
        "amount": {"factor": mapping.amount.factor,
                   "decimalSeparator": mapping.amount.decimal_separator.value},
        "metadata": [{"column": m.column, "name": m.name, "type": m.type.value,
                      "dateOrder": m.date_order.value,
                      "decimalSeparator": m.decimal_separator.value} for m in mapping.metadata],
    }


def _source(data: object, label: str) -> FieldSource | None:
    if data is None:
        return None
    if not isinstance(data, dict) or len(data) != 1:
        raise MappingFileError(f"“{label}” must be {{\"column\": …}}, {{\"constant\": …}} or "
                               "{\"template\": …}.")
    (kind, value), = data.items()
    if kind not in {k.value for k in SourceKind} or not isinstance(value, str):
        raise MappingFileError(f"“{label}” must name a column, a constant or a template.")
    return FieldSource(SourceKind(kind), value)


def _enum(cls: Any, value: object, label: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(e.value for e in cls)
        raise MappingFileError(f"“{label}” must be one of {allowed}, not {value!r}.") from None


def mapping_from_json(data: object) -> Mapping:
    """Read a mapping written by `mapping_to_json`.

    Raises:
        MappingFileError: when the object is not a mapping of a known version.
    """
    if not isinstance(data, dict) or data.get("format") != MAPPING_FORMAT:
        raise MappingFileError(f"This is not a column mapping (format “{MAPPING_FORMAT}”).")
    if data.get("version") != VERSION:
        raise MappingFileError(f"Mapping version {data.get('version')!r} is not supported "
                               f"(this app reads version {VERSION}).")
    amount = data.get("amount") or {}
    if not isinstance(amount, dict):
        raise MappingFileError("“amount” must be an object with factor and decimalSeparator.")
    factor = amount.get("factor", 1)
    if not isinstance(factor, int) or isinstance(factor, bool):
        raise MappingFileError("“amount.factor” must be 1, 10, 100, …")
    try:
        rule = AmountRule(factor, _enum(DecimalSeparator, amount.get("decimalSeparator", "auto"),
                                        "amount.decimalSeparator"))
    except MappingError as exc:
        raise MappingFileError(str(exc)) from exc
    metadata = []
    raw_meta = data.get("metadata") or []
    if not isinstance(raw_meta, list):
        raise MappingFileError("“metadata” must be a list.")
    for i, m in enumerate(raw_meta, start=1):
        if not isinstance(m, dict) or not isinstance(m.get("column"), str):
            raise MappingFileError(f"Metadata entry {i} must name a column.")
        name = m.get("name", m["column"])
        if not isinstance(name, str):
            raise MappingFileError(f"Metadata entry {i}: the name must be text.")
        metadata.append(MetadataColumn(
            m["column"], name, _enum(MetadataType, m.get("type", "text"), "metadata.type"),
            _enum(DateOrder, m.get("dateOrder", "auto"), "metadata.dateOrder"),
            _enum(DecimalSeparator, m.get("decimalSeparator", "auto"),
                  "metadata.decimalSeparator")))
    return Mapping(_source(data.get("key"), "key"), _source(data.get("accountId"), "accountId"),
                   _source(data.get("bits"), "bits"), rule, tuple(metadata))


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file.

    Raises:
        MappingFileError: when the file cannot be read or is not a mapping.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MappingFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise MappingFileError(f"{path.name} is not valid JSON: {exc}.") from exc
    return mapping_from_json(data)


def save_mapping(mapping: Mapping, path: Path) -> None:
    """Write a mapping file (atomically).

    Raises:
        OSError: when the file cannot be written.
    """
    _write_atomic(path, mapping_to_json(mapping))


def _write_atomic(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def header_signature(headers: Sequence[str]) -> str:
    """A short fingerprint of a set of column names (order, case and punctuation ignored)."""
    names = sorted({normalize_header(h) for h in headers})
    return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class HeaderChange:
    """Columns a file has that a profile did not know, and columns that are gone."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def describe(self) -> str:
        """"This file has a new column “VAT”; “Region” is gone." ("" when nothing changed)."""
        parts = []
        if self.added:
            names = ", ".join(f"“{n}”" for n in self.added)
            plural = "s" if len(self.added) > 1 else ""
            parts.append(f"This file has {'new columns' if plural else 'a new column'} {names}")
        if self.removed:
            names = ", ".join(f"“{n}”" for n in self.removed)
            verb = "are" if len(self.removed) > 1 else "is"
            parts.append(f"{names} {verb} gone" if parts else f"Column {names} {verb} gone")
        return "; ".join(parts) + "." if parts else ""


@dataclass(frozen=True, slots=True)
class Profile:
    """A saved mapping and the headers of the file it was made for."""

    name: str
    headers: tuple[str, ...]
    mapping: Mapping

    @property
    def signature(self) -> str:
        """The header signature."""
        return header_signature(self.headers)


@dataclass(frozen=True, slots=True)
class ProfileMatch:
    """A profile found for a file's headers.

    Attributes:
        profile: The saved profile.
        exact: True when the headers are the same (order, case, punctuation ignored).
        change: Columns added and removed compared to the profile.
        mapping: The profile's mapping renamed to this file's header spelling, without
            metadata of columns that are gone.
    """

    profile: Profile
    exact: bool
    change: HeaderChange
    mapping: Mapping


def adapt_mapping(mapping: Mapping, headers: Sequence[str]) -> Mapping:
    """Rename a mapping's columns to `headers` spelling; drop metadata of missing columns."""
    by_norm = {normalize_header(h): h for h in headers}

    def name(column: str) -> str | None:
        return by_norm.get(normalize_header(column))

    def source(src: FieldSource | None) -> FieldSource | None:
        if src is None or src.kind is SourceKind.CONSTANT:
            return src
        if src.kind is SourceKind.COLUMN:
            return FieldSource.column(name(src.value) or src.value)
        text = src.value
        for column in src.columns():
            text = text.replace("{" + column + "}", "{" + (name(column) or column) + "}")
        return FieldSource.template(text)

    metadata = tuple(replace(m, column=found) for m in mapping.metadata
                     if (found := name(m.column)) is not None)
    return Mapping(source(mapping.key), source(mapping.account_id), source(mapping.bits),
                   mapping.amount, metadata)


class MappingLibrary:
    """Profiles saved in one JSON file, found again by the headers of the next file."""

    def __init__(self, path: Path) -> None:
        """Use the library file at `path` (created on the first save)."""
        self.path = path

    def profiles(self) -> list[Profile]:
        """Every saved profile.

        Raises:
            MappingFileError: when the library file is damaged.
        """
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise MappingFileError(f"Cannot read {self.path.name}: {exc.strerror}.") from exc
        except ValueError as exc:
            raise MappingFileError(f"{self.path.name} is not valid JSON: {exc}.") from exc
        if not isinstance(data, dict) or data.get("format") != LIBRARY_FORMAT:
            raise MappingFileError(f"{self.path.name} is not a mapping library.")
        profiles = []
        for entry in data.get("profiles", []):
            if not isinstance(entry, dict):
                raise MappingFileError(f"{self.path.name} holds a damaged profile.")
            profiles.append(Profile(str(entry.get("name", "")),
                                    tuple(str(h) for h in entry.get("headers", [])),
                                    mapping_from_json(entry.get("mapping"))))
        return profiles

    def save(self, name: str, headers: Sequence[str], mapping: Mapping) -> Profile:
        """Save (or replace) the profile for these headers.

        Raises:
            OSError: when the file cannot be written.
        """
        profile = Profile(name, tuple(headers), mapping)
        kept = [p for p in self.profiles()
                if p.signature != profile.signature and p.name != name]
        self._write([*kept, profile])
        return profile

    def remove(self, name: str) -> None:
        """Delete a profile by name."""
        self._write([p for p in self.profiles() if p.name != name])

    def _write(self, profiles: list[Profile]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.path, {
            "format": LIBRARY_FORMAT, "version": VERSION,
            "profiles": [{"name": p.name, "headers": list(p.headers), "signature": p.signature,
                          "mapping": mapping_to_json(p.mapping)} for p in profiles]})

    def find(self, headers: Sequence[str], min_overlap: float = 0.5) -> ProfileMatch | None:
        """The profile for these headers, or the closest one with what changed.

        Args:
            headers: The new file's column names.
            min_overlap: Least share of common columns (of all columns of both) to match.
        """
        wanted = {normalize_header(h): h for h in headers}
        best: tuple[float, Profile] | None = None
        for profile in self.profiles():
            known = {normalize_header(h) for h in profile.headers}
            overlap = len(known & wanted.keys()) / max(len(known | wanted.keys()), 1)
            if best is None or overlap > best[0]:
                best = (overlap, profile)
        if best is None or best[0] < min_overlap:
            return None
        overlap, profile = best
        known_names = {normalize_header(h): h for h in profile.headers}
        change = HeaderChange(
            tuple(h for n, h in wanted.items() if n not in known_names),
            tuple(h for n, h in known_names.items() if n not in wanted))
        return ProfileMatch(profile, overlap == 1.0, change,
                            adapt_mapping(profile.mapping, headers))
