"""Metadata editor: rows of name, type and value; add, remove, reorder; a JSON preview."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.metadata import MetaField, MetaProblem, MetaType, build_metadata
from pacspace_desktop.ui.style import error_style


def rows_height(view: QTableView, rows: int) -> int:
    """The height a table needs to show its header and `rows` rows, without a scroll bar."""
    header = view.horizontalHeader().sizeHint().height()
    return header + rows * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth() + 2

class MetadataEditor(QWidget):
    """Edits the metadata of one record.

    Signals:
        changed(): a row was added, removed, moved or edited.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Type", "Value"])
        self.table.setAccessibleName("Metadata values")
        self.table.setToolTip("Extra values stored with the record (metadata). Numbers keep "
                              "exactly the digits you type.")
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        # Two rows at least, four when there is room (a row holds a type box, so it is taller
        # than text); the form must leave room for the batch and an outcome on a small screen.
        self.table.verticalHeader().setDefaultSectionSize(
            max(self.table.verticalHeader().defaultSectionSize(), 30))
        self.table.setMinimumHeight(rows_height(self.table, 2))
        self.table.setMaximumHeight(rows_height(self.table, 4))
        self.table.itemChanged.connect(lambda _i: self._changed())
        self.add = QPushButton("Add value")
        self.remove = QPushButton("Remove")
        self.up = QPushButton("Move up")
        self.down = QPushButton("Move down")
        self.show_json = QPushButton("Show JSON")
        self.show_json.setCheckable(True)
        for b in (self.add, self.remove, self.up, self.down, self.show_json):
            b.setAccessibleName(f"Metadata: {b.text()}")
        self.add.clicked.connect(lambda: self.add_row())
        self.remove.clicked.connect(self._remove)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Metadata as JSON")
        self.preview.setMaximumHeight(80)
        self.preview.hide()
        self.show_json.toggled.connect(self.preview.setVisible)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(error_style())
        self.problems.setAccessibleName("Metadata problems")
        buttons = QHBoxLayout()
        for b in (self.add, self.remove, self.up, self.down):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.show_json)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.problems)
        layout.addWidget(self.preview)
        self._changed()

    def add_row(self, f: MetaField | None = None) -> None:
        """Add a row (empty, or filled from `f`)."""
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(f.name if f else ""))
        combo = QComboBox()
        combo.setAccessibleName("Metadata type")
        for kind in MetaType:
            combo.addItem(kind.value, kind)
        if f is not None:
            combo.setCurrentIndex(list(MetaType).index(f.kind))
        combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.table.setCellWidget(row, 1, combo)
        self.table.setItem(row, 2, QTableWidgetItem(f.text if f else ""))
        self.table.blockSignals(False)
        if f is None:
            self.table.setCurrentCell(row, 0)
            cell = self.table.item(row, 0)
            if cell is not None:
                self.table.editItem(cell)
        self._changed()

    def fields(self) -> list[MetaField]:
        """The rows as typed."""
        out = []
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, 1)
            kind = combo.currentData() if isinstance(combo, QComboBox) else MetaType.TEXT
            out.append(MetaField(self._text(row, 0), MetaType(kind), self._text(row, 2)))
        return out

    def set_fields(self, fields: list[MetaField]) -> None:
        """Replace all rows."""
        self.table.setRowCount(0)
        for f in fields:
            self.add_row(f)
        self._changed()

    def result(self) -> tuple[dict[str, jsonwire.JsonValue] | None, list[MetaProblem]]:
        """The metadata object and the problems of the rows."""
        return build_metadata(self.fields())

    def left_out(self) -> list[str]:
        """Names whose value is empty: they are not part of the record (said when it is added)."""
        return [f.name.strip() for f in self.fields() if f.name.strip() and not f.text.strip()]

    def _text(self, row: int, col: int) -> str:
        item = self.table.item(row, col)
        return item.text() if item is not None else ""

    def _remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._changed()

    def _move(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        fields = self.fields()
        fields[row], fields[target] = fields[target], fields[row]
        self.set_fields(fields)
        self.table.setCurrentCell(target, 0)

    def _changed(self) -> None:
        meta, problems = self.result()
        self.problems.setText("\n".join(p.message for p in problems))
        self.problems.setVisible(bool(problems))
        self.preview.setPlainText(jsonwire.dumps(meta) if meta is not None else "(no metadata)")
        has_rows = self.table.rowCount() > 0
        for b in (self.remove, self.up, self.down):
            b.setEnabled(has_rows)
        self.changed.emit()
