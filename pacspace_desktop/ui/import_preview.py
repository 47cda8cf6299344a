"""Step 1 of an import: what was detected about the file and why, its first rows, and overrides
for the encoding, the separator, the header row and the sheet that read the file again."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.importing import FileKind, ImportTable, ReadOptions
from pacspace_desktop.ui.grid_editing import plural
from pacspace_desktop.ui.style import warning_style

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
PREVIEW_ROWS = 20
ENCODINGS = (("UTF-8", "utf-8"), ("UTF-8 with a byte order mark", "utf-8-sig"),
             ("Windows-1252 (Excel on Windows)", "cp1252"), ("Latin-1 (ISO-8859-1)", "latin-1"),
             ("UTF-16", "utf-16"), ("UTF-16 little-endian", "utf-16-le"),
             ("UTF-16 big-endian", "utf-16-be"), ("Mac Roman (older Macs)", "mac_roman"))
SEPARATORS = (("Comma  ,", ","), ("Semicolon  ;", ";"), ("Tab", "\t"), ("Pipe  |", "|"))
_SEPARATOR_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class PreviewTableModel(QAbstractTableModel):
    """The first rows of a table as read, with the file's line numbers."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: ImportTable | None = None

    @property
    def table(self) -> ImportTable | None:
        """The table previewed."""
        return self._table

    def set_table(self, table: ImportTable | None) -> None:
        """Show the first rows of `table`."""
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() or self._table is None:
            return 0
        return min(self._table.row_count, PREVIEW_ROWS)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() or self._table is None else len(self._table.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._table is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._table.columns[index.column()][index.row()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self._table is None or section < 0:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._table.headers[section] if section < len(self._table.headers) else None
        return str(self._table.line_of(section)) if section < self.rowCount() else None


class ImportPreview(QWidget):
    """What was detected, the first rows, and the choices that override detection.

    Signals:
        options_changed(object): the person chose other `ReadOptions`; read the file again.
        next_requested(): go on to choosing the columns.
    """

    options_changed = Signal(object)
    next_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._options = ReadOptions()
        self._loading = False
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.found.setTextFormat(Qt.TextFormat.RichText)
        self.found.setAccessibleName("What was detected")
        self.found.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sheet = QComboBox()
        self.sheet.setAccessibleName("Sheet")
        self.sheet.setToolTip("The sheet of the workbook to import.")
        self.encoding = QComboBox()
        self.encoding.setAccessibleName("Encoding")
        self.encoding.setToolTip("How the letters of the file are stored. Change it when "
                                 "accents or symbols look wrong in the rows below.")
        self.separator = QComboBox()
        self.separator.setAccessibleName("Separator")
        self.separator.setToolTip("The character between the columns of a line.")
        self.header = QSpinBox()
        self.header.setAccessibleName("Header on line")
        self.header.setRange(0, 100_000)
        self.header.setSpecialValueText("No header line")
        self.header.setToolTip("The line with the column names; 0 when the file has none.")
        self.reread = QPushButton("Read again")
        self.reread.setAccessibleName("Read the file again with these choices")
        self.next = QPushButton("Next: choose the columns →")
        self.next.setAccessibleName("Next: choose the columns")
        self.next.setDefault(True)
        self.model = PreviewTableModel(self)
        self.rows = QTableView()
        self.rows.setModel(self.model)
        self.rows.setAccessibleName("First rows of the file")
        self.rows.setAlternatingRowColors(True)
        self.rows.setWordWrap(False)
        self.rows.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.rows.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.rows_title = QLabel()
        self.rows_title.setAccessibleName("First rows summary")

        self.form = QFormLayout()
        self.form.addRow("Sheet:", self.sheet)
        self.form.addRow("Encoding:", self.encoding)
        self.form.addRow("Separator:", self.separator)
        header_row = QHBoxLayout()
        header_row.addWidget(self.header)
        header_row.addWidget(self.reread)
        header_row.addStretch(1)
        self.form.addRow("Header on line:", header_row)
        top = QHBoxLayout()
        top.addWidget(self.found, 3)
        top.addLayout(self.form, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.rows_title, 1)
        bottom.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.rows, 1)
        layout.addLayout(bottom)

        self.sheet.activated.connect(self._chosen)
        self.encoding.activated.connect(self._chosen)
        self.separator.activated.connect(self._chosen)
        self.reread.clicked.connect(self._chosen)
        self.header.editingFinished.connect(self._header_chosen)
        self.next.clicked.connect(self.next_requested)

    def set_table(self, path: Path, table: ImportTable, options: ReadOptions) -> None:
        """Show what was detected in a freshly read file."""
        self._loading = True
        self._options = options
        d = table.detection
        lines = "".join(f"<li>{escape(line)}</li>" for line in d.describe())
        issues = [i for i in table.issues if i.is_error]
        n = len(issues)
        note = (f"<p>{plural(n, 'line')} had a problem while reading; "
                f"{'they are' if n != 1 else 'it is'} in the problems list.</p>" if n else "")
        note += "".join(f"<p style='{warning_style()}'>⚠ {escape(w)}</p>"
                        for w in table.warnings)
        self.found.setText(f"<p><b>{escape(path.name)}</b> — {plural(table.row_count, 'row')}, "
                           f"{len(table.headers)} columns. What was found, and why:</p>"
                           f"<ul>{lines}</ul>{note}")
        workbook = d.kind is FileKind.XLSX
        self._set_row_visible(self.sheet, workbook)
        self._set_row_visible(self.encoding, not workbook)
        self._set_row_visible(self.separator, not workbook)
        self.sheet.clear()
        for name in d.sheets:
            self.sheet.addItem(name, name)
        if d.sheet:
            self.sheet.setCurrentIndex(max(0, self.sheet.findData(d.sheet)))
        self.encoding.clear()
        self.encoding.addItem(f"As detected ({d.encoding or '—'})", None)
        for label, codec in ENCODINGS:
            self.encoding.addItem(label, codec)
        self.encoding.setCurrentIndex(max(0, self.encoding.findData(options.encoding))
                                      if options.encoding else 0)
        self.separator.clear()
        word = _SEPARATOR_WORDS.get(d.delimiter, repr(d.delimiter))
        self.separator.addItem(f"As detected ({word})", None)
        for label, char in SEPARATORS:
            self.separator.addItem(label, char)
        self.separator.setCurrentIndex(max(0, self.separator.findData(options.delimiter))
                                       if options.delimiter else 0)
        self.header.setValue(d.header_line)
        self.model.set_table(table)
        self.rows.resizeColumnsToContents()
        header = self.rows.horizontalHeader()
        for col in range(self.model.columnCount()):
            header.resizeSection(col, min(header.sectionSize(col), 320))
        shown = min(table.row_count, PREVIEW_ROWS)
        self.rows_title.setText(f"The first {shown:,} of {table.row_count:,} rows, as read. "
                                "The number on the left is the line in the file.")
        self._loading = False

    def _set_row_visible(self, field: QWidget, visible: bool) -> None:
        self.form.setRowVisible(field, visible)

    def chosen_options(self) -> ReadOptions:
        """The options as chosen on screen."""
        return ReadOptions(encoding=self.encoding.currentData(),
                           delimiter=self.separator.currentData(),
                           header_row=self.header.value()
                           if self.header.value() != self._detected_header() else
                           self._options.header_row,
                           sheet=self.sheet.currentData() if self.sheet.count() else None)

    def _detected_header(self) -> int:
        table = self.model.table
        return table.detection.header_line if table is not None else -1

    def _header_chosen(self) -> None:
        if not self._loading and self.header.value() != self._detected_header():
            self._chosen()

    def _chosen(self) -> None:
        if not self._loading:
            self.options_changed.emit(self.chosen_options())
