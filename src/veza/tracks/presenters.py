"""A track as a given viewer may see it: the one place the Track response is built."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import orjson
from sqlalchemy import Row

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
# Fields a track may lack (None is left out of the response, as exclude_none does).
_NULLABLE = tuple(
    name for name, field in schemas.TrackResponse.model_fields.items() if not field.is_required()
)
_ALWAYS_LISTS = ("genres", "tags")
# The Track's attributes a response reads, in the response's order (``waveform_url`` is not
# one: read as None, it keeps its place until the link is set).
_ORM_FIELDS = (*TRACK_FIELDS, "hls_path")


def uuid_text(value: Any) -> str | None:
    """A UUID column's value as its canonical text (SQLite keeps 32 hex digits)."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 32:
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        return value
    return str(value)


class Creators(dict[Any, uuid.UUID]):
    """Creator ids as UUIDs (for the catalog's rules), made once per creator."""

    def __missing__(self, raw: Any) -> uuid.UUID:
        made = uuid.UUID(uuid_text(raw))
        self[raw] = made
        return made


def track_payload(
    values: Sequence[Any],
    fields: Sequence[str],
    creators: Creators,
    public_url: str,
    viewer: Viewer | None,
) -> dict[str, Any]:
    """The JSON object of the track whose ``fields`` are ``values`` (``hls_path`` among them
    when the track has one), as ``viewer`` may see it."""
    payload = dict(zip(fields, values))  # noqa: B905 (the getter yields one value per field)
    payload["id"] = uuid_text(payload["id"])
    creator_id = creators[payload["creator_id"]]
    payload["creator_id"] = creator_id
    payload["file_id"] = uuid_text(payload.get("file_id"))
    # What the catalog's link and privacy rules read of a track (plain attribute access).
    track = cast(
        Track,
        SimpleNamespace(
            id=payload["id"],
            creator_id=creator_id,
            waveform_path=payload.get("waveform_path"),
            hls_path=payload.pop("hls_path", None),
            stream_manifest_url=payload.get("stream_manifest_url"),
        ),
    )
    payload["waveform_url"] = waveform_url(public_url, track)
    payload["stream_manifest_url"] = stream_manifest_url(public_url, track)
    if not sees_counts(track, viewer):
        del payload["play_count"], payload["like_count"]
    for name in _ALWAYS_LISTS:
        payload[name] = payload.get(name) or []
    for name in _NULLABLE:
        if payload.get(name, 0) is None:
            del payload[name]
    return payload


def track_payloads(
    tracks: Sequence[Track | Row[Any]], public_url: str, viewer: Viewer | None
) -> list[dict[str, Any]]:
    """Tracks, or rows of their columns named as their attributes (``repository.SHOWN_COLUMNS``)."""
    creators = Creators()
    if tracks and isinstance(tracks[0], Row):
        # Each field by its place in the row, looked up once; the fields a row lacks
        # (``waveform_url``) read as None, in the response's order as for a Track.
        names = list(tracks[0]._fields)
        places = [names.index(name) if name in names else None for name in _ORM_FIELDS]
        return [
            track_payload(
                [None if place is None else row[place] for place in places],
                _ORM_FIELDS,
                creators,
                public_url,
                viewer,
            )
            for row in cast(Sequence[Row[Any]], tracks)
        ]
    return [
        track_payload(
            [getattr(track, name, None) for name in _ORM_FIELDS],
            _ORM_FIELDS,
            creators,
            public_url,
            viewer,
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
    return orjson.dumps({"success": True, "data": data}, option=orjson.OPT_UTC_Z, default=text_of)


def track_json(track: Track | Row[Any], public_url: str, viewer: User | None) -> bytes:
    """``Envelope[TrackEnvelopeData]`` with ``exclude_none``, encoded in one pass."""
    (payload,) = track_payloads([track], public_url, viewer)
    return orjson.dumps(
        {"success": True, "data": {"track": payload}}, option=orjson.OPT_UTC_Z, default=text_of
    )


def text_of(value: Any) -> str:
    """What orjson does not encode itself: the PostgreSQL driver's UUID (a uuid.UUID subclass)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")
