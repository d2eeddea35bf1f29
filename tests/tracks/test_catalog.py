"""The catalog: listing (filters, sorts, pages and cursors), reading, editing, deleting, lyrics."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import admin, create_track, member, set_user_fields, track_row
from tests.helpers import API, block, data, error_code, ids
from veza.kit.pagination import CursorCodec
from veza.models.track import TRACK_PROCESSING
from veza.tracks.presenters import track_response


async def test_list_shows_public_completed_tracks_and_the_callers_own(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    bob = await member(app)
    public = await create_track(app, alice)
    private = await create_track(app, alice, is_public=False)
    processing = await create_track(app, alice, status=TRACK_PROCESSING)
    bobs_private = await create_track(app, bob, is_public=False)

    anonymous = set(ids(await client.get(f"{API}/tracks")))
    assert anonymous == {str(public.id)}
    as_bob = set(ids(await client.get(f"{API}/tracks", headers=bob.headers)))
    assert as_bob == {str(public.id), str(bobs_private.id)}
    as_alice = set(ids(await client.get(f"{API}/tracks", headers=alice.headers)))
    assert as_alice == {str(public.id), str(private.id), str(processing.id)}


async def test_list_hides_deleted_tracks_blocked_users_and_banned_creators(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    viewer = await member(app)
    blocked = await member(app)
    banned = await member(app)
    kept = await create_track(app, await member(app))
    await create_track(app, blocked)
    await create_track(app, banned)
    await create_track(app, viewer, deleted_at=datetime.now(UTC))
    assert (await block(client, viewer, blocked)).status_code == 200
    await set_user_fields(app, banned.id, is_banned=True)

    assert ids(await client.get(f"{API}/tracks", headers=viewer.headers)) == [str(kept.id)]
    # A block hides both ways.
    listed_by_blocked = ids(await client.get(f"{API}/tracks", headers=blocked.headers))
    assert str(kept.id) in listed_by_blocked


async def test_list_filters_by_creator_genre_and_format(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    bob = await member(app)
    house = await create_track(app, alice, genres=["house"], format="flac")
    legacy = await create_track(app, bob, genre="Hip Hop")
    await create_track(app, bob, genre="Rock")

    by_alice = ids(await client.get(f"{API}/tracks", params={"user_id": str(alice.id)}))
    assert by_alice == [str(house.id)]
    assert ids(await client.get(f"{API}/tracks", params={"genre": "house"})) == [str(house.id)]
    assert ids(await client.get(f"{API}/tracks", params={"genre": "hip-hop"})) == [str(legacy.id)]
    assert ids(await client.get(f"{API}/tracks", params={"format": "FLAC"})) == [str(house.id)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort_by": "duration"}, "sort_by"),
        ({"format": "exe"}, "format"),
        ({"user_id": "not-a-uuid"}, "user_id"),
        ({"limit": 0}, "limit"),
        ({"page": 0}, "page"),
        ({"cursor": "%%%"}, "cursor"),
    ],
)
async def test_list_refuses_invalid_query_parameters(
    client: httpx.AsyncClient, params: dict[str, object], field: str
) -> None:
    response = await client.get(f"{API}/tracks", params=params)
    assert error_code(response, 400) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["field"] == field


async def test_list_sorts_by_title_and_play_count(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    b = await create_track(app, owner, title="beta", play_count=5)
    a = await create_track(app, owner, title="Alpha", play_count=1)
    c = await create_track(app, owner, title="gamma", play_count=9)

    by_title = ids(await client.get(f"{API}/tracks", params={"sort_by": "title"}))
    assert by_title == [str(a.id), str(b.id), str(c.id)]
    by_plays = ids(await client.get(f"{API}/tracks", params={"sort_by": "play_count"}))
    assert by_plays == [str(c.id), str(b.id), str(a.id)]
    newest = ids(await client.get(f"{API}/tracks"))
    assert newest == [str(c.id), str(a.id), str(b.id)]


async def test_pages_report_totals_and_a_cursor(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    for _ in range(5):
        await create_track(app, owner)
    first = data(await client.get(f"{API}/tracks", params={"limit": 2}))
    assert first["pagination"] | {"next_cursor": None} == {
        "page": 1,
        "limit": 2,
        "total": 5,
        "total_pages": 3,
        "has_next": True,
        "has_prev": False,
        "next_cursor": None,
    }
    assert first["pagination"]["next_cursor"]
    last = data(await client.get(f"{API}/tracks", params={"limit": 2, "page": 3}))
    assert len(last["tracks"]) == 1
    assert last["pagination"]["has_next"] is False
    assert "next_cursor" not in last["pagination"]


async def test_cursor_stays_stable_while_tracks_are_added(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    base = datetime.now(UTC) - timedelta(hours=1)
    created = [
        await create_track(app, owner, created_at=base + timedelta(minutes=i)) for i in range(5)
    ]
    expected = [str(track.id) for track in reversed(created)]

    first = data(await client.get(f"{API}/tracks", params={"limit": 2}))
    seen = [item["id"] for item in first["tracks"]]
    cursor = first["pagination"]["next_cursor"]
    await create_track(app, owner)  # a new track lands on top meanwhile
    while cursor:
        page = data(await client.get(f"{API}/tracks", params={"limit": 2, "cursor": cursor}))
        assert "page" not in page["pagination"]
        seen += [item["id"] for item in page["tracks"]]
        cursor = page["pagination"].get("next_cursor")
    assert seen == expected


async def test_a_cursor_of_another_order_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    for _ in range(3):
        await create_track(app, owner)
    cursor = data(await client.get(f"{API}/tracks", params={"limit": 1}))["pagination"][
        "next_cursor"
    ]
    response = await client.get(f"{API}/tracks", params={"cursor": cursor, "sort_by": "title"})
    assert error_code(response, 400) == "VALIDATION_ERROR"


def _forged(payload: bytes, tag: bytes = b"0" * 16) -> str:
    encode = base64.urlsafe_b64encode
    return f"{encode(payload).decode().rstrip('=')}.{encode(tag).decode().rstrip('=')}"


def _unsigned(position: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


async def test_a_cursor_we_did_not_issue_unchanged_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    await create_track(app, owner)
    issued = data(await client.get(f"{API}/tracks", params={"limit": 1}))["pagination"][
        "next_cursor"
    ]
    body, _, tag = issued.partition(".")
    position = {"s": "play_count", "v": 0, "id": str(track.id)}
    other_key = CursorCodec.derived_from("another server's secret")
    tampered_body = base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")
    refused = {
        "unsigned, as cursors used to be": _unsigned(position),
        "an infinite number": _unsigned({"s": "play_count", "v": 1e309, "id": str(track.id)}),
        "a huge number": _unsigned({"s": "play_count", "v": 10**4000, "id": str(track.id)}),
        "deep nesting": _forged(b"[" * 3000),
        "another body under the issued tag": f"{tampered_body}.{tag}",
        "one character changed": body[:-1] + ("A" if body[-1] != "A" else "B") + "." + tag,
        "the tag cut short": f"{body}.{tag[:-2]}",
        "no tag": body,
        "signed under another key": other_key.encode(position),
        "huge": "A" * 6000 + "." + tag,
        "odd characters": "é/+=.*",
        "only a dot": ".",
        "empty parts": "..",
    }
    for name, cursor in refused.items():
        response = await client.get(f"{API}/tracks", params={"cursor": cursor})
        assert response.status_code == 400, (name, response.text)
        assert response.json()["error"]["details"][0]["field"] == "cursor", name
    assert data(await client.get(f"{API}/tracks", params={"cursor": issued}))["tracks"]


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        ("play_count", 10**30),
        ("play_count", -1),
        ("play_count", float("inf")),
        ("play_count", True),
        ("play_count", [[[[1]]]]),
        ("created_at", "9999-12-31T23:59:59-14:00"),
        ("created_at", "not a time"),
        ("created_at", "2026-01-01T00:00:00"),
        ("created_at", 12),
        ("title", "x" * 2000),
        ("title", {"a": 1}),
    ],
)
async def test_a_signed_cursor_holding_values_out_of_bounds_is_refused(
    app: FastAPI, client: httpx.AsyncClient, sort: str, value: object
) -> None:
    # Our own key signs these, as a bug or a leaked key could: every value is still bounded.
    codec = CursorCodec.derived_from(app.state.tokens.secret)
    track = await create_track(app, await member(app))
    for position in (
        {"s": sort, "v": value, "id": str(track.id)},
        {"s": sort, "v": 0 if sort == "play_count" else "a", "id": value},
    ):
        cursor = codec.encode(position)
        response = await client.get(f"{API}/tracks", params={"cursor": cursor, "sort_by": sort})
        assert response.status_code == 400, (position, response.text)
        assert response.json()["error"]["details"][0]["field"] == "cursor"


# GET /tracks/{id} ------------------------------------------------------------------------------


async def test_play_and_like_counts_are_shown_to_the_owner_and_admins_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner, play_count=7, like_count=3)

    for viewer in (owner, moderator):
        shown = data(await client.get(f"{API}/tracks/{track.id}", headers=viewer.headers))
        assert (shown["track"]["play_count"], shown["track"]["like_count"]) == (7, 3)
    for headers in (fan.headers, {}):
        hidden = data(await client.get(f"{API}/tracks/{track.id}", headers=headers))["track"]
        assert "play_count" not in hidden and "like_count" not in hidden
        assert hidden["title"] == track.title
    listed = data(await client.get(f"{API}/tracks"))["tracks"][0]
    assert "play_count" not in listed


async def test_listed_and_single_tracks_are_the_response_model_s_json(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # The list and the single read are encoded straight from the Track objects: both must give
    # the JSON of the response model (counts, links, lists and nulls alike, keys in order).
    owner = await member(app)
    await create_track(
        app, owner, play_count=2, genres=["jazz"], tags=None, waveform_path="w.json", bpm=None
    )
    await create_track(app, owner, hls_path="hls/x", artist="Someone", year=1999)
    public_url = app.state.settings.server.public_url
    for viewer in (owner, None):
        headers = viewer.headers if viewer else {}
        listed = data(await client.get(f"{API}/tracks", headers=headers))["tracks"]
        assert len(listed) == 2
        for track in listed:
            single = data(await client.get(f"{API}/tracks/{track['id']}", headers=headers))
            row = await track_row(app, track["id"])
            expected = track_response(row, public_url, viewer.user if viewer else None)
            model_json = expected.model_dump(mode="json", exclude_none=True)
            for shown in (track, single["track"]):
                assert shown == model_json
                assert list(shown) == list(model_json)


async def test_private_deleted_and_blocked_tracks_are_not_found(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    private = await create_track(app, owner, is_public=False)
    deleted = await create_track(app, owner, deleted_at=datetime.now(UTC))
    public = await create_track(app, owner)
    assert (await block(client, owner, fan)).status_code == 200

    for track in (private, deleted, public):
        response = await client.get(f"{API}/tracks/{track.id}", headers=fan.headers)
        assert error_code(response, 404) == "TRACK_NOT_FOUND"
    assert (
        await client.get(f"{API}/tracks/{deleted.id}", headers=owner.headers)
    ).status_code == 404
    assert (await client.get(f"{API}/tracks/not-a-uuid")).status_code == 400


# PUT /tracks/{id} ------------------------------------------------------------------------------


async def test_owner_updates_metadata_and_history_records_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, title="Old", bpm=100)
    body = {
        "title": "  New title ",
        "bpm": 124,
        "year": 2024,
        "genres": ["House", "lo fi", "house"],
        "tags": ["chill", " Chill ", "night drive", ""],
        "musical_key": "a minor",
        "artist": "",
        "is_public": False,
    }
    updated = data(await client.put(f"{API}/tracks/{track.id}", headers=owner.headers, json=body))
    got = updated["track"]
    assert got["title"] == "New title"
    assert (got["bpm"], got["year"], got["musical_key"]) == (124, 2024, "Am")
    assert got["genres"] == ["house", "lo-fi"]
    assert got["tags"] == ["chill", "night drive"]
    assert got["is_public"] is False
    assert "artist" not in got

    history = data(await client.get(f"{API}/tracks/{track.id}/history", headers=owner.headers))
    entry = history["history"][0]
    assert entry["action"] == "metadata_updated"
    assert entry["changes"]["title"] == ["Old", "New title"]
    assert entry["changes"]["bpm"] == [100, 124]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"bpm": 301}, "bpm"),
        ({"bpm": -1}, "bpm"),
        ({"year": 1899}, "year"),
        ({"year": 2101}, "year"),
        ({"genres": ["pop", "rock", "jazz", "house"]}, "genres"),
        ({"genres": ["polka-metal"]}, "genres"),
        ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"tags": ["x" * 31]}, "tags"),
        ({"musical_key": "H#"}, "musical_key"),
    ],
)
async def test_update_refuses_invalid_metadata(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    response = await client.put(f"{API}/tracks/{track.id}", headers=owner.headers, json=body)
    assert error_code(response, 400) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["field"] == field


async def test_non_owner_cannot_update_track_but_an_admin_can(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    other = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner)
    private = await create_track(app, owner, is_public=False)

    refused = await client.put(f"{API}/tracks/{track.id}", headers=other.headers, json={"bpm": 90})
    assert error_code(refused, 403) == "NOT_TRACK_OWNER"
    hidden = await client.put(f"{API}/tracks/{private.id}", headers=other.headers, json={"bpm": 90})
    assert error_code(hidden, 404) == "TRACK_NOT_FOUND"
    assert (await client.put(f"{API}/tracks/{track.id}", json={"bpm": 90})).status_code == 401
    done = await client.put(f"{API}/tracks/{track.id}", headers=moderator.headers, json={"bpm": 90})
    assert data(done)["track"]["bpm"] == 90


# DELETE /tracks/{id} ---------------------------------------------------------------------------


async def test_owner_soft_deletes_a_track_and_it_vanishes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    liked = await client.post(f"{API}/tracks/{track.id}/like", headers=fan.headers)
    assert liked.status_code == 200

    removed = await client.delete(f"{API}/tracks/{track.id}", headers=owner.headers)
    assert data(removed) == {"message": "Track deleted"}
    assert (await track_row(app, track.id)).deleted_at is not None
    assert ids(await client.get(f"{API}/tracks", headers=owner.headers)) == []
    assert (await client.get(f"{API}/tracks/{track.id}", headers=owner.headers)).status_code == 404
    assert (await client.get(f"{API}/tracks/{track.id}/stream")).status_code == 404
    assert (await client.get(f"{API}/tracks/{track.id}/comments")).status_code == 404
    tab = data(await client.get(f"{API}/users/{fan.id}/likes", headers=fan.headers))
    assert tab["tracks"] == [] and tab["total"] == 0
    again = await client.delete(f"{API}/tracks/{track.id}", headers=owner.headers)
    assert again.status_code == 404


async def test_delete_needs_the_owner_or_an_admin(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    other = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner)

    assert (await client.delete(f"{API}/tracks/{track.id}")).status_code == 401
    refused = await client.delete(f"{API}/tracks/{track.id}", headers=other.headers)
    assert error_code(refused, 403) == "NOT_TRACK_OWNER"
    done = await client.delete(f"{API}/tracks/{track.id}", headers=moderator.headers)
    assert done.status_code == 200


async def test_deleting_an_uploaded_track_frees_its_quota(
    app: FastAPI, client: httpx.AsyncClient, owner: object, audio: object
) -> None:
    from tests.audio import AudioSamples
    from tests.helpers import Uploader

    assert isinstance(owner, Uploader) and isinstance(audio, AudioSamples)
    track = await owner.upload_track(audio.read("mp3"))
    before = data(await client.get(f"{API}/tracks/quota/me", headers=owner.headers))["quota"]
    assert before["used"] > 0 and before["track_count"] == 1
    assert (await client.delete(f"{API}/tracks/{track['id']}", headers=owner.headers)).status_code
    after = data(await client.get(f"{API}/tracks/quota/me", headers=owner.headers))["quota"]
    assert (after["used"], after["track_count"]) == (0, 0)
    await app.state.jobs.drain()


# Lyrics ----------------------------------------------------------------------------------------


async def test_lyrics_are_an_empty_object_until_set_then_plain_or_timed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    url = f"{API}/tracks/{track.id}/lyrics"
    # The contract types data.lyrics as an object: a track without lyrics gets an empty one.
    empty = {
        "track_id": str(track.id),
        "content": "",
        "is_synced": False,
        "lines": [],
        "created_at": None,
        "updated_at": None,
    }

    assert data(await client.get(url)) == {"lyrics": empty}
    plain = data(await client.put(url, headers=owner.headers, json={"content": "la la\nla"}))
    assert plain["lyrics"]["content"] == "la la\nla"
    assert (plain["lyrics"]["is_synced"], plain["lyrics"]["lines"]) == (False, [])
    assert plain["lyrics"]["created_at"] and plain["lyrics"]["updated_at"]

    lrc = "[ti:Song]\n[00:12.50]First line\n[00:05.00]Intro\n"
    timed = data(await client.put(url, headers=owner.headers, json={"content": lrc}))["lyrics"]
    assert timed["is_synced"] is True
    assert timed["lines"] == [
        {"time": 5.0, "text": "Intro"},
        {"time": 12.5, "text": "First line"},
    ]
    assert data(await client.get(url))["lyrics"]["content"] == lrc

    cleared = data(await client.put(url, headers=owner.headers, json={"content": None}))
    assert cleared == {"lyrics": empty}
    assert data(await client.get(url)) == {"lyrics": empty}


async def test_lrc_numbers_too_long_or_in_other_scripts_are_text_not_a_500(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    url = f"{API}/tracks/{track.id}/lyrics"
    content = f"[offset:+{'9' * 400}]\n[00:01.00]One\n[\u0660\u0661:00]Arabic-Indic digits\n"
    response = await client.put(url, headers=owner.headers, json={"content": content})
    assert response.status_code == 200, response.text
    assert data(response)["lyrics"]["lines"] == [{"time": 1.0, "text": "One"}]


async def test_only_the_owner_or_an_admin_writes_lyrics(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    other = await member(app)
    track = await create_track(app, owner)
    private = await create_track(app, owner, is_public=False)
    body = {"content": "words"}

    assert (await client.put(f"{API}/tracks/{track.id}/lyrics", json=body)).status_code == 401
    refused = await client.put(f"{API}/tracks/{track.id}/lyrics", headers=other.headers, json=body)
    assert refused.status_code == 403
    hidden = await client.put(f"{API}/tracks/{private.id}/lyrics", headers=other.headers, json=body)
    assert hidden.status_code == 404
    assert (await client.get(f"{API}/tracks/{private.id}/lyrics")).status_code == 404
    too_long = await client.put(
        f"{API}/tracks/{track.id}/lyrics", headers=owner.headers, json={"content": "x" * 50_001}
    )
    assert too_long.status_code == 400


async def test_suggested_tags_are_a_fixed_list_per_genre(client: httpx.AsyncClient) -> None:
    rock = data(await client.get(f"{API}/tracks/suggested-tags", params={"genre": "Rock"}))
    assert rock["genre"] == "rock" and "guitar" in rock["tags"]
    hip_hop = data(await client.get(f"{API}/tracks/suggested-tags", params={"genre": "hip-hop"}))
    assert "rap" in hip_hop["tags"]
    unknown = data(await client.get(f"{API}/tracks/suggested-tags", params={"genre": "polka"}))
    default = data(await client.get(f"{API}/tracks/suggested-tags"))
    assert unknown == default and default["genre"] == "default"
