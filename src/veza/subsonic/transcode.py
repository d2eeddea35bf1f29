"""Transcoding for `stream` with format/maxBitRate: MP3 (libmp3lame) or Opus in Ogg, through
PyAV (synchronous: run it in a thread). Written beside its final name under a name of its own
and renamed, so concurrent requests for the same stream never serve or clobber half a file
(the last rename wins, with identical bytes)."""

from __future__ import annotations

import uuid
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veza.kit.lazy import LazyModule

if TYPE_CHECKING:
    import av
else:
    av = LazyModule("av")  # 20 MiB: loaded by the first request that needs it (kit/lazy.py)

TARGETS = {
    "mp3": ("mp3", "libmp3lame", 44100, "audio/mpeg"),
    "opus": ("ogg", "libopus", 48000, "audio/ogg"),
}
DEFAULT_KBPS = 192
BITRATES = (32, 48, 64, 96, 128, 160, 192, 256, 320)


def target_kbps(requested: int | None) -> int:
    """The largest usual bitrate at most ``requested`` (an encoder's step), else 192."""
    if not requested:
        return DEFAULT_KBPS
    return max((b for b in BITRATES if b <= requested), default=BITRATES[0])


def transcode(source: Path, target: Path, fmt: str, kbps: int) -> None:
    container_format, codec, rate, _ = TARGETS[fmt]
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            av.open(str(source), "r") as source_file,
            av.open(str(partial), "w", format=container_format) as output,
        ):
            stream = source_file.streams.audio[0]
            layout = "mono" if stream.codec_context.channels == 1 else "stereo"
            encoder: Any = output.add_stream(codec, rate=rate, layout=layout)
            encoder.bit_rate = kbps * 1000
            decoded = 0
            for frame in source_file.decode(stream):
                # A gapless timeline for the encoder's resampler (see media/audio.py).
                frame.pts, frame.time_base = decoded, Fraction(1, frame.sample_rate)
                decoded += frame.samples
                for packet in encoder.encode(frame):
                    output.mux(packet)
            for packet in encoder.encode(None):
                output.mux(packet)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
