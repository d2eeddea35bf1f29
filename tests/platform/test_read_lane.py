"""The read lane (kit/readlane.py) answers exactly what the API answers.

The lane takes anonymous GETs of /tracks, /tracks/{id} and /users/{id}, and signed-in GETs
(``Authorization: Bearer``) of /tracks and /playlists/{id}, without a body; a request with
``Content-Length: 0`` is the same request to the API but one the lane leaves to it, so the two
answers can be compared byte for byte: status, headers (the request id aside) and body.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from tests.factories import (
    Member,
    access_token,
    admin,
    create_auth_session,
    create_playlist,
    create_track,
    member,
    set_user_fields,
)
from tests.helpers import follow
from tests.lane import same_answer
from veza.kit.db import provided
from veza.kit.pagination import CursorCodec
from veza.kit.tokens import ACCESS_TOKEN_TYPE
from veza.models import AuthSession, utcnow


async def test_public_reads_are_answered_by_the_lane_as_the_api_answers_them(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, title="Café del Mar")
    paths = [
        f"/api/v1/tracks/{track.id}",
        "/api/v1/tracks",
        "/api/v1/tracks?limit=1",
        "/api/v1/tracks?limit=101",  # as many as the API gives (100)
        f"/api/v1/users/{owner.id}",
    ]
    for path in paths:
        answer = await same_answer(client, path)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert lane_answers == paths
    # The profile is encoded as FastAPI encodes the response model.
    profile = await client.get(f"/api/v1/users/{owner.id}")
    assert (
        profile.content
        == json.dumps(profile.json(), ensure_ascii=False, separators=(",", ":")).encode()
    )


async def test_the_lane_reads_open_no_session(
    app: FastAPI,
    client: httpx.AsyncClient,
    lane_answers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lane's reads of Core statements, anonymous and signed in (the token's check
    included), run on a bare connection (``Database.read_connection``), which reaches the
    database's services as a session does."""
    owner = await member(app)
    track = await create_track(app, owner)
    playlist = await create_playlist(app, owner, tracks=[track])
    database = app.state.db

    def no_session() -> None:
        raise AssertionError("the lane's read opened a session")

    monkeypatch.setattr(database, "request_reader", no_session)
    paths = [f"/api/v1/tracks/{track.id}", "/api/v1/tracks?limit=5", f"/api/v1/users/{owner.id}"]
    for path in paths:
        assert (await client.get(path)).status_code == 200, path
    signed_in = ["/api/v1/tracks?limit=5", f"/api/v1/playlists/{playlist.id}"]
    for path in signed_in:
        assert (await client.get(path, headers=owner.headers)).status_code == 200, path
    assert lane_answers == paths + signed_in
    async with database.read_connection() as connection:
        assert isinstance(provided(connection, CursorCodec), CursorCodec)


async def test_private_missing_and_unreadable_are_left_to_the_api(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    banned = await member(app)
    private = await create_track(app, owner, is_public=False)
    of_banned = await create_track(app, banned)
    await set_user_fields(app, banned.id, is_banned=True)
    deleted, inactive = await member(app), await member(app)
    await set_user_fields(app, deleted.id, deleted_at=utcnow())
    await set_user_fields(app, inactive.id, is_active=False)
    paths = [
        f"/api/v1/tracks/{private.id}",
        f"/api/v1/tracks/{uuid.uuid4()}",
        f"/api/v1/tracks/{of_banned.id}",
        f"/api/v1/users/{banned.id}",
        f"/api/v1/users/{deleted.id}",
        f"/api/v1/users/{inactive.id}",
        f"/api/v1/users/{uuid.uuid4()}",
        "/api/v1/tracks?limit=0",
    ]
    for path in paths:
        answer = await same_answer(client, path)
        assert answer.status_code in (400, 404), (path, answer.text)
        assert answer.json()["success"] is False
    assert lane_answers == []


async def _fastapi_encoded_profile(client: httpx.AsyncClient, who: Member) -> bytes:
    """The same profile from GET /users/by-username/{username}, whose response model FastAPI
    validates and encodes itself."""
    answer = await client.get(f"/api/v1/users/by-username/{who.user.username}")
    assert answer.status_code == 200, answer.text
    return answer.content


async def test_profiles_in_the_lane_are_the_bytes_fastapi_encodes(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    full = await member(
        app,
        first_name="Zoë",
        last_name='O"Brien',
        avatar="https://img.example/zoë.png",
        banner_url="https://img.example/banner.png",
        bio="Line one\nline two \u2028 🎧 <b>&amp;</b> \\ done",
        location="Montréal",
        gender="Other",
        social_links={"bandcamp": "https://zoe.bandcamp.com", "ünï": "https://x.example/ü"},
        genres=["jazz", "électro"],
        promoted_to_creator_at=utcnow(),
        role="creator",
    )
    bare = await member(app)
    private = await member(app, is_public=False, first_name="Secret", bio="hidden")
    private_with_avatar = await member(
        app, is_public=False, avatar="https://img.example/p.png", username="private.avatar"
    )
    fans = [await member(app) for _ in range(3)]
    for fan in fans:
        await follow(client, fan, full)
    await follow(client, full, fans[0])
    await follow(client, full, bare)
    await follow(client, private, full)
    await set_user_fields(app, fans[2].id, is_banned=True)  # no longer counted
    await set_user_fields(app, bare.id, deleted_at=utcnow())  # neither
    counted = json.loads(await _fastapi_encoded_profile(client, full))["data"]["profile"]
    assert (counted["follower_count"], counted["following_count"]) == (3, 1)
    for who in (full, private, private_with_avatar, *fans[:2]):
        path = f"/api/v1/users/{who.id}"
        answer = await same_answer(client, path)
        assert answer.status_code == 200, answer.text
        assert answer.content == await _fastapi_encoded_profile(client, who), who.user.username
    assert len(lane_answers) == 5


async def test_callers_and_other_shapes_go_through_the_api(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    blocked = await member(app)
    track = await create_track(app, owner, is_public=False)
    public = await create_track(app, owner)
    blocking = await client.post(f"/api/v1/users/{blocked.id}/block", headers=owner.headers)
    assert blocking.status_code in (200, 201), blocking.text
    # Signed in (the lane reads only the catalog and playlists signed in): the owner sees the
    # private track, the blocked member not the public one.
    own = await client.get(f"/api/v1/tracks/{track.id}", headers=owner.headers)
    assert own.status_code == 200
    hidden = await client.get(f"/api/v1/tracks/{public.id}", headers=blocked.headers)
    assert hidden.status_code == 404
    # Shapes the lane does not read: other query parameters, CORS, HEAD.
    assert (await client.get("/api/v1/tracks?limit=5&page=1")).status_code == 200
    assert (await client.get("/api/v1/tracks?genre=rock")).status_code == 200
    assert (await client.get("/api/v1/tracks?page=1", headers=owner.headers)).status_code == 200
    # Another scheme is anonymous to the API's HTTPBearer; the lane leaves it to the API.
    basic = await client.get("/api/v1/tracks", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 200
    cors = await client.get(
        f"/api/v1/tracks/{public.id}", headers={"Origin": "http://elsewhere.example"}
    )
    assert cors.status_code == 200
    assert (await client.head(f"/api/v1/tracks/{public.id}")).status_code in (200, 405)
    assert lane_answers == []


def _ids(answer: httpx.Response) -> list[str]:
    return [item["id"] for item in answer.json()["data"]["tracks"]]


async def test_the_signed_in_catalog_is_answered_by_the_lane_as_the_api_answers_it(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    viewer = await member(app)
    blocked = await member(app)
    other = await member(app)
    private = await create_track(app, viewer, is_public=False)
    of_blocked = await create_track(app, blocked)
    public = await create_track(app, other)
    blocking = await client.post(f"/api/v1/users/{blocked.id}/block", headers=viewer.headers)
    assert blocking.status_code in (200, 201), blocking.text

    for path in ("/api/v1/tracks", "/api/v1/tracks?limit=2"):
        answer = await same_answer(client, path, viewer.headers)
        assert answer.status_code == 200, answer.text
    shown = _ids(await client.get("/api/v1/tracks", headers=viewer.headers))
    assert str(private.id) in shown and str(public.id) in shown
    assert str(of_blocked.id) not in shown
    # The blocked member does not see the viewer's tracks either, nor anyone their private one.
    seen_by_blocked = _ids(await same_answer(client, "/api/v1/tracks", blocked.headers))
    assert str(private.id) not in seen_by_blocked and str(public.id) in seen_by_blocked
    assert lane_answers == ["/api/v1/tracks", "/api/v1/tracks?limit=2"] + ["/api/v1/tracks"] * 2


async def _playlist_of(app: FastAPI, owner: Member, collaborator: Member) -> tuple[str, str]:
    shown = await create_track(app, owner)
    private_track = await create_track(app, owner, is_public=False)
    playlist = await create_playlist(
        app,
        owner,
        tracks=[shown, private_track],
        collaborators={collaborator.id: "read"},
        is_public=False,
    )
    return f"/api/v1/playlists/{playlist.id}", str(private_track.id)


async def test_a_private_playlist_is_answered_to_a_collaborator_and_refused_to_a_stranger(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    collaborator = await member(app)
    stranger = await member(app)
    path, private_track = await _playlist_of(app, owner, collaborator)

    for caller in (owner, collaborator):
        answer = await same_answer(client, path, caller.headers)
        assert answer.status_code == 200, answer.text
        assert answer.headers["etag"]
    owners_view = (await client.get(path, headers=owner.headers)).json()["data"]["playlist"]
    collaborators_view = (await client.get(path, headers=collaborator.headers)).json()["data"][
        "playlist"
    ]
    # The owner's private track is shown to the owner only (the catalog's rule).
    assert private_track in [t["track"]["id"] for t in owners_view["tracks"]]
    assert private_track not in [t["track"]["id"] for t in collaborators_view["tracks"]]
    assert lane_answers == [path] * 4
    lane_answers.clear()

    refused = await same_answer(client, path, stranger.headers)
    assert refused.status_code == 404, refused.text
    anonymous = await same_answer(client, path)
    assert anonymous.status_code == 401, anonymous.text
    assert lane_answers == []


async def _revoke(app: FastAPI, session_id: uuid.UUID) -> None:
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id)
            .values(revoked_at=datetime.now(UTC))
        )


async def _refused_by_the_api(
    client: httpx.AsyncClient, refusals: dict[str, str], playlist: str
) -> None:
    """Each token (the code of its 401) refused on the catalog and the playlist, the lane's
    answer the API's."""
    for token, code in refusals.items():
        for target in ("/api/v1/tracks", playlist):
            answer = await same_answer(client, target, {"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, (target, answer.text)
            assert answer.json()["error"]["code"] == code, (target, code)


async def test_refused_tokens_are_left_to_the_api(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    banned = await member(app)
    path, _ = await _playlist_of(app, owner, banned)
    login = await create_auth_session(app, owner.user)
    expired = app.state.tokens.encode(
        subject=str(owner.id),
        typ=ACCESS_TOKEN_TYPE,
        ttl_seconds=-60,
        claims={"token_version": owner.user.token_version, "sid": str(login.id)},
    )
    revoked_login = await create_auth_session(app, owner.user)
    revoked = app.state.tokens.encode(
        subject=str(owner.id),
        typ=ACCESS_TOKEN_TYPE,
        ttl_seconds=900,
        claims={"token_version": owner.user.token_version, "sid": str(revoked_login.id)},
    )
    await _revoke(app, revoked_login.id)
    outdated = await access_token(app, owner.user, token_version=owner.user.token_version + 1)
    await set_user_fields(app, banned.id, is_banned=True)
    refusals = {
        expired: "TOKEN_EXPIRED",
        revoked: "SESSION_REVOKED",
        outdated: "TOKEN_EXPIRED",
        banned.headers["Authorization"].removeprefix("Bearer "): "INVALID_TOKEN",
        "not.a.token": "INVALID_TOKEN",
    }
    await _refused_by_the_api(client, refusals, path)
    assert lane_answers == []


def _token(app: FastAPI, subject: str, claims: dict[str, object], **options: object) -> str:
    token: str = app.state.tokens.encode(
        subject=subject,
        typ=options.get("typ", ACCESS_TOKEN_TYPE),
        ttl_seconds=900,
        audience=options.get("audience"),
        claims=claims,
    )
    return token


async def test_every_account_and_session_refusal_is_the_api_s(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    """The lane reads the caller as one row, not a User: each check of the API's still refuses
    there, and the API answers it (the lane answers none of them)."""
    owner = await member(app)
    deleted = await member(app)
    inactive = await member(app)
    other = await member(app)
    path, _ = await _playlist_of(app, owner, deleted)
    await set_user_fields(app, deleted.id, deleted_at=utcnow())
    await set_user_fields(app, inactive.id, is_active=False)
    version = {"token_version": owner.user.token_version}
    ended = await create_auth_session(app, owner.user)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(AuthSession).where(AuthSession.id == ended.id).values(expires_at=utcnow())
        )
    others_login = await create_auth_session(app, other.user)
    own_login = await create_auth_session(app, owner.user)
    refusals = {
        # The account: deleted, deactivated, unknown.
        deleted.headers["Authorization"].removeprefix("Bearer "): "INVALID_TOKEN",
        inactive.headers["Authorization"].removeprefix("Bearer "): "INVALID_TOKEN",
        _token(app, str(uuid.uuid4()), {**version, "sid": str(own_login.id)}): "INVALID_TOKEN",
        # The login session: past its end, another user's, none, not a UUID, missing.
        _token(app, str(owner.id), {**version, "sid": str(ended.id)}): "SESSION_REVOKED",
        _token(app, str(owner.id), {**version, "sid": str(others_login.id)}): "SESSION_REVOKED",
        _token(app, str(owner.id), {**version, "sid": str(uuid.uuid4())}): "SESSION_REVOKED",
        _token(app, str(owner.id), {**version, "sid": "not-a-uuid"}): "INVALID_TOKEN",
        _token(app, str(owner.id), version): "INVALID_TOKEN",
        # Another kind of token of a live session (stream, chat), or none of token_version.
        _token(
            app, str(owner.id), {**version, "sid": str(own_login.id)}, typ="stream"
        ): "INVALID_TOKEN",
        _token(
            app, str(owner.id), {**version, "sid": str(own_login.id)}, typ="chat"
        ): "INVALID_TOKEN",
        _token(app, str(owner.id), {"sid": str(own_login.id)}): "TOKEN_EXPIRED",
    }
    await _refused_by_the_api(client, refusals, path)
    assert lane_answers == []
    # The same login session's access token is answered by the lane.
    live = _token(app, str(owner.id), {**version, "sid": str(own_login.id)})
    answer = await same_answer(client, path, {"Authorization": f"Bearer {live}"})
    assert answer.status_code == 200, answer.text
    assert lane_answers == [path]


async def test_an_administrator_is_answered_by_the_lane_as_by_the_api(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    """The lane's caller carries the administrator rule (flag or role): an administrator sees
    others' private tracks and their counts in the catalog, and a private playlist."""
    owner = await member(app)
    by_role = await member(app)
    by_flag = await admin(app)
    await set_user_fields(app, by_role.id, role="admin")
    private = await create_track(app, owner, is_public=False)
    path, private_entry = await _playlist_of(app, owner, owner)
    for caller in (by_role, by_flag):
        catalog = await same_answer(client, "/api/v1/tracks", caller.headers)
        assert str(private.id) in _ids(catalog)
        assert all("play_count" in track for track in catalog.json()["data"]["tracks"])
        playlist = (await same_answer(client, path, caller.headers)).json()["data"]["playlist"]
        assert private_entry in [entry["track"]["id"] for entry in playlist["tracks"]]
    assert lane_answers == ["/api/v1/tracks", path] * 2
