"""Pagination helpers: page arithmetic and opaque cursors."""

from __future__ import annotations

import pytest

from veza.kit.errors import ValidationFailed
from veza.kit.pagination import PageParams, decode_cursor, encode_cursor, page_params, pagination


def test_limit_above_the_cap_is_served_at_the_cap() -> None:
    assert page_params(page=2, limit=500) == PageParams(page=2, limit=100)


def test_pagination_reports_totals_and_neighbours() -> None:
    result = pagination(PageParams(page=2, limit=20), total=45)
    assert (result.total_pages, result.has_next, result.has_prev) == (3, True, True)
    assert PageParams(page=3, limit=20).offset == 40
    empty = pagination(PageParams(page=1, limit=20), total=0)
    assert (empty.total_pages, empty.has_next, empty.has_prev) == (0, False, False)


def test_cursor_round_trips_and_is_url_safe() -> None:
    position = {"created_at": "2026-11-28T12:00:00Z", "id": "0f5e"}
    cursor = encode_cursor(position)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(cursor) == position


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", encode_cursor({"a": 1})[:-3] + "!!", "WzEsMl0"]
)
def test_malformed_cursor_is_a_validation_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        decode_cursor(cursor)
    assert raised.value.details[0]["field"] == "cursor"
