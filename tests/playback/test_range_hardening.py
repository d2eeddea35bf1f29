"""Hostile Range headers on GET /tracks/{id}/stream, through the API and through the fast lane.

RFC 9110: positions are ASCII digits; a header that is not one well-formed range is ignored
(200, the whole file); a well-formed one that starts past the end is 416; a position of any
length is read without ever converting thousands of digits.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.audio import AudioSamples
from tests.helpers import Uploader

LONG = "9" * 5000  # past Python's int() limit of 4300 digits

# (Range header as sent, status, first byte, last byte or None for the end of the file)
SERVED = [
    ("bytes=\u00b2-", 200, 0, None),  # superscript two: str.isdigit() says yes, int() no
    ("bytes=0-\u00b2", 200, 0, None),
    ("bytes=-\u00b2\u00b3", 200, 0, None),
    ("bytes=\u00b9-\u00b2", 200, 0, None),
    ("bytes=\u0663-", 200, 0, None),  # Arabic-Indic three, as UTF-8 bytes: not ASCII digits
    ("bytes=0-9, 20-29", 200, 0, None),  # several ranges: ignored
    ("bytes=+1-9", 200, 0, None),
    (f"bytes=0-{LONG}", 206, 0, None),  # to the end
    (f"bytes=-{LONG}", 206, 0, None),  # a suffix longer than the file: all of it
    (f"bytes={'0' * 5000}5-{'0' * 5000}9", 206, 5, 9),  # leading zeros are allowed
    ("BYTES=10-19", 206, 10, 19),  # the unit is case-insensitive
]
UNSATISFIABLE = [f"bytes={LONG}-", f"bytes={LONG}-{LONG}9", f"bytes=1{'0' * 18}-"]


def _header(value: str) -> bytes:
    return value.encode("latin-1") if value.isascii() or max(value) <= "\u00ff" else value.encode()


@pytest.fixture
async def track(owner: Uploader, audio: AudioSamples) -> dict[str, Any]:
    return await owner.upload_track(audio.read("mp3"), title="Song")


def _check(response: Any, status: int, content: bytes, first: int, last: int | None) -> None:
    assert response.status_code == status, response.text[:300]
    expected = content[first : None if last is None else last + 1]
    assert response.content == expected
    if status == 206:
        end = first + len(expected) - 1
        assert response.headers["content-range"] == f"bytes {first}-{end}/{len(content)}"


@pytest.mark.parametrize(("header", "status", "first", "last"), SERVED)
async def test_the_api_reads_range_strictly(
    owner: Uploader,
    track: dict[str, Any],
    audio: AudioSamples,
    header: str,
    status: int,
    first: int,
    last: int | None,
) -> None:
    # Signed in: the fast lane leaves the request to the API.
    response = await owner.client.get(
        f"/api/v1/tracks/{track['id']}/stream",
        headers={**owner.headers, "Range": _header(header)},  # type: ignore[dict-item]
    )
    _check(response, status, audio.read("mp3"), first, last)


@pytest.mark.parametrize(("header", "status", "first", "last"), SERVED)
async def test_the_fast_lane_reads_range_strictly(
    owner: Uploader,
    track: dict[str, Any],
    audio: AudioSamples,
    monkeypatch: pytest.MonkeyPatch,
    header: str,
    status: int,
    first: int,
    last: int | None,
) -> None:
    from veza.playback import service

    url = f"/api/v1/tracks/{track['id']}/stream"
    assert (await owner.client.get(url)).status_code == 200  # the track is cached

    async def not_expected(*_: Any, **__: Any) -> None:
        raise AssertionError("the request went through the API")

    monkeypatch.setattr(service, "serve_audio", not_expected)
    response = await owner.client.get(url, headers={"Range": _header(header)})  # type: ignore[dict-item]
    _check(response, status, audio.read("mp3"), first, last)


@pytest.mark.parametrize("header", UNSATISFIABLE)
@pytest.mark.parametrize("anonymous", [True, False])
async def test_a_range_starting_past_any_file_is_416_on_both_paths(
    owner: Uploader, track: dict[str, Any], header: str, anonymous: bool
) -> None:
    url = f"/api/v1/tracks/{track['id']}/stream"
    assert (await owner.client.get(url)).status_code == 200  # cached: the fast lane sees it
    headers = {"Range": header} if anonymous else {**owner.headers, "Range": header}
    response = await owner.client.get(url, headers=headers)
    assert response.status_code == 416, response.text[:300]
    assert response.headers["content-range"] == f"bytes */{track['file_size']}"
    assert response.json()["error"]["code"] == "RANGE_NOT_SATISFIABLE"


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
        "Mon, 01 Jan 2001 99999999999:00:00 GMT",
        "Mon, 01 Jan 2001 00:00:00 +99999999999999",
        f"Mon, 01 Jan {LONG} 00:00:00 GMT",
        "Mon, \u00b2\u00b2 Jan 2001 00:00:00 GMT",
    ],
)
async def test_a_date_no_calendar_holds_is_no_validator(
    owner: Uploader, track: dict[str, Any], audio: AudioSamples, date: str
) -> None:
    """If-Range then never matches (the whole file), If-Modified-Since is as if absent."""
    url = f"/api/v1/tracks/{track['id']}/stream"
    content = audio.read("mp3")
    for headers in ({"Range": "bytes=0-9", "If-Range": date}, {"If-Modified-Since": date}):
        response = await owner.client.get(url, headers={k: _header(v) for k, v in headers.items()})  # type: ignore[misc]
        _check(response, 200, content, 0, None)
