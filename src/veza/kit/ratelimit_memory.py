"""`limits`' memory storage with a bound on its keys (kit/ratelimit.py uses it without Redis)."""

from __future__ import annotations

from typing import Any

from limits.aio.storage import MemoryStorage


class BoundedMemoryStorage(MemoryStorage):
    """`limits`' memory storage with at most ``max_keys`` keys.

    Its keys expire only with their window (15 minutes for failed logins), so failed logins
    for random addresses from random client addresses would otherwise hold one key each
    for that long, however many arrive. A new key past the bound makes the oldest one go:
    that key's count is forgotten early (docs/CONFORMANCE.md, "Accounts and 2FA").
    """

    def __init__(self, max_keys: int) -> None:
        super().__init__()
        self.max_keys = max_keys

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if key not in self.events:
            self._make_room(self.events)
        return await super().acquire_entry(key, limit, expiry, amount)

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        if key not in self.storage:
            self._make_room(self.storage)
        return await super().incr(key, expiry, amount)

    def _make_room(self, table: dict[str, Any]) -> None:
        while len(table) >= self.max_keys:
            oldest = next(iter(table))  # dicts keep insertion order: the oldest key first
            table.pop(oldest, None)
            self.expirations.pop(oldest, None)
            self.locks.pop(oldest, None)
