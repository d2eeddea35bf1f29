"""POST /auth/password/reset-request and /auth/password/reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from tests.auth.conftest import (
    API,
    STRONG_PASSWORD,
    audit_actions,
    bearer,
    last_token_for,
    login,
    login_tokens,
    outbox,
    register,
)
from tests.factories import PASSWORD
from veza.config import Settings
from veza.models import OneTimeToken, User

NEW_PASSWORD = "a brand new passphrase 7"


async def _request_reset(client: httpx.AsyncClient, address: str) -> httpx.Response:
    return await client.post(f"{API}/auth/password/reset-request", json={"email": address})


async def _reset(
    client: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return await client.post(
        f"{API}/auth/password/reset", json={"token": token, "new_password": password}
    )


async def test_reset_request_answers_the_same_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    known = await _request_reset(client, user.email)
    unknown = await _request_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert [m["To"] for m in outbox(settings)] == [user.email]


async def test_reset_request_refuses_a_malformed_email(client: httpx.AsyncClient) -> None:
    assert (await _request_reset(client, "not an email")).status_code == 400


async def test_reset_changes_the_password_and_ends_every_session(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    session_tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    await _request_reset(client, user.email)
    response = await _reset(client, last_token_for(settings, user.email, "reset"))
    assert response.status_code == 200
    assert response.json()["data"]["message"]

    me = await client.get(f"{API}/auth/me", headers=bearer(session_tokens["access_token"]))
    assert me.status_code == 401
    refresh = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": session_tokens["refresh_token"]}
    )
    assert refresh.status_code == 401
    assert (await login(client, user.email, PASSWORD)).status_code == 401
    assert (await login(client, user.email, NEW_PASSWORD)).status_code == 200
    assert "auth.password_reset" in await audit_actions(app, user.id)
    assert any("password was changed" in str(m["Subject"]) for m in outbox(settings))


async def test_reset_token_is_single_use(
    client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    await _request_reset(client, user.email)
    token = last_token_for(settings, user.email, "reset")
    assert (await _reset(client, token)).status_code == 200
    again = await _reset(client, token, "yet another passphrase 8")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "INVALID_RESET_TOKEN"


async def test_a_newer_reset_request_retires_the_older_link(
    client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    await _request_reset(client, user.email)
    old = last_token_for(settings, user.email, "reset")
    await _request_reset(client, user.email)
    assert (await _reset(client, old)).status_code == 400
    assert (await _reset(client, last_token_for(settings, user.email, "reset"))).status_code == 200


async def test_reset_token_expires_after_an_hour(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    await _request_reset(client, user.email)
    async with app.state.db.reader() as session:
        token_row = (await session.execute(OneTimeToken.__table__.select())).one()
    assert round((token_row.expires_at - token_row.created_at).total_seconds()) == 3600
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(OneTimeToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await _reset(client, last_token_for(settings, user.email, "reset"))).status_code == 400


async def test_verification_token_cannot_reset_a_password(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await register(client, "uma@example.com")
    verify_token = last_token_for(settings, "uma@example.com", "confirm")
    assert (await _reset(client, verify_token)).status_code == 400


async def test_weak_new_password_is_refused_and_the_link_still_works(
    client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    await _request_reset(client, user.email)
    token = last_token_for(settings, user.email, "reset")
    weak = await _reset(client, token, "qwerty123456")
    assert weak.status_code == 400
    assert weak.json()["error"]["details"][0]["field"] == "new_password"
    short = await _reset(client, token, "short")
    assert short.status_code == 400
    assert (await _reset(client, token)).status_code == 200


async def test_reset_verifies_an_unverified_email(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await register(client, "vera@example.com")
    await _request_reset(client, "vera@example.com")
    await _reset(client, last_token_for(settings, "vera@example.com", "reset"))
    # The mailed link proved the address: login no longer waits for verification.
    assert (await login(client, "vera@example.com", NEW_PASSWORD)).status_code == 200
    assert (await login(client, "vera@example.com", STRONG_PASSWORD)).status_code == 401
