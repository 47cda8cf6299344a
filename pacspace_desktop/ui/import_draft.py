"""The import as a draft: the file, its reading options, the mapping and every step of the grid's
history, saved at most a second after each change and offered back after a restart or crash."""

from __future__ import annotations

import asyncio
import logging
import threading
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from pacspace_desktop.importing import (
    Detection,
    Edit,
    EditLogError,
    FileKind,
    ImportTable,
    Mapping,
    MappingFileError,
    ReadOptions,
    edit_from_json,
    mapping_from_json,
)
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.drafts import DraftStore

log = logging.getLogger(__name__)

NAME = "import"
FORMAT = "pacspace-import-draft"
SNAPSHOT_CELLS = 200_000  # up to this many cells, the edited table itself is saved too
_BACKGROUND_CELLS = 50_000  # a log with more changed cells is written in a worker thread


@dataclass(frozen=True, slots=True)
class SavedImport:
    """A draft read back.

    Attributes:
        path: The file.
        options: How it was read.
        mapping: The columns chosen.
        steps: Each step of the history: its name and its edits.
        file_state: "same", "changed" or "missing".
        table: The edited cells as saved (small imports only), or None.
        from_cells: The import was itself restored from saved cells (the file had changed).
    """

    path: Path
    options: ReadOptions
    mapping: Mapping
    steps: tuple[tuple[str, tuple[Edit, ...]], ...]
    file_state: str
    table: ImportTable | None
    from_cells: bool = False

    @property
    def changes(self) -> int:
        """Steps saved."""
        return len(self.steps)


def file_stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time of a file, or None when it is gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def table_json(table: ImportTable) -> dict[str, Any]:
    """The cells of a (small) table, with what was detected about its file."""
    return {"headers": list(table.headers), "columns": [list(c) for c in table.columns],
            "lines": list(table.source_lines), "detection": asdict(table.detection),
            "header_line": table.header_line}


def read_saved(data: Any) -> SavedImport | None:
    """A draft from its JSON, or None when it is not one (or cannot be understood)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    try:
        path = Path(data["path"])
        options = ReadOptions(**data["options"])
        mapping = mapping_from_json(data["mapping"])
        steps = tuple((str(s["text"]), tuple(edit_from_json(e) for e in s["edits"]))
                      for s in data["steps"])
        table = None
        if data.get("cells"):
            cells = data["cells"]
            found = dict(cells["detection"])
            found["kind"] = FileKind(found["kind"])
            found["sheets"] = tuple(found.get("sheets", ()))
            table = ImportTable(list(cells["headers"]), [list(c) for c in cells["columns"]],
                                array("q", cells["lines"]), Detection(**found),
                                header_line=int(cells["header_line"]))
    except (KeyError, TypeError, ValueError, EditLogError, MappingFileError) as exc:
        log.warning("the import draft cannot be read: %s", exc)
        return None
    stamp = file_stamp(path)
    saved = data.get("stamp")
    state = "missing" if stamp is None else "same" if saved == list(stamp) else "changed"
    return SavedImport(path, options, mapping, steps, state, table,
                       bool(data.get("from_cells")))


class DraftKeeper(QObject):
    """Saves the draft a moment after each change (atomically, big logs in a worker thread).

    Signals:
        save_failed(str): the draft could not be written; the text says why.
    """

    save_failed = Signal(str)

    def __init__(self, store: DraftStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lock = threading.Lock()
        self._seq = 0
        self._tasks: set[asyncio.Future[None]] = set()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(400)

    def load(self) -> SavedImport | None:
        """The saved draft, if there is one that can be restored."""
        try:
            return read_saved(self._store.load(NAME))
        except StorageError as exc:
            log.warning("%s", exc)
            return None

    def save(self, data: dict[str, Any], changed_cells: int) -> None:
        """Write the draft (replacing the last one)."""
        with self._lock:
            self._seq += 1
            seq = self._seq
        if changed_cells <= _BACKGROUND_CELLS:
            self._write(seq, data)
            return
        task = start_task(asyncio.to_thread(self._write, seq, data), name="saving the draft",
                          on_error=lambda exc: self.save_failed.emit(
                              f"The draft could not be saved ({exc})."))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _write(self, seq: int, data: dict[str, Any]) -> None:
        with self._lock:
            if seq != self._seq:
                return  # a newer save (or a discard) came after this one
            try:
                self._store.save(NAME, data)
            except StorageError as exc:
                self.save_failed.emit(str(exc))

    def discard(self) -> None:
        """Remove the draft (and drop a save not yet written)."""
        self.timer.stop()
        with self._lock:
            self._seq += 1
            self._store.discard(NAME)


class DraftBanner(QFrame):
    """"Restore the import of … with N changes?" above the page, with the choices.

    Signals:
        restore_requested(): restore from the file, re-applying the changes.
        restore_cells_requested(): restore from the cells saved with the draft.
        discard_requested(): forget the draft.
    """

    restore_requested = Signal()
    restore_cells_requested = Signal()
    discard_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("DraftBanner { background: palette(alternate-base); }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Unfinished import")
        self.restore = QPushButton("Restore the import")
        self.restore.setAccessibleName("Restore the import")
        self.restore_cells = QPushButton("Restore from the saved cells")
        self.restore_cells.setAccessibleName("Restore from the saved cells")
        self.discard = QPushButton("Discard it")
        self.discard.setAccessibleName("Discard the unfinished import")
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.restore)
        layout.addWidget(self.restore_cells)
        layout.addWidget(self.discard)
        self.restore.clicked.connect(self.restore_requested)
        self.restore_cells.clicked.connect(self.restore_cells_requested)
        self.discard.clicked.connect(self.discard_requested)
        self.hide()

    def offer(self, saved: SavedImport) -> None:
        """Say what was left unfinished and what can be done with it."""
        name = saved.path.name
        n = saved.changes
        changes = f"{n:,} change{'s' if n != 1 else ''}" if n else "no changes yet"
        can_file = saved.file_state == "same" and not saved.from_cells
        if can_file:
            text = (f"<b>Your import of “{name}” was not finished.</b> Restore it with "
                    f"{changes}?")
        else:
            what = "is gone" if saved.file_state == "missing" else "has changed since"
            text = f"<b>Your import of “{name}” was not finished</b>, and the file {what}. "
            text += ("Its cells were saved with your changes: restore from them?"
                     if saved.table is not None else
                     "The changes cannot be put on the file safely; open the file again to "
                     "start over, or discard the unfinished import.")
            if saved.from_cells and saved.table is not None:
                text = (f"<b>Your import of “{name}” was not finished.</b> Restore it from the "
                        f"saved cells ({changes} since)?")
        self.label.setText(text)
        self.restore.setVisible(can_file)
        self.restore_cells.setVisible(not can_file and saved.table is not None)
        self.show()
