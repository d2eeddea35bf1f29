"""The C allocator's arenas: how many glibc may create, set before the process makes threads.

glibc gives threads their own malloc arenas, up to eight per core. The threads of a server
(one per SQLite connection, the thread pool hashing passwords and reading files) then each
keep freed memory in their own arena, where the rest of the process cannot reuse it; the
resident size climbs for a long time under varied traffic although nothing leaks (see
docs/PERFORMANCE.md, "Soak"). A small cap makes threads share arenas and reuse that memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

_M_ARENA_MAX = -8  # from glibc's malloc.h


def limit_malloc_arenas(count: int) -> bool:
    """Let glibc make at most ``count`` arenas in this process, and in the processes it starts
    (uvicorn's workers, through MALLOC_ARENA_MAX). 0 keeps glibc's default, and so does a
    MALLOC_ARENA_MAX the operator set (glibc applied it at start). True when the limit was
    applied (glibc, before any extra arena was made: call it before threads start)."""
    if count <= 0 or "MALLOC_ARENA_MAX" in os.environ:
        return False
    os.environ["MALLOC_ARENA_MAX"] = str(count)
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return False
    return bool(mallopt(_M_ARENA_MAX, count))
