from __future__ import annotations

import pytest

from pacspace_desktop.domain.apikey import ApiKey, Environment, key_shape_problem, mask_key

LIVE = "pk_live_abcdef.sk_secretsecret"


def test_key_never_shows_in_full() -> None:
    key = ApiKey(LIVE)
    for text in (repr(key), str(key), f"{key}", repr([key])):
        assert "secret" not in text and "abcdef" not in text
    assert key.masked == "pk_live_abc…•••"
    assert key.reveal() == LIVE
    assert key.environment is Environment.LIVE


@pytest.mark.parametrize(("text", "problem"), [
    ("", "Paste"), (" " + LIVE, "space"), ("pk_live_ab cd.ef", "space"),
    ("sk_live_ab.cd", "start with"), ("pk_live_abcdef", "cut off"), (LIVE, None),
    ("pk_test_x.y", None),
])
def test_shape(text: str, problem: str | None) -> None:
    found = key_shape_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_mask_of_odd_text() -> None:
    assert mask_key("whatever") == "•••"
    assert mask_key("") == ""


def test_transport_words_drop_exception_names_of_old_histories() -> None:
    from pacspace_desktop.domain.redact import transport_words

    assert transport_words("ReadTimeout: timed out") == "Timed out"
    assert transport_words("httpx.RemoteProtocolError: Server disconnected") == \
        "Server disconnected"
    assert transport_words("ConnectTimeout") == "No details were recorded."
    assert transport_words("127.0.0.1:9 refused the connection.") == \
        "127.0.0.1:9 refused the connection."
