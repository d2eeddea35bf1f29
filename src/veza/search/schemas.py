"""Responses of the search domain."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel

from veza.kit.pagination import Pagination
from veza.kit.schemas import ResponseModel, UTCTimestamp
from veza.tracks.schemas import TrackResponse
from veza.users.schemas import UserCard

EntityType = Literal["track", "user", "playlist"]


class PlaylistHit(ResponseModel):
    """A playlist in search results: the playlist's own fields (its tracks are read from the
    playlist itself)."""

    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str | None = None
    is_public: bool
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class SearchTotals(BaseModel):
    """Matches of each type, counted up to 1,000 (1000 means at least that many)."""

    tracks: int = 0
    users: int = 0
    playlists: int = 0


class SearchResults(BaseModel):
    """GET /search: each type's results best first, with each type's total. ``next_cursor``
    gives the next page of every type searched; ``did_you_mean`` is set when nothing matched
    and the indexed words suggest a correction."""

    query: str
    tracks: list[TrackResponse]
    users: list[UserCard]
    playlists: list[PlaylistHit]
    totals: SearchTotals
    next_cursor: str | None = None
    did_you_mean: str | None = None


class Suggestion(BaseModel):
    """One autocomplete entry: what it is, its id, the text to show and a second line."""

    type: EntityType
    id: uuid.UUID
    text: str
    subtitle: str | None = None


class Suggestions(BaseModel):
    query: str
    suggestions: list[Suggestion]


class FacetCounts(BaseModel):
    """How many of the matching tracks have each value (Meilisearch's facet distribution)."""

    genre: dict[str, int]
    musical_key: dict[str, int]
    format: dict[str, int]


class TrackSearchResults(BaseModel):
    tracks: list[TrackResponse]
    pagination: Pagination
    facets: FacetCounts
    did_you_mean: str | None = None


class PlaylistSearchResults(BaseModel):
    playlists: list[PlaylistHit]
    pagination: Pagination
    did_you_mean: str | None = None
