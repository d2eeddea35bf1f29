"""GET /search's answer encoded in one pass.

A pydantic model per track (and its validation) cost more than the search's statements on
SQLite (docs/PERFORMANCE.md, "Hot reads"): the tracks arrive as their JSON objects, made from
rows by the catalog's own presenter (``tracks.presenters.track_payloads``), and the whole
answer is written as FastAPI writes ``Envelope[SearchResults]`` with ``exclude_none`` (a test
holds the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from veza.kit.envelope import ok_json
from veza.search.schemas import PlaylistHit, SearchResults, SearchTotals
from veza.users.schemas import UserCard


@dataclass
class FoundPage:
    """``SearchResults`` with each track as its JSON object (``track_payloads``)."""

    query: str
    tracks: list[dict[str, Any]] = field(default_factory=list)
    users: list[UserCard] = field(default_factory=list)
    playlists: list[PlaylistHit] = field(default_factory=list)
    totals: SearchTotals = field(default_factory=SearchTotals)
    next_cursor: str | None = None
    did_you_mean: str | None = None


# The answer's keys come in the response model's order.
assert [f.name for f in fields(FoundPage)] == list(SearchResults.model_fields)


def search_json(page: FoundPage) -> bytes:
    """``Envelope[SearchResults]`` of ``page`` with ``exclude_none``."""
    data: dict[str, Any] = {
        "query": page.query,
        "tracks": page.tracks,
        "users": [user.model_dump(mode="json", exclude_none=True) for user in page.users],
        "playlists": [hit.model_dump(mode="json", exclude_none=True) for hit in page.playlists],
        "totals": page.totals.model_dump(),
    }
    if page.next_cursor is not None:
        data["next_cursor"] = page.next_cursor
    if page.did_you_mean is not None:
        data["did_you_mean"] = page.did_you_mean
    return ok_json(data)
