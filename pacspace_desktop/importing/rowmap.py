"""Row-numbered bookkeeping that follows rows put into or taken out of a table, and the
checks of one row for re-checking edited rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pacspace_desktop.domain.jsonwire import JsonValue
from pacspace_desktop.domain.validation import Severity
from pacspace_desktop.importing.plan import Finding, Plan
from pacspace_desktop.importing.table import ReadIssue

_T = TypeVar("_T")


def read_findings(issues: Iterable[ReadIssue]) -> tuple[Finding, ...]:
    """Reading issues of one row as findings."""
    return tuple(Finding("", None, i.kind.value, i.message,
                         Severity.ERROR if i.is_error else Severity.WARNING) for i in issues)


def by_row(issues: Iterable[ReadIssue]) -> dict[int, list[ReadIssue]]:
    """Issues tied to a row, grouped by row."""
    grouped: dict[int, list[ReadIssue]] = {}
    for issue in issues:
        if issue.row is not None:
            grouped.setdefault(issue.row, []).append(issue)
    return grouped


def shifted(by_row: dict[int, _T], at: int, delta: int) -> dict[int, _T]:
    """Row-keyed entries after `delta` rows were put in (> 0) or taken out (< 0) at `at`."""
    if delta > 0:
        return {r + delta if r >= at else r: v for r, v in by_row.items()}
    stop = at - delta
    return {r + delta if r >= stop else r: v for r, v in by_row.items() if not at <= r < stop}


def shared(check: Callable[[str], _T]) -> Callable[[str], _T]:
    """`check` with its answers kept for repeated texts (a big edit re-checks many rows that
    share values: accounts, dates)."""
    answers: dict[str, _T] = {}

    def answer(text: str) -> _T:
        try:
            return answers[text]
        except KeyError:
            found = answers[text] = check(text)
            return found
    return answer


@dataclass(frozen=True, slots=True)
class RowChecks:
    """The per-cell checks of one row (shared between rows during a big edit)."""

    key: Callable[[str], tuple[Finding, ...]]
    account: Callable[[str], tuple[Finding, ...]]
    bits: Callable[[str], tuple[int | None, tuple[Finding, ...]]]
    metadata: list[tuple[int, Callable[[str], tuple[JsonValue, tuple[Finding, ...]]]]]

    @classmethod
    def of(cls, plan: Plan, share: bool) -> RowChecks:
        """The plan's checks, with answers shared between rows when `share`."""
        wrap: Callable[[Callable[[str], Any]], Callable[[str], Any]] = (
            shared if share else (lambda f: f))
        return cls(wrap(plan.key_findings), wrap(plan.account_findings),
                   wrap(plan.convert_bits),
                   [(index, wrap(convert)) for _meta, index, convert in plan.metadata])
