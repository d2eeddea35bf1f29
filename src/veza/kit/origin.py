"""Where the current request comes from (client address, user agent), for the audit rows a
domain writes without having the request at hand. ``RequestContextMiddleware`` sets it for
each HTTP request; outside one (jobs started on their own, the CLI) it is empty."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

_MAX_USER_AGENT = 512


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str | None = None


_NOWHERE = RequestOrigin()
_current: ContextVar[RequestOrigin] = ContextVar("veza_request_origin", default=_NOWHERE)


def current_origin() -> RequestOrigin:
    return _current.get()


def origin_of(scope: Mapping[str, Any]) -> RequestOrigin:
    """The client address and User-Agent of an ASGI request's scope."""
    client = scope.get("client")
    agent: str | None = None
    for name, value in scope.get("headers", []):
        if name == b"user-agent":
            agent = value.decode("latin-1")[:_MAX_USER_AGENT]
            break
    return RequestOrigin(client[0] if client else None, agent)


def enter_request(scope: Mapping[str, Any]) -> Token[RequestOrigin]:
    return _current.set(origin_of(scope))


def leave_request(token: Token[RequestOrigin]) -> None:
    _current.reset(token)
