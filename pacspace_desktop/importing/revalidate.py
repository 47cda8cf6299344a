"""Re-checking after edits: edited rows, rows put in or taken out, and staged big re-checks.

The half of `TableValidation` that follows edits; the full check lives in `validate.py`.
"""

from __future__ import annotations

import copy
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from pacspace_desktop.domain.limits import Limits
from pacspace_desktop.importing.groups import regroup
from pacspace_desktop.importing.keyindex import KeyIndex
from pacspace_desktop.importing.plan import Finding, Plan
from pacspace_desktop.importing.rowmap import RowChecks, by_row, read_findings, shifted
from pacspace_desktop.importing.rowscan import cell_checks
from pacspace_desktop.importing.scan import scan_ids
from pacspace_desktop.importing.table import ImportTable, RowBlock

if TYPE_CHECKING:
    pass

_SHARE_ROWS = 64  # re-checking more rows than this shares the answers for repeated values
_BULK_ROWS = 2048  # re-checking more rows than this goes column by column, as the full check
_PROGRESS_ROWS = 4096  # rows re-checked between two progress calls
_SORT_SLICE = 65_536  # rows sorted in one call (the GIL is held for one call)


class RevalidationMixin:
    """Edits for `TableValidation`: the state it keeps is declared here, set up there."""

    table: ImportTable
    plan: Plan
    limits: Limits
    bits: array[int]
    _findings: dict[int, tuple[Finding, ...]]
    _errors: bytearray
    _index: KeyIndex
    _sent: set[str]
    _counts: Counter[str]
    _read: dict[int, tuple[Finding, ...]]
    _spare: dict[str, int | None] | None  # `first` of the index before the last staged edit

    def _ask_known(self, keys: Iterable[str]) -> None:
        raise NotImplementedError

    def _store(self, row: int, findings: tuple[Finding, ...]) -> None:
        raise NotImplementedError

    def _row_findings(self, row: int, checks: RowChecks) -> tuple[Finding, ...]:
        raise NotImplementedError

    def _sent_before(self, key: str) -> Finding:
        raise NotImplementedError

    def _size_finding(self, row: int) -> Finding | None:
        raise NotImplementedError

    @staticmethod
    def _has_error(findings: Sequence[Finding]) -> bool:
        raise NotImplementedError

    def revalidate_rows(self, rows: Iterable[int],
                        progress: Callable[[int, int], None] | None = None) -> list[int]:
        """Check edited rows again, and the rows whose duplicate flag the edit changes.

        Args:
            rows: Rows whose cells changed (0-based).
            progress: Called now and then as `progress(done, total)` (rows handled so far).

        Returns:
            Every row whose problems may have changed, sorted (for the grid to repaint).
        """
        rows = list(rows)
        affected: set[int] = set()
        new_keys: list[str] = []
        index = self._index
        if self.plan.uses_ordinals:
            # {n} numbers the lines of an invoice: an edit can renumber its other lines
            self.plan.refresh_ordinals()
            key_at = self.plan.key_at
            rows = sorted({*rows, *(r for r in range(len(index.keys))
                                    if index.keys[r] != key_at(r))})
        for i, row in enumerate(rows):
            old, new = index.keys[row], self.plan.key_at(row)
            affected |= index.change(row, new)
            if new and new != old:
                new_keys.append(new)
            if progress is not None and not i % _PROGRESS_ROWS:
                progress(i, 2 * len(rows))
        self._ask_known(new_keys)
        total = len(rows) + len(affected)
        if len(affected) > _BULK_ROWS:  # column by column, as the full check
            ordered = sorted(affected)
            found = self._bulk_findings(ordered)
            for pos, row in enumerate(ordered):
                self._store(row, tuple(found.get(pos, ())))
        else:
            checks = RowChecks.of(self.plan, share=len(affected) > _SHARE_ROWS)
            for i, row in enumerate(affected):
                self._store(row, self._row_findings(row, checks))
                if progress is not None and not i % _PROGRESS_ROWS:
                    progress(len(rows) + i, total)
        regroup(self, {index.keys[r] for r in affected})  # type: ignore[arg-type]
        if progress is not None:
            progress(total, total)
        return sorted(affected)

    def _bulk_findings(self, rows: list[int]) -> dict[int, list[Finding]]:
        """The findings of many rows (by position in `rows`) through the column scans."""
        plan, index = self.plan, self._index
        found: dict[int, list[Finding]] = {}
        read = self._read
        if read:
            for pos, row in enumerate(rows):
                if row in read:
                    found[pos] = list(read[row])
        keys = [index.keys[r] for r in rows]
        scan_ids(keys, plan.key_findings, found, self.limits.max_id_length)
        bits = cell_checks(plan, rows, found, keys)
        target = self.bits
        for pos, row in enumerate(rows):
            target[row] = bits[pos]
        sent = self._sent
        if sent:
            for pos, key in enumerate(keys):
                if key in sent:
                    found.setdefault(pos, []).append(self._sent_before(key))
        budget = self.limits.max_body_bytes // 4
        columns = self.table.columns
        if sum(max(map(len, (c[r] for r in rows)), default=0) for c in columns) > budget:
            for pos, row in enumerate(rows):
                if (sum(len(c[row]) for c in columns) > budget
                        and not self._has_error(found.get(pos, ()))):
                    finding = self._size_finding(row)
                    if finding is not None:
                        found.setdefault(pos, []).append(finding)
        return found

    def first_problem_rows(self, count: int) -> list[int]:
        """The first `count` rows with any problem, in order: `rows_with_problems()[:count]`
        sorted a slice at a time (one sort of 700,000 rows out of order, after a check of a
        wide export with many repeated keys, held the GIL for 0.28 s against the Qt thread)."""
        rows = iter(self._findings)
        first: list[int] = []
        while part := list(islice(rows, _SORT_SLICE)):
            part.sort()
            first = sorted(first + part[:count])[:count]
        return first

    def staged_revalidation(self, rows: Iterable[int],
                            progress: Callable[[int, int], None] | None = None
                            ) -> StagedRevalidation:
        """`revalidate_rows` into copies of the row state, leaving this check as it is: safe to
        run in a worker thread while another thread reads this check (nothing else may change
        it or the table meanwhile). `apply_staged` then puts the result in place at once.

        The copies cost a few tens of milliseconds at 1M rows: worth it for big edits only.
        """
        shadow = copy.copy(self)
        shadow._findings = _copied(self._findings)
        shadow._errors = bytearray(self._errors)
        shadow.bits = array("q", self.bits)
        shadow._counts = Counter(self._counts)
        shadow._sent = set(self._sent)
        index = KeyIndex()
        # the rows lists in `more` are replaced, never changed in place: a shallow copy holds
        index.keys, index.first, index.more = (list(self._index.keys), self._first_copy(),
                                               _copied(self._index.more))
        index.touched = set()
        shadow._index, shadow._spare = index, None
        affected = shadow.revalidate_rows(rows, progress)
        return StagedRevalidation(self, affected, shadow)

    def apply_staged(self, staged: StagedRevalidation) -> list[int]:
        """Put a `staged_revalidation` of this check in place (a few assignments); the state
        it replaces goes to `staged.shadow`, to be freed with it (the caller chooses where and
        when: a million-row index and its findings freed at once hold the thread 20–40 ms).

        Returns:
            Every row whose problems may have changed, sorted.
        """
        if staged.base is not self:
            raise ValueError("The staged check belongs to another check.")
        shadow = staged.shadow
        (self._findings, shadow._findings, self._errors, shadow._errors, self.bits,
         shadow.bits) = (shadow._findings, self._findings, shadow._errors, self._errors,
                         shadow.bits, self.bits)
        (self._counts, shadow._counts, self._sent, shadow._sent, self._index,
         shadow._index) = (shadow._counts, self._counts, shadow._sent, self._sent,
                           shadow._index, self._index)
        # the index just replaced differs from the new one in the keys the edit touched:
        # the next big edit brings it up to date instead of copying the new one
        self._spare = shadow._index.first
        return staged.affected

    def _first_copy(self) -> dict[str, int | None]:
        """A copy of the index's `first` to change: the one the last staged edit replaced,
        brought up to date key by key (in bytecode, so the GIL is given back meanwhile), or
        a copy in one call (a million keys: 12–120 ms holding the GIL against the Qt thread
        on this machine)."""
        live = self._index
        spare: dict[str, int | None] | None = getattr(self, "_spare", None)
        self._spare = None
        touched = live.touched
        if spare is None or touched is None or len(touched) > len(live.first) // 2:
            return _copied(live.first)
        first, missing = live.first, _MISSING
        for key in touched:
            value = first.get(key, missing)
            if value is missing:
                spare.pop(key, None)
            else:
                spare[key] = value  # type: ignore[assignment]  # (not _MISSING here)
        live.touched = set()
        return spare

    def insert_rows(self, at: int, block: RowBlock) -> list[int]:
        """Put whole rows into the table before row `at` and check them (not the table).

        Returns:
            The rows whose problems may have changed (the new rows and rows sharing their keys).
        """
        n = len(block)
        self.table.insert_rows(at, block)
        self._errors[at:at] = bytes(n)
        self.bits[at:at] = array("q", bytes(8 * n))
        self._findings = shifted(self._findings, at, n)
        self._read = shifted(self._read, at, n)
        for row, issues in by_row(block.issues).items():
            self._read[at + row] = read_findings(issues)
        self._index.insert(at, n)
        return self.revalidate_rows(range(at, at + n))

    def delete_rows(self, at: int, count: int) -> tuple[RowBlock, list[int]]:
        """Take rows `at`…`at + count - 1` out of the table; rows that shared a key with them
        are checked again (nothing else is).

        Returns:
            The rows taken out (to put back with `insert_rows`) and the rows, numbered after the
            deletion, whose problems may have changed.
        """
        stop = at + count
        affected: set[int] = set()
        for row in range(at, stop):
            affected |= self._index.change(row, "")
            self._store(row, ())
        block = self.table.delete_rows(at, count)
        del self._errors[at:stop], self.bits[at:stop]
        self._findings = shifted(self._findings, at, -count)
        self._read = shifted(self._read, at, -count)
        self._index.delete(at, count)
        rows = sorted(r - count if r >= stop else r for r in affected if not at <= r < stop)
        checks = RowChecks.of(self.plan, share=len(rows) > _SHARE_ROWS)
        for row in rows:
            self._store(row, self._row_findings(row, checks))
        regroup(self, {self._index.keys[r] for r in rows})  # type: ignore[arg-type]
        return block, rows


class StagedRevalidation:
    """A re-check computed by `TableValidation.staged_revalidation`, not yet in place."""

    __slots__ = ("affected", "base", "shadow")

    def __init__(self, base: RevalidationMixin, affected: list[int],
                 shadow: RevalidationMixin) -> None:
        self.base, self.affected, self.shadow = base, affected, shadow


_MISSING = object()
K = TypeVar("K")
V = TypeVar("V")


def _copied(d: dict[K, V]) -> dict[K, V]:
    """A copy of a dictionary in one call: for a million-key index about 15 ms holding the GIL
    (the table of entries is cloned). Copying it in slices (`update` from an iterator) took
    0.32–0.35 s of resizes and entry tuples, in holds of up to 70 ms against the Qt thread."""
    return d.copy()
