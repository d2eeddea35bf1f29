"""Real Subsonic clients nobody here wrote, against a real server (uvicorn on a loopback port):
py-sonic and knuckles (OpenSubsonic) drive browse, search, stream with seeking, star,
playlist and play-queue flows. Both are synchronous: they run in a thread while the test's
event loop serves."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import libsonic
from knuckles import Subsonic

from tests.subsonic.conftest import PASSWORD, Library


def _py_sonic_flow(host: str, username: str) -> dict[str, Any]:
    address, port = host.split(":")
    connection = libsonic.Connection(
        f"http://{address}", username, PASSWORD, port=int(port), appName="py-sonic-test"
    )
    assert connection.ping()
    indexes = connection.getArtists()["artists"]["index"]
    names = [a["name"] for index in indexes for a in index["artist"]]
    artist_id = next(
        a["id"] for index in indexes for a in index["artist"] if a["name"] == "Artist One"
    )
    album = connection.getArtist(artist_id)["artist"]["album"][0]
    songs = connection.getAlbum(album["id"])["album"]["song"]
    found = connection.search3("third")["searchResult3"]["song"]
    audio = connection.stream(songs[0]["id"]).read()
    connection.star(sids=[songs[0]["id"]])
    starred = connection.getStarred2()["starred2"]["song"]
    created = connection.createPlaylist(name="py-sonic list", songIds=[s["id"] for s in songs])
    playlist_id = created["playlist"]["id"]
    connection.updatePlaylist(playlist_id, name="renamed", songIndexesToRemove=[0])
    playlist = connection.getPlaylist(playlist_id)["playlist"]
    connection.savePlayQueue([s["id"] for s in songs], current=songs[1]["id"], position=1234)
    queue = connection.getPlayQueue()["playQueue"]
    return {
        "names": names,
        "songs": songs,
        "found": found,
        "audio": audio,
        "starred": starred,
        "playlist": playlist,
        "queue": queue,
    }


async def test_py_sonic_browses_searches_streams_stars_and_edits(
    library: Library,
    server: str,
    client: httpx.AsyncClient,
) -> None:
    result = await asyncio.to_thread(_py_sonic_flow, server, library.owner.user.username)
    assert {"Artist One", "Björk", "Various Artists"} <= set(result["names"])
    songs = result["songs"]
    assert [s["title"] for s in songs] == ["First", "Second", "Third"]
    assert [s["title"] for s in result["found"]] == ["Third"]
    assert len(result["audio"]) == songs[0]["size"]
    assert [s["id"] for s in result["starred"]] == [songs[0]["id"]]
    assert result["playlist"]["name"] == "renamed"
    assert [e["title"] for e in result["playlist"]["entry"]] == ["Second", "Third"]
    queue = result["queue"]
    assert queue["current"] == songs[1]["id"] and queue["position"] == 1234
    web = await client.get("/api/v1/queue", headers=library.owner.headers)
    assert [i["track_id"] for i in web.json()["data"]["items"]] == [s["id"] for s in songs]


def _knuckles_flow(host: str, username: str) -> dict[str, Any]:
    subsonic = Subsonic(host, username, PASSWORD, "knuckles-test", use_https=False)
    assert subsonic.system.ping().status == "ok"
    # Not get_open_subsonic_extensions: knuckles 1.2 reads the list as an object, where the
    # specification (and this server) sends an array (tests/subsonic/test_auth.py checks it).
    license_ = subsonic.system.get_license()
    albums = subsonic.lists.get_album_list_alphabetical_by_name(num_of_albums=50)
    double = next(a for a in albums if a.name == "Double Album")
    album = subsonic.browsing.get_album(double.id)
    songs = album.songs or []
    song = subsonic.browsing.get_song(songs[2].id)
    search = subsonic.searching.search("björk")
    url = subsonic.media_retrieval.stream(songs[2].id)
    whole = httpx.get(url)
    seek = httpx.get(url, headers={"Range": "bytes=100-199"})
    opus = httpx.get(subsonic.media_retrieval.stream(songs[2].id, stream_format="opus"))
    subsonic.media_annotation.star_song(songs[1].id)
    starred = subsonic.lists.get_starred()
    subsonic.media_annotation.unstar_song(songs[1].id)
    unstarred = subsonic.lists.get_starred()
    playlist = subsonic.playlists.create_playlist("knuckles list", song_ids=[songs[0].id])
    subsonic.playlists.update_playlist(playlist.id, song_ids_to_add=[songs[2].id])
    edited = subsonic.playlists.get_playlist(playlist.id)
    subsonic.bookmarks.save_play_queue([s.id for s in songs], songs[2].id, 777)
    queue = subsonic.bookmarks.get_play_queue()
    return {
        "license": license_,
        "album": album,
        "song": song,
        "search": search,
        "whole": whole,
        "seek": seek,
        "opus": opus,
        "starred": starred,
        "unstarred": unstarred,
        "edited": edited,
        "queue": queue,
    }


async def test_knuckles_drives_the_opensubsonic_flows(
    library: Library,
    server: str,
) -> None:
    result = await asyncio.to_thread(_knuckles_flow, server, library.owner.user.username)
    assert result["license"].valid
    album = result["album"]
    assert [s.title for s in album.songs] == ["First", "Second", "Third"]
    assert result["song"].disc_number == 2
    assert "Björk" in [a.name for a in result["search"].artists]
    whole, seek = result["whole"], result["seek"]
    assert whole.status_code == 200 and seek.status_code == 206
    assert seek.content == whole.content[100:200]
    assert result["opus"].headers["content-type"] == "audio/ogg"
    assert [s.title for s in result["starred"].songs] == ["Second"]
    assert not result["unstarred"].songs
    assert [s.title for s in result["edited"].songs] == ["First", "Third"]
    queue = result["queue"]
    assert [s.title for s in queue.songs] == ["First", "Second", "Third"]
    assert queue.current.id == album.songs[2].id and queue.position == 777
