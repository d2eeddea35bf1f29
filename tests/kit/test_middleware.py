"""Request ids, security headers, CORS."""

from __future__ import annotations

import httpx


async def test_request_id_is_generated_and_returned(client: httpx.AsyncClient) -> None:
    first = await client.get("/health")
    second = await client.get("/health")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_incoming_request_id_is_kept_when_well_formed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123.def_4"})
    assert response.headers["x-request-id"] == "abc-123.def_4"


async def test_malformed_incoming_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) == 32


async def test_security_headers_on_success_and_error(client: httpx.AsyncClient) -> None:
    for response in (await client.get("/health"), await client.get("/api/v1/nope")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_cors_preflight_allows_configured_origin_only(client: httpx.AsyncClient) -> None:
    allowed = await client.options(
        "/api/v1/auth/login",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    refused = await client.options(
        "/api/v1/auth/login",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in refused.headers


async def test_access_log_line_carries_request_context(client: httpx.AsyncClient, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("INFO", logger="veza.access")
    response = await client.get("/api/v1/config/webrtc", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    lines = [record.msg for record in caplog.records if record.name == "veza.access"]
    assert any(
        isinstance(line, dict)
        and line.get("request_id") == "req-42"
        and line.get("route") == "/api/v1/config/webrtc"
        and line.get("method") == "GET"
        and line.get("status") == 200
        and "duration_ms" in line
        for line in lines
    ), lines


async def test_metrics_label_routes_by_template_not_by_raw_path(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/users/not-a-uuid")
    metrics = (await client.get("/metrics")).text
    assert 'route="/api/v1/users/{id}"' in metrics
    assert "not-a-uuid" not in metrics


async def test_access_log_names_the_authenticated_user(
    app, client: httpx.AsyncClient, caplog
) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import auth_headers, create_user

    user = await create_user(app)
    caplog.set_level("INFO", logger="veza.access")
    response = await client.get("/api/v1/auth/me", headers=await auth_headers(app, user))
    assert response.status_code == 200
    lines = [record.msg for record in caplog.records if record.name == "veza.access"]
    assert any(isinstance(line, dict) and line.get("user_id") == str(user.id) for line in lines), (
        lines
    )


async def test_lone_surrogate_in_a_decoded_path_is_400(app) -> None:  # type: ignore[no-untyped-def]
    """Percent-decoding never yields a surrogate, but a server decoding paths otherwise could:
    the ASGI scope is driven by hand, as such a server would fill it."""
    import json

    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/users/by-username/a\udc80b",
        "raw_path": b"/api/v1/users/by-username/a%80b",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 400
    body = json.loads(b"".join(message.get("body", b"") for message in sent[1:]))
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert "surrogate" in body["error"]["message"]


async def test_a_content_length_thousands_of_digits_long_is_413(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/auth/login",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": "9" * 5000},
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
