"""A masked API key field with show/hide and a shape check as people type."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from pacspace_desktop.domain.apikey import environment_of, key_shape_problem
from pacspace_desktop.ui.style import error_style


class KeyField(QWidget):
    """Key entry: masked, with a show/hide action and a message under the field.

    Signals:
        validity_changed(bool): the pasted text became a well-shaped key, or stopped being one.
    """

    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText("pk_live_… or pk_test_…")
        self.edit.setAccessibleName("API key")
        self.edit.setToolTip("The API key from the PacSpace dashboard (X-Api-Key).")
        self.toggle = QAction("Show", self.edit)
        self.toggle.setToolTip("Show or hide the key")
        self.toggle.triggered.connect(self._toggle)
        self.edit.addAction(self.toggle, QLineEdit.ActionPosition.TrailingPosition)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("API key check")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self._valid = False
        self.edit.textChanged.connect(self._check)
        self._check("")

    def text(self) -> str:
        """The key as typed (not trimmed: spaces are a problem to show, not to hide)."""
        return self.edit.text()

    def clear(self) -> None:
        """Empty the field and hide the key."""
        self.edit.clear()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.toggle.setText("Show")

    @property
    def valid(self) -> bool:
        """True when the text has the shape of a PacSpace key."""
        return self._valid

    def _toggle(self) -> None:
        hidden = self.edit.echoMode() == QLineEdit.EchoMode.Password
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if hidden
                              else QLineEdit.EchoMode.Password)
        self.toggle.setText("Hide" if hidden else "Show")

    def _check(self, text: str) -> None:
        problem = key_shape_problem(text)
        if not text:
            self.message.setText("Paste the key from the PacSpace dashboard.")
            self.message.setStyleSheet("")
        elif problem:
            self.message.setText(problem)
            self.message.setStyleSheet(error_style())
        else:
            env = environment_of(text).label
            note = (" Records sent with it count for real." if env == "LIVE"
                    else " Records sent with it do not count for real.")
            self.message.setText(f"This looks like a {env} key.{note}")
            self.message.setStyleSheet("")
        valid = problem is None
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
