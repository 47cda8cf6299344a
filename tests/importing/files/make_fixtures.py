"""Write the fixture files of the importing tests as exact bytes.

Run `python tests/importing/files/make_fixtures.py` after changing a fixture; a test checks
that the files on disk are what this script writes.
"""

from __future__ import annotations

import codecs
from pathlib import Path

HERE = Path(__file__).parent

INVOICES = [
    ["Invoice No", "Customer", "Amount", "Date", "Note"],
    ["INV-001", "ACME", "1,234.50", "2025-03-01", "first"],
    ["INV-002", "Globex", "99.99", "2025-03-02", "second"],
    ["INV-003", "ACME", "0.01", "2025-03-03", "third"],
]


def _lines(rows: list[list[str]], sep: str, eol: str = "\r\n") -> str:
    return "".join(sep.join(row) + eol for row in rows)


def fixtures() -> dict[str, bytes]:
    """Every fixture file by name."""
    files: dict[str, bytes] = {}
    text = ("Invoice No,Customer,Amount,Date,Note\r\n"
            "INV-001,ACME,\"$1,234.50\",2025-03-01,café\r\n"
            "INV-002,Globex,$99.99,2025-03-02,naïve\r\n"
            "INV-003,ACME,$0.01,2025-03-03,\r\n")
    files["utf8_bom.csv"] = codecs.BOM_UTF8 + text.encode("utf-8")
    files["utf8_plain.csv"] = text.encode("utf-8")
    tab = _lines(INVOICES, "\t")
    files["utf16le_bom.txt"] = codecs.BOM_UTF16_LE + tab.encode("utf-16-le")
    files["utf16be_bom.csv"] = codecs.BOM_UTF16_BE + _lines(INVOICES, ";").encode("utf-16-be")
    files["utf16le_nobom.csv"] = _lines(INVOICES, ";").encode("utf-16-le")
    files["cp1252_semicolon.csv"] = (
        "Rechnungen März 2025\r\n"
        "\r\n"
        "Rechnungsnummer;Kunde;Betrag;Datum;Bemerkung\r\n"
        "R-100;Café Müller;1.234,56 €;01.03.2025;schön\r\n"
        "R-101;Bäckerei;12,50 €;13.03.2025;€ bezahlt\r\n"
        "R-102;Café Müller;-250,00 €;1.3.2025;Gutschrift\r\n").encode("cp1252")
    files["latin1.csv"] = ("Invoice,Customer,Qty\r\nA-1,Ren\x81e,3\r\nA-2,Zoë,4\r\n"
                           ).encode("latin-1")
    files["multiline.csv"] = (
        b"Invoice,Customer,Qty,Comment\n"
        b"M-1,ACME,1,\"line one\nline two\nline three\"\n"
        b"M-2,ACME,2,plain\n"
        b"M-3,\"Globex\nInc\",3,\"say \"\"hi\"\"\"\n")
    files["negatives.csv"] = (
        "Reference,Client,Total\n"
        "N-1,ACME,(250.00)\n"
        "N-2,ACME,12.00-\n"
        "N-3,ACME,-5.10\n"
        "N-4,ACME,EUR 12.00\n"
        "N-5,ACME,12.00 USD\n"
        "N-6,ACME,£7.25\n").encode()
    files["invoices.tsv"] = _lines(INVOICES, "\t", "\n").encode("utf-8")
    files["pipe.txt"] = _lines(INVOICES, "|", "\n").encode("utf-8")
    files["ragged.csv"] = (b"Invoice,Customer,Qty,Note\n"
                           b"G-1,ACME,1,ok\n"
                           b"G-2,ACME,2\n"
                           b"G-3,ACME,3,x,extra,more\n"
                           b"G-4,ACME,4,ok,,\n")
    files["unclosed_quote.csv"] = (b"Invoice,Customer,Qty,Note\n"
                                   b"U-1,ACME,1,ok\n"
                                   b"U-2,ACME,2,\"never closed\n"
                                   b"U-3,ACME,3,lost\n"
                                   b"U-4,ACME,4,lost\n")
    files["nul_bytes.csv"] = b"Invoice,Customer,Qty\nZ-1,AC\x00ME,1\nZ-2,ACME,2\n"
    files["dates_ambiguous.csv"] = (b"Invoice,Customer,Qty,Date\n"
                                    b"D-1,ACME,1,03/04/2025\n"
                                    b"D-2,ACME,2,05/06/2025\n"
                                    b"D-3,ACME,3,07/07/2025\n")
    files["dates_mdy.csv"] = (b"Invoice,Customer,Qty,Date\n"
                              b"D-1,ACME,1,03/04/2025\n"
                              b"D-2,ACME,2,12/31/2025\n"
                              b"D-3,ACME,3,45717\n")
    return files


def main() -> None:
    """Write the fixtures next to this script."""
    for name, data in fixtures().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
