"""Settings: profiles (where to send), the API key in the keyring, and Test connection."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.connection_check import ConnectionCheck
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.services.team_history_service import TeamHistoryService
from pacspace_desktop.storage.keystore import KeyState, KeyStatus
from pacspace_desktop.storage.settings import DEFAULT_BASE_URL
from pacspace_desktop.ui.key_field import KeyField
from pacspace_desktop.ui.style import error_style, state_icon

_KEY_STATE_MARK = {
    KeyState.STORED: ItemState.ACCEPTED, KeyState.SESSION_ONLY: ItemState.ACCEPTED,
    KeyState.NOT_STORED: ItemState.NOT_SENT, KeyState.LOCKED: ItemState.UNKNOWN,
    KeyState.NO_BACKEND: ItemState.REJECTED, KeyState.ERROR: ItemState.REJECTED,
}


class SettingsPage(QWidget):
    """Profiles, the key and the connection test.

    Signals:
        sandbox_requested(): add or switch to the local sandbox profile.
    """

    sandbox_requested = Signal()

    def __init__(self, session: SessionService, parent: QWidget | None = None,
                 team: TeamHistoryService | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.profiles = QListWidget()
        self.profiles.setAccessibleName("Profiles")
        self.profiles.currentItemChanged.connect(self._show_selected)
        self.add = QPushButton("Add profile")
        self.add.clicked.connect(self._add_profile)
        self.add_sandbox = QPushButton("Add the local sandbox")
        self.add_sandbox.clicked.connect(self.sandbox_requested.emit)
        self.remove = QPushButton("Remove profile")
        self.remove.clicked.connect(self._remove_profile)
        self.use = QPushButton("Use this profile")
        self.use.clicked.connect(self._use_profile)
        for b in (self.add, self.add_sandbox, self.remove, self.use):
            b.setAccessibleName(b.text())

        self.name = QLineEdit()
        self.name.setAccessibleName("Profile name")
        self.base_url = QLineEdit()
        self.base_url.setAccessibleName("Base URL")
        self.base_url.setToolTip(f"PacSpace's address, normally {DEFAULT_BASE_URL}")
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, 600)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(" s")
        self.timeout.setAccessibleName("Request timeout in seconds")
        self.batch = QSpinBox()
        self.batch.setRange(1, 100)
        self.batch.setAccessibleName("Items per request")
        self.batch.setToolTip("PacSpace takes at most 100 items in one request.")
        self.settle = QDoubleSpinBox()
        self.settle.setRange(0, 24 * 60)
        self.settle.setDecimals(0)
        self.settle.setSuffix(" min")
        self.settle.setAccessibleName("Minutes before a check that finds nothing counts")
        self.settle.setToolTip(
            "PacSpace queues writes before they can be read. A check on the server that finds "
            "nothing sooner than this after a send proves nothing, so the item is not offered "
            "for sending again before then.")
        self.ca_bundle = QLineEdit()
        self.ca_bundle.setAccessibleName("CA bundle file")
        self.ca_bundle.setPlaceholderText("none")
        self.ca_bundle.setToolTip(
            "A .pem file from your IT department: extra certificate authorities to trust, for "
            "a company proxy that inspects secure "
            "connections. Without it: SSL_CERT_FILE if set, else the certificates that come "
            "with the app.")
        self.system_store = QCheckBox("Trust system certificates")
        self.system_store.setAccessibleName("Trust this computer's certificate store")
        self.system_store.setToolTip(
            "Check server certificates against the operating system's store, where IT "
            "departments install their company certificates.")
        self.save = QPushButton("Save changes")
        self.save.setAccessibleName("Save profile changes")
        self.save.clicked.connect(self._save_profile)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Profile message")

        self.key_icon = QLabel()
        self.key_state = QLabel()
        self.key_state.setWordWrap(True)
        self.key_state.setAccessibleName("Keyring state")
        self.key_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_field = KeyField()
        self.store_key = QPushButton("Save key")
        self.store_key.setEnabled(False)
        self.key_field.validity_changed.connect(self.store_key.setEnabled)
        self.key_field.edit.returnPressed.connect(self._enter_key)
        self.store_key.clicked.connect(self._store_key)
        self.session_key = QPushButton("Use for this session only")
        self.session_key.clicked.connect(lambda: self._store_key(session_only=True))
        self.clear_key = QPushButton("Remove key")
        self.clear_key.clicked.connect(self._clear_key)
        self.retry = QPushButton("Unlock and retry")
        self.retry.clicked.connect(session.retry_keyring)
        for b in (self.store_key, self.session_key, self.clear_key, self.retry):
            b.setAccessibleName(b.text())

        self.test = QPushButton("Test connection")
        self.test.setAccessibleName("Test connection")
        self.test.clicked.connect(self._start_test)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName("Connection test result")
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_icon = QLabel()
        self.test_icon.setFixedSize(22, 22)
        self._tested_profile: str | None = None

        left = QVBoxLayout()
        left.addWidget(QLabel("Profiles"))
        left.addWidget(self.profiles, 1)
        for b in (self.use, self.add, self.add_sandbox, self.remove):
            left.addWidget(b)
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Base URL:", self.base_url)
        form.addRow("Wait for an answer:", self.timeout)
        form.addRow("Items per request:", self.batch)
        form.addRow("Trust “not found” after:", self.settle)
        form.addRow("CA bundle:", self.ca_bundle)
        form.addRow("", self.system_store)
        profile_box = QGroupBox("Where records are sent")
        pbox = QVBoxLayout(profile_box)
        pbox.addLayout(form)
        prow = QHBoxLayout()
        prow.addWidget(self.message, 1)
        prow.addWidget(self.save)
        pbox.addLayout(prow)

        key_box = QGroupBox("API key")
        kbox = QVBoxLayout(key_box)
        krow = QHBoxLayout()
        krow.addWidget(self.key_icon, 0, Qt.AlignmentFlag.AlignTop)
        krow.addWidget(self.key_state, 1)
        kbox.addLayout(krow)
        self.replace_label = QLabel("Add or replace the key:")
        kbox.addWidget(self.replace_label)
        kbox.addWidget(self.key_field)
        brow = QHBoxLayout()
        brow.addStretch(1)
        for b in (self.retry, self.clear_key, self.session_key, self.store_key):
            brow.addWidget(b)
        kbox.addLayout(brow)

        test_box = QGroupBox("Connection")
        tbox = QHBoxLayout(test_box)
        tbox.addWidget(self.test, 0, Qt.AlignmentFlag.AlignTop)
        tbox.addWidget(self.test_icon, 0, Qt.AlignmentFlag.AlignTop)
        tbox.addWidget(self.test_result, 1)

        right = QVBoxLayout()
        right.addWidget(profile_box)
        right.addWidget(key_box)
        right.addWidget(test_box)
        if team is not None:
            from pacspace_desktop.ui.team_history_box import TeamHistoryBox

            self.team_box: TeamHistoryBox | None = TeamHistoryBox(team)
            right.addWidget(self.team_box)
        else:
            self.team_box = None
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 3)

        self._active_shown: str | None = None
        session.profile_changed.connect(self.reload)
        session.key_state_changed.connect(self._show_key_status)
        session.failed.connect(self._show_failure)
        self.reload()

    def reload(self) -> None:
        """Show the profiles again (after a change anywhere)."""
        active = self._session.active_profile()
        selected = self._selected_id() or (active.id if active else None)
        active_id = active.id if active else None
        if active_id != self._active_shown:
            selected = active_id  # a new profile in use: show it, not the one shown before
        self._active_shown = active_id
        self.profiles.blockSignals(True)
        self.profiles.clear()
        for p in self._session.profiles():
            mark = " (in use)" if active is not None and p.id == active.id else ""
            item = QListWidgetItem(f"{p.name}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.profiles.addItem(item)
            if p.id == selected:
                self.profiles.setCurrentItem(item)
        self.profiles.blockSignals(False)
        self._show_selected()

    def _selected_id(self) -> str | None:
        item = self.profiles.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _show_selected(self, *_args: object) -> None:
        pid = self._selected_id()
        profile = self._session.settings.find(pid) if pid else None
        enabled = profile is not None
        for w in (self.name, self.base_url, self.timeout, self.batch, self.settle, self.save,
                  self.remove, self.use, self.ca_bundle, self.system_store):
            w.setEnabled(enabled)
        if profile is None:
            return
        self.name.setText(profile.name)
        sandbox = profile.kind == "sandbox"
        self.base_url.setText("decided when the local sandbox starts" if sandbox
                              else profile.base_url)
        self.base_url.setReadOnly(sandbox)
        self.timeout.setValue(float(profile.timeout_s))
        self.batch.setValue(int(profile.batch_size))
        self.settle.setValue(float(profile.settle_minutes))
        self.ca_bundle.setText(profile.ca_bundle)
        self.system_store.setChecked(bool(profile.trust_system_store))
        active = self._session.active_profile()
        self.use.setEnabled(active is None or active.id != profile.id)
        self._show_key_status(self._session.key_status(profile.id))
        if profile.id != self._tested_profile:
            self._clear_check()  # a test result belongs to the profile it tested

    def _show_key_status(self, status: KeyStatus) -> None:
        pid = self._selected_id()
        shown = self._session.settings.find(pid) if pid else self._session.active_profile()
        active = self._session.active_profile()
        if shown is not None and active is not None and shown.id != active.id \
                and self.sender() is self._session:
            return  # a signal about the active profile while another one is shown
        sandbox = shown is not None and shown.kind == "sandbox"
        masked = f" Key: {status.masked_key}." if status.masked_key else ""
        word = "Demo key" if sandbox else status.state.value.capitalize()
        text = f"<b>{word}</b> — {status.message}{masked}"
        if status.action:
            text += f"<br>{status.action}"
        storage = self._session.key_storage_problem()
        text += ("<br><small>Keyring: there is none on this computer that can store the key"
                 "</small>" if storage is not None
                 else f"<br><small>Keyring: {self._session.keyring_words()}</small>")
        if status.detail:
            text += f"<br><small>{status.detail}</small>"
        self.key_state.setText(text)
        self.key_icon.setPixmap(state_icon(_KEY_STATE_MARK[status.state]).pixmap(22, 22))
        self.retry.setVisible(status.state in (KeyState.LOCKED, KeyState.ERROR))
        # With no keyring, a session-only key is the one way; it stays on offer to replace a
        # session key, and "Save key" (which would fail) is not offered at all.
        self.session_key.setVisible(not sandbox and (storage is not None
                                                     or status.state is KeyState.NO_BACKEND))
        self.replace_label.setText("Add or replace the key (it can be used for this session "
                                   "only):" if storage is not None
                                   else "Add or replace the key:")
        self.clear_key.setEnabled(status.state in (KeyState.STORED, KeyState.SESSION_ONLY)
                                  and not sandbox)
        for w in (self.key_field, self.replace_label, self.clear_key):
            w.setVisible(not sandbox)
        self.store_key.setVisible(not sandbox and storage is None)
        has_sandbox = any(p.kind == "sandbox" for p in self._session.profiles())
        self.add_sandbox.setText("Use the local sandbox" if has_sandbox
                                 else "Add the local sandbox")
        self.add_sandbox.setAccessibleName(self.add_sandbox.text())
        self.add_sandbox.setEnabled(not sandbox)

    def _show_failure(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style())

    def _save_profile(self) -> None:
        pid = self._selected_id()
        profile = self._session.settings.find(pid) if pid else None
        if profile is None:
            return
        changes: dict[str, object] = {"name": self.name.text(),
                                      "timeout_s": self.timeout.value(),
                                      "batch_size": self.batch.value(),
                                      "settle_minutes": self.settle.value(),
                                      "ca_bundle": self.ca_bundle.text(),
                                      "trust_system_store": self.system_store.isChecked()}
        if profile.kind != "sandbox":
            changes["base_url"] = self.base_url.text()
        if self._session.update_profile(profile.id, **changes):
            self.message.setText("Saved.")
            self.message.setStyleSheet("")

    def _add_profile(self) -> None:
        taken = {p.name for p in self._session.profiles()}
        n = 1
        while f"New profile {n}" in taken:
            n += 1
        profile = self._session.add_profile(f"New profile {n}", DEFAULT_BASE_URL, 30.0, 100,
                                            make_active=False)
        if profile is not None:
            for i in range(self.profiles.count()):
                if self.profiles.item(i).data(Qt.ItemDataRole.UserRole) == profile.id:
                    self.profiles.setCurrentRow(i)
            self.message.setText("Name the profile, then use it and add its key.")
            self.message.setStyleSheet("")

    def _remove_profile(self) -> None:
        pid = self._selected_id()
        if pid:
            self._session.remove_profile(pid)

    def _use_profile(self) -> None:
        pid = self._selected_id()
        if pid:
            self._session.set_active(pid)

    def _store_key(self, session_only: bool = False) -> None:
        pid = self._selected_id()
        if pid:
            self._session.set_active(pid)
        if self._session.store_key(self.key_field.text(), session_only=session_only):
            self.key_field.clear()
            self._clear_check()
            self.message.setText("The key was saved." if not session_only else
                                 "The key is kept for this session only; you will be asked "
                                 "again next time.")
            self.message.setStyleSheet("")

    def _enter_key(self) -> None:
        if not self.key_field.valid:
            return
        self._store_key(session_only=self._session.key_storage_problem() is not None)

    def _clear_key(self) -> None:
        session_only = self._session.key_status().state is KeyState.SESSION_ONLY
        if self._session.clear_key():
            self._clear_check()
            self.message.setText("The key for this session was forgotten." if session_only
                                 else "The key was removed from the keyring.")
            self.message.setStyleSheet("")

    def _clear_check(self) -> None:
        self._tested_profile = None
        self.test_result.clear()
        self.test_result.setToolTip("")
        self.test_icon.clear()

    def _start_test(self) -> None:
        start_task(self._test_connection(), name="testing the connection",
                   on_error=lambda _exc: self.test_result.setText(
                       "The test broke off because of an unexpected error; the report shows "
                       "what happened."))

    async def _test_connection(self) -> None:
        self.test.setEnabled(False)
        self._clear_check()
        active = self._session.active_profile()
        self._tested_profile = active.id if active else None
        self.test_result.setText("Asking PacSpace…")
        try:
            check = await self._session.test_connection()
        finally:
            self.test.setEnabled(True)
        self._show_check(check)

    def _show_check(self, check: ConnectionCheck) -> None:
        state = ItemState.ACCEPTED if check.ok else ItemState.REJECTED
        detail = f"<br><small>{check.detail}</small>" if check.detail else ""
        self.test_result.setText(f"<b>{check.title}</b><br>{check.explanation}{detail}")
        self.test_result.setStyleSheet("" if check.ok else "color: palette(text);")
        self.test_result.setToolTip(state.label)
        self.test_icon.setPixmap(state_icon(state).pixmap(22, 22))
        self.test_icon.setToolTip(state.label)
        if check.entry is not None and check.entry.kind is OutcomeKind.UNAUTHORIZED:
            # The key is stored, but PacSpace refused it: no green tick beside it.
            self.key_icon.setPixmap(state_icon(ItemState.REJECTED).pixmap(22, 22))
