"""Structured logs with structlog: one JSON object per line, request context bound per request.

Secrets never reach the log: a value whose key looks like a secret is replaced, and in every
string value (messages, paths, query strings, URLs, tracebacks) the value of a query
parameter named like a secret and a path segment that carries one are replaced too.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

from veza.config import LogSettings

REDACTED = "[redacted]"
_SECRET_KEYS = ("password", "secret", "token", "authorization", "cookie", "api_key", "credential")
# Query parameters: the keys above, plus presigned-URL signatures (X-Amz-Signature).
_SECRET_PARAMETER = re.compile(
    r"((?:^|[?&;])[\w.\-\[\]]*?(?:password|secret|token|authorization|cookie|api_key|apikey"
    r"|credential|signature)[\w.\-\[\]]*=)[^&#\s\"'<>]*",
    re.IGNORECASE,
)
# Path segments after which the contract puts a secret: /tracks/shared/{token},
# /playlists/shared/{token}, /queue/session/{token}.
_SECRET_SEGMENT = re.compile(r"(/(?:shared|session)/)[^/?#\s\"'<>]+", re.IGNORECASE)


def redact_url(text: str) -> str:
    """``text`` (a path, a query string, a URL, or any text holding some) with its secrets
    replaced by ``[redacted]``."""
    if "=" in text:
        text = _SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
    if "/s" in text or "/S" in text:
        text = _SECRET_SEGMENT.sub(rf"\1{REDACTED}", text)
    return text


def _redact_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Never let a secret reach the log, whatever a caller bound by mistake."""
    for key, value in event_dict.items():
        if any(marker in key.lower() for marker in _SECRET_KEYS):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = redact_url(value)
    return event_dict


def configure_logging(settings: LogSettings) -> None:
    level = logging.getLevelName(settings.level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # Tracebacks become text before the redaction, so it covers them too.
        structlog.processors.format_exc_info,
        _redact_secrets,
    ]
    structlog.configure(
        # filter_by_level first: a line below the configured level costs one check, not the
        # whole processor chain (the access log runs on every request).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log would duplicate ours; its error log goes through our formatter.
    logging.getLogger("uvicorn.access").handlers.clear()
    logging.getLogger("uvicorn.access").propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
