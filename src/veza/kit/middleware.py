"""ASGI middleware: request ids, access logs and metrics, security headers, body size limit, and
the count of requests being answered that uploads give way to (kit/precedence.py).

Written as plain ASGI (not BaseHTTPMiddleware) so that streamed responses stay streamed and the
cost per request is a few dictionary operations.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterable
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veza.kit import metrics
from veza.kit.envelope import error_body
from veza.kit.errors import BadRequest, PayloadTooLarge, VezaError
from veza.kit.origin import enter_request, leave_request
from veza.kit.precedence import Precedence
from veza.kit.schemas import unreadable_text

access_log = structlog.get_logger("veza.access")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Metric labels take only bounded values: the route template (never the raw path) and one of
# these methods, any other method a client makes up being counted as "OTHER" (each distinct
# label set is a series kept for the life of the process).
_METRIC_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_BASE_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# The docs page runs Swagger UI from our own static files plus FastAPI's inline bootstrap script.
_DOCS_CSP = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)


def _new_request_id() -> str:
    """32 random hex digits, like a uuid4's: a request id must be unique, not unguessable, and
    uuid4's os.urandom call cost ~0.15 ms per request on the benchmark machine."""
    return f"{random.getrandbits(128):032x}"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


class RequestObserver:
    """What every answered request gets, whichever layer answers it: a request id, the security
    headers, a metrics sample and an access-log line. Shared by ``RequestContextMiddleware``
    and the playback fast lane (tracks/fastlane.py), which answers before it."""

    def __init__(self, *, hsts: bool, docs_prefixes: Iterable[str], api_prefix: str) -> None:
        self.api_prefix = api_prefix
        self.docs_prefixes = tuple(docs_prefixes)
        headers = list(_BASE_SECURITY_HEADERS)
        if hsts:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self.security_headers = tuple(headers)
        self.api_headers = (*self.security_headers, (b"content-security-policy", _API_CSP))
        self.docs_headers = (*self.security_headers, (b"content-security-policy", _DOCS_CSP))

    def begin(self, scope: Scope) -> str:
        """The request's id (the caller's X-Request-ID if well-formed), bound to the logs."""
        incoming = _header(scope, b"x-request-id")
        decoded = incoming.decode("latin-1") if incoming else ""
        request_id = decoded if decoded and _REQUEST_ID_RE.match(decoded) else _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        return request_id

    def headers_for(self, path: str) -> tuple[tuple[bytes, bytes], ...]:
        return self.docs_headers if path.startswith(self.docs_prefixes) else self.api_headers

    def route_template(self, scope: Scope) -> str:
        """The matched route's path template ("/api/v1/tracks/{id}"), or "unmatched".

        Routes of included routers carry their path without the API prefix they are mounted at.
        """
        template = getattr(scope.get("route"), "path", None)
        if not template:
            return "unmatched"
        if scope["path"].startswith(self.api_prefix) and not template.startswith(self.api_prefix):
            return self.api_prefix + template
        return str(template)

    def record(self, scope: Scope, status: int, started: float) -> None:
        duration = time.perf_counter() - started
        method: str = scope["method"]
        template = self.route_template(scope)
        label = method if method in _METRIC_METHODS else "OTHER"
        requests, latency = metrics.request_series(label, template, status)
        requests.inc()
        latency.observe(duration)
        fields: dict[str, Any] = {
            "method": method,
            "path": scope["path"],
            "route": template,
            "status": status,
            "duration_ms": round(duration * 1000, 2),
        }
        query: bytes = scope.get("query_string", b"")
        if query:
            fields["query"] = query.decode("latin-1")
        user_id = scope.get("state", {}).get("user_id")
        if user_id:
            fields["user_id"] = str(user_id)
        # Share tokens in the path and tokens in the query are redacted by kit/logging.py,
        # like every secret in every log line.
        access_log.info("request", **fields)


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        observer: RequestObserver,
        max_body_bytes: int,
        max_upload_bytes: int,
        upload_paths: Iterable[str],
        precedence: Precedence,
    ) -> None:
        self.app = app
        self.observer = observer
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = frozenset(upload_paths)
        self.precedence = precedence

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        origin = enter_request(scope)
        is_upload = scope["method"] == "POST" and scope["path"] in self.upload_paths
        answering = _Answering(None if is_upload else self.precedence)
        try:
            await self._serve(scope, receive, answering.watch(send))
        finally:
            answering.done()
            leave_request(origin)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = self.observer.begin(scope)
        path: str = scope["path"]
        limit = self.max_upload_bytes if path in self.upload_paths else self.max_body_bytes
        extra_headers = (
            *self.observer.headers_for(path),
            (b"x-request-id", request_id.encode("latin-1")),
        )
        started = time.perf_counter()
        status_holder = {"status": 500}

        # Set when the streamed body passes the limit: whatever the app answers then (frameworks
        # turn a failing body read into a 400), the client gets the 413 it deserves.
        body_limit = _BodyLimit(receive, limit)

        async def send_with_headers(message: Message) -> None:
            if body_limit.exceeded:
                if message["type"] == "http.response.start" and not body_limit.replied:
                    body_limit.replied = True
                    await self._reject_too_large(send_with_headers_raw, limit)
                return
            await send_with_headers_raw(message)

        async def send_with_headers_raw(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                existing = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra_headers if k not in existing]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        try:
            declared = _header(scope, b"content-length")
            if declared is not None and _declares_more_than(declared, limit):
                await self._reject_too_large(send_with_headers_raw, limit)
                return
            refusal = _unreadable_path_or_query(scope)
            if refusal is not None:
                await _send_error(
                    send_with_headers_raw, BadRequest(refusal, code="VALIDATION_ERROR")
                )
                return
            try:
                await self.app(scope, body_limit.receive, send_with_headers)
            except PayloadTooLarge:
                if not body_limit.replied:
                    body_limit.replied = True
                    await self._reject_too_large(send_with_headers_raw, limit)
        finally:
            self.observer.record(scope, status_holder["status"], started)

    async def _reject_too_large(self, send: Send, limit: int) -> None:
        await _send_error(send, PayloadTooLarge(f"Request body exceeds the limit of {limit} bytes"))


def _declares_more_than(content_length: bytes, limit: int) -> bool:
    """A Content-Length above ``limit``. Thousands of digits are never converted (int() refuses
    more than 4,300): past 18 significant digits, it is above any limit."""
    if not content_length.isdigit():  # bytes: ASCII digits only
        return False
    significant = content_length.lstrip(b"0")
    return len(significant) > 18 or int(significant or b"0") > limit


_NUL_MESSAGE = "The request path or query string contains a NUL character"
_SURROGATE_MESSAGE = "The request path contains a lone UTF-16 surrogate (not valid Unicode)"


def _unreadable_path_or_query(scope: Scope) -> str | None:
    """NUL is never valid in a path or query value, and PostgreSQL refuses to store it. A lone
    surrogate cannot be encoded at all; percent-decoding (UTF-8, replacing what is invalid)
    never makes one, but a server decoding the path otherwise could hand one over. Bodies
    get the same refusal from kit/schemas.py."""
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if "\x00" in path or b"%00" in query or b"\x00" in query:
        return _NUL_MESSAGE
    if not path.isascii() and unreadable_text(path) is not None:
        return _SURROGATE_MESSAGE
    return None


async def _send_error(send: Send, exc: VezaError) -> None:
    """Answer from the middleware itself, before the application has run, in the envelope."""
    body = json.dumps(error_body(exc.code, exc.message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if exc.status_code == 413:
        headers.append((b"connection", b"close"))  # the rest of the body is not read
    await send({"type": "http.response.start", "status": exc.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Answering:
    """Counts a request in ``precedence`` from now until its response starts (or it ends)."""

    def __init__(self, precedence: Precedence | None) -> None:
        self.precedence = precedence
        if precedence is not None:
            precedence.begin()

    def watch(self, send: Send) -> Send:
        if self.precedence is None:
            return send

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.done()
            await send(message)

        return watched

    def done(self) -> None:
        if self.precedence is not None:
            self.precedence.end()
            self.precedence = None


class _BodyLimit:
    """Counts streamed body bytes so a body without Content-Length cannot pass the limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self.limit = limit
        self.received = 0
        self.exceeded = False
        self.replied = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.exceeded = True
                raise PayloadTooLarge(f"Request body exceeds the limit of {self.limit} bytes")
        return message
