"""Dependencies of the tracks routes: the media services, the internal API key, stream tokens."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from veza.config import Settings
from veza.kit.db import Database
from veza.kit.errors import Unauthorized
from veza.kit.jobs import JobQueue
from veza.kit.storage import Storage
from veza.kit.tokens import TokenCodec
from veza.tracks.streaming import PlaybackCache

INTERNAL_API_KEY_HEADER = "X-Internal-API-Key"
STREAM_TOKEN_COOKIE = "stream_token"


@dataclass(frozen=True)
class Media:
    """What the media operations use besides the database session."""

    settings: Settings
    storage: Storage
    jobs: JobQueue
    tokens: TokenCodec
    playback: PlaybackCache
    db: Database  # for the few writes made after the request's own transaction (counters)


def get_media(request: Request) -> Media:
    state = request.app.state
    playback = getattr(state, "track_playback_cache", None)
    if playback is None:  # one per application (process), made on first use
        playback = state.track_playback_cache = PlaybackCache(
            state.settings.media.playback_cache_seconds
        )
    return Media(state.settings, state.storage, state.jobs, state.tokens, playback, state.db)


MediaServices = Annotated[Media, Depends(get_media)]


def require_internal_api_key(
    request: Request,
    api_key: Annotated[
        str | None,
        Header(
            alias=INTERNAL_API_KEY_HEADER,
            description="The internal API key (VEZA_AUTH__INTERNAL_API_KEY)",
        ),
    ] = None,
) -> None:
    """Guard of /internal/*: the configured key, compared in constant time; 401 otherwise.
    An empty configured key disables the internal endpoints (every call is 401)."""
    settings: Settings = request.app.state.settings
    expected = settings.auth.internal_api_key.get_secret_value()
    if not expected or not api_key:
        raise Unauthorized("Internal API key required", code="UNAUTHORIZED")
    if not hmac.compare_digest(api_key.encode(), expected.encode()):
        raise Unauthorized("Invalid internal API key", code="UNAUTHORIZED")


InternalCaller = Annotated[None, Depends(require_internal_api_key)]
