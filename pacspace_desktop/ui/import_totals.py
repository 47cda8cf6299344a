"""Control totals of an import: rows, valid rows, and items and bits per account, before and
after sending — kept up to date edit by edit."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from operator import itemgetter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.importing import TableValidation, control_totals
from pacspace_desktop.importing.totals import file_totals
from pacspace_desktop.importing.validate import StagedRevalidation
from pacspace_desktop.ui.grid_worker import Before
from pacspace_desktop.ui.import_grid_model import CellEdit

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_VALUE = {1: 0, 2: 1, 4: 2, 5: 3}  # column of the totals table → place in an account's list


@dataclass(frozen=True, slots=True)
class TotalsChange:
    """The change of the totals a big edit makes, computed in its worker."""

    totals: RunningTotals
    rows: tuple[int, ...]
    flags: bytes
    accounts: dict[str, list[int]]
    valid: int


_BITS, _ACCEPTED, _ACCEPTED_BITS = itemgetter(1), itemgetter(2), itemgetter(3)


class RunningTotals:
    """Valid rows and per-account items and bits, updated by the rows an edit touched."""

    def __init__(self, validation: TableValidation | None) -> None:
        """Counts every row of `validation` (safe in the worker thread of its check)."""
        self.validation = validation
        self.rows = validation.row_count if validation is not None else 0
        self.valid = 0
        self.accounts: dict[str, list[int]] = {}  # account → [items, bits, accepted, bits]
        self._valid = bytearray(self.rows)
        self._currency: str | None = None
        self._added: tuple[int, int] | None = None  # (rows, rows added) when last counted
        self.sorted_accounts: list[str] | None = None  # as counted here (see __init__)
        if validation is None:
            return
        totals = control_totals(validation)
        self.valid = totals.valid_rows
        self.accounts = {a: [t.items, t.bits, 0, 0] for a, t in totals.accounts.items()}
        for record in validation.combined():  # rows here, not records: edits count rows
            self.accounts[record.account_id][0] += len(record.rows) - 1
        self._valid = bytearray(b"\x01") * self.rows
        for row in validation.error_rows():
            self._valid[row] = 0
        # counted here too, in the worker of the check: sorting 80,000 accounts and counting
        # the added rows of a million took the Qt thread 50 ms when the rows landed
        self._added = (self.rows, validation.table.source_lines.count(0))
        self.sorted_accounts = sorted(self.accounts)

    @property
    def factor(self) -> int:
        """The factor that turned amounts into bits (1: bits are counts, not amounts)."""
        return self.validation.mapping.amount.factor if self.validation is not None else 1

    def amount(self, bits: int) -> str:
        """Bits as an amount in the file's currency: 123456 with factor 100 → "1,234.56 EUR"."""
        factor = self.factor
        if factor == 1:
            return ""
        places = len(str(factor)) - 1
        sign = "−" if bits < 0 else ""
        whole, part = divmod(abs(bits), factor)
        text = f"{sign}{whole:,}.{part:0{places}d}"
        return f"{text} {self.currency}".rstrip()

    @property
    def currency(self) -> str:
        """The currency code of the file when its currency column holds one ("" otherwise)."""
        if self._currency is None:
            self._currency = _currency_of(self.validation)
        return self._currency

    @property
    def added(self) -> int:
        """Rows added in the grid (they have no file line); counted again only after rows
        were put in or taken out."""
        if self.validation is None:
            return 0
        if self._added is None:
            self._added = (self.rows, self.validation.table.source_lines.count(0))
        return self._added[1]

    @property
    def records(self) -> int:
        """Records the valid rows make (an invoice's lines added up count once)."""
        if self.validation is None:
            return 0
        return self.valid - sum(len(c.rows) - 1 for c in self.validation.combined())

    @property
    def held_back(self) -> int:
        """Rows with errors."""
        return self.rows - self.valid

    @property
    def bits(self) -> int:
        """Sum of bits of the valid rows."""
        return sum(map(_BITS, self.accounts.values()))  # at C speed: 80,000 accounts

    @property
    def accepted(self) -> tuple[int, int]:
        """Items PacSpace accepted in this session, and their bits."""
        values = self.accounts.values()
        return sum(map(_ACCEPTED, values)), sum(map(_ACCEPTED_BITS, values))

    def precompute(self, staged: StagedRevalidation,
                   before: Before) -> TotalsChange:
        """In the worker of a big edit: the change of these totals, for `apply` to put in
        place on the Qt thread in a few milliseconds (nothing here changes meanwhile: the
        grid is locked while it checks)."""
        base, shadow = staged.base, staged.shadow
        plan, old_bits, new_bits = base.plan, base.bits, shadow.bits
        account_at, counted, errors = plan.account_at, self._valid, shadow._errors
        change: dict[str, list[int]] = {}
        valid = 0
        flags = bytearray(len(staged.affected))
        for i, row in enumerate(staged.affected):
            if counted[row]:
                account, bits = before.get(row) or (account_at(row), old_bits[row])
                entry = change.setdefault(account, [0, 0])
                entry[0] -= 1
                entry[1] -= bits
                valid -= 1
            if not errors[row]:
                flags[i] = 1
                entry = change.setdefault(account_at(row), [0, 0])
                entry[0] += 1
                entry[1] += new_bits[row]
                valid += 1
        return TotalsChange(self, tuple(staged.affected), bytes(flags), change, valid)

    def apply(self, edit: CellEdit) -> set[str]:
        """Follow an edit; returns the accounts whose totals changed."""
        validation = self.validation
        if validation is None:
            return set()
        done = edit.worked.get("totals") if isinstance(edit.worked, dict) else edit.worked
        if isinstance(done, TotalsChange) and done.totals is self and edit.delta == 0:
            deque(map(self._valid.__setitem__, done.rows, done.flags), maxlen=0)  # C speed
            for account, (items, amount) in done.accounts.items():
                self._add(account, items, amount)
            self.valid += done.valid
            return set(done.accounts)
        plan, bits = validation.plan, validation.bits
        changed: set[str] = set()
        if edit.delta < 0:
            stop = edit.at - edit.delta
            for valid, (account, amount) in zip(self._valid[edit.at:stop], edit.removed,
                                                strict=True):
                if valid:
                    self._add(account, -1, -amount)
                    self.valid -= 1
                    changed.add(account)
            del self._valid[edit.at:stop]
        elif edit.delta > 0:
            self._valid[edit.at:edit.at] = bytes(edit.delta)
        self.rows += edit.delta
        if edit.delta:
            self._added = None  # rows were put in or taken out: count the added ones again
        for row in edit.affected:
            old_account, old_bits = edit.before.get(row) or (plan.account_at(row), bits[row])
            if self._valid[row]:
                self._add(old_account, -1, -old_bits)
                self.valid -= 1
                changed.add(old_account)
            now = validation.is_valid(row)
            self._valid[row] = now
            if now:
                account = plan.account_at(row)
                self._add(account, 1, bits[row])
                self.valid += 1
                changed.add(account)
        return changed

    def add_accepted(self, items: Iterable[WriteItem]) -> None:
        """Count items PacSpace accepted."""
        for it in items:
            entry = self.accounts.setdefault(it.account_id, [0, 0, 0, 0])
            entry[2] += 1
            entry[3] += it.bits

    def _add(self, account: str, items: int, bits: int) -> None:
        entry = self.accounts.setdefault(account, [0, 0, 0, 0])
        entry[0] += items
        entry[1] += bits
        if not any(entry):
            del self.accounts[account]


def _currency_of(validation: TableValidation | None) -> str:
    if validation is None:
        return ""
    for meta in validation.mapping.metadata:
        if meta.name.casefold() in ("currency", "währung", "devise", "moneda"):
            column = validation.table.column(meta.column)
            codes = {c.strip().upper() for c in column[:5000] if c.strip()}
            codes = codes or ({meta.default.upper()} if meta.default else set())
            return codes.pop() if len(codes) == 1 else ""
    return ""


class TotalsTableModel(QAbstractTableModel):
    """One row per account: items to send, sum of bits, and what PacSpace accepted."""

    HEADERS = ("Account ID", "Rows", "Bits", "Amount", "Accepted", "Bits accepted")
    TIPS = ("PacSpace's name: accountId", "Valid rows of this account (they would be sent)",
            "Sum of the bits of the valid rows",
            "The same sum as an amount in the file's currency (bits ÷ the factor)",
            "Rows PacSpace accepted", "Sum of the bits PacSpace accepted")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._totals = RunningTotals(None)
        self._accounts: list[str] = []

    def set_totals(self, totals: RunningTotals, accounts: list[str] | None = None) -> None:
        """Show all accounts again (after a new check, or accounts appearing or going);
        `accounts`: the accounts sorted already."""
        self.beginResetModel()
        self._totals = totals
        self._accounts = accounts if accounts is not None else sorted(totals.accounts)
        self.endResetModel()

    def refresh(self, accounts: set[str]) -> None:
        """Repaint the given accounts; a new or vanished account resets the list."""
        if set(self._accounts) != set(self._totals.accounts):
            self.set_totals(self._totals)
            return
        if len(accounts) > 64:  # many accounts: one repaint of every row
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._accounts) - 1, 5))
            return
        for account in accounts:
            if account in self._totals.accounts:
                row = self._accounts.index(account)
                self.dataChanged.emit(self.index(row, 0), self.index(row, 5))

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._accounts)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        account = self._accounts[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return account
            if col == 3:
                return self._totals.amount(self._totals.accounts[account][1])
            return f"{self._totals.accounts[account][_VALUE[col]]:,}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[section]
        return None


class TotalsPanel(QWidget):
    """Control totals to compare with the accounting system, before and after sending."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.totals = RunningTotals(None)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Control totals")
        self.model = TotalsTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Totals per account")
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # sized from the rows in sight and 100 more, not 1,000: each repaint of 80,000
        # accounts measured 1,000 rows × 6 columns on the Qt thread (48 ms an edit)
        header.setResizeContentsPrecision(100)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def set_validation(self, validation: TableValidation | None,
                       counted: RunningTotals | None = None) -> None:
        """Count everything again (a new file or a new mapping); `counted` when the worker
        of the check counted them already (80,000 accounts: 0.1 s on the Qt thread)."""
        fits = counted is not None and counted.validation is validation
        self.totals = counted if counted is not None and fits else RunningTotals(validation)
        self.model.set_totals(self.totals, self.totals.sorted_accounts)
        self.totals.sorted_accounts = None  # the list is the model's now
        self._update_summary()

    def precompute(self, staged: StagedRevalidation,
                   before: Before) -> TotalsChange:
        """In the worker of a big edit: the change of the totals on screen."""
        return self.totals.precompute(staged, before)

    def apply(self, edit: CellEdit) -> None:
        """Follow an edit."""
        self.model.refresh(self.totals.apply(edit))
        self._update_summary()

    def add_accepted(self, items: Iterable[WriteItem]) -> None:
        """Count items PacSpace accepted."""
        self.totals.add_accepted(items)
        self.model.set_totals(self.totals)
        self._update_summary()

    def _update_summary(self) -> None:
        t = self.totals
        nothing_yet = t.accepted[0] == 0
        self.table.setColumnHidden(3, t.factor == 1)  # bits are counts: no amount
        self.table.setColumnHidden(4, nothing_yet)  # "accepted" columns once there is any
        self.table.setColumnHidden(5, nothing_yet)
        if t.validation is None:
            self.summary.setText("Totals appear once every column needed is chosen.")
            return
        added = t.added
        rows = (f"<b>{t.rows:,}</b> row{'s' if t.rows != 1 else ''}"
                + (f" ({t.rows - added:,} from the file, {added:,} added here)" if added
                   else " in the file"))
        left_out = len(t.validation.total_rows())
        held = t.held_back - left_out
        text = (f"{rows} · <b>{t.valid:,}</b> valid · <b>{held:,}</b> held back"
                + (f" · <b>{left_out:,}</b> total row{'s' if left_out != 1 else ''} left out"
                   if left_out else "")
                + f" · sum of bits of the valid rows <b>{t.bits:,}</b>")
        if t.factor != 1:
            text += f" (<b>{t.amount(t.bits)}</b>)"
        if left_out:  # the file's own totals, compared with its lines
            own = file_totals(t.validation)
            text += "".join(f"<br>{escape(f.describe(), quote=False)}" for f in own[:3])
        records = t.records
        if records != t.valid:
            text += (f"<br>{records:,} record{'s' if records != 1 else ''} to send: the lines "
                     "of an invoice are added up into one")
        accepted, bits = t.accepted
        if accepted:
            text += (f"<br>Accepted by PacSpace: <b>{accepted:,}</b> "
                     f"record{'s' if accepted != 1 else ''}, <b>{bits:,}</b> bits")
            if t.factor != 1:
                text += f" ({t.amount(bits)})"
        self.summary.setText(text)
