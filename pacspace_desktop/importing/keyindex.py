"""Which rows hold each record key: built at C speed, kept right through edits."""

from __future__ import annotations

from itertools import compress, repeat
from operator import ne

from pacspace_desktop.importing.scan import SLICE

_LOOKUPS_BEFORE_BULK = 16  # single look-ups of first rows before they are all resolved at once


class KeyIndex:
    """The first row of every key and the rows that repeat it (empty keys left out).

    When every key is unique (the usual file) the first rows are not stored: a key's row is
    looked up in the key list when an edit needs it, which keeps a million-row index cheap.

    Attributes:
        keys: Each row's key as indexed (the table's column changes before the index does).
        first: Every key, in order of first appearance, with its first row (None: not looked
            up yet; the key is then on exactly one row).
        more: For a repeated key, the other rows that hold it, in order.
        touched: The keys whose entries of `first` changed since it was last set to an empty
            set (None: any may have), so that a copy of `first` from then can be brought up
            to date key by key instead of copying a million keys again.
    """

    def __init__(self) -> None:
        """An empty index: `add` the keys slice by slice, then `finish`."""
        self.keys: list[str] = []
        self.first: dict[str, int | None] = {}
        self.more: dict[str, list[int]] = {}
        self.touched: set[str] | None = None
        self._lookups = 0

    @classmethod
    def of(cls, keys: list[str]) -> KeyIndex:
        """The index of `keys`."""
        index = cls()
        for start in range(0, len(keys), SLICE):
            index.add(keys[start:start + SLICE])
        index.finish()
        return index

    def add(self, part: list[str]) -> None:
        """Index the keys of the next rows (a slice of the column, while it is in the cache)."""
        self.keys.extend(part)
        self.first.update(zip(part, repeat(None)))

    def finish(self) -> None:
        """Find the repeated keys, once every key is added."""
        keys, first = self.keys, self.first
        n = len(keys)
        empty = first.pop("", 0) is None
        if len(first) == n - (keys.count("") if empty else 0):
            return
        # some key repeats: the first row of every key, then the rows that repeat one;
        # written into `first` a slice at a time from the end (the earliest row wins), each
        # key already there: no dict of a million heads built and merged in one call, which
        # held the GIL for 0.25 s against the Qt thread
        for start in reversed(range(0, n, SLICE)):
            stop = min(start + SLICE, n)
            first.update(zip(reversed(keys[start:stop]), range(stop - 1, start - 1, -1),
                             strict=True))
        first.pop("", None)
        heads = first
        more = self.more
        for start in range(0, n, SLICE):
            part = keys[start:start + SLICE]
            rows = range(start, start + len(part))
            for row in compress(rows, map(ne, map(heads.get, part), rows)):
                key = keys[row]
                if key:
                    more.setdefault(key, []).append(row)

    def head(self, key: str) -> int | None:
        """The first row that holds `key`, or None."""
        if key not in self.first:
            return None
        row = self.first[key]
        if row is None:
            self._lookups += 1
            if self._lookups > _LOOKUPS_BEFORE_BULK:
                self._resolve_all()
                row = self.first[key]
                assert row is not None
            else:
                row = self.first[key] = self.keys.index(key)
                if self.touched is not None:
                    self.touched.add(key)
        return row

    def _resolve_all(self) -> None:
        """Every first row at once: many single look-ups (a big edit) would each scan the
        key list, which made a 250,000-cell replace quadratic."""
        first = self.first
        self.touched = None
        # None means "on exactly one row": the row where the key list holds it
        for row, key in enumerate(self.keys):
            if first.get(key, 0) is None:
                first[key] = row
        self._lookups = 0

    def repeats(self) -> dict[str, list[int]]:
        """Keys on more than one row, with the rows after the first."""
        return self.more

    def rows_of(self, key: str) -> list[int]:
        """Every row that holds `key`, in order."""
        head = self.head(key)
        return [] if head is None else [head, *self.more.get(key, ())]

    def change(self, row: int, new: str) -> set[int]:
        """Row `row` now holds key `new`: the rows whose duplicate flag may change."""
        old = self.keys[row]
        affected = {row}
        if old == new:
            return affected
        if old:
            affected.update(self._remove(row, old))
        if new:
            self.head(new)  # look it up while the key list is still as indexed
        self.keys[row] = new
        if new:
            affected.update(self._add(row, new))
        return affected

    def _remove(self, row: int, key: str) -> list[int]:
        if self.touched is not None:
            self.touched.add(key)
        if key not in self.more and key in self.first:
            # a key on exactly one row, and this row holds it: no need to look it up
            del self.first[key]
            return []
        rows = self.rows_of(key)
        if row not in rows:
            return rows
        rows.remove(row)
        if rows:
            self.first[key] = rows[0]
            if len(rows) > 1:
                self.more[key] = rows[1:]
            else:
                self.more.pop(key, None)
        else:
            del self.first[key]
            self.more.pop(key, None)
        return rows

    def _add(self, row: int, key: str) -> list[int]:
        if self.touched is not None:
            self.touched.add(key)
        rows = sorted([*self.rows_of(key), row])
        self.first[key] = rows[0]
        if len(rows) > 1:
            self.more[key] = rows[1:]
        return rows

    def insert(self, at: int, count: int) -> None:
        """`count` rows without a key were put before row `at`: later rows move down."""
        self.keys[at:at] = [""] * count
        self._shift(at, count)

    def delete(self, at: int, count: int) -> None:
        """Rows `at`…`at + count - 1` were taken out; `change` their keys to "" first."""
        del self.keys[at:at + count]
        self._shift(at + count, -count)

    def _shift(self, start: int, by: int) -> None:
        """Move every row number from `start` on by `by` (the unique keys' rows stay None)."""
        first = self.first
        self.touched = None
        moved = {k: v + by for k, v in first.items() if v is not None and v >= start}
        first.update(moved)
        for key, rows in self.more.items():
            if rows[-1] >= start:
                self.more[key] = [r + by if r >= start else r for r in rows]
