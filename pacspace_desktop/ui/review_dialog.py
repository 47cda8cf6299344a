"""Before sending: a summary, the duplicate guard, and an explicit confirmation for LIVE."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.apikey import Environment
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.records import KeySighting
from pacspace_desktop.ui.env_badge import EnvBadge
from pacspace_desktop.ui.style import warning_style


def summarise(items: Sequence[WriteItem]) -> dict[str, tuple[int, int]]:
    """Per account: number of items and sum of bits."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for it in items:
        totals[it.account_id][0] += 1
        totals[it.account_id][1] += it.bits
    return {k: (v[0], v[1]) for k, v in sorted(totals.items())}


class ReviewDialog(QDialog):
    """Shows what is about to be sent and where; asks about keys sent before.

    Signals:
        confirmed(object): the items to send (keys sent before only if ticked).
    """

    confirmed = Signal(object)

    def __init__(self, items: Sequence[WriteItem], sightings: dict[str, list[KeySighting]],
                 profile_name: str, environment: Environment,
                 parent: QWidget | None = None, *, notes: Sequence[str] = (),
                 amount: Callable[[int], str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check before sending")
        self.setMinimumWidth(620)  # account IDs and keys in full, not "CUS…"
        self._amount = amount
        self._items = list(items)
        self._sightings = sightings
        self._env = environment
        totals = summarise(items)
        badge = EnvBadge()
        badge.set_environment(environment)
        n, accounts = len(items), len(totals)
        head = QLabel(f"<b>{n:,} item{'s' if n != 1 else ''}</b> for <b>{accounts:,} "
                      f"account{'s' if accounts != 1 else ''}</b> "
                      f"will be sent with the profile <b>{profile_name}</b>.")
        head.setWordWrap(True)
        self.totals = QTableWidget(len(totals), 4 if amount else 3)
        self.totals.setAccessibleName("Totals per account")
        self.totals.setHorizontalHeaderLabels(["Account ID", "Items", "Sum of bits", "Amount"])
        self.totals.verticalHeader().setVisible(False)
        self.totals.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, (account, (count, bits)) in enumerate(totals.items()):
            values = (account, f"{count:,}", f"{bits:,}", *((amount(bits),) if amount else ()))
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if col:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.totals.setItem(row, col, cell)
        self.totals.setMaximumHeight(160)

        layout = QVBoxLayout(self)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(head)
        layout.addWidget(self.totals)
        self.notes = QLabel("<br>".join(notes))
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("What else to know before sending")
        self.notes.setVisible(bool(notes))
        if notes:
            self.setMinimumWidth(560)
        layout.addWidget(self.notes)

        self.duplicates = QTableWidget(0, 4)
        self.duplicate_boxes: dict[str, QCheckBox] = {}
        known = [it for it in items if it.key in sightings]
        if known:
            warn = QLabel(f"<b>{len(known)} record key(s) were sent before.</b> PacSpace adds a "
                          "second write to the first, so the record would count twice. Tick "
                          "only the ones that must count again; the others stay in the draft.")
            warn.setWordWrap(True)
            warn.setStyleSheet(warning_style())
            self.duplicates.setAccessibleName("Keys sent before")
            self.duplicates.setHorizontalHeaderLabels(["Send again", "Record key", "Sent",
                                                       "Request ID"])
            self.duplicates.verticalHeader().setVisible(False)
            self.duplicates.setRowCount(len(known))
            for row, it in enumerate(known):
                last = sightings[it.key][-1]
                box = QCheckBox()
                box.setAccessibleName(f"Send {it.key} again")
                self.duplicate_boxes[it.key] = box
                self.duplicates.setCellWidget(row, 0, box)
                when = _sighting_words(last, environment)
                if last.state in (ItemState.QUEUED, ItemState.SENDING):
                    # another send holds the key right now: it is never sent beside it
                    box.setEnabled(False)
                    box.setToolTip("Another send holds this key right now. It cannot be sent "
                                   "until that send has ended; then look at History.")
                for col, value in ((1, it.key), (2, when), (3, last.request_id or "—")):
                    cell = QTableWidgetItem(value)
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    cell.setToolTip(value)
                    self.duplicates.setItem(row, col, cell)
            self._fit_duplicates()
            self.duplicates.setMaximumHeight(180)
            layout.addWidget(warn)
            layout.addWidget(self.duplicates)

        self.live_confirm = QCheckBox("I understand these records count for real in PacSpace.")
        self.live_confirm.setAccessibleName("Confirm sending to LIVE")
        self.live_confirm.setVisible(environment is Environment.LIVE)
        self.live_confirm.toggled.connect(self._update)
        layout.addWidget(self.live_confirm)

        self.buttons = QDialogButtonBox()
        self.send = QPushButton()
        self.send.setAccessibleName("Send")
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.send, QDialogButtonBox.ButtonRole.AcceptRole)
        self.send.clicked.connect(self._confirm)
        self.cancel.clicked.connect(self.reject)
        if environment is Environment.LIVE:
            self.cancel.setDefault(True)
            self.cancel.setAutoDefault(True)
            self.send.setAutoDefault(False)
        else:
            self.send.setDefault(True)
        for box in self.duplicate_boxes.values():
            box.toggled.connect(self._update)
        layout.addWidget(self.buttons)
        self._update()

    def chosen(self) -> list[WriteItem]:
        """The items that will go: all new keys, and known keys only when ticked."""
        return [it for it in self._items if it.key not in self._sightings
                or self.duplicate_boxes[it.key].isChecked()]

    def resend_keys(self) -> frozenset[str]:
        """The keys sent before that the person ticked to send again."""
        return frozenset(k for k, box in self.duplicate_boxes.items() if box.isChecked())

    def _refresh_totals(self) -> None:
        """Totals of what will be sent: keys held back (not ticked) do not count."""
        sent = summarise(self.chosen())
        for row in range(self.totals.rowCount()):
            account_cell = self.totals.item(row, 0)
            if account_cell is None:
                continue
            count, bits = sent.get(account_cell.text(), (0, 0))
            values = [f"{count:,}", f"{bits:,}"]
            if self._amount is not None and self.totals.columnCount() > 3:
                values.append(self._amount(bits))
            for col, value in enumerate(values, start=1):
                cell = self.totals.item(row, col)
                if cell is not None:
                    cell.setText(value)
            self.totals.setRowHidden(row, count == 0)

    def _fit_duplicates(self) -> None:
        """Every column of the keys sent before as wide as its words (Qt measures the first
        1,000 rows): "Sent" names when and who ("… by Anna (PC-FIN-02)"). The dialog widens
        for them, up to nine tenths of the screen; past that "Sent" gives way (its tooltip
        has the whole text)."""
        table = self.duplicates
        for col in range(table.columnCount()):
            table.resizeColumnToContents(col)
        wanted = sum(table.columnWidth(c) for c in range(table.columnCount())) + 48
        screen = self.screen()
        room = int(screen.availableGeometry().width() * 0.9) if screen is not None else 1152
        self.setMinimumWidth(min(max(self.minimumWidth(), wanted), room))
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def _update(self) -> None:
        self._refresh_totals()
        n = len(self.chosen())
        where = {Environment.LIVE: " to LIVE", Environment.TEST: " to TEST",
                 Environment.SANDBOX: " to the sandbox"}.get(self._env, "")
        self.send.setText(f"Send {n:,} item{'s' if n != 1 else ''}{where}")
        ok = n > 0 and (self._env is not Environment.LIVE or self.live_confirm.isChecked())
        self.send.setEnabled(ok)

    def _confirm(self) -> None:
        if self.send.isEnabled():
            self.confirmed.emit(self.chosen())
            self.accept()


def _sighting_words(seen: KeySighting, environment: Environment) -> str:
    """When, how and by whom a key was sent (or is being sent), for the Sent column."""
    moment = f"{seen.sent_at.astimezone():%d %b %Y %H:%M}"
    who = f" by {seen.sent_by}" if seen.sent_by else ""
    where = "" if seen.environment == environment.value else f" ({seen.environment})"
    if seen.state in (ItemState.QUEUED, ItemState.SENDING):
        return f"Being sent right now, since {moment}{who}{where}"
    return f"{seen.state.label}, {moment}{who}{where}"
