"""No secret reaches the log output: share tokens in paths, tokens in query strings, links in
frontend logs and tracebacks are redacted in the rendered lines (kit/logging.py)."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

SECRET = "Zq8-very_secret-T0ken"


@pytest.fixture
def log_output(app: FastAPI) -> Iterator[io.StringIO]:
    """What the application's log handler writes (JSON lines), from INFO up."""
    root = logging.getLogger()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous_stream, previous_level = handler.setStream(stream), root.level
    root.setLevel(logging.INFO)
    yield stream
    root.setLevel(previous_level)
    handler.setStream(previous_stream)


def _lines(output: io.StringIO, logger: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in output.getvalue().splitlines() if line]
    return [line for line in parsed if line.get("logger") == logger]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/tracks/shared/{SECRET}",
        f"/api/v1/tracks/shared/{SECRET}/",  # unmatched (a redirect): redacted all the same
        f"/api/v1/playlists/shared/{SECRET}",
        f"/api/v1/queue/session/{SECRET}/items",
    ],
)
async def test_tokens_in_paths_are_redacted_in_the_access_log(
    client: httpx.AsyncClient, log_output: io.StringIO, path: str
) -> None:
    await client.get(path)
    assert SECRET not in log_output.getvalue()
    (line,) = _lines(log_output, "veza.access")
    assert line["path"] == path.replace(SECRET, "[redacted]")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/tracks/{id}/stream", f"share_token={SECRET}"),
        ("/api/v1/tracks/{id}/download", f"quality=high&share_token={SECRET}"),
        ("/hls/{id}/master.m3u8", f"token={SECRET}"),
        ("/api/v1/auth/verify-email", f"token={SECRET}"),
    ],
)
async def test_tokens_in_query_strings_are_redacted_in_the_access_log(
    client: httpx.AsyncClient, log_output: io.StringIO, path: str, query: str
) -> None:
    url = path.replace("{id}", str(uuid.uuid4()))
    method = "POST" if "verify-email" in path else "GET"
    await client.request(method, f"{url}?{query}")
    assert SECRET not in log_output.getvalue()
    (line,) = _lines(log_output, "veza.access")
    assert line["query"] == query.replace(SECRET, "[redacted]")
    assert line["path"] == url


async def test_a_query_without_secrets_is_logged_as_sent(
    client: httpx.AsyncClient, log_output: io.StringIO
) -> None:
    await client.get("/api/v1/tracks?page=2&limit=5")
    (line,) = _lines(log_output, "veza.access")
    assert line["query"] == "page=2&limit=5"


async def test_links_in_frontend_logs_are_redacted(
    client: httpx.AsyncClient, log_output: io.StringIO
) -> None:
    response = await client.post(
        "/api/v1/logs/frontend",
        json={
            "level": "error",
            "message": f"Player failed on https://veza.test/tracks/shared/{SECRET}",
            "context": {
                "url": f"https://veza.test/reset-password?token={SECRET}",
                "media": f"https://bucket.test/a.mp3?X-Amz-Signature={SECRET}&x=1",
            },
        },
    )
    assert response.status_code == 200
    assert SECRET not in log_output.getvalue()
    (line,) = _lines(log_output, "veza.frontend")
    assert line["frontend_message"].endswith("/tracks/shared/[redacted]")
    assert "reset-password?token=[redacted]" in line["frontend_context"]
    assert "X-Amz-Signature=[redacted]&x=1" in line["frontend_context"]


async def test_tracebacks_are_redacted_too(log_output: io.StringIO) -> None:
    import structlog

    try:
        raise ValueError(f"could not fetch https://veza.test/verify-email?token={SECRET}")
    except ValueError:
        structlog.get_logger("veza.test").exception("fetch_failed")
    assert "fetch_failed" in log_output.getvalue()
    assert "token=[redacted]" in log_output.getvalue()
    assert SECRET not in log_output.getvalue()
