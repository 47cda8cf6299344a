"""First run: paste a PacSpace API key, or try everything with the local sandbox."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.storage.settings import DEFAULT_BASE_URL
from pacspace_desktop.ui.key_field import KeyField
from pacspace_desktop.ui.style import app_icon, error_style


class WelcomePage(QWidget):
    """Shown while there is no profile.

    Signals:
        key_submitted(str, str, str): profile name, base URL and key to store.
        sandbox_requested(): start the built-in sandbox.
        session_key_requested(str, str, str): like key_submitted, kept for this session only.
    """

    key_submitted = Signal(str, str, str)
    sandbox_requested = Signal()
    session_key_requested = Signal(str, str, str)

    def __init__(self, keyring_name: str, storage_problem: str = "",
                 parent: QWidget | None = None) -> None:
        """`keyring_name` names the keyring in words; `storage_problem` says why no key can
        be stored on this computer ("" when one can)."""
        super().__init__(parent)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(72, 72))
        title = QLabel("Welcome to PacSpace Desktop")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel("Record invoices and other data in PacSpace, and keep a history of "
                       "everything you send.")
        intro.setWordWrap(True)

        self.key = KeyField()
        self.name = QLineEdit("PacSpace")
        self.name.setAccessibleName("Profile name")
        self.name.setToolTip("What to call this connection, e.g. “Company live”.")
        self.base_url = QLineEdit(DEFAULT_BASE_URL)
        self.base_url.setAccessibleName("Base URL")
        self.base_url.setToolTip("PacSpace's address. Change it only if PacSpace gave you "
                                 "another one.")
        self.save = QPushButton("Save key and continue")
        self.save.setAccessibleName("Save key and continue")
        self.save.setDefault(True)
        self.save.setEnabled(False)
        self.key.validity_changed.connect(self.save.setEnabled)
        self.save.clicked.connect(self._submit)
        self.key.edit.returnPressed.connect(self._enter)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setAccessibleName("Where the key is kept")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(error_style())
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        self.session_only = QPushButton("Use for this session only")
        self.session_only.setAccessibleName("Use the key for this session only")
        self.session_only.setToolTip("Keep the key in memory until PacSpace Desktop closes; it "
                                     "is not saved anywhere.")
        self.session_only.setEnabled(False)
        self.key.validity_changed.connect(self.session_only.setEnabled)
        self.session_only.hide()
        self.session_only.clicked.connect(self._session_only)
        self._storage_problem = ""
        self.set_keyring(keyring_name, storage_problem)

        form = QFormLayout()
        form.addRow("API key:", self.key)
        form.addRow("Profile name:", self.name)
        form.addRow("Base URL:", self.base_url)
        account = QGroupBox("Connect your PacSpace account")
        box = QVBoxLayout(account)
        box.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.session_only)
        row.addWidget(self.save)
        box.addLayout(row)
        box.addWidget(self.where)
        box.addWidget(self.problem)

        self.try_sandbox = QPushButton("Try it with the local sandbox")
        self.try_sandbox.setAccessibleName("Try it with the local sandbox")
        self.try_sandbox.clicked.connect(self.sandbox_requested.emit)
        sandbox_text = QLabel("No account yet? The sandbox is a stand-in for PacSpace that runs "
                              "on this computer, so you can try every page. Nothing reaches "
                              "PacSpace.")
        sandbox_text.setWordWrap(True)
        sandbox = QGroupBox("Try it first")
        sbox = QVBoxLayout(sandbox)
        sbox.addWidget(sandbox_text)
        srow = QHBoxLayout()
        srow.addWidget(self.try_sandbox)
        srow.addStretch(1)
        sbox.addLayout(srow)

        head = QHBoxLayout()
        head.addWidget(icon)
        words = QVBoxLayout()
        words.addWidget(title)
        words.addWidget(intro)
        head.addLayout(words, 1)
        column = QVBoxLayout()
        column.addLayout(head)
        column.addSpacing(12)
        column.addWidget(account)
        column.addWidget(sandbox)
        column.addStretch(1)
        frame = QFrame()
        frame.setLayout(column)
        frame.setMaximumWidth(640)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(frame, 0, Qt.AlignmentFlag.AlignTop)
        outer.addStretch(1)

    def set_keyring(self, keyring_name: str, storage_problem: str = "") -> None:
        """Say where the key will be kept: in the named keyring, or (with no keyring that
        can store it) only for this session, which then is the one way on."""
        self._storage_problem = storage_problem
        if storage_problem:
            self.where.setText(f"{storage_problem.rstrip('.')}. You can still use the key for "
                               "this session only: PacSpace Desktop keeps it in memory until it "
                               "closes, and you paste it again next time.")
        else:  # no name yet: the keyring is being looked for (right after the first paint)
            self.where.setText(f"The key is stored only in {keyring_name or 'the system keyring'}"
                               ", never in a file.")
        self.save.setVisible(not storage_problem)
        self.session_only.setVisible(bool(storage_problem))
        self.session_only.setDefault(bool(storage_problem))
        self.save.setDefault(not storage_problem)

    def show_problem(self, text: str, offer_session_only: bool = False) -> None:
        """Say why the key could not be stored (and offer a session-only key if that helps).

        The offer stays once made, and with no keyring it is always there."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        if offer_session_only or self._storage_problem:
            self.session_only.show()

    def _enter(self) -> None:
        if self._storage_problem:
            self._session_only()
        else:
            self._submit()

    def _submit(self) -> None:
        if self.key.valid:
            self.key_submitted.emit(self.name.text(), self.base_url.text(), self.key.text())

    def _session_only(self) -> None:
        if self.key.valid:
            self.session_key_requested.emit(self.name.text(), self.base_url.text(),
                                            self.key.text())
