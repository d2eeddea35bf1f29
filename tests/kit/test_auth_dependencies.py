"""The Bearer dependencies: what makes an access token acceptable, and every way it is not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import jwt
from fastapi import FastAPI
from sqlalchemy import update

from tests.conftest import TEST_JWT_SECRET
from tests.factories import access_token, create_user
from veza.models import AuthSession, User

SECURED = "/api/v1/auth/me"  # any secured operation: 200 once authenticated


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_valid_token_reaches_the_operation(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app)
    response = await client.get(SECURED, headers=bearer(await access_token(app, user)))
    assert response.status_code == 200


async def test_expired_token_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app)
    token = app.state.tokens.encode(
        subject=str(user.id), typ="access", ttl_seconds=-60, claims={"token_version": 0}
    )
    response = await client.get(SECURED, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_EXPIRED"


async def test_token_of_another_kind_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app)
    token = app.state.tokens.encode(subject=str(user.id), typ="stream", ttl_seconds=300)
    response = await client.get(SECURED, headers=bearer(token))
    assert response.status_code == 401


async def test_token_signed_with_another_key_is_401(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await create_user(app)
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "typ": "access",
        "iss": "veza",
        "iat": now,
        "exp": now.timestamp() + 600,
    }
    forged = jwt.encode(
        {**claims, "jti": "x", "token_version": 0}, "another-key-" + "y" * 40, "HS256"
    )
    assert (await client.get(SECURED, headers=bearer(forged))).status_code == 401


async def test_unsigned_alg_none_token_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app)
    now = datetime.now(UTC).timestamp()
    claims = {
        "sub": str(user.id),
        "typ": "access",
        "iss": "veza",
        "iat": now,
        "exp": now + 600,
        "jti": "x",
    }
    unsigned = jwt.encode({**claims, "token_version": 0}, key=None, algorithm="none")
    assert (await client.get(SECURED, headers=bearer(unsigned))).status_code == 401


async def test_token_with_other_allowed_family_algorithm_is_401(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await create_user(app)
    now = datetime.now(UTC).timestamp()
    claims = {
        "sub": str(user.id),
        "typ": "access",
        "iss": "veza",
        "iat": now,
        "exp": now + 600,
        "jti": "x",
    }
    other_alg = jwt.encode({**claims, "token_version": 0}, TEST_JWT_SECRET, algorithm="HS512")
    assert (await client.get(SECURED, headers=bearer(other_alg))).status_code == 401


async def test_garbage_and_wrong_scheme_are_401(client: httpx.AsyncClient) -> None:
    assert (await client.get(SECURED, headers=bearer("not.a.jwt"))).status_code == 401
    assert (
        await client.get(SECURED, headers={"Authorization": "Basic Zm9vOmJhcg=="})
    ).status_code == 401


async def test_token_of_unknown_user_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    token = app.state.tokens.encode(
        subject=str(uuid.uuid4()), typ="access", ttl_seconds=300, claims={"token_version": 0}
    )
    assert (await client.get(SECURED, headers=bearer(token))).status_code == 401


async def test_a_token_of_an_older_token_version_asks_for_a_refresh(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The session is still open, so the client is told to refresh, not to log in again."""
    user = await create_user(app)
    token = await access_token(app, user)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(update(User).where(User.id == user.id).values(token_version=1))
    response = await client.get(SECURED, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_EXPIRED"


async def test_an_outdated_token_of_a_revoked_session_says_the_session_ended(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await create_user(app)
    token = await access_token(app, user)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(update(User).where(User.id == user.id).values(token_version=1))
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == await _session_of(token))
            .values(revoked_at=datetime.now(UTC))
        )
    response = await client.get(SECURED, headers=bearer(token))
    assert response.json()["error"]["code"] == "SESSION_REVOKED"


async def test_deleted_or_inactive_user_token_is_401(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    deleted = await create_user(app, deleted_at=datetime.now(UTC))
    inactive = await create_user(app, is_active=False)
    banned = await create_user(app, is_banned=True)
    for user in (deleted, inactive, banned):
        assert (
            await client.get(SECURED, headers=bearer(await access_token(app, user)))
        ).status_code == 401


async def _session_of(token: str) -> uuid.UUID:
    return uuid.UUID(jwt.decode(token, options={"verify_signature": False})["sid"])


async def test_token_of_a_revoked_session_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app)
    token = await access_token(app, user)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == await _session_of(token))
            .values(revoked_at=datetime.now(UTC))
        )
    response = await client.get(SECURED, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "SESSION_REVOKED"


async def test_token_of_an_expired_session_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app)
    token = await access_token(app, user)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == await _session_of(token))
            .values(expires_at=datetime.now(UTC))
        )
    assert (await client.get(SECURED, headers=bearer(token))).status_code == 401


async def test_token_without_a_session_or_with_an_unknown_one_is_401(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await create_user(app)
    for claims in ({"token_version": 0}, {"token_version": 0, "sid": str(uuid.uuid4())}):
        token = app.state.tokens.encode(
            subject=str(user.id), typ="access", ttl_seconds=300, claims=claims
        )
        assert (await client.get(SECURED, headers=bearer(token))).status_code == 401
