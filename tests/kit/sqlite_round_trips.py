"""Counting the calls handed to aiosqlite's thread (used by the driver's tests and its bench).

Every call the adapter makes on a connection, its own or aiosqlite's, is a ``(future,
function)`` put on the connection's queue (``aiosqlite.Connection._tx``) that its thread
takes; a proxy in the queue's place counts them and passes them on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection


class _CountingQueue:
    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.count = 0

    def put_nowait(self, item: Any) -> None:
        self.count += 1
        self.queue.put_nowait(item)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queue, name)


class RoundTrips:
    """The round trips to one pooled connection's thread since it was watched."""

    def __init__(self, queue: _CountingQueue) -> None:
        self._queue = queue
        self._mark = queue.count

    def taken(self) -> int:
        """The round trips since the last call (or since watching began)."""
        taken = self._queue.count - self._mark
        self._mark = self._queue.count
        return taken


async def watch(connection: AsyncConnection) -> RoundTrips:
    """Count the round trips to the thread of ``connection``'s aiosqlite connection."""
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver._tx, _CountingQueue):
        driver._tx = _CountingQueue(driver._tx)
    return RoundTrips(driver._tx)
