"""The one connection interface the storage layer is written against, met by both backends.

`sqlite3.Connection` (the local history, the default) meets it as it is; `pg.PgConnection`
(a team's shared history on PostgreSQL) meets it by speaking the same SQL. Every store and
query helper of this package takes a `Db`, so one code path serves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol


class Rows(Protocol):
    """What a statement gives back (the part of `sqlite3.Cursor` the stores use)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """A history connection (the part of `sqlite3.Connection` the stores use)."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Any = ..., /) -> Rows: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Rows: ...

    def close(self) -> None: ...
