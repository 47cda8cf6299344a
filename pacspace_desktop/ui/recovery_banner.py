"""The banner shown after a crash: requests whose outcome became unknown, and what to do."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.records import SubmissionRow
from pacspace_desktop.ui.style import state_colour, state_icon

EXPLANATION = (
    "When the app stopped, these requests had left this computer but PacSpace's answer had not "
    "arrived. PacSpace may or may not have written them. They were never sent again on their "
    "own: a second write to the same record key would count it twice. Press “Check on "
    "server” to ask PacSpace what it holds for each record key; the history then says, item "
    "by item, whether it landed or may be sent again. An item PacSpace does not hold yet is "
    "not offered for sending again until the settle time has passed (Settings), because "
    "PacSpace queues writes before they can be read."
)


class RecoveryBanner(QFrame):
    """Says how many requests were in flight when the app stopped, with what to do.

    Signals:
        check_requested(object): `list[int]` submission ids to check on the server.
        dismissed(): the person closed the banner.
    """

    check_requested = Signal(object)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RecoveryBanner")
        colour = state_colour(ItemState.UNKNOWN).name()
        self.setStyleSheet(f"#RecoveryBanner {{ border: 1px solid {colour}; "
                           f"border-left: 5px solid {colour}; border-radius: 4px; }}")
        self._ids: list[int] = []
        self.icon = QLabel()
        self.icon.setPixmap(state_icon(ItemState.UNKNOWN).pixmap(24, 24))
        self.icon.setAccessibleName(ItemState.UNKNOWN.label)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.check = QPushButton("Check on server")
        self.check.setAccessibleName("Check these requests on the server")
        self.check.clicked.connect(lambda: self.check_requested.emit(list(self._ids)))
        self.explain = QPushButton("What does this mean?")
        self.explain.setAccessibleName("What does this mean?")
        self.explain.setCheckable(True)
        self.explain.toggled.connect(self._toggle_explanation)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss this message")
        self.dismiss.clicked.connect(self._dismiss)
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.setAccessibleName("What this means")
        self.explanation.hide()

        head = QHBoxLayout()
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.message, 1)
        head.addWidget(self.check)
        head.addWidget(self.explain)
        head.addWidget(self.dismiss)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.explanation)
        self.hide()

    @property
    def submission_ids(self) -> list[int]:
        """The submissions the banner is about."""
        return list(self._ids)

    def show_rows(self, rows: list[SubmissionRow]) -> None:
        """Show the banner for these submissions (hidden when there are none)."""
        self._ids = [r.id for r in rows]
        if not rows:
            self.hide()
            return
        items = sum(r.item_count for r in rows)
        n = len(rows)
        text = (f"{n} request{'s were' if n != 1 else ' was'} being sent when the app stopped "
                f"({items} item{'s' if items != 1 else ''}); "
                f"{'their' if n != 1 else 'its'} outcome is unknown.")
        self.message.setText(text)
        self.setAccessibleName(text)
        self.show()

    def set_check_enabled(self, enabled: bool, why: str = "") -> None:
        """Allow or forbid checking (no API key for the active profile), with the reason."""
        self.check.setEnabled(enabled)
        self.check.setToolTip("" if enabled else why)

    def _toggle_explanation(self, shown: bool) -> None:
        self.explanation.setVisible(shown)

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
