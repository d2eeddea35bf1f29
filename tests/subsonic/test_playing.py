"""Playing: stream with Range, transcoding to MP3 and Opus, download; star, unstar and
getStarred2 on likes; scrobble on plays; lyrics, synced from LRC."""

from __future__ import annotations

import io

import av
from fastapi import FastAPI

from tests.helpers import data
from tests.subsonic.conftest import Library


async def _songs(library: Library) -> dict[str, dict]:
    body = await library.sub.ok("getRandomSongs", size=50)
    return {s["title"]: s for s in body["randomSongs"]["song"]}


async def test_stream_serves_the_file_with_range(library: Library) -> None:
    song = (await _songs(library))["Third"]
    whole = await library.sub.raw("stream", id=song["id"])
    assert whole.status_code == 200 and whole.headers["content-type"] == "audio/flac"
    assert len(whole.content) == song["size"]
    part = await library.sub.client.get(
        "/rest/stream.view", params={**library.sub.auth(), "id": song["id"]},
        headers={"Range": "bytes=10-99"},
    )  # fmt: skip
    assert part.status_code == 206 and part.content == whole.content[10:100]
    assert part.headers["content-range"] == f"bytes 10-99/{song['size']}"
    outside = await library.sub.client.get(
        "/rest/stream", params={**library.sub.auth(), "id": song["id"]},
        headers={"Range": f"bytes={song['size'] + 10}-"},
    )  # fmt: skip
    assert outside.status_code == 416


async def test_stream_transcodes_to_opus_and_under_a_bitrate(library: Library) -> None:
    song = (await _songs(library))["Third"]  # FLAC
    opus = await library.sub.raw("stream", id=song["id"], format="opus", maxBitRate=96)
    assert opus.status_code == 200 and opus.headers["content-type"] == "audio/ogg"
    with av.open(io.BytesIO(opus.content)) as decoded:
        assert decoded.streams.audio[0].codec_context.name == "opus"
    again = await library.sub.raw("stream", id=song["id"], format="opus", maxBitRate=96)
    assert again.content == opus.content  # served from the transcode cache
    limited = await library.sub.raw("stream", id=song["id"], maxBitRate=64)
    assert limited.headers["content-type"] == "audio/mpeg"
    with av.open(io.BytesIO(limited.content)) as decoded:
        assert decoded.streams.audio[0].codec_context.name.startswith("mp3")
    seek = await library.sub.client.get(
        "/rest/stream", params={**library.sub.auth(), "id": song["id"], "maxBitRate": 64},
        headers={"Range": "bytes=100-"},
    )  # fmt: skip
    assert seek.status_code == 206 and seek.content == limited.content[100:]
    raw = await library.sub.raw("stream", id=song["id"], format="raw", maxBitRate=64)
    assert raw.headers["content-type"] == "audio/flac"
    assert await library.sub.error("stream", id=song["id"], format="wma") == 0


async def test_download_sends_the_original(library: Library) -> None:
    song = (await _songs(library))["Sun"]
    response = await library.sub.raw("download", id=song["id"])
    assert response.status_code == 200 and len(response.content) == song["size"]
    assert "attachment" in response.headers["content-disposition"]


async def test_star_unstar_and_starred_are_likes(app: FastAPI, library: Library, client) -> None:
    songs = await _songs(library)
    first, second = songs["First"]["id"], songs["Sea"]["id"]
    await library.sub.ok("star", id=[first, second])
    await library.sub.ok("star", id=first)  # idempotent, as a like
    starred = (await library.sub.ok("getStarred2"))["starred2"]["song"]
    assert {s["id"] for s in starred} == {first, second} and all(s["starred"] for s in starred)
    liked = await client.get(f"/api/v1/tracks/{first}/likes", headers=library.owner.headers)
    assert data(liked)["is_liked"] is True  # the web app sees the same like
    track = data(await client.get(f"/api/v1/tracks/{first}", headers=library.owner.headers))
    assert track["track"]["like_count"] == 1
    await library.sub.ok("unstar", id=second)
    starred = (await library.sub.ok("getStarred2"))["starred2"]["song"]
    assert [s["id"] for s in starred] == [first]
    assert await library.sub.error("star", albumId="al-123") == 0
    assert await library.sub.error("star", id="00000000-0000-0000-0000-000000000000") == 70


async def test_scrobble_counts_a_play(app: FastAPI, library: Library, client) -> None:
    song = (await _songs(library))["Jóga"]
    await library.sub.ok("scrobble", id=song["id"], submission="false")
    assert (await library.sub.ok("getSong", id=song["id"]))["song"]["playCount"] == 0
    await library.sub.ok("scrobble", id=song["id"])
    assert (await library.sub.ok("getSong", id=song["id"]))["song"]["playCount"] == 1
    assert await library.sub.error("scrobble") == 10


async def test_lyrics_by_song_id_synced_from_lrc(app: FastAPI, library: Library, client) -> None:
    song = (await _songs(library))["Second"]
    empty = await library.sub.ok("getLyricsBySongId", id=song["id"])
    assert empty["lyricsList"]["structuredLyrics"] == []
    lrc = "[00:01.50]first line\n[00:03.00]second line"
    put = await client.put(
        f"/api/v1/tracks/{song['id']}/lyrics", json={"content": lrc}, headers=library.owner.headers
    )
    assert put.status_code == 200, put.text
    found = (await library.sub.ok("getLyricsBySongId", id=song["id"]))["lyricsList"]
    lyrics = found["structuredLyrics"][0]
    assert lyrics["synced"] is True
    assert lyrics["line"] == [
        {"start": 1500, "value": "first line"},
        {"start": 3000, "value": "second line"},
    ]
    root = await library.sub.xml("getLyricsBySongId", id=song["id"])
    lines = root.findall(".//{http://subsonic.org/restapi}line")
    assert (lines[0].attrib["start"], lines[0].text) == ("1500", "first line")


async def test_lyrics_by_artist_and_title(app: FastAPI, library: Library, client) -> None:
    song = (await _songs(library))["First"]
    lrc = "[00:01.00]la la\n[00:02.00]lo lo"
    await client.put(
        f"/api/v1/tracks/{song['id']}/lyrics", json={"content": lrc}, headers=library.owner.headers
    )
    found = (await library.sub.ok("getLyrics", artist="artist one", title="FIRST"))["lyrics"]
    assert found == {"artist": "Artist One", "title": "First", "value": "la la\nlo lo"}
    assert (await library.sub.ok("getLyrics", title="nothing like it"))["lyrics"] == {}
