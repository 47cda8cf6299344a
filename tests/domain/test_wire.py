"""The fast item writer gives the reference writer's text to the character, and splits as the
reference splitter does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.batching import split_into_requests
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import Limits
from pacspace_desktop.domain.validation import request_body
from pacspace_desktop.domain.wire import body_of, item_text, split_texts, texts_of

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
scalar = st.one_of(text, st.integers(-10**30, 10**30), st.booleans(), st.none(),
                   st.decimals(allow_nan=False, allow_infinity=False, places=2,
                               min_value=-10**12, max_value=10**12),
                   st.floats(allow_nan=False, allow_infinity=False))
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(text, inner, max_size=3), max_leaves=6)
items = st.builds(WriteItem, text, text, st.integers(-10**9, 10**9),
                  st.one_of(st.none(), st.dictionaries(text, value, max_size=5)))


@settings(max_examples=400, deadline=None)
@given(items)
def test_an_item_is_written_as_the_reference_writes_it(item: WriteItem) -> None:
    got = item_text(item)
    assert got.text == jsonwire.dumps(item.to_wire())
    assert got.size == len(got.text.encode("utf-8"))
    if item.metadata is None:
        assert got.metadata is None
    else:
        assert got.metadata == jsonwire.dumps(dict(item.metadata))


@settings(max_examples=150, deadline=None)
@given(st.lists(items, max_size=40), st.integers(1, 10), st.integers(60, 400))
def test_bodies_and_requests_match_the_reference(batch: list[WriteItem], size: int,
                                                 max_bytes: int) -> None:
    limits = Limits(max_items=10, max_body_bytes=max_bytes)
    texts = texts_of(batch)
    spans = split_texts(texts, size, limits)
    reference = split_into_requests(batch, size, limits)
    assert [batch[a:b] for a, b in spans] == reference
    for (a, b), req in zip(spans, reference, strict=True):
        assert body_of(texts[a:b]) == request_body(req)


def test_the_reference_errors_stay() -> None:
    with pytest.raises(jsonwire.NotJsonError, match="lone"):
        item_text(WriteItem("a\ud800", "b", 1))
    with pytest.raises(jsonwire.NotJsonError):
        item_text(WriteItem("a", "b", 1, {"x": Decimal("NaN")}))
    with pytest.raises(jsonwire.JsonLimitError):
        item_text(WriteItem("a", "b", 10**400))
    assert item_text(WriteItem("a", "b", 1, {"amount": Decimal("250.00")})).text == \
        '{"key":"a","accountId":"b","bits":1,"metadata":{"amount":250.00}}'
