"""Step 3 of an import: the grid of every row with its problems, the problems panel, the control
totals, and sending."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStyle,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.validation import FIELD_LABELS
from pacspace_desktop.importing import SourceKind, TableValidation
from pacspace_desktop.importing.validate import StagedRevalidation
from pacspace_desktop.services.import_service import ImportResult
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.ui.grid_editing import GridEditor
from pacspace_desktop.ui.grid_find import FindBar
from pacspace_desktop.ui.grid_view import GridView
from pacspace_desktop.ui.grid_worker import Before
from pacspace_desktop.ui.import_grid_model import CellEdit, ImportGridModel
from pacspace_desktop.ui.import_problems import ProblemsPanel, listing
from pacspace_desktop.ui.import_send import ImportSender
from pacspace_desktop.ui.import_totals import RunningTotals, TotalsPanel

_MAX_WIDTH = 260
_SAMPLE = 50  # rows whose texts size the columns (and as many spread over the file)


class ImportGrid(QWidget):
    """The rows of the file as checked, and what to do with them.

    Signals:
        settings_requested(): open the key settings (after a 401).
        check_requested(int): check a submission on the server.
        export_requested(): export the rows with problems to a CSV file.
    """

    settings_requested = Signal()
    check_requested = Signal(int)
    export_requested = Signal()

    def __init__(self, session: SessionService, service: SubmissionService, store: HistoryStore,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: ImportResult | None = None
        self.model = ImportGridModel(self)
        self.view = GridView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Rows of the file")
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.editor = GridEditor(self.model, self.view, parent=self)
        self.find_bar = FindBar(self.model, self.view)
        self.find_bar.replace_requested.connect(self.editor.push_cells)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("What the last change did")
        self.note.hide()
        self.editor.said.connect(self._tell)
        self.check_label = QLabel()
        self.check_label.setAccessibleName("Checking the changed rows")
        self.check_label.setToolTip("The rows of a big change are checked in the background; "
                                    "the grid can be changed again when the check ends.")
        self.check_label.hide()
        self.model.check_progress.connect(self._checking)
        self.model.checking_changed.connect(self._lock_for_check)
        self.filter_label = QLabel()
        self.filter_label.setAccessibleName("Rows shown")
        self.show_all = QPushButton("Show all rows")
        self.show_all.setAccessibleName("Show all rows")
        self.show_all.clicked.connect(self._show_all)
        self.model.modelReset.connect(self._update_filter_label)
        self.history = QUndoView(self.editor.stack)
        self.history.setEmptyLabel("The file as read")
        self.history.setAccessibleName("History of changes")
        self.history.setToolTip("Every change to the rows and columns. Click a step to go "
                                "back to it; Ctrl+Z and Ctrl+Y step back and forth.")
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # 1M rows: no measuring
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        rows.setToolTip("The line of the file")
        self.only_problems = QCheckBox("Show only rows with problems")
        self.only_problems.setAccessibleName("Show only rows with problems")
        self.only_problems.toggled.connect(self.model.set_only_problems)
        self.export = QPushButton("Export rows with problems…")
        self.export.setAccessibleName("Export rows with problems")
        self.export.setToolTip("Write the rows with problems to a CSV file, with a “Problem” "
                               "column, to fix them in Excel.")
        self.export.clicked.connect(self.export_requested)
        hint = QLabel("Type in a cell (or press F2) to correct it; right-click for more.")
        hint.setToolTip("A corrected cell is checked again at once. Enter moves down, "
                        "Ctrl+Enter fills the selection, Ctrl+D fills down, Delete clears, "
                        "Ctrl+Z undoes. Paste from Excel with Ctrl+V. The number on the left "
                        "of each row is its line in the file (“new” for rows you added).")
        self.problems = ProblemsPanel()
        self.problems.cell_requested.connect(self.show_cell)
        self.totals = TotalsPanel()
        self.send_bar = ImportSender(session, service, store, self.model, self.totals)
        self.send_bar.settings_requested.connect(self.settings_requested)
        self.send_bar.check_requested.connect(self.check_requested)
        self.send_bar.row_requested.connect(self._show_field)
        self.send_bar.run_finished.connect(self._run_finished)
        self.send_bar.run_started.connect(self._make_room)
        self.model.cells_changed.connect(self._edited)
        self.model.in_worker = self._in_worker  # what follows a big edit, off the Qt thread

        tools = QHBoxLayout()
        tools.addWidget(self.only_problems)
        tools.addWidget(self.filter_label)
        tools.addWidget(self.show_all)
        tools.addWidget(hint, 1)
        tools.addWidget(self.export)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.find_bar)
        ll.addLayout(tools)
        ll.addWidget(self.note)
        ll.addWidget(self.check_label)
        ll.addWidget(self.view, 1)
        ll.addWidget(self.send_bar)
        problems_box = QGroupBox("Problems")
        QVBoxLayout(problems_box).addWidget(self.problems)
        totals_box = QGroupBox("Control totals")
        QVBoxLayout(totals_box).addWidget(self.totals)
        history_box = QGroupBox("Changes")
        QVBoxLayout(history_box).addWidget(self.history)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(problems_box)
        side.addWidget(totals_box)
        side.addWidget(history_box)
        side.setSizes([250, 200, 120])
        across = QSplitter(Qt.Orientation.Horizontal)
        across.addWidget(left)
        across.addWidget(side)
        across.setStretchFactor(0, 3)
        across.setStretchFactor(1, 2)
        across.setSizes([640, 420])
        down = QSplitter(Qt.Orientation.Vertical)
        down.addWidget(across)
        down.addWidget(self.send_bar.panel)  # hidden until the first run
        down.setStretchFactor(0, 3)
        down.setStretchFactor(1, 2)
        self._down = down
        layout = QVBoxLayout(self)
        layout.addWidget(down)

    @staticmethod
    def prepare(validation: TableValidation) -> dict[str, object]:
        """In the worker of a check: the problems list and the control totals the grid shows
        (`ImportService.prepare`)."""
        return {"problems": listing(validation), "totals": RunningTotals(validation)}

    def show_result(self, result: ImportResult, keep_states: bool) -> None:
        """Show a read and checked file (or the same table checked under another mapping)."""
        self._result = result
        self.model.set_table(result.table, result.mapping, result.validation, keep_states)
        prepared = result.prepared if isinstance(result.prepared, dict) else {}
        self.problems.set_validation(result.validation, prepared.get("problems"))
        self.totals.set_validation(result.validation, prepared.get("totals"))
        if result.validation is not None and keep_states:
            self.totals.add_accepted(self.send_bar.accepted_items())
        self.send_bar.update_state()
        self.export.setEnabled(result.validation is not None)
        if not keep_states:
            self._size_columns()

    def _size_columns(self) -> None:
        """Each column as wide as its name or the widest text of a sample of rows (the first
        ones and some spread over the file), at most `_MAX_WIDTH`: measured as text, not through
        the view (`resizeColumnsToContents` asked the delegate for 16,800 sizes: 60–180 ms on
        the Qt thread when a file landed)."""
        model, header = self.model, self.view.horizontalHeader()
        count = model.rowCount()
        sample = sorted({*range(min(count, _SAMPLE)),
                         *range(0, count, max(count // _SAMPLE, 1))})
        advance = self.view.fontMetrics().horizontalAdvance
        room = 2 * self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 32
        table = model.table
        for col in range(model.columnCount()):
            if col == model.COL_STATUS or table is None:
                texts = {str(model.data(model.index(row, col)) or "") for row in sample}
            else:
                cells = table.columns[col - 1]
                texts = set(map(cells.__getitem__, map(model.table_row, sample)))
            widest = max(map(advance, texts), default=0) + room  # room for a problem's icon
            header.resizeSection(col, min(max(widest, header.sectionSizeHint(col)),
                                          _MAX_WIDTH))

    def show_cell(self, row: int, column: str) -> None:
        """Select and show the cell of a table row and a column name ("" = the status)."""
        view_row = self.model.view_row(row)
        if view_row < 0:
            self._show_all()
            view_row = self.model.view_row(row)
        index = self.model.index(view_row, self.model.view_column(column))
        self.view.setCurrentIndex(index)
        self.view.selectionModel().select(index,
                                          QItemSelectionModel.SelectionFlag.ClearAndSelect)
        # Centre the row, but scroll sideways only as far as needed to show the cell.
        self.view.scrollTo(self.model.index(view_row, 0),
                           QAbstractItemView.ScrollHint.PositionAtCenter)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        self.view.setFocus()

    def _show_field(self, row: int, wire: str) -> None:
        mapping = self._result.mapping if self._result is not None else None
        source = mapping.sources().get(wire) if mapping is not None and wire else None
        column = source.value if source is not None and source.kind is SourceKind.COLUMN \
            else FIELD_LABELS.get(wire, "")
        self.show_cell(row, column)

    def _tell(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _checking(self, text: str) -> None:
        self.check_label.setText(text)
        self.check_label.setVisible(bool(text))

    def _lock_for_check(self, checking: bool) -> None:
        """No step of the history (nor a run) while a big change is checked."""
        self.history.setEnabled(not checking)
        if checking:
            self.send_bar.send.setEnabled(False)  # the check decides which rows are valid
        else:
            self.send_bar.update_state()

    def _show_all(self) -> None:
        self.model.sort(-1)
        self.model.clear_filters()
        self.only_problems.setChecked(False)

    def _update_filter_label(self) -> None:
        model = self.model
        parts = [f"{name} is “{value}”" for name, value in model.filters.items()]
        if model.sort_column >= 0:
            name = model.headerData(model.sort_column, Qt.Orientation.Horizontal)
            parts.append(f"sorted by {str(name).splitlines()[0].split('  ⚠')[0]}")
        self.filter_label.setText(("Only rows where " if model.filters else "Rows ")
                                  + ", ".join(parts) if parts else "")
        self.filter_label.setVisible(bool(parts))
        self.show_all.setVisible(bool(parts))

    def _in_worker(self, staged: StagedRevalidation,
                   before: Before) -> dict[str, object]:
        return {"totals": self.totals.precompute(staged, before),
                "problems": self.problems.precompute(staged)}

    def _edited(self, edit: CellEdit) -> None:
        worked = edit.worked if isinstance(edit.worked, dict) else {}
        listed = worked.get("problems")
        self.problems.update_rows(edit.affected, moved=edit.delta != 0,
                                  listed=listed if isinstance(listed, list) else None)
        self.totals.apply(edit)
        self.send_bar.update_state()

    def _make_room(self) -> None:
        """Give the outcomes of the run a share of the height."""
        top, bottom = self._down.sizes()
        if bottom < 180:
            self._down.setSizes([max(top + bottom - 240, 200), 240])

    def _run_finished(self) -> None:
        self.send_bar.update_state()
