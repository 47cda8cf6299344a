"""The Columns step's rules beyond single columns: a preset offered for the file, the sign of
the amounts, and what happens to an invoice on several lines."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from pacspace_desktop.importing import RepeatPolicy, SignKind, SignRule
from pacspace_desktop.importing.mapping import SIGN_MARKERS
from pacspace_desktop.importing.presets import PresetMatch
from pacspace_desktop.ui.import_fields import _combo, _select
from pacspace_desktop.ui.style import warning_style

SIGN_KINDS = (("The amounts carry their own sign (−12.50 subtracts)", SignKind.NONE),
              ("A column says debit or credit (S/H, DR/CR, Debit/Credit)", SignKind.MARKER),
              ("Credits are in a column of their own (they subtract)", SignKind.TWO_COLUMNS))
REPEATS = (("Keep them held back (nothing of them is sent)", RepeatPolicy.HOLD),
           ("Add the lines up into one record", RepeatPolicy.SUM),
           ("Send one record per line (the key gets -1, -2, -3)", RepeatPolicy.PER_LINE))


class PresetOffer(QFrame):
    """"This looks like a Xero sales invoices export. [Use the Xero preset]".

    Signals:
        accepted(object): the `PresetMatch` to use.
    """

    accepted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Preset for this file")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.use = QPushButton()
        self.use.setAccessibleName("Use the preset")
        self.dismiss = QPushButton("Not now")
        self.dismiss.setAccessibleName("Do not use the preset")
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.use)
        layout.addWidget(self.dismiss)
        self._match: PresetMatch | None = None
        self.use.clicked.connect(self._accept)
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def offer(self, match: PresetMatch | None, in_use: bool = False) -> None:
        """Offer a preset (None, or already in use: nothing to offer)."""
        self._match = match
        if match is None or in_use:
            self.hide()
            return
        self.text.setText(f"<b>{match.describe()}</b><br>{match.preset.note}")
        self.use.setText(f"Use the {match.preset.name} preset")
        self.show()

    def _accept(self) -> None:
        if self._match is not None:
            self.accepted.emit(self._match)
            self.hide()


class RulesBox(QGroupBox):
    """Signs and invoices on several lines.

    Signals:
        changed(): the person changed a rule.
        repeats_changed(object): the repeated-key choice changed (a `RepeatPolicy`).
    """

    changed = Signal()
    repeats_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Signs, and invoices on several lines", parent)
        self.sign_kind = _combo("Where the sign comes from", SIGN_KINDS)
        self.sign_column = QComboBox()
        self.sign_column.setAccessibleName("Column of the sign")
        self.markers = QComboBox()
        self.markers.setAccessibleName("Which markers add and subtract")
        for label, positive, negative in SIGN_MARKERS:
            self.markers.addItem(f"{label}: {positive[0]} adds, {negative[0]} subtracts",
                                 (positive, negative))
        self.sign_note = QLabel()
        self.sign_note.setWordWrap(True)
        self.repeats = _combo("Invoices on several lines", REPEATS)
        self.repeat_info = QLabel()
        self.repeat_info.setWordWrap(True)
        self.repeat_info.setAccessibleName("Invoices on several lines in this file")
        grid = QGridLayout(self)
        grid.addWidget(QLabel("<b>Sign of the amounts</b>"), 0, 0)
        grid.addWidget(self.sign_kind, 0, 1)
        grid.addWidget(self.sign_column, 0, 2)
        grid.addWidget(self.markers, 0, 3)
        grid.addWidget(self.sign_note, 1, 1, 1, 3)
        grid.addWidget(QLabel("<b>An invoice number on several lines</b>"), 2, 0)
        grid.addWidget(self.repeats, 2, 1, 1, 2)
        grid.addWidget(self.repeat_info, 3, 1, 1, 3)
        grid.setColumnStretch(3, 1)
        self._sign = SignRule()
        self.sign_kind.activated.connect(self._sign_changed)
        self.sign_column.activated.connect(self._sign_changed)
        self.markers.activated.connect(self._sign_changed)
        self.repeats.activated.connect(self._repeats_chosen)

    def set_headers(self, headers: Sequence[str]) -> None:
        """The columns to choose the sign column from."""
        self.sign_column.clear()
        self.sign_column.addItem("— choose a column —", "")
        for h in headers:
            self.sign_column.addItem(h, h)

    def set_rules(self, sign: SignRule, repeats: RepeatPolicy) -> None:
        """Show the mapping's rules."""
        self._sign = sign
        _select(self.sign_kind, sign.kind)
        _select(self.sign_column, sign.column)
        for i in range(self.markers.count()):
            positive, negative = self.markers.itemData(i)
            if sign.positive[:1] == positive[:1] and sign.negative[:1] == negative[:1]:
                self.markers.setCurrentIndex(i)
        _select(self.repeats, repeats)
        self._update()

    def sign(self) -> SignRule:
        """The sign rule as chosen."""
        kind = SignKind(self.sign_kind.currentData())
        column = self.sign_column.currentData() or ""
        if kind is SignKind.MARKER:
            chosen = self.markers.currentData()
            same = (self._sign.kind is SignKind.MARKER
                    and self._sign.positive[:1] == tuple(chosen[0][:1])
                    and self._sign.negative[:1] == tuple(chosen[1][:1]))
            if same:  # keep markers a preset gave (SI/SD, SC) that the list does not name
                return SignRule.marker(column, self._sign.positive, self._sign.negative)
            return SignRule.marker(column, chosen[0], chosen[1])
        if kind is SignKind.TWO_COLUMNS:
            return SignRule.two_columns(column)
        return SignRule()

    def repeat_policy(self) -> RepeatPolicy:
        """The repeated-key choice."""
        return RepeatPolicy(self.repeats.currentData())

    def set_repeat_info(self, keys: int, example: str, lines: int) -> None:
        """Say how many keys of the file are on several lines."""
        if not keys:
            self.repeat_info.setText("Every record key of this file is on one line.")
            self.repeat_info.setStyleSheet("")
            return
        policy = self.repeat_policy()
        one = keys == 1
        what = {RepeatPolicy.HOLD: f"all {'its' if one else 'their'} lines are held back",
                RepeatPolicy.SUM: ("its lines are added up into one record" if one else
                                   "the lines of each are added up into one record"),
                RepeatPolicy.PER_LINE: "each line is a record of its own"}[policy]
        plural = "s are" if keys != 1 else " is"
        self.repeat_info.setText(
            f"{keys:,} record key{plural} on several lines (e.g. “{example}” on {lines} "
            f"lines): {what}. Never part of one is sent.")
        self.repeat_info.setStyleSheet(warning_style() if policy is RepeatPolicy.HOLD else "")

    def _sign_changed(self) -> None:
        self._update()
        self.changed.emit()

    def _repeats_chosen(self) -> None:
        self.repeats_changed.emit(self.repeat_policy())
        self.changed.emit()

    def _update(self) -> None:
        kind = SignKind(self.sign_kind.currentData())
        self.sign_column.setVisible(kind is not SignKind.NONE)
        self.markers.setVisible(kind is SignKind.MARKER)
        self.sign_note.setVisible(kind is not SignKind.NONE)
        self.sign_note.setText(
            "The amount must then be written without a sign; a line whose marker is empty "
            "or unknown is held back." if kind is SignKind.MARKER else
            "The bits column holds what adds (debits, or money in); the column chosen here "
            "what subtracts. A line with both filled is held back.")
