"""Keys on several lines (an invoice with line items): held back whole, or added up whole.

A repeated key is never sent in part. Under the mapping's `RepeatPolicy`:

* HOLD (default) and PER_LINE (whose `{n}`/`{line}` pattern should make keys unique): every
  line of a key that still repeats is held back, with one message naming all its lines;
* SUM: the lines become one record whose bits are their exact sum. The whole group is held
  back when any line has a problem, when the lines name different accounts, or when the sum
  is out of range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.jsonwire import JsonValue
from pacspace_desktop.domain.validation import Severity
from pacspace_desktop.importing.findings import Finding
from pacspace_desktop.importing.mapping import RepeatPolicy
from pacspace_desktop.importing.numbers import shown

if TYPE_CHECKING:
    from pacspace_desktop.importing.validate import TableValidation

GROUP_CODES = frozenset({"repeated_key", "held_with_group", "group_accounts", "group_bits"})


@dataclass(frozen=True, slots=True)
class CombinedRecord:
    """Lines of one key added up into one record.

    Attributes:
        key: The record key.
        account_id: The account all lines name.
        rows: The table rows, in order.
        lines: Their file lines.
        bits: The exact sum of the lines' bits.
    """

    key: str
    account_id: str
    rows: tuple[int, ...]
    lines: tuple[int, ...]
    bits: int


def lines_text(lines: Sequence[int]) -> str:
    """"2, 3 and 4" (rows added in the grid are "new")."""
    words = [str(n) if n else "new" for n in lines]
    if len(words) > 8:
        return ", ".join(words[:6]) + f" and {len(words) - 6} more"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _label(v: TableValidation) -> str:
    return v.plan.key_column.lstrip("*").strip() or "Record key"


def _has_error(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def regroup(v: TableValidation, keys: Iterable[str]) -> None:
    """Set the group findings of every row holding one of `keys`, after the rows of those keys
    were checked on their own (an edit re-checks every row sharing its old or new key)."""
    index, stored = v._index, v._findings
    repeated = index.repeats()
    for key in set(keys):
        if key not in repeated:
            # one row (or none): its own check just stored it without group findings
            continue
        rows = index.rows_of(key)
        base = {r: tuple(f for f in stored.get(r, ()) if f.code not in GROUP_CODES)
                for r in rows}
        lines = [r for r in rows if not any(f.code == "total_row" for f in base[r])]
        extra = _group_findings(v, key, lines, base) if len(lines) > 1 else {}
        for row in rows:
            findings = base[row] + extra.get(row, ())
            if findings != stored.get(row, ()):
                v._store(row, findings)


def group_all(v: TableValidation, found: dict[int, list[Finding]]) -> None:
    """The full check's `regroup`: the group findings of every repeated key added to `found`
    (each row's own findings, nothing stored yet), so that each row is stored once."""
    index = v._index
    hold = v.mapping.repeats is not RepeatPolicy.SUM
    first, line_of = index.first, v.table.source_lines
    words = _repeat_words(v)
    for key, more in index.repeats().items():
        head = first.get(key)
        rows = index.rows_of(key) if head is None else [head, *more]
        if hold and found.keys().isdisjoint(rows):
            # the usual invoice on several lines: no line has a problem of its own
            finding = _repeat_finding(words, key, [line_of[r] for r in rows])
            for row in rows:
                found[row] = [finding]
            continue
        base = {r: tuple(found.get(r, ())) for r in rows}
        lines = [r for r in rows if not any(f.code == "total_row" for f in base[r])]
        if len(lines) > 1:
            for row, extra in _group_findings(v, key, lines, base).items():
                found.setdefault(row, []).extend(extra)


def _repeat_words(v: TableValidation) -> tuple[str, str, str]:
    """The key column, its label, and what to do: the same in every repeated-key message."""
    how = ("the line pattern of the record key does not make them unique"
           if v.mapping.repeats is RepeatPolicy.PER_LINE else
           "on the Columns step, choose to add them up into one record or to send one "
           "record per line")
    return v.plan.key_column, _label(v), how


def _repeat_finding(words: tuple[str, str, str], key: str, lines: list[int]) -> Finding:
    """The finding of every line of a repeated key that is held back (HOLD, PER_LINE)."""
    column, label, how = words
    n = len(lines)
    return Finding(column, "key", "repeated_key",
                   f"{label} “{shown(key)}” has {n} lines ({lines_text(lines)}): "
                   f"{'both' if n == 2 else f'all {n}'} are held back so that it is not "
                   f"sent in part — {how}.")


def _group_findings(v: TableValidation, key: str, rows: list[int],
                    base: dict[int, tuple[Finding, ...]]) -> dict[int, tuple[Finding, ...]]:
    table, plan = v.table, v.plan
    lines = [table.line_of(r) for r in rows]
    label, column, n = _label(v), plan.key_column, len(rows)
    if v.mapping.repeats is not RepeatPolicy.SUM:
        finding = _repeat_finding(_repeat_words(v), key, lines)
        return {r: (finding,) for r in rows}
    found: list[Finding] = []
    accounts = sorted({plan.account_at(r) for r in rows})
    if len(accounts) > 1:
        names = ", ".join(f"“{shown(a)}”" for a in accounts[:4])
        found.append(Finding(plan.account_column, "accountId", "group_accounts",
                             f"The lines of {label} “{shown(key)}” name different accounts "
                             f"({names}): they cannot be added up into one record."))
    bad = [r for r in rows if _has_error(base[r])]
    if not bad and not found:
        total = sum(v.bits[r] for r in rows)
        if abs(total) > v.limits.max_abs_bits:
            found.append(Finding(plan.bits_column, "bits", "group_bits",
                                 f"The {n} lines of {label} “{shown(key)}” add up to {total:,}, "
                                 "more than PacSpace takes in one record."))
    result = {r: tuple(found) for r in rows} if found else {}
    if bad:
        where = lines_text([table.line_of(r) for r in bad])
        held = Finding(column, "key", "held_with_group",
                       f"Held back with line{'s' if len(bad) > 1 else ''} {where}: "
                       f"{label} “{shown(key)}” is sent whole or not at all.")
        for r in rows:
            if r not in bad:
                result[r] = (*result.get(r, ()), held)
    return result


def combined(v: TableValidation) -> list[CombinedRecord]:
    """The keys whose lines are added up into one record (valid groups only), in file order."""
    if v.mapping.repeats is not RepeatPolicy.SUM:
        return []
    index, out = v._index, []
    for key in index.repeats():
        rows = index.rows_of(key)
        if all(v.is_valid(r) for r in rows):
            out.append(CombinedRecord(key, v.plan.account_at(rows[0]), tuple(rows),
                                      tuple(v.table.line_of(r) for r in rows),
                                      sum(v.bits[r] for r in rows)))
    out.sort(key=lambda c: c.rows[0])
    return out


def items_with_rows(v: TableValidation, rows: Sequence[int],
                    partial: list[str] | None = None) -> list[tuple[WriteItem, list[int]]]:
    """The write items of `rows` (valid rows) and the rows each comes from.

    Args:
        v: The check.
        rows: Valid rows.
        partial: When given, an invoice of which only some lines are in `rows` is left out
            and its key added here, instead of raising.

    Raises:
        ValueError: when a row has an error, or only part of an invoice's lines is given
            (and `partial` is None).
    """
    if v.mapping.repeats is not RepeatPolicy.SUM or not v._index.repeats():
        return [(v.item(r), [r]) for r in rows]
    chosen = set(rows)
    index, out = v._index, []
    for row in rows:
        key = v._index.keys[row]
        if key not in index.repeats():
            out.append((v.item(row), [row]))
            continue
        group = index.rows_of(key)
        if not chosen.issuperset(group):
            if partial is None:
                raise ValueError(_partial(v, key, group))
            if key not in partial:
                partial.append(key)
            continue
        if group[0] != row:
            continue
        items = [v.item(r) for r in group]
        out.append((WriteItem(key, items[0].account_id, sum(it.bits for it in items),
                              _common_metadata([it.metadata for it in items])), group))
    return out


def _partial(v: TableValidation, key: str, group: list[int]) -> str:
    lines = lines_text([v.table.line_of(r) for r in group])
    return (f"{_label(v)} “{shown(key)}” is on lines {lines}: it is sent whole or not at all, "
            "and only some of its lines were chosen.")


def _common_metadata(values: list[Mapping[str, JsonValue] | None]
                     ) -> dict[str, JsonValue] | None:
    """Metadata every line agrees on (a value that differs between lines is left out)."""
    first = values[0] or {}
    kept = {k: val for k, val in first.items()
            if all((other or {}).get(k) == val for other in values[1:])}
    return kept or None


def added_up_note(v: TableValidation, row: int) -> list[str]:
    """For a row whose invoice is added up: the sentence saying with which lines (else [])."""
    group = v.added_up_with(row)
    if not group:
        return []
    total = sum(v.bits[r] for r in group)
    lines = lines_text([v.table.line_of(r) for r in group])
    return [f"Sent as one record with the other lines of its invoice (lines {lines}): "
            f"{total:,} bits in all."]
