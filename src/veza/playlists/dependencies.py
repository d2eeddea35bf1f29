"""What playlist services need beyond the session and the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from veza.kit.db import Database

_MAX_USER_AGENT = 512


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


async def get_playlist_tools(request: Request) -> PlaylistTools:
    settings = request.app.state.settings
    user_agent = request.headers.get("user-agent")
    return PlaylistTools(
        public_url=settings.server.public_url,
        web_app_url=settings.server.frontend_url,
        max_tracks=settings.playlists.max_tracks,
        ip_address=request.client.host if request.client else None,
        user_agent=user_agent[:_MAX_USER_AGENT] if user_agent else None,
        database=request.app.state.db,
    )


Tools = Annotated[PlaylistTools, Depends(get_playlist_tools)]

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The playlist's snapshot_id (its ETag); a stale one is 412",
    ),
]
