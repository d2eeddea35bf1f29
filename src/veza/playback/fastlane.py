"""The fast lane for playback of cached decisions (plain ASGI, before every other layer).

A browser's audio element fetches a track as a stream of Range requests, without credentials
for a public track, with a stream token (query or cookie) or an access token otherwise.
Routing through every API route, solving the dependencies and building a response object cost
more than sending a MiB, so a request of exactly that shape (GET or HEAD
/api/v1/tracks/<uuid>/stream, no query string but a stream ``token``, no Origin, no body, no
conditional header) is answered here when the playback cache already holds the decision: the
track is open to anyone and the request carries no credential, or the API granted this very
credential the track a few seconds ago (``PlaybackCache.grant``). Headers are prepared once
per cached track. Everything else (cache misses, first requests of a token, 416s,
revalidations, CORS, share tokens) goes through the API as usual, which implements the whole
of the semantics and fills the cache.

It is the outermost middleware; it gives its answers what ``RequestContextMiddleware`` gives
every other answer (request id, security headers, metrics, access log) through the same
``RequestObserver``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from veza.kit.middleware import RequestObserver
from veza.kit.readlane import UUID_GROUP
from veza.kit.storage import content_disposition
from veza.playback.cache import PlayableFile, PlaybackCache
from veza.playback.dependencies import STREAM_TOKEN_COOKIE, stream_credential
from veza.playback.http import (
    RangeNotSatisfiableError,
    accel_redirect_uri,
    parse_range,
    representation_headers,
    send_file_body,
    validators,
)

_STREAM_PATH = re.compile(f"^/api/v1/tracks/{UUID_GROUP}/stream$")
# Requests carrying any of these need what only the API does (CORS, a body, validators);
# an Authorization is served here only once the API has granted it the track.
_LEAVE_TO_THE_API = frozenset(
    {
        b"origin",
        b"content-length",
        b"transfer-encoding",
        b"if-none-match",
        b"if-modified-since",
        b"if-range",
    }
)


def _credential(scope: Scope) -> str | Literal[False] | None:
    """The credential of a stream request as ``stream_credential`` names it; None when there is
    none, False when the query string holds anything but one ``token``."""
    authorization = cookie = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"cookie":
            cookie = value.decode("latin-1")
    query = scope.get("query_string") or b""
    token = None
    if query:
        name, equals, value = query.decode("latin-1").partition("=")
        if name != "token" or not equals or "&" in value:
            return False
        token = unquote(value)
    if token is None and cookie is not None and not authorization:
        token = _cookie_token(cookie)
    return stream_credential(authorization, token, None)


def _cookie_token(header: str) -> str | None:
    for part in header.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals and name == STREAM_TOKEN_COOKIE:
            return value
    return None


class _Route:
    path = "/api/v1/tracks/{id}/stream"  # what the access log and metrics report


_ROUTE = _Route()


@dataclass(frozen=True)
class _Prepared:
    """A cached track's answer, less what depends on the request."""

    playable: PlayableFile
    private: bool  # a private track, granted to a signed-in listener
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
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            match = _STREAM_PATH.match(scope["path"])
            if match is not None:
                prepared = self._prepared_for(match.group(1).lower(), scope)
                if prepared is not None and await self._serve(prepared, scope, receive, send):
                    return
        await self.app(scope, receive, send)

    def _prepared_for(self, track_id: str, scope: Scope) -> _Prepared | None:
        cache: PlaybackCache | None = getattr(self.state, "playback_cache", None)
        if cache is None:
            return None
        found = _credential(scope)
        if found is False:
            return None  # a query string the API must read
        if found is None:
            playable, private = cache.get(track_id), False
        else:
            grant = cache.granted(found, track_id)
            if grant is None:
                return None  # the API checks the token (and remembers the decision)
            playable, private = grant.playable, grant.private
        if playable is None or playable.local_path is None:
            return None  # not cached, or in object storage (the API answers with a redirect)
        prepared = self._prepared.get(track_id)
        if prepared is None or prepared.playable is not playable or prepared.private != private:
            prepared = self._prepare(playable, playable.local_path, private=private)
            if len(self._prepared) > 10_000:  # bounded like the playback cache itself
                self._prepared.clear()
            self._prepared[track_id] = prepared
        return prepared

    def _prepare(self, playable: PlayableFile, path: Path, *, private: bool) -> _Prepared:
        accel_prefix = self.state.settings.media.accel_redirect_prefix
        tag, modified = validators(playable.md5, playable.size, playable.modified_at)
        headers = representation_headers(
            content_type=playable.mime_type or "application/octet-stream",
            disposition=content_disposition(playable.filename, "inline"),
            private=private,
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
            private=private,
            path=path,
            # Vary: the CORS layer answers requests with an Origin differently (they skip us).
            headers=(*encoded, (b"vary", b"Origin"), *self.observer.api_headers),
            accel_redirect=accel.encode("latin-1") if accel else None,
        )

    async def _serve(self, prepared: _Prepared, scope: Scope, receive: Receive, send: Send) -> bool:
        range_header: bytes | None = None
        for name, value in scope["headers"]:
            if name in _LEAVE_TO_THE_API and name != b"authorization":
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
