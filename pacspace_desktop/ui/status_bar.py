"""The status bar: profile (switchable), environment badge, keyring state, connection state."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar, QWidget

from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.storage.keystore import KeyState, KeyStatus
from pacspace_desktop.ui.env_badge import EnvBadge
from pacspace_desktop.ui.style import error_style


class AppStatusBar(QStatusBar):
    """Always shows who the app talks to, with which key, and how the last request went."""

    def __init__(self, session: SessionService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.profile = QComboBox()
        self.profile.setAccessibleName("Active profile")
        self.profile.setToolTip("The profile in use: where records are sent. Switch it here.")
        self.profile.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.profile.activated.connect(self._switch)
        self.badge = EnvBadge()
        self.key = QLabel()
        self.key.setAccessibleName("Keyring state")
        self.connection = QLabel("No request sent yet")
        self.connection.setAccessibleName("Connection state")
        self.verification = QLabel()
        self.verification.setAccessibleName("Items waiting for verification")
        self.verification.setTextFormat(Qt.TextFormat.RichText)
        self.verification.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.addWidget(QLabel("Profile:"))
        self.addWidget(self.profile)
        self.addWidget(self.badge)
        self.addWidget(self.key)
        self.addPermanentWidget(self.verification)
        self.addPermanentWidget(self.connection)
        self._shown_profile: str | None = None
        session.profile_changed.connect(self.refresh)
        session.key_state_changed.connect(self.show_key_status)
        session.last_request_changed.connect(self.connection.setText)
        self.refresh()

    def refresh(self) -> None:
        """Show the current profiles and environment."""
        active_now = self._session.active_profile()
        active_id = active_now.id if active_now else None
        if active_id != self._shown_profile:
            # The last request's words belong to the profile it was sent with.
            self._shown_profile = active_id
            self.connection.setText("No request sent yet")
        self.profile.blockSignals(True)
        self.profile.clear()
        active = self._session.active_profile()
        for p in self._session.profiles():
            self.profile.addItem(p.name, p.id)
            if active is not None and p.id == active.id:
                self.profile.setCurrentIndex(self.profile.count() - 1)
        self.profile.blockSignals(False)
        self.profile.setEnabled(self.profile.count() > 1)
        self.badge.set_environment(self._session.environment())
        status = self._session.known_key_status()
        if status is None:  # the keyring is asked right after the window shows
            self.key.setText("Checking the keyring…")
            self.key.setToolTip("")
            self.key.setStyleSheet("")
        else:
            self.show_key_status(status)

    def show_key_status(self, status: KeyStatus) -> None:
        """Show where the key stands, in a few words (the tooltip has the rest)."""
        words = {
            KeyState.STORED: f"Key in {status.backend_name}",
            KeyState.SESSION_ONLY: "Key for this session only",
            KeyState.NOT_STORED: "No key stored",
            KeyState.LOCKED: "Keyring locked",
            KeyState.NO_BACKEND: "No keyring",
            KeyState.ERROR: "Keyring error",
        }[status.state]
        active = self._session.active_profile()
        if active is not None and active.kind == "sandbox":
            words = "Demo key (sandbox)"
        self.key.setText(words)
        self.key.setToolTip(f"{status.message} {status.action}".strip())
        self.key.setStyleSheet("" if status.usable or status.state is KeyState.NOT_STORED
                               else error_style() + " font-weight: bold;")

    def show_verification(self, waiting: int, failed: int) -> None:
        """How many accepted items still wait for PacSpace's verification (and failed)."""
        parts = []
        if waiting:
            parts.append(f"<a href='waiting'>… {QLocale.system().toString(waiting)} waiting for "
                         "verification</a>")
        if failed:
            parts.append(f"<a href='failed'>✗ {QLocale.system().toString(failed)} failed "
                         "verification</a>")
        self.verification.setText(" · ".join(parts))
        self.verification.setVisible(bool(parts))  # nothing waits: nothing to say
        self.verification.setToolTip("Accepted items PacSpace has not verified yet. Click to "
                                     "see them in History.")

    def _switch(self, index: int) -> None:
        pid = self.profile.itemData(index, Qt.ItemDataRole.UserRole)
        if pid:
            self._session.set_active(str(pid))
