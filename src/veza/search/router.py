"""HTTP routes of the search domain: unified search, suggestions, faceted track search and
playlist search. ``/tracks/search`` and ``/playlists/search`` are mounted before the
``/tracks/{id}`` and ``/playlists/{id}`` routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.auth.dependencies import OptionalUser
from veza.kit.dependencies import DbSession, Paging, PublicUrl
from veza.kit.envelope import Envelope, ok
from veza.search import schemas, service

router = APIRouter()


@router.get("/search", tags=["Search"], summary="Unified search", response_model_exclude_none=True)
async def get_search(
    session: DbSession,
    viewer: OptionalUser,
    public_url: PublicUrl,
    q: Annotated[str, Query(description="Search query")],
    type: Annotated[
        list[str] | None,
        Query(description="Restrict to one or more entity types: track, user, playlist"),
    ] = None,
    cursor: Annotated[str | None, Query(description="Opaque pagination cursor")] = None,
    limit: Annotated[int | None, Query(description="Page size (max 50)")] = None,
) -> Envelope[schemas.SearchResults]:
    return ok(await service.search(session, viewer, q, type, cursor, limit, public_url=public_url))


@router.get("/search/suggestions", tags=["Search"], summary="Search suggestions")
async def get_search_suggestions(
    session: DbSession,
    viewer: OptionalUser,
    q: Annotated[str, Query(description="Partial query (min 1 char)")],
    limit: Annotated[
        int | None, Query(description="Max number of suggestions (1..20, default 5)")
    ] = None,
) -> Envelope[schemas.Suggestions]:
    return ok(await service.suggestions(session, viewer, q, limit))


@router.get(
    "/tracks/search",
    tags=["Track"],
    summary="Advanced track search",
    response_model_exclude_none=True,
)
async def get_tracks_search(
    session: DbSession,
    viewer: OptionalUser,
    public_url: PublicUrl,
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
) -> Envelope[schemas.TrackSearchResults]:
    filters = service.track_filters(
        tags=tags,
        tag_mode=tag_mode,
        min_duration=min_duration,
        max_duration=max_duration,
        min_bpm=min_bpm,
        max_bpm=max_bpm,
        genre=genre,
        format=format,
        musical_key=musical_key,
        min_date=min_date,
        max_date=max_date,
    )
    return ok(
        await service.track_search(
            session,
            viewer,
            q,
            filters,
            sort_by=sort_by,
            sort_order=sort_order,
            page=page,
            limit=limit,
            public_url=public_url,
        )
    )


@router.get(
    "/playlists/search",
    tags=["Playlist"],
    summary="Search playlists",
    response_model_exclude_none=True,
)
async def get_playlists_search(
    session: DbSession,
    viewer: OptionalUser,
    paging: Paging,
    q: Annotated[str | None, Query(description="Full-text query")] = None,
) -> Envelope[schemas.PlaylistSearchResults]:
    return ok(await service.playlist_search(session, viewer, q, paging))
