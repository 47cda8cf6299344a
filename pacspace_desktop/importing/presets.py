"""Mapping presets for the systems finance staff export from, recognised by their headers.

A preset is a mapping file (version 2) with a `preset` block: its name, the system's full
header set, and a note for the Columns step. The presets ship in `resources/presets/`; the
caller passes that folder in (this layer does no look-ups of its own).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pacspace_desktop.importing.mapping import Mapping, check_mapping, normalize_header
from pacspace_desktop.importing.mapping_file import adapt_mapping
from pacspace_desktop.importing.mapping_json import MappingFileError, mapping_from_json


@dataclass(frozen=True, slots=True)
class Preset:
    """A shipped mapping for one system's export.

    Attributes:
        name: "Xero sales invoices".
        headers: The export's columns, as the system writes them.
        note: What the preset does, in a sentence or two.
        mapping: The mapping, in the system's spelling of the columns.
    """

    name: str
    headers: tuple[str, ...]
    note: str
    mapping: Mapping


@dataclass(frozen=True, slots=True)
class PresetMatch:
    """A preset that fits a file.

    Attributes:
        preset: The preset.
        share: Share of the preset's columns the file has (1.0: all).
        mapping: The preset's mapping in this file's spelling of the columns.
    """

    preset: Preset
    share: float
    mapping: Mapping

    def describe(self) -> str:
        """"This looks like a Xero sales invoices export (31 of 32 columns)."."""
        have = round(self.share * len(self.preset.headers))
        return (f"This looks like a {self.preset.name} export ({have} of "
                f"{len(self.preset.headers)} columns match).")


def load_preset(path: Path) -> Preset:
    """Read one preset file.

    Raises:
        MappingFileError: when it is damaged.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MappingFileError(f"The preset {path.name} cannot be read: {exc}.") from exc
    block = data.get("preset") if isinstance(data, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("name"), str):
        raise MappingFileError(f"{path.name} is not a preset (no “preset” block).")
    headers = block.get("headers", [])
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
        raise MappingFileError(f"{path.name}: “preset.headers” must be a list of names.")
    return Preset(block["name"], tuple(headers), str(block.get("note", "")),
                  mapping_from_json(data))


def load_presets(folder: Path) -> list[Preset]:
    """Every preset in a folder (`*.json`), by name; none when the folder is missing.

    Raises:
        MappingFileError: when a preset file is damaged (a broken install).
    """
    if not folder.is_dir():
        return []
    return sorted((load_preset(p) for p in folder.glob("*.json")), key=lambda p: p.name)


def match_preset(headers: Sequence[str], presets: Sequence[Preset],
                 least: float = 0.6) -> PresetMatch | None:
    """The preset whose columns the file has most of (at least `least` of them), and whose
    mapping fits the file; None when no preset fits."""
    have = {normalize_header(h) for h in headers}
    best: PresetMatch | None = None
    for preset in presets:
        wanted = {normalize_header(h) for h in preset.headers}
        share = len(wanted & have) / max(len(wanted), 1)
        if share < least or (best is not None and share <= best.share):
            continue
        mapping = adapt_mapping(preset.mapping, headers)
        if check_mapping(mapping, headers):
            continue
        best = PresetMatch(preset, share, mapping)
    return best
