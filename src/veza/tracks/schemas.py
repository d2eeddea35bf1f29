"""Request and response models of the catalog: tracks, versions, history, lyrics, batches,
recommendations and share links. Other domains of the tracks family reuse TrackResponse."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from veza.kit.schemas import RequestModel, ResponseModel, UTCTimestamp
from veza.tracks import taxonomy


class CreateShareRequest(RequestModel):
    expires_at: str | None = Field(
        None, description="RFC 3339 time after which the link stops working (absent: never)"
    )
    permissions: Literal["read", "write", "admin"]


class UpdateLyricsRequest(RequestModel):
    content: str | None = Field(
        None,
        max_length=taxonomy.MAX_LYRICS_LENGTH,
        description="Plain text or LRC ([mm:ss.xx] timed lines); null or empty removes them",
    )


def _clean_text(value: str | None) -> str | None:
    """Trimmed; a blank string clears the field."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _title_not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value.strip() if value is not None else None


def _known_genres(value: list[str] | None) -> list[str] | None:
    """Taxonomy slugs ("Lo Fi" -> "lo-fi"), duplicates dropped, at most MAX_GENRES."""
    if value is None:
        return None
    slugs: list[str] = []
    for item in value:
        slug = taxonomy.slugify(item)
        if slug not in taxonomy.GENRE_SLUGS:
            raise ValueError(
                f"unknown genre {item!r}: use one of {', '.join(taxonomy.GENRE_SLUGS)}"
            )
        if slug not in slugs:
            slugs.append(slug)
    if len(slugs) > taxonomy.MAX_GENRES:
        raise ValueError(f"at most {taxonomy.MAX_GENRES} genres")
    return slugs


def _short_tags(value: list[str] | None) -> list[str] | None:
    """Trimmed; blanks and case-insensitive duplicates dropped (first spelling kept)."""
    if value is None:
        return None
    tags: list[str] = []
    seen: set[str] = set()
    for item in value:
        tag = item.strip()
        if not tag or tag.lower() in seen:
            continue
        if len(tag) > taxonomy.MAX_TAG_LENGTH:
            raise ValueError(f"tags are at most {taxonomy.MAX_TAG_LENGTH} characters each")
        seen.add(tag.lower())
        tags.append(tag)
    if len(tags) > taxonomy.MAX_TAGS:
        raise ValueError(f"at most {taxonomy.MAX_TAGS} tags")
    return tags


def _known_key(value: str | None) -> str | None:
    """The canonical spelling of a musical key ("a minor" -> "Am"); blank clears it."""
    if value is None or not value.strip():
        return None
    key = taxonomy.normalize_key(value)
    if key is None:
        raise ValueError(
            "unknown musical key: a note (C, C#, Db ... B) with 'm' for minor (Am, F#m), "
            "or a Camelot key (1A-12A, 1B-12B)"
        )
    return key


class _TrackFieldRules(RequestModel):
    """The rules of the metadata fields a track shares between uploads (POST /tracks, chunked
    initiate, hence complete) and edits (PUT /tracks/{id}, batch update): one set of
    validators, so a value accepted on one path is accepted, and stored alike, on the others."""

    _texts = field_validator("album", "artist", "genre", check_fields=False)(_clean_text)
    _title = field_validator("title", check_fields=False)(_title_not_blank)
    _tags = field_validator("tags", check_fields=False)(_short_tags)
    _key = field_validator("musical_key", check_fields=False)(_known_key)


class UpdateTrackRequest(_TrackFieldRules):
    """A partial update: a field left out is unchanged; null (or a blank string) clears an
    optional field. Genres, tags and the musical key are normalised (see taxonomy.py)."""

    album: str | None = Field(None, max_length=255)
    artist: str | None = Field(None, max_length=255)
    bpm: int | None = Field(None, ge=0, le=300)
    genre: str | None = Field(None, max_length=100, description="legacy, single")
    genres: list[str] | None = Field(None, description="v0.10.1: max 3, taxonomy slugs")
    is_public: bool | None = None
    musical_key: str | None = Field(None, max_length=10)
    tags: list[str] | None = Field(None, description="v0.10.1: max 10, 30 chars each")
    title: str | None = Field(None, min_length=1, max_length=255)
    year: int | None = Field(None, ge=1900, le=2100)

    _genres = field_validator("genres")(_known_genres)


class TrackMetadataFields(_TrackFieldRules):
    """Metadata an uploader may give with the audio (form fields of POST /tracks, or the JSON of
    POST /tracks/initiate). Whatever is left out is filled from the file's tags. The same rules
    as PUT /tracks/{id} (see _TrackFieldRules)."""

    title: str | None = Field(None, min_length=1, max_length=255)
    artist: str | None = Field(None, max_length=255)
    album: str | None = Field(None, max_length=255)
    genre: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=1900, le=2100)
    bpm: int | None = Field(None, ge=0, le=300)
    musical_key: str | None = Field(None, max_length=10)
    is_public: bool | None = None
    tags: list[str] | None = None


class BatchUpdateRequest(RequestModel):
    track_ids: list[str] = Field(..., min_length=1, description="At most 50 track ids")
    updates: dict[str, Any] = Field(
        ..., description="Fields of UpdateTrackRequest, applied to every track"
    )


class BatchDeleteRequest(RequestModel):
    track_ids: list[str] = Field(..., min_length=1, description="At most 50 track ids")


# Responses -----------------------------------------------------------------------------------


class TrackResponse(ResponseModel):
    """The contract's models.Track (plus a few fields a player uses: channels, codec, md5)."""

    id: uuid.UUID
    creator_id: uuid.UUID
    title: str
    artist: str | None = None
    album: str | None = None
    genre: str | None = None
    genres: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    year: int | None = None
    bpm: int | None = None
    musical_key: str | None = None
    is_public: bool
    duration: int | None = None
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    format: str | None = None
    codec: str | None = None
    file_id: uuid.UUID | None = None
    file_path: str | None = None
    file_size: int
    md5: str | None = None
    version_number: int
    status: Literal["uploading", "processing", "completed", "failed"]
    status_message: str | None = None
    cover_art_path: str | None = None
    waveform_path: str | None = None
    waveform_url: str | None = None
    stream_status: str
    stream_manifest_url: str | None = None
    # Only for the track's creator and administrators (the contract: private to the owner).
    play_count: int | None = None
    like_count: int | None = None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp

    @field_validator("tags", "genres", mode="before")
    @classmethod
    def _no_null_tags(cls, value: Any) -> Any:
        return value or []


class TrackEnvelopeData(BaseModel):
    track: TrackResponse


class MessageResponse(BaseModel):
    message: str


class VersionResponse(ResponseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    version_number: int
    file_size: int
    md5: str | None = Field(None, description="Set once processing has checksummed the file")
    original_filename: str | None = None
    format: str | None = None
    duration: int | None = None
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    created_by: uuid.UUID | None = None
    created_at: UTCTimestamp
    is_current: bool = False


class VersionListResponse(BaseModel):
    versions: list[VersionResponse]


class RestoreResponse(BaseModel):
    message: str
    track: TrackResponse


class HistoryEntry(ResponseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    user_id: uuid.UUID | None = None
    action: str
    changes: dict[str, Any] = Field(default_factory=dict)
    created_at: UTCTimestamp

    @field_validator("changes", mode="before")
    @classmethod
    def _no_null_changes(cls, value: Any) -> Any:
        return value or {}


class HistoryResponse(BaseModel):
    history: list[HistoryEntry]
    limit: int
    offset: int
    total: int


# Catalog ---------------------------------------------------------------------------------------


class CatalogPagination(BaseModel):
    """Page mode: page, limit, total, total_pages, has_next, has_prev; cursor mode leaves out
    page and has_prev. ``next_cursor`` continues after the last track served (both modes)."""

    page: int | None = None
    limit: int
    total: int
    total_pages: int
    has_next: bool
    has_prev: bool | None = None
    next_cursor: str | None = None


class TrackList(BaseModel):
    tracks: list[TrackResponse]
    pagination: CatalogPagination


class BatchFailure(BaseModel):
    id: str
    code: str
    message: str


class BatchUpdateResult(BaseModel):
    updated: list[str]
    failed: list[BatchFailure]


class BatchDeleteResult(BaseModel):
    deleted: list[str]
    failed: list[BatchFailure]


class LyricLineView(BaseModel):
    time: float = Field(description="Seconds from the start")
    text: str


class LyricsView(BaseModel):
    """A track's lyrics; a track without any has content "" and no times (the contract types
    ``lyrics`` as an object, never null)."""

    track_id: uuid.UUID
    content: str = Field(description='The lyrics as written; "" when the track has none')
    is_synced: bool = Field(description="True when the content is LRC with timed lines")
    lines: list[LyricLineView] = Field(description="The timed lines, in order (LRC only)")
    created_at: UTCTimestamp | None = Field(None, description="null when there are no lyrics")
    updated_at: UTCTimestamp | None = Field(None, description="null when there are no lyrics")


class LyricsData(BaseModel):
    lyrics: LyricsView


class SuggestedTags(BaseModel):
    genre: str = Field(description="The genre the list is for (default when unknown)")
    tags: list[str]


class RecommendedTrack(TrackResponse):
    reasons: list[str] = Field(
        default_factory=list,
        description="Why it is listed: same_genre, shared_tags, same_key_close_bpm, "
        "followed_creator, your_genres, new_release",
    )


class Recommendations(BaseModel):
    tracks: list[RecommendedTrack]


# Sharing ---------------------------------------------------------------------------------------


class ShareView(BaseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    permissions: str
    expires_at: UTCTimestamp | None = None
    created_at: UTCTimestamp
    token: str | None = Field(None, description="Given once, when the link is created")
    url: str | None = Field(None, description="The share page (web app or API), given once")


class ShareData(BaseModel):
    share: ShareView


class SharedTrackData(BaseModel):
    share: ShareView
    track: TrackResponse
