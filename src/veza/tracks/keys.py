"""Every storage key of the tracks family, in one place.

Layout (keys are relative to the storage root or bucket):

- ``tracks/<creator>/<track>/v<n>-<random>.<format>``: each uploaded version's audio;
- ``tracks/<creator>/<track>/waveform-g<generation>.json`` and ``cover-g<generation>.<ext>``:
  what processing derives from the current audio (the generation keeps an older job's output
  apart from a newer one's);
- ``hls/<track>/g<generation>/``: the HLS renditions (``master.m3u8``, ``<kbps>k/...``);
- ``uploads/<upload>/<n>.part``: the chunks of a resumable upload until it completes.

Deleting a track forgets ``track_files`` and ``hls_files`` as prefixes, which covers all of the
above for it.
"""

from __future__ import annotations

import uuid


def track_files(creator_id: uuid.UUID, track_id: uuid.UUID) -> str:
    """The prefix holding every version's audio and the derived files of a track."""
    return f"tracks/{creator_id}/{track_id}"


def audio_file(creator_id: uuid.UUID, track_id: uuid.UUID, version: int, fmt: str) -> str:
    return f"{track_files(creator_id, track_id)}/v{version}-{uuid.uuid4().hex[:12]}.{fmt}"


def waveform_file(creator_id: uuid.UUID, track_id: uuid.UUID, generation: int) -> str:
    return f"{track_files(creator_id, track_id)}/waveform-g{generation}.json"


def cover_file(creator_id: uuid.UUID, track_id: uuid.UUID, generation: int, ext: str) -> str:
    return f"{track_files(creator_id, track_id)}/cover-g{generation}.{ext}"


def hls_files(track_id: uuid.UUID) -> str:
    """The prefix holding every HLS generation of a track."""
    return f"hls/{track_id}"


def hls_generation(track_id: uuid.UUID, generation: int) -> str:
    return f"{hls_files(track_id)}/g{generation}"


def upload_parts(upload_id: uuid.UUID) -> str:
    """The prefix holding a chunked upload's parts."""
    return f"uploads/{upload_id}"


def upload_part(upload_id: uuid.UUID, chunk_number: int) -> str:
    return f"{upload_parts(upload_id)}/{chunk_number:06d}.part"
