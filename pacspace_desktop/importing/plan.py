"""A mapping bound to a table: resolved columns, per-column formats, and cell converters."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pacspace_desktop.domain.jsonwire import JsonValue
from pacspace_desktop.domain.limits import Limits
from pacspace_desktop.domain.validation import FIELD_LABELS, check_bits, check_text_field
from pacspace_desktop.importing.dates import DateError, DateOrder, detect_date_order, parse_date
from pacspace_desktop.importing.datev import ddmm_converter
from pacspace_desktop.importing.findings import CellProblem, ColumnFormat, Finding, FormatKind
from pacspace_desktop.importing.mapping import (
    FieldSource,
    Mapping,
    MappingError,
    MetadataColumn,
    MetadataType,
    SignKind,
    SourceKind,
    check_mapping,
)
from pacspace_desktop.importing.numbers import (
    DecimalSeparator,
    NumberError,
    detect_number_format,
    fast_minor_units,
    parse_number,
    shown,
    to_minor_units,
)
from pacspace_desktop.importing.rowrules import RowRules
from pacspace_desktop.importing.table import ImportTable

_YES = {"yes", "y", "true", "ja", "j", "oui", "o", "si", "sí", "x", "1", "wahr", "vrai"}
_NO = {"no", "n", "false", "nein", "non", "0", "falsch", "faux"}


Converter = Callable[[str], tuple[JsonValue, tuple[Finding, ...]]]
TextSource = Callable[[int], str]


__all__ = ["CellProblem", "ColumnFormat", "Converter", "Finding", "FormatKind", "Plan"]


class Plan(RowRules):
    """A mapping resolved against one table's columns, ready to convert cells."""

    def __init__(self, table: ImportTable, mapping: Mapping, limits: Limits) -> None:
        """Bind `mapping` to `table`.

        Raises:
            MappingError: when the mapping names missing columns or lacks a field.
        """
        problems = check_mapping(mapping, table.headers)
        if problems:
            raise MappingError(" ".join(problems))
        self.table, self.mapping, self.limits = table, mapping, limits
        self._base_parts: list[str | int] = []
        self.ordinals: list[int] = []
        self.formats: list[ColumnFormat] = []
        self.separators: dict[str, DecimalSeparator] = {}
        assert mapping.key and mapping.account_id and mapping.bits
        self.key_source: FieldSource = mapping.key
        self.account_source: FieldSource = mapping.account_id
        self.bits_source: FieldSource = mapping.bits
        self.key_at = self._source(mapping.key)
        self.account_at = self._source(mapping.account_id)
        self.bits_at = self._source(mapping.bits)
        if mapping.bits_default:
            given, default = self.bits_at, mapping.bits_default
            self.bits_at = lambda row: given(row) if given(row).strip() else default
        self.key_column = self._blame(mapping.key, "key")
        self.refresh_ordinals()
        self.account_column = self._blame(mapping.account_id, "accountId")
        self.bits_column = self._blame(mapping.bits, "bits")
        self.bits_separator = self._separator(mapping.bits, mapping.amount.decimal_separator)
        self.shift = len(str(mapping.amount.factor)) - 1
        self.metadata: list[tuple[MetadataColumn, int, Converter]] = [
            (meta, table.column_index(meta.column), self._meta_converter(meta))
            for meta in mapping.metadata]
        for meta, _index, convert in self.metadata:
            if meta.default and convert(meta.default)[1]:
                raise MappingError(f"Metadata “{meta.name}”: the default “{meta.default}” "
                                   f"is not a {meta.type.value}.")
        sign = mapping.sign
        self.signed = sign.kind is not SignKind.NONE
        self.sign_column = sign.column
        self.sign_at: TextSource = (self._source(FieldSource.column(sign.column))
                                    if self.signed else (lambda _row: ""))
        self.credit_separator = (self._separator(FieldSource.column(sign.column),
                                                 mapping.amount.decimal_separator)
                                 if sign.kind is SignKind.TWO_COLUMNS else self.bits_separator)
        self._positive = {m.strip().casefold() for m in sign.positive}
        self._negative = {m.strip().casefold() for m in sign.negative}
        mapped = {c for src in (mapping.key, mapping.account_id, mapping.bits)
                  for c in src.columns()}
        mapped |= {m.column for m in mapping.metadata}
        if self.signed:
            mapped.add(sign.column)
        self.mapped_columns = sorted(table.column_index(c) for c in mapped)

    def _blame(self, source: FieldSource, wire: str) -> str:
        return source.value if source.kind is SourceKind.COLUMN else FIELD_LABELS[wire]

    def _source(self, source: FieldSource) -> TextSource:
        columns = self.table.columns
        trim = self.mapping.trim_apostrophes
        if source.kind is SourceKind.COLUMN:
            column = columns[self.table.column_index(source.value)]
            if trim:
                return lambda row: trimmed(column[row])
            return column.__getitem__
        if source.kind is SourceKind.CONSTANT:
            text = source.value
            return lambda _row: text
        parts = _template_parts(source.value, self.table)
        line_of = self.table.line_of
        ordinals = self.ordinals  # changed in place, never replaced: no cycle through self

        def cell(part: str | int, row: int) -> str:
            if isinstance(part, str):
                return part
            if part == _LINE:
                return str(line_of(row))
            if part == _N:
                return str(ordinals[row]) if row < len(ordinals) else "1"
            return trimmed(columns[part][row]) if trim else columns[part][row]

        def render(row: int) -> str:
            return "".join([cell(p, row) for p in parts])
        if _N in parts:
            base = [p for p in parts if p != _N]
            self._base_parts = base
        return render

    @property
    def uses_ordinals(self) -> bool:
        """True when the key pattern holds `{n}` (line 1, 2, 3 of the same invoice)."""
        return bool(self._base_parts)

    def refresh_ordinals(self) -> None:
        """Number the lines of each invoice again (the key pattern without `{n}` groups them);
        call before re-checking after an edit."""
        if not self._base_parts:
            return
        columns, parts = self.table.columns, self._base_parts
        seen: dict[str, int] = {}
        ordinals = []
        for row in range(self.table.row_count):
            base = "".join([p if isinstance(p, str) else str(self.table.line_of(row))
                            if p == _LINE else columns[p][row] for p in parts])
            seen[base] = n = seen.get(base, 0) + 1
            ordinals.append(n)
        self.ordinals[:] = ordinals  # in place: the key pattern's closures hold this list

    def bits_values(self) -> list[str]:
        """Every row's bits text (an empty cell as the mapping's default)."""
        values = self.values(self.bits_source)
        default = self.mapping.bits_default
        if not default:
            return values
        return [text if text.strip() else default for text in values]

    def values(self, source: FieldSource) -> list[str]:
        """Every row's text for a source (the live column list for a plain column)."""
        if source.kind is SourceKind.COLUMN:
            column = self.table.column(source.value)
            if not self.mapping.trim_apostrophes or not _has_apostrophe(column):
                return column
            return [trimmed(text) for text in column]
        at = self._source(source)
        return [at(r) for r in range(self.table.row_count)]

    def _separator(self, source: FieldSource, chosen: DecimalSeparator) -> DecimalSeparator:
        if chosen is not DecimalSeparator.AUTO or source.kind is not SourceKind.COLUMN:
            return chosen
        found = detect_number_format(self.table.column(source.value))
        self.formats.append(ColumnFormat(source.value, FormatKind.NUMBER, found.separator,
                                         found.evidence, found.ambiguous))
        return found.separator

    def _meta_converter(self, meta: MetadataColumn) -> Converter:
        column = meta.column
        if meta.type is MetadataType.NUMBER:
            separator = self._separator(FieldSource.column(column), meta.decimal_separator)
            self.separators[column] = separator
            return lambda text: _number(text, column, separator)
        if meta.type is MetadataType.DATE and meta.date_format.upper() == "DDMM":
            return ddmm_converter(column, self.table.preamble)
        if meta.type is MetadataType.DATE:
            order = meta.date_order
            if order is DateOrder.AUTO:
                found = detect_date_order(self.table.column(column))
                self.formats.append(ColumnFormat(column, FormatKind.DATE, found.order,
                                                 found.evidence, found.ambiguous))
                order = found.order
            return lambda text: _date(text, column, order)
        if meta.type is MetadataType.YESNO:
            return lambda text: _yesno(text, column)
        return lambda text: (text, ())

    def key_findings(self, text: str) -> tuple[Finding, ...]:
        """Problems of a record key."""
        return self._text_findings(text, "key", self.key_column)

    def account_findings(self, text: str) -> tuple[Finding, ...]:
        """Problems of an account ID."""
        return self._text_findings(text, "accountId", self.account_column)

    def _text_findings(self, text: str, wire: str, column: str) -> tuple[Finding, ...]:
        if text and len(text) <= self.limits.max_id_length and text.isprintable() \
                and text == text.strip():
            return ()
        return tuple(Finding(column, wire, p.code, p.message, p.severity)
                     for p in check_text_field(text, wire, self.limits))

    def convert_bits(self, text: str) -> tuple[int | None, tuple[Finding, ...]]:
        """Bits of one cell, or the problems that keep it from being bits."""
        fast = fast_minor_units(text, self.bits_separator, self.shift)
        if fast is not None and -self.limits.max_abs_bits <= fast <= self.limits.max_abs_bits:
            return fast, ()
        column = self.bits_column
        if not text.strip():
            return None, (Finding(column, "bits", "missing", f"{column} is empty."),)
        try:
            value = parse_number(text, self.bits_separator)
            bits = to_minor_units(value, self.mapping.amount.factor)
        except NumberError as exc:
            return None, (Finding(column, "bits", "not_integer", _sentence(column, exc)),)
        if abs(bits) > self.limits.max_abs_bits:
            problem = check_bits(bits, self.limits)[0]
            return None, (Finding(column, "bits", problem.code, problem.message),)
        return bits, ()

    def metadata_of(self, row: int) -> dict[str, JsonValue] | None:
        """The metadata of one row (empty cells left out); None when nothing is left.

        Raises:
            ValueError: when a cell cannot be converted (the row has an error).
        """
        result: dict[str, JsonValue] = {}
        for meta, index, convert in self.metadata:
            text = self.table.columns[index][row]
            if not text.strip():
                if not meta.default:
                    continue
                text = meta.default
            elif self.mapping.trim_apostrophes:
                text = trimmed(text)
            value, findings = convert(text)
            if findings:
                raise ValueError(findings[0].message)
            result[meta.name] = value
        return result or None


def _sentence(column: str, exc: ValueError) -> str:
    text = str(exc)
    return f"{column} {text}" if text.startswith("“") else f"{column}: {text}"


def _number(text: str, column: str, separator: DecimalSeparator
            ) -> tuple[JsonValue, tuple[Finding, ...]]:
    try:
        value: Decimal = parse_number(text, separator)
    except NumberError as exc:
        return None, (Finding(column, "metadata", "not_number", _sentence(column, exc)),)
    return value, ()


def _date(text: str, column: str, order: DateOrder) -> tuple[JsonValue, tuple[Finding, ...]]:
    try:
        return parse_date(text, order).isoformat(), ()
    except DateError as exc:
        return None, (Finding(column, "metadata", "not_date", _sentence(column, exc)),)


def _yesno(text: str, column: str) -> tuple[JsonValue, tuple[Finding, ...]]:
    word = text.strip().casefold()
    if word in _YES:
        return True, ()
    if word in _NO:
        return False, ()
    return None, (Finding(column, "metadata", "not_yesno",
                          f"{column} “{shown(text)}” is not yes or no."),)


_LINE, _N = -1, -2  # template parts for the tokens {line} and {n}
_TOKENS = {"line": _LINE, "n": _N}


def trimmed(text: str) -> str:
    """Without Excel's leading apostrophe (`'02134` → `02134`)."""
    return text[1:] if text[:1] == "'" else text


def _has_apostrophe(column: list[str]) -> bool:
    # a slice at a time: no copy of the whole column, and each C call stays short
    return any("\x1f'" in "\x1f" + "\x1f".join(column[start:start + 4096])
               for start in range(0, len(column), 4096))


def _template_parts(pattern: str, table: ImportTable) -> list[str | int]:
    parts: list[str | int] = []
    literal: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith(("{{", "}}"), i):
            literal.append(ch)
            i += 2
            continue
        if ch == "{":
            end = pattern.find("}", i)
            if end < 0:
                raise MappingError(f"The pattern “{pattern}” has an unclosed brace.")
            if literal:
                parts.append("".join(literal))
                literal = []
            name = pattern[i + 1:end]
            parts.append(_TOKENS[name] if name in _TOKENS else table.column_index(name))
            i = end + 1
            continue
        literal.append(ch)
        i += 1
    if literal:
        parts.append("".join(literal))
    return parts
