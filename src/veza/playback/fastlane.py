"""The fast lane for anonymous playback of public tracks (plain ASGI, before every other layer).

A browser's audio element fetches a public track as a stream of Range requests without
credentials. Routing through every API route, solving the dependencies and building a response
object cost more than sending a MiB, so a request of exactly that shape (GET or HEAD
/api/v1/tracks/<uuid>/stream, no query string, no Authorization, no Origin, no body, no
conditional header) whose track the playback cache already holds (it holds only tracks anyone
may read, see ``PlaybackCache``) is answered here, with headers prepared once per cached track.
Everything else (cache misses, 416s, revalidations, CORS, share tokens, signed-in callers) goes
through the API as usual, which implements the whole of the semantics and fills the cache.

It is the outermost middleware; it gives its answers what ``RequestContextMiddleware`` gives
every other answer (request id, security headers, metrics, access log) through the same
``RequestObserver``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from veza.kit.middleware import RequestObserver
from veza.kit.storage import content_disposition
from veza.playback.cache import PlayableFile, PlaybackCache
from veza.playback.http import (
    RangeNotSatisfiableError,
    accel_redirect_uri,
    parse_range,
    representation_headers,
    send_file_body,
    validators,
)

_STREAM_PATH = re.compile(
    r"^/api/v1/tracks/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/stream$"
)
# Requests carrying any of these need what only the API does (auth, CORS, a body, validators).
_LEAVE_TO_THE_API = frozenset(
    {
        b"authorization",
        b"origin",
        b"content-length",
        b"transfer-encoding",
        b"if-none-match",
        b"if-modified-since",
        b"if-range",
    }
)


class _Route:
    path = "/api/v1/tracks/{id}/stream"  # what the access log and metrics report


_ROUTE = _Route()


@dataclass(frozen=True)
class _Prepared:
    """A cached track's answer, less what depends on the request."""

    playable: PlayableFile
    path: Path  # the local file (tracks in object storage are left to the API)
    headers: tuple[tuple[bytes, bytes], ...]
    accel_redirect: bytes | None  # X-Accel-Redirect mode: nginx sends the bytes


class PlaybackFastLane:
    def __init__(self, app: ASGIApp, *, state: Any, observer: RequestObserver) -> None:
        self.app = app
        self.state = state
        self.observer = observer
        self._prepared: dict[str, _Prepared] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and not scope.get("query_string")
        ):
            match = _STREAM_PATH.match(scope["path"])
            if match is not None:
                prepared = self._prepared_for(match.group(1).lower())
                if prepared is not None and await self._serve(prepared, scope, receive, send):
                    return
        await self.app(scope, receive, send)

    def _prepared_for(self, track_id: str) -> _Prepared | None:
        cache: PlaybackCache | None = getattr(self.state, "playback_cache", None)
        playable = cache.get(track_id) if cache is not None else None
        if playable is None or playable.local_path is None:
            return None  # not cached, or in object storage (the API answers with a redirect)
        prepared = self._prepared.get(track_id)
        if prepared is None or prepared.playable is not playable:
            prepared = self._prepare(playable, playable.local_path)
            if len(self._prepared) > 10_000:  # bounded like the playback cache itself
                self._prepared.clear()
            self._prepared[track_id] = prepared
        return prepared

    def _prepare(self, playable: PlayableFile, path: Path) -> _Prepared:
        accel_prefix = self.state.settings.media.accel_redirect_prefix
        tag, modified = validators(playable.md5, playable.size, playable.modified_at)
        headers = representation_headers(
            content_type=playable.mime_type or "application/octet-stream",
            disposition=content_disposition(playable.filename, "inline"),
            private=False,
            # nginx sends its own validators for the file it serves
            etag=None if accel_prefix else tag,
            modified=None if accel_prefix else modified,
        )
        encoded = tuple(
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        )
        accel = accel_redirect_uri(accel_prefix, playable.file_path) if accel_prefix else None
        return _Prepared(
            playable=playable,
            path=path,
            # Vary: the CORS layer answers requests with an Origin differently (they skip us).
            headers=(*encoded, (b"vary", b"Origin"), *self.observer.api_headers),
            accel_redirect=accel.encode("latin-1") if accel else None,
        )

    async def _serve(self, prepared: _Prepared, scope: Scope, receive: Receive, send: Send) -> bool:
        range_header: bytes | None = None
        for name, value in scope["headers"]:
            if name in _LEAVE_TO_THE_API:
                return False
            if name == b"range":
                range_header = value
        size = prepared.playable.size
        try:
            byte_range = parse_range(range_header.decode("latin-1") if range_header else None, size)
        except RangeNotSatisfiableError:
            return False  # the API answers the 416, in its envelope
        started = time.perf_counter()
        request_id = self.observer.begin(scope)
        scope["route"] = _ROUTE
        headers = [*prepared.headers, (b"x-request-id", request_id.encode("latin-1"))]
        if prepared.accel_redirect is not None:
            status, offset, length = 200, 0, 0
            headers.append((b"x-accel-redirect", prepared.accel_redirect))
        elif byte_range is None:
            status, offset, length = 200, 0, size
        else:
            status, offset, length = 206, byte_range.start, byte_range.length
            headers.append(
                (b"content-range", f"bytes {byte_range.start}-{byte_range.end}/{size}".encode())
            )
        headers.append((b"content-length", str(length).encode()))
        try:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send_file_body(
                prepared.path,
                offset,
                length,
                receive,
                send,
                head_only=scope["method"] == "HEAD",
            )
        finally:
            self.observer.record(scope, status, started)
        return True
