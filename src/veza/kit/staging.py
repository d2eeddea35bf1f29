"""The staging folder: local files written before they are stored (uploads as they arrive,
assembled chunks, processing's work folders), and the sweep of what stopped processes left.

Each process writes in a folder of its own, ``<staging>/p<pid>-<random>/``, and holds an
exclusive ``flock`` on its ``.lock`` file for as long as it lives; the kernel releases the lock
when the process ends, however it ends. So the sweep can tell the leftovers of a killed upload
or an interrupted processing job (a folder whose lock it can take) from files a live process
is still writing (a folder whose lock is held), without knowing the other processes and
whatever the speed of an upload. The sweep removes, in the folders of stopped processes and
loose at the top, what was last modified longer ago than the given age; a live process's
folder is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
import weakref
from pathlib import Path

from veza.kit import private_files

OWNER_PREFIX = "p"
LOCK_NAME = ".lock"


class Staging:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._owner: Path | None = None
        self._owner_pid = 0
        self._release: weakref.finalize[[int], Staging] | None = None

    def new_path(self, suffix: str = "") -> Path:
        """A fresh path in this process's own folder (nothing is created at it)."""
        return self._own_folder() / f"{uuid.uuid4().hex}{suffix}"

    def _own_folder(self) -> Path:
        pid = os.getpid()
        if self._owner is None or self._owner_pid != pid or not self._owner.is_dir():
            # A first call, a forked child (the lock it inherited is its parent's), or a folder
            # removed under us: take a new folder and its lock.
            self._owner, self._owner_pid = self._claim_folder(pid), pid
        return self._owner

    def _claim_folder(self, pid: int) -> Path:
        folder = self.directory / f"{OWNER_PREFIX}{pid}-{uuid.uuid4().hex[:12]}"
        private_files.make_dirs(folder)
        descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        if self._release is not None:
            # The previous folder is gone, or was the parent's: a copy kept open here would
            # keep the parent's lock alive after the parent ends.
            self._release()
        # Held until this object goes, or the process does (then the kernel releases it).
        self._release = weakref.finalize(self, os.close, descriptor)
        return folder

    def sweep(self, older_than_seconds: float) -> int:
        """Remove what stopped processes left (and loose entries) last modified more than
        ``older_than_seconds`` ago; the number of files and folders removed. Synchronous:
        run it in a thread."""
        if not self.directory.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for entry in list(self.directory.iterdir()):
            if entry.is_dir() and entry.name.startswith(OWNER_PREFIX):
                removed += _sweep_owner_folder(entry, cutoff)
            elif _last_modified(entry) < cutoff:
                removed += _remove(entry)
        return removed


def _sweep_owner_folder(folder: Path, cutoff: float) -> int:
    folder_was_old = _own_mtime(folder) < cutoff
    lock = _try_lock(folder / LOCK_NAME)
    if lock is None:
        return 0  # its process is alive: everything in it may be in use
    try:
        removed = 0
        for entry in list(folder.iterdir()):
            if entry.name != LOCK_NAME and _last_modified(entry) < cutoff:
                removed += _remove(entry)
        # A young folder may be a live process's that has not taken its lock yet.
        if folder_was_old and [e.name for e in folder.iterdir()] in ([], [LOCK_NAME]):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        return removed
    finally:
        if lock >= 0:
            os.close(lock)


def _try_lock(path: Path) -> int | None:
    """The lock's descriptor when it could be taken (-1: no lock file), None when held."""
    try:
        descriptor = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return -1
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def _own_mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except FileNotFoundError:
        return 0.0


def _last_modified(path: Path) -> float:
    """The newest modification time in ``path``'s tree (a work folder's files change inside
    it while the folder itself stays as it was)."""
    newest = _own_mtime(path)
    if path.is_dir() and not path.is_symlink():
        for root, directories, files in os.walk(path):
            for name in (*directories, *files):
                newest = max(newest, _own_mtime(Path(root) / name))
    return newest


def _remove(path: Path) -> int:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
        return 1
    return 0
