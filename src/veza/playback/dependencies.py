"""What the playback operations use besides the session: a narrow set of tools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from veza.config import MediaSettings
from veza.kit.db import Database
from veza.kit.storage import Storage
from veza.kit.tokens import TokenCodec
from veza.playback.cache import PlaybackCache

STREAM_TOKEN_COOKIE = "stream_token"


def stream_credential(
    authorization: str | None, query_token: str | None, cookie_token: str | None
) -> str | None:
    """The credential a stream request is authenticated with, in the order the API reads them
    (Authorization, then the ``token`` query, then the cookie), as the fast lane and the
    playback cache key it."""
    if authorization:
        return "authorization:" + authorization
    token = query_token or cookie_token
    return "stream:" + token if token else None


@dataclass(frozen=True)
class PlaybackTools:
    limits: MediaSettings
    storage: Storage
    tokens: TokenCodec  # stream tokens of HLS requests
    cache: PlaybackCache
    db: Database  # the download counter is written after the request's read-only transaction


async def get_playback_tools(request: Request) -> PlaybackTools:
    state = request.app.state
    return PlaybackTools(
        state.settings.media, state.storage, state.tokens, state.playback_cache, state.db
    )


Playback = Annotated[PlaybackTools, Depends(get_playback_tools)]
