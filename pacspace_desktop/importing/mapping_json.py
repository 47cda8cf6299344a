"""A mapping as JSON (version 2; version 1 files still load): see docs/importing.md."""

from __future__ import annotations

from typing import Any

from pacspace_desktop.importing.dates import DateOrder
from pacspace_desktop.importing.mapping import (
    AmountRule,
    FieldSource,
    FileSettings,
    Mapping,
    MappingError,
    MetadataColumn,
    MetadataType,
    RepeatPolicy,
    SignKind,
    SignRule,
    SourceKind,
)
from pacspace_desktop.importing.numbers import DecimalSeparator

MAPPING_FORMAT = "pacspace-import-mapping"
VERSION = 2
VERSIONS = (1, 2)


class MappingFileError(ValueError):
    """A mapping file cannot be read; the message says why."""


def _source_json(source: FieldSource | None) -> dict[str, str] | None:
    return None if source is None else {source.kind.value: source.value}


def _file_json(settings: FileSettings) -> dict[str, Any]:
    return {"headerLine": settings.header_line, "skipLines": settings.skip_lines,
            "encoding": settings.encoding, "delimiter": settings.delimiter,
            "sheet": settings.sheet}


def _sign_json(sign: SignRule) -> dict[str, Any] | None:
    if sign.kind is SignKind.MARKER:
        return {"column": sign.column, "positive": list(sign.positive),
                "negative": list(sign.negative)}
    if sign.kind is SignKind.TWO_COLUMNS:
        return {"subtractColumn": sign.column}
    return None


def _meta_json(m: MetadataColumn) -> dict[str, Any]:
    entry: dict[str, Any] = {"column": m.column, "name": m.name, "type": m.type.value,
                             "dateOrder": m.date_order.value,
                             "decimalSeparator": m.decimal_separator.value}
    if m.date_format:
        entry["dateFormat"] = m.date_format
    if m.default:
        entry["default"] = m.default
    return entry


def mapping_to_json(mapping: Mapping) -> dict[str, Any]:
    """The mapping as a JSON object (version 2; see docs/importing.md for the format)."""
    return {
        "format": MAPPING_FORMAT, "version": VERSION,
        "file": _file_json(mapping.file),
        "key": _source_json(mapping.key),
        "accountId": _source_json(mapping.account_id),
        "bits": _source_json(mapping.bits),
        "amount": {"factor": mapping.amount.factor,
                   "decimalSeparator": mapping.amount.decimal_separator.value},
        "sign": _sign_json(mapping.sign),
        "repeatedKeys": mapping.repeats.value,
        "trimApostrophes": mapping.trim_apostrophes,
        "defaults": {"bits": mapping.bits_default} if mapping.bits_default else {},
        "metadata": [_meta_json(m) for m in mapping.metadata],
    }


def _source(data: object, label: str) -> FieldSource | None:
    if data is None:
        return None
    if not isinstance(data, dict) or len(data) != 1:
        raise MappingFileError(f"“{label}” must be {{\"column\": …}}, {{\"constant\": …}} or "
                               "{\"template\": …}.")
    (kind, value), = data.items()
    if kind not in {k.value for k in SourceKind} or not isinstance(value, str):
        raise MappingFileError(f"“{label}” must name a column, a constant or a template.")
    return FieldSource(SourceKind(kind), value)


def _enum(cls: Any, value: object, label: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(e.value for e in cls)
        raise MappingFileError(f"“{label}” must be one of {allowed}, not {value!r}.") from None


def _text(data: dict[str, Any], name: str, label: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise MappingFileError(f"“{label}.{name}” must be text.")
    return value


def _whole(data: dict[str, Any], name: str, label: str, default: int | None) -> int | None:
    value = data.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MappingFileError(f"“{label}.{name}” must be a whole number, 0 or more.")
    return value


def _file(data: object) -> FileSettings:
    if data is None:
        return FileSettings()
    if not isinstance(data, dict):
        raise MappingFileError("“file” must be an object (headerLine, skipLines, encoding, "
                               "delimiter, sheet).")
    return FileSettings(_whole(data, "headerLine", "file", None),
                        _whole(data, "skipLines", "file", 0) or 0,
                        _text(data, "encoding", "file"), _text(data, "delimiter", "file"),
                        _text(data, "sheet", "file"))


def _markers(data: dict[str, Any], name: str) -> tuple[str, ...]:
    value = data.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MappingFileError(f"“sign.{name}” must be a list of texts, like [\"H\"].")
    return tuple(value)


def _sign(data: object) -> SignRule:
    if data is None:
        return SignRule()
    if not isinstance(data, dict):
        raise MappingFileError("“sign” must be an object or null.")
    if "subtractColumn" in data:
        return SignRule.two_columns(_text(data, "subtractColumn", "sign") or "")
    column = _text(data, "column", "sign")
    if not column:
        raise MappingFileError("“sign” must name a “column” (debit/credit markers) or a "
                               "“subtractColumn” (credits in their own column).")
    positive, negative = _markers(data, "positive"), _markers(data, "negative")
    if not positive or not negative:
        raise MappingFileError("“sign” needs “positive” and “negative” markers, like "
                               "[\"S\"] and [\"H\"].")
    return SignRule.marker(column, positive, negative)


def _metadata(raw_meta: object) -> tuple[MetadataColumn, ...]:
    if not isinstance(raw_meta, list):
        raise MappingFileError("“metadata” must be a list.")
    metadata = []
    for i, m in enumerate(raw_meta, start=1):
        if not isinstance(m, dict) or not isinstance(m.get("column"), str):
            raise MappingFileError(f"Metadata entry {i} must name a column.")
        name = m.get("name", m["column"])
        if not isinstance(name, str):
            raise MappingFileError(f"Metadata entry {i}: the name must be text.")
        metadata.append(MetadataColumn(
            m["column"], name, _enum(MetadataType, m.get("type", "text"), "metadata.type"),
            _enum(DateOrder, m.get("dateOrder", "auto"), "metadata.dateOrder"),
            _enum(DecimalSeparator, m.get("decimalSeparator", "auto"),
                  "metadata.decimalSeparator"),
            _text(m, "default", "metadata") or "", _text(m, "dateFormat", "metadata") or ""))
    return tuple(metadata)


def mapping_from_json(data: object) -> Mapping:
    """Read a mapping written by `mapping_to_json` (version 1 or 2).

    Raises:
        MappingFileError: when the object is not a mapping of a known version.
    """
    if not isinstance(data, dict) or data.get("format") != MAPPING_FORMAT:
        raise MappingFileError(f"This is not a column mapping (format “{MAPPING_FORMAT}”).")
    version = data.get("version")
    if version not in VERSIONS:
        raise MappingFileError(f"Mapping version {version!r} is not supported (this app reads "
                               f"versions {', '.join(map(str, VERSIONS))}).")
    amount = data.get("amount") or {}
    if not isinstance(amount, dict):
        raise MappingFileError("“amount” must be an object with factor and decimalSeparator.")
    factor = amount.get("factor", 1)
    if not isinstance(factor, int) or isinstance(factor, bool):
        raise MappingFileError("“amount.factor” must be 1, 10, 100, …")
    try:
        rule = AmountRule(factor, _enum(DecimalSeparator, amount.get("decimalSeparator", "auto"),
                                        "amount.decimalSeparator"))
    except MappingError as exc:
        raise MappingFileError(str(exc)) from exc
    trim = data.get("trimApostrophes", version >= 2)
    if not isinstance(trim, bool):
        raise MappingFileError("“trimApostrophes” must be true or false.")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict) or set(defaults) - {"bits"}:
        raise MappingFileError("“defaults” may only hold “bits” (the amount of a line whose "
                               "amount cell is empty), like {\"bits\": \"0\"}.")
    bits_default = _text(defaults, "bits", "defaults") or ""
    return Mapping(_source(data.get("key"), "key"), _source(data.get("accountId"), "accountId"),
                   _source(data.get("bits"), "bits"), rule, _metadata(data.get("metadata") or []),
                   _sign(data.get("sign")),
                   _enum(RepeatPolicy, data.get("repeatedKeys", "hold"), "repeatedKeys"),
                   _file(data.get("file")), trim, bits_default)
