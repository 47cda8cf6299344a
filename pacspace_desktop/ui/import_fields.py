"""The widgets of the Columns step: where a field comes from, and one metadata column."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QWidget,
)

from pacspace_desktop.importing import (
    DateOrder,
    DecimalSeparator,
    FieldSource,
    MetadataColumn,
    MetadataType,
    SourceKind,
)

KINDS = (("A column", SourceKind.COLUMN), ("Fixed text", SourceKind.CONSTANT),
         ("A pattern", SourceKind.TEMPLATE))
FACTORS = (("× 1 — whole numbers (counts, units)", 1), ("× 100 — amounts in cents", 100),
           ("× 10", 10), ("× 1,000", 1000), ("× 10,000", 10_000), ("× 1,000,000", 1_000_000))
SEPARATORS = (("Decide from the data", DecimalSeparator.AUTO),
              ("Point: 1,234.50", DecimalSeparator.POINT),
              ("Comma: 1.234,50", DecimalSeparator.COMMA))
TYPES = (("Text", MetadataType.TEXT), ("Number", MetadataType.NUMBER),
         ("Date", MetadataType.DATE), ("Yes or no", MetadataType.YESNO))
ORDERS = (("Decide from the data", DateOrder.AUTO),
          ("Day first: 03/04 is 3 April", DateOrder.DAY_FIRST),
          ("Month first: 03/04 is March 4", DateOrder.MONTH_FIRST))
_WARN = "color: #9a6700;"
_DEBOUNCE_MS = 400


def _combo(name: str, entries: Sequence[tuple[str, object]]) -> QComboBox:
    """A combo box of (label, value); Qt hands a StrEnum value back as its plain string."""
    box = QComboBox()
    box.setAccessibleName(name)
    for label, value in entries:
        box.addItem(label, value)
    return box


def _select(box: QComboBox, value: object) -> None:
    for i in range(box.count()):
        if box.itemData(i) == value:
            box.setCurrentIndex(i)
            return


class FieldChooser(QWidget):
    """Where one field comes from: a column, a fixed text, or a pattern like `inv-{No}`.

    Signals:
        changed(): the person changed the source.
    """

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = _combo(f"{label} comes from", KINDS)
        self.column = QComboBox()
        self.column.setAccessibleName(f"{label} column")
        self.text = QLineEdit()
        self.text.setAccessibleName(f"{label} text or pattern")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.column)
        self.stack.addWidget(self.text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.stack, 1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.column.activated.connect(lambda _i: self.changed.emit())
        self.text.textEdited.connect(lambda _t: self.changed.emit())

    def set_headers(self, headers: Sequence[str]) -> None:
        """The file's columns to choose from."""
        self.column.blockSignals(True)
        self.column.clear()
        self.column.addItem("— choose a column —", None)
        for h in headers:
            self.column.addItem(h, h)
        self.column.blockSignals(False)

    def set_source(self, source: FieldSource | None) -> None:
        """Show a source (None: nothing chosen yet)."""
        self.blockSignals(True)
        kind = source.kind if source is not None else SourceKind.COLUMN
        _select(self.kind, kind)
        self._kind_changed()
        if kind is SourceKind.COLUMN:
            _select(self.column, source.value if source is not None else None)
        else:
            self.text.setText(source.value if source is not None else "")
        self.blockSignals(False)

    def source(self) -> FieldSource | None:
        """The source as chosen, or None when nothing is chosen."""
        kind = SourceKind(self.kind.currentData())
        if kind is SourceKind.COLUMN:
            name = self.column.currentData()
            return FieldSource.column(name) if name else None
        text = self.text.text()
        if not text:
            return None
        return FieldSource.constant(text) if kind is SourceKind.CONSTANT \
            else FieldSource.template(text)

    def _kind_changed(self) -> None:
        kind = SourceKind(self.kind.currentData())
        self.stack.setCurrentIndex(0 if kind is SourceKind.COLUMN else 1)
        self.text.setPlaceholderText("inv-{Invoice No}" if kind is SourceKind.TEMPLATE
                                     else "the same text on every row")
        self.text.setToolTip("Write column names in braces: inv-{Invoice No}."
                             if kind is SourceKind.TEMPLATE else "")
        self.changed.emit()


class MetadataRow:
    """The widgets of one column in the metadata list."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.include = QCheckBox(column)
        self.include.setAccessibleName(f"Send column {column} as metadata")
        self.name = QLineEdit(column)
        self.name.setAccessibleName(f"Metadata name for {column}")
        self.type = _combo(f"Type of {column}", TYPES)
        self.order = _combo(f"Date order of {column}", ORDERS)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName(f"What was found in {column}")
        self.separator = DecimalSeparator.AUTO

    def widgets(self) -> list[QWidget]:
        """In grid order."""
        return [self.include, self.name, self.type, self.order, self.note]

    def set(self, meta: MetadataColumn | None) -> None:
        """Show a metadata choice (None: the column is left out)."""
        self.include.setChecked(meta is not None)
        self.name.setText(meta.name if meta is not None else self.column)
        _select(self.type, meta.type if meta is not None else MetadataType.TEXT)
        _select(self.order, meta.date_order if meta is not None else DateOrder.AUTO)
        self.separator = meta.decimal_separator if meta is not None else DecimalSeparator.AUTO
        self.update_enabled()

    def update_enabled(self) -> None:
        """Enable what applies to the chosen type."""
        on = self.include.isChecked()
        self.name.setEnabled(on)
        self.type.setEnabled(on)
        self.order.setVisible(on and self.type.currentData() == MetadataType.DATE)

    def value(self) -> MetadataColumn | None:
        """The choice, or None when the column is left out."""
        if not self.include.isChecked():
            return None
        return MetadataColumn(self.column, self.name.text().strip(),
                              MetadataType(self.type.currentData()),
                              DateOrder(self.order.currentData()), self.separator)
