"""Refresh-token rotation, reuse detection and its grace window, concurrency, and logout."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from tests.auth.conftest import API, audit_actions, bearer, login, login_tokens
from tests.factories import create_user
from veza.app import create_app
from veza.config import Settings
from veza.models import AuthSession, RefreshToken, User


async def _refresh(
    client: httpx.AsyncClient, token: str | None, **kwargs: object
) -> httpx.Response:
    body = {} if token is None else {"refresh_token": token}
    return await client.post(f"{API}/auth/refresh", json=body, **kwargs)  # type: ignore[arg-type]


async def _spent_longer_ago_than_the_grace(app: FastAPI) -> None:
    """Move every spend back past the grace window (10 s by default)."""
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.used_at.is_not(None))
            .values(used_at=datetime.now(UTC) - timedelta(seconds=11))
        )


async def test_refresh_rotates_the_token_and_issues_a_new_access_token(
    client: httpx.AsyncClient, user: User
) -> None:
    first = await login_tokens(client, user.email)
    client.cookies.clear()
    response = await _refresh(client, first["refresh_token"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "refresh_token"}  # bare TokenResponse
    assert body["refresh_token"] != first["refresh_token"]
    assert body["expires_in"] == 900
    assert response.headers["set-cookie"].startswith(f"refresh_token={body['refresh_token']};")
    me = await client.get(f"{API}/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    # The new refresh token works in turn.
    assert (await _refresh(client, body["refresh_token"])).status_code == 200


async def test_refresh_reads_the_httponly_cookie_when_the_body_has_no_token(
    client: httpx.AsyncClient, user: User
) -> None:
    await login_tokens(client, user.email)  # the client keeps the cookie
    response = await client.post(f"{API}/auth/refresh", json={})
    assert response.status_code == 200
    assert response.json()["refresh_token"] == client.cookies.get("refresh_token")
    assert (await _refresh(client, "")).status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    first = await login_tokens(client, user.email)
    client.cookies.clear()
    second = (await _refresh(client, first["refresh_token"])).json()
    client.cookies.clear()
    await _spent_longer_ago_than_the_grace(app)

    reuse = await _refresh(client, first["refresh_token"])
    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "REFRESH_TOKEN_REUSED"
    # The legitimate holder's newer token, and the session's access tokens, are dead too.
    assert (await _refresh(client, second["refresh_token"])).status_code == 401
    me = await client.get(f"{API}/auth/me", headers=bearer(second["access_token"]))
    assert me.status_code == 401 and me.json()["error"]["code"] == "SESSION_REVOKED"
    assert "auth.refresh_token_reuse" in await audit_actions(app, user.id)


async def test_reuse_leaves_the_users_other_sessions_alone(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    stolen = await login_tokens(client, user.email)
    other_device = await login_tokens(client, user.email)
    client.cookies.clear()
    await _refresh(client, stolen["refresh_token"])
    await _spent_longer_ago_than_the_grace(app)
    assert (await _refresh(client, stolen["refresh_token"])).status_code == 401
    assert (await _refresh(client, other_device["refresh_token"])).status_code == 200


async def test_refresh_without_any_token_is_400_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    for body in ({}, {"refresh_token": ""}):
        response = await client.post(f"{API}/auth/refresh", json=body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert [d["field"] for d in error["details"]] == ["refresh_token"]


async def test_refresh_refuses_unknown_and_expired_tokens(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    unknown = await _refresh(client, "x" * 43)
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "INVALID_REFRESH_TOKEN"
    tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(RefreshToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 401


async def test_refresh_refuses_the_token_of_a_banned_account(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    async with app.state.db.writer() as session, session.begin():
        await session.execute(update(User).where(User.id == user.id).values(is_banned=True))
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 401


async def test_refresh_without_a_body_is_400(client: httpx.AsyncClient) -> None:
    assert (await client.post(f"{API}/auth/refresh")).status_code == 400


async def test_two_concurrent_refreshes_with_one_token_both_get_the_same_new_token(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    """Two tabs refreshing at once: the token is spent once, both get its one successor."""
    for round_number in range(1, 4):
        tokens = await login_tokens(client, user.email)
        client.cookies.clear()
        responses = await asyncio.gather(
            _refresh(client, tokens["refresh_token"]), _refresh(client, tokens["refresh_token"])
        )
        assert [r.status_code for r in responses] == [200, 200]
        first, second = (r.json() for r in responses)
        assert first["refresh_token"] == second["refresh_token"] != tokens["refresh_token"]
        for pair in (first, second):
            me = await client.get(f"{API}/auth/me", headers=bearer(pair["access_token"]))
            assert me.status_code == 200
        async with app.state.db.reader() as session:
            spent = await session.scalar(
                select(func.count())
                .select_from(RefreshToken)
                .where(RefreshToken.used_at.is_not(None))
            )
        assert spent == 2 * round_number - 1  # this round's token, and the earlier rounds' two
        # The one successor goes on as usual.
        assert (await _refresh(client, first["refresh_token"])).status_code == 200
        client.cookies.clear()
        await _spent_longer_ago_than_the_grace(app)


async def test_a_replay_within_the_grace_sets_the_same_cookie(
    client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    first = await _refresh(client, tokens["refresh_token"])
    client.cookies.clear()
    again = await _refresh(client, tokens["refresh_token"])
    assert again.status_code == 200
    assert again.json()["refresh_token"] == first.json()["refresh_token"]
    assert again.cookies["refresh_token"] == first.cookies["refresh_token"]


async def test_a_replay_after_the_grace_window_is_reuse(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    successor = (await _refresh(client, tokens["refresh_token"])).json()
    await _spent_longer_ago_than_the_grace(app)
    late = await _refresh(client, tokens["refresh_token"])
    assert late.status_code == 401 and late.json()["error"]["code"] == "REFRESH_TOKEN_REUSED"
    # The family is revoked: the successor handed out earlier is dead too.
    assert (await _refresh(client, successor["refresh_token"])).status_code == 401
    assert "auth.refresh_token_reuse" in await audit_actions(app, user.id)


async def test_a_replay_once_the_successor_was_spent_is_reuse(
    client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    successor = (await _refresh(client, tokens["refresh_token"])).json()
    newest = (await _refresh(client, successor["refresh_token"])).json()
    replay = await _refresh(client, tokens["refresh_token"])
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "REFRESH_TOKEN_REUSED"
    assert (await _refresh(client, newest["refresh_token"])).status_code == 401


async def test_a_replay_of_a_logged_out_session_is_refused(
    client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    successor = (await _refresh(client, tokens["refresh_token"])).json()
    await client.post(f"{API}/auth/logout", json={}, headers=bearer(successor["access_token"]))
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 401


@pytest.fixture
async def no_grace_app(settings: Settings) -> AsyncIterator[FastAPI]:
    auth = settings.auth.model_copy(update={"refresh_reuse_grace_seconds": 0})
    app = create_app(settings.model_copy(update={"auth": auth}))
    yield app
    await app.state.db.dispose()


async def test_without_a_grace_window_the_concurrent_loser_is_reuse(
    no_grace_app: FastAPI,
) -> None:
    user = await create_user(no_grace_app)
    transport = httpx.ASGITransport(app=no_grace_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        tokens = await login_tokens(client, user.email)
        client.cookies.clear()
        responses = await asyncio.gather(
            _refresh(client, tokens["refresh_token"]), _refresh(client, tokens["refresh_token"])
        )
    assert sorted(r.status_code for r in responses) == [200, 401]


async def test_logout_ends_the_session_and_its_refresh_tokens(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    other = await login_tokens(client, user.email)
    response = await client.post(
        f"{API}/auth/logout",
        json={"refresh_token": tokens["refresh_token"]},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert 'refresh_token=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    me = await client.get(f"{API}/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401 and me.json()["error"]["code"] == "SESSION_REVOKED"
    client.cookies.clear()
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 401
    # Another device's session is untouched.
    assert (await client.get(f"{API}/auth/me", headers=bearer(other["access_token"]))).is_success
    assert "auth.logout" in await audit_actions(app, user.id)


async def test_logout_without_a_refresh_token_still_ends_the_current_session(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    client.cookies.clear()
    response = await client.post(
        f"{API}/auth/logout", json={}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 200
    async with app.state.db.reader() as session:
        revoked = await session.scalar(
            select(AuthSession.revoked_at).where(AuthSession.user_id == user.id)
        )
    assert revoked is not None
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 401


async def test_logout_needs_the_access_token(client: httpx.AsyncClient, user: User) -> None:
    tokens = await login_tokens(client, user.email)
    response = await client.post(
        f"{API}/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 401
    client.cookies.clear()
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 200


async def test_logout_cannot_revoke_another_users_refresh_token(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    victim = await create_user(app)
    victim_tokens = await login_tokens(client, victim.email)
    mine = await login_tokens(client, user.email)
    client.cookies.clear()
    await client.post(
        f"{API}/auth/logout",
        json={"refresh_token": victim_tokens["refresh_token"]},
        headers=bearer(mine["access_token"]),
    )
    assert (await _refresh(client, victim_tokens["refresh_token"])).status_code == 200


async def test_each_login_opens_its_own_session(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    await login(client, user.email, remember_me=True)
    await login(client, user.email)
    async with app.state.db.reader() as session:
        rows = (
            await session.execute(select(AuthSession).where(AuthSession.user_id == user.id))
        ).scalars()
        sessions = list(rows)
    assert len(sessions) == 2
    lifetimes = sorted(round((s.expires_at - s.created_at).total_seconds()) for s in sessions)
    assert lifetimes == [86400, 2592000]
    assert all(s.ip_address == "127.0.0.1" for s in sessions)
