"""A Subsonic request's parameters (query string and, with the formPost extension, a
form body): repeated names kept in order, typed getters raising Subsonic errors."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from veza.subsonic import errors


@dataclass(frozen=True)
class Params:
    values: Mapping[str, list[str]]

    def first(self) -> dict[str, str]:
        return {name: items[0] for name, items in self.values.items() if items}

    def get(self, name: str) -> str | None:
        items = self.values.get(name)
        return items[0] if items else None

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise errors.missing(name)
        return value

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name, []))

    def integer(
        self, name: str, default: int | None = None, *, low: int = 0, high: int = 10**9
    ) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError as exc:
            raise errors.bad_value(name, "not an integer") from exc
        return max(low, min(high, number))

    def boolean(self, name: str, default: bool) -> bool:
        value = self.get(name)
        return default if value is None else value.strip().lower() in {"true", "1", "yes"}


def track_id(value: str, what: str = "Song") -> uuid.UUID:
    """A song id is the track's UUID; anything else names no song (70)."""
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise errors.not_found(what) from exc
