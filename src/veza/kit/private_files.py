"""Files and folders only the service's own account may read: the SQLite database, the JWT key,
the mail outbox, stored media. Their modes are set explicitly, never left to the umask (usually
022, which makes new files world-readable).

With X-Accel-Redirect, nginx reads the media files itself: those get the group modes, so an
nginx put in the service's group can read them and nobody else can (see OPERATIONS.md).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
GROUP_FILE_MODE = 0o640
GROUP_DIR_MODE = 0o750


def make_dirs(directory: Path, mode: int = DIR_MODE) -> None:
    """``mkdir -p`` giving ``mode`` to every folder it creates (``Path.mkdir(parents=True)``
    gives it to the last one only); existing folders are left as they are."""
    missing: list[Path] = []
    current = directory
    while not current.is_dir():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir(mode=mode, exist_ok=True)


def create_file(path: Path, data: bytes = b"", mode: int = FILE_MODE) -> bool:
    """Create ``path`` with ``mode`` holding ``data``; False when it already exists (untouched)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return True
