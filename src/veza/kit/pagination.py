"""Pagination: 1-based page/limit with a capped limit, limit/offset windows, signed cursors.

Every limit, offset and page a client sends goes through ``checked_limit``, ``checked_page``
and ``offset_window`` (the dependencies ``page_params`` and ``offset_params`` in
``kit/dependencies.py`` use them): a
limit or page below 1 or a negative offset is 400 naming the field, a limit above the cap is
served at the cap, and a page or offset past what a database can represent is served as the
last one it can (an empty page). Cursors are signed (``CursorCodec``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from veza.kit.db import Reads, provided
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


def checked_page(page: int | None) -> int:
    """1 when absent, 400 below 1, served as MAX_PAGE above it."""
    if page is None:
        return 1
    if page < 1:
        raise ValidationFailed.field("page", "must be at least 1", page)
    return min(page, MAX_PAGE)


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


def clamped_limit(
    limit: int | None, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT
) -> int:
    """``checked_limit`` for operations whose contract lists no 400: below 1 is served as 1."""
    return checked_limit(None if limit is None else max(limit, 1), default=default, maximum=maximum)


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


# Cursors ---------------------------------------------------------------------------------
#
# A cursor is opaque to clients and trusted by us only because we signed it: the position as
# JSON, then an HMAC-SHA256 tag under a key of its own. Anything else (forged, altered, cut,
# signed under another key) is refused before its content is even parsed.

# Longer than any cursor we issue (a title position is at most a few hundred characters).
MAX_CURSOR_LENGTH = 4096
_CURSOR_KEY_LABEL = b"veza pagination cursor v1"
_TAG_BYTES = 16  # 128 bits of HMAC-SHA256
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class CursorCodec:
    """Signs and checks cursors. The database provides it to every session (app.py), so a
    service reaches it with ``cursor_codec(session)``."""

    key: bytes

    @classmethod
    def derived_from(cls, secret: str) -> CursorCodec:
        """A key for cursors alone, derived from the server's signing secret (the JWT key):
        no new secret to keep, and a cursor's tag can never pass for a token's signature."""
        return cls(hmac.new(secret.encode(), _CURSOR_KEY_LABEL, hashlib.sha256).digest())

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()[:_TAG_BYTES]

    def encode(self, position: dict[str, Any]) -> str:
        """The cursor of ``position`` (the last item served, for keyset pagination)."""
        payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{_b64(self._tag(payload))}"

    def decode(self, cursor: str, *, field: str = "cursor") -> dict[str, Any]:
        """The position a cursor we issued holds; 400 naming ``field`` for anything else. The
        caller still checks each value it reads (types and bounds)."""
        refusal = ValidationFailed.field(field, "invalid cursor", cursor)
        body, dot, tag = cursor.partition(".")
        if (
            len(cursor) > MAX_CURSOR_LENGTH
            or not dot
            or not _BASE64URL.fullmatch(body)
            or not _BASE64URL.fullmatch(tag)
        ):
            raise refusal
        try:
            payload, signature = _unb64(body), _unb64(tag)
        except (binascii.Error, ValueError) as exc:
            raise refusal from exc
        if not hmac.compare_digest(signature, self._tag(payload)):
            raise refusal
        try:
            position = json.loads(payload)
        except (ValueError, RecursionError) as exc:
            raise refusal from exc
        if not isinstance(position, dict):
            raise refusal
        return position


def cursor_codec(reads: Reads) -> CursorCodec:
    codec = provided(reads, CursorCodec)
    if codec is None:
        raise RuntimeError("this database provides no CursorCodec (create_app provides one)")
    return codec
