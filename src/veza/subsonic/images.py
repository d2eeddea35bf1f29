"""getCoverArt's ``size``: the cover scaled down (longer side = size) and re-encoded as JPEG
with PyAV's FFmpeg (no image library is bundled). Synchronous: run it in a thread."""

from __future__ import annotations

import io
from fractions import Fraction
from typing import TYPE_CHECKING

from veza.kit.lazy import LazyModule

if TYPE_CHECKING:
    import av
else:
    av = LazyModule("av")  # 20 MiB: loaded by the first request that needs it (kit/lazy.py)

MIN_SIZE, MAX_SIZE = 16, 2048


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def scaled_jpeg(data: bytes, size: int) -> bytes | None:
    """The image at most ``size`` pixels on its longer side, or None when it already is (or
    cannot be decoded: the original is served then)."""
    try:
        with av.open(io.BytesIO(data), "r") as image:
            frame = next(image.decode(video=0))
    except (av.error.FFmpegError, StopIteration, ValueError):
        return None
    longest = max(frame.width, frame.height)
    if longest <= size:
        return None
    ratio = size / longest
    width, height = _even(frame.width * ratio), _even(frame.height * ratio)
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    scaled = frame.reformat(width=width, height=height, format="yuvj420p")
    packets = encoder.encode(scaled) + encoder.encode(None)
    return b"".join(bytes(packet) for packet in packets)
