"""Pagination: 1-based page/limit with a capped limit, limit/offset windows, opaque cursors.

Every limit and offset a client sends goes through ``page_params`` or ``offset_window``: a
limit below 1 or a negative offset is 400 naming the field, a limit above the cap is served at
the cap, and an offset is clamped to what a database can represent.
"""

# No ``from __future__ import annotations``: offset_params builds its dependency's
# annotations at call time, and FastAPI must see them as objects, not strings.

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel

from veza.kit.errors import ValidationFailed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Pages past this one are served as this one (empty in practice): an unbounded page number
# would make an OFFSET the database cannot represent.
MAX_PAGE = 1_000_000
# Databases keep OFFSET in a signed 64-bit integer; a window far past the end is simply empty.
MAX_OFFSET = 2**62


@dataclass(frozen=True)
class PageParams:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def page_params(
    page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
    limit: Annotated[
        int, Query(ge=1, description=f"Items per page (capped at {MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
) -> PageParams:
    # A limit above the cap is served at the cap rather than refused (see docs/CONFORMANCE.md).
    return PageParams(page=min(page, MAX_PAGE), limit=min(limit, MAX_LIMIT))


Paging = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True)
class OffsetParams:
    """A limit/offset window, already checked and clamped."""

    limit: int
    offset: int


def offset_window(
    limit: int | None, offset: int | None, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT
) -> OffsetParams:
    """The window asked for: ``default`` items when no limit is given, at most ``maximum``."""
    start = 0 if offset is None else offset
    size = checked_limit(limit, default=default, maximum=maximum)
    if start < 0:
        raise ValidationFailed.field("offset", "must not be negative", start)
    return OffsetParams(limit=size, offset=min(start, MAX_OFFSET))


def checked_limit(
    limit: int | None, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT
) -> int:
    """``default`` when absent, 400 below 1, served at ``maximum`` above it."""
    if limit is None:
        return default
    if limit < 1:
        raise ValidationFailed.field("limit", "must be at least 1", limit)
    return min(limit, maximum)


def offset_params(default: int) -> Any:
    """A dependency reading ``limit`` and ``offset`` query parameters, ``default`` items by
    default (``Annotated[OffsetParams, Depends(offset_params(50))]``)."""

    async def read(
        limit: Annotated[
            int | None, Query(description=f"Items per page (default {default}, max {MAX_LIMIT})")
        ] = None,
        offset: Annotated[int | None, Query(description="Items to skip")] = None,
    ) -> OffsetParams:
        return offset_window(limit, offset, default=default)

    return Depends(read)


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    total_pages: int
    has_next: bool
    has_prev: bool


def pagination(params: PageParams, total: int) -> Pagination:
    total_pages = math.ceil(total / params.limit) if total else 0
    return Pagination(
        page=params.page,
        limit=params.limit,
        total=total,
        total_pages=total_pages,
        has_next=params.page < total_pages,
        has_prev=params.page > 1,
    )


def encode_cursor(position: dict[str, Any]) -> str:
    """An opaque cursor: the position of the last item served, for keyset pagination."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, field: str = "cursor") -> dict[str, Any]:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed.field(field, "invalid cursor", cursor) from exc
    if not isinstance(value, dict):
        raise ValidationFailed.field(field, "invalid cursor", cursor)
    return value
