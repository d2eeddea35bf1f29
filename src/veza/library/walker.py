"""Finding the files of a folder to import: recursively, in a stable order, never leaving the
folder (a symlink is followed only when its target is inside it, and each file is seen once)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Files beside the music that are never audio: not reported as unsupported.
IGNORED_SUFFIXES = frozenset(
    {
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".txt", ".nfo", ".cue", ".log",
        ".m3u", ".m3u8", ".pls", ".pdf", ".md", ".sfv", ".ini", ".db", ".lrc",
    }
)  # fmt: skip
COVER_NAMES = ("cover", "folder", "front", "album")
COVER_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def _inside(root: Path, path: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def candidate_files(folder: Path) -> Iterator[Path]:
    """Every file under ``folder`` that might be audio, resolved, sorted by path."""
    root = folder.resolve()
    seen: set[Path] = set()
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() in IGNORED_SUFFIXES:
                continue
            path = Path(directory) / name
            resolved = path.resolve()
            if not _inside(root, resolved) or resolved in seen or not resolved.is_file():
                continue
            seen.add(resolved)
            yield path


def folder_cover(audio: Path) -> Path | None:
    """cover.jpg, folder.jpg (or .png, front, album...) beside ``audio``, any letter case."""
    by_name = {entry.name.lower(): entry for entry in audio.parent.iterdir() if entry.is_file()}
    for stem in COVER_NAMES:
        for suffix in COVER_SUFFIXES:
            found = by_name.get(stem + suffix)
            if found is not None and _inside(audio.parent.resolve(), found.resolve()):
                return found
    return None
