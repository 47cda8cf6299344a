"""Step 2 of an import: which column (or text, or pattern) becomes the record key, the account
ID and the bits, how amounts become bits, and which other columns go along as metadata."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.validation import FIELD_LABELS
from pacspace_desktop.importing import (
    AmountRule,
    ColumnFormat,
    DateOrder,
    DecimalSeparator,
    FieldSource,
    Mapping,
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


class MappingPanel(QWidget):
    """Choosing the columns; changes are reported after a short pause in typing.

    Signals:
        mapping_changed(object): the `Mapping` as now chosen.
        remember_requested(): save this mapping for files with the same columns.
    """

    mapping_changed = Signal(object)
    remember_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._headers: list[str] = []
        self._formats: dict[str, ColumnFormat] = {}
        self.fields = {wire: FieldChooser(FIELD_LABELS[wire]) for wire in
                       ("key", "accountId", "bits")}
        self.factor = _combo("Bits are the amount", FACTORS)
        self.decimal = _combo("Decimal separator", SEPARATORS)
        self.evidence = QLabel()
        self.evidence.setWordWrap(True)
        self.evidence.setAccessibleName("What was found in the bits column")
        fields = QGroupBox("What each record is made of")
        grid = QGridLayout(fields)
        hints = {"key": "Unique per record, e.g. the invoice number.",
                 "accountId": "Whose balance the record counts for, e.g. the customer.",
                 "bits": "Whole number the record adds; negative to subtract."}
        for row, (wire, chooser) in enumerate(self.fields.items()):
            label = QLabel(f"<b>{FIELD_LABELS[wire]}</b>")
            label.setToolTip(f"PacSpace's name: {wire}")
            hint = QLabel(hints[wire])
            hint.setWordWrap(True)
            grid.addWidget(label, row, 0)
            grid.addWidget(chooser, row, 1)
            grid.addWidget(hint, row, 2)
            chooser.changed.connect(self._changed)
        amount = QHBoxLayout()
        amount.addWidget(QLabel("Bits are the number"))
        amount.addWidget(self.factor)
        amount.addWidget(QLabel("Decimal separator"))
        amount.addWidget(self.decimal)
        amount.addStretch(1)
        grid.addLayout(amount, 3, 1, 1, 2)
        grid.addWidget(self.evidence, 4, 1, 1, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 1)
        self.factor.activated.connect(self._changed)
        self.decimal.activated.connect(self._changed)

        self.meta_box = QGroupBox("Other columns: tick those to send along as metadata")
        self.meta_grid = QGridLayout(self.meta_box)
        self.meta_rows: dict[str, MetadataRow] = {}

        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #cf222e;")
        self.problems.setAccessibleName("What is still missing")
        self.profile_note = QLabel()
        self.profile_note.setWordWrap(True)
        self.profile_note.setAccessibleName("Saved mapping")
        self.remember = QPushButton("Remember this mapping")
        self.remember.setAccessibleName("Remember this mapping")
        self.remember.setToolTip("Use these choices again when a file with the same columns "
                                 "is opened.")
        self.remember.clicked.connect(self.remember_requested)

        inner = QWidget()
        body = QVBoxLayout(inner)
        body.addWidget(fields)
        body.addWidget(self.meta_box)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        applies = QLabel("Changes are applied at once: step 3 shows every row checked with "
                         "these choices.")
        applies.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(applies, 1)
        bottom.addWidget(self.profile_note, 1)
        bottom.addWidget(self.remember)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problems)
        layout.addLayout(bottom)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

    def set_mapping(self, headers: Sequence[str], mapping: Mapping) -> None:
        """Show a mapping for a file with these columns."""
        self._loading = True
        if list(headers) != self._headers:
            self._build_rows(headers)
        for wire, chooser in self.fields.items():
            chooser.set_headers(headers)
            chooser.set_source(mapping.sources()[wire])
        _select(self.factor, mapping.amount.factor)
        if self.factor.currentData() != mapping.amount.factor:
            self.factor.addItem(f"× {mapping.amount.factor:,}", mapping.amount.factor)
            self.factor.setCurrentIndex(self.factor.count() - 1)
        _select(self.decimal, mapping.amount.decimal_separator)
        chosen = {m.column: m for m in mapping.metadata}
        for column, row in self.meta_rows.items():
            row.set(chosen.get(column))
        self._formats = {}
        self._update_notes()
        self._loading = False

    def _build_rows(self, headers: Sequence[str]) -> None:
        self._headers = list(headers)
        for row in self.meta_rows.values():
            for w in row.widgets():
                w.deleteLater()
        self.meta_rows.clear()
        for col, title in enumerate(("Column", "Metadata name", "Type", "Dates", "Found")):
            if self.meta_grid.itemAtPosition(0, col) is None:
                self.meta_grid.addWidget(QLabel(f"<b>{title}</b>"), 0, col)
        for i, column in enumerate(headers, start=1):
            row = MetadataRow(column)
            for col, w in enumerate(row.widgets()):
                self.meta_grid.addWidget(w, i, col)
            row.include.toggled.connect(lambda _on, r=row: self._row_changed(r))
            row.type.activated.connect(lambda _i, r=row: self._row_changed(r))
            row.order.activated.connect(self._changed)
            row.name.textEdited.connect(self._changed)
            self.meta_rows[column] = row
        self.meta_grid.setColumnStretch(4, 1)

    def mapping(self) -> Mapping:
        """The mapping as chosen on screen."""
        meta = tuple(m for row in self.meta_rows.values() if (m := row.value()) is not None)
        return Mapping(self.fields["key"].source(), self.fields["accountId"].source(),
                       self.fields["bits"].source(),
                       AmountRule(int(self.factor.currentData()),
                                  DecimalSeparator(self.decimal.currentData())), meta)

    def set_formats(self, formats: Sequence[ColumnFormat], bits_column: str | None) -> None:
        """Show what was found about number and date columns, flagging what needs a choice."""
        self._formats = {f.column: f for f in formats}
        found = self._formats.get(bits_column or "")
        self.evidence.setText(f"Found in “{escape(found.column)}”: {escape(found.evidence)}"
                              if found is not None else "")
        self.evidence.setStyleSheet(_WARN if found is not None and found.ambiguous else "")
        self._update_notes()

    def _update_notes(self) -> None:
        used: dict[str, list[str]] = {}
        for wire, chooser in self.fields.items():
            source = chooser.source()
            for column in source.columns() if source is not None else []:
                used.setdefault(column, []).append(FIELD_LABELS[wire])
        for column, row in self.meta_rows.items():
            f = self._formats.get(column)
            warn = False
            if not row.include.isChecked():
                text = f"Used for the {' and the '.join(used[column])}." if column in used \
                    else "Left out."
            elif f is None:
                text = ""
            elif f.ambiguous and f.kind == "date":
                text, warn = f"⚠ Choose day first or month first: {f.evidence}", True
            else:
                text, warn = ("⚠ " if f.ambiguous else "") + f.evidence, f.ambiguous
            row.note.setText(text)
            row.note.setStyleSheet(_WARN if warn else "")

    def set_problems(self, problems: Sequence[str]) -> None:
        """What keeps the mapping from being used (empty: nothing)."""
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))

    def set_profile_note(self, text: str) -> None:
        """Say which saved mapping is in use and what changed in the file."""
        self.profile_note.setText(text)

    def _row_changed(self, row: MetadataRow) -> None:
        row.update_enabled()
        self._changed()

    def _changed(self) -> None:
        if not self._loading:
            self._update_notes()
            self._timer.start()

    def flush(self) -> None:
        """Report the mapping now (without waiting for the pause in typing)."""
        self._timer.stop()
        if not self._loading:
            self.mapping_changed.emit(self.mapping())
