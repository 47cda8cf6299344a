"""Mappings as JSON files (versioned), and a library of profiles found by a file's headers."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pacspace_desktop.importing.mapping import (
    FieldSource,
    Mapping,
    SignKind,
    SourceKind,
    normalize_header,
)
from pacspace_desktop.importing.mapping_json import (
    MappingFileError,
    mapping_from_json,
    mapping_to_json,
)

LIBRARY_FORMAT = "pacspace-import-mapping-library"
LIBRARY_VERSION = 1

__all__ = ["HeaderChange", "MappingFileError", "MappingLibrary", "Profile", "ProfileMatch",
           "adapt_mapping", "header_signature", "load_mapping", "load_mapping_file",
           "mapping_from_json", "mapping_to_json", "save_mapping"]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MappingFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise MappingFileError(f"{path.name} is not valid JSON: {exc}.") from exc


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file (a library of the app's saved profiles with one profile too).

    Raises:
        MappingFileError: when the file cannot be read or is not a mapping.
    """
    return load_mapping_file(path)[0]


def load_mapping_file(path: Path, name: str | None = None) -> tuple[Mapping, str]:
    """Read a mapping file, or one profile (by `name`, or the only one) of a library file.

    Returns:
        The mapping and where it came from in words ("mapping.json", "profile “Xero”").

    Raises:
        MappingFileError: when the file cannot be read or holds no such mapping.
    """
    data = _read_json(path)
    if isinstance(data, dict) and data.get("format") == LIBRARY_FORMAT:
        profiles = MappingLibrary(path).profiles()
        wanted = [p for p in profiles if name is None or p.name == name]
        if len(wanted) == 1:
            return wanted[0].mapping, f"profile “{wanted[0].name}” of {path.name}"
        names = ", ".join(f"“{p.name}”" for p in profiles) or "none"
        raise MappingFileError(f"{path.name} holds the app's saved profiles ({names}); name "
                               "one with --mapping NAME.")
    return mapping_from_json(data), path.name


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
    import hashlib  # OpenSSL's: ~3 ms of every start of `check`, which needs it only here

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
    sign = mapping.sign
    if sign.kind is not SignKind.NONE:
        sign = replace(sign, column=name(sign.column) or sign.column)
    return replace(mapping, key=source(mapping.key), account_id=source(mapping.account_id),
                   bits=source(mapping.bits), metadata=metadata, sign=sign)


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
            "format": LIBRARY_FORMAT, "version": LIBRARY_VERSION,
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
