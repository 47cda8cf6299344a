"""Step 2 of an import: which column (or text, or pattern) becomes the record key, the account
ID and the bits, how amounts become bits, and which other columns go along as metadata."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.validation import FIELD_LABELS
from pacspace_desktop.importing import (
    AmountRule,
    ColumnFormat,
    DecimalSeparator,
    FieldSource,
    Mapping,
    MetadataColumn,
    RepeatPolicy,
    SourceKind,
)
from pacspace_desktop.ui.import_fields import (
    _DEBOUNCE_MS,
    _WARN,
    FACTORS,
    SEPARATORS,
    FieldChooser,
    MetadataRow,
    _combo,
    _select,
)
from pacspace_desktop.ui.import_rules import PresetOffer, RulesBox

__all__ = ["MappingPanel", "_select"]

class MappingPanel(QWidget):
    """Choosing the columns; changes are reported after a short pause in typing.

    Signals:
        mapping_changed(object): the `Mapping` as now chosen.
        remember_requested(): save this mapping for files with the same columns.
        preset_requested(object): use a preset (a `PresetMatch`) for this file.
    """

    mapping_changed = Signal(object)
    remember_requested = Signal()
    preset_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._headers: list[str] = []
        self._formats: dict[str, ColumnFormat] = {}
        self._shown = Mapping(None, None, None)  # keeps what the panel has no widgets for
        self._suggested: tuple[MetadataColumn, ...] = ()
        self.preset = PresetOffer()
        self.preset.accepted.connect(self.preset_requested)
        self.rules = RulesBox()
        self.rules.changed.connect(self._changed)
        self.rules.repeats_changed.connect(self._repeats_chosen)
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

        self.meta_box = QGroupBox("Metadata: tick the columns to send along (keep it lean)")
        meta_layout = QVBoxLayout(self.meta_box)
        self.suggest_row = QWidget()
        sr = QHBoxLayout(self.suggest_row)
        sr.setContentsMargins(0, 0, 0, 0)
        self.suggest_label = QLabel()
        self.suggest_label.setWordWrap(True)
        self.suggest_button = QPushButton("Tick the suggested columns")
        self.suggest_button.setAccessibleName("Tick the suggested metadata columns")
        self.suggest_button.clicked.connect(self.tick_suggested)
        sr.addWidget(self.suggest_label, 1)
        sr.addWidget(self.suggest_button)
        self.meta_grid = QGridLayout()
        meta_layout.addWidget(self.suggest_row)
        meta_layout.addLayout(self.meta_grid)
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
        body.addWidget(self.preset)
        body.addWidget(fields)
        body.addWidget(self.rules)
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
        self._shown = mapping
        if list(headers) != self._headers:
            self._build_rows(headers)
            self.rules.set_headers(headers)
        self.rules.set_rules(mapping.sign, mapping.repeats)
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
        self._update_suggestion()
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
        """The mapping as chosen on screen (with the file settings it was shown with)."""
        meta = tuple(m for row in self.meta_rows.values() if (m := row.value()) is not None)
        return dataclasses.replace(
            self._shown, key=self.fields["key"].source(),
            account_id=self.fields["accountId"].source(), bits=self.fields["bits"].source(),
            amount=AmountRule(int(self.factor.currentData()),
                              DecimalSeparator(self.decimal.currentData())),
            metadata=meta, sign=self.rules.sign(), repeats=self.rules.repeat_policy())

    def set_suggestions(self, suggested: Sequence[MetadataColumn]) -> None:
        """The lean metadata suggested for this file (shown, ticked only when asked)."""
        self._suggested = tuple(m for m in suggested if m.column in self.meta_rows)
        for column, row in self.meta_rows.items():
            meta = next((m for m in self._suggested if m.column == column), None)
            row.include.setText(f"{column}  (suggested: {meta.name})" if meta else column)
        self._update_suggestion()

    def tick_suggested(self) -> None:
        """Tick the suggested metadata columns (with their suggested names and types)."""
        self._loading = True
        for meta in self._suggested:
            row = self.meta_rows[meta.column]
            if not row.include.isChecked():
                row.set(meta)
        self._loading = False
        self._changed()

    def _update_suggestion(self) -> None:
        rows = self.meta_rows  # the suggestions of the file before may name other columns
        left = [m for m in self._suggested
                if m.column in rows and not rows[m.column].include.isChecked()]
        self.suggest_row.setVisible(bool(left))
        names = ", ".join(f"{m.name} (“{m.column}”)" for m in left)
        self.suggest_label.setText(
            f"Only ticked columns are sent. Suggested: {names}. Addresses, e-mails and other "
            "columns stay on this computer unless you tick them.")

    def set_repeat_info(self, keys: int, example: str, lines: int) -> None:
        """Say how many record keys are on several lines."""
        self.rules.set_repeat_info(keys, example, lines)

    def _repeats_chosen(self, policy: object) -> None:
        """One record per line: put the line number into a plain-column key, and back."""
        chooser = self.fields["key"]
        source = chooser.source()
        if source is None:
            return
        if policy is RepeatPolicy.PER_LINE and source.kind is SourceKind.COLUMN:
            chooser.set_source(FieldSource.template(f"{{{source.value}}}-{{n}}"))
        elif policy is not RepeatPolicy.PER_LINE and source.kind is SourceKind.TEMPLATE:
            columns = source.columns()
            if len(columns) == 1 and source.value == f"{{{columns[0]}}}-{{n}}":
                chooser.set_source(FieldSource.column(columns[0]))

    def set_formats(self, formats: Sequence[ColumnFormat], bits_column: str | None) -> None:
        """Show what was found about number and date columns, flagging what needs a choice."""
        self._formats = {f.column: f for f in formats}
        found = self._formats.get(bits_column or "")
        self.evidence.setText(f"Found in “{escape(found.column)}”: {escape(found.evidence)}"
                              if found is not None else "")
        self.evidence.setVisible(found is not None)
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
            self._update_suggestion()
            self._timer.start()

    def flush(self) -> None:
        """Report the mapping now (without waiting for the pause in typing)."""
        self._timer.stop()
        if not self._loading:
            self.mapping_changed.emit(self.mapping())
