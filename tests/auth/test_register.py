"""POST /auth/register and GET /auth/check-username."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.conftest import (
    API,
    STRONG_PASSWORD,
    audit_actions,
    client_from,
    fetch_user,
    outbox,
    register,
)
from tests.factories import create_user
from veza.app import create_app
from veza.config import RateLimitSettings, Settings


async def test_register_creates_an_unverified_account_and_mails_a_link(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await register(client, "Alice@Example.COM", username="alice")
    assert response.status_code == 201
    body = response.json()
    assert "success" not in body  # a bare operation
    assert body["verification_required"] is True
    assert body["user"]["email"] == "Alice@example.com"  # domain normalised
    assert body["user"]["username"] == "alice"
    assert body["message"]
    user = await fetch_user(app, body["user"]["id"])
    assert user.is_verified is False
    assert user.password_hash.startswith("$argon2id$")
    mails = outbox(settings)
    assert len(mails) == 1 and mails[0]["To"] == "Alice@example.com"
    assert "/verify-email?token=" in mails[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert await audit_actions(app, user.id) == ["user.register"]


async def test_register_without_username_derives_a_free_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, username="bob.smith")
    response = await register(client, "bob.smith@example.com")
    assert response.status_code == 201
    username = response.json()["user"]["username"]
    assert username.startswith("bob.smith") and username != "bob.smith"
    short = await register(client, "b+x@example.com")
    assert short.status_code == 201
    assert len(short.json()["user"]["username"]) >= 3


async def test_register_refuses_an_email_taken_in_another_case(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email="carol@example.com")
    response = await register(client, "CAROL@example.com")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "EMAIL_TAKEN"


async def test_register_refuses_a_username_taken_in_another_case(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, username="Dave")
    response = await register(client, "dave@example.com", username="dAVE")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "USERNAME_TAKEN"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "someone@localhost"}, "email"),
        ({"username": "ab"}, "username"),
        ({"username": "with space"}, "username"),
        ({"username": "x" * 51}, "username"),
        ({"username": "émile"}, "username"),
        ({"password": "short-pass", "password_confirmation": "short-pass"}, "password"),
        ({"password": "p" * 257, "password_confirmation": "p" * 257}, "password"),
        ({"password": "qwerty123456", "password_confirmation": "qwerty123456"}, "password"),
        ({"password": "PassWord1234", "password_confirmation": "PassWord1234"}, "password"),
        ({"password_confirmation": STRONG_PASSWORD + "!"}, "password_confirmation"),
        (
            {
                "username": "elizabeth-smith",
                "password": "elizabeth-smith",
                "password_confirmation": "elizabeth-smith",
            },
            "password",
        ),
    ],
)
async def test_register_refuses_invalid_input(
    client: httpx.AsyncClient, fields: dict[str, str], field: str
) -> None:
    body = {
        "email": "erin@example.com",
        "password": STRONG_PASSWORD,
        "password_confirmation": STRONG_PASSWORD,
        **fields,
    }
    response = await client.post(f"{API}/auth/register", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [d["field"] for d in error["details"]] == [field]
    # Passwords are never echoed back.
    assert STRONG_PASSWORD not in response.text and "qwerty123456" not in response.text


async def test_register_accepts_a_long_passphrase_without_truncating_it(
    client: httpx.AsyncClient,
) -> None:
    passphrase = "correct horse battery staple " * 8  # 232 characters
    assert (await register(client, "frank@example.com", passphrase)).status_code == 201
    # A password sharing the first 72 characters (bcrypt's limit) is a different password.
    response = await client.post(
        f"{API}/auth/login",
        json={"email": "frank@example.com", "password": passphrase[:72]},
    )
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"


async def test_register_missing_fields_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{API}/auth/register", json={"email": "x@example.com"})
    assert response.status_code == 400
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"password", "password_confirmation"}


async def test_check_username_reports_availability_case_insensitively(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, username="Grace")
    taken = await client.get(f"{API}/auth/check-username", params={"username": "grace"})
    assert taken.status_code == 200
    assert taken.json()["data"] == {"available": False, "username": "grace"}
    free = await client.get(f"{API}/auth/check-username", params={"username": "grace_2"})
    assert free.json()["data"] == {"available": True, "username": "grace_2"}


@pytest.mark.parametrize("username", ["", "ab", "no spaces", "a/b"])
async def test_check_username_refuses_impossible_usernames(
    client: httpx.AsyncClient, username: str
) -> None:
    response = await client.get(f"{API}/auth/check-username", params={"username": username})
    assert response.status_code == 400


async def test_check_username_without_the_parameter_is_400(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{API}/auth/check-username")).status_code == 400


@pytest.fixture
async def strict_app(settings: Settings) -> AsyncIterator[FastAPI]:
    limits = RateLimitSettings(registrations_per_ip="2 per hour")
    app = create_app(settings.model_copy(update={"rate_limit": limits}))
    yield app
    await app.state.db.dispose()


async def test_registrations_are_limited_per_client_address(strict_app: FastAPI) -> None:
    async with (
        client_from(strict_app, "203.0.113.20") as crowded,
        client_from(strict_app, "203.0.113.21") as elsewhere,
    ):
        # Refused input is not counted: a typo does not use up the address's allowance.
        assert (await register(crowded, "not an address")).status_code == 400
        assert (await register(crowded, "one@example.com")).status_code == 201
        assert (await register(crowded, "one@example.com")).status_code == 409
        limited = await register(crowded, "three@example.com")
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "RATE_LIMITED"
        assert 1 <= int(limited.headers["Retry-After"]) <= 3600
        assert (await register(elsewhere, "three@example.com")).status_code == 201
