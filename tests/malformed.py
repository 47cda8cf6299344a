"""Malformed inputs, one maker per class, and a seeded generator of many of them.

Each class is one way a file went wrong in the fuzzing of issue 14 (a traceback, a hang, or
work out of proportion). The tests use the makers as fixtures and the generator for the fuzz
test; `bench/malformed_bench.py` times the worst ones.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from functools import cache

ITEMS_JSON = ('[{"key": "inv-1", "accountId": "acme", "bits": 3, '
              '"metadata": {"amount": 250.00, "currency": "USD"}}]')
CSV_HEADER = "Invoice,Customer,Qty\n"
SHEET = "xl/worksheets/sheet1.xml"


@cache
def good_workbook() -> bytes:
    """A small valid workbook: header and two rows, strings in the shared-strings table."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(["Invoice", "Customer", "Qty"])
    ws.append(["A-1", "ACME", 3])
    ws.append(["A-2", "Globex", 4])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(change: Callable[[str, bytes], bytes | None], base: bytes | None = None) -> bytes:
    """The workbook with each part passed through `change` (None drops the part)."""
    src = zipfile.ZipFile(io.BytesIO(base or good_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data)
    return out.getvalue()


def _part(name: str, edit: Callable[[bytes], bytes]) -> bytes:
    return rezip(lambda n, b: edit(b) if n == name else b)


# --- XLSX ------------------------------------------------------------------------------------

def damaged_workbook_xml() -> bytes:
    """xl/workbook.xml cut in half (openpyxl: ParseError)."""
    return _part("xl/workbook.xml", lambda b: b[: len(b) // 2])


def damaged_sheet_xml() -> bytes:
    """The sheet's XML cut in half (ParseError while reading rows)."""
    return _part(SHEET, lambda b: b[: len(b) // 2])


def damaged_styles_xml() -> bytes:
    """xl/styles.xml cut in half (ParseError while opening)."""
    return _part("xl/styles.xml", lambda b: b[: len(b) // 2])


def zero_sheets() -> bytes:
    """A workbook that lists no sheet (was: IndexError at names[0])."""
    return _part("xl/workbook.xml", lambda b: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", b))


def bad_shared_string(index: bytes = b"99") -> bytes:
    """A cell pointing at a shared string that does not exist (IndexError / ValueError)."""
    cell = re.compile(rb'<c r="A2"[^>]*>.*?</c>')
    return _part(SHEET, lambda b: cell.sub(b'<c r="A2" t="s"><v>' + index + b"</v></c>", b))


def far_cell() -> bytes:
    """A cell in column XFD (16,384) of row 2: that row would be 16,384 cells wide."""
    row2 = re.compile(rb'(<row r="2"[^>]*>.*?)</row>')
    return _part(SHEET, lambda b: row2.sub(rb'\1<c r="XFD2" t="n"><v>1</v></c></row>', b))


def far_header_cell() -> bytes:
    """A stray cell in column XFD of the header row: the header would be 16,384 cells wide."""
    row1 = re.compile(rb'(<row r="1"[^>]*>.*?)</row>')
    return _part(SHEET, lambda b: row1.sub(rb'\1<c r="XFD1" t="n"><v>1</v></c></row>', b))


def huge_dimension() -> bytes:
    """A sheet that claims A1:XFD1048576 while holding three rows."""
    return _part(SHEET, lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension '
                                         b'ref="A1:XFD1048576"', b))


def zip_bomb() -> bytes:
    """A few KB that unpack to 64 MB of sheet XML (work out of proportion to the input)."""
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(good_workbook()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == SHEET:
                with dst.open(SHEET, "w", force_zip64=True) as fh:
                    block = b" " * (1 << 20)
                    for _ in range(64):
                        fh.write(block)
            else:
                dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def long_cell_workbook() -> bytes:
    """A cell of 200,000 characters (past the cell-size limit)."""
    cell = re.compile(rb'<c r="B2"[^>]*>.*?</c>')
    text = b"x" * 200_000
    return _part(SHEET, lambda b: cell.sub(b'<c r="B2" t="inlineStr"><is><t>' + text +
                                           b"</t></is></c>", b))


XLSX_CLASSES: dict[str, Callable[[], bytes]] = {
    "damaged_workbook_xml": damaged_workbook_xml,
    "damaged_sheet_xml": damaged_sheet_xml,
    "damaged_styles_xml": damaged_styles_xml,
    "zero_sheets": zero_sheets,
    "bad_shared_string": bad_shared_string,
    "bad_shared_string_text": lambda: bad_shared_string(b"abc"),
    "far_cell": far_cell,
    "far_header_cell": far_header_cell,
    "huge_dimension": huge_dimension,
    "zip_bomb": zip_bomb,
    "long_cell": long_cell_workbook,
}

# --- CSV -------------------------------------------------------------------------------------


def wide_csv(columns: int = 16_384) -> bytes:
    """A header of 16,384 names (was: minutes of work for a 130 KB file)."""
    names = [f"col {i}" for i in range(columns)]
    return (",".join(["Invoice", "Customer", "Qty", *names[3:]]) + "\n"
            + "A-1,ACME,1" + "," * (columns - 3) + "\n").encode()


def empty_lines_csv(lines: int = 1_000_000) -> bytes:
    """A header and a million empty lines."""
    return (CSV_HEADER + "\n" * lines).encode()


def one_long_line_csv(size: int = 5_000_000) -> bytes:
    """A header and one 5 MB line."""
    return (CSV_HEADER + "x" * size + "\n").encode()


def exponent_csv(exponent: str = "1e999999999") -> bytes:
    """An amount written with a huge exponent."""
    return f"Invoice,Customer,Amount\nA-1,ACME,{exponent}\n".encode()


def long_amount_csv(digits: int = 5_000) -> bytes:
    """An amount of 5,000 digits (Python refuses integers past 4,300 digits)."""
    return ("Invoice,Customer,Amount\nA-1,ACME," + "9" * digits + "\n").encode()


CSV_CLASSES: dict[str, Callable[[], bytes]] = {
    "wide": wide_csv,
    "empty_lines": empty_lines_csv,
    "one_long_line": one_long_line_csv,
    "exponent": exponent_csv,
    "huge_exponent": lambda: exponent_csv("1e99999999999"),
    "long_amount": long_amount_csv,
}

# --- JSON ------------------------------------------------------------------------------------


def deep_json(depth: int = 1_000) -> bytes:
    """Lists nested 1,000 deep (was: RecursionError)."""
    return ("[" * depth + "]" * depth).encode()


def deep_metadata_json(depth: int = 980) -> bytes:
    """Metadata nested 980 deep."""
    return ('[{"key":"k","accountId":"a","bits":1,"metadata":' + '{"a":' * depth + "1"
            + "}" * depth + "}]").encode()


def surrogate_json(where: str = "key") -> bytes:
    """A lone surrogate escape, `\\ud800` (was: UnicodeEncodeError)."""
    item = {"key": '"k"', "accountId": '"a"', "bits": "1", "metadata": '{"n": "x"}'}
    item[where] = '"\\ud800"' if where != "metadata" else '{"n": "\\udc00"}'
    return ("[{" + ",".join(f'"{k}": {v}' for k, v in item.items()) + "}]").encode()


def long_number_json(digits: int = 5_000, where: str = "bits") -> bytes:
    """A number of 5,000 digits."""
    number = "9" * digits
    if where == "bits":
        return ('[{"key":"k","accountId":"a","bits":' + number + "}]").encode()
    return ('[{"key":"k","accountId":"a","bits":1,"metadata":{"amount":' + number
            + "}}]").encode()


def exponent_json(exponent: str = "1e999999999") -> bytes:
    """`bits` with a huge exponent (was: 10-17 s and 2 GB, or MemoryError)."""
    return ('[{"key":"k","accountId":"a","bits":' + exponent + "}]").encode()


JSON_CLASSES: dict[str, Callable[[], bytes]] = {
    "deep": deep_json,
    "deep_metadata": deep_metadata_json,
    "surrogate_key": lambda: surrogate_json("key"),
    "surrogate_account": lambda: surrogate_json("accountId"),
    "surrogate_metadata": lambda: surrogate_json("metadata"),
    "long_bits": long_number_json,
    "long_metadata_number": lambda: long_number_json(where="metadata"),
    "exponent": exponent_json,
    "huge_exponent": lambda: exponent_json("1e99999999999"),
    "exponent_in_metadata": lambda: (b'[{"key":"k","accountId":"a","bits":1,'
                                     b'"metadata":{"x":1e999999999}}]'),
}

# --- the seeded generator ----------------------------------------------------------------------

_JSON_ATOMS = ["[", "]", "{", "}", ",", ":", '"k"', '"\\ud800"', '"\\udfff\\ud800"', "1e999",
               "1e-999", "-0", "9" * 400, "1." + "0" * 300, "NaN", "true", "null", '"key"',
               '"bits"', '"metadata"', "\\", '"', "\x00", "\ufeff"]
_CSV_ATOMS = ["INV-1", "ACME", "1e999999999", "9" * 60, "1,5", '"', "\n", "\r", ",", ";",
              "\t", "\x00", "\udcff", "€", "(2.00)", "", "Amount", "Qty", "Customer",
              "Invoice", "-", "1.000.000,00", "0x1F", "١٢٣"]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            del buf[pos: pos + rng.randint(1, 16)]
        elif op == 1:
            buf[pos:pos] = rng.randbytes(rng.randint(1, 8))
        elif op == 2 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        else:
            buf = buf[:pos]
    return bytes(buf)


def _json_input(rng: random.Random) -> bytes:
    kind = rng.randrange(3)
    if kind == 0:
        return "".join(rng.choice(_JSON_ATOMS) for _ in range(rng.randint(1, 40))).encode(
            "utf-8", "surrogatepass")
    if kind == 1:
        depth = rng.choice([10, 63, 64, 65, 500, 977, 1200])
        opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
        return ('[{"key":"k","accountId":"a","bits":1,"metadata":{"m":' + opener * depth
                + "1" + closer * depth + "}}]").encode()
    return _mutate(ITEMS_JSON.encode(), rng)


def _csv_input(rng: random.Random) -> bytes:
    kind = rng.randrange(3)
    if kind == 0:
        lines = [",".join(rng.choice(_CSV_ATOMS) for _ in range(rng.randint(0, 6)))
                 for _ in range(rng.randint(0, 12))]
        return (CSV_HEADER + "\n".join(lines)).encode("utf-8", "surrogateescape")
    if kind == 1:
        width = rng.choice([3, 1_023, 1_024, 1_025, 5_000])
        return (",".join(f"c {i}" for i in range(width)) + "\n" + ",".join(
            rng.choice(_CSV_ATOMS[:6]) for _ in range(width)) + "\n").encode(
            "utf-8", "surrogateescape")
    return _mutate((CSV_HEADER + "A-1,ACME,3\nA-2,Globex,4\n").encode(), rng)


def _xlsx_input(rng: random.Random) -> bytes:
    kind = rng.randrange(3)
    if kind == 0:
        return _mutate(good_workbook(), rng)
    names = zipfile.ZipFile(io.BytesIO(good_workbook())).namelist()
    target = rng.choice(names)
    if kind == 1:
        return rezip(lambda n, b: _mutate(b, rng) if n == target else b)
    return rezip(lambda n, b: None if n == target else b)


def generate(count: int, seed: int = 14) -> Iterator[tuple[str, bytes]]:
    """`count` malformed inputs as (suffix, bytes), the same ones for the same seed."""
    rng = random.Random(seed)
    makers = [(".json", _json_input), (".csv", _csv_input), (".xlsx", _xlsx_input)]
    for n in range(count):
        suffix, make = makers[n % 3]
        yield suffix, make(rng)
