"""Verification settings and the webhook delivery log, in one dialog opened from History."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.services.verification_service import ReceiverStatus, VerificationService
from pacspace_desktop.storage.verification_settings import ReadBudget, ReceiverSettings
from pacspace_desktop.ui.delivery_log_model import COL_DETAIL, DeliveryLogModel
from pacspace_desktop.ui.style import error_style, warning_style
from pacspace_desktop.ui.verification_words import short_time

RECEIVER_WHY = ("PacSpace confirms each write with a signed webhook when it has verified it. "
                "Point a relay or tunnel from PacSpace's webhook settings at this address. "
                "Every delivery is checked against the signing secret and recorded below.")


class VerificationDialog(QDialog):
    """Background checks (off / gentle / on demand), the receiver, and its delivery log."""

    def __init__(self, service: VerificationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verification")
        self.service = service
        self.reads = QComboBox()
        self.reads.setAccessibleName("Background checks")
        for budget in ReadBudget:
            self.reads.addItem(budget.label, budget.value)
        self.reads.setToolTip("How often the app may ask PacSpace about record keys that wait for "
                              "verification. Sending always goes first.")
        self.check_now = QPushButton("Check verifications now")
        self.check_now.setAccessibleName("Check verifications now")
        self.reads_status = QLabel()
        self.reads_status.setWordWrap(True)
        self.enabled = QCheckBox("Receive PacSpace's webhooks on this computer")
        self.host = QLineEdit()
        self.host.setAccessibleName("Listen on address")
        self.host.setToolTip("127.0.0.1 means this computer only (recommended).")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setAccessibleName("Port")
        self.remote = QCheckBox("Listen on other addresses too (needs TLS or a relay)")
        self.cert = QLineEdit()
        self.cert.setPlaceholderText("PEM certificate file (optional)")
        self.cert.setAccessibleName("TLS certificate file")
        self.key = QLineEdit()
        self.key.setPlaceholderText("PEM private key file (if not in the certificate)")
        self.key.setAccessibleName("TLS private key file")
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("whsec_… from PacSpace's webhook settings")
        self.secret.setAccessibleName("Webhook signing secret")
        self.save_secret = QPushButton("Save secret in keyring")
        self.clear_secret = QPushButton("Remove secret")
        self.secret_state = QLabel()
        self.apply = QPushButton("Apply")
        self.apply.setAccessibleName("Apply the receiver settings")
        self.receiver_status = QLabel()
        self.receiver_status.setWordWrap(True)
        self.receiver_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receiver_warning = QLabel()
        self.receiver_warning.setWordWrap(True)
        self.log_model = DeliveryLogModel(self)
        self.log = QTableView()
        self.log.setModel(self.log_model)
        self.log.setAccessibleName("Webhook deliveries")
        self.log.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.log.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log.verticalHeader().setVisible(False)
        self.log.setWordWrap(False)
        self.log.horizontalHeader().setStretchLastSection(True)
        self.log.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.empty_log = QLabel("No deliveries yet. They appear here as they arrive, accepted "
                                "or refused.")
        self.delivery = QPlainTextEdit()
        self.delivery.setReadOnly(True)
        self.delivery.setAccessibleName("The selected delivery in full")
        self.delivery.setPlaceholderText("Select a delivery to see it in full (what the "
                                         "receiver did, and the body PacSpace sent).")
        self.delivery.setMaximumHeight(110)
        self._build()
        self._load()
        service.reads_changed.connect(self.reads_status.setText)
        service.receiver_changed.connect(self._show_status)
        service.deliveries_changed.connect(self.reload_log)
        service.failed.connect(self._failed)
        self.reads.currentIndexChanged.connect(self._reads_changed)
        self.check_now.clicked.connect(service.check_now)
        self.save_secret.clicked.connect(self._save_secret)
        self.clear_secret.clicked.connect(self._clear_secret)
        self.apply.clicked.connect(self._apply)
        self.log.selectionModel().selectionChanged.connect(self._show_delivery)
        self.reload_log()
        self.resize(1120, 720)

    def _build(self) -> None:
        reads_box = QGroupBox("Background checks")
        reads_row = QHBoxLayout()
        reads_row.addWidget(self.reads, 1)
        reads_row.addWidget(self.check_now)
        reads_lay = QVBoxLayout(reads_box)
        reads_lay.addLayout(reads_row)
        reads_lay.addWidget(self.reads_status)
        rec_box = QGroupBox("Webhook receiver (off unless switched on)")
        why = QLabel(RECEIVER_WHY)
        why.setWordWrap(True)
        form = QFormLayout()
        where = QHBoxLayout()
        where.addWidget(self.host, 1)
        where.addWidget(QLabel("Port"))
        where.addWidget(self.port)
        form.addRow("Listen on", where)
        form.addRow("", self.remote)
        tls = QHBoxLayout()
        tls.addWidget(self.cert, 1)
        tls.addWidget(self.key, 1)
        form.addRow("TLS", tls)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(self.save_secret)
        secret_row.addWidget(self.clear_secret)
        form.addRow("Signing secret", secret_row)
        form.addRow("", self.secret_state)
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.receiver_status, 1)
        apply_row.addWidget(self.apply)
        rec_lay = QVBoxLayout(rec_box)
        rec_lay.addWidget(why)
        rec_lay.addWidget(self.enabled)
        rec_lay.addLayout(form)
        rec_lay.addLayout(apply_row)
        rec_lay.addWidget(self.receiver_warning)
        log_box = QGroupBox("Deliveries received")
        log_lay = QVBoxLayout(log_box)
        log_lay.addWidget(self.empty_log)
        log_lay.addWidget(self.log, 1)
        log_lay.addWidget(self.delivery)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(reads_box)
        layout.addWidget(rec_box)
        layout.addWidget(log_box, 1)
        layout.addWidget(buttons)

    def _load(self) -> None:
        s = self.service.settings
        self.reads.blockSignals(True)
        self.reads.setCurrentIndex(max(0, self.reads.findData(s.reads.value)))
        self.reads.blockSignals(False)
        r = s.receiver
        self.enabled.setChecked(r.enabled)
        self.host.setText(r.host)
        self.port.setValue(r.port)
        self.remote.setChecked(r.allow_remote)
        self.cert.setText(r.cert_file)
        self.key.setText(r.key_file)
        self._show_secret_state()
        self._show_status(self.service.receiver_status)
        self.reads_status.setText(self.service.reads_words())

    def _show_secret_state(self) -> None:
        stored = self.service.has_secret()
        words = {True: "A signing secret is stored in the keyring.",
                 False: "No signing secret is stored: deliveries would be refused.",
                 None: "The keyring cannot be read right now, so the secret is unknown."}
        self.secret_state.setText(words[stored])
        self.clear_secret.setEnabled(stored is True)

    def _show_status(self, status: object) -> None:
        if not isinstance(status, ReceiverStatus):
            return
        self.receiver_status.setText(status.message)
        self.receiver_warning.setText(status.warning)
        self.receiver_warning.setVisible(bool(status.warning))
        self.receiver_warning.setStyleSheet(warning_style())

    def reload_log(self) -> None:
        """Show the latest deliveries."""
        rows = self.service.deliveries()
        self.log_model.set_rows(rows)
        self.empty_log.setVisible(not rows)
        for col in range(COL_DETAIL):
            self.log.resizeColumnToContents(col)

    def _show_delivery(self) -> None:
        rows = self.log.selectionModel().selectedRows()
        if not rows:
            self.delivery.clear()
            return
        d = self.log_model.row_at(rows[0].row())
        self.delivery.setPlainText(
            f"{d.outcome.label} — received {short_time(d.received_at)} from {d.remote}, "
            f"answered HTTP {d.http_status}. Event {d.event_id or '(no id)'} "
            f"{d.event_type}, Request ID {d.request_id or '(none)'}.\n{d.detail}\n\n"
            f"Body (SHA-256 {d.body_sha256}):\n{d.body}")

    def _reads_changed(self) -> None:
        self.service.set_read_budget(ReadBudget(self.reads.currentData()))

    def _save_secret(self) -> None:
        if self.service.store_secret(self.secret.text()):
            self.secret.clear()
        self._show_secret_state()

    def _clear_secret(self) -> None:
        self.service.clear_secret()
        self._show_secret_state()

    def _apply(self) -> None:
        self.service.apply_receiver(ReceiverSettings(
            enabled=self.enabled.isChecked(), host=self.host.text().strip() or "127.0.0.1",
            port=self.port.value(), allow_remote=self.remote.isChecked(),
            cert_file=self.cert.text().strip(), key_file=self.key.text().strip()))

    def _failed(self, text: str) -> None:
        self.receiver_warning.setText(text)
        self.receiver_warning.setVisible(True)
        self.receiver_warning.setStyleSheet(error_style())
