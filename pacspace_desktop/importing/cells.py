"""What a cell says beyond its text: Excel error values, total and subtotal rows, mojibake."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

EXCEL_ERRORS = {
    "#N/A": "a lookup (VLOOKUP, XLOOKUP, MATCH) found nothing",
    "#VALUE!": "a formula got the wrong kind of value, such as text where a number belongs",
    "#REF!": "a formula refers to cells that were deleted",
    "#DIV/0!": "a formula divides by zero or by an empty cell",
    "#NAME?": "a formula uses a name or function Excel does not know",
    "#NUM!": "a formula's result is not a valid number",
    "#NULL!": "a formula's ranges do not meet",
    "#SPILL!": "a formula's results have no room to spill into",
    "#CALC!": "a formula could not be calculated",
    "#GETTING_DATA": "the workbook was saved while Excel was still fetching data",
}
_ERROR_KEYS = {k.casefold(): k for k in EXCEL_ERRORS}


def excel_error(text: str) -> str | None:
    """The Excel error value a cell holds (`#N/A`, `#REF!`, …), or None."""
    if not text or "#" not in text[:2]:
        return None
    return _ERROR_KEYS.get(text.strip().casefold())


def excel_error_message(column: str, error: str) -> str:
    """The sentence for an error value: what it is and what to do."""
    return (f"{column} holds the Excel error “{error}”: {EXCEL_ERRORS[error]}. Fix it in the "
            "workbook and export the file again; the row is held back.")


def has_excel_errors(cells: list[str]) -> bool:
    """True when some cell of a slice may be an error value (checked at C speed)."""
    return "\x1f#" in "\x1f" + "\x1f".join(cells)


TOTAL_WORDS = ("grand total", "total general", "total général", "totals", "total", "subtotal",
               "sub-total", "sub total", "sous-total", "sous total", "zwischensumme",
               "gesamtsumme", "endsumme", "summe", "gesamt", "suma total", "suma", "sum",
               "closing balance", "opening balance", "balance carried forward",
               "balance brought forward", "carried forward", "brought forward", "saldo",
               "solde", "übertrag", "uebertrag", "kontosumme")
_TOTAL = re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in TOTAL_WORDS)
                    + r")(?:\s*[:.\-–]?\s*$|[\s:]+\S)", re.IGNORECASE)
_TOTAL_ANYWHERE = re.compile(r"(?:^|\x1f)\s*(?:" + "|".join(re.escape(w) for w in TOTAL_WORDS)
                             + r")\b", re.IGNORECASE)


def word_tree(words: Iterable[str]) -> str:
    """A pattern matching exactly `words`, branching letter by letter ("t(?:otal(?:s)?)"):
    the engine tries one branch per letter instead of every word at every cell."""
    tree: dict[str, dict[str, Any]] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict[str, dict[str, Any]]) -> str:
        parts = [re.escape(ch) + branch(node[ch]) for ch in sorted(node) if ch]
        if not parts:
            return ""
        if "" in node:
            return "(?:" + "|".join(parts) + ")?"
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return branch(tree)


# the same for ASCII text once lower-cased (each cell after a \x1f, the first one too)
_TOTAL_LOWER = re.compile(r"\x1f\s*(?:" + word_tree(w.lower() for w in TOTAL_WORDS) + r")\b")


def total_label(text: str) -> bool:
    """True when a cell reads like the label of a total row: `Total`, `Summe:`, `Gesamt`,
    `Closing balance`, `Total invoice 1003` (not `Totally Bikes Ltd`)."""
    return bool(text) and _TOTAL.match(text) is not None


_TOTAL_CELL = re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in TOTAL_WORDS)
                         + r")\s*[:.]?\s*$", re.IGNORECASE)


def total_cell(text: str) -> bool:
    """True when a cell is only a total label (`Closing balance`, `Summe:`)."""
    return _TOTAL_CELL.match(text) is not None


_BALANCE = ("balance", "saldo", "solde", "übertrag", "uebertrag", "forward")


def is_balance_label(text: str) -> bool:
    """True for an opening or closing balance (a running figure, not a sum of the lines)."""
    folded = text.casefold()
    return any(word in folded for word in _BALANCE)


def may_hold_total_label(cells: list[str]) -> bool:
    """True when some cell of a slice may be a total label (checked at C speed)."""
    return total_label_in("\x1f" + "\x1f".join(cells))


def total_label_in(text: str) -> bool:
    """`may_hold_total_label` of cells already joined, each after a `\\x1f` (a `\\x1f` after
    the last one changes nothing)."""
    if text.isascii():  # lower-cased, the words are found 4× faster than with IGNORECASE
        return _TOTAL_LOWER.search(text.lower()) is not None
    return _TOTAL_ANYWHERE.search(text) is not None


# UTF-8 bytes read as Windows-1252 or Latin-1: é → Ã©, ’ → â€™, € → â‚¬, a BOM → ï»¿
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152-\u0178\u02c6-\u2122]|Â[\u00a0-\u00bf]|â€.|â\u0080."
                       "|â‚¬|ï»¿")


def mojibake_sample(cells: list[str]) -> str | None:
    """A cell that looks like text decoded with the wrong encoding (`CafÃ©`, `â‚¬`), or None."""
    for cell in cells:
        if _MOJIBAKE.search(cell):
            return cell
    return None
