"""Access, stream and chat tokens: what each is accepted for, and forged or misused tokens."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from fastapi import FastAPI

from tests.auth.conftest import API, bearer, login_tokens
from tests.conftest import TEST_JWT_SECRET
from tests.factories import access_token, create_user
from veza.kit.errors import Unauthorized
from veza.kit.tokens import CHAT_AUDIENCE, CHAT_TOKEN_TYPE, STREAM_AUDIENCE, STREAM_TOKEN_TYPE
from veza.models import User

ME = f"{API}/auth/me"


def _claims(user: User, **extra: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    return {
        "sub": str(user.id),
        "typ": "access",
        "iss": "veza",
        "iat": now,
        "exp": now + 600,
        "jti": "j",
        "token_version": 0,
        **extra,
    }


async def test_stream_token_is_a_five_minute_jwt_for_hls_and_websockets_only(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    response = await client.post(
        f"{API}/auth/stream-token", headers=bearer(await access_token(app, user))
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_in"} and body["expires_in"] == 300
    claims = app.state.tokens.decode(body["token"], typ=STREAM_TOKEN_TYPE, audience=STREAM_AUDIENCE)
    assert claims["sub"] == str(user.id) and claims["exp"] - claims["iat"] == 300
    # Not an access token: refused by the API.
    assert (await client.get(ME, headers=bearer(body["token"]))).status_code == 401
    # Not a chat token either.
    with pytest.raises(Unauthorized):
        app.state.tokens.decode(body["token"], typ=CHAT_TOKEN_TYPE, audience=CHAT_AUDIENCE)


async def test_chat_token_carries_the_chat_audience(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    response = await client.get(f"{API}/chat/token", headers=bearer(await access_token(app, user)))
    assert response.status_code == 200
    data = response.json()["data"]
    claims = app.state.tokens.decode(data["token"], typ=CHAT_TOKEN_TYPE, audience=CHAT_AUDIENCE)
    assert claims["sub"] == str(user.id) and claims["username"] == user.username
    assert data["expires_in"] == 300
    assert (await client.get(ME, headers=bearer(data["token"]))).status_code == 401


async def test_refresh_token_is_not_an_access_token(client: httpx.AsyncClient, user: User) -> None:
    tokens = await login_tokens(client, user.email)
    assert (await client.get(ME, headers=bearer(tokens["refresh_token"]))).status_code == 401


async def test_unsigned_alg_none_token_is_refused(client: httpx.AsyncClient, user: User) -> None:
    forged = jwt.encode(_claims(user), key=None, algorithm="none")
    response = await client.get(ME, headers=bearer(forged))
    assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_TOKEN"


async def test_expired_access_token_is_refused(client: httpx.AsyncClient, user: User) -> None:
    now = int(datetime.now(UTC).timestamp())
    expired = jwt.encode(_claims(user, iat=now - 1000, exp=now - 60), TEST_JWT_SECRET, "HS256")
    response = await client.get(ME, headers=bearer(expired))
    assert response.status_code == 401 and response.json()["error"]["code"] == "TOKEN_EXPIRED"


async def test_tampered_access_token_is_refused(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    header, payload, signature = (await access_token(app, user)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["token_version"] = 0
    claims["sub"] = claims["sub"][:-1] + ("0" if claims["sub"][-1] != "0" else "1")
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = await client.get(ME, headers=bearer(f"{header}.{forged_payload}.{signature}"))
    assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_TOKEN"


async def test_access_token_with_an_audience_is_refused(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    for audience in (STREAM_AUDIENCE, CHAT_AUDIENCE, "someone-else"):
        token = app.state.tokens.encode(
            subject=str(user.id),
            typ="access",
            ttl_seconds=300,
            audience=audience,
            claims={"token_version": 0},
        )
        assert (await client.get(ME, headers=bearer(token))).status_code == 401


async def test_access_token_without_a_session_claim_is_refused(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    token = app.state.tokens.encode(
        subject=str(user.id), typ="access", ttl_seconds=300, claims={"token_version": 0}
    )
    response = await client.get(ME, headers=bearer(token))
    assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_TOKEN"


async def test_token_naming_another_users_session_is_refused(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    other_token = await access_token(app, user)
    sid = jwt.decode(other_token, options={"verify_signature": False})["sid"]
    intruder = await create_user(app)
    token = app.state.tokens.encode(
        subject=str(intruder.id),
        typ="access",
        ttl_seconds=300,
        claims={"token_version": 0, "sid": sid},
    )
    response = await client.get(ME, headers=bearer(token))
    assert response.status_code == 401 and response.json()["error"]["code"] == "SESSION_REVOKED"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/auth/stream-token"),
        ("GET", "/chat/token"),
        ("GET", "/auth/me"),
        ("GET", "/auth/2fa/status"),
        ("POST", "/auth/2fa/setup"),
        ("POST", "/users/me/privacy/opt-out"),
    ],
)
async def test_secured_account_operations_refuse_anonymous_callers(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, f"{API}{path}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
