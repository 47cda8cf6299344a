"""Settings → Team history: share one history (and its duplicate guard) with a finance team."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.team_history_service import TeamHistoryService
from pacspace_desktop.storage.team import MoveReport, TeamCheck
from pacspace_desktop.storage.team_settings import TeamSettings
from pacspace_desktop.ui.style import error_style, state_icon

_LOCAL_WORDS = ("This computer keeps its own history. Connect to your team's database so that "
                "a record key sent by anyone in the team is never sent twice.")


class TeamHistoryBox(QGroupBox):
    """The address, password and CA file of a team history, with test/connect/disconnect/move."""

    def __init__(self, service: TeamHistoryService, parent: QWidget | None = None) -> None:
        super().__init__("Team history", parent)
        self._service = service
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.RichText)
        self.url = QLineEdit()
        self.url.setPlaceholderText("postgresql://anna@db.example.com/pacspace")
        self.url.setAccessibleName("Team database address")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Team database password")
        self.password.setToolTip("Kept in the system keyring, never in a settings file.")
        self.ca_file = QLineEdit()
        self.ca_file.setAccessibleName("CA file of the team database")
        self.ca_file.setPlaceholderText("a .pem file: checks the server's certificate and name")
        self.browse = QPushButton("Choose…")
        self.browse.setAccessibleName("Choose the CA file")
        self.browse.clicked.connect(self._choose_ca)
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName("Your name in the history")
        self.display_name.setPlaceholderText("e.g. Anna (PC-FIN-02); empty: your login and "
                                             "computer")
        self.test = QPushButton("Test the connection")
        self.connect_button = QPushButton("Connect")
        self.disconnect_button = QPushButton("Disconnect (use the local history)")
        self.move_button = QPushButton("Move the local history into the team history")
        for b in (self.test, self.connect_button, self.disconnect_button, self.move_button):
            b.setAccessibleName(b.text())
        self.result_icon = QLabel()
        self.result_icon.setFixedSize(18, 18)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName("Team history result")

        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Address:", self.url)
        form.addRow("Password:", self.password)
        form.addRow("CA file (TLS):", ca_row)
        form.addRow("Sent by:", self.display_name)
        buttons = QHBoxLayout()
        for b in (self.test, self.connect_button, self.disconnect_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_icon, 0, Qt.AlignmentFlag.AlignTop)
        result_row.addWidget(self.result, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.state)
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.move_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addLayout(result_row)

        self.test.clicked.connect(self._test)
        self.connect_button.clicked.connect(self._connect)
        self.disconnect_button.clicked.connect(service.use_local)
        self.move_button.clicked.connect(self._move)
        service.checked.connect(self._show_check)
        service.changed.connect(self._show_settings)
        service.moved.connect(self._show_moved)
        service.failed.connect(lambda text: self._say(False, text))
        service.busy_changed.connect(self._busy)
        self._show_settings(service.settings())

    def _show_settings(self, settings: TeamSettings) -> None:
        self.url.setText(settings.url)
        self.ca_file.setText(settings.ca_file)
        self.display_name.setText(settings.display_name)
        self.password.clear()
        in_use = self._service.in_use
        if settings.connected:
            from pacspace_desktop.storage.pg import display_url

            where = display_url(settings.url)
            now = ("in use now" if in_use and display_url(in_use) == where
                   else "used from the next start of PacSpace Desktop — restart it now")
            self.state.setText(f"<b>Team history:</b> {where} ({now}). Every send first claims "
                               "its record keys there; a key someone else in the team holds "
                               "is refused with their name.")
        elif in_use:
            self.state.setText("<b>Local history</b> from the next start (restart PacSpace "
                               "Desktop now). " + _LOCAL_WORDS)
        else:
            self.state.setText(f"<b>Local history.</b> {_LOCAL_WORDS}")
        self.disconnect_button.setEnabled(settings.connected)
        self.move_button.setEnabled(settings.connected)

    def _test(self) -> None:
        self._say(None, "Testing…")
        self._service.test(self.url.text(), self.ca_file.text(), self.password.text() or None)

    def _connect(self) -> None:
        self._say(None, "Connecting…")
        self._service.connect_team(self.url.text(), self.ca_file.text(),
                                   self.display_name.text(), self.password.text() or None)

    def _move(self) -> None:
        self._say(None, "Moving the local history…")
        self._service.move_local()

    def _show_check(self, found: TeamCheck) -> None:
        self._say(found.ok, found.message)

    def _show_moved(self, report: MoveReport) -> None:
        self._say(True, report.text())

    def _busy(self, busy: bool) -> None:
        connected = self._service.settings().connected
        for b in (self.test, self.connect_button, self.move_button):
            b.setEnabled(not busy and (b is not self.move_button or connected))

    def _say(self, ok: bool | None, text: str) -> None:
        self.result.setText(text)
        self.result.setStyleSheet("" if ok is not False else error_style())
        if ok is None:
            self.result_icon.clear()
        else:
            self.result_icon.setPixmap(state_icon(
                ItemState.ACCEPTED if ok else ItemState.REJECTED).pixmap(16, 16))

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA file of the team database", "",
                                              "Certificates (*.pem *.crt);;All files (*)")
        if path:
            self.ca_file.setText(path)
