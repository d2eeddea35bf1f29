"""Platform operations that belong to no domain: ICE config, DTO validation, frontend logs."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import BaseModel, ValidationError

from veza.config import ServerSettings, WebRTCSettings
from veza.kit.errors import Forbidden, Unauthorized, ValidationFailed
from veza.kit.schemas import RequestModel
from veza.kit.validation import validation_details
from veza.platform.schemas import (
    FieldErrorItem,
    FrontendLogRequest,
    IceServer,
    ValidateRequest,
    ValidateResponse,
    WebRTCConfigResponse,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

frontend_log = structlog.get_logger("veza.frontend")

_MAX_LOGGED_CHARS = 2000


def _split_urls(value: str) -> list[str]:
    return [url.strip() for url in value.split(",") if url.strip()]


def webrtc_config(settings: WebRTCSettings) -> WebRTCConfigResponse:
    servers: list[IceServer] = []
    stun = _split_urls(settings.stun_urls)
    if stun:
        servers.append(IceServer(urls=stun))
    turn = _split_urls(settings.turn_urls)
    username = settings.turn_username.get_secret_value()
    credential = settings.turn_credential.get_secret_value()
    # A half-configured TURN entry would make browsers fail ICE gathering: leave it out.
    if turn and username and credential:
        servers.append(IceServer(urls=turn, username=username, credential=credential))
    return WebRTCConfigResponse(iceServers=servers)


def _request_models() -> dict[str, type[BaseModel]]:
    """Every request model the API declares, by class name (the DTO names the web app uses)."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = list(RequestModel.__subclasses__())
    while pending:
        model = pending.pop()
        found.setdefault(model.__name__, model)
        pending.extend(model.__subclasses__())
    return found


def _decode_payload(data: dict[str, Any] | str | list[int]) -> Any:
    if isinstance(data, dict):
        return data
    try:
        raw = bytes(data) if isinstance(data, list) else base64.b64decode(data, validate=True)
        return json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed.field(
            "data", "must be a JSON object, base64 JSON or JSON bytes"
        ) from exc


def validate_dto(request: ValidateRequest) -> ValidateResponse:
    model = _request_models().get(request.type)
    if model is None:
        raise ValidationFailed.field("type", "unknown request type", request.type)
    payload = _decode_payload(request.data)
    try:
        model.model_validate(payload)
    except ValidationError as exc:
        errors = [FieldErrorItem(**item) for item in validation_details(exc.errors())]
        return ValidateResponse(valid=False, message="Validation failed", errors=errors)
    return ValidateResponse(valid=True, message="Valid")


def record_frontend_log(entry: FrontendLogRequest, request_ip: str | None) -> None:
    level = (entry.level or "info").replace("warning", "warn").replace("fatal", "error")
    method = {
        "debug": frontend_log.debug,
        "warn": frontend_log.warning,
        "error": frontend_log.error,
    }
    emit = method.get(level, frontend_log.info)
    context = json.dumps(entry.context, default=str)[:_MAX_LOGGED_CHARS] if entry.context else None
    emit(
        "frontend_log",
        frontend_message=(entry.message or "")[:_MAX_LOGGED_CHARS],
        frontend_timestamp=entry.timestamp,
        frontend_context=context,
        client_ip=request_ip,
    )


def check_metrics_access(
    settings: ServerSettings, client_host: str | None, authorization: str | None
) -> None:
    """Metrics tell route names, traffic and error rates: with ``metrics_token`` set, every
    client must present it as a Bearer token; without one, only loopback clients may read."""
    expected = settings.metrics_token.get_secret_value()
    if expected:
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.strip().encode(), expected.encode()
        ):
            raise Unauthorized("A valid metrics token is required")
        return
    if not _is_loopback(client_host):
        raise Forbidden("Metrics are served to loopback clients only")


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_REDIS_PROBE_TIMEOUT_SECONDS = 2.0


async def ping_redis(state: Any) -> None:
    """Ping the configured Redis with a client kept in the application's ``state`` for the
    probes (no reconnect per probe)."""
    client: Redis | None = getattr(state, "readiness_redis", None)
    if client is None:
        from redis.asyncio import Redis  # imported with Redis configured only

        client = Redis.from_url(
            state.settings.redis_url,
            socket_timeout=_REDIS_PROBE_TIMEOUT_SECONDS,
            socket_connect_timeout=_REDIS_PROBE_TIMEOUT_SECONDS,
        )
        state.readiness_redis = client
    await client.ping()
