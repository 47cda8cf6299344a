"""The batch draft below the form: records waiting to be sent, or back from PacSpace to fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from pacspace_desktop.domain.items import BitsError, WriteItem, bits_from_text
from pacspace_desktop.domain.metadata import (
    MetaField,
    MetaType,
    build_metadata,
    fields_from_metadata,
)
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.domain.validation import check_bits, check_text_field
from pacspace_desktop.ui.style import state_colour, state_icon

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class DraftRow:
    """One record of the draft, as typed, with what happened when it was last sent."""

    key: str
    account_id: str
    bits_text: str
    meta: tuple[MetaField, ...] = ()
    state: ItemState | None = None
    note: str = ""
    field_at_fault: str | None = None

    def item(self) -> WriteItem | None:
        """The item, or None when a field has a problem."""
        return draft_item(self)

    def to_json(self) -> dict[str, Any]:
        """For the autosaved draft file."""
        return {"key": self.key, "accountId": self.account_id, "bits": self.bits_text,
                "metadata": [[f.name, f.kind.value, f.text] for f in self.meta],
                "state": self.state.value if self.state else None, "note": self.note,
                "field": self.field_at_fault}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DraftRow:
        """From the autosaved draft file."""
        meta = tuple(MetaField(str(n), MetaType(k), str(t)) for n, k, t in data.get("metadata",
                                                                                     []))
        state = data.get("state")
        return cls(str(data.get("key", "")), str(data.get("accountId", "")),
                   str(data.get("bits", "")), meta, ItemState(state) if state else None,
                   str(data.get("note", "")), data.get("field"))


def draft_item(row: DraftRow) -> WriteItem | None:
    """Validate a draft row with the core's rules and build its item."""
    if check_text_field(row.key, "key") or check_text_field(row.account_id, "accountId"):
        return None
    try:
        bits = bits_from_text(row.bits_text)
    except BitsError:
        return None
    if check_bits(bits):
        return None
    meta, problems = build_metadata(row.meta)
    if problems:
        return None
    return WriteItem(row.key, row.account_id, bits, meta)


class DraftTableModel(QAbstractTableModel):
    """Rows of the draft. Column constants: COL_KEY, COL_ACCOUNT, COL_BITS, COL_META, COL_STATE."""

    COL_KEY, COL_ACCOUNT, COL_BITS, COL_META, COL_STATE = range(5)
    HEADERS = ("Record key", "Account ID", "Bits", "Metadata", "Status")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[DraftRow] = []

    def rows(self) -> list[DraftRow]:
        """All rows, in order."""
        return list(self._rows)

    def row(self, index: int) -> DraftRow:
        """One row."""
        return self._rows[index]

    def set_rows(self, rows: list[DraftRow]) -> None:
        """Replace everything."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append(self, row: DraftRow) -> int:
        """Add a row at the end; returns its index."""
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(row)
        self.endInsertRows()
        return at

    def replace_row(self, index: int, row: DraftRow) -> None:
        """Change one row."""
        self._rows[index] = row
        self.dataChanged.emit(self.index(index, 0), self.index(index, len(self.HEADERS) - 1))

    def remove(self, index: int) -> None:
        """Remove one row."""
        self.beginRemoveRows(QModelIndex(), index, index)
        del self._rows[index]
        self.endRemoveRows()

    def mark(self, keys_states: dict[str, tuple[ItemState, str, str | None]]) -> None:
        """Mark rows by key with a state, a note and the field at fault."""
        for i, r in enumerate(self._rows):
            if r.key in keys_states:
                state, note, fault = keys_states[r.key]
                self.replace_row(i, replace(r, state=state, note=note, field_at_fault=fault))

    def drop_keys(self, keys: set[str]) -> None:
        """Remove the rows of these keys (accepted ones leave the draft)."""
        keep = [r for r in self._rows if r.key not in keys]
        if len(keep) != len(self._rows):
            self.set_rows(keep)

    def find_key(self, key: str) -> int:
        """The index of the first row with `key`, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.key == key), -1)

    # -- Qt model ---------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Rows, for Qt."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Columns, for Qt."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Header words, for Qt."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return str(section + 1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell contents, for Qt."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_KEY:
                return r.key
            if col == self.COL_ACCOUNT:
                return r.account_id
            if col == self.COL_BITS:
                return r.bits_text
            if col == self.COL_META:
                return ", ".join(f"{f.name}={f.text}" for f in r.meta if f.name and f.text.strip())
            if col == self.COL_STATE:
                if r.state is None:
                    return "Ready" if r.item() else "Has a problem"
                return r.state.label
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_STATE:
            return r.note or None
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_STATE and r.state:
            return state_icon(r.state)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_STATE and r.state:
            return state_colour(r.state)
        return None


def merge_items(model: DraftTableModel, items: Sequence[WriteItem],
                note: str = "") -> tuple[list[str], int]:
    """Put items into the draft; returns the keys skipped and how many were added.

    An item whose key is already in the batch is skipped (two rows of one key would block the
    send). A row of that key still waiting with an unknown outcome is replaced: History offers
    an item again only after a check settled it.
    """
    present = {r.key for r in model.rows()}
    skipped: list[str] = []
    added = 0
    for it in items:
        fresh = DraftRow(it.key, it.account_id, str(it.bits),
                         tuple(fields_from_metadata(dict(it.metadata) if it.metadata else None)),
                         None, note)
        at = model.find_key(it.key)
        if at >= 0 and model.row(at).state is ItemState.UNKNOWN:
            model.replace_row(at, fresh)
            added += 1
        elif it.key in present:
            skipped.append(it.key)
        else:
            present.add(it.key)
            added += 1
            model.append(fresh)
    return skipped, added
