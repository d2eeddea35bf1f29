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
