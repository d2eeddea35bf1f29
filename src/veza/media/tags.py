"""Tags and cover art with mutagen (synchronous: run it in a thread): title, artist, album,
genre, year, bpm, key and the embedded cover, read from whatever tag format the file carries."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veza.tracks.taxonomy import normalize_key

MAX_COVER_BYTES = 10 * 1024 * 1024


@dataclass
class Tags:
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    genre: str | None = None
    year: int | None = None
    bpm: int | None = None
    musical_key: str | None = None
    cover: bytes | None = None
    cover_extension: str | None = None

    def as_metadata(self) -> dict[str, Any]:
        fields = ("title", "artist", "album", "genre", "year", "bpm", "musical_key")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}


def _first_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(getattr(value, "text", [value])[0] if hasattr(value, "text") else value).strip()
    return text or None


def _to_int(
    text: str | None, low: int, high: int, *, prefix_digits: int | None = None
) -> int | None:
    if not text:
        return None
    digits = text[:prefix_digits] if prefix_digits else text.split(".")[0]
    try:
        number = int(digits)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _image_extension(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _cover_from(file: Any) -> bytes | None:
    tags = getattr(file, "tags", None)
    pictures: list[Any] = list(getattr(file, "pictures", []) or [])  # FLAC
    if tags is not None:
        if hasattr(tags, "getall"):  # ID3
            pictures.extend(tags.getall("APIC"))
        elif "covr" in tags:  # MP4
            return bytes(tags["covr"][0])
        elif "metadata_block_picture" in tags:  # Ogg Vorbis / Opus
            from mutagen.flac import Picture

            for encoded in tags["metadata_block_picture"]:
                try:
                    pictures.append(Picture(base64.b64decode(encoded)))
                except Exception:  # noqa: S112 - a broken picture block is skipped, not fatal
                    continue
    if not pictures:
        return None
    front = [p for p in pictures if getattr(p, "type", None) == 3]
    return bytes((front or pictures)[0].data)


def read_tags(path: Path) -> Tags:
    """Tags the file carries; anything unreadable is simply absent."""
    import mutagen

    try:
        easy = mutagen.File(str(path), easy=True)
        full = mutagen.File(str(path))
    except Exception:
        return Tags()
    if easy is None or full is None:
        return Tags()
    values = easy.tags or {}

    def get(*names: str) -> str | None:
        for name in names:
            try:
                text = _first_text(values.get(name))
            except (KeyError, ValueError):
                text = None
            if text:
                return text
        return None

    tags = Tags(
        title=(get("title") or "")[:255] or None,
        artist=(get("artist", "albumartist") or "")[:255] or None,
        album=(get("album") or "")[:255] or None,
        genre=(get("genre") or "")[:100] or None,
        year=_to_int(get("date", "year", "originaldate"), 1900, 2100, prefix_digits=4),
        bpm=_to_int(get("bpm"), 1, 300),
    )
    raw = full.tags or {}
    key: str | None = None
    for name in ("TKEY", "initialkey", "key", "----:com.apple.iTunes:initialkey"):
        try:
            if name in raw:
                value = raw[name]
                key = _first_text(value)
                if isinstance(value, list) and value and isinstance(value[0], bytes):
                    key = value[0].decode("utf-8", "replace").strip() or None
                break
        except (KeyError, ValueError, TypeError):
            continue
    # Stored in the canonical spelling PUT /tracks/{id} uses; an unknown key is dropped.
    tags.musical_key = normalize_key(key) if key else None
    cover = _cover_from(full)
    if cover and len(cover) <= MAX_COVER_BYTES:
        extension = _image_extension(cover)
        if extension:
            tags.cover, tags.cover_extension = cover, extension
    return tags
