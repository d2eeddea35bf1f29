"""TOTP two-factor authentication: setup, enabling, the login step, recovery codes, disabling."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from tests.auth.conftest import (
    API,
    STRONG_PASSWORD,
    audit_actions,
    bearer,
    last_token_for,
    login,
    login_tokens,
)
from tests.factories import PASSWORD, create_user, set_user_fields
from veza.app import create_app
from veza.auth import totp
from veza.config import Settings
from veza.models import User

# A fixed instant in the middle of a 30-second step, so "one step off" is unambiguous.
NOW = 1_800_000_015.0


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(totp, "current_time", lambda: NOW)


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(NOW + 30 * offset_steps)


async def _setup(client: httpx.AsyncClient, access: str) -> dict[str, Any]:
    response = await client.post(f"{API}/auth/2fa/setup", headers=bearer(access))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _enable(client: httpx.AsyncClient, user: User) -> tuple[dict[str, Any], dict[str, Any]]:
    """Log in, set up and enable 2FA; the session's tokens and the setup data."""
    tokens = await login_tokens(client, user.email)
    setup = await _setup(client, tokens["access_token"])
    response = await client.post(
        f"{API}/auth/2fa/verify",
        json={"code": code_at(setup["secret"]), "secret": setup["secret"]},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 200, response.text
    return tokens, setup


async def test_setup_returns_a_secret_a_scannable_qr_code_and_ten_recovery_codes(
    client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    data = await _setup(client, tokens["access_token"])
    assert len(base64.b32decode(data["secret"])) == 20  # 160 bits
    assert data["otpauth_url"].startswith("otpauth://totp/Veza:")
    assert f"secret={data['secret']}" in data["otpauth_url"]
    prefix = "data:image/png;base64,"
    assert data["qr_code_url"].startswith(prefix)
    assert base64.b64decode(data["qr_code_url"][len(prefix) :]).startswith(b"\x89PNG")
    codes = data["recovery_codes"]
    assert len(codes) == 10 == len(set(codes))
    # Setting up does not turn 2FA on: a code must confirm it first.
    status = await client.get(f"{API}/auth/2fa/status", headers=bearer(tokens["access_token"]))
    assert status.json() == {"success": True, "data": {"enabled": False}}


async def test_verify_enables_2fa_and_ends_the_other_sessions(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    other_device = await login_tokens(client, user.email)
    tokens, _ = await _enable(client, user)
    client.cookies.clear()
    # The caller's own access token keeps working...
    status = await client.get(f"{API}/auth/2fa/status", headers=bearer(tokens["access_token"]))
    assert status.status_code == 200 and status.json()["data"] == {"enabled": True}
    refreshed = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    # ...while the other device's session is over: its access and refresh tokens are refused.
    other = await client.get(f"{API}/auth/me", headers=bearer(other_device["access_token"]))
    assert other.status_code == 401 and other.json()["error"]["code"] == "SESSION_REVOKED"
    other_refresh = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": other_device["refresh_token"]}
    )
    assert other_refresh.status_code == 401
    assert "auth.2fa_enabled" in await audit_actions(app, user.id)


async def test_verify_refuses_a_secret_setup_did_not_issue(
    client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    await _setup(client, tokens["access_token"])
    own_secret = pyotp.random_base32(32)
    response = await client.post(
        f"{API}/auth/2fa/verify",
        json={"code": code_at(own_secret), "secret": own_secret},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_TWO_FACTOR_SECRET"


async def test_verify_without_setup_is_400(client: httpx.AsyncClient, user: User) -> None:
    tokens = await login_tokens(client, user.email)
    secret = pyotp.random_base32(32)
    response = await client.post(
        f"{API}/auth/2fa/verify",
        json={"code": code_at(secret), "secret": secret},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 400


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (1, True), (-2, False), (2, False)])
async def test_codes_one_step_off_are_accepted_two_steps_off_refused(
    client: httpx.AsyncClient, user: User, offset: int, accepted: bool
) -> None:
    tokens = await login_tokens(client, user.email)
    setup = await _setup(client, tokens["access_token"])
    response = await client.post(
        f"{API}/auth/2fa/verify",
        json={"code": code_at(setup["secret"], offset), "secret": setup["secret"]},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == (200 if accepted else 400)
    if not accepted:
        assert response.json()["error"]["code"] == "INVALID_TWO_FACTOR_CODE"


async def test_setup_while_2fa_is_on_is_400(client: httpx.AsyncClient, user: User) -> None:
    tokens, _ = await _enable(client, user)
    response = await client.post(f"{API}/auth/2fa/setup", headers=bearer(tokens["access_token"]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "TWO_FACTOR_ALREADY_ENABLED"


async def test_login_with_2fa_asks_for_the_code_then_completes_with_it(
    client: httpx.AsyncClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, setup = await _enable(client, user)
    client.cookies.clear()
    first = await login(client, user.email)
    assert first.status_code == 200
    body = first.json()
    assert body["requires_2fa"] is True and "token" not in body
    assert "set-cookie" not in first.headers
    # The code used to enable 2FA cannot be replayed; the next one works.
    monkeypatch.setattr(totp, "current_time", lambda: NOW + 30)
    replay = await login(client, user.email, two_factor_code=code_at(setup["secret"]))
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "INVALID_TWO_FACTOR_CODE"
    done = await login(client, user.email, two_factor_code=code_at(setup["secret"], 1))
    assert done.status_code == 200 and done.json()["token"]["access_token"]
    assert "refresh_token=" in done.headers["set-cookie"]
    again = await login(client, user.email, two_factor_code=code_at(setup["secret"], 1))
    assert again.status_code == 401


async def test_a_recovery_code_completes_a_login_once(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    _, setup = await _enable(client, user)
    code = setup["recovery_codes"][3]
    assert (await login(client, user.email, two_factor_code=code.upper())).status_code == 200
    reused = await login(client, user.email, two_factor_code=code)
    assert reused.status_code == 401
    another = await login(client, user.email, two_factor_code=setup["recovery_codes"][4])
    assert another.status_code == 200


async def test_wrong_second_factor_is_a_failed_login(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    await _enable(client, user)
    for code in ("000000", "abcde-fghij"):
        response = await login(client, user.email, two_factor_code=code)
        assert response.status_code == 401
    actions = await audit_actions(app, user.id)
    assert actions.count("auth.login_failed") == 2


async def test_wrong_password_with_a_valid_code_is_refused(
    client: httpx.AsyncClient, user: User
) -> None:
    _, setup = await _enable(client, user)
    response = await login(
        client, user.email, "not the password", two_factor_code=setup["recovery_codes"][0]
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"


async def test_disable_needs_the_password(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    tokens, setup = await _enable(client, user)
    other_device = await login_tokens(
        client, user.email, two_factor_code=setup["recovery_codes"][0]
    )
    access = tokens["access_token"]
    wrong = await client.post(
        f"{API}/auth/2fa/disable", json={"password": "wrong"}, headers=bearer(access)
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "INVALID_PASSWORD"
    done = await client.post(
        f"{API}/auth/2fa/disable", json={"password": PASSWORD}, headers=bearer(access)
    )
    assert done.status_code == 200
    # Like enabling, disabling ends the other sessions and keeps the caller's.
    assert (await client.get(f"{API}/auth/me", headers=bearer(access))).status_code == 200
    other = await client.get(f"{API}/auth/me", headers=bearer(other_device["access_token"]))
    assert other.status_code == 401 and other.json()["error"]["code"] == "SESSION_REVOKED"
    async with app.state.db.reader() as session:
        row = await session.get(User, user.id)
        assert row is not None and row.two_factor_secret is None
    plain = await login(client, user.email)
    assert plain.json()["requires_2fa"] is False and plain.json()["token"]


async def test_disable_when_2fa_is_off_is_400(client: httpx.AsyncClient, user: User) -> None:
    tokens = await login_tokens(client, user.email)
    response = await client.post(
        f"{API}/auth/2fa/disable",
        json={"password": PASSWORD},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "TWO_FACTOR_NOT_ENABLED"


async def test_password_reset_does_not_bypass_2fa(
    client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    _, setup = await _enable(client, user)
    await client.post(f"{API}/auth/password/reset-request", json={"email": user.email})
    token = last_token_for(settings, user.email, "reset")
    reset = await client.post(
        f"{API}/auth/password/reset", json={"token": token, "new_password": STRONG_PASSWORD}
    )
    assert reset.status_code == 200
    assert "token" not in reset.json()["data"]
    response = await login(client, user.email, STRONG_PASSWORD)
    assert response.json()["requires_2fa"] is True and "token" not in response.json()
    done = await login(
        client, user.email, STRONG_PASSWORD, two_factor_code=setup["recovery_codes"][0]
    )
    assert done.status_code == 200


# Secrets at rest --------------------------------------------------------------------------------


async def _stored_secrets(app: FastAPI, user: User) -> tuple[str | None, str | None]:
    async with app.state.db.reader() as session:
        row = await session.get(User, user.id)
        assert row is not None
        return row.two_factor_secret, row.two_factor_pending_secret


async def test_totp_secrets_are_stored_sealed(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    tokens = await login_tokens(client, user.email)
    setup = await _setup(client, tokens["access_token"])
    _, pending = await _stored_secrets(app, user)
    assert pending is not None and pending.startswith(totp.SEALED_PREFIX)
    assert setup["secret"] not in pending and len(pending) <= 64
    await client.post(
        f"{API}/auth/2fa/verify",
        json={"code": code_at(setup["secret"]), "secret": setup["secret"]},
        headers=bearer(tokens["access_token"]),
    )
    secret, pending = await _stored_secrets(app, user)
    assert pending is None
    assert secret is not None and secret.startswith(totp.SEALED_PREFIX)
    assert setup["secret"] not in secret


async def test_a_secret_stored_in_clear_still_works_and_is_sealed_on_first_use(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = pyotp.random_base32(32)
    user = await create_user(app, two_factor_enabled=True, two_factor_secret=secret)
    assert (await login(client, user.email, two_factor_code=code_at(secret))).status_code == 200
    stored, _ = await _stored_secrets(app, user)
    assert stored is not None and stored.startswith(totp.SEALED_PREFIX)
    monkeypatch.setattr(totp, "current_time", lambda: NOW + 30)
    again = await login(client, user.email, two_factor_code=code_at(secret, 1))
    assert again.status_code == 200
    assert (await _stored_secrets(app, user))[0] == stored  # already current: left as it is


async def test_a_sealed_secret_opens_only_for_its_owner(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    _, setup = await _enable(client, user)
    sealed, _ = await _stored_secrets(app, user)
    other = await create_user(app, two_factor_enabled=True)
    await set_user_fields(app, other.id, two_factor_secret=sealed)
    response = await login(client, other.email, two_factor_code=code_at(setup["secret"], 1))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TWO_FACTOR_CODE"


async def test_a_dedicated_key_still_opens_secrets_sealed_with_the_derived_one(
    app: FastAPI,
    client: httpx.AsyncClient,
    user: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, setup = await _enable(client, user)
    derived_seal, _ = await _stored_secrets(app, user)
    auth = settings.auth.model_copy(
        update={"two_factor_encryption_key": SecretStr("a-dedicated-key-" + "k" * 40)}
    )
    keyed = create_app(settings.model_copy(update={"auth": auth}))
    try:
        transport = httpx.ASGITransport(app=keyed)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            monkeypatch.setattr(totp, "current_time", lambda: NOW + 30)
            done = await login(other, user.email, two_factor_code=code_at(setup["secret"], 1))
            assert done.status_code == 200
        resealed, _ = await _stored_secrets(keyed, user)
        assert resealed is not None and resealed != derived_seal
    finally:
        await keyed.state.db.dispose()
    # The server without the dedicated key cannot open what the dedicated key sealed.
    monkeypatch.setattr(totp, "current_time", lambda: NOW + 60)
    refused = await login(client, user.email, two_factor_code=code_at(setup["secret"], 2))
    assert refused.status_code == 401
