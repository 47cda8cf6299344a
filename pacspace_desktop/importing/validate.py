"""Checking every cell of a mapped table, and re-checking only what an edit changed."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress
from operator import attrgetter, itemgetter, not_

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.domain.validation import Severity, check_body_size
from pacspace_desktop.importing.colscan import Marks, full_checks, id_column
from pacspace_desktop.importing.gcpause import gc_paused, promote_young
from pacspace_desktop.importing.groups import (
    CombinedRecord,
    combined,
    group_all,
    items_with_rows,
)
from pacspace_desktop.importing.keyindex import KeyIndex
from pacspace_desktop.importing.mapping import Mapping, RepeatPolicy
from pacspace_desktop.importing.numbers import shown
from pacspace_desktop.importing.plan import CellProblem, ColumnFormat, Finding, Plan
from pacspace_desktop.importing.progress import CancelToken, ProgressCallback
from pacspace_desktop.importing.revalidate import RevalidationMixin, StagedRevalidation
from pacspace_desktop.importing.rowmap import RowChecks, read_findings
from pacspace_desktop.importing.rowscan import excel_first, total_finding
from pacspace_desktop.importing.scan import (
    longest,
)
from pacspace_desktop.importing.table import ImportTable

__all__ = ["CellProblem", "CombinedRecord", "KnownKeys", "StagedRevalidation", "TableValidation",
           "build_items", "validate_table"]

KnownKeys = Callable[[list[str]], set[str]]
"""Given keys, returns those already in the history (sent before)."""

_KNOWN_BATCH = 5000
_COUNT_BATCH = 4096  # findings counted in one C call
_code = attrgetter("code")
_column = attrgetter("column")
_severity = attrgetter("severity")
_first = itemgetter(0)


class TableValidation(RevalidationMixin):
    """The problems of every row, kept up to date as cells are edited.

    Build it with `validate_table`. After changing a cell with `ImportTable.set_cell`, call
    `revalidate_rows` with the edited rows: only they (and rows sharing their old or new key)
    are checked again.
    """

    def __init__(self, table: ImportTable, mapping: Mapping, limits: Limits,
                 known_keys: KnownKeys | None) -> None:
        """Prepare; `validate_table` runs the first full check."""
        self.table, self.mapping, self.limits = table, mapping, limits
        self.plan = Plan(table, mapping, limits)
        self._known_keys = known_keys
        n = table.row_count
        self._findings: dict[int, tuple[Finding, ...]] = {}
        self._errors = bytearray(n)
        self.bits: array[int] = array("q", bytes(8 * n))
        self._index = KeyIndex()
        self._sent: set[str] = set()
        self._counts: Counter[str] = Counter()
        self._read = {row: read_findings(issues)
                      for row, issues in table.issues_by_row().items()}
        self.file_problems = [i for i in table.issues if i.row is None]

    @property
    def formats(self) -> list[ColumnFormat]:
        """Decimal separators and date orders decided per column, with evidence."""
        return self.plan.formats

    # ---- the full check -------------------------------------------------------------------

    def run(self, progress: ProgressCallback | None = None,
            cancel: CancelToken | None = None) -> None:
        """Check every row (column by column, sharing results for repeated values)."""
        plan = self.plan
        found: dict[int, list[Finding]] = {}

        def tick(step: int) -> None:
            if cancel is not None:
                cancel.check()
            if progress is not None:
                progress(step, 6)

        for row, findings in self._read.items():
            found.setdefault(row, []).extend(findings)
        tick(0)
        lengths: dict[int, int] = {}  # longest cell of the columns the checks went through
        key_index = self._index = KeyIndex()
        promote_young()  # the index will hold every key: let young collections skip it
        # each mapped column is read once, every test of a slice while it is in the cache
        marks = Marks(lengths)
        id_column(plan, plan.key_source, plan.key_findings, found, marks, key_index.add)
        key_index.finish()
        tick(1)
        self.bits = full_checks(plan, found, marks)
        tick(4)
        self._ask_known(self._index.first.keys())
        for key in self._sent:
            for row in self._index.rows_of(key):
                found.setdefault(row, []).append(self._sent_before(key))
        tick(5)
        self._check_sizes(found, lengths)
        group_all(self, found)  # each row stored once, with its group's findings
        self._store_all(found)
        tick(6)

    def _check_sizes(self, found: dict[int, list[Finding]], lengths: dict[int, int]) -> None:
        budget = self.limits.max_body_bytes // 4
        columns = self.table.columns
        if sum(lengths[i] if i in lengths else longest(column)
               for i, column in enumerate(columns)) <= budget:
            return  # no row can be near the request size limit
        sizes = [0] * self.table.row_count
        for column in columns:
            sizes = [a + len(b) for a, b in zip(sizes, column, strict=True)]
        for row, size in enumerate(sizes):
            if size > budget and not self._has_error(found.get(row, ())):
                finding = self._size_finding(row)
                if finding is not None:
                    found.setdefault(row, []).append(finding)

    def _size_finding(self, row: int) -> Finding | None:
        try:
            item = self._item(row)
        except ValueError:
            return None
        problems = check_body_size([item], self.limits, row)
        if not problems:
            return None
        return Finding("", "metadata", problems[0].code, problems[0].message)

    # ---- keys: duplicates and history -----------------------------------------------------

    def _sent_before(self, key: str) -> Finding:
        return Finding(self.plan.key_column, "key", "sent_before",
                       f"Record key “{shown(key)}” was sent before (it is in the history). "
                       "Sending it again would count it twice.", Severity.WARNING)

    def _ask_known(self, keys: Iterable[str]) -> None:
        if self._known_keys is None:
            return
        batch: list[str] = []
        for key in keys:
            batch.append(key)
            if len(batch) >= _KNOWN_BATCH:
                self._sent |= self._known_keys(batch) & set(batch)
                batch = []
        if batch:
            self._sent |= self._known_keys(batch) & set(batch)

    def _row_findings(self, row: int, checks: RowChecks) -> tuple[Finding, ...]:
        plan = self.plan
        found = list(self._read.get(row, ()))
        key = self._index.keys[row]
        found += checks.key(key)
        found += checks.account(plan.account_at(row))
        value, bits_findings = (plan.row_bits(row) if plan.signed
                                else checks.bits(plan.bits_at(row)))
        found += bits_findings
        self.bits[row] = value if value is not None else 0
        columns = self.table.columns
        for index, convert in checks.metadata:
            text = columns[index][row]
            if text.strip():
                found += convert(text)[1]
        errors = plan.cell_findings(row)
        if errors:
            found = excel_first(found, errors)
        total = total_finding(plan, row)
        if total is not None:
            found = [*(f for f in found if f.field is None), total]
        if key in self._sent:
            found.append(self._sent_before(key))
        # as the full check: only a row with more text than a quarter of the body limit can
        # be near it, and only then is its request body measured
        if (sum(len(column[row]) for column in self.table.columns)
                > self.limits.max_body_bytes // 4 and not self._has_error(found)):
            size = self._size_finding(row)
            if size is not None:
                found.append(size)
        return tuple(found)

    @staticmethod
    def _has_error(findings: Sequence[Finding]) -> bool:
        return any(f.severity is Severity.ERROR for f in findings)

    def _store_all(self, found: dict[int, list[Finding]]) -> None:
        """`_store` of every row of the full check at once (`run` stores into a new one)."""
        stored, errors, error, counts = self._findings, self._errors, Severity.ERROR, self._counts
        columns: list[str] = []
        for row, row_findings in found.items():
            if row_findings:
                stored[row] = findings = tuple(row_findings)
                errors[row] = error in map(_severity, findings)
                columns += map(_column, findings)
                if len(columns) >= _COUNT_BATCH:  # short C calls: a worker lets the UI run
                    counts.update(columns)
                    columns.clear()
        counts.update(columns)

    def _store(self, row: int, findings: tuple[Finding, ...]) -> None:
        old = self._findings.pop(row, ())
        if old:
            self._counts.subtract(f.column for f in old)
        if findings:
            self._findings[row] = findings
            self._counts.update(f.column for f in findings)
        self._errors[row] = self._has_error(findings)

    # ---- results --------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows in the table."""
        return self.table.row_count

    def is_valid(self, row: int) -> bool:
        """True when the row has no error (warnings allowed)."""
        return not self._errors[row]

    def valid_rows(self) -> list[int]:
        """Rows without errors, in order."""
        errors = self._errors
        if not errors.count(1):
            return list(range(len(errors)))
        return list(compress(range(len(errors)), map(not_, errors)))

    @property
    def valid_count(self) -> int:
        """Number of rows without errors."""
        return len(self._errors) - self._errors.count(1)

    def error_rows(self) -> list[int]:
        """Rows with at least one error."""
        # `_errors` says it per row (as `is_valid` reads it): at C speed, no pass over the
        # findings (77 ms for 63,000 rows held back, on the Qt thread)
        return list(compress(range(len(self._errors)), self._errors))

    def rows_with_problems(self) -> list[int]:
        """Rows with any problem (errors or warnings), in order."""
        return sorted(self._findings)

    def row_problems(self, row: int) -> list[CellProblem]:
        """The problems of one row."""
        line = self.table.line_of(row)
        return [CellProblem(row, line, f.column, f.field, f.code, f.message, f.severity)
                for f in self._findings.get(row, ())]

    def problems(self) -> Iterator[CellProblem]:
        """Every problem, row by row."""
        for row in self.rows_with_problems():
            yield from self.row_problems(row)

    def all_problems(self) -> list[CellProblem]:
        """Every problem in file order, with lines that could not be kept (row -1) included."""
        lost = [CellProblem(-1, i.line, "", None, i.kind.value, i.message,
                            Severity.ERROR if i.is_error else Severity.WARNING)
                for i in self.file_problems]
        return sorted([*lost, *self.problems()], key=lambda p: p.line)

    def lined_findings(self) -> list[tuple[int, Finding]]:
        """Every problem as (file line, finding), in the order of `all_problems`, without a
        `CellProblem` each (`check --json` of a file with 60,000 problems: 0.3 s less)."""
        lost = [(i.line, Finding("", None, i.kind.value, i.message,
                                 Severity.ERROR if i.is_error else Severity.WARNING))
                for i in self.file_problems]
        lines, stored = self.table.source_lines, self._findings
        kept = [(lines[row], f) for row in sorted(stored) for f in stored[row]]
        return sorted([*lost, *kept], key=_first)

    @property
    def has_errors(self) -> bool:
        """True when a row has an error (a total row is not one) or a line could not be read."""
        if any(i.is_error for i in self.file_problems):
            return True
        if not self._errors.count(1):
            return False
        return any(f.code != "total_row" for row in self.error_rows()
                   for f in self._findings[row] if f.severity is Severity.ERROR)

    def total_rows(self) -> list[int]:
        """Rows recognised as total or subtotal rows (left out of the items)."""
        # the few total rows are sorted, not every row with a finding (a big undo leaves
        # 250k findings out of order: sorting them all took 0.13 s on the Qt thread)
        if self._counts.get("", 0) <= 0:  # a total row's finding names no column
            return []
        return sorted(r for r, fs in self._findings.items()
                      if "total_row" in map(_code, fs))

    def added_up_with(self, row: int) -> list[int]:
        """The rows one record is made of when this row's invoice is added up (else [])."""
        if self.mapping.repeats is not RepeatPolicy.SUM:
            return []
        key = self._index.keys[row]
        return self._index.rows_of(key) if key in self._index.more else []

    def is_total_row(self, row: int) -> bool:
        """True for a total, subtotal or balance row (left out of the items)."""
        return any(f.code == "total_row" for f in self._findings.get(row, ()))

    def repeated_keys(self) -> dict[str, int]:
        """Record keys on several lines, with their number of lines (total rows left out)."""
        return {key: 1 + len(rows) for key, rows in self._index.repeats().items()}

    def first_repeat(self) -> tuple[int, str, int]:
        """How many record keys are on several lines, and the first such key with its number
        of lines (0, "", 0 when none) — without the dictionary of `repeated_keys` (a million
        rows: 0.12 s)."""
        more = self._index.repeats()
        key = next(iter(more), "")
        return len(more), key, (1 + len(more[key])) if key else 0

    def combined(self) -> list[CombinedRecord]:
        """Invoices whose lines are added up into one record (mapping `repeats` = sum)."""
        return combined(self)

    def counts_by_column(self) -> dict[str, int]:
        """How many problems each column has ("" for whole lines); columns without any left out."""
        return {column: n for column, n in self._counts.items() if n > 0}

    def item(self, row: int) -> WriteItem:
        """The write item of a valid row.

        Raises:
            ValueError: when the row has an error.
        """
        if self._errors[row]:
            raise ValueError(f"Line {self.table.line_of(row)} has a problem and is held back.")
        return self._item(row)

    def _item(self, row: int) -> WriteItem:
        plan = self.plan
        bits, findings = plan.row_bits(row)
        if bits is None:
            raise ValueError(findings[0].message)
        return WriteItem(plan.key_at(row), plan.account_at(row), bits, plan.metadata_of(row))

    def build_items(self, rows: Iterable[int] | None = None) -> list[WriteItem]:
        """Write items of `rows` (default: every valid row); the lines of an invoice that are
        added up (mapping `repeats` = sum) become one item.

        Raises:
            ValueError: when one of `rows` has an error, or only some lines of an invoice
                that is added up are given.
        """
        return [item for item, _rows in self.items_with_rows(rows)]

    def items_with_rows(self, rows: Iterable[int] | None = None,
                        partial: list[str] | None = None) -> list[tuple[WriteItem, list[int]]]:
        """Like `build_items`, with the rows each item comes from; with `partial`, invoices
        of which only some lines are given are left out (their keys added to it)."""
        return items_with_rows(self, self.valid_rows() if rows is None else list(rows),
                               partial)


def validate_table(table: ImportTable, mapping: Mapping, limits: Limits = DEFAULT_LIMITS,
                   known_keys: KnownKeys | None = None, *,
                   progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> TableValidation:
    """Check every row of a table under a mapping.

    Args:
        table: The table read from a file.
        mapping: How columns become items.
        limits: PacSpace's limits.
        known_keys: Returns which of the given keys were sent before (history); called in
            batches. Those rows get a warning, not an error, so the UI can ask.
        progress: Called as `progress(step, 6)` between the steps of the check.
        cancel: Checked between the steps.

    Raises:
        MappingError: when the mapping does not fit the table (see `check_mapping`).
        ImportCancelled: when cancelled.
    """
    with gc_paused():
        validation = TableValidation(table, mapping, limits, known_keys)
        validation.run(progress, cancel)
    return validation


def build_items(table: ImportTable, mapping: Mapping, rows: Iterable[int],
                limits: Limits = DEFAULT_LIMITS) -> list[WriteItem]:
    """Write items of the given rows (rows that `validate_table` found valid).

    Raises:
        MappingError: when the mapping does not fit the table.
        ValueError: when a row cannot be converted.
    """
    return validate_table(table, mapping, limits).build_items(rows)
