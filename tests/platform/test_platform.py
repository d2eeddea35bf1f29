"""Operational endpoints and the platform operations of the contract."""

from __future__ import annotations

import base64
import json
import os
import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.contract import operations
from veza.config import get_webrtc_settings


async def test_health_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


async def test_ready_is_503_when_the_database_is_down(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def failing_ping() -> None:
        raise ConnectionError("database down")

    app.state.db.ping = failing_ping
    response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"


async def test_metrics_expose_request_counters(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "veza_http_requests_total" in response.text
    assert 'route="/health"' in response.text


def _request_series(exposition: str) -> set[str]:
    return {
        line.split(" ")[0]
        for line in exposition.splitlines()
        if line.startswith("veza_http_requests_total{")
    }


async def test_metrics_series_stay_bounded_under_random_paths_and_methods(
    client: httpx.AsyncClient,
) -> None:
    """A fuzzer's made-up paths and methods are counted under "unmatched" and "OTHER": the
    number of series (kept for the life of the process) does not grow with what clients send."""
    for n in range(3):
        await client.request(f"FUZZ{n}", f"/api/v1/warm/{n}")
        await client.get(f"/api/v1/nothing-{n}/here?x={n}")
    before = _request_series((await client.get("/metrics")).text)
    for n in range(200):
        await client.request(f"M{uuid.uuid4().hex[:8].upper()}", f"/api/v1/{uuid.uuid4().hex}")
        await client.get(f"/api/v1/{uuid.uuid4().hex}/{n}?q={uuid.uuid4().hex}")
        await client.get(f"/api/v1/tracks/{uuid.uuid4()}")
    after = (await client.get("/metrics")).text
    assert len(_request_series(after) - before) <= 2  # at most the 404 of a known route, /metrics
    assert "/nothing-" not in after and "FUZZ" not in after
    assert 'method="OTHER",route="unmatched"' in after
    assert 'route="/api/v1/tracks/{id}",status="404"' in after


async def test_docs_page_and_its_assets_are_served_locally(client: httpx.AsyncClient) -> None:
    page = await client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "/api/v1/docs/static/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    asset = await client.get("/api/v1/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000


async def test_served_openapi_lists_every_contract_path(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    served = {(m.upper(), p) for p, item in schema["paths"].items() for m in item}
    for operation in operations():
        assert (operation.method, operation.served_path) in served
    assert not any(path.startswith("/api/v1/api/v1") for path in schema["paths"])


@pytest.fixture
def webrtc_env(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    get_webrtc_settings.cache_clear()
    yield monkeypatch
    get_webrtc_settings.cache_clear()


async def test_webrtc_config_stun_only_by_default(client: httpx.AsyncClient, webrtc_env) -> None:  # type: ignore[no-untyped-def]
    webrtc_env.setenv("WEBRTC_STUN_URLS", "stun:a.example:3478, stun:b.example:3478")
    webrtc_env.delenv("WEBRTC_TURN_URLS", raising=False)
    response = await client.get("/api/v1/config/webrtc")
    assert response.json() == {
        "iceServers": [{"urls": ["stun:a.example:3478", "stun:b.example:3478"]}]
    }


async def test_webrtc_config_with_full_turn(client: httpx.AsyncClient, webrtc_env) -> None:  # type: ignore[no-untyped-def]
    webrtc_env.setenv("WEBRTC_STUN_URLS", "stun:a.example:3478")
    webrtc_env.setenv("WEBRTC_TURN_URLS", "turn:t.example:3478?transport=udp,turns:t.example:5349")
    webrtc_env.setenv("WEBRTC_TURN_USERNAME", "veza")
    webrtc_env.setenv("WEBRTC_TURN_CREDENTIAL", "s3cret")
    servers = (await client.get("/api/v1/config/webrtc")).json()["iceServers"]
    assert servers[1] == {
        "urls": ["turn:t.example:3478?transport=udp", "turns:t.example:5349"],
        "username": "veza",
        "credential": "s3cret",
    }


@pytest.mark.parametrize(
    "env",
    [
        {"WEBRTC_TURN_URLS": "turn:t.example:3478", "WEBRTC_TURN_USERNAME": "veza"},
        {"WEBRTC_TURN_USERNAME": "veza", "WEBRTC_TURN_CREDENTIAL": "s3cret"},
    ],
)
async def test_webrtc_half_configured_turn_is_left_out(
    client: httpx.AsyncClient, webrtc_env, env
) -> None:  # type: ignore[no-untyped-def]
    for name in ("WEBRTC_TURN_URLS", "WEBRTC_TURN_USERNAME", "WEBRTC_TURN_CREDENTIAL"):
        webrtc_env.delenv(name, raising=False)
    webrtc_env.setenv("WEBRTC_STUN_URLS", "stun:a.example:3478")
    for name, value in env.items():
        webrtc_env.setenv(name, value)
    servers = (await client.get("/api/v1/config/webrtc")).json()["iceServers"]
    assert servers == [{"urls": ["stun:a.example:3478"]}]


VALID_LOGIN = {"email": "a@b.co", "password": "whatever-password"}


@pytest.mark.parametrize(
    "data",
    [
        VALID_LOGIN,
        base64.b64encode(json.dumps(VALID_LOGIN).encode()).decode(),
        list(json.dumps(VALID_LOGIN).encode()),
    ],
    ids=["object", "base64", "bytes"],
)
async def test_validate_accepts_the_three_encodings(client: httpx.AsyncClient, data) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/validate", json={"type": "LoginRequest", "data": data})
    assert response.status_code == 200
    assert response.json() == {"valid": True, "message": "Valid", "errors": []}


async def test_validate_reports_field_errors(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/validate",
        json={"type": "RegisterRequest", "data": {"email": "a@b.co", "password": "short"}},
    )
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"password", "password_confirmation"}


async def test_validate_unknown_type_and_undecodable_data_are_400(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.post("/api/v1/validate", json={"type": "NoSuchRequest", "data": {}})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"][0]["field"] == "type"
    garbage = await client.post(
        "/api/v1/validate", json={"type": "LoginRequest", "data": "%%%not-base64"}
    )
    assert garbage.status_code == 400
    assert garbage.json()["error"]["details"][0]["field"] == "data"


async def test_frontend_log_is_received_and_logged(client: httpx.AsyncClient, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("INFO", logger="veza.frontend")
    response = await client.post(
        "/api/v1/logs/frontend",
        json={"level": "error", "message": "Player crashed", "context": {"page": "/tracks/1"}},
    )
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"received": True}}
    assert any("Player crashed" in str(record.msg) for record in caplog.records)


async def test_frontend_log_with_unknown_level_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/logs/frontend", json={"level": "shout", "message": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "level"


async def test_ready_checks_redis_when_configured(app: FastAPI, client: httpx.AsyncClient) -> None:
    redis_url = os.environ.get("VEZA_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("VEZA_TEST_REDIS_URL is not set")
    app.state.settings.redis_url = redis_url
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_ready_is_503_when_redis_is_down(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.settings.redis_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["error"]["message"] == "Redis is not reachable"
