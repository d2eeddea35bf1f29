"""What playlist services need beyond the session and the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from starlette.types import Scope

from veza.kit.db import Database
from veza.kit.origin import origin_of


@dataclass(frozen=True)
class PlaylistTools:
    """The public URL (for track and share links), the length cap, who is calling (for the
    audit trail), and the database (for the writes a read request makes on its own)."""

    public_url: str
    web_app_url: str
    max_tracks: int
    ip_address: str | None
    user_agent: str | None
    database: Database


def playlist_tools(state: Any, scope: Scope) -> PlaylistTools:
    """The tools from the app's state and the request's client and User-Agent (the API's
    dependency and the read lane's member read make them the same way)."""
    settings = state.settings
    origin = origin_of(scope)
    return PlaylistTools(
        public_url=settings.server.public_url,
        web_app_url=settings.server.frontend_url,
        max_tracks=settings.playlists.max_tracks,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        database=state.db,
    )


async def get_playlist_tools(request: Request) -> PlaylistTools:
    return playlist_tools(request.app.state, request.scope)


Tools = Annotated[PlaylistTools, Depends(get_playlist_tools)]

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The playlist's snapshot_id (its ETag); a stale one is 412",
    ),
]
