"""Pagination helpers: page arithmetic and opaque cursors."""

from __future__ import annotations

import pytest

from veza.kit.dependencies import page_params
from veza.kit.errors import ValidationFailed
from veza.kit.pagination import (
    MAX_PAGE,
    CursorCodec,
    PageParams,
    checked_limit,
    checked_page,
    clamped_limit,
    pagination,
)


def test_limit_above_the_cap_is_served_at_the_cap() -> None:
    assert page_params(page=2, limit=500) == PageParams(page=2, limit=100)


def test_pagination_reports_totals_and_neighbours() -> None:
    result = pagination(PageParams(page=2, limit=20), total=45)
    assert (result.total_pages, result.has_next, result.has_prev) == (3, True, True)
    assert PageParams(page=3, limit=20).offset == 40
    empty = pagination(PageParams(page=1, limit=20), total=0)
    assert (empty.total_pages, empty.has_next, empty.has_prev) == (0, False, False)


CODEC = CursorCodec.derived_from("test secret")


def test_cursor_round_trips_and_is_url_safe() -> None:
    position = {"created_at": "2026-11-28T12:00:00Z", "id": "0f5e"}
    cursor = CODEC.encode(position)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert CODEC.decode(cursor) == position


def test_the_cursor_key_is_derived_not_the_secret_itself() -> None:
    assert CODEC.key != b"test secret"
    assert CursorCodec.derived_from("test secret") == CODEC
    assert CursorCodec.derived_from("other secret").key != CODEC.key


@pytest.mark.parametrize(
    "cursor",
    ["%%%", "bm90IGpzb24", CODEC.encode({"a": 1})[:-3] + "!!", "WzEsMl0", CODEC.encode([1, 2])],  # type: ignore[arg-type]
)
def test_malformed_cursor_is_a_validation_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        CODEC.decode(cursor)
    assert raised.value.details[0]["field"] == "cursor"


def test_page_and_limit_are_checked_and_clamped_in_one_place() -> None:
    assert checked_page(None) == 1
    assert checked_page(10**30) == MAX_PAGE
    assert checked_limit(10**30) == 100
    assert clamped_limit(-5, maximum=50) == 1
    for check, field in ((lambda: checked_page(0), "page"), (lambda: checked_limit(0), "limit")):
        with pytest.raises(ValidationFailed) as raised:
            check()
        assert raised.value.details[0]["field"] == field
