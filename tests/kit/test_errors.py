"""The error envelope: every refusal has the contract's shape and the right status, never a 500."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.factories import auth_headers, create_user
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in response.text
    return body


async def test_malformed_json_body_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/validate",
        content=b'{"type": "LoginRequest", ',
        headers={"content-type": "application/json"},
    )
    assert_error(response, 400, "INVALID_JSON")


async def test_wrong_field_type_is_400_with_field_details(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/validate", json={"type": 42, "data": {}})
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert {"field": "type", "message": "Input should be a valid string", "value": "42"} in body[
        "error"
    ]["details"]


async def test_missing_required_field_is_400(client: httpx.AsyncClient) -> None:
    body = assert_error(
        await client.post("/api/v1/validate", json={"data": {}}), 400, "VALIDATION_ERROR"
    )
    assert body["error"]["details"][0]["field"] == "type"
    assert body["error"]["details"][0]["message"] == "field required"


async def test_secret_values_are_never_echoed_in_details(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/validate",
        json={"type": "LoginRequest", "data": {"email": "a@b.co", "password": 123}},
    )
    # The validate endpoint itself reports errors in its body; the redaction is shared with 400s.
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert errors == [
        {"field": "password", "message": "Input should be a valid string", "value": "[redacted]"}
    ]


async def test_malformed_uuid_in_path_is_400(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app)
    response = await client.get(
        "/api/v1/tracks/not-a-uuid/status", headers=await auth_headers(app, user)
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == "id"
    assert body["error"]["details"][0]["value"] == "not-a-uuid"


async def test_missing_token_on_secured_operation_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/auth/me")
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unknown_route_is_404_in_the_envelope(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/no/such/route"), 404, "NOT_FOUND")
    assert_error(await client.get("/nowhere"), 404, "NOT_FOUND")


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/config/webrtc")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


async def test_oversized_body_is_413_by_content_length(client: httpx.AsyncClient) -> None:
    payload = b"x" * (1024 * 1024 + 1)
    response = await client.post(
        "/api/v1/logs/frontend", content=payload, headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_oversized_streamed_body_without_length_is_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * (64 * 1024)

    response = await client.post(
        "/api/v1/logs/frontend", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_unexpected_exception_is_500_without_internals(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    @app.get("/boom-for-test")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    response = await client.get("/boom-for-test")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "secret internal detail" not in response.text
    assert body["error"]["message"] == "Internal server error"


async def test_not_implemented_operation_is_501_in_the_envelope(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # Every contract operation is built; a declared stub still answers 501 in the envelope.
    @app.get("/stub-for-test")
    @not_implemented
    async def stub_for_test() -> None:
        raise NotImplementedYet()

    response = await client.get("/stub-for-test")
    assert_error(response, 501, "NOT_IMPLEMENTED")


async def test_nul_character_in_body_string_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/logs/frontend", json={"level": "info", "message": "a\u0000b"}
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == "message"


async def test_nul_character_in_query_or_path_is_400(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.get("/api/v1/auth/check-username?username=ab%00c"), 400, "VALIDATION_ERROR"
    )
    assert_error(await client.get("/api/v1/users/by-username/ab%00c"), 400, "VALIDATION_ERROR")


async def test_lone_surrogate_in_body_is_400_not_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/logs/frontend",
        content=b'{"level": "\\ud800"}',
        headers={"content-type": "application/json"},
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0] == {
        "field": "level",
        "message": body["error"]["details"][0]["message"],
        "value": "\\ud800",
    }


async def test_huge_page_number_is_served_not_overflowed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await create_user(app)
    response = await client.get(
        "/api/v1/users",
        params={"page": 10**30, "limit": 100},
        headers=await auth_headers(app, user),
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["pagination"]["page"] == 1_000_000


async def test_an_error_echoing_a_lone_surrogate_still_renders(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Whatever a refusal quotes (its message, a detail, a header, a framework's detail), the
    envelope can be encoded: a lone surrogate is sent as its escape text."""
    from starlette.exceptions import HTTPException

    from veza.kit.errors import ValidationFailed

    async def refuse_with_echo() -> None:
        raise ValidationFailed(
            "bad \ud800",
            details=[{"field": "a\udc00", "message": "m\ud800", "value": "v\udfff"}],
            headers={"X-Echo": "h\ud800\r\nx"},
        )

    async def framework_refusal() -> None:
        raise HTTPException(409, detail="taken: \ud800")

    async def crash() -> None:
        raise RuntimeError("boom \ud800")

    app.add_api_route("/api/v1/_echo", refuse_with_echo)
    app.add_api_route("/api/v1/_framework", framework_refusal)
    app.add_api_route("/api/v1/_crash", crash)

    body = assert_error(await client.get("/api/v1/_echo"), 400, "VALIDATION_ERROR")
    assert body["error"]["message"] == "bad \\ud800"
    assert body["error"]["details"] == [
        {"field": "a\\udc00", "message": "m\\ud800", "value": "v\\udfff"}
    ]
    echoed = await client.get("/api/v1/_echo")
    assert echoed.headers["x-echo"] == "h\\ud800  x"
    body = assert_error(await client.get("/api/v1/_framework"), 409, "HTTP_ERROR")
    assert body["error"]["message"] == "taken: \\ud800"
    assert_error(await client.get("/api/v1/_crash"), 500, "INTERNAL_ERROR")
