"""Stream and download: permissions, Range, validators, X-Accel-Redirect; HLS playback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.audio import AudioSamples
from tests.helpers import Uploader, md5hex
from veza.models import Track


@pytest.fixture
async def public_track(owner: Uploader, audio: AudioSamples) -> dict[str, Any]:
    return await owner.upload_track(audio.read("mp3"), title="Song", artist="Band")


@pytest.fixture
async def private_track(owner: Uploader, audio: AudioSamples) -> dict[str, Any]:
    return await owner.upload_track(audio.read("flac"), is_public="false")


async def test_anyone_streams_a_public_track_with_the_validators(
    owner: Uploader, public_track: dict[str, Any], audio: AudioSamples
) -> None:
    content = audio.read("mp3")
    response = await owner.client.get(f"/api/v1/tracks/{public_track['id']}/stream")
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(content))
    assert response.headers["etag"] == f'"{md5hex(content)}"'
    assert response.headers["last-modified"].endswith("GMT")
    assert response.headers["content-disposition"].startswith("inline;")


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=10-999999999", 10, None),
    ],
)
async def test_range_requests_answer_206_with_content_range(
    owner: Uploader,
    public_track: dict[str, Any],
    audio: AudioSamples,
    header: str,
    start: int,
    end: int | None,
) -> None:
    content = audio.read("mp3")
    size = len(content)
    expected = content[start : None if end is None else end + 1]
    response = await owner.client.get(
        f"/api/v1/tracks/{public_track['id']}/stream", headers={"Range": header}
    )
    assert response.status_code == 206
    assert response.content == expected
    first = start % size
    assert response.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{size}"
    assert response.headers["content-length"] == str(len(expected))


async def test_unsatisfiable_range_is_416(owner: Uploader, public_track: dict[str, Any]) -> None:
    response = await owner.client.get(
        f"/api/v1/tracks/{public_track['id']}/stream", headers={"Range": "bytes=99999999-"}
    )
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{public_track['file_size']}"
    assert response.json()["error"]["code"] == "RANGE_NOT_SATISFIABLE"


@pytest.mark.parametrize("header", ["bytes=5-1", "items=0-1", "bytes=0-1,4-5", "bytes=x-"])
async def test_ignored_range_headers_give_the_whole_file(
    owner: Uploader, public_track: dict[str, Any], header: str
) -> None:
    response = await owner.client.get(
        f"/api/v1/tracks/{public_track['id']}/stream", headers={"Range": header}
    )
    assert response.status_code == 200
    assert len(response.content) == public_track["file_size"]


async def test_if_range_honours_the_range_only_for_the_current_copy(
    owner: Uploader, public_track: dict[str, Any]
) -> None:
    url = f"/api/v1/tracks/{public_track['id']}/stream"
    full = await owner.client.get(url)
    etag, modified = full.headers["etag"], full.headers["last-modified"]
    for validator in (etag, modified):
        same = await owner.client.get(url, headers={"Range": "bytes=0-9", "If-Range": validator})
        assert same.status_code == 206
    stale = await owner.client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200
    old_date = await owner.client.get(
        url, headers={"Range": "bytes=0-9", "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert old_date.status_code == 200


async def test_conditional_get_answers_304(owner: Uploader, public_track: dict[str, Any]) -> None:
    url = f"/api/v1/tracks/{public_track['id']}/stream"
    etag = (await owner.client.get(url)).headers["etag"]
    response = await owner.client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert "content-type" not in response.headers


async def test_private_track_streams_for_owner_and_admin_only(
    owner: Uploader, other: Uploader, admin_uploader: Uploader, private_track: dict[str, Any]
) -> None:
    url = f"/api/v1/tracks/{private_track['id']}/stream"
    assert (await owner.client.get(url, headers=owner.headers)).status_code == 200
    assert (await admin_uploader.client.get(url, headers=admin_uploader.headers)).status_code == 200
    assert (await other.client.get(url, headers=other.headers)).status_code == 404
    anonymous = await other.client.get(url)
    assert anonymous.status_code == 404
    assert anonymous.json()["error"]["code"] == "TRACK_NOT_FOUND"


async def test_an_unknown_share_token_opens_nothing(
    owner: Uploader, private_track: dict[str, Any]
) -> None:
    response = await owner.client.get(
        f"/api/v1/tracks/{private_track['id']}/stream", params={"share_token": "guess"}
    )
    assert response.status_code == 404


async def test_a_track_still_processing_streams_only_for_its_owner(
    owner: Uploader, other: Uploader, audio: AudioSamples
) -> None:
    response = await owner.upload(audio.read("mp3"))
    track_id = response.json()["data"]["track"]["id"]
    # Before the job has run (it runs when this test awaits nothing else).
    other_view = await other.client.get(f"/api/v1/tracks/{track_id}/stream", headers=other.headers)
    own_view = await owner.client.get(f"/api/v1/tracks/{track_id}/stream", headers=owner.headers)
    assert own_view.status_code == 200
    assert other_view.status_code in (200, 404)  # 200 only if processing already finished
    await owner.app.state.jobs.drain()


async def test_unknown_and_malformed_ids(owner: Uploader) -> None:
    unknown = await owner.client.get("/api/v1/tracks/00000000-0000-0000-0000-000000000000/stream")
    assert unknown.status_code == 404
    assert (await owner.client.get("/api/v1/tracks/nope/stream")).status_code == 400
    assert (await owner.client.get("/api/v1/tracks/nope/download")).status_code == 400


async def test_download_is_an_attachment_with_a_safe_name(
    owner: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("mp3"), title='a/b:"c"\r\nX', artist="Zoë")
    response = await owner.client.get(f"/api/v1/tracks/{track['id']}/download")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Zo_ - a_b_c_')
    assert "filename*=UTF-8''Zo%C3%AB%20-%20a_b_c_" in disposition
    assert "\r" not in disposition and "/" not in disposition.split("filename*")[0]
    assert response.content == audio.read("mp3")
    ranged = await owner.client.get(
        f"/api/v1/tracks/{track['id']}/download", headers={"Range": "bytes=0-3"}
    )
    assert ranged.status_code == 206 and ranged.content == audio.read("mp3")[:4]


async def test_download_needs_a_license_where_the_marketplace_says_so(
    owner: Uploader, other: Uploader, public_track: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_license(*args: Any) -> bool:
        return False

    monkeypatch.setattr("veza.playback.service.download_license_granted", no_license)
    url = f"/api/v1/tracks/{public_track['id']}/download"
    refused = await other.client.get(url, headers=other.headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "LICENSE_REQUIRED"
    assert (await owner.client.get(url, headers=owner.headers)).status_code == 200
    # Streaming is not a download: it stays open.
    stream = await other.client.get(f"/api/v1/tracks/{public_track['id']}/stream")
    assert stream.status_code == 200


async def test_x_accel_redirect_hands_the_file_to_nginx_after_the_check(
    owner: Uploader, other: Uploader, public_track: dict[str, Any], private_track: dict[str, Any]
) -> None:
    owner.app.state.settings.media.accel_redirect_prefix = "/protected-media/"
    response = await owner.client.get(f"/api/v1/tracks/{public_track['id']}/stream")
    assert response.status_code == 200
    assert response.headers["x-accel-redirect"] == f"/protected-media/{public_track['file_path']}"
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.content == b""
    refused = await other.client.get(f"/api/v1/tracks/{private_track['id']}/stream")
    assert refused.status_code == 404
    assert "x-accel-redirect" not in refused.headers


# HLS -----------------------------------------------------------------------------------------


async def _stream_token(uploader: Uploader) -> str:
    """A stream token as the web app gets one: POST /auth/stream-token with the access token."""
    response = await uploader.client.post("/api/v1/auth/stream-token", headers=uploader.headers)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def test_hls_master_variants_and_segments_are_served(
    owner: Uploader, public_track: dict[str, Any]
) -> None:
    status = await owner.client.get(
        f"/api/v1/tracks/{public_track['id']}/status", headers=owner.headers
    )
    assert status.json()["data"]["stream_status"] == "ready"
    base = f"/hls/{public_track['id']}"
    master = await owner.client.get(f"{base}/master.m3u8")
    assert master.status_code == 200
    assert master.headers["content-type"] == "application/vnd.apple.mpegurl"
    lines = master.text.splitlines()
    assert lines[0] == "#EXTM3U"
    variants = [line for line in lines if line and not line.startswith("#")]
    assert variants == ["64k/playlist.m3u8", "160k/playlist.m3u8"]
    assert 'CODECS="mp4a.40.2"' in master.text
    playlist = await owner.client.get(f"{base}/160k/playlist.m3u8")
    segments = [line for line in playlist.text.splitlines() if line and not line.startswith("#")]
    assert "#EXT-X-ENDLIST" in playlist.text and segments
    segment = await owner.client.get(f"{base}/160k/{segments[0]}")
    assert segment.status_code == 200
    assert segment.headers["content-type"] == "video/mp2t"
    assert segment.content[:1] == b"\x47"  # MPEG-TS sync byte
    ranged = await owner.client.get(f"{base}/160k/{segments[0]}", headers={"Range": "bytes=0-187"})
    assert ranged.status_code == 206 and len(ranged.content) == 188


async def test_manifest_url_points_at_the_master_playlist(
    owner: Uploader, public_track: dict[str, Any]
) -> None:
    answer = await owner.client.get(f"/api/v1/tracks/{public_track['id']}")
    assert answer.json()["data"]["track"]["stream_manifest_url"] == (
        f"{owner.app.state.settings.server.public_url}/hls/{public_track['id']}/master.m3u8"
    )


async def test_private_hls_needs_the_owners_stream_token(
    owner: Uploader, other: Uploader, private_track: dict[str, Any]
) -> None:
    base = f"/hls/{private_track['id']}"
    assert (await owner.client.get(f"{base}/master.m3u8")).status_code == 404
    # An access token is not a stream token.
    assert (await owner.client.get(f"{base}/master.m3u8", headers=owner.headers)).status_code == 404
    wrong_kind = await owner.client.get(
        f"{base}/master.m3u8", params={"token": owner.headers["Authorization"][7:]}
    )
    assert wrong_kind.status_code == 401
    strangers = await owner.client.get(
        f"{base}/master.m3u8", params={"token": await _stream_token(other)}
    )
    assert strangers.status_code == 404
    token = await _stream_token(owner)
    master = await owner.client.get(f"{base}/master.m3u8", params={"token": token})
    assert master.status_code == 200
    # The token travels to every URI, since players resolve them without the query string.
    variant = next(line for line in master.text.splitlines() if line and not line.startswith("#"))
    assert variant.endswith(f"?token={token}")
    playlist = await owner.client.get(f"{base}/{variant}")
    assert playlist.status_code == 200
    segment = next(line for line in playlist.text.splitlines() if line and not line.startswith("#"))
    assert segment.endswith(f"?token={token}")
    assert (await owner.client.get(f"{base}/64k/{segment}")).status_code == 200
    owner.client.cookies.set("stream_token", token)
    cookie = await owner.client.get(f"{base}/master.m3u8")
    assert cookie.status_code == 200
    assert "token=" not in cookie.text


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "64k/..%2F..%2Fx.ts", "secret.txt", "64k/none.ts"]
)
async def test_hls_paths_outside_the_renditions_are_404(
    owner: Uploader, public_track: dict[str, Any], path: str
) -> None:
    response = await owner.client.get(f"/hls/{public_track['id']}/{path}")
    assert response.status_code == 404


async def test_hls_of_an_unknown_track_is_404(owner: Uploader) -> None:
    response = await owner.client.get("/hls/00000000-0000-0000-0000-000000000000/master.m3u8")
    assert response.status_code == 404


async def test_anonymous_playback_is_cached_briefly_and_only_for_public_tracks(
    owner: Uploader, public_track: dict[str, Any]
) -> None:
    from sqlalchemy import update

    url = f"/api/v1/tracks/{public_track['id']}/stream"
    assert (await owner.client.get(url)).status_code == 200  # fills the cache
    async with owner.app.state.db.writer() as session, session.begin():
        await session.execute(update(Track).values(is_public=False))
    cached = await owner.client.get(url, headers={"Range": "bytes=0-9"})
    assert cached.status_code == 206  # within VEZA_MEDIA__PLAYBACK_CACHE_SECONDS
    owner.app.state.playback_cache.forget(public_track["id"])
    assert (await owner.client.get(url)).status_code == 404
    # Private tracks are never cached: the owner's own plays do not open them to others.
    assert (await owner.client.get(url, headers=owner.headers)).status_code == 200
    assert (await owner.client.get(url)).status_code == 404


def _api_refuses_to_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on a request that reaches the API's stream handler fails the test."""
    from veza.playback import service

    async def not_expected(*_: Any, **__: Any) -> None:
        raise AssertionError("the request went through the API")

    monkeypatch.setattr(service, "serve_audio", not_expected)


_PER_REQUEST = {"x-request-id", "date"}


async def test_the_fast_lane_answers_exactly_like_the_api(
    owner: Uploader,
    public_track: dict[str, Any],
    audio: AudioSamples,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"/api/v1/tracks/{public_track['id']}/stream"
    content = audio.read("mp3")
    through_api = await owner.client.get(url, headers={"Range": "bytes=10-99"})
    assert through_api.status_code == 206
    _api_refuses_to_answer(monkeypatch)
    fast = await owner.client.get(url, headers={"Range": "bytes=10-99", "X-Request-ID": "abc-1"})
    assert fast.status_code == 206
    assert fast.content == content[10:100]
    assert {k: v for k, v in fast.headers.items() if k not in _PER_REQUEST} == {
        k: v for k, v in through_api.headers.items() if k not in _PER_REQUEST
    }
    assert fast.headers["x-request-id"] == "abc-1"
    assert fast.headers["x-content-type-options"] == "nosniff"  # the security headers too
    whole = await owner.client.get(url)
    assert whole.status_code == 200 and whole.content == content
    head = await owner.client.head(url, headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head.content == b""
    assert head.headers["content-length"] == "10"
    metrics = (await owner.client.get("/metrics")).text
    assert 'route="/api/v1/tracks/{id}/stream",status="206"' in metrics


@pytest.mark.parametrize(
    "headers",
    [
        {"Range": "bytes=999999999-"},  # 416, in the API's envelope
        {"If-Range": '"stale"', "Range": "bytes=0-9"},
        {"Origin": "http://localhost:5173"},  # CORS headers come from the API's stack
        {"Authorization": "Bearer not-a-token"},  # a bad token is still a 401
    ],
)
async def test_what_the_fast_lane_leaves_to_the_api(
    owner: Uploader,
    public_track: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    headers: dict[str, str],
) -> None:
    from veza.playback import service

    url = f"/api/v1/tracks/{public_track['id']}/stream"
    assert (await owner.client.get(url)).status_code == 200  # the track is cached
    reached: list[bool] = []
    serve_audio = service.serve_audio

    async def counting(*args: Any, **kwargs: Any) -> Any:
        reached.append(True)
        return await serve_audio(*args, **kwargs)

    monkeypatch.setattr(service, "serve_audio", counting)
    response = await owner.client.get(url, headers=headers)
    if "Authorization" in headers:
        assert response.status_code == 401  # refused before the handler runs
    else:
        assert reached == [True]
    if "Origin" in headers:
        assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    if headers.get("Range", "").startswith("bytes=999"):
        assert response.status_code == 416
        assert response.json()["error"]["code"]


async def test_the_fast_lane_hands_files_to_nginx_in_x_accel_mode(
    owner: Uploader, public_track: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner.app.state.settings.media.accel_redirect_prefix = "/protected-media/"
    url = f"/api/v1/tracks/{public_track['id']}/stream"
    through_api = await owner.client.get(url)
    _api_refuses_to_answer(monkeypatch)
    fast = await owner.client.get(url, headers={"Range": "bytes=0-9"})
    assert fast.status_code == 200 and fast.content == b""
    assert fast.headers["x-accel-redirect"] == f"/protected-media/{public_track['file_path']}"
    assert {k: v for k, v in fast.headers.items() if k not in _PER_REQUEST} == {
        k: v for k, v in through_api.headers.items() if k not in _PER_REQUEST
    }


async def test_stream_token_ends_with_its_login_session(
    owner: Uploader, private_track: dict[str, Any]
) -> None:
    token = await _stream_token(owner)
    master = f"/hls/{private_track['id']}/master.m3u8"
    assert (await owner.client.get(master, params={"token": token})).status_code == 200
    logout = await owner.client.post("/api/v1/auth/logout", headers=owner.headers, json={})
    assert logout.status_code == 200, logout.text
    refused = await owner.client.get(master, params={"token": token})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "SESSION_REVOKED"


@pytest.mark.parametrize("page_cache", ["would_block", "unsupported"])
async def test_reads_the_page_cache_cannot_answer_go_through_a_thread(
    owner: Uploader,
    public_track: dict[str, Any],
    audio: AudioSamples,
    monkeypatch: pytest.MonkeyPatch,
    page_cache: str,
) -> None:
    """The event loop reads only cached bytes (RWF_NOWAIT); the rest is read in a thread,
    and the client gets the same bytes either way."""
    from veza.playback import http as streaming

    def would_block(*_: Any) -> int:
        raise BlockingIOError

    if page_cache == "would_block":
        monkeypatch.setattr(streaming.os, "preadv", would_block)
    else:
        monkeypatch.setattr(streaming, "_NOWAIT", None)
    content = audio.read("mp3")
    url = f"/api/v1/tracks/{public_track['id']}/stream"
    ranged = await owner.client.get(url, headers={"Range": "bytes=10-2009"})
    assert (ranged.status_code, ranged.content) == (206, content[10:2010])
    whole = await owner.client.get(url)
    assert (whole.status_code, whole.content) == (200, content)
