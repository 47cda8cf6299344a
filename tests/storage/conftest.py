"""The history's contract runs on both backends: every test that takes `store` runs twice,
on a local SQLite file and on a team's PostgreSQL database (a private cluster, tests/pg_cluster)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pacspace_desktop.storage.history import HistoryStore


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which backend the test's history is on."""
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest
          ) -> Iterator[HistoryStore]:
    """A history on the test's backend: a real SQLite file, or a fresh team database."""
    if backend == "sqlite":
        s = HistoryStore.open(tmp_path / "history.sqlite3")
    else:
        from pacspace_desktop.storage.team import open_team
        from tests.pg_cluster import CLERK_PASSWORD

        url = request.getfixturevalue("team_url")
        s = open_team(url, CLERK_PASSWORD)
    try:
        yield s
    finally:
        s.close()
