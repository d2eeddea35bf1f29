"""The lane for the hottest anonymous reads (plain ASGI, before the framework's layers).

GET /api/v1/tracks, /tracks/{id} and /users/{id} are read far more than anything else, and
for an anonymous caller the routing, dependency solving and middleware layers in front of
them cost more than the SQL (docs/PERFORMANCE.md, "Hot reads"). A request of exactly the
shape a lane route names (GET, the path, a query string it reads in full, no Authorization,
no Origin, no body) is answered here by the route's own read: the same service function the
FastAPI route calls, in a request session of the same kind, with the same JSON and headers.
Anything else, and any read that does not answer 200 (not found, refused, failed), goes
through the API as usual, which answers it in full: the lane only ever gives the answers the
API gives, faster (a test holds them byte for byte equal).

Like the playback fast lane, it gives its answers what ``RequestContextMiddleware`` gives every
other answer (request id, security headers, metrics, access log) through the same
``RequestObserver``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from veza.kit.db import Database
from veza.kit.middleware import RequestObserver
from veza.kit.precedence import Precedence

# What the lane's read gets: the session, the path's match, the query's match, the app state.
LaneRead = Callable[[AsyncSession, re.Match[str], re.Match[bytes], Any], Awaitable[bytes]]

# Requests carrying any of these need what only the API does: a caller (Authorization), CORS
# (Origin), a body (its size limit).
_LEAVE_TO_THE_API = frozenset(
    {b"authorization", b"origin", b"content-length", b"transfer-encoding"}
)
_JSON = b"application/json"
# A canonical UUID in a lane route's path pattern, as a capturing group.
UUID_GROUP = "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"


@dataclass(frozen=True)
class LaneRoute:
    path: str  # the route's template, as the access log and metrics report it
    pattern: re.Pattern[str]  # the whole path
    query: re.Pattern[bytes]  # the whole query string (b"" when there is none)
    read: LaneRead  # the JSON body of the 200; raises what the API would answer otherwise


class AnonymousReadLane:
    def __init__(
        self,
        app: ASGIApp,
        *,
        state: Any,
        observer: RequestObserver,
        routes: Sequence[LaneRoute],
    ) -> None:
        self.app = app
        self.state = state
        self.observer = observer
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            found = self._route_for(scope)
            if found is not None and await self._serve(*found, scope, send):
                return
        await self.app(scope, receive, send)

    def _route_for(self, scope: Scope) -> tuple[LaneRoute, re.Match[str], re.Match[bytes]] | None:
        path: str = scope["path"]
        for route in self.routes:
            match = route.pattern.fullmatch(path)
            if match is None:
                continue
            query = route.query.fullmatch(scope.get("query_string") or b"")
            if query is None:
                return None
            for name, _ in scope["headers"]:
                if name in _LEAVE_TO_THE_API:
                    return None
            return route, match, query
        return None

    async def _serve(
        self,
        route: LaneRoute,
        match: re.Match[str],
        query: re.Match[bytes],
        scope: Scope,
        send: Send,
    ) -> bool:
        started = time.perf_counter()
        request_id = self.observer.begin(scope)
        database: Database = self.state.db
        precedence: Precedence = self.state.precedence  # uploads give way to this read too
        precedence.begin()
        try:
            async with database.request_reader() as session:
                body = await route.read(session, match, query, self.state)
                await session.commit()
        except Exception:
            return False
        finally:
            precedence.end()
        scope["route"] = route
        headers = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", _JSON),
            # What the CORS layer adds to an answer to a request without Origin.
            (b"vary", b"Origin"),
            *self.observer.api_headers,
            (b"x-request-id", request_id.encode("latin-1")),
        ]
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        finally:
            self.observer.record(scope, 200, started)
        return True
