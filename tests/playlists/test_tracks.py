"""Entries: add, remove, reorder, dense positions, who added what, the snapshot id (If-Match),
the length cap, and what each viewer is shown inside a playlist."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import admin, create_playlist, create_track, member, set_track_fields
from tests.helpers import API, block, data, error_code
from tests.lane import fastapi_bytes
from tests.playlists.support import add_track, get_playlist, positions, track_ids
from veza.kit.envelope import Envelope
from veza.models import PlaylistTrack
from veza.playlists.schemas import PlaylistData


async def test_adding_records_who_and_when_and_appends_at_the_end(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, collaborator = await member(app), await member(app)
    first, second = await create_track(app, owner), await create_track(app, collaborator)
    playlist = await create_playlist(
        app, owner, tracks=[first], collaborators={collaborator.id: "write"}
    )
    added = await add_track(client, collaborator, playlist.id, second.id)
    assert data(added)["message"] == "Track added to playlist"
    response = await get_playlist(client, owner, playlist.id)
    assert track_ids(response) == [str(first.id), str(second.id)]
    entry = response.json()["data"]["playlist"]["tracks"][1]
    assert entry["added_by"] == str(collaborator.id)
    assert entry["added_at"].endswith("Z")
    assert entry["track"]["id"] == str(second.id)
    assert positions(response) == [0, 1]
    assert response.json()["data"]["playlist"]["track_count"] == 2


async def test_a_duplicate_is_400_and_a_missing_or_hidden_track_is_404(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, stranger = await member(app), await member(app)
    track = await create_track(app, owner)
    private = await create_track(app, stranger, is_public=False)
    playlist = await create_playlist(app, owner, tracks=[track])
    assert error_code(await add_track(client, owner, playlist.id, track.id), 400) == (
        "TRACK_ALREADY_IN_PLAYLIST"
    )
    assert error_code(await add_track(client, owner, playlist.id, private.id), 404) == (
        "TRACK_NOT_FOUND"
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert error_code(await add_track(client, owner, playlist.id, unknown), 404) == (
        "TRACK_NOT_FOUND"
    )
    malformed = await client.post(
        f"{API}/playlists/{playlist.id}/tracks", headers=owner.headers, json={"track_id": "x"}
    )
    assert error_code(malformed, 400) == "VALIDATION_ERROR"
    missing = await client.post(
        f"{API}/playlists/{playlist.id}/tracks", headers=owner.headers, json={}
    )
    assert error_code(missing, 400) == "VALIDATION_ERROR"


async def test_positions_stay_dense_after_removals(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    tracks = [await create_track(app, owner) for _ in range(4)]
    playlist = await create_playlist(app, owner, tracks=tracks)
    removed = await client.delete(
        f"{API}/playlists/{playlist.id}/tracks/{tracks[1].id}", headers=owner.headers
    )
    assert data(removed)["message"] == "Track removed from playlist"
    again = await client.delete(
        f"{API}/playlists/{playlist.id}/tracks/{tracks[1].id}", headers=owner.headers
    )
    assert error_code(again, 404) == "TRACK_NOT_IN_PLAYLIST"
    await add_track(client, owner, playlist.id, tracks[1].id)
    async with app.state.db.reader() as session:
        stored = list(
            await session.scalars(
                select(PlaylistTrack.position)
                .where(PlaylistTrack.playlist_id == playlist.id)
                .order_by(PlaylistTrack.position)
            )
        )
    assert stored == [0, 1, 2, 3]
    response = await get_playlist(client, owner, playlist.id)
    assert track_ids(response) == [str(t.id) for t in (tracks[0], tracks[2], tracks[3], tracks[1])]


async def test_reorder_takes_the_full_list_and_refuses_anything_else(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    a, b, c = [await create_track(app, owner) for _ in range(3)]
    outsider = await create_track(app, owner)
    playlist = await create_playlist(app, owner, tracks=[a, b, c])
    url = f"{API}/playlists/{playlist.id}/tracks/reorder"
    done = await client.put(
        url, headers=owner.headers, json={"track_ids": [str(c.id), str(a.id), str(b.id)]}
    )
    assert data(done)["message"] == "Tracks reordered"
    assert track_ids(await get_playlist(client, owner, playlist.id)) == [
        str(c.id),
        str(a.id),
        str(b.id),
    ]
    for wrong in (
        [str(a.id), str(b.id)],  # one missing
        [str(a.id), str(b.id), str(c.id), str(outsider.id)],  # one too many
        [str(a.id), str(a.id), str(b.id)],  # repeated
        [],
        ["not-a-uuid"],
    ):
        refused = await client.put(url, headers=owner.headers, json={"track_ids": wrong})
        assert refused.status_code == 400, wrong
    assert positions(await get_playlist(client, owner, playlist.id)) == [0, 1, 2]


async def test_a_stale_snapshot_id_is_412_and_the_current_one_passes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    a, b, c = [await create_track(app, owner) for _ in range(3)]
    playlist = await create_playlist(app, owner, tracks=[a, b])
    seen = await get_playlist(client, owner, playlist.id)
    snapshot = seen.json()["data"]["playlist"]["snapshot_id"]
    assert seen.headers["ETag"] == f'"{snapshot}"'
    added = await add_track(client, owner, playlist.id, c.id, **{"If-Match": f'"{snapshot}"'})
    new_snapshot = data(added)["snapshot_id"]
    assert new_snapshot != snapshot and added.headers["ETag"] == f'"{new_snapshot}"'
    # A client still holding the old list may not reorder it.
    stale = await client.put(
        f"{API}/playlists/{playlist.id}/tracks/reorder",
        headers={**owner.headers, "If-Match": f'"{snapshot}"'},
        json={"track_ids": [str(b.id), str(a.id)]},
    )
    assert error_code(stale, 412) == "PRECONDITION_FAILED"
    for header in (snapshot, "garbage"):
        removal = await client.delete(
            f"{API}/playlists/{playlist.id}/tracks/{a.id}",
            headers={**owner.headers, "If-Match": header},
        )
        assert removal.status_code == 412
    fresh = await client.put(
        f"{API}/playlists/{playlist.id}/tracks/reorder",
        headers={**owner.headers, "If-Match": new_snapshot},
        json={"track_ids": [str(c.id), str(b.id), str(a.id)]},
    )
    assert fresh.status_code == 200
    renamed = await client.put(
        f"{API}/playlists/{playlist.id}",
        headers={**owner.headers, "If-Match": new_snapshot},
        json={"title": "Late"},
    )
    assert renamed.status_code == 412
    assert track_ids(await get_playlist(client, owner, playlist.id)) == [
        str(c.id),
        str(b.id),
        str(a.id),
    ]


async def test_each_viewer_sees_only_the_tracks_they_may_read(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, listener, blocker = await member(app), await member(app), await member(app)
    public = await create_track(app, owner)
    private = await create_track(app, owner, is_public=False)
    deleted = await create_track(app, owner)
    by_blocker = await create_track(app, blocker)
    playlist = await create_playlist(
        app, owner, tracks=[public, private, deleted, by_blocker], is_public=True
    )
    await set_track_fields(app, deleted.id, deleted_at=datetime.now(UTC))
    await block(client, blocker, listener)
    mine = await get_playlist(client, owner, playlist.id)
    assert track_ids(mine) == [str(public.id), str(private.id), str(by_blocker.id)]
    assert mine.json()["data"]["playlist"]["track_count"] == 3
    theirs = await get_playlist(client, listener, playlist.id)
    assert track_ids(theirs) == [str(public.id)]
    assert theirs.json()["data"]["playlist"]["track_count"] == 1
    assert positions(theirs) == [0]
    listed = await client.get(
        f"{API}/playlists", headers=listener.headers, params={"user_id": str(owner.id)}
    )
    assert [p["track_count"] for p in data(listed)["playlists"]] == [1]
    # The listener may not know of the hidden tracks; a reorder of what they see keeps the
    # hidden entries in their places.
    await client.post(
        f"{API}/playlists/{playlist.id}/collaborators",
        headers=owner.headers,
        json={"user_id": str(listener.id), "permission": "write"},
    )
    other = await create_track(app, listener)
    await add_track(client, listener, playlist.id, other.id)
    reordered = await client.put(
        f"{API}/playlists/{playlist.id}/tracks/reorder",
        headers=listener.headers,
        json={"track_ids": [str(other.id), str(public.id)]},
    )
    assert reordered.status_code == 200, reordered.text
    assert track_ids(await get_playlist(client, owner, playlist.id)) == [
        str(other.id),
        str(private.id),
        str(by_blocker.id),
        str(public.id),
    ]


async def test_the_playlist_page_is_the_same_json_as_every_other_playlist_answer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """GET /playlists/{id} encodes its tracks in one pass; PUT answers through the models:
    both must say the same thing, to the owner (who sees play counts) and to others."""
    owner, listener, admin_collaborator = await member(app), await member(app), await member(app)
    tracks = [
        await create_track(
            app,
            owner,
            genres=["jazz", "ambient"],
            tags=["late night"],
            waveform_path="waveforms/a.json",
            hls_path="hls/a",
            play_count=12,
            artist=None,
        ),
        await create_track(app, listener, album="Kind of Blue", bpm=120, musical_key="Am"),
    ]
    playlist = await create_playlist(
        app,
        owner,
        tracks=tracks,
        is_public=True,
        description="Both paths",
        collaborators={admin_collaborator.id: "admin"},
    )
    for viewer in (owner, listener, admin_collaborator):
        page = (await get_playlist(client, viewer, playlist.id)).json()
        if viewer is admin_collaborator:
            models = await client.put(
                f"{API}/playlists/{playlist.id}", headers=viewer.headers, json={}
            )
            assert models.json() == page
        assert page["data"]["playlist"]["collaborators"][0]["user_id"] == str(admin_collaborator.id)
    owner_page = (await get_playlist(client, owner, playlist.id)).json()["data"]["playlist"]
    first = owner_page["tracks"][0]["track"]
    assert first["play_count"] == 12 and first["genres"] == ["jazz", "ambient"]
    assert first["stream_manifest_url"].endswith(f"/hls/{tracks[0].id}/master.m3u8")
    assert "artist" not in first
    theirs = (await get_playlist(client, listener, playlist.id)).json()["data"]["playlist"]
    assert "play_count" not in theirs["tracks"][0]["track"]
    assert theirs["tracks"][1]["track"]["play_count"] == 0  # the listener's own track


async def test_the_playlist_page_is_the_bytes_fastapi_writes_for_its_response_model(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The page is written from rows in one pass: read back as Envelope[PlaylistData], FastAPI
    writes that model as the same bytes (each key in its place, None left out), for the
    owner, a collaborator, a listener and an administrator (each read by its own statement)."""
    owner = await member(app, first_name="Zoë", avatar="https://img.example/zoë.png")
    listener, writer, reader, administrator = (
        await member(app),
        await member(app, slug="the-writer", last_name='O"Brien'),
        await member(app),
        await admin(app),
    )
    tracks = [
        await create_track(app, owner, genres=["jazz"], tags=["late night"], hls_path="hls/a"),
        await create_track(app, writer, album="Kind of Blue", bpm=120, artist=None),
        await create_track(app, owner, is_public=False),
    ]
    for is_public, description in ((True, "Both \u2028 paths"), (False, None)):
        playlist = await create_playlist(
            app,
            owner,
            tracks=tracks,
            is_public=is_public,
            description=description,
            collaborators={writer.id: "write", reader.id: "read"},
        )
        for viewer in (owner, writer, reader, administrator, listener):
            page = await get_playlist(client, viewer, playlist.id)
            if viewer is listener and not is_public:
                assert error_code(page, 404) == "PLAYLIST_NOT_FOUND"
                continue
            assert page.status_code == 200, page.text
            model = Envelope[PlaylistData]
            expected = await fastapi_bytes(
                model.model_validate_json(page.content), model, exclude_none=True
            )
            assert page.content == expected
            shown = page.json()["data"]["playlist"]
            assert ("description" in shown) is (description is not None)
            assert [c["user"]["id"] for c in shown["collaborators"]] == [
                str(writer.id),
                str(reader.id),
            ]
            assert page.headers["etag"] == f'"{playlist.version}"'
