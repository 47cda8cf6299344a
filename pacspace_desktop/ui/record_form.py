"""The record form: key (with a key pattern), account ID, bits and metadata, checked as typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QRect, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.items import BitsError, WriteItem, bits_from_text
from pacspace_desktop.domain.metadata import MetaField
from pacspace_desktop.domain.validation import check_bits, check_text_field
from pacspace_desktop.storage.records import KeySighting
from pacspace_desktop.ui.style import error_style, warning_style

SightingsLookup = Callable[[str], list[KeySighting]]


@dataclass(frozen=True, slots=True)
class FormEntry:
    """What the form holds: its values as typed, and the item they make (if they make one)."""

    key: str
    account_id: str
    bits_text: str
    meta_fields: list[MetaField] = field(default_factory=list)
    item: WriteItem | None = None
    problems: dict[str, str] = field(default_factory=dict)


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setStyleSheet(error_style())
    label.hide()
    return label


def _keep_room(label: QLabel, keep: bool) -> None:
    """Once a message has shown under a field, its line stays while the record is typed, so
    the fields below do not jump up and down under the cursor as it comes and goes."""
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(keep)
    label.setSizePolicy(policy)


class RecordForm(QWidget):
    """One record's fields.

    Signals:
        changed(): any field changed (the page re-checks its buttons).
        submitted(): Enter in a field (the page adds the record to the batch).
    """

    changed = Signal()
    submitted = Signal()

    def __init__(self, sightings: SightingsLookup, parent: QWidget | None = None) -> None:
        from pacspace_desktop.ui.metadata_editor import MetadataEditor

        super().__init__(parent)
        self._sightings = sightings
        self.key = QLineEdit()
        self.key.setAccessibleName("Record key")
        self.key.setToolTip("key: a unique, repeatable name for the record, like "
                            "invoice-2025-001. Sending the same key again adds to it.")
        self.key.setPlaceholderText("invoice-2025-001")
        self.key_error = _error_label("Record key problem")
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        self.key_note.setAccessibleName("Record key note")
        self.key_note.setStyleSheet(warning_style())
        self.key_note.hide()
        self.pattern_toggle = QToolButton()
        self.pattern_toggle.setText("Key pattern…")
        self.pattern_toggle.setAccessibleName("Key pattern")
        self.pattern_toggle.setCheckable(True)
        self.prefix = QLineEdit("invoice-")
        self.prefix.setAccessibleName("Key prefix")
        self.with_date = QCheckBox("with today's date")
        self.with_date.setChecked(True)
        self.counter = QSpinBox()
        self.counter.setRange(1, 999_999)
        self.counter.setAccessibleName("Next running number")
        self.use_pattern = QPushButton("Use next key")
        self.use_pattern.setAccessibleName("Use next key")
        self.use_pattern.clicked.connect(self.fill_next_key)
        self.pattern_row = QWidget()
        prow = QHBoxLayout(self.pattern_row)
        prow.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("Prefix"), self.prefix, self.with_date, QLabel("No."), self.counter,
                  self.use_pattern):
            prow.addWidget(w)
        self.pattern_row.hide()
        self.pattern_toggle.toggled.connect(self.pattern_row.setVisible)

        self.account = QLineEdit()
        self.account.setAccessibleName("Account ID")
        self.account.setToolTip("accountId: the customer or entity the record belongs to.")
        self.account.setPlaceholderText("customer-001")
        self._accounts = QStringListModel()
        completer = QCompleter(self._accounts, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(6)
        completer.setWidget(self.account)
        completer.activated.connect(self.account.setText)
        self.account.textEdited.connect(self._suggest_accounts)
        self.account_completer = completer
        self._suggesting = False  # the list was shown once (it is made on first use)
        self.account_error = _error_label("Account ID problem")
        self.bits = QLineEdit()
        self.bits.setAccessibleName("Bits")
        self.bits.setToolTip("bits: whole number the record adds — negative to subtract.")
        self.bits.setPlaceholderText("whole number the record adds — negative to subtract")
        self.bits_error = _error_label("Bits problem")
        self.metadata = MetadataEditor()

        key_col = QVBoxLayout()
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.pattern_toggle)
        key_col.addLayout(key_row)
        key_col.addWidget(self.pattern_row)
        key_col.addWidget(self.key_error)
        key_col.addWidget(self.key_note)
        acc_col = QVBoxLayout()
        acc_col.addWidget(self.account)
        acc_col.addWidget(self.account_error)
        bits_col = QVBoxLayout()
        bits_col.addWidget(self.bits)
        bits_col.addWidget(self.bits_error)
        form = QFormLayout(self)
        form.addRow("Record key:", key_col)
        form.addRow("Account ID:", acc_col)
        form.addRow("Bits:", bits_col)
        form.addRow("Metadata:", self.metadata)
        for edit in (self.key, self.account, self.bits):
            edit.textChanged.connect(self._on_change)
            edit.returnPressed.connect(self.submitted.emit)
        self.metadata.changed.connect(self._on_change)
        self._touched: set[str] = set()
        # Tab goes from field to field; the key pattern comes after the fields.
        QWidget.setTabOrder(self.key, self.account)
        QWidget.setTabOrder(self.account, self.bits)
        QWidget.setTabOrder(self.bits, self.metadata.table)
        last: QWidget = self.metadata.table
        for w in self.metadata.findChildren(QPushButton):
            QWidget.setTabOrder(last, w)
            last = w
        for stop in (self.pattern_toggle, self.prefix, self.with_date, self.counter,
                     self.use_pattern):
            QWidget.setTabOrder(last, stop)
            last = stop

    def _suggest_accounts(self, text: str) -> None:
        """Offer account IDs used before in a list that opens above the field: below it, the
        list would cover the Bits field the clerk types next."""
        completer = self.account_completer
        completer.setCompletionPrefix(text)
        shown = min(completer.completionCount(), completer.maxVisibleItems()) if text.strip() else 0
        if shown == 0 or (shown == 1 and completer.currentCompletion() == text):
            if self._suggesting:
                popup = completer.popup()
                if popup is not None:
                    popup.hide()
            return
        popup = completer.popup()
        if popup is None:
            return
        self._suggesting = True
        high = shown * max(popup.sizeHintForRow(0), 1) + 2 * popup.frameWidth() + 2
        field = self.account.rect()
        # complete() opens the list below the rectangle it is given: give one that ends where
        # the list must end, at the top of the field.
        completer.complete(QRect(field.left(), -high - field.height(), field.width(),
                                 field.height()))

    def set_accounts(self, accounts: list[str]) -> None:
        """Account IDs used before, offered as completion."""
        self._accounts.setStringList(accounts)

    def next_key(self) -> str:
        """The key the pattern gives next: prefix + date + running number."""
        stamp = f"{date.today():%Y-%m-%d}-" if self.with_date.isChecked() else ""
        return f"{self.prefix.text()}{stamp}{self.counter.value():03d}"

    def fill_next_key(self) -> None:
        """Put the next key of the pattern into the key field (skipping keys sent before)."""
        for _ in range(1000):
            candidate = self.next_key()
            self.counter.setValue(self.counter.value() + 1)
            if not self._sightings(candidate):
                break
        self.key.setText(candidate)
        self.account.setFocus()

    def entry(self, show_all: bool = False) -> FormEntry:
        """Check the fields; show problems of touched fields (or all when `show_all`)."""
        if show_all:
            self._touched |= {"key", "accountId", "bits"}
        key, account, bits_text = self.key.text(), self.account.text(), self.bits.text()
        problems: dict[str, str] = {}
        for name, value in (("key", key), ("accountId", account)):
            found = check_text_field(value, name)
            if found:
                problems[name] = found[0].message
        bits: int | None = None
        try:
            bits = bits_from_text(bits_text)
        except BitsError as exc:
            problems["bits"] = str(exc)
        else:
            found = check_bits(bits)
            if found:
                problems["bits"] = found[0].message
        meta, meta_problems = self.metadata.result()
        if meta_problems:
            problems["metadata"] = meta_problems[0].message
        for name, label in (("key", self.key_error), ("accountId", self.account_error),
                            ("bits", self.bits_error)):
            text = problems.get(name, "") if name in self._touched else ""
            label.setText(text)
            label.setVisible(bool(text))
            if text:
                _keep_room(label, True)
        item = None
        if not problems and bits is not None:
            item = WriteItem(key, account, bits, meta)
        return FormEntry(key, account, bits_text, self.metadata.fields(), item, problems)

    def load(self, key: str, account: str, bits_text: str, meta: list[MetaField]) -> None:
        """Fill the form (to edit a draft row)."""
        self.key.setText(key)
        self.account.setText(account)
        self.bits.setText(bits_text)
        self.metadata.set_fields(meta)

    def clear_for_next(self) -> None:
        """Empty key and bits for the next record; keep the account and metadata names."""
        self.key.clear()
        self.bits.clear()
        fields = [MetaField(f.name, f.kind, "") for f in self.metadata.fields()]
        self.metadata.set_fields(fields)
        self._touched.clear()  # after clearing, which itself counts as typing
        for label in (self.key_error, self.account_error, self.bits_error):
            _keep_room(label, False)  # a new record: no room kept for the last one's messages
        self.entry()
        self.key.setFocus()

    def focus_field(self, field_name: str | None) -> None:
        """Put the cursor in a field (`key`, `accountId`, `bits`, `metadata`)."""
        target = {"key": self.key, "accountId": self.account, "bits": self.bits,
                  "metadata": self.metadata.table}.get(field_name or "key", self.key)
        target.setFocus()

    def _on_change(self) -> None:
        sender = self.sender()
        name = ""
        for edit, field_name in ((self.key, "key"), (self.account, "accountId"),
                                 (self.bits, "bits")):
            if sender is edit:
                name = field_name
        if name:
            self._touched.add(name)
        self.entry()
        self._show_key_note()
        self.changed.emit()

    def _show_key_note(self) -> None:
        key = self.key.text()
        seen = self._sightings(key) if key.strip() else []
        if not seen:
            self.key_note.hide()
            return
        last = seen[-1]
        rid = f"Request ID {last.request_id}" if last.request_id else "no Request ID"
        self.key_note.setText(
            f"This key was sent before ({last.state.label.lower()}, "
            f"{last.sent_at.astimezone():%d %b %Y %H:%M}, {rid}). Sending it again adds to it "
            "and counts the record twice.")
        self.key_note.show()
