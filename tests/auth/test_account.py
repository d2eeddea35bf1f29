"""GET /auth/me, DELETE /users/me (anonymisation) and the CCPA opt-out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.conftest import (
    API,
    audit_actions,
    bearer,
    fetch_user,
    login,
    login_tokens,
    register,
)
from tests.factories import PASSWORD, access_token, create_user
from veza.kit import events
from veza.models import AuditLog, AuthSession, PrivacyPreference


async def test_me_returns_the_callers_account(app: FastAPI, client: httpx.AsyncClient) -> None:
    user = await create_user(app, first_name="Wendy", bio=None)
    response = await client.get(f"{API}/auth/me", headers=bearer(await access_token(app, user)))
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == str(user.id) and data["email"] == user.email
    assert data["username"] == user.username and data["first_name"] == "Wendy"
    assert data["two_factor_enabled"] is False and data["is_verified"] is True
    assert data["created_at"].endswith("Z")
    assert "bio" not in data  # absent values are omitted, not null
    assert "password_hash" not in data and "two_factor_secret" not in data


@pytest.fixture
def deleted_events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the accounts domain told the other domains (tracks) about deletions."""
    seen: list[dict[str, Any]] = []

    async def subscriber(session: AsyncSession, **payload: Any) -> None:
        seen.append(payload)

    existing = list(events._subscribers[events.USER_DELETED])
    monkeypatch.setitem(events._subscribers, events.USER_DELETED, [*existing, subscriber])
    return seen


async def _delete(client: httpx.AsyncClient, access: str, **body: Any) -> httpx.Response:
    payload = {"password": PASSWORD, "confirm_text": "DELETE", **body}
    return await client.request("DELETE", f"{API}/users/me", json=payload, headers=bearer(access))


async def test_delete_account_anonymises_it_and_ends_every_session(
    app: FastAPI,
    client: httpx.AsyncClient,
    deleted_events: list[dict[str, Any]],
) -> None:
    user = await create_user(
        app,
        email="xena@example.com",
        username="xena",
        first_name="Xena",
        bio="hi",
        avatar="https://cdn.example.com/x.png",
    )
    tokens = await login_tokens(client, user.email)
    other_device = await login_tokens(client, user.email)
    response = await _delete(
        client, tokens["access_token"], reason="leaving", keep_public_tracks=True
    )
    assert response.status_code == 200
    assert response.json() == {"message": "Account deleted", "keep_public_tracks": True}
    assert deleted_events == [{"user_id": user.id, "keep_public_tracks": True}]

    gone = await fetch_user(app, user.id)
    assert gone.deleted_at is not None and not gone.is_active
    assert "xena" not in gone.email.lower() and "xena" not in gone.username.lower()
    assert gone.first_name is None and gone.bio is None and gone.avatar is None
    for access in (tokens["access_token"], other_device["access_token"]):
        assert (await client.get(f"{API}/auth/me", headers=bearer(access))).status_code == 401
    client.cookies.clear()
    refreshed = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": other_device["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert (await login(client, "xena@example.com")).status_code == 401
    async with app.state.db.reader() as session:
        entry = (
            await session.execute(select(AuditLog).where(AuditLog.action == "user.deleted"))
        ).scalar_one()
        live = await session.scalar(
            select(AuthSession.id).where(
                AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
            )
        )
    assert entry.user_id == user.id and entry.ip_address == "127.0.0.1"
    assert entry.details == {"keep_public_tracks": True, "reason": "leaving"}
    assert live is None


async def test_deleted_accounts_email_and_username_can_register_again(
    app: FastAPI, client: httpx.AsyncClient, deleted_events: list[dict[str, Any]]
) -> None:
    user = await create_user(app, email="yuri@example.com", username="yuri")
    assert (await _delete(client, await access_token(app, user))).status_code == 200
    assert deleted_events == [{"user_id": user.id, "keep_public_tracks": False}]
    again = await register(client, "yuri@example.com", username="yuri")
    assert again.status_code == 201
    assert again.json()["user"]["id"] != str(user.id)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"confirm_text": "delete"}, "VALIDATION_ERROR"),
        ({"confirm_text": ""}, "VALIDATION_ERROR"),
        ({"password": "not my password"}, "INVALID_PASSWORD"),
    ],
)
async def test_delete_account_needs_the_password_and_the_confirmation(
    app: FastAPI,
    client: httpx.AsyncClient,
    deleted_events: list[dict[str, Any]],
    body: dict[str, str],
    code: str,
) -> None:
    user = await create_user(app)
    access = await access_token(app, user)
    response = await _delete(client, access, **body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert deleted_events == []
    assert (await fetch_user(app, user.id)).deleted_at is None
    assert (await client.get(f"{API}/auth/me", headers=bearer(access))).status_code == 200


async def test_delete_account_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.request(
        "DELETE", f"{API}/users/me", json={"password": PASSWORD, "confirm_text": "DELETE"}
    )
    assert response.status_code == 401


async def test_privacy_opt_out_is_stored_and_returned(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await create_user(app)
    headers = bearer(await access_token(app, user))
    first = await client.post(f"{API}/users/me/privacy/opt-out", headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert body["do_not_sell"] is True and body["opted_out_at"].endswith("Z")
    second = await client.post(f"{API}/users/me/privacy/opt-out", headers=headers)
    assert second.json() == body  # idempotent: the first opt-out date is kept
    async with app.state.db.reader() as session:
        preference = await session.get(PrivacyPreference, user.id)
    assert preference is not None and preference.do_not_sell
    assert await audit_actions(app, user.id) == ["user.privacy_opt_out"]


async def test_users_me_privacy_of_one_user_does_not_touch_another(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user, other = await create_user(app), await create_user(app)
    await client.post(
        f"{API}/users/me/privacy/opt-out", headers=bearer(await access_token(app, user))
    )
    async with app.state.db.reader() as session:
        assert await session.get(PrivacyPreference, other.id) is None
