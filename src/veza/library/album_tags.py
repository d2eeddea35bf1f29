"""The album tags media/tags.py leaves out: album artist, track and disc numbers, compilation
(mutagen, synchronous: run it in a thread)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AlbumTags:
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    compilation: bool = False
    has_cover: bool = False


def _number(text: str | None) -> int | None:
    """ "3", "3/12" and " 03 " are 3; anything else is absent."""
    if not text:
        return None
    head = text.split("/")[0].strip()
    return int(head) if head.isdigit() and 0 < int(head) < 10000 else None


def _text(values: Any, *names: str) -> str | None:
    for name in names:
        try:
            value = values.get(name)
        except (KeyError, ValueError):
            continue
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if value is None:
            continue
        if isinstance(value, tuple):  # MP4 trkn/disk: (number, total)
            return str(value[0])
        text = str(value).strip()
        if text:
            return text
    return None


def _mp4_pair(raw: Any, name: str) -> int | None:
    try:
        value = raw.get(name)
    except (KeyError, ValueError):
        return None
    if value and isinstance(value[0], tuple) and value[0][0]:
        return int(value[0][0])
    return None


def read_album_tags(path: Path) -> AlbumTags:
    import mutagen

    try:
        easy = mutagen.File(str(path), easy=True)
        full = mutagen.File(str(path))
    except Exception:
        return AlbumTags()
    if easy is None or full is None:
        return AlbumTags()
    values = easy.tags or {}
    raw = full.tags or {}
    compilation = _text(values, "compilation") or _text(raw, "TCMP", "cpil", "COMPILATION")
    album_artist = _text(values, "albumartist", "album artist") or _text(raw, "aART", "TPE2")
    has_cover = bool(
        getattr(full, "pictures", None)
        or (hasattr(raw, "getall") and raw.getall("APIC"))
        or (hasattr(raw, "get") and (raw.get("covr") or raw.get("metadata_block_picture")))
    )
    return AlbumTags(
        album_artist=album_artist[:255] if album_artist else None,
        track_number=_number(_text(values, "tracknumber")) or _mp4_pair(raw, "trkn"),
        disc_number=_number(_text(values, "discnumber")) or _mp4_pair(raw, "disk"),
        compilation=str(compilation).strip().lower() in {"1", "true", "yes"},
        has_cover=has_cover,
    )
