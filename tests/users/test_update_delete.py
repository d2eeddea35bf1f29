"""PUT /users/{id} and DELETE /users/{id}."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import PASSWORD, Member, admin, member, set_user_fields
from tests.helpers import API, follow
from tests.users.support import audit_rows, profile
from veza.models import User


async def put(client: httpx.AsyncClient, who: Any, target_id: Any, body: dict[str, Any]) -> Any:
    headers = who.headers if who else {}
    return await client.put(f"{API}/users/{target_id}", headers=headers, json=body)


async def test_owner_updates_profile_fields(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    body = {
        "first_name": "  Alice ",
        "last_name": "Liddell",
        "bio": "Songs about rabbits",
        "location": "Oxford",
        "gender": "Female",
        "birthdate": "1990-05-04",
        "banner_url": "https://cdn.example.com/banner.png",
        "avatar": "https://cdn.example.com/a.png",
        "social_links": {"instagram": "https://instagram.com/alice", "twitter": ""},
        "genres": ["Folk", "folk", "Ambient"],
        "is_public": False,
    }
    response = await put(client, alice, alice.id, body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]["profile"]
    assert data["first_name"] == "Alice"
    assert data["display_name"] == "Alice Liddell"
    assert data["birthdate"] == "1990-05-04"
    assert data["social_links"] == {"instagram": "https://instagram.com/alice"}
    assert data["genres"] == ["Folk", "Ambient"]
    assert data["is_public"] is False
    assert data["email"] == alice.user.email  # the owner view comes back


async def test_null_or_blank_clears_a_field(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app, bio="old", location="Paris")
    response = await put(client, alice, alice.id, {"bio": None, "location": "   "})
    data = response.json()["data"]["profile"]
    assert "bio" not in data and "location" not in data


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gender": "Robot"}, "gender"),
        ({"banner_url": "javascript:alert(1)"}, "banner_url"),
        ({"banner_url": "ftp://example.com/x.png"}, "banner_url"),
        ({"birthdate": "2999-01-01"}, "birthdate"),
        ({"birthdate": "1990-02-30"}, "birthdate"),
        ({"birthdate": "yesterday"}, "birthdate"),
        ({"social_links": {"site": "not a url"}}, "social_links"),
        ({"social_links": {"site": 42}}, "social_links"),
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": None}, "username"),
        ({"bio": "x" * 501}, "bio"),
        ({"genres": ["x" * 51]}, "genres"),
    ],
)
async def test_invalid_profile_data_is_400(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    alice = await member(app)
    response = await put(client, alice, alice.id, body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["field"].startswith(field)


async def test_non_owner_cannot_update_a_profile(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app), await member(app)
    response = await put(client, bob, alice.id, {"bio": "hacked"})
    assert response.status_code == 403
    assert (await put(client, bob, uuid.uuid4(), {"bio": "x"})).status_code == 403
    assert (await put(client, None, alice.id, {"bio": "x"})).status_code == 401


async def test_admin_fields_from_a_non_admin_are_ignored(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    body = {"role": "admin", "is_admin": True, "is_banned": True, "is_active": False, "bio": "b"}
    data = (await put(client, alice, alice.id, body)).json()["data"]["profile"]
    assert data["role"] == "user" and data["is_admin"] is False
    assert data["is_banned"] is False and data["is_active"] is True
    assert data["bio"] == "b"


async def test_admin_updates_anyone_including_admin_fields(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, root = await member(app), await admin(app)
    response = await put(client, root, alice.id, {"bio": "moderated", "role": "creator"})
    assert response.status_code == 200
    data = response.json()["data"]["profile"]
    assert data["bio"] == "moderated" and data["role"] == "creator"
    # Promotion by an administrator is not a self-promotion.
    assert "promoted_to_creator_at" not in data
    assert (await put(client, root, uuid.uuid4(), {"bio": "x"})).status_code == 404


async def test_banning_signs_the_user_out(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, root = await member(app), await admin(app)
    assert (await put(client, root, alice.id, {"is_banned": True})).status_code == 200
    assert (await client.get(f"{API}/users/suggestions", headers=alice.headers)).status_code == 401
    assert (await profile(client, alice)).status_code == 404


async def test_username_is_unique_regardless_of_case(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await member(app, username="TakenName")
    alice = await member(app)
    response = await put(client, alice, alice.id, {"username": "takenname"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "USERNAME_TAKEN"


async def test_username_changes_are_limited(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    first = await put(client, alice, alice.id, {"username": "alice_one"})
    assert first.status_code == 200
    assert first.json()["data"]["profile"]["username_changed_at"]
    second = await put(client, alice, alice.id, {"username": "alice_two"})
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "USERNAME_CHANGE_TOO_SOON"
    # Sending the current username again is not a change.
    assert (await put(client, alice, alice.id, {"username": "alice_one"})).status_code == 200
    # Once the interval has passed, it can change again.
    await set_user_fields(app, alice.id, username_changed_at=datetime.now(UTC) - timedelta(days=31))
    assert (await put(client, alice, alice.id, {"username": "alice_two"})).status_code == 200


async def test_admins_are_not_limited_when_renaming_someone(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, root = await member(app), await admin(app)
    await set_user_fields(app, alice.id, username_changed_at=datetime.now(UTC))
    response = await put(client, root, alice.id, {"username": "renamed_by_admin"})
    assert response.status_code == 200


async def _delete(
    client: httpx.AsyncClient, who: Member, target_id: Any, body: dict[str, Any] | None = None
) -> httpx.Response:
    return await client.request(
        "DELETE", f"{API}/users/{target_id}", headers=who.headers, json=body
    )


_CONFIRMED = {"password": PASSWORD, "confirm_text": "DELETE"}


async def test_owner_deletes_their_account_by_id_with_password_and_confirmation(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await follow(client, alice, bob)
    response = await _delete(client, alice, alice.id, {**_CONFIRMED, "reason": "moving on"})
    assert response.status_code == 200
    assert response.json()["data"]["message"]
    assert 'refresh_token=""' in response.headers["set-cookie"]
    assert (await profile(client, alice)).status_code == 404
    assert (await client.get(f"{API}/users/by-username/{alice.user.username}")).status_code == 404
    assert (await follow(client, bob, alice)).status_code == 404
    # Their token no longer works, and they no longer count among followers.
    assert (await client.get(f"{API}/users/suggestions", headers=alice.headers)).status_code == 401
    assert (await profile(client, bob)).json()["data"]["profile"]["follower_count"] == 0
    listed = (await client.get(f"{API}/users")).json()["data"]["users"]
    assert str(alice.id) not in {item["id"] for item in listed}
    # The same deletion as DELETE /users/me: anonymised, audited.
    async with app.state.db.reader() as session:
        row = await session.get(User, alice.id)
        assert row is not None and row.email == f"deleted-{alice.id.hex}@deleted.invalid"
    assert await audit_rows(app, "user.deleted") == [(alice.id, str(alice.id))]


async def test_owner_deleting_by_id_without_the_confirmations_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    bare = await _delete(client, alice, alice.id)
    assert bare.status_code == 400
    assert {d["field"] for d in bare.json()["error"]["details"]} == {"password", "confirm_text"}
    unconfirmed = await _delete(client, alice, alice.id, {**_CONFIRMED, "confirm_text": "yes"})
    assert unconfirmed.status_code == 400
    assert unconfirmed.json()["error"]["details"][0]["field"] == "confirm_text"
    wrong = await _delete(client, alice, alice.id, {**_CONFIRMED, "password": "not it at all"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "INVALID_PASSWORD"
    assert (await profile(client, alice)).status_code == 200
    assert await audit_rows(app, "user.deleted") == []


async def test_an_administrator_deleting_their_own_account_follows_the_same_rule(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    root = await admin(app)
    assert (await _delete(client, root, root.id)).status_code == 400
    assert (await _delete(client, root, root.id, _CONFIRMED)).status_code == 200


async def test_other_user_cannot_delete_an_account(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app), await member(app)
    assert (await client.delete(f"{API}/users/{alice.id}", headers=bob.headers)).status_code == 403
    assert (await client.delete(f"{API}/users/{alice.id}")).status_code == 401
    assert (await profile(client, alice)).status_code == 200


async def test_admin_deletes_any_account(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, root = await member(app), await admin(app)
    assert (await client.delete(f"{API}/users/{alice.id}", headers=root.headers)).status_code == 200
    assert (await profile(client, alice, root)).status_code == 404
    # Audited as the administrator's action on the account.
    assert await audit_rows(app, "user.deleted") == [(root.id, str(alice.id))]
    missing = await client.delete(f"{API}/users/{uuid.uuid4()}", headers=root.headers)
    assert missing.status_code == 404


async def test_a_block_gives_no_rights_over_the_other_account(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await client.post(f"{API}/users/{bob.id}/block", headers=alice.headers)
    for who, target in ((bob, alice), (alice, bob)):
        assert (await put(client, who, target.id, {"bio": "x"})).status_code == 403
        deleted = await client.delete(f"{API}/users/{target.id}", headers=who.headers)
        assert deleted.status_code == 403
