"""Amounts as people type them (`$1,234.50`, `1.234,56 €`, `(250.00)`, `12.00-`) as Decimals."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal


class NumberError(ValueError):
    """A text is not a number, or not a whole number of units; the message says why."""


class DecimalSeparator(StrEnum):
    """Which character separates the fraction: decided from the data, or chosen by a person."""

    AUTO = "auto"
    POINT = "point"
    COMMA = "comma"


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """The decimal separator of one column and the evidence for it.

    Attributes:
        separator: POINT or COMMA.
        evidence: Plain words: "38 of 40 values end in ,dd → decimal comma".
        ambiguous: True when no value shows which separator is meant (e.g. only `1,234`).
    """

    separator: DecimalSeparator
    evidence: str
    ambiguous: bool = False


_SYMBOLS = ["US$", "CA$", "AU$", "A$", "R$", "SFr.", "Fr.", "kr.", "kr", "zł", "Kč", "Ft",
            "$", "€", "£", "¥", "₹", "₽", "₩", "₺", "₪", "₫", "฿", "₴", "₦", "¢"]
_CODES = ["USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN",
          "CZK", "HUF", "CNY", "RMB", "INR", "BRL", "MXN", "ZAR", "RUB", "TRY", "SGD", "HKD",
          "KRW", "RON", "BGN", "ISK", "ILS", "AED", "SAR", "THB", "IDR", "MYR", "PHP", "CLP"]
CURRENCY_PATTERN = "(?:" + "|".join(
    [re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True)]
    + ["(?i:" + "|".join(_CODES) + ")"]) + ")"
_SPACE = r"[\s\u00a0\u202f\u2009]*"
_SIGN = "[+\\-\u2212]"
_BODY = r"(?:[0-9](?:[0-9.,'’\s\u00a0\u202f\u2009]*[0-9])?|[.,][0-9]+)"
_NUMBER = re.compile(
    f"(?P<s1>{_SIGN})?{_SPACE}(?P<c1>{CURRENCY_PATTERN})?{_SPACE}(?P<s2>{_SIGN})?{_SPACE}"
    f"(?P<body>{_BODY}){_SPACE}(?P<c2>{CURRENCY_PATTERN})?{_SPACE}(?P<s3>[\\-\u2212])?")
_OUTER_BRACKETS = re.compile(
    f"(?P<c1>{CURRENCY_PATTERN}){_SPACE}\\((?P<inner>[^()]*)\\)"
    f"|\\((?P<inner2>[^()]*)\\){_SPACE}(?P<c2>{CURRENCY_PATTERN})")
_PLAIN_POINT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_PLAIN_COMMA = re.compile(r"-?[0-9]+(?:,[0-9]+)?")
_GROUP_CHARS = "'’ \u00a0\u202f\u2009"
# a sign and digits with `.`/`,` only: what `_split` would give as the body, without the parser
_SIMPLE_NUMBER = re.compile(r"[-+\u2212]?([0-9](?:[0-9.,]*[0-9])?)")
# a number whose last separator is followed by one or two digits: the evidence is that one
_COMMA_EVIDENCE = re.compile(r"[-+\u2212]?[0-9]+(?:\.[0-9]+)*,[0-9]{1,2}")
_POINT_EVIDENCE = re.compile(r"[-+\u2212]?[0-9]+(?:,[0-9]+)*\.[0-9]{1,2}")
_SHOWN = 40


def shown(text: str) -> str:
    """A value as quoted in a message: trimmed, and cut when very long."""
    text = text.strip()
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _split(text: str) -> tuple[bool, str]:
    """The sign and the digits-with-separators of an amount, without currency or brackets."""
    s = text.strip()
    negative = False
    if len(s) >= 2 and s[0] == "(" and s[-1] == ")":
        negative, s = True, s[1:-1].strip()
    elif "(" in s and (outer := _OUTER_BRACKETS.fullmatch(s)) is not None:
        # Excel's accounting formats put the currency outside: "(250,00) €", "€ (250,00)"
        negative = True
        inner = (outer["inner"] if outer["c1"] else outer["inner2"]).strip()
        s = f"{outer['c1'] or ''}{inner}{outer['c2'] or ''}"
    m = _NUMBER.fullmatch(s)
    if m is None:
        raise NumberError(f"“{shown(text)}” is not a number.")
    if m["c1"] and m["c2"]:
        raise NumberError(f"“{shown(text)}” names the currency twice.")
    signs = [g for g in (m["s1"], m["s2"], m["s3"]) if g]
    if len(signs) + negative > 1:
        raise NumberError(f"“{shown(text)}” has more than one sign.")
    if signs and signs[0] != "+":
        negative = True
    return negative, m["body"]


Evidence = Literal["comma", "point"] | None


def _evidence(body: str) -> Evidence:
    """Which decimal separator one number shows, or None when it could be either."""
    has_point, has_comma = "." in body, "," in body
    if has_point and has_comma:
        return "comma" if body.rfind(",") > body.rfind(".") else "point"
    if not (has_point or has_comma):
        return None
    sep = "." if has_point else ","
    this: Evidence = "point" if has_point else "comma"
    other: Evidence = "comma" if has_point else "point"
    if body.count(sep) > 1:
        return other
    head, _, tail = body.partition(sep)
    if len(tail) != 3:
        return this
    head = "".join(ch for ch in head if ch.isdigit())
    if not head or head == "0" or len(head) > 3:
        return this
    if any(ch in _GROUP_CHARS for ch in body):
        return this  # "1 234.567": spaces group, so the point is the fraction
    return None


def _digits(body: str, decimal: str, text: str) -> str:
    """Plain `-?digits[.digits]` of a body, checking that thousands groups have 3 digits."""
    group = "," if decimal == "." else "."
    head, mark, tail = body.partition(decimal)
    if decimal in tail or any(not ch.isdigit() for ch in tail) or (mark and not tail):
        raise NumberError(f"“{shown(text)}” is not a number: the decimal "
                          f"{'comma' if decimal == ',' else 'point'} is misplaced.")
    if not head:
        head = "0"
    if not head.isdigit():
        for ch in _GROUP_CHARS:
            head = head.replace(ch, group)
        groups = head.split(group)
        if (not all(g.isdigit() for g in groups) or not 1 <= len(groups[0]) <= 3
                or any(len(g) != 3 for g in groups[1:])):
            if len(groups) == 2 and group in ",." and all(g.isdigit() for g in groups) \
                    and not mark:
                this, other = ("comma", "point") if group == "," else ("point", "comma")
                raise NumberError(f"“{shown(text)}” has a decimal {this}, but this column "
                                  f"is read with a decimal {other}: choose the decimal "
                                  f"{this} for it, or correct the value.")
            raise NumberError(f"“{shown(text)}” is not a number: the thousands separators "
                              "are not in groups of three digits.")
        head = "".join(groups)
    return f"{head}.{tail}" if tail else head


def parse_number(text: str, separator: DecimalSeparator = DecimalSeparator.AUTO) -> Decimal:
    """Read an amount exactly, with its currency, grouping and sign.

    With AUTO, a number that could be read both ways (`1,234`) takes the comma as thousands
    separator; decide per column with `detect_number_format` to do better.

    Args:
        text: The cell text, e.g. `$1,234.50`, `1.234,56 €`, `(250.00)`, `12.00-`.
        separator: The decimal separator of the column.

    Raises:
        NumberError: when the text is not a number, with the reason in plain words.
    """
    if separator is DecimalSeparator.POINT and _PLAIN_POINT.fullmatch(text):
        return Decimal(text)
    if separator is DecimalSeparator.COMMA and _PLAIN_COMMA.fullmatch(text):
        return Decimal(text.replace(",", "."))
    if not text.strip():
        raise NumberError("The amount is empty.")
    negative, body = _split(text)
    if separator is DecimalSeparator.AUTO:
        decimal = "," if _evidence(body) == "comma" else "."
    else:
        decimal = "," if separator is DecimalSeparator.COMMA else "."
    value = Decimal(_digits(body, decimal, text))
    return -value if negative else value


# digits bounded (see MAX_AMOUNT_DIGITS): a longer number goes to the full parser
_FAST_POINT = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3}){1,12}|[0-9]{1,40})(?:\.([0-9]{1,40}))?")
_FAST_COMMA = re.compile(r"(-?)([0-9]{1,3}(?:\.[0-9]{3}){1,12}|[0-9]{1,40})(?:,([0-9]{1,40}))?")


def plain_amount(separator: DecimalSeparator
                 ) -> tuple[Callable[[str], re.Match[str] | None] | None, str]:
    """The matcher of a plain amount (`-1.234,56`: sign, digits, fraction) and its group mark.

    Returns (None, "") for AUTO: such a column needs the full parser.
    """
    if separator is DecimalSeparator.POINT:
        return _FAST_POINT.fullmatch, ","
    if separator is DecimalSeparator.COMMA:
        return _FAST_COMMA.fullmatch, "."
    return None, ""


# the longest amount `_cell_pattern` takes before its fraction: a sign, 3 digits, 12 groups
PLAIN_LONGEST = 1 + 3 + 4 * 12


@functools.cache
def _cell_pattern(separator: DecimalSeparator, decimals: int | None) -> re.Pattern[str]:
    group, point = (",", "\\.") if separator is DecimalSeparator.POINT else ("\\.", ",")
    frac = "" if decimals == 0 else (f"(?:{point}[0-9]+)?" if decimals is None
                                     else f"{point}[0-9]{{{decimals}}}")
    # digits bounded: a longer number takes the per-cell path, which names the limit
    return re.compile(f"-?(?:[0-9]{{1,3}}(?:{group}[0-9]{{3}}){{1,12}}|[0-9]{{1,40}}){frac}")


@functools.cache
def _column_pattern(separator: DecimalSeparator, decimals: int | None,
                    empty: bool) -> re.Pattern[str]:
    """Cells joined by line breaks, each a plain amount (or empty when `empty`)."""
    cell = f"(?>{_cell_pattern(separator, decimals).pattern})" + ("?" if empty else "")
    return re.compile(f"{cell}(?:\n{cell})*+")


def _joined(texts: list[str]) -> str | None:
    """The cells joined by line breaks, or None when a cell holds a line break itself."""
    joined = "\n".join(texts)
    return joined if joined.count("\n") == len(texts) - 1 else None


def bulk_minor_units(texts: list[str], separator: DecimalSeparator, shift: int
                     ) -> list[int] | None:
    """Minor units of a whole column (or slice) at C speed, when every cell is a plain amount
    with exactly `shift` decimals (or every cell is a whole number); else None (check per cell).

    Args:
        texts: The column.
        separator: POINT or COMMA.
        shift: Digits to move: 2 for a factor of 100.
    """
    if separator is DecimalSeparator.AUTO or not texts:
        return None
    joined = _joined(texts)
    if joined is None:
        return None
    group, point = (",", ".") if separator is DecimalSeparator.POINT else (".", ",")
    if shift and _column_pattern(separator, shift, False).fullmatch(joined):
        return list(map(int, joined.replace(group, "").replace(point, "").split("\n")))
    if _column_pattern(separator, 0, False).fullmatch(joined):
        scale = 10**shift
        return [n * scale for n in map(int, joined.replace(group, "").split("\n"))]
    return None


def all_plain_numbers(texts: list[str], separator: DecimalSeparator) -> bool:
    """True when every cell of a column is a plain number or empty (nothing to report)."""
    if separator is DecimalSeparator.AUTO:
        return False
    if not texts:
        return True
    joined = _joined(texts)
    return joined is not None and \
        _column_pattern(separator, None, True).fullmatch(joined) is not None


def fast_minor_units(text: str, separator: DecimalSeparator, shift: int) -> int | None:
    """Whole minor units of a plain amount (`-1.234,56`) without building a Decimal.

    Returns None when the text needs the full parser (currency, brackets, an inexact
    fraction): `to_minor_units(parse_number(...))` then gives the answer or the message.

    Args:
        text: The cell text.
        separator: POINT or COMMA (AUTO always returns None).
        shift: Digits to move: 2 for a factor of 100.
    """
    if separator is DecimalSeparator.POINT:
        m = _FAST_POINT.fullmatch(text)
        group = ","
    elif separator is DecimalSeparator.COMMA:
        m = _FAST_COMMA.fullmatch(text)
        group = "."
    else:
        return None
    if m is None:
        return None
    sign, head, frac = m.groups()
    frac = frac or ""
    if len(frac) > shift:
        if frac[shift:].strip("0"):
            return None
        frac = frac[:shift]
    value = int(head.replace(group, "") + frac + "0" * (shift - len(frac)))
    return -value if sign else value


def looks_numeric(text: str) -> bool:
    """True when `text` reads as a number in some convention."""
    try:
        _split(text)
    except NumberError:
        return False
    return True


def detect_number_format(values: list[str], limit: int = 5000) -> NumberFormat:
    """Decide a column's decimal separator from its values, with the evidence in words.

    Args:
        values: Cells of the column (empty ones are ignored).
        limit: How many non-empty values to look at.
    """
    comma = point = seen = 0
    filled = filter(None, values)
    head = list(itertools.islice(filled, limit))
    # the usual shapes at C speed: `1.234,56` is comma evidence, `1,234.56` point evidence
    commas = list(filter(None, map(_COMMA_EVIDENCE.fullmatch, head)))
    points = list(filter(None, map(_POINT_EVIDENCE.fullmatch, head)))
    if len(commas) + len(points) == len(head):
        comma, point = len(commas), len(points)
        seen = len(head)
        head = []
    simple = _SIMPLE_NUMBER.fullmatch
    for text in itertools.chain(head, filled):
        if seen >= limit:
            break
        m = simple(text)
        if m is not None:
            body = m[1]
        else:
            try:
                _, body = _split(text)
            except NumberError:
                continue
        seen += 1
        found = _evidence(body)
        comma += found == "comma"
        point += found == "point"
    if comma > point:
        if point:
            return NumberFormat(DecimalSeparator.COMMA, f"values disagree: {comma} of {seen} "
                                f"end in ,dd and {point} in .dd → decimal comma")
        return NumberFormat(DecimalSeparator.COMMA,
                            f"{comma} of {seen} values end in ,dd → decimal comma")
    if point > comma:
        if comma:
            return NumberFormat(DecimalSeparator.POINT, f"values disagree: {point} of {seen} "
                                f"end in .dd and {comma} in ,dd → decimal point")
        return NumberFormat(DecimalSeparator.POINT,
                            f"{point} of {seen} values end in .dd → decimal point")
    if comma:
        return NumberFormat(DecimalSeparator.POINT, f"values disagree: {comma} end in ,dd and "
                            f"{point} in .dd; read with a decimal point — please check",
                            ambiguous=True)
    plain = all(not text or text.strip().lstrip("-").isdigit() for text in values[:limit])
    if plain:
        return NumberFormat(DecimalSeparator.POINT, "whole numbers only: no decimal separator")
    return NumberFormat(DecimalSeparator.POINT, "no value shows the decimal separator (like "
                        "1,234 or 1.234); read with a decimal point — please check",
                        ambiguous=True)


def is_power_of_ten(factor: int) -> bool:
    """True for 1, 10, 100, 1000, …"""
    return factor >= 1 and str(factor).strip("0") == "1"


def _unit(factor: int) -> str:
    return {1: "", 100: " of cents", 1000: " of thousandths"}.get(factor, "")


MAX_AMOUNT_DIGITS = 40
"""Most digits in one amount (Python itself refuses to read integers past 4,300 digits)."""


def to_minor_units(value: Decimal, factor: int) -> int:
    """Multiply an amount by a power of ten, refusing anything that is not exactly whole.

    Args:
        value: An exact amount, e.g. Decimal("12.50").
        factor: 1 for counts and units, 100 for cents, or another power of ten.

    Raises:
        NumberError: "1.234 × 100 is not a whole number of cents." and the like.
        ValueError: when `factor` is not a power of ten.
    """
    if not is_power_of_ten(factor):
        raise ValueError(f"the factor must be a power of ten, not {factor}")
    if not value.is_finite():
        raise NumberError(f"“{value}” is not a number.")
    shift = len(str(factor)) - 1
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > MAX_AMOUNT_DIGITS:
        raise NumberError(f"{shown(str(value))} has {len(digits):,} digits; this app reads "
                          f"amounts of at most {MAX_AMOUNT_DIGITS} digits.")
    exponent += shift
    number: int = int("".join(map(str, digits)) or "0")
    if number == 0:
        return 0
    if exponent > 40:
        raise NumberError(f"{shown(str(value))} is far too large.")
    if exponent >= 0:
        grow: int = 10**exponent
        whole = number * grow
    else:
        rest = number
        if -exponent <= len(digits):  # else: more decimals than digits, never whole
            scale: int = 10**-exponent
            whole, rest = divmod(number, scale)
        if rest:
            text = shown(format(value, "f")) if abs(value.adjusted()) < 40 else shown(str(value))
            if factor == 1:
                raise NumberError(f"{text} is not a whole number.")
            raise NumberError(f"{text} × {factor} is not a whole number{_unit(factor)}.")
    return -whole if sign else whole
