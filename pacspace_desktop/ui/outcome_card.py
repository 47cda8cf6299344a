"""The outcome card: one component that says what happened, what was written and what to do next.

Used by the form, the import grid and the history alike (see design/ux.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.catalogue import BUTTON_TEXT, CatalogueEntry, NextStep, Written
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.ui.style import state_colour, state_icon

_PATH = re.compile(r"items\[(\d+)\](?:\.([A-Za-z_][\w.]*))?")
_FIELDS = {"key": "Record key", "accountId": "Account ID", "bits": "Bits",
           "metadata": "Metadata"}


def readable(message: str, keys: Sequence[str] = ()) -> str:
    """PacSpace's words with its item paths in the clerk's words.

    `items[1].bits` becomes `item 2 (“inv-7”), Bits`; `items[0].metadata.amount` becomes
    `item 1 (“inv-6”), metadata “amount”`. The raw text stays in the details.
    """
    def word(m: re.Match[str]) -> str:
        index = int(m.group(1))
        who = f"item {index + 1}" + (f" (“{keys[index]}”)" if index < len(keys) else "")
        path = m.group(2) or ""
        head, _, rest = path.partition(".")
        if not path:
            return who
        if head == "metadata" and rest:
            return f"{who}, metadata “{rest}”"
        return f"{who}, {_FIELDS.get(head, head)}"

    return _PATH.sub(word, message)


@dataclass(frozen=True, slots=True)
class OutcomeView:
    """What an outcome card shows.

    Attributes:
        state: Drives the icon and colour.
        title: One line.
        explanation: One or two sentences.
        written: What PacSpace holds now, or None to hide the line.
        next_step: The action for the main button.
        button_text: Overrides the catalogue's button text (e.g. a live countdown).
        details: Label/value lines for "Details from PacSpace".
        request_id: Shown with a copy button.
        secondary: Extra actions as (id, text).
        server_message: PacSpace's own words, shown beside ours.
    """

    state: ItemState
    title: str
    explanation: str
    written: Written | None = None
    next_step: NextStep = NextStep.NONE
    button_text: str = ""
    details: tuple[tuple[str, str], ...] = ()
    request_id: str | None = None
    secondary: tuple[tuple[str, str], ...] = field(default=())
    server_message: str = ""

    @classmethod
    def from_entry(cls, entry: CatalogueEntry, *, details: tuple[tuple[str, str], ...] = (),
                   request_id: str | None = None,
                   secondary: tuple[tuple[str, str], ...] = (),
                   server_message: str = "") -> OutcomeView:
        """A view with the catalogue's words for an outcome, and PacSpace's own words."""
        return cls(entry.item_state, entry.title,
                   f"{entry.explanation} {entry.next_step_text}".strip(), entry.written,
                   entry.next_step, "", details, request_id, secondary, server_message)

    def details_text(self) -> str:
        """Everything as plain text, for "Copy details for support"."""
        lines = [self.title, self.explanation]
        if self.server_message:
            lines.append(f"PacSpace said: {self.server_message}")
        if self.written is not None:
            lines.append(f"What was written: {self.written.label}")
        if self.request_id:
            lines.append(f"Request ID: {self.request_id}")
        lines += [f"{label}: {value}" for label, value in self.details]
        return "\n".join(lines)


class OutcomeCard(QFrame):
    """Shows one outcome.

    Signals:
        action_requested(str): the main button (a `NextStep` value) or a secondary action id.
    """

    action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OutcomeCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._view: OutcomeView | None = None
        self.icon = QLabel()
        self.icon.setFixedSize(28, 28)
        self.title = QLabel()
        self.title.setObjectName("OutcomeTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.said = QLabel()
        self.said.setWordWrap(True)
        self.said.setAccessibleName("What PacSpace said")
        self.said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.written = QLabel()
        self.written.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_id = QLabel()
        self.request_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_id = QToolButton()
        self.copy_id.setText("Copy")
        self.copy_id.setAccessibleName("Copy Request ID")
        self.copy_id.clicked.connect(self._copy_request_id)
        self.primary = QPushButton()
        self.primary.clicked.connect(self._primary_clicked)
        self._secondary_box = QHBoxLayout()
        self.toggle = QToolButton()
        self.toggle.setText("▸ Details from PacSpace")
        self.toggle.setAccessibleName("Show details from PacSpace")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toggle.toggled.connect(self._toggle_details)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Details from PacSpace")
        self.details.setMaximumHeight(130)
        self.details.hide()

        head = QHBoxLayout()
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.title, 1)
        head.addLayout(self._secondary_box)
        head.addWidget(self.primary, 0, Qt.AlignmentFlag.AlignTop)
        rid = QHBoxLayout()
        rid.addWidget(self.request_id)
        rid.addWidget(self.copy_id)
        rid.addStretch(1)
        body = QVBoxLayout()
        body.setContentsMargins(36, 0, 0, 0)
        body.addWidget(self.explanation)
        body.addWidget(self.said)
        body.addWidget(self.written)
        body.addLayout(rid)
        body.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(body)
        self.hide()

    @property
    def view(self) -> OutcomeView | None:
        """What the card shows now."""
        return self._view

    def show_outcome(self, view: OutcomeView) -> None:
        """Show an outcome (and the card)."""
        self._view = view
        colour = state_colour(view.state).name()
        self.setStyleSheet(f"#OutcomeCard {{ border: 1px solid {colour}; "
                           f"border-left: 5px solid {colour}; border-radius: 4px; }}")
        self.icon.setPixmap(state_icon(view.state).pixmap(28, 28))
        self.icon.setAccessibleName(view.state.label)
        self.icon.setToolTip(view.state.label)
        self.title.setText(view.title)
        self.explanation.setText(view.explanation)
        self.said.setVisible(bool(view.server_message))
        self.said.setText(f"<b>PacSpace said:</b> {escape(view.server_message)}")
        self.written.setVisible(view.written is not None)
        if view.written is not None:
            self.written.setText(f"<b>What was written:</b> {view.written.label}")
        self.request_id.setVisible(bool(view.request_id))
        self.copy_id.setVisible(bool(view.request_id))
        if view.request_id:
            self.request_id.setText(f"<b>Request ID:</b> {view.request_id}")
        text = view.button_text or BUTTON_TEXT.get(view.next_step, "")
        self.primary.setVisible(bool(text))
        self.primary.setText(text)
        self.primary.setAccessibleName(text)
        self._set_secondary(view.secondary)
        self.details.setPlainText("\n".join(f"{k}: {v}" for k, v in view.details))
        self.toggle.setVisible(bool(view.details))
        self.toggle.setChecked(False)
        self.toggle.setText("▸ " + self._details_title())
        self.toggle.setAccessibleName(f"Show {self._details_title().lower()}")
        self.setAccessibleName(f"{view.state.label}: {view.title}")
        self.show()
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep every wrapped line in view: a splitter or a scroll area does not ask a
        label how tall it needs to be for its width, so the card says it itself."""
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        layout = self.layout()
        if layout is None:
            return
        need = layout.totalHeightForWidth(self.width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)

    def set_button_text(self, text: str) -> None:
        """Change the main button's words (e.g. a countdown) without changing the outcome."""
        self.primary.setText(text)
        self.primary.setAccessibleName(text)

    def _set_secondary(self, actions: tuple[tuple[str, str], ...]) -> None:
        while self._secondary_box.count():
            item = self._secondary_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for action_id, text in actions:
            button = QPushButton(text)
            button.setAccessibleName(text)
            button.setObjectName(f"secondary-{action_id}")
            button.clicked.connect(lambda _=False, a=action_id: self.action_requested.emit(a))
            self._secondary_box.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

    def _primary_clicked(self) -> None:
        if self._view is None:
            return
        if self._view.next_step is NextStep.CONTACT_SUPPORT:
            QGuiApplication.clipboard().setText(self._view.details_text())
        self.action_requested.emit(self._view.next_step.value)

    def _copy_request_id(self) -> None:
        if self._view and self._view.request_id:
            QGuiApplication.clipboard().setText(self._view.request_id)

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.toggle.setText(("▾" if shown else "▸") + " " + self._details_title())
        self._fit_height()

    def _details_title(self) -> str:
        # Only an answer from PacSpace is "from PacSpace" (a request it never saw has none).
        view = self._view
        if view is not None and any(k == "HTTP status" for k, _v in view.details):
            return "Details from PacSpace"
        return "Details"
