"""HTTP routes of the search domain: unified search, suggestions, faceted track search and
playlist search. ``/tracks/search`` and ``/playlists/search`` are mounted before the
``/tracks/{id}`` and ``/playlists/{id}`` routes."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from veza.auth.dependencies import OptionalUser
from veza.kit.dependencies import DbSession, Paging, PublicUrl
from veza.kit.envelope import Envelope, ok
from veza.kit.readlane import LaneRoute
from veza.models import User
from veza.search import schemas, service
from veza.search.presenters import search_json

router = APIRouter()


@router.get(
    "/search",
    tags=["Search"],
    summary="Unified search",
    response_model=Envelope[schemas.SearchResults],
    response_model_exclude_none=True,
)
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
) -> Response:
    body = await _search_json(session, viewer, q, type, cursor, limit, public_url)
    return Response(body, media_type="application/json")


@router.get(
    "/search/suggestions",
    tags=["Search"],
    summary="Search suggestions",
    response_model=Envelope[schemas.Suggestions],
)
async def get_search_suggestions(
    session: DbSession,
    viewer: OptionalUser,
    q: Annotated[str, Query(description="Partial query (min 1 char)")],
    limit: Annotated[
        int | None, Query(description="Max number of suggestions (1..20, default 5)")
    ] = None,
) -> Response:
    body = await _suggestions_json(session, viewer, q, limit)
    return Response(body, media_type="application/json")


# The answers as FastAPI encodes the response models (``exclude_none`` where the route says
# so), without validating them a second time: the search's written in one pass
# (presenters.py), the suggestions' by pydantic; the read lane's answers are the same bytes
# (tests/search/test_search_lane.py compares them with FastAPI's own).


async def _search_json(
    session: AsyncSession,
    viewer: User | None,
    q: str | None,
    types: list[str] | None,
    cursor: str | None,
    limit: int | None,
    public_url: str,
) -> bytes:
    results = await service.search(session, viewer, q, types, cursor, limit, public_url=public_url)
    return search_json(results)


async def _suggestions_json(
    session: AsyncSession, viewer: User | None, q: str | None, limit: int | None
) -> bytes:
    return ok(await service.suggestions(session, viewer, q, limit)).model_dump_json().encode()


# The anonymous reads of the two routes above in the read lane (kit/readlane.py). The lane
# takes a query string made of these parameters only; it is read as the API reads it
# (Starlette's parsing: the last value of a scalar, every ``type``), and a value the API would
# refuse or convert otherwise (a ``limit`` that is not plain digits, a missing ``q``) leaves
# the request to the API. They run in a request session (the users and playlists found are
# read as ORM objects).


class _LeftToTheApi(Exception):
    """The lane does not read this query string as the API would: the API answers it."""


_DIGITS = re.compile("0|[1-9][0-9]{0,3}")  # as the API reads an int


def _lane_query(query: re.Match[bytes]) -> tuple[str, dict[str, str], list[str]]:
    pairs = parse_qsl(query.string.decode("latin-1"), keep_blank_values=True)
    values = dict(pairs)
    q = values.get("q")
    limit = values.get("limit")
    if q is None or (limit is not None and _DIGITS.fullmatch(limit) is None):
        raise _LeftToTheApi
    return q, values, [value for name, value in pairs if name == "type"]


def _lane_limit(values: dict[str, str]) -> int | None:
    limit = values.get("limit")
    return None if limit is None else int(limit)


async def _lane_search(
    session: AsyncSession, _: re.Match[str], query: re.Match[bytes], state: Any
) -> bytes:
    q, values, types = _lane_query(query)
    public_url: str = state.settings.server.public_url
    limit, cursor = _lane_limit(values), values.get("cursor")
    return await _search_json(session, None, q, types or None, cursor, limit, public_url)


async def _lane_suggestions(
    session: AsyncSession, _: re.Match[str], query: re.Match[bytes], __: Any
) -> bytes:
    q, values, _types = _lane_query(query)  # the route's pattern has no type nor cursor
    return await _suggestions_json(session, None, q, _lane_limit(values))


def _parameters(*names: str) -> re.Pattern[bytes]:
    """A query string of ``name=value`` pairs with these names only, in any order."""
    pair = b"(?:" + b"|".join(name.encode() for name in names) + b")=[^&]*"
    return re.compile(pair + b"(?:&" + pair + b")*")


LANE_ROUTES = (
    LaneRoute(
        "/api/v1/search",
        re.compile("/api/v1/search"),
        _parameters("q", "type", "limit", "cursor"),
        None,
        session_read=_lane_search,
    ),
    LaneRoute(
        "/api/v1/search/suggestions",
        re.compile("/api/v1/search/suggestions"),
        _parameters("q", "limit"),
        None,
        session_read=_lane_suggestions,
    ),
)


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
