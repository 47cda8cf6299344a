"""Import file: read any invoice file, choose its columns, check every cell, send the valid rows.

The page is the three steps of an import (the file, its columns, check and send) in tabs;
reading and checking run in `ImportService`'s worker, sending in `SubmissionService`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.importing import (
    Mapping,
    MappingFileError,
    MappingLibrary,
    ReadOptions,
    SourceKind,
    check_mapping,
    export_problems_csv,
)
from pacspace_desktop.importing.gcpause import thaw
from pacspace_desktop.importing.matching import describe_suggestions, suggest_missing
from pacspace_desktop.importing.release import release_steps
from pacspace_desktop.services.import_service import ImportResult, ImportService
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.grid_actions import GridActions
from pacspace_desktop.ui.grid_commands import MappingCommand
from pacspace_desktop.ui.grid_editing import plural
from pacspace_desktop.ui.import_draft import DraftBanner, DraftKeeper
from pacspace_desktop.ui.import_grid import ImportGrid
from pacspace_desktop.ui.import_mapping import MappingPanel
from pacspace_desktop.ui.import_open import FileOpening
from pacspace_desktop.ui.import_preview import ImportPreview
from pacspace_desktop.ui.import_restore import DraftController

FORMATS = (".csv", ".tsv", ".txt", ".tab", ".xlsx", ".xlsm")
FILE_FILTER = "Invoice files (*.csv *.tsv *.txt *.xlsx);;All files (*)"
EMPTY_TEXT = ("<h2>Choose a file of invoices, or drop it here.</h2>"
              "<p>CSV, TSV and text files (any separator: comma, semicolon, tab, pipe; any "
              "usual encoding) and Excel workbooks (.xlsx) are understood. Amounts like "
              "<i>$1,234.50</i>, <i>1.234,56 €</i> or <i>(250.00)</i> and most date formats "
              "are read as they are.</p><p>Nothing is sent until you check the rows and "
              "confirm.</p>")
TAB_FILE, TAB_COLUMNS, TAB_CHECK = 0, 1, 2
_PROBLEM = "color: #cf222e;"


class ImportPage(FileOpening, QWidget):
    """Import a file of invoices.

    Signals:
        settings_requested(): open the key settings (after a 401).
        check_requested(int): check a submission on the server (after an unknown outcome).
    """

    settings_requested = Signal()
    check_requested = Signal(int)

    def __init__(self, session: SessionService, service: SubmissionService, store: HistoryStore,
                 drafts: DraftStore, config_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._drafts = drafts
        self.library = MappingLibrary(config_dir / "mappings.json")
        self.imports = ImportService(parent=self)
        self.imports.prepare = ImportGrid.prepare  # the totals and problems list, in the worker
        self.result: ImportResult | None = None
        self.replace_box: QMessageBox | None = None  # "Open another file?" while it asks
        self._checked_mapping: Mapping | None = None  # the mapping last sent to be checked
        self.setAcceptDrops(True)

        self.title = QLabel("<b>Import file</b>")
        self.file_label = QLabel()
        self.file_label.setAccessibleName("File")
        self.choose = QPushButton("Choose a file…")
        self.choose.setAccessibleName("Choose a file")
        self.choose.setToolTip("Open a CSV, TSV, text or Excel file of invoices (Ctrl+O).")
        self.choose.clicked.connect(self.choose_file)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setAccessibleName("Reading progress")
        self.bar_label = QLabel()
        self.bar_label.setAccessibleName("Reading status")
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel reading")
        self.cancel.clicked.connect(self.imports.cancel)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.hide()

        self.empty = QWidget()
        self.empty_text = QLabel(EMPTY_TEXT)
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_choose = QPushButton("Choose a file…")
        self.empty_choose.setAccessibleName("Choose a file of invoices")
        self.empty_choose.clicked.connect(self.choose_file)
        el = QVBoxLayout(self.empty)
        el.addStretch(1)
        el.addWidget(self.empty_text)
        el.addWidget(self.empty_choose, 0, Qt.AlignmentFlag.AlignHCenter)
        el.addStretch(2)

        self.preview = ImportPreview()
        self.mapping = MappingPanel()
        self.grid = ImportGrid(session, service, store)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Import steps")
        self.tabs.addTab(self.preview, "1. The file")
        self.tabs.addTab(self.mapping, "2. Columns")
        self.tabs.addTab(self.grid, "3. Check and send")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tabs)

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.file_label, 1)
        head.addWidget(self.choose)
        self.progress_row = QWidget()
        pr = QHBoxLayout(self.progress_row)
        pr.setContentsMargins(0, 0, 0, 0)
        pr.addWidget(self.bar, 1)
        pr.addWidget(self.bar_label, 2)
        pr.addWidget(self.cancel)
        self.progress_row.hide()
        self.grid_actions = GridActions(self.grid.editor, self.grid.find_bar, self, parent=self)
        self.banner = DraftBanner()
        self.draft = DraftController(self, DraftKeeper(drafts, self), self.banner)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(head)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

        self.imports.started.connect(self._started)
        self.imports.progress.connect(self._progress)
        self.imports.finished.connect(self._loaded)
        self.imports.cancelled.connect(self._stopped)
        self.imports.failed.connect(self._failed)
        self.preview.options_changed.connect(self._reread)
        self.preview.next_requested.connect(lambda: self.tabs.setCurrentIndex(TAB_COLUMNS))
        self.mapping.mapping_changed.connect(self._mapping_changed)
        self.mapping.remember_requested.connect(self.remember_mapping)
        self.mapping.preset_requested.connect(self.use_preset)
        self.grid.settings_requested.connect(self.settings_requested)
        self.grid.check_requested.connect(self.check_requested)
        self.grid.export_requested.connect(self.export_problems)
        self.draft.offer()

    def edit_actions(self) -> list[QAction | None]:
        """The grid's actions for the window's Edit menu (None where a separator goes)."""
        return self.grid_actions.menu_actions()

    def showEvent(self, event: QShowEvent) -> None:
        self.grid_actions.set_active(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.grid_actions.set_active(False)
        super().hideEvent(event)

    # ---- opening ----------------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ask for a file, then open it."""
        name, _filter = QFileDialog.getOpenFileName(self, "Choose a file of invoices", "",
                                                    FILE_FILTER)
        if name:
            self.open_file(Path(name))

    def _reread(self, options: ReadOptions) -> None:
        if self.result is not None and not self.grid.send_bar.sending:
            self.imports.load(self.result.path, options, mapping=self.mapping.mapping(),
                              library=self.library, known_keys=self.known_keys)

    def known_keys(self, keys: list[str]) -> set[str]:
        """Which of `keys` were sent before (the history)."""
        return set(self._store.sightings(keys))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_path(event)
        if path is not None:
            event.acceptProposedAction()
            self.open_file(path)

    @staticmethod
    def _dropped_path(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        return local[0] if len(local) == 1 and local[0].suffix.lower() in FORMATS else None

    # ---- background work --------------------------------------------------------------------

    def _started(self, what: str) -> None:
        self.bar.setValue(0)
        self.bar_label.setText(what)
        self.progress_row.show()
        self.message.hide()

    def _progress(self, percent: int, text: str) -> None:
        self.bar.setValue(percent)
        self.bar_label.setText(text)

    def _stopped(self, text: str) -> None:
        self.progress_row.hide()
        self._say(text)

    def _failed(self, text: str) -> None:
        self.progress_row.hide()
        self._say(text, problem=True)

    def _loaded(self, result: ImportResult) -> None:
        self.progress_row.hide()
        old = self.result
        new_table = old is None or result.table is not old.table
        self.result = result
        table = result.table
        if new_table:
            self.file_label.setText(f"{result.path.name} — {plural(table.row_count, 'row')}")
            self.preview.set_table(result.path, table, result.options)
            self.grid.send_bar.set_source(result.path.name)
            self.grid.send_bar.reset()
        if new_table:  # after a check, the panel already shows (or is ahead of) the mapping
            self.mapping.set_mapping(table.headers, result.mapping)
            self.mapping.set_suggestions(result.suggested)
            self.mapping.preset.offer(result.preset, in_use=result.preset is not None
                                      and result.mapping == result.preset.mapping)
        self._show_repeats(result)
        if new_table:
            self._checked_mapping = result.mapping
        self.grid.show_result(result, keep_states=not new_table)
        bits = result.mapping.bits
        self.mapping.set_formats(
            result.validation.formats if result.validation is not None else [],
            bits.value if bits is not None and bits.kind is SourceKind.COLUMN else None)
        self.mapping.set_problems(self._with_suggestions(result.mapping,
                                                         list(result.mapping_problems)))
        note = ""
        if result.profile is not None:
            note = f"Using the saved mapping “{result.profile.profile.name}”."
            if not result.profile.exact:
                note += f" {result.profile.change.describe()} Check the columns."
        if new_table:
            self.mapping.set_profile_note(note)
            self.stack.setCurrentWidget(self.tabs)
            self.tabs.setCurrentIndex(TAB_FILE)
            words = f"Read {plural(table.row_count, 'row')} from {result.path.name}."
            if result.mapping_problems:
                words += " Some columns still need choosing (step 2)."
            self._say(f"{words} {note}".strip())
        self.draft.loaded(result, new_table)
        self.grid_actions.update()
        if new_table and old is not None:  # the table put aside is freed a piece at a time
            parts: list[object] = [old.validation, old.table]
            del old
            start_task(_let_go(parts), name="letting go of the last table")

    def _show_repeats(self, result: ImportResult) -> None:
        validation = result.validation
        count, key, lines = validation.first_repeat() if validation is not None else (0, "", 0)
        self.mapping.set_repeat_info(count, key, lines)

    def say_restored(self, changes: int) -> None:
        """Tell that an unfinished import is back."""
        if self.result is not None:
            self.tabs.setCurrentIndex(TAB_CHECK)
            self._say(f"Restored {self.result.path.name} with your {changes:,} "
                      f"change{'s' if changes != 1 else ''}. Undo (Ctrl+Z) takes them back "
                      "one by one.")

    def _mapping_changed(self, mapping: Mapping) -> None:
        if self.result is None or self.grid.send_bar.sending:
            return
        old = self._checked_mapping or self.result.mapping
        if mapping != old:
            self.grid.editor.push(MappingCommand(self._apply_mapping, old, mapping))

    def _apply_mapping(self, mapping: Mapping, show: bool) -> None:
        """Check every cell under `mapping` (a step of the history, or its undo)."""
        if self.result is None:
            return
        self._checked_mapping = mapping
        if show:
            self.mapping.set_mapping(self.result.table.headers, mapping)
        problems = check_mapping(mapping, self.result.table.headers)
        if problems:
            self.mapping.set_problems(self._with_suggestions(mapping, problems))
            self.grid.show_result(ImportResult(self.result.path, self.result.options,
                                               self.result.table, mapping, None,
                                               self.result.profile, tuple(problems)),
                                  keep_states=True)
            return
        self.mapping.set_problems([])
        self.imports.check(self.result, mapping, known_keys=self.known_keys)

    def _with_suggestions(self, mapping: Mapping, problems: list[str]) -> list[str]:
        """What is missing, and which columns could fill it (ranked, with sample values)."""
        if not problems or self.result is None:
            return problems
        table = self.result.table
        found = suggest_missing(table.headers, [c[:200] for c in table.columns], mapping)
        return [*problems, *describe_suggestions(found)]

    # ---- profiles and export ----------------------------------------------------------------

    def remember_mapping(self) -> None:
        """Save the mapping on screen for files with the same columns."""
        if self.result is None:
            return
        name = self.result.path.stem
        mapping = self.mapping.mapping()
        chosen = self.result.options  # what the person chose in step 1 goes with the mapping
        settings = dataclasses.replace(
            mapping.file,
            header_line=(chosen.header_row if chosen.header_row is not None
                         else mapping.file.header_line),
            encoding=chosen.encoding or mapping.file.encoding,
            delimiter=chosen.delimiter or mapping.file.delimiter,
            sheet=chosen.sheet or mapping.file.sheet)
        try:
            self.library.save(name, self.result.table.headers,
                              dataclasses.replace(mapping, file=settings))
        except (OSError, MappingFileError) as exc:
            self.mapping.set_profile_note(f"The mapping could not be saved: {exc}")
            return
        self.mapping.set_profile_note(f"Saved as “{name}”. Files with the same columns will "
                                      "use it.")

    def export_problems(self, path: Path | None = None) -> int:
        """Write the rows with problems and a "Problem" column to a CSV; asks where if no path.

        Returns:
            The number of rows written (-1 when nothing was written).
        """
        validation = self.grid.model.validation
        if validation is None or self.result is None:
            return -1
        if path is None:
            suggested = str(self.result.path.with_name(f"{self.result.path.stem}-problems.csv"))
            name, _f = QFileDialog.getSaveFileName(self, "Export the rows with problems",
                                                   suggested, "CSV files (*.csv)")
            if not name:
                return -1
            path = Path(name)
        try:
            written = export_problems_csv(validation, path)
        except OSError as exc:
            self._say(f"The file could not be written: {exc.strerror or exc}.", problem=True)
            return -1
        self._say(f"{plural(written, 'row')} with problems {'were' if written != 1 else 'was'} "
                  f"written to {path.name}, with a "
                  "“Problem” column. Fix them there, then import that file.")
        return written

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(_PROBLEM if problem else "")
        self.message.setVisible(bool(text))


async def _let_go(parts: list[object]) -> None:
    """Free a table nobody shows any more in steps, the event loop running between them
    (a million rows at once: 0.26 s on the Qt thread)."""
    for _step in release_steps(parts):
        await asyncio.sleep(0)
    thaw()  # cycles frozen with the table's jobs are collected again
