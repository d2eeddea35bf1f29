"""UUID columns read as their canonical text, for the hot reads that only write them out.

A ``Uuid`` column gives a ``uuid.UUID`` (on SQLite, parsed from its 32 stored hex digits), which
the read's JSON then writes back as text: three of them a track were a tenth of the catalog
page's time (docs/PERFORMANCE.md, "Hot reads"). ``uuid_text(column)`` selects the same column
read as the text a ``uuid.UUID`` prints (lowercase, dashed): SQLite's hex digits dashed, the
PostgreSQL driver's own UUID printed (in C). The SQL is the column's, unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import TypeDecorator, Uuid, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement


def dashed(hex_digits: str) -> str:
    """32 hex digits (a UUID as SQLite keeps it) in the canonical 8-4-4-4-12 form."""
    h = hex_digits
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _stored_text(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) == 32 and value.islower():
        return dashed(value)
    return str(uuid.UUID(value))  # not as the Uuid type writes it: read as it reads it


def _driver_text(value: Any) -> str | None:
    return None if value is None else str(value)


class UuidText(TypeDecorator[str]):
    """The ``Uuid`` type read as canonical text (bound as a ``Uuid``)."""

    impl = Uuid
    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], str | None] | None:
        # The value as the driver gives it, straight to text (no uuid.UUID in between).
        if dialect.supports_native_uuid:
            return _driver_text
        return _stored_text


def uuid_text(column: Any) -> ColumnElement[str]:
    """``column`` (a ``Uuid`` column) selected under its own key, read as canonical text."""
    return type_coerce(column, UuidText()).label(column.key)
