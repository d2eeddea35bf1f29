"""HTTP routes of the search domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented

router = APIRouter()


@router.get("/search", tags=["Search"], summary="Unified search")
@not_implemented
async def get_search(
    q: Annotated[str, Query(description="Search query")],
    type: Annotated[
        str | None, Query(description="Restrict to one or more entity types: track, user, playlist")
    ] = None,
    cursor: Annotated[str | None, Query(description="Opaque pagination cursor")] = None,
    limit: Annotated[int | None, Query(description="Page size (max 50)")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/search/suggestions", tags=["Search"], summary="Search suggestions")
@not_implemented
async def get_search_suggestions(
    q: Annotated[str, Query(description="Partial query (min 1 char)")],
    limit: Annotated[
        int | None, Query(description="Max number of suggestions (1..20, default 5)")
    ] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/search", tags=["Track"], summary="Advanced track search")
@not_implemented
async def get_tracks_search(
    q: Annotated[str | None, Query(description="Full-text query (title/artist/album)")] = None,
    tags: Annotated[str | None, Query(description="Comma-separated tag list")] = None,
    tag_mode: Annotated[str | None, Query(description="Tag combinator (OR / AND)")] = None,
    min_duration: Annotated[int | None, Query(description="Minimum duration (seconds)")] = None,
    max_duration: Annotated[int | None, Query(description="Maximum duration (seconds)")] = None,
    min_bpm: Annotated[int | None, Query(description="Minimum BPM")] = None,
    max_bpm: Annotated[int | None, Query(description="Maximum BPM")] = None,
    genre: Annotated[str | None, Query(description="Genre filter")] = None,
    format: Annotated[str | None, Query(description="Audio format filter")] = None,
    musical_key: Annotated[str | None, Query(description="Musical key filter")] = None,
    min_date: Annotated[str | None, Query(description="Created-after (RFC3339)")] = None,
    max_date: Annotated[str | None, Query(description="Created-before (RFC3339)")] = None,
    page: Annotated[int | None, Query(description="Page (1-based)")] = None,
    limit: Annotated[int | None, Query(description="Items per page (max 100)")] = None,
    sort_by: Annotated[str | None, Query(description="Sort column")] = None,
    sort_order: Annotated[str | None, Query(description="asc / desc")] = None,
) -> None:
    raise NotImplementedYet()
