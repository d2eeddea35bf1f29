"""argon2id password hashing, run in worker threads so the event loop keeps serving.

The hashes run in a pool of their own, at most half the cores at a time: argon2 is built to
use a core fully for tens of milliseconds, and a burst of sign-ups or logins must leave the
other cores to the event loop and the database (a transaction holding SQLite's write lock
must be able to finish), and leave the default thread pool to mail, file and media work.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from argon2 import PasswordHasher

HASHING_THREADS = max(1, (os.cpu_count() or 2) // 2)
_POOL = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")

T = TypeVar("T")


# Made by the first password hashed or checked: argon2-cffi weighs 0.4 MiB resident with cffi,
# and a server answering only reads never needs it. The tests put a cheaper one here.
HASHER: PasswordHasher | None = None


def _hasher() -> PasswordHasher:
    global HASHER
    if HASHER is None:
        from argon2 import PasswordHasher

        # OWASP's recommended argon2id parameters: 19 MiB of memory, 2 iterations, 1 lane.
        HASHER = PasswordHasher(
            time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16
        )
    return HASHER


async def _in_pool(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_POOL, work)


def hash_password_sync(password: str) -> str:
    return _hasher().hash(password)


async def hash_password(password: str) -> str:
    return await _in_pool(lambda: _hasher().hash(password))


async def verify_password(password_hash: str, password: str) -> bool:
    def _verify() -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await _in_pool(_verify)


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
