"""Pagination: 1-based page/limit with a capped limit, and opaque cursors."""

from __future__ import annotations

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
