"""The catalog's fixed vocabularies: genre slugs, musical keys, suggested tags, field limits.

Pure functions and constants, no database: docs/CONFORMANCE.md (Tracks, "Catalog, engagement
and sharing") lists the same values.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# Genre slugs a track may declare in ``genres`` (at most MAX_GENRES of them).
GENRE_SLUGS: tuple[str, ...] = (
    "acoustic",
    "afrobeat",
    "alternative",
    "ambient",
    "blues",
    "classical",
    "country",
    "dance",
    "disco",
    "drum-and-bass",
    "dubstep",
    "electronic",
    "experimental",
    "folk",
    "funk",
    "gospel",
    "hip-hop",
    "house",
    "indie",
    "jazz",
    "k-pop",
    "latin",
    "lo-fi",
    "metal",
    "pop",
    "punk",
    "r-and-b",
    "reggae",
    "reggaeton",
    "rock",
    "soul",
    "soundtrack",
    "techno",
    "trance",
    "trap",
    "world",
)
MAX_GENRES = 3
MAX_TAGS = 10
MAX_TAG_LENGTH = 30

_SLUG_SEPARATORS = re.compile(r"[\s_/]+")


def slugify(value: str) -> str:
    """ "Hip Hop" -> "hip-hop", " Lo_Fi " -> "lo-fi"; "R&B" -> "r-and-b"."""
    text = value.strip().lower().replace("&", " and ")
    return _SLUG_SEPARATORS.sub("-", text.strip()).strip("-")


# Musical keys: the twelve pitch classes with their sharp and flat names, major or minor (m),
# and the Camelot wheel (1A-12A minor, 1B-12B major) DJs use.
_NOTE_NAMES = ("C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A")
NOTE_NAMES: tuple[str, ...] = (*_NOTE_NAMES, "A#", "Bb", "B")
CAMELOT_KEYS: tuple[str, ...] = tuple(f"{n}{side}" for side in "AB" for n in range(1, 13))
MUSICAL_KEYS: tuple[str, ...] = (
    *NOTE_NAMES,
    *(f"{name}m" for name in NOTE_NAMES),
    *CAMELOT_KEYS,
)
_KEY_PATTERN = re.compile(r"^([A-Ga-g])\s*([#♯b♭]?)\s*(m|min|minor|maj|major)?$", re.IGNORECASE)
_CAMELOT_PATTERN = re.compile(r"^(1[0-2]|[1-9])\s*([ABab])$")


def normalize_key(value: str) -> str | None:
    """The canonical spelling of a musical key ("a minor" -> "Am", "f#" -> "F#", "8a" -> "8A"),
    or None when it is not one of MUSICAL_KEYS."""
    text = value.strip()
    camelot = _CAMELOT_PATTERN.match(text)
    if camelot:
        return f"{camelot.group(1)}{camelot.group(2).upper()}"
    match = _KEY_PATTERN.match(text)
    if not match:
        return None
    letter, accidental, mode = match.group(1).upper(), match.group(2), (match.group(3) or "")
    accidental = {"♯": "#", "♭": "b", "B": "b"}.get(accidental, accidental)
    name = f"{letter}{accidental}"
    if name not in NOTE_NAMES:
        return None
    # "Am", "a min", "A minor" are minor; a capital "M" alone ("AM") reads as major.
    minor = mode != "M" and mode.lower() in ("m", "min", "minor")
    return f"{name}m" if minor else name


# Suggested tags: a fixed list per genre slug (GET /tracks/suggested-tags).
SUGGESTED_TAGS: dict[str, tuple[str, ...]] = {
    "pop": ("catchy", "upbeat", "vocal", "radio", "dance-pop", "synth-pop", "love", "summer"),
    "rock": ("guitar", "indie-rock", "alternative", "live", "band", "riff", "classic-rock"),
    "electronic": ("synth", "edm", "house", "techno", "dance", "club", "bass", "remix"),
    "hip-hop": ("rap", "beats", "boom-bap", "trap", "freestyle", "lyrical", "instrumental"),
    "jazz": ("improvisation", "swing", "bebop", "smooth", "saxophone", "piano", "live"),
    "classical": ("orchestral", "piano", "strings", "symphony", "chamber", "baroque", "solo"),
    "ambient": ("atmospheric", "chill", "drone", "meditation", "soundscape", "calm", "sleep"),
    "default": ("original", "instrumental", "vocal", "chill", "upbeat", "acoustic", "remix"),
}


def suggested_tags(genre: str | None) -> tuple[str, tuple[str, ...]]:
    """(the genre the list is for, the tags): an unknown or missing genre gets the default."""
    slug = slugify(genre or "")
    if slug not in SUGGESTED_TAGS:
        slug = "default"
    return slug, SUGGESTED_TAGS[slug]


# Lyrics: longest text accepted.
MAX_LYRICS_LENGTH = 50_000


def title_from_filename(filename: str) -> str:
    """The title a track gets when the uploader gave none: the file name without extension."""
    stem = PurePosixPath(filename.replace("\\", "/")).stem.strip()
    return (stem or "Untitled")[:255]
