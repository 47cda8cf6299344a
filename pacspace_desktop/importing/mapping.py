"""Which columns become the key, account, bits and metadata of each item, and how to read them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pacspace_desktop.domain.validation import FIELD_LABELS
from pacspace_desktop.importing.dates import DateOrder
from pacspace_desktop.importing.numbers import DecimalSeparator, is_power_of_ten


class MappingError(ValueError):
    """A mapping cannot be used with a table (a missing column, a bad template)."""


class SourceKind(StrEnum):
    """Where a field's value comes from."""

    COLUMN = "column"
    CONSTANT = "constant"
    TEMPLATE = "template"


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
LINE_TOKENS = ("n", "line")
"""Template tokens that are not columns: `{n}` numbers the lines of one invoice 1, 2, 3 (the
key without it groups them); `{line}` is the file line."""


@dataclass(frozen=True, slots=True)
class FieldSource:
    """A column, a constant text, or a template like `inv-{Invoice No}`.

    Attributes:
        kind: COLUMN, CONSTANT or TEMPLATE.
        value: The column name, the constant text, or the template.
    """

    kind: SourceKind
    value: str

    @classmethod
    def column(cls, name: str) -> FieldSource:
        """The value of column `name`."""
        return cls(SourceKind.COLUMN, name)

    @classmethod
    def constant(cls, text: str) -> FieldSource:
        """The same text on every row."""
        return cls(SourceKind.CONSTANT, text)

    @classmethod
    def template(cls, pattern: str) -> FieldSource:
        """Text with `{Column}` placeholders, e.g. `inv-{Invoice No}`; `{{` for a brace."""
        return cls(SourceKind.TEMPLATE, pattern)

    def columns(self) -> list[str]:
        """The columns this source reads (not the tokens `{n}` and `{line}`)."""
        return [c for c in self.placeholders() if c not in LINE_TOKENS]

    def placeholders(self) -> list[str]:
        """Every name in braces of a template (columns and tokens); a column's name."""
        if self.kind is SourceKind.COLUMN:
            return [self.value]
        if self.kind is SourceKind.TEMPLATE:
            return _PLACEHOLDER.findall(self.value.replace("{{", "").replace("}}", ""))
        return []

    def tokens(self) -> set[str]:
        """The line tokens of a template: `{n}` (1, 2, 3 within an invoice), `{line}`."""
        return {c for c in self.placeholders() if c in LINE_TOKENS}

    def describe(self) -> str:
        """Plain words: `column “Invoice No”`, `the text “EUR”`, `inv-{Invoice No}`."""
        if self.kind is SourceKind.COLUMN:
            return f"column “{self.value}”"
        if self.kind is SourceKind.CONSTANT:
            return f"the text “{self.value}”"
        return f"“{self.value}”"


@dataclass(frozen=True, slots=True)
class AmountRule:
    """How a number becomes whole `bits`.

    Attributes:
        factor: 1 for counts and units; 100 for the minor units (cents) of an amount; any
            power of ten.
        decimal_separator: AUTO (decided per column from the data), POINT or COMMA.
    """

    factor: int = 1
    decimal_separator: DecimalSeparator = DecimalSeparator.AUTO

    def __post_init__(self) -> None:
        if not is_power_of_ten(self.factor):
            raise MappingError(f"The factor must be 1, 10, 100, 1000, …; {self.factor} is not.")


class MetadataType(StrEnum):
    """How a metadata column's text is stored."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    YESNO = "yesno"


@dataclass(frozen=True, slots=True)
class MetadataColumn:
    """One column stored under a metadata name.

    Attributes:
        column: The column of the file.
        name: The metadata name.
        type: Text, number (exact decimal), date (ISO text) or yes/no.
        date_order: For dates: AUTO (decided from the data) or a person's choice.
        decimal_separator: For numbers: AUTO or a person's choice.
    """

    column: str
    name: str
    type: MetadataType = MetadataType.TEXT
    date_order: DateOrder = DateOrder.AUTO
    decimal_separator: DecimalSeparator = DecimalSeparator.AUTO
    default: str = ""
    date_format: str = ""


class RepeatPolicy(StrEnum):
    """What happens to the lines of an invoice whose key is on several lines."""

    HOLD = "hold"  # keep every line held back (the default: never half an invoice)
    SUM = "sum"  # add the lines up into one record
    PER_LINE = "per-line"  # one record per line: the key pattern holds {n} or {line}


class SignKind(StrEnum):
    """Where the sign of an amount comes from."""

    NONE = "none"  # the amount carries its own sign
    MARKER = "marker"  # a debit/credit column (S/H, DR/CR, Debit/Credit)
    TWO_COLUMNS = "two-columns"  # one column of debits, one of credits


@dataclass(frozen=True, slots=True)
class SignRule:
    """How an unsigned amount gets its sign.

    Attributes:
        kind: NONE, MARKER or TWO_COLUMNS.
        column: The debit/credit marker column (MARKER) or the credit column (TWO_COLUMNS;
            the bits column then holds the debits).
        positive: Markers that keep the amount as it is (`S`, `DR`, `Debit`).
        negative: Markers that make it negative (`H`, `CR`, `Credit`).
    """

    kind: SignKind = SignKind.NONE
    column: str = ""
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()

    @classmethod
    def marker(cls, column: str, positive: Sequence[str], negative: Sequence[str]
               ) -> SignRule:
        """The sign from a marker column, e.g. `marker("Soll/Haben", ["S"], ["H"])`."""
        return cls(SignKind.MARKER, column, tuple(positive), tuple(negative))

    @classmethod
    def two_columns(cls, credit: str) -> SignRule:
        """Debits in the bits column, credits (subtracted) in `credit`."""
        return cls(SignKind.TWO_COLUMNS, credit)

    def describe(self) -> str:
        """Plain words for the Columns step and the CLI."""
        if self.kind is SignKind.MARKER:
            return (f"the sign from column “{self.column}”: {'/'.join(self.positive)} adds, "
                    f"{'/'.join(self.negative)} subtracts")
        if self.kind is SignKind.TWO_COLUMNS:
            return f"credits in column “{self.column}” are subtracted"
        return "amounts carry their own sign"


SIGN_MARKERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("S / H (Soll / Haben)", ("S",), ("H",)),
    ("DR / CR", ("DR", "D", "DEBIT"), ("CR", "C", "CREDIT")),
    ("Debit / Credit", ("Debit", "Dr", "D"), ("Credit", "Cr", "C")),
)


@dataclass(frozen=True, slots=True)
class FileSettings:
    """How to read the file: each None means "detect it".

    Attributes:
        header_line: File line (sheet row) of the header; 0 when there is none.
        skip_lines: Lines right below the header that are not data (units, notes).
        encoding: Codec name (`utf-8`, `cp1252`, `mac_roman`, …).
        delimiter: Field separator of a text file.
        sheet: Sheet of a workbook.
    """

    header_line: int | None = None
    skip_lines: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


@dataclass(frozen=True, slots=True)
class Mapping:
    """How each row of a table becomes a write item; columns not named are left out.

    Attributes:
        key: Source of the record key.
        account_id: Source of the account ID.
        bits: Source of bits, converted with `amount`.
        amount: Factor and decimal separator for `bits`.
        metadata: Columns stored as metadata (only those; the bits column only if listed).
        sign: Where the sign of the amount comes from (a debit/credit column, two columns).
        repeats: What to do with the lines of a key that is on several lines.
        file: How to read the file (header line, lines to skip, encoding, separator, sheet).
        trim_apostrophes: Drop Excel's leading apostrophe (`'02134` → `02134`) in text.
        bits_default: The amount of a line whose bits cell is empty ("" = it is a problem);
            Shopify writes an order's total on its first line only.
    """

    key: FieldSource | None
    account_id: FieldSource | None
    bits: FieldSource | None
    amount: AmountRule = field(default_factory=AmountRule)
    metadata: tuple[MetadataColumn, ...] = ()
    sign: SignRule = field(default_factory=SignRule)
    repeats: RepeatPolicy = RepeatPolicy.HOLD
    file: FileSettings = field(default_factory=FileSettings)
    trim_apostrophes: bool = True
    bits_default: str = ""

    def sources(self) -> dict[str, FieldSource | None]:
        """The three fields by wire name."""
        return {"key": self.key, "accountId": self.account_id, "bits": self.bits}


def check_mapping(mapping: Mapping, headers: Sequence[str]) -> list[str]:
    """What keeps a mapping from being used with these headers, in plain words (empty: fine)."""
    problems: list[str] = []
    known = set(headers)
    for wire, source in mapping.sources().items():
        label = FIELD_LABELS[wire]
        if source is None:
            problems.append(f"{label}: choose a column, a fixed text or a pattern.")
            continue
        if source.kind is SourceKind.TEMPLATE and not source.columns():
            problems.append(f"{label}: the pattern “{source.value}” names no column; write "
                            "column names in braces, like inv-{Invoice No}.")
        elif source.kind is SourceKind.TEMPLATE and source.tokens() and wire != "key":
            problems.append(f"{label}: {{n}} and {{line}} number the lines of a record key; "
                            "use them in the record key's pattern only.")
        problems += [f"{label}: the file has no column “{c}”." for c in source.columns()
                     if c not in known]
    sign = mapping.sign
    if sign.kind is not SignKind.NONE:
        if not sign.column:
            problems.append("Sign: choose the column that says debit or credit.")
        elif sign.column not in known:
            problems.append(f"Sign: the file has no column “{sign.column}”.")
        if sign.kind is SignKind.MARKER and not (sign.positive and sign.negative):
            problems.append("Sign: say which markers add and which subtract.")
    names: set[str] = set()
    for meta in mapping.metadata:
        if meta.column not in known:
            problems.append(f"Metadata “{meta.name}”: the file has no column “{meta.column}”.")
        if not meta.name.strip():
            problems.append(f"Metadata from column “{meta.column}” needs a name.")
        if meta.name in names:
            problems.append(f"Metadata “{meta.name}” is used for two columns.")
        names.add(meta.name)
    return problems


def normalize_header(name: str) -> str:
    """Lower case, no accents, no spaces or punctuation: `Invoice No.` → `invoiceno`."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))
