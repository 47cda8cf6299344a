"""A date typed with day and month in either order is taken when it cannot be misread."""

from __future__ import annotations

import pytest

from pacspace_desktop.domain.metadata import parse_date


@pytest.mark.parametrize(("typed", "iso"), [("2025-03-31", "2025-03-31"),
                                            ("15/03/2025", "2025-03-15"),
                                            ("31.03.2025", "2025-03-31"),
                                            ("03/15/2025", "2025-03-15"),
                                            ("7-7-2025", "2025-07-07")])
def test_unambiguous_dates_are_taken(typed: str, iso: str) -> None:
    assert parse_date(typed) == iso


def test_an_ambiguous_date_is_never_guessed() -> None:
    with pytest.raises(ValueError, match="could be 3 April or 4 March 2025"):
        parse_date("03/04/2025")


def test_not_a_date() -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date("31/31/2025")
