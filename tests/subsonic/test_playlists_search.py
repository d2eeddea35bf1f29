"""Playlists mapped onto the playlists domain (the same permission rules, the web app sees
the same playlist), and search3 on the search engine."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import member
from tests.helpers import data
from tests.subsonic.conftest import Library, Sub, with_password


async def _ids(library: Library) -> dict[str, str]:
    body = await library.sub.ok("getRandomSongs", size=50)
    return {s["title"]: s["id"] for s in body["randomSongs"]["song"]}


async def test_create_edit_and_delete_a_playlist(app: FastAPI, library: Library, client) -> None:
    ids, sub = await _ids(library), library.sub
    created = await sub.ok("createPlaylist", name="Road trip", songId=[ids["First"], ids["Sun"]])
    playlist = created["playlist"]
    assert playlist["name"] == "Road trip" and playlist["songCount"] == 2
    assert [e["title"] for e in playlist["entry"]] == ["First", "Sun"]
    assert playlist["owner"] == library.owner.user.username
    await sub.ok(
        "updatePlaylist", playlistId=playlist["id"], name="Road trip 2", comment="summer",
        songIdToAdd=ids["Jóga"], songIndexToRemove=0,
    )  # fmt: skip
    shown = (await sub.ok("getPlaylist", id=playlist["id"]))["playlist"]
    assert shown["name"] == "Road trip 2" and shown["comment"] == "summer"
    assert [e["title"] for e in shown["entry"]] == ["Sun", "Jóga"]
    # The web app reads the same playlist.
    web = data(
        await client.get(f"/api/v1/playlists/{playlist['id']}", headers=library.owner.headers)
    )
    assert [t["track"]["title"] for t in web["playlist"]["tracks"]] == ["Sun", "Jóga"]
    listed = (await sub.ok("getPlaylists"))["playlists"]["playlist"]
    assert [p["id"] for p in listed] == [playlist["id"]]
    replaced = await sub.ok("createPlaylist", playlistId=playlist["id"], songId=ids["Sea"])
    assert [e["title"] for e in replaced["playlist"]["entry"]] == ["Sea"]
    assert await sub.error("updatePlaylist", playlistId=playlist["id"], songIdToAdd=ids["Sea"]) == 0
    assert await sub.error("updatePlaylist", playlistId=playlist["id"], songIndexToRemove=9) == 0
    await sub.ok("deletePlaylist", id=playlist["id"])
    assert await sub.error("getPlaylist", id=playlist["id"]) == 70


async def test_other_users_follow_the_playlist_rules(
    app: FastAPI, library: Library, client
) -> None:
    ids = await _ids(library)
    created = await library.sub.ok("createPlaylist", name="Mine", songId=ids["First"])
    playlist_id = created["playlist"]["id"]
    stranger = await member(app)
    await with_password(app, stranger)
    other = Sub(client, stranger.user.username)
    assert await other.error("getPlaylist", id=playlist_id) == 70  # private: invisible
    await library.sub.ok("updatePlaylist", playlistId=playlist_id, public="true")
    assert (await other.ok("getPlaylist", id=playlist_id))["playlist"]["name"] == "Mine"
    assert await other.error("updatePlaylist", playlistId=playlist_id, name="Theirs") == 50
    assert await other.error("deletePlaylist", id=playlist_id) == 50
    assert await other.error("updatePlaylist", playlistId="nope") == 70


async def test_search3_finds_songs_albums_and_artists(library: Library) -> None:
    sub = library.sub
    found = (await sub.ok("search3", query="double"))["searchResult3"]
    assert [a["name"] for a in found["album"]] == ["Double Album"]
    by_artist = (await sub.ok("search3", query="björk"))["searchResult3"]
    assert [a["name"] for a in by_artist["artist"]] == ["Björk"]
    assert "Jóga" in [s["title"] for s in by_artist["song"]]
    song = (await sub.ok("search3", query="third"))["searchResult3"]["song"]
    assert [s["title"] for s in song] == ["Third"]
    everything = (await sub.ok("search3", query="", songCount=3, songOffset=1))["searchResult3"]
    assert len(everything["song"]) == 3 and len(everything["album"]) >= 4
    nothing = (await sub.ok("search3", query="zzzqqq"))["searchResult3"]
    assert nothing == {} or not any(nothing.get(k) for k in ("song", "album", "artist"))
