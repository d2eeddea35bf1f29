"""POST /auth/login: tokens, the refresh cookie, refusals, rehashing and rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from tests.auth.conftest import API, audit_actions, bearer, client_from, fetch_user, login
from tests.conftest import TEST_JWT_SECRET
from tests.factories import PASSWORD, create_user
from veza.app import create_app
from veza.config import RateLimitSettings, Settings
from veza.kit.passwords import needs_rehash
from veza.kit.ratelimit import get_rate_limiter
from veza.kit.ratelimit_memory import BoundedMemoryStorage
from veza.models import User


async def test_login_returns_an_access_token_and_sets_the_refresh_cookie(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    response = await login(client, user.email)
    assert response.status_code == 200
    body = response.json()
    assert body["requires_2fa"] is False
    assert body["user"] == {"id": str(user.id), "email": user.email, "username": user.username}
    token = body["token"]
    assert token["expires_in"] == 900
    claims = jwt.decode(token["access_token"], TEST_JWT_SECRET, algorithms=["HS256"], issuer="veza")
    assert claims["sub"] == str(user.id)
    assert claims["typ"] == "access"
    assert claims["token_version"] == 0
    assert claims["exp"] - claims["iat"] == 900
    assert {"jti", "sid"} <= claims.keys()
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"refresh_token={token['refresh_token']};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/api/v1/auth" in cookie
    assert "Max-Age" not in cookie  # without remember_me: a browser-session cookie
    assert "Secure" not in cookie  # the test settings turn it off (plain http)
    me = await client.get(f"{API}/auth/me", headers=bearer(token["access_token"]))
    assert me.status_code == 200 and me.json()["data"]["id"] == str(user.id)
    refreshed = await fetch_user(app, user.id)
    assert refreshed.login_count == 1 and refreshed.last_login_at is not None
    assert await audit_actions(app, user.id) == ["auth.login"]


async def test_remember_me_keeps_the_refresh_cookie_for_thirty_days(
    client: httpx.AsyncClient, user: User
) -> None:
    response = await login(client, user.email, remember_me=True)
    assert "Max-Age=2592000" in response.headers["set-cookie"]


async def test_refresh_cookie_is_secure_by_default(settings: Settings) -> None:
    secure = settings.model_copy(
        update={"auth": settings.auth.model_copy(update={"cookie_secure": True})}
    )
    app = create_app(secure)
    user = await create_user(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await login(client, user.email)
    await app.state.db.dispose()
    assert "Secure" in response.headers["set-cookie"]


async def test_login_email_is_case_insensitive(client: httpx.AsyncClient, user: User) -> None:
    assert (await login(client, user.email.upper())).status_code == 200


async def test_wrong_password_and_unknown_email_get_the_same_401(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    wrong = await login(client, user.email, "not the password at all")
    unknown = await login(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert "set-cookie" not in wrong.headers
    # Both failures are audited, although the request answered 401.
    assert await audit_actions(app) == ["auth.login_failed", "auth.login_failed"]
    assert await audit_actions(app, user.id) == ["auth.login_failed"]


async def test_disabled_account_cannot_log_in(app: FastAPI, client: httpx.AsyncClient) -> None:
    banned = await create_user(app, is_banned=True)
    response = await login(client, banned.email)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ACCOUNT_DISABLED"


async def test_login_refuses_missing_fields(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{API}/auth/login", json={"email": "a@example.com"})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0] == {
        "field": "password",
        "message": "field required",
        "value": "[redacted]",
    }


async def test_login_rehashes_a_password_hashed_with_older_parameters(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    user = await create_user(app, password_hash=weak)
    assert (await login(client, user.email)).status_code == 200
    rehashed = (await fetch_user(app, user.id)).password_hash
    assert rehashed != weak and not needs_rehash(rehashed)
    assert (await login(client, user.email)).status_code == 200


@pytest.fixture
async def strict_app(settings: Settings) -> AsyncIterator[FastAPI]:
    limits = RateLimitSettings(
        login_failures_per_account="3 per 15 minutes", login_failures_per_ip="5 per 15 minutes"
    )
    app = create_app(settings.model_copy(update={"rate_limit": limits}))
    yield app
    await app.state.db.dispose()


async def test_failed_logins_are_limited_per_account_with_retry_after(
    strict_app: FastAPI,
) -> None:
    user = await create_user(strict_app)
    async with (
        client_from(strict_app, "203.0.113.1") as first,
        client_from(strict_app, "203.0.113.2") as second,
    ):
        for _ in range(3):
            assert (await login(first, user.email, "wrong password here")).status_code == 401
        # From another address, even the right password waits: the account is the target.
        limited = await login(second, user.email)
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "RATE_LIMITED"
        assert 1 <= int(limited.headers["Retry-After"]) <= 900
        other = await create_user(strict_app)
        assert (await login(second, other.email)).status_code == 200


async def test_failed_logins_are_limited_per_ip(strict_app: FastAPI) -> None:
    users = [await create_user(strict_app) for _ in range(3)]
    async with (
        client_from(strict_app, "203.0.113.7") as attacker,
        client_from(strict_app, "198.51.100.9") as someone,
    ):
        for target in users + users[:2]:
            assert (await login(attacker, target.email, "wrong password here")).status_code == 401
        limited = await login(attacker, users[2].email)
        assert limited.status_code == 429 and "Retry-After" in limited.headers
        # Another address is not affected.
        assert (await login(someone, users[2].email)).status_code == 200


async def test_failed_logins_for_random_addresses_keep_a_bounded_number_of_counts(
    settings: Settings,
) -> None:
    """Without Redis, counts live in the process: failed logins for made-up addresses from
    made-up client addresses (a botnet behind the proxy) keep at most ``memory_max_keys``."""
    limits = RateLimitSettings(login_failures_per_account="3 per 15 minutes", memory_max_keys=20)
    app = create_app(settings.model_copy(update={"rate_limit": limits}))
    try:
        for n in range(30):
            async with client_from(app, f"203.0.113.{n + 1}") as client:
                refused = await login(client, f"nobody{n}@example.com", "wrong password here")
                assert refused.status_code == 401
        storage = get_rate_limiter(app).storage
        assert isinstance(storage, BoundedMemoryStorage)
        assert len(storage.events) <= 20
        # The recent counts still hold: an account tried three times is refused.
        user = await create_user(app)
        async with client_from(app, "198.51.100.20") as client:
            for _ in range(3):
                assert (await login(client, user.email, "wrong password here")).status_code == 401
            assert (await login(client, user.email)).status_code == 429
    finally:
        await app.state.db.dispose()


async def test_successful_login_clears_the_account_failure_count(strict_app: FastAPI) -> None:
    user = await create_user(strict_app)
    async with client_from(strict_app, "203.0.113.7") as client:
        for _ in range(2):
            await login(client, user.email, "wrong password here")
        assert (await login(client, user.email)).status_code == 200
        async with client_from(strict_app, "198.51.100.10") as other:
            for _ in range(2):
                assert (await login(other, user.email, "wrong password here")).status_code == 401
            assert (await login(other, user.email)).status_code == 200
