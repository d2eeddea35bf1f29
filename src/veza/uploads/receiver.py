"""Streaming multipart reception: the file part goes straight to a staging file on disk.

Starlette's form parser spools a file to a temporary file in 64 KiB writes and the service would
then copy it again to store it. Here the request body is parsed as it arrives (python-multipart,
the parser Starlette itself uses) and the file's bytes are written by a worker thread in blocks
of about 1 MiB while the next block arrives: one disk write per byte, no copy to join the
pieces, memory bounded by one block in flight whatever the file size, the size limit enforced
while receiving, and an fsync before the file is handed over, so an acknowledged upload is on
the disk. The md5 is not computed here: hashing runs at ~600 MiB/s on one core, slower than
receiving, so single uploads get theirs from the processing job (docs/PERFORMANCE.md).

Uploads take turns on the event loop: one received chunk is parsed at a time, process-wide
(``_turns``), and before its turn an upload gives way to the other requests being answered, for
at most ``GIVE_WAY_SECONDS`` (kit/precedence.py). A waiting upload does not ask the server for
more of its body, so the server stops reading that socket: a pass of the loop carries at most
one upload's chunk whatever the number of uploads, and none while a request is being answered
(unless it takes longer than that bound). Waiting for the network or the disk is done outside
the turn.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from veza.kit.errors import PayloadTooLarge, ValidationFailed
from veza.kit.precedence import Precedence

WRITE_BUFFER_BYTES = 1024 * 1024
HEAD_BYTES = 64  # kept to recognise the format by its magic bytes
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 64
MAX_FILES = 2
# How long a chunk of an upload waits, at most, for the requests being answered.
GIVE_WAY_SECONDS = 0.02


@dataclass
class ReceivedFile:
    path: Path
    filename: str
    size: int = 0
    md5: str | None = None  # known when the file was assembled from chunks
    head: bytes = b""

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, ReceivedFile] = field(default_factory=dict)

    def discard(self) -> None:
        for received in self.files.values():
            received.discard()


@functools.cache
def _start_writeback() -> Callable[[int, int, int], None] | None:
    """Linux's sync_file_range(SYNC_FILE_RANGE_WRITE): start writing a range to the disk without
    waiting. The os module lacks it; without it (other systems) the final fsync does it all.
    Found with the first upload: ctypes costs a process that receives none 0.4 MiB."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    write_flag = 2  # SYNC_FILE_RANGE_WRITE

    def start(descriptor: int, offset: int, length: int) -> None:
        function(descriptor, offset, length, write_flag)  # a failure leaves it to the fsync

    return start


def _write_all(descriptor: int, blocks: list[bytes], offset: int) -> None:
    """Write the blocks at ``offset``, then have the disk start on them, so the fsync that
    ends the upload waits for the last blocks only, not for the whole file."""
    position = offset
    for block in blocks:
        view = memoryview(block)
        while view:
            written = os.pwrite(descriptor, view, position)
            position += written
            view = view[written:]
    writeback = _start_writeback()
    if writeback is not None:
        writeback(descriptor, offset, position - offset)


class _FileWriter:
    def __init__(self, received: ReceivedFile, limit: int) -> None:
        self.received = received
        self.limit = limit
        # 0o666 less the umask, as open() would; storing the file gives it its final mode
        # (kit/private_files.py), and the staging folder is private meanwhile.
        self.descriptor = os.open(received.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self.blocks: list[bytes] = []  # the parser's pieces, written as they are (no join)
        self.buffered = 0
        self.written = 0  # bytes handed to the writer thread so far
        # The previous block's write runs in a thread while the next block arrives.
        self.pending: asyncio.Future[None] | None = None
        self.closed = False

    def append(self, data: bytes) -> None:
        self.received.size += len(data)
        if self.received.size > self.limit:
            raise PayloadTooLarge(f"The file exceeds the maximum size of {self.limit} bytes")
        if len(self.received.head) < HEAD_BYTES:
            self.received.head += data[: HEAD_BYTES - len(self.received.head)]
        self.blocks.append(data)
        self.buffered += len(data)

    async def flush(self, *, force: bool = False) -> None:
        if self.blocks and (force or self.buffered >= WRITE_BUFFER_BYTES):
            blocks, offset = self.blocks, self.written
            self.blocks, self.written, self.buffered = [], self.written + self.buffered, 0
            if self.pending is not None:
                await self.pending  # at most one block in flight: memory stays bounded
            # A plain executor future (no task, no context copy): one hop each way per block.
            self.pending = asyncio.get_running_loop().run_in_executor(
                None, _write_all, self.descriptor, blocks, offset
            )

    async def close(self) -> None:
        await self.flush(force=True)
        if self.pending is not None:
            await self.pending
            self.pending = None
        await asyncio.to_thread(self._sync_and_close)

    def _sync_and_close(self) -> None:
        try:
            os.fsync(self.descriptor)  # acknowledged means on the disk
        finally:
            self.closed = True
            os.close(self.descriptor)

    def abandon(self) -> None:
        """Stop after an error: the block in flight finishes in its thread, then the file closes."""
        if self.closed:
            return
        self.closed = True
        descriptor = self.descriptor
        if self.pending is not None and not self.pending.done():
            self.pending.add_done_callback(lambda _: os.close(descriptor))
        else:
            os.close(descriptor)


class _Collector:
    """python-multipart callbacks, recorded as events in order; the async loop does the I/O."""

    def __init__(self, file_fields: frozenset[str]) -> None:
        self.file_fields = file_fields
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.headers: dict[bytes, bytes] = {}
        self.current_name = ""
        self.current_is_file = False
        self.field_value = bytearray()
        # ("start", name, filename) | ("data", bytes) | ("field", name, value) | ("end",)
        self.events: list[tuple[Any, ...]] = []

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def on_part_begin(self) -> None:
        self.headers = {}
        self.field_value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field, self.header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.current_name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self.current_is_file = filename is not None or self.current_name in self.file_fields
        if self.current_is_file:
            decoded = (filename or b"").decode("utf-8", "replace")
            self.events.append(("start", self.current_name, decoded))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.current_is_file:
            self.events.append(("data", data[start:end]))
        else:
            self.field_value += data[start:end]
            if len(self.field_value) > MAX_FIELD_BYTES:
                raise ValidationFailed.field(self.current_name or "form", "field is too long")

    def on_part_end(self) -> None:
        if self.current_is_file:
            self.events.append(("end",))
        else:
            self.events.append(("field", self.current_name, bytes(self.field_value)))


@dataclass(frozen=True)
class IncomingBody:
    """A request body still to be read: its Content-Type and its chunks as they arrive (the
    router builds it from the request, so the services stay free of HTTP objects)."""

    content_type: str
    chunks: AsyncIterator[bytes]


_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _turns() -> asyncio.Lock:
    """The running loop's turn among uploads (one lock per loop: a lock serves one loop)."""
    loop = asyncio.get_running_loop()
    turns = _TURNS.get(loop)
    if turns is None:
        turns = _TURNS[loop] = asyncio.Lock()
    return turns


async def receive_form(
    body: IncomingBody,
    *,
    file_fields: frozenset[str],
    new_path: Callable[[], Path],
    max_file_bytes: int,
    precedence: Precedence,
) -> ReceivedForm:
    """Parse a multipart body; files named in ``file_fields`` (or sent with a filename) are
    streamed to staging files from ``new_path``, giving way to the requests ``precedence``
    counts. The caller owns (and discards) the files."""
    content_type, options = parse_options_header(body.content_type)
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise ValidationFailed.field("file", "a multipart/form-data body is expected")
    collector = _Collector(file_fields)
    parser = MultipartParser(boundary, collector.callbacks())
    form = ReceivedForm()
    files = _OpenFiles(form, new_path, max_file_bytes)
    turns = _turns()
    try:
        async for data in body.chunks:
            # The turn covers giving way and parsing; the next chunk (the network) and the
            # writes (the disk) are waited for outside it.
            async with turns:
                await precedence.give_way(GIVE_WAY_SECONDS)
                _feed(parser, data)
                files.apply(collector)
            await files.settle()
        _feed(parser, None)
        files.apply(collector)
        await files.settle()
        if files.writers:  # the body ended inside a file part
            raise ValidationFailed.field("file", "malformed multipart body")
    except BaseException:
        for writer in files.writers:
            writer.abandon()
        form.discard()
        raise
    return form


def _feed(parser: MultipartParser, data: bytes | None) -> None:
    try:
        if data is None:
            parser.finalize()
        else:
            parser.write(data)
    except (ValidationFailed, PayloadTooLarge):
        raise
    except Exception as exc:  # the parser's own errors: a malformed body
        raise ValidationFailed.field("file", "malformed multipart body") from exc


class _OpenFiles:
    """The files of a form being received: the one being filled is the last of ``writers``;
    the ones before it ended and are still to be closed."""

    def __init__(self, form: ReceivedForm, new_path: Callable[[], Path], limit: int) -> None:
        self.form = form
        self.new_path = new_path
        self.limit = limit
        self.writers: list[_FileWriter] = []
        self.filling = False  # the last writer is still receiving

    def apply(self, collector: _Collector) -> None:
        """Play the parser's events in order: open and fill files, record fields (no await:
        this runs in the upload's turn)."""
        form = self.form
        for event in collector.events:
            kind = event[0]
            if kind == "start":
                name, filename = event[1], event[2]
                if name in form.files or len(form.files) >= MAX_FILES:
                    raise ValidationFailed.field(name or "file", "one file per field")
                received = ReceivedFile(path=self.new_path(), filename=os.path.basename(filename))
                form.files[name] = received
                self.writers.append(_FileWriter(received, self.limit))
                self.filling = True
            elif kind == "data":
                self.writers[-1].append(event[1])
            elif kind == "end":
                self.filling = False
            else:
                if len(form.fields) >= MAX_FIELDS:
                    raise ValidationFailed.field(event[1] or "form", "too many form fields")
                form.fields[event[1]] = event[2].decode("utf-8", "replace")
        collector.events.clear()

    async def settle(self) -> None:
        """Close the files that ended; hand the one being filled its next block to write."""
        ended = self.writers[:-1] if self.filling else self.writers[:]
        for writer in ended:
            await writer.close()
            self.writers.remove(writer)
        if self.filling:
            await self.writers[-1].flush()
