"""Email verification: POST /auth/verify-email, /auth/resend-verification, and login's gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from tests.auth.conftest import (
    API,
    STRONG_PASSWORD,
    audit_actions,
    fetch_user,
    last_token_for,
    login,
    outbox,
    register,
)
from tests.factories import create_user
from veza.app import create_app
from veza.config import Settings
from veza.models import OneTimeToken


async def _registered(client: httpx.AsyncClient, settings: Settings, address: str) -> str:
    assert (await register(client, address)).status_code == 201
    return last_token_for(settings, address, "confirm")


async def test_unverified_account_cannot_log_in_and_gets_an_actionable_code(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _registered(client, settings, "ivy@example.com")
    response = await login(client, "ivy@example.com", STRONG_PASSWORD)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "EMAIL_NOT_VERIFIED"
    assert "set-cookie" not in response.headers


async def test_verify_email_with_the_header_token_then_login_works(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await _registered(client, settings, "jack@example.com")
    response = await client.post(f"{API}/auth/verify-email", headers={"X-Verify-Token": token})
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"message": "Email verified"}}
    assert (await login(client, "jack@example.com", STRONG_PASSWORD)).status_code == 200
    user_id = (await login(client, "jack@example.com", STRONG_PASSWORD)).json()["user"]["id"]
    user = await fetch_user(app, user_id)
    assert user.is_verified and user.email_verified_at is not None
    assert "user.email_verified" in await audit_actions(app, user.id)


async def test_verify_email_token_in_the_query_still_works_and_logs_a_deprecation(
    client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    token = await _registered(client, settings, "kate@example.com")
    response = await client.post(f"{API}/auth/verify-email", params={"token": token})
    assert response.status_code == 200
    assert "verify_email_token_in_query_deprecated" in caplog.text


async def test_verification_token_is_single_use(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await _registered(client, settings, "leo@example.com")
    headers = {"X-Verify-Token": token}
    assert (await client.post(f"{API}/auth/verify-email", headers=headers)).status_code == 200
    again = await client.post(f"{API}/auth/verify-email", headers=headers)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "INVALID_VERIFY_TOKEN"


async def test_expired_verification_token_is_refused(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await _registered(client, settings, "mia@example.com")
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(OneTimeToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    response = await client.post(f"{API}/auth/verify-email", headers={"X-Verify-Token": token})
    assert response.status_code == 400


async def test_verify_email_without_or_with_a_made_up_token_is_400(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.post(f"{API}/auth/verify-email")
    assert missing.status_code == 400
    assert missing.json()["error"]["details"][0]["field"] == "X-Verify-Token"
    made_up = await client.post(f"{API}/auth/verify-email", headers={"X-Verify-Token": "x" * 43})
    assert made_up.status_code == 400


async def test_password_reset_token_cannot_verify_an_email(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    await _registered(client, settings, "ned@example.com")
    await client.post(f"{API}/auth/password/reset-request", json={"email": "ned@example.com"})
    reset_token = last_token_for(settings, "ned@example.com", "reset")
    response = await client.post(
        f"{API}/auth/verify-email", headers={"X-Verify-Token": reset_token}
    )
    assert response.status_code == 400


async def test_resend_verification_sends_a_new_link_and_retires_the_old_one(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    old = await _registered(client, settings, "olga@example.com")
    response = await client.post(
        f"{API}/auth/resend-verification", json={"email": "OLGA@example.com"}
    )
    assert response.status_code == 200
    new = last_token_for(settings, "olga@example.com", "confirm")
    assert new != old
    refused = await client.post(f"{API}/auth/verify-email", headers={"X-Verify-Token": old})
    assert refused.status_code == 400
    accepted = await client.post(f"{API}/auth/verify-email", headers={"X-Verify-Token": new})
    assert accepted.status_code == 200


async def test_resend_verification_answers_the_same_for_unknown_and_verified_addresses(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    await create_user(app, email="pat@example.com")  # already verified
    await _registered(client, settings, "quinn@example.com")
    sent_before = len(outbox(settings))
    answers = [
        await client.post(f"{API}/auth/resend-verification", json={"email": address})
        for address in ("nobody@example.com", "pat@example.com", "quinn@example.com")
    ]
    assert {r.status_code for r in answers} == {200}
    assert len({r.text for r in answers}) == 1
    assert len(outbox(settings)) == sent_before + 1  # only the unverified account got a mail


async def test_resend_verification_stops_mailing_an_address_after_a_few_requests(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _registered(client, settings, "rita@example.com")
    for _ in range(8):
        response = await client.post(
            f"{API}/auth/resend-verification", json={"email": "rita@example.com"}
        )
        assert response.status_code == 200
    # One mail at registration, then at most "5 per hour" resends.
    assert len([m for m in outbox(settings) if m["To"] == "rita@example.com"]) == 6


async def test_resend_verification_refuses_a_malformed_email(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{API}/auth/resend-verification", json={"email": "nope"})
    assert response.status_code == 400


async def test_login_without_verified_email_is_allowed_when_the_setting_is_off(
    settings: Settings,
) -> None:
    relaxed = settings.model_copy(
        update={"auth": settings.auth.model_copy(update={"require_verified_email": False})}
    )
    app = create_app(relaxed)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        registered = await register(client, "sam@example.com")
        assert registered.json()["verification_required"] is False
        assert (await login(client, "sam@example.com", STRONG_PASSWORD)).status_code == 200
    await app.state.db.dispose()
