"""Serving audio bytes: HTTP Range (RFC 9110), validators, and an ASGI body loop.

Starlette's FileResponse reads 64 KiB at a time through the thread pool, which measured about
0.15x of nginx's sendfile on this kind of load. ``FileRangeResponse`` reads 1 MiB per call on a
descriptor kept open between requests (in the event loop when the page cache holds the bytes,
in a thread otherwise) and sends each read as one body message; see docs/PERFORMANCE.md for
the numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

READ_SIZE = 1024 * 1024
WATCH_DISCONNECT_ABOVE = 4 * READ_SIZE
# preadv(RWF_NOWAIT) reads only what the page cache holds, without waiting for the disk
# (Linux >= 4.14); where it is missing every read goes through the thread pool.
_NOWAIT = getattr(os, "RWF_NOWAIT", None)


def read_if_cached(descriptor: int, size: int, position: int) -> bytearray | None:
    """The bytes at ``position`` if the page cache holds them (read in the event loop: a hop to
    a thread costs more than copying a cached MiB), or None when the read could wait for the
    disk (the caller then reads in a thread, so the event loop never blocks on storage).

    A bytearray, sent as the body as it is: converting it to bytes copies the MiB again, which
    measured about half the throughput (docs/PERFORMANCE.md)."""
    global _NOWAIT
    if _NOWAIT is None:
        return None
    buffer = bytearray(size)
    try:
        got = os.preadv(descriptor, [buffer], position, _NOWAIT)
    except BlockingIOError:
        return None  # not (all) cached
    except OSError:
        _NOWAIT = None  # not supported here (kernel or file system): always use the thread
        return None
    if got <= 0:
        return None  # end of file, or nothing cached: the thread read says which
    if got < size:
        del buffer[got:]
    return buffer


class RangeNotSatisfiableError(Exception):
    pass


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


# RFC 9110 14.1.1: one int-range or suffix-range, positions in ASCII digits only (str.isdigit
# also takes "²", which int() refuses, and int() takes other scripts' digits). The unit is
# case-insensitive; a list of several ranges is not matched (ignored, see parse_range).
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.IGNORECASE | re.ASCII)
# A position of more significant digits than this is past the end of any file (and beyond the
# 64-bit offsets storage uses): it is never converted, whatever its length.
_MAX_POSITION_DIGITS = 18
_BEYOND_ANY_FILE = 10**_MAX_POSITION_DIGITS


def _position(digits: str) -> int:
    significant = digits.lstrip("0")
    if len(significant) > _MAX_POSITION_DIGITS:
        return _BEYOND_ANY_FILE
    return int(significant or "0")


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range asked for, or None to send everything.

    Single ranges are honoured: ``bytes=a-b``, open-ended ``bytes=a-`` and suffix ``bytes=-n``.
    A header that is not exactly one of those (another unit, several ranges, anything but
    ASCII digits, last before first) is ignored: RFC 9110 allows a server to answer 200 with
    the whole representation. A valid range that cannot be satisfied (its first byte at or
    past the end, or a suffix of zero bytes) raises RangeNotSatisfiableError (416).
    """
    if not header:
        return None
    matched = _RANGE.fullmatch(header.strip())
    if matched is None:
        return None
    first, last = matched.groups()
    if not first:  # suffix: the last n bytes
        if not last:
            return None
        suffix = _position(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiableError
        return ByteRange(max(0, size - suffix), size - 1)
    start = _position(first)
    end = _position(last) if last else size - 1
    if last and end < start:
        return None  # invalid range-spec: ignored
    if start >= size:
        raise RangeNotSatisfiableError
    return ByteRange(start, min(end, size - 1))


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _parse_http_date(value: str) -> datetime | None:
    """The time an HTTP date names, or None for anything else (a validator never matches)."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # Overflow: a 20-digit year
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def etag_matches(header: str, etag: str, *, weak: bool) -> bool:
    if header.strip() == "*":
        return True
    candidates = [item.strip() for item in header.split(",")]
    if weak:
        candidates = [item.removeprefix("W/") for item in candidates]
    return etag in candidates


def not_modified(headers: dict[str, str], etag: str, last_modified: datetime) -> bool:
    """Conditional GET (If-None-Match wins over If-Modified-Since)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag, weak=True)
    since = headers.get("if-modified-since")
    if since:
        parsed = _parse_http_date(since)
        return parsed is not None and last_modified.replace(microsecond=0) <= parsed
    return False


def range_applies(headers: dict[str, str], etag: str, last_modified: datetime) -> bool:
    """If-Range: the Range header counts only if the client's copy is still current."""
    if_range = headers.get("if-range")
    if not if_range:
        return True
    if_range = if_range.strip()
    if if_range.startswith('"') or if_range.startswith("W/"):
        return if_range == etag  # strong comparison; a weak validator never matches
    parsed = _parse_http_date(if_range)
    return parsed is not None and parsed == last_modified.replace(microsecond=0)


class OpenFiles:
    """Descriptors of recently served files, kept open a few seconds.

    Player traffic is many Range requests on the same few files; opening and closing a file for
    each (plus resolving its path) cost more than reading a MiB of it. ``pread`` takes explicit
    offsets, so one descriptor serves concurrent requests. Stored files never change in place
    (a new version is a new key), so a kept descriptor never serves stale bytes.
    """

    def __init__(self, keep_seconds: float = 5.0, max_open: int = 128) -> None:
        self.keep_seconds = keep_seconds
        self.max_open = max_open
        self._open: dict[Path, tuple[int, float, int]] = {}  # fd, last used, users

    def acquire(self, path: Path) -> int:
        now = time.monotonic()
        entry = self._open.get(path)
        if entry is not None:
            self._open[path] = (entry[0], now, entry[2] + 1)
            return entry[0]
        self._expire(now)
        descriptor = os.open(path, os.O_RDONLY)
        if len(self._open) < self.max_open:
            self._open[path] = (descriptor, now, 1)
        return descriptor

    def release(self, path: Path, descriptor: int) -> None:
        entry = self._open.get(path)
        if entry is None or entry[0] != descriptor:
            os.close(descriptor)  # not kept (the table was full)
            return
        self._open[path] = (descriptor, time.monotonic(), entry[2] - 1)

    def _expire(self, now: float) -> None:
        for path, (descriptor, used, users) in list(self._open.items()):
            if users <= 0 and now - used > self.keep_seconds:
                del self._open[path]
                os.close(descriptor)


OPEN_FILES = OpenFiles()


class FileRangeResponse(Response):
    """A 200 or 206 answer whose body is (a range of) a local file, read 1 MiB at a time."""

    def __init__(
        self,
        path: Path,
        *,
        status_code: int,
        offset: int,
        length: int,
        headers: dict[str, str],
        media_type: str,
    ) -> None:
        super().__init__(status_code=status_code, headers=headers, media_type=media_type)
        self.path = path
        self.offset = offset
        self.length = length
        self.headers["content-length"] = str(length)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send_file_body(
            self.path,
            self.offset,
            self.length,
            receive,
            send,
            head_only=scope.get("method") == "HEAD",
        )


async def send_file_body(
    path: Path, offset: int, length: int, receive: Receive, send: Send, *, head_only: bool
) -> None:
    """Send ``length`` bytes of ``path`` from ``offset`` as body messages, after the start."""
    if head_only or length == 0:
        await send({"type": "http.response.body", "body": b""})
        return
    if length <= WATCH_DISCONNECT_ABOVE:
        # A short body (a player's Range request): no disconnect watcher to set up.
        await _send_body(path, offset, length, send, None)
        return
    disconnected = asyncio.Event()

    async def watch_disconnect() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnected.set()
                return

    watcher = asyncio.create_task(watch_disconnect())
    try:
        await _send_body(path, offset, length, send, disconnected)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _send_body(
    path: Path, offset: int, length: int, send: Send, disconnected: asyncio.Event | None
) -> None:
    descriptor = OPEN_FILES.acquire(path)
    try:
        position, remaining = offset, length
        while remaining > 0 and not (disconnected and disconnected.is_set()):
            size = min(READ_SIZE, remaining)
            data: bytes | bytearray | None = read_if_cached(descriptor, size, position)
            if data is None:
                data = await asyncio.to_thread(os.pread, descriptor, size, position)
            if not data:  # the file shrank under us: end the body short
                break
            position += len(data)
            remaining -= len(data)
            await send({"type": "http.response.body", "body": data, "more_body": remaining > 0})
        if remaining > 0:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        OPEN_FILES.release(path, descriptor)


def accel_redirect_uri(prefix: str, key: str) -> str:
    """The internal location nginx serves a stored file from (X-Accel-Redirect)."""
    from urllib.parse import quote

    return f"{prefix.rstrip('/')}/{quote(key)}"


def validators(md5: str | None, size: int, modified_at: datetime) -> tuple[str, datetime]:
    """The ETag (the content's md5 when known, else size and time, like nginx's) and the
    Last-Modified time, to the second as HTTP dates carry it."""
    modified = modified_at.replace(microsecond=0)
    tag = f'"{md5}"' if md5 else f'"{size:x}-{int(modified.timestamp()):x}"'
    return tag, modified


def representation_headers(
    *,
    content_type: str,
    disposition: str | None,
    private: bool,
    etag: str | None = None,
    modified: datetime | None = None,
) -> dict[str, str]:
    """The headers describing a stored file, whatever part of it an answer carries (the
    validators are left out when nginx serves the file: it sends its own)."""
    headers = {
        "Content-Type": content_type,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=0, must-revalidate"
        if private
        else "public, max-age=0, must-revalidate",
    }
    if etag is not None:
        headers["ETag"] = etag
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    if disposition:
        headers["Content-Disposition"] = disposition
    return headers
