"""A track as a given viewer may see it: the one place the Track response is built."""

from __future__ import annotations

from typing import TypeVar

from veza.models import Track, User
from veza.tracks import schemas
from veza.tracks.access import manages

TrackView = TypeVar("TrackView", bound=schemas.TrackResponse)


def sees_counts(track: Track, viewer: User | None) -> bool:
    """Play and like totals are the creator's and administrators' business only."""
    return manages(viewer, track)


def waveform_url(public_url: str, track: Track) -> str | None:
    return f"{public_url}/api/v1/tracks/{track.id}/waveform" if track.waveform_path else None


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
    if not sees_counts(track, viewer):
        response.play_count = None
        response.like_count = None
    return response
