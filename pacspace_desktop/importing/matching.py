"""Matching a file's column names to the fields (`auto_map`), with ranked suggestions.

Names are compared case-, accent-, space- and punctuation-insensitively, so the decorations
real exports add do not matter: `*InvoiceNo` (QuickBooks' and Xero's "required" star),
`InvoiceNumber` and `Invoice number`, `Lineitem quantity`. German, French and Spanish
accounting names are known too (`Belegfeld 1`, `Umsatz`, `Konto`, `Montant`, `Importe`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pacspace_desktop.importing.dates import looks_like_date
from pacspace_desktop.importing.mapping import (
    AmountRule,
    FieldSource,
    Mapping,
    MetadataColumn,
    MetadataType,
    normalize_header,
)
from pacspace_desktop.importing.numbers import looks_numeric

KEY_WORDS = ["invoicenumber", "invoiceno", "invoicenr", "invoiceid", "invoice", "orderid",
             "ordernumber", "orderno", "order", "reference", "referenceno", "ref", "refno",
             "document", "documentno", "documentnumber", "docno", "rechnungsnummer",
             "rechnungsnr", "rechnung", "belegnummer", "belegnr", "belegfeld1", "beleg",
             "numerofacture", "nfacture", "nodefacture", "facture", "numerodefacture",
             "numeropiece", "piece", "factura", "numerofactura", "nfactura", "referencia",
             "numerodocumento", "key", "recordkey", "transactionid", "id"]
ACCOUNT_WORDS = ["customerid", "customer", "customerno", "customernumber", "customername",
                 "contactname", "contact", "accountid", "account", "accountno",
                 "accountnumber", "accountreference", "client", "clientid", "debtor",
                 "debtorid", "kunde", "kundennummer", "kundennr", "kundenid", "debitor",
                 "konto", "kontonummer", "compte", "numerocompte", "idclient", "cliente",
                 "idcliente", "numerocliente", "cuenta", "geschaftspartner", "partner",
                 "billingname", "email"]
QUANTITY_WORDS = ["quantity", "qty", "units", "bits", "count", "menge", "anzahl", "stuck",
                  "quantite", "cantidad", "unidades"]
AMOUNT_WORDS = ["amount", "total", "gross", "net", "totalamount", "grossamount", "netamount",
                "invoiceamount", "lineamount", "itemamount", "netamountlcy", "betrag", "umsatz",
                "umsatzohnesollhabenkz", "summe", "gesamt", "brutto", "netto",
                "rechnungsbetrag", "montant", "montantttc", "montantht", "totalttc",
                "importe", "monto", "importetotal", "wert", "betragbrutto"]
_FIELD_WORDS = {"key": KEY_WORDS, "accountId": ACCOUNT_WORDS, "quantity": QUANTITY_WORDS,
                "amount": AMOUNT_WORDS}
LEAN_WORDS = {"amount": [*AMOUNT_WORDS[:9], "betrag", "umsatz", "montant", "importe"],
              "currency": ["currency", "currencycode", "waehrung", "wahrung", "wkzumsatz",
                           "devise", "moneda", "curr", "ccy"],
              "date": ["date", "invoicedate", "orderdate", "createdat", "createdutc",
                       "belegdatum", "datum", "rechnungsdatum", "datefacture", "fecha",
                       "transactiondate", "bookingdate", "buchungsdatum"],
              "description": ["description", "itemdescription", "details", "memo",
                              "buchungstext", "text", "libelle", "descripcion", "concepto",
                              "lineitemname", "narrative"],
              "invoice": ["invoicenumber", "invoiceno", "invoiceid", "rechnungsnummer",
                          "belegfeld1", "numerofacture", "numerofactura", "invoice"]}
_YES = {"yes", "no", "true", "false", "y", "n", "ja", "nein", "oui", "non", "si", "sí", "x"}
_DATE_WORDS = ("date", "datum", "fecha", "day", "tag", "jour", "dia")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A column that may feed a field, with how sure the match is and why.

    Attributes:
        column: The column name as in the file.
        score: 100 for a known name, less for a partial one; ranked highest first.
        reason: Plain words: "the name is “Invoice number”", "the name contains “quantity”".
        samples: Some values of the column, to look at.
    """

    column: str
    score: int
    reason: str
    samples: tuple[str, ...] = ()


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


def _name_score(norm: str, words: list[str]) -> tuple[int, str]:
    for rank, word in enumerate(words):
        if norm == word:
            return 100 - min(rank, 20), "the name is known"
    best = (0, "")
    for rank, word in enumerate(words):
        if len(word) >= 4 and word in norm and len(word) * 2 >= len(norm) - 6:
            score = 60 - min(rank, 20) + (5 if norm.endswith(word) else 0)
            if score > best[0]:
                best = (score, f"the name contains “{word}”")
    return best


def _values_fit(wire: str, values: Sequence[str]) -> bool:
    cells = [v.strip() for v in values if v.strip()]
    if not cells:
        return True
    numeric = sum(1 for c in cells if looks_numeric(c))
    if wire in ("quantity", "amount"):
        return numeric * 2 > len(cells)
    if wire == "key":
        return not all(looks_like_date(c) for c in cells)
    return True


def suggest(headers: Sequence[str], sample_columns: Sequence[Sequence[str]],
            wire: str, limit: int = 3) -> list[Suggestion]:
    """The columns most likely to feed `wire` (`key`, `accountId`, `quantity`, `amount`),
    best first, each with the reason and a few sample values."""
    words = _FIELD_WORDS[wire]
    found: list[Suggestion] = []
    for i, name in enumerate(headers):
        score, reason = _name_score(normalize_header(name), words)
        values = sample_columns[i] if i < len(sample_columns) else []
        if not score or not _values_fit(wire, values):
            continue
        if reason == "the name is known":
            reason = f"the name “{name}” is usual for this"
        samples = tuple(dict.fromkeys(v for v in values if v.strip()))[:3]
        found.append(Suggestion(name, score, reason, samples))
    found.sort(key=lambda s: -s.score)
    return found[:limit]


def lean_metadata(headers: Sequence[str], sample_columns: Sequence[Sequence[str]],
                  taken: Sequence[str] = ()) -> tuple[MetadataColumn, ...]:
    """The suggested lean metadata: amount, currency, date, description and invoice number,
    each from the best-named column not already feeding a field."""
    norms = [normalize_header(h) for h in headers]
    used = set(taken)
    chosen: list[MetadataColumn] = []
    for name, words in LEAN_WORDS.items():
        for word in words:
            index = next((i for i, n in enumerate(norms) if n == word
                          and headers[i] not in used), None)
            if index is not None:
                column = headers[index]
                used.add(column)
                values = sample_columns[index] if index < len(sample_columns) else []
                chosen.append(MetadataColumn(column, name, detect_type(values, column)))
                break
    return tuple(chosen)


def auto_map(headers: Sequence[str], sample_columns: Sequence[Sequence[str]]) -> Mapping:
    """Guess a mapping from header names (English, German, French, Spanish) and sample values.

    Quantity-like columns give bits with factor 1; without one, an amount column gives bits
    with factor 100 (cents). Metadata is left empty: PacSpace's advice is to keep it lean, so
    `lean_metadata` only suggests columns for a person to tick.

    Args:
        headers: Column names.
        sample_columns: Some values of each column, in the order of `headers`.
    """
    taken: set[str] = set()

    def pick(wire: str) -> str | None:
        for found in suggest(headers, sample_columns, wire, limit=len(headers)):
            if found.column not in taken:
                taken.add(found.column)
                return found.column
        return None

    key, account, bits = pick("key"), pick("accountId"), pick("quantity")
    amount = AmountRule(1)
    if bits is None:
        bits = pick("amount")
        if bits is not None:
            amount = AmountRule(100)

    def source(column: str | None) -> FieldSource | None:
        return None if column is None else FieldSource.column(column)

    return Mapping(source(key), source(account), source(bits), amount)


_SUGGEST = {"key": ("key",), "accountId": ("accountId",), "bits": ("quantity", "amount")}


def suggest_missing(headers: Sequence[str], sample_columns: Sequence[Sequence[str]],
                    mapping: Mapping) -> dict[str, list[Suggestion]]:
    """For each field of `mapping` without a usable column, the likely columns, best first;
    when no name fits, the columns whose values fit (numbers for bits, text otherwise)."""
    used = {c for src in mapping.sources().values() if src is not None for c in src.columns()}
    out: dict[str, list[Suggestion]] = {}
    for wire, source in mapping.sources().items():
        if source is not None and all(c in headers for c in source.columns()):
            continue
        found: list[Suggestion] = []
        for kind in _SUGGEST[wire]:
            found += suggest(headers, sample_columns, kind)
        out[wire] = found or _by_values(headers, sample_columns, wire, used)
    return out


def _by_values(headers: Sequence[str], sample_columns: Sequence[Sequence[str]], wire: str,
               used: set[str]) -> list[Suggestion]:
    found = []
    for i, name in enumerate(headers):
        values = [v for v in (sample_columns[i] if i < len(sample_columns) else []) if v.strip()]
        if name in used or not values:
            continue
        numeric = sum(1 for v in values if looks_numeric(v)) * 2 > len(values)
        if (wire == "bits") != numeric:
            continue
        reason = ("no name fits; its values are numbers" if numeric else
                  "no name fits; its values are text")
        found.append(Suggestion(name, 10, reason, tuple(dict.fromkeys(values))[:3]))
    return found[:3]


def describe_suggestions(found: dict[str, list[Suggestion]]) -> list[str]:
    """One line per field: "Account ID could be: “Name” (…; e.g. ACME, Globex)"."""
    labels = {"key": "Record key", "accountId": "Account ID", "bits": "Bits"}
    return [f"{labels[wire]} could be: " + "; ".join(
                f"“{s.column}” ({s.reason}; e.g. {', '.join(s.samples) or '—'})"
                for s in items)
            for wire, items in found.items() if items]
