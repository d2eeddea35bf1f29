"""The lane for the hottest reads (plain ASGI, before the framework's layers).

GET /api/v1/tracks, /tracks/{id}, /users/{id} and /playlists/{id} are read far more than
anything else, and the routing, dependency solving and middleware layers in front of them cost
more than the SQL (docs/PERFORMANCE.md, "Hot reads"). A request of exactly the shape a lane
route names (GET, the path, a query string it reads in full, no Origin, no body, and either no
Authorization or ``Bearer <token>`` for a route with a member read) is answered here by the
route's own read: the same service function the FastAPI route calls, with the same JSON and
headers. A read of Core statements, anonymous or a member's, runs on a bare connection of the
request session's kind (``Database.read_connection``, as the raw baseline reads: a session
made and closed around one statement was a third of its CPU); an anonymous read that needs the
ORM (``session_read``) in a request session of the same kind. A token is checked by the API's
own rule (``authenticate``, given by the app: ``auth.dependencies.authenticate_caller``) on
that connection, the caller read as one row of the columns the rule reads (a ``Viewer``, not a
User). Anything else, and any token or read that does not answer 200 (bad, expired or revoked
token, banned account, not found, refused, failed), goes through the API as usual, which
answers it in full: the lane only ever gives the answers the API gives, faster (a test holds
them byte for byte equal).

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

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from veza.kit.db import Database, commit_request
from veza.kit.middleware import RequestObserver
from veza.kit.precedence import Precedence
from veza.models import Viewer


@dataclass(frozen=True)
class LaneAnswer:
    """A 200's body and the headers the route puts before its content-length (an ETag)."""

    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()


# What the lane's anonymous read gets: the bare connection, the path's match, the query's
# match, the app state.
LaneRead = Callable[
    [AsyncConnection, re.Match[str], re.Match[bytes], Any], Awaitable[bytes | LaneAnswer]
]
# The same in a request session, for an anonymous read that needs the ORM.
SessionRead = Callable[
    [AsyncSession, re.Match[str], re.Match[bytes], Any], Awaitable[bytes | LaneAnswer]
]
# A member's read: the anonymous read's, then the scope (client, headers) and the
# authenticated caller.
MemberRead = Callable[
    [AsyncConnection, re.Match[str], re.Match[bytes], Any, Scope, Viewer],
    Awaitable[bytes | LaneAnswer],
]
# The API's token check: the caller of a Bearer access token, or an exception (any refusal).
Authenticate = Callable[[AsyncConnection, str], Awaitable[Viewer]]

# Requests carrying any of these need what only the API does: CORS (Origin), a body (its size
# limit).
_LEAVE_TO_THE_API = frozenset({b"origin", b"content-length", b"transfer-encoding"})
_AUTHORIZATION = b"authorization"
# What the API's HTTPBearer reads as a token, narrowed to a JWT's alphabet: anything else
# (another scheme, spaces, an empty token) is the API's to answer.
_BEARER = re.compile(rb"Bearer ([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")
_JSON = b"application/json"
# A canonical UUID in a lane route's path pattern, as a capturing group.
UUID_GROUP = "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"


@dataclass(frozen=True)
class LaneRoute:
    path: str  # the route's template, as the access log and metrics report it
    pattern: re.Pattern[str]  # the whole path
    query: re.Pattern[bytes]  # the whole query string (b"" when there is none)
    # The JSON body of the 200 (and its headers); raises what the API would answer otherwise.
    read: LaneRead | None  # anonymous callers, on a bare connection
    # Callers with a Bearer token, on a bare connection (None: the API's).
    member_read: MemberRead | None = None
    # Anonymous callers, in a request session (for a route whose ``read`` is None). With
    # neither, the route requires a caller.
    session_read: SessionRead | None = None

    @property
    def anonymous(self) -> bool:
        return self.read is not None or self.session_read is not None


@dataclass(frozen=True)
class _Found:
    route: LaneRoute
    path: re.Match[str]
    query: re.Match[bytes]
    token: str | None


class ReadLane:
    def __init__(
        self,
        app: ASGIApp,
        *,
        state: Any,
        observer: RequestObserver,
        routes: Sequence[LaneRoute],
        authenticate: Authenticate,
    ) -> None:
        self.app = app
        self.state = state
        self.observer = observer
        self.routes = tuple(routes)
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            found = self._route_for(scope)
            if found is not None and await self._serve(found, scope, send):
                return
        await self.app(scope, receive, send)

    def _route_for(self, scope: Scope) -> _Found | None:
        path: str = scope["path"]
        for route in self.routes:
            match = route.pattern.fullmatch(path)
            if match is None:
                continue
            query = route.query.fullmatch(scope.get("query_string") or b"")
            if query is None:
                return None
            authorization: bytes | None = None
            for name, value in scope["headers"]:
                if name in _LEAVE_TO_THE_API:
                    return None
                if name == _AUTHORIZATION:
                    if authorization is not None:
                        return None  # which one counts is the API's to decide
                    authorization = value
            if authorization is None:
                return _Found(route, match, query, None) if route.anonymous else None
            bearer = _BEARER.fullmatch(authorization)
            if bearer is None or route.member_read is None:
                return None
            return _Found(route, match, query, bearer.group(1).decode("ascii"))
        return None

    async def _read(self, found: _Found, scope: Scope) -> bytes | LaneAnswer:
        """The route's answer, the token checked first as the API checks it."""
        database: Database = self.state.db
        route = found.route
        if found.token is not None:
            assert route.member_read is not None
            async with database.read_connection() as connection:
                caller = await self.authenticate(connection, found.token)
                # What the API's token dependency records for the access log.
                scope["state"]["user_id"] = caller.id
                return await route.member_read(
                    connection, found.path, found.query, self.state, scope, caller
                )
        if route.read is not None:
            async with database.read_connection() as connection:
                return await route.read(connection, found.path, found.query, self.state)
        assert route.session_read is not None
        async with database.request_reader() as session:
            answer = await route.session_read(session, found.path, found.query, self.state)
            await commit_request(session)
        return answer

    async def _serve(self, found: _Found, scope: Scope, send: Send) -> bool:
        started = time.perf_counter()
        request_id = self.observer.begin(scope)
        precedence: Precedence = self.state.precedence  # uploads give way to this read too
        precedence.begin()
        try:
            read = await self._read(found, scope)
        except Exception:
            scope["state"].pop("user_id", None)
            return False
        finally:
            precedence.end()
        scope["route"] = found.route
        answer = read if isinstance(read, LaneAnswer) else LaneAnswer(read)
        body = answer.body
        headers = [
            *answer.headers,
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
