"""Requests before bulk transfers: the requests being answered, for uploads to give way to.

An upload arrives as fast as the client sends it and the event loop parses it as fast as it can,
so a few large uploads keep the loop, its process's GIL and the cores busy; the other requests'
database round trips (threads, with SQLite) then wait behind them. Instead, an upload gives way
before each chunk it parses while other requests are being answered (from their start to the
start of their response: a streamed body, a socket, a long poll is not counted once it has
started answering), for at most a bounded time, so it always progresses. While it waits it does
not ask the server for more of its body, and the server stops reading its socket.
"""

from __future__ import annotations

import asyncio


class Precedence:
    """The count of requests being answered; ``give_way`` waits until none is, or a while."""

    def __init__(self) -> None:
        self.answering = 0
        self._waiting: list[asyncio.Future[None]] = []

    def begin(self) -> None:
        self.answering += 1

    def end(self) -> None:
        self.answering -= 1
        if self.answering == 0 and self._waiting:
            waiting, self._waiting = self._waiting, []
            for future in waiting:
                _release(future)

    async def give_way(self, longest_seconds: float) -> None:
        """Return when no request is being answered, or after ``longest_seconds``."""
        if not self.answering:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append(future)
        timer = loop.call_later(longest_seconds, _release, future)
        try:
            await future
        finally:
            timer.cancel()
            if future in self._waiting:
                self._waiting.remove(future)


def _release(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
