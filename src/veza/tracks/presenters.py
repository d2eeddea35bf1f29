"""A track as a given viewer may see it: the one place the Track response is built."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlsplit

from veza.models import Track, User
from veza.tracks import schemas
from veza.tracks.access import manages

TrackView = TypeVar("TrackView", bound=schemas.TrackResponse)


def sees_counts(track: Track, viewer: User | None) -> bool:
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
