"""Which columns become the key, account, bits and metadata of each item — and `auto_map`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pacspace_desktop.domain.validation import FIELD_LABELS
from pacspace_desktop.importing.dates import DateOrder, looks_like_date
from pacspace_desktop.importing.numbers import DecimalSeparator, is_power_of_ten, looks_numeric


class MappingError(ValueError):
    """A mapping cannot be used with a table (a missing column, a bad template)."""


class SourceKind(StrEnum):
    """Where a field's value comes from."""

    COLUMN = "column"
    CONSTANT = "constant"
    TEMPLATE = "template"


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


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
        """The columns this source reads."""
        if self.kind is SourceKind.COLUMN:
            return [self.value]
        if self.kind is SourceKind.TEMPLATE:
            return _PLACEHOLDER.findall(self.value.replace("{{", "").replace("}}", ""))
        return []

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


@dataclass(frozen=True, slots=True)
class Mapping:
    """How each row of a table becomes a write item; columns not named are left out.

    Attributes:
        key: Source of the record key.
        account_id: Source of the account ID.
        bits: Source of bits, converted with `amount`.
        amount: Factor and decimal separator for `bits`.
        metadata: Columns stored as metadata.
    """

    key: FieldSource | None
    account_id: FieldSource | None
    bits: FieldSource | None
    amount: AmountRule = field(default_factory=AmountRule)
    metadata: tuple[MetadataColumn, ...] = ()

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
        problems += [f"{label}: the file has no column “{c}”." for c in source.columns()
                     if c not in known]
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


_KEY_WORDS = ["invoicenumber", "invoiceno", "invoicenr", "invoiceid", "invoice", "orderid",
              "ordernumber", "orderno", "order", "reference", "referenceno", "ref", "refno",
              "document", "documentno", "documentnumber", "docno", "rechnungsnummer",
              "rechnungsnr", "rechnung", "belegnummer", "belegnr", "numerofacture",
              "nfacture", "nodefacture", "facture", "numerodefacture", "factura",
              "numerofactura", "nfactura", "referencia", "key", "recordkey"]
_ACCOUNT_WORDS = ["customerid", "customer", "customerno", "customernumber", "accountid",
                  "account", "accountno", "accountnumber", "client", "clientid", "debtor",
                  "debtorid", "kunde", "kundennummer", "kundennr", "kundenid", "debitor",
                  "compte", "idclient", "cliente", "idcliente", "numerocliente", "cuenta"]
_QUANTITY_WORDS = ["quantity", "qty", "units", "bits", "count", "menge", "anzahl", "stuck",
                   "quantite", "cantidad", "unidades"]
_AMOUNT_WORDS = ["amount", "total", "gross", "net", "totalamount", "grossamount", "netamount",
                 "invoiceamount", "betrag", "summe", "gesamt", "brutto", "netto",
                 "rechnungsbetrag", "montant", "montantttc", "montantht", "totalttc",
                 "importe", "monto", "importetotal"]
_YES = {"yes", "no", "true", "false", "y", "n", "ja", "nein", "oui", "non", "si", "sí", "x"}


def _find(norms: list[str], words: list[str], taken: set[int]) -> int | None:
    for word in words:
        for i, norm in enumerate(norms):
            if i not in taken and norm == word:
                return i
    return None


_DATE_WORDS = ("date", "datum", "fecha", "day", "tag", "jour", "dia")


def _serial(text: str) -> bool:
    return text.isdigit() and 20_000 <= int(text) <= 80_000  # Excel days 1954–2119


def detect_type(values: Sequence[str], name: str = "") -> MetadataType:
    """A metadata type from sample values (and the column name): number, date, yes/no, text.

    Args:
        values: Some cells of the column.
        name: The column name; a date-like name lets Excel day numbers count as dates.
    """
    cells = [v.strip() for v in values if v.strip()]
    if not cells:
        return MetadataType.TEXT
    if all(c.casefold() in _YES for c in cells) and any(len(c) > 1 for c in cells):
        return MetadataType.YESNO
    dated = any(w in normalize_header(name) for w in _DATE_WORDS)
    if all(looks_like_date(c) or (dated and _serial(c)) for c in cells) and (
            dated or any(looks_like_date(c) for c in cells)):
        return MetadataType.DATE
    leading_zero = any(len(c) > 1 and c[0] == "0" and c[1].isdigit() for c in cells)
    if not leading_zero and all(looks_numeric(c) for c in cells):
        return MetadataType.NUMBER
    return MetadataType.TEXT


def auto_map(headers: Sequence[str], sample_columns: Sequence[Sequence[str]]) -> Mapping:
    """Guess a mapping from header names (English, German, French, Spanish) and sample values.

    Quantity-like columns give bits with factor 1; without one, an amount column gives bits
    with factor 100 (cents). Every other column becomes metadata under its own name, typed
    from its values.

    Args:
        headers: Column names.
        sample_columns: Some values of each column, in the order of `headers`.
    """
    norms = [normalize_header(h) for h in headers]
    taken: set[int] = set()

    def pick(words: list[str]) -> int | None:
        index = _find(norms, words, taken)
        if index is not None:
            taken.add(index)
        return index

    key, account, bits = pick(_KEY_WORDS), pick(_ACCOUNT_WORDS), pick(_QUANTITY_WORDS)
    amount = AmountRule(1)
    if bits is None:
        bits = pick(_AMOUNT_WORDS)
        if bits is not None:
            amount = AmountRule(100)

    def source(index: int | None) -> FieldSource | None:
        return None if index is None else FieldSource.column(headers[index])

    metadata = []
    for i, name in enumerate(headers):
        if i in taken:
            continue
        values = sample_columns[i] if i < len(sample_columns) else []
        metadata.append(MetadataColumn(name, name, detect_type(values, name)))
    return Mapping(source(key), source(account), source(bits), amount, tuple(metadata))
