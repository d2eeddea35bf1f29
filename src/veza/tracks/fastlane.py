"""The fast lane for anonymous playback of public tracks (plain ASGI, before FastAPI routing).

A browser's audio element fetches a public track as a stream of Range requests without
credentials. Routing through every API route and solving the dependencies costs more than
sending a MiB, so a request of exactly that shape (GET /api/v1/tracks/<uuid>/stream, no
Authorization, no share_token) whose track the playback cache already holds (it holds only
tracks anyone may read, see ``PlaybackCache``) is answered here. Everything else, cache misses
included, goes through the API as usual, which then fills the cache. It sits inside the
request-context middleware, so request ids, security headers, logs and metrics still apply.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from veza.kit.errors import VezaError
from veza.tracks.streaming import PlaybackCache

_STREAM_PATH = re.compile(
    r"^/api/v1/tracks/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/stream$"
)
ROUTE_TEMPLATE = "/api/v1/tracks/{id}/stream"


class _Route:
    path = ROUTE_TEMPLATE  # what the access log and metrics report


class PlaybackFastLane:
    def __init__(self, app: ASGIApp, *, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _STREAM_PATH.match(scope["path"])
            if match and b"share_token" not in scope.get("query_string", b""):
                headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
                if "authorization" not in headers:
                    cache: PlaybackCache | None = getattr(self.state, "track_playback_cache", None)
                    playable = cache.get(match.group(1).lower()) if cache else None
                    if playable is not None and await self._serve(
                        playable, headers, scope, receive, send
                    ):
                        return
        await self.app(scope, receive, send)

    async def _serve(
        self, playable: Any, headers: dict[str, str], scope: Scope, receive: Receive, send: Send
    ) -> bool:
        from veza.kit.storage import ObjectInfo, content_disposition
        from veza.tracks.service import deliver

        settings = self.state.settings.media
        try:
            response = await deliver(
                self.state.storage,
                playable.file_path,
                headers,
                content_type=playable.mime_type or "application/octet-stream",
                etag=f'"{playable.md5}"' if playable.md5 else None,
                disposition=content_disposition(playable.filename, "inline"),
                presign_filename=None,
                ttl_seconds=settings.stream_url_ttl_seconds,
                accel_prefix=settings.accel_redirect_prefix,
                private=False,
                info=ObjectInfo(playable.size, playable.modified_at),
                path=playable.local_path,
            )
        except VezaError:
            return False  # e.g. 416: the API answers it, in its envelope
        scope["route"] = _Route()
        await response(scope, receive, send)
        return True
