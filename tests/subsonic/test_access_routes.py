"""The caller's own Subsonic access under /api/v1/subsonic: a separate password and API keys,
each guarded by the account password, listed and revocable."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import PASSWORD as ACCOUNT_PASSWORD
from tests.factories import member
from tests.helpers import data, error_code
from tests.subsonic.conftest import Sub


async def test_a_user_sets_and_revokes_their_subsonic_password(app: FastAPI, client) -> None:
    someone = await member(app)
    headers, name = someone.headers, someone.user.username
    body = {"current_password": ACCOUNT_PASSWORD, "password": "my-phone-password"}
    assert (
        await client.put("/api/v1/subsonic/password", json=body, headers=headers)
    ).status_code == 200
    assert (await Sub(client, name, "my-phone-password").ok("ping"))["status"] == "ok"
    access = data(await client.get("/api/v1/subsonic/access", headers=headers))
    assert access == {"has_password": True, "api_keys": []}
    assert (await client.delete("/api/v1/subsonic/password", headers=headers)).status_code == 200
    assert await Sub(client, name, "my-phone-password").error("ping") == 40


async def test_the_password_needs_the_account_password_and_differs_from_it(app, client) -> None:
    someone = await member(app)
    headers = someone.headers
    wrong = {"current_password": "not it at all", "password": "my-phone-password"}
    response = await client.put("/api/v1/subsonic/password", json=wrong, headers=headers)
    assert error_code(response, 400) == "VALIDATION_ERROR"
    assert "current_password" in response.text
    same = {"current_password": ACCOUNT_PASSWORD, "password": ACCOUNT_PASSWORD}
    response = await client.put("/api/v1/subsonic/password", json=same, headers=headers)
    assert error_code(response, 400) == "VALIDATION_ERROR"
    short = {"current_password": ACCOUNT_PASSWORD, "password": "short"}
    response = await client.put("/api/v1/subsonic/password", json=short, headers=headers)
    assert error_code(response, 400) == "VALIDATION_ERROR"
    assert (await client.put("/api/v1/subsonic/password", json=same)).status_code == 401


async def test_api_keys_are_shown_once_listed_and_revoked(app: FastAPI, client) -> None:
    someone, other = await member(app), await member(app)
    body = {"current_password": ACCOUNT_PASSWORD, "name": "phone"}
    created = await client.post("/api/v1/subsonic/api-keys", json=body, headers=someone.headers)
    key = data(created, 201)["api_key"]
    assert key["name"] == "phone" and key["key"].startswith("vz_")
    ping = await client.get("/rest/ping", params={"apiKey": key["key"], "f": "json"})
    assert ping.json()["subsonic-response"]["status"] == "ok"
    listed = data(await client.get("/api/v1/subsonic/access", headers=someone.headers))
    assert [k["id"] for k in listed["api_keys"]] == [key["id"]]
    assert "key" not in listed["api_keys"][0]
    url = f"/api/v1/subsonic/api-keys/{key['id']}"
    assert error_code(await client.delete(url, headers=other.headers), 404) == (
        "SUBSONIC_API_KEY_NOT_FOUND"
    )
    assert (await client.delete(url, headers=someone.headers)).status_code == 200
    ping = await client.get("/rest/ping", params={"apiKey": key["key"], "f": "json"})
    assert ping.json()["subsonic-response"]["error"]["code"] == 44
    wrong = {"current_password": "nope nope", "name": "laptop"}
    response = await client.post("/api/v1/subsonic/api-keys", json=wrong, headers=someone.headers)
    assert error_code(response, 400) == "VALIDATION_ERROR"
