"""A track as a given viewer may see it: the one place the Track response is built."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar, cast
from urllib.parse import urlsplit

from sqlalchemy import Row

from veza.kit.envelope import ok_json
from veza.kit.uuid_text import dashed
from veza.models import Track, User, Viewer
from veza.tracks import schemas
from veza.tracks.access import manages

TrackView = TypeVar("TrackView", bound=schemas.TrackResponse)


def sees_counts(track: Track, viewer: Viewer | None) -> bool:
    """Play and like totals are the creator's and administrators' business only."""
    return manages(viewer, track)


def waveform_url(public_url: str, track: Track) -> str | None:
    return f"{public_url}/api/v1/tracks/{track.id}/waveform" if track.waveform_path else None


def stream_manifest_url(public_url: str, track: Track) -> str | None:
    """The HLS master playlist: ours (built from ``hls_path`` under today's public URL), unless
    the stream server's callback announced another one since."""
    own = f"/hls/{track.id}/master.m3u8"
    stored = track.stream_manifest_url
    # A stored URL ending in our own path was written by processing under some earlier public
    # URL: it names the same playlist.
    if track.hls_path and (stored is None or urlsplit(stored).path == own):
        return f"{public_url}{own}"
    return stored


def track_response(
    track: Track,
    public_url: str,
    viewer: User | None = None,
    model: type[TrackView] = schemas.TrackResponse,  # type: ignore[assignment]
) -> TrackView:
    """The Track as ``viewer`` may see it: play_count and like_count only for its creator and
    administrators (omitted for everyone else)."""
    response = model.model_validate(track)
    response.waveform_url = waveform_url(public_url, track)
    response.stream_manifest_url = stream_manifest_url(public_url, track)
    if not sees_counts(track, viewer):
        response.play_count = None
        response.like_count = None
    return response


# Tracks encoded in one pass --------------------------------------------------------------
#
# On the hot reads a pydantic model per track (and FastAPI's validation of the response
# model) costs more than the query (docs/PERFORMANCE.md). These write the same JSON as the
# TrackResponse with ``exclude_none``, with the same rules as ``track_response``; the
# playlist page uses them on raw rows, the catalog's list on its Track objects.

TRACK_FIELDS = tuple(schemas.TrackResponse.model_fields)
_ALWAYS_LISTS = ("genres", "tags")
# The Track's attributes a response reads, in the response's order (``waveform_url`` is not
# one: read as None, it keeps its place until the link is set).
_ORM_FIELDS = (*TRACK_FIELDS, "hls_path")
# A field left None is left out, as exclude_none does: the required ones are never None (their
# columns are NOT NULL), so every None can be.
assert not any(
    Track.__table__.columns[name].nullable
    for name, field in schemas.TrackResponse.model_fields.items()
    if field.is_required()
)


def format_uuid(value: Any) -> str | None:
    """A UUID column's value as its canonical text (SQLite keeps 32 hex digits; the columns
    read by ``kit.uuid_text`` are text already)."""
    if value is None:
        return None
    if isinstance(value, str):
        return dashed(value) if len(value) == 32 else value
    return str(value)


class Creators(dict[Any, uuid.UUID]):
    """Creator ids as UUIDs (for the catalog's rules), made once per creator."""

    def __missing__(self, raw: Any) -> uuid.UUID:
        made = uuid.UUID(format_uuid(raw))
        self[raw] = made
        return made


class _Shown(NamedTuple):
    """What the catalog's link and privacy rules read of a track (as attributes)."""

    id: str | None
    creator_id: str | uuid.UUID | None
    waveform_path: str | None
    hls_path: str | None
    stream_manifest_url: str | None


@dataclass(frozen=True)
class _Places:
    """Where each value the rules read or rewrite sits among a track's ``fields``."""

    fields: tuple[str, ...]
    id: int
    creator_id: int
    file_id: int | None
    waveform_path: int | None
    waveform_url: int | None
    hls_path: int | None
    stream_manifest_url: int | None
    counts: tuple[int, ...]
    lists: tuple[int, ...]
    missing_lists: tuple[str, ...]  # written as empty lists after the fields

    @staticmethod
    @functools.lru_cache(maxsize=16)
    def of(fields: tuple[str, ...]) -> _Places:
        def place(name: str) -> int | None:
            return fields.index(name) if name in fields else None

        return _Places(
            fields,
            fields.index("id"),
            fields.index("creator_id"),
            place("file_id"),
            place("waveform_path"),
            place("waveform_url"),
            place("hls_path"),
            place("stream_manifest_url"),
            tuple(fields.index(name) for name in ("play_count", "like_count") if name in fields),
            tuple(fields.index(name) for name in _ALWAYS_LISTS if name in fields),
            tuple(name for name in _ALWAYS_LISTS if name not in fields),
        )

    def payload(
        self, row: Sequence[Any], creators: Creators, public_url: str, viewer: Viewer | None
    ) -> dict[str, Any]:
        values = list(row)
        values[self.id] = track_id = format_uuid(values[self.id])
        creator_id: str | uuid.UUID | None
        if viewer is None:  # nobody anonymous manages a track: the rules need no UUID
            creator_id = format_uuid(values[self.creator_id])
        else:
            creator_id = creators[values[self.creator_id]]
        values[self.creator_id] = creator_id
        if self.file_id is not None:
            values[self.file_id] = format_uuid(values[self.file_id])
        hls_path = None
        if self.hls_path is not None:
            hls_path, values[self.hls_path] = values[self.hls_path], None  # not a field
        manifest = self.stream_manifest_url
        track = cast(
            Track,
            _Shown(
                track_id,
                creator_id,
                None if self.waveform_path is None else values[self.waveform_path],
                hls_path,
                None if manifest is None else values[manifest],
            ),
        )
        waveform = waveform_url(public_url, track)
        if self.waveform_url is not None:
            values[self.waveform_url] = waveform
        if manifest is not None:
            values[manifest] = stream_manifest_url(public_url, track)
        if not sees_counts(track, viewer):
            for place in self.counts:
                values[place] = None
        for place in self.lists:
            values[place] = values[place] or []
        payload = {
            name: value
            for name, value in zip(self.fields, values)  # noqa: B905 (a value per field)
            if value is not None
        }
        if waveform is not None and self.waveform_url is None:
            payload["waveform_url"] = waveform
        if manifest is None and (link := stream_manifest_url(public_url, track)) is not None:
            payload["stream_manifest_url"] = link
        for name in self.missing_lists:
            payload[name] = []
        return payload


def track_payload(
    values: Sequence[Any],
    fields: Sequence[str],
    creators: Creators,
    public_url: str,
    viewer: Viewer | None,
) -> dict[str, Any]:
    """The JSON object of the track whose ``fields`` are ``values`` (``hls_path`` among them
    when the track has one), as ``viewer`` may see it."""
    return _Places.of(tuple(fields)).payload(values, creators, public_url, viewer)


@functools.lru_cache(maxsize=16)
def _row_values(names: tuple[str, ...]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """The values of ``_ORM_FIELDS`` from a row of columns ``names`` with a None put after
    them, which stands for the fields the row lacks (``waveform_url``)."""
    absent = len(names)
    return itemgetter(*(names.index(name) if name in names else absent for name in _ORM_FIELDS))


def track_payloads(
    tracks: Sequence[Track | Row[Any]], public_url: str, viewer: Viewer | None
) -> list[dict[str, Any]]:
    """Tracks, or rows of their columns named as their attributes (``repository.SHOWN_COLUMNS``)."""
    creators = Creators()
    places = _Places.of(_ORM_FIELDS)
    if tracks and isinstance(tracks[0], Row):
        # Each field by its place in the row, looked up once per shape of row.
        values = _row_values(tracks[0]._fields)
        return [
            places.payload(values((*row, None)), creators, public_url, viewer)
            for row in cast(Sequence[Row[Any]], tracks)
        ]
    return [
        places.payload(
            [getattr(track, name, None) for name in _ORM_FIELDS], creators, public_url, viewer
        )
        for track in tracks
    ]


def track_list_json(
    tracks: Sequence[Track | Row[Any]],
    pagination: schemas.CatalogPagination,
    public_url: str,
    viewer: Viewer | None,
) -> bytes:
    """``Envelope[TrackList]`` with ``exclude_none``, encoded in one pass."""
    data = {
        "tracks": track_payloads(tracks, public_url, viewer),
        "pagination": pagination.model_dump(mode="json", exclude_none=True),
    }
    return ok_json(data)


def track_json(track: Track | Row[Any], public_url: str, viewer: User | None) -> bytes:
    """``Envelope[TrackEnvelopeData]`` with ``exclude_none``, encoded in one pass."""
    (payload,) = track_payloads([track], public_url, viewer)
    return ok_json({"track": payload})
