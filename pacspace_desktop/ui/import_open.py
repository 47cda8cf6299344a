"""Opening a file on the Import page: asking before an import with work in it is put aside,
and using a preset the file's columns fit."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from pacspace_desktop.importing.presets import PresetMatch

if TYPE_CHECKING:
    from pacspace_desktop.importing import Mapping, MappingLibrary
    from pacspace_desktop.services.import_service import ImportResult, ImportService
    from pacspace_desktop.ui.import_grid import ImportGrid
    from pacspace_desktop.ui.import_mapping import MappingPanel


class FileOpening:
    """The Import page's opening of files (a base class; the page sets up the state)."""

    result: ImportResult | None
    replace_box: QMessageBox | None
    grid: ImportGrid
    imports: ImportService
    mapping: MappingPanel
    library: MappingLibrary

    def known_keys(self, keys: list[str]) -> set[str]:
        raise NotImplementedError

    def _say(self, text: str, problem: bool = False) -> None:
        raise NotImplementedError

    def _mapping_changed(self, mapping: Mapping) -> None:
        raise NotImplementedError

    def open_file(self, path: Path) -> None:
        """Read a file in the background, choose its columns and check every cell; asks
        first when the import on screen has changes or rows held back."""
        if self.grid.send_bar.sending:
            self._say("Wait until sending has ended (or pause it) before opening another "
                      "file.", problem=True)
            return
        at_stake = self._at_stake()
        if not at_stake:
            self._open(Path(path))
            return
        assert self.result is not None
        box = QMessageBox(QMessageBox.Icon.Question, "Open another file?",
                          f"Open {Path(path).name} instead of {self.result.path.name}?",
                          parent=self._widget())
        box.setInformativeText(f"The import of {self.result.path.name} has {at_stake}. "
                               "They are put aside when the other file opens; export the "
                               "rows with problems first if you still need them.")
        keep = box.addButton("Keep this import", QMessageBox.ButtonRole.RejectRole)
        box.addButton(f"Open {Path(path).name}", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(keep)
        box.finished.connect(lambda _r: self._replace_answered(box, keep, Path(path)))
        self.replace_box = box
        box.open()

    def _replace_answered(self, box: QMessageBox, keep: QAbstractButton, path: Path) -> None:
        self.replace_box = None
        if box.clickedButton() is not keep and box.clickedButton() is not None:
            self._open(path)

    def _at_stake(self) -> str:
        """What opening another file would put aside, in words ("" when nothing)."""
        validation = self.grid.model.validation
        if self.result is None:
            return ""
        parts = []
        changes = self.grid.editor.stack.index()
        if changes:
            parts.append(f"{changes:,} change{'s' if changes != 1 else ''} of yours")
        held = len(validation.error_rows()) if validation is not None else 0
        if held:
            parts.append(f"{held:,} row{'s' if held != 1 else ''} held back")
        return " and ".join(parts)

    def _open(self, path: Path) -> None:
        self.imports.load(path, library=self.library, known_keys=self.known_keys)

    def use_preset(self, match: PresetMatch) -> None:
        """Read the file as the preset says (header line, separator) and map it with it."""
        if self.result is None or self.grid.send_bar.sending:
            return
        settings, options = match.mapping.file, self.result.options
        table = self.result.table
        rereads = ((settings.header_line is not None
                    and settings.header_line != table.header_line)
                   or (settings.delimiter is not None
                       and settings.delimiter != table.detection.delimiter
                       and table.detection.delimiter != "")
                   or settings.skip_lines > 0)
        if rereads:
            options = dataclasses.replace(
                options, header_row=settings.header_line if settings.header_line is not None
                else options.header_row, delimiter=settings.delimiter or options.delimiter)
            self.imports.load(self.result.path, options, mapping=match.mapping,
                              library=None, known_keys=self.known_keys)
            return
        self.mapping.set_mapping(table.headers, match.mapping)
        self._mapping_changed(match.mapping)
        self.mapping.set_profile_note(f"Using the preset “{match.preset.name}”.")

    def _widget(self) -> QWidget | None:
        return self if isinstance(self, QWidget) else None
