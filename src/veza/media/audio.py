"""Audio inspection and analysis with PyAV (synchronous: run these in a thread). Tags are tags.py.

- ``sniff_format``: what a file is from its first bytes (never from its name).
- ``probe``: a real probe with PyAV (container, codec, duration, bitrate, rate, channels), which
  also decodes the first frames, so a file that merely starts with the right magic is refused.
- ``analyse``: one decode pass that computes the waveform peaks and, when asked, encodes the AAC
  HLS renditions from the same decoded frames.

Waveform peaks are the JSON format of BBC audiowaveform (version 2), read as is by peaks.js
and wavesurfer: ``{"version": 2, "channels": 1, "sample_rate", "samples_per_pixel", "bits": 8,
"length", "data": [min0, max0, min1, max1, ...]}``. The channels are mixed down to one.
Resolution: ``samples_per_pixel`` is the smallest multiple of 256 that keeps the waveform at
most ``WAVEFORM_MAX_POINTS`` (2,000) points long, so a preview is a few kB whatever the length.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veza.kit.lazy import LazyModule

if TYPE_CHECKING:
    import av
    import numpy as np
else:
    # Imported on first use: the API process needs PyAV only to probe an upload and numpy never
    # (28 MiB of resident memory otherwise loaded at start-up).
    av = LazyModule("av")
    np = LazyModule("numpy")

WAVEFORM_MAX_POINTS = 2000
WAVEFORM_MIN_SAMPLES_PER_PIXEL = 256


class UnsupportedAudio(ValueError):
    """The file is not audio we accept; the message says why (shown to the uploader)."""


@dataclass(frozen=True)
class FormatSpec:
    name: str  # Track.format
    mime_type: str
    containers: frozenset[str]  # PyAV/FFmpeg demuxer names
    codecs: frozenset[str]  # accepted decoder names (prefixes for pcm)


FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec("mp3", "audio/mpeg", frozenset({"mp3"}), frozenset({"mp3", "mp3float"})),
        FormatSpec("flac", "audio/flac", frozenset({"flac"}), frozenset({"flac"})),
        FormatSpec("wav", "audio/wav", frozenset({"wav"}), frozenset({"pcm_"})),
        FormatSpec("ogg", "audio/ogg", frozenset({"ogg"}), frozenset({"vorbis", "opus"})),
        FormatSpec(
            "m4a",
            "audio/mp4",
            frozenset({"mov,mp4,m4a,3gp,3g2,mj2"}),
            frozenset({"aac", "alac"}),
        ),
        FormatSpec("aac", "audio/aac", frozenset({"aac"}), frozenset({"aac"})),
    )
}

_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash", b"MSNV", b"3gp5"}


def sniff_format(head: bytes) -> str | None:
    """The audio format the first bytes announce (magic numbers), or None."""
    if head.startswith(b"fLaC"):
        return "flac"
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return "m4a"
    if head.startswith(b"ID3"):
        return "mp3"  # an ID3v2 tag; the probe confirms the stream behind it is MP3
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG frame sync: layer bits 00 is ADTS AAC, anything else MPEG audio (MP3).
        return "aac" if head[1] & 0x06 == 0 else "mp3"
    return None


@dataclass(frozen=True)
class AudioInfo:
    format: str
    mime_type: str
    codec: str
    duration_seconds: float
    bitrate_kbps: int | None
    sample_rate: int
    channels: int

    @property
    def duration(self) -> int:
        return max(1, round(self.duration_seconds)) if self.duration_seconds > 0 else 0


def _codec_matches(spec: FormatSpec, codec: str) -> bool:
    return any(codec == c or (c.endswith("_") and codec.startswith(c)) for c in spec.codecs)


def probe(path: Path, sniffed: str) -> AudioInfo:
    """Open ``path`` with PyAV and check it is the ``sniffed`` format with a decodable stream."""
    spec = FORMATS[sniffed]
    try:
        container = av.open(str(path), "r")
    except (av.error.FFmpegError, OSError) as exc:
        raise UnsupportedAudio(f"not a readable {sniffed} file") from exc
    try:
        if container.format.name not in spec.containers:
            raise UnsupportedAudio(f"the file is not a {sniffed} file")
        if any(
            s.type == "video" and not (s.disposition & av.stream.Disposition.attached_pic)
            for s in container.streams
        ):
            raise UnsupportedAudio("video files are not accepted")
        if not container.streams.audio:
            raise UnsupportedAudio("the file has no audio stream")
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        if not _codec_matches(spec, codec):
            raise UnsupportedAudio(f"unsupported codec {codec} in a {sniffed} file")
        decoded = 0
        for frame in container.decode(stream):
            decoded += frame.samples
            if decoded >= 4096:
                break
        if decoded == 0:
            raise UnsupportedAudio("no audio could be decoded from the file")
        duration = _duration_seconds(container, stream)
        if duration <= 0:
            raise UnsupportedAudio("the audio has no duration")
        bit_rate = container.bit_rate or stream.codec_context.bit_rate or 0
        info = AudioInfo(
            format=sniffed,
            mime_type=spec.mime_type,
            codec="mp3" if codec == "mp3float" else codec,
            duration_seconds=duration,
            bitrate_kbps=round(bit_rate / 1000) if bit_rate else None,
            sample_rate=int(stream.sample_rate or stream.codec_context.sample_rate),
            channels=int(stream.codec_context.channels),
        )
    except av.error.FFmpegError as exc:
        raise UnsupportedAudio(f"the {sniffed} file is damaged") from exc
    finally:
        container.close()
    return info


def too_long_message(max_seconds: float) -> str:
    return f"the audio is longer than the maximum duration ({max_seconds:g} s)"


def check_duration(info: AudioInfo, max_seconds: float) -> None:
    """UnsupportedAudio when the probed duration is over ``max_seconds``: processing's
    outputs grow with the duration, not with the file's size."""
    if info.duration_seconds > max_seconds:
        raise UnsupportedAudio(too_long_message(max_seconds))


def _duration_seconds(container: Any, stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration / av.time_base)
    return 0.0


@dataclass(frozen=True)
class HlsRendition:
    bitrate_kbps: int
    directory: Path  # receives playlist.m3u8 and the segments


@dataclass
class Analysis:
    waveform: dict[str, Any]
    renditions: list[HlsRendition] = field(default_factory=list)


class _PeakAccumulator:
    """Min/max per block of ``samples_per_pixel`` samples, fed decoded frames.

    Frames go into FFmpeg's sample FIFO (one C call each, no numpy object per frame); every
    ``batch`` samples come out as one frame whose channel planes are reduced where they lie (a
    reshape and a min and a max per channel, no copy into a combined array). Per-frame numpy
    work and copying into large arrays were what made the waveform cost ~0.5x of a decode
    (docs/PERFORMANCE.md). Channels are combined by taking the extreme of all of them (a loud
    left channel shows), which never clips the way summing channels would.
    """

    # At least 16 pixels and 64 Ki samples per batch: few Python calls per second of audio,
    # while a batch stays small enough for the CPU cache.
    _PIXELS_PER_BATCH = 16

    def __init__(self, samples_per_pixel: int) -> None:
        self.spp = samples_per_pixel
        self.batch = samples_per_pixel * max(self._PIXELS_PER_BATCH, -(-65536 // samples_per_pixel))
        self.fifo = av.AudioFifo()
        self.shape: tuple[int, int] | None = None  # (sample rate, channels) the FIFO holds
        # A pixel not complete at the end of a reduced block: its sample count, min and max.
        self.open_samples = 0
        self.open_min = 0.0
        self.open_max = 0.0
        self.mins: list[np.ndarray[Any, Any]] = []
        self.maxs: list[np.ndarray[Any, Any]] = []

    def feed(self, frame: av.AudioFrame) -> None:
        """``frame`` is planar float (fltp). Its pts is cleared: the FIFO would check it."""
        shape = (frame.sample_rate, frame.layout.nb_channels)
        if shape != self.shape:
            # A stream that changes rate or channels mid-way: a FIFO holds one shape only.
            self._drain()
            self.fifo, self.shape = av.AudioFifo(), shape
        frame.pts = None
        self.fifo.write(frame)
        if self.fifo.samples >= self.batch:
            self._reduce(self.fifo.read(self.batch))

    def _drain(self) -> None:
        self._reduce(self.fifo.read())

    def _reduce(self, frame: av.AudioFrame | None) -> None:
        """Each channel is read in place from the frame's planes (no copy into one array)."""
        if frame is None:  # the FIFO had nothing to give
            return
        count = frame.samples
        planes = [
            np.frombuffer(memoryview(plane), dtype=np.float32, count=count)
            for plane in frame.planes
        ]
        start = 0
        if self.open_samples and count:  # first complete the pixel the last block left open
            start = min(count, self.spp - self.open_samples)
            self.open_min = min(self.open_min, *(float(p[:start].min()) for p in planes))
            self.open_max = max(self.open_max, *(float(p[:start].max()) for p in planes))
            self.open_samples += start
            if self.open_samples == self.spp:
                self._close_open_pixel()
        blocks = (count - start) // self.spp
        if blocks:
            end = start + blocks * self.spp
            shaped = [p[start:end].reshape(blocks, self.spp) for p in planes]
            self.mins.append(_combine(np.minimum, [s.min(axis=1) for s in shaped]))
            self.maxs.append(_combine(np.maximum, [s.max(axis=1) for s in shaped]))
            start = end
        if start < count:
            self.open_samples = count - start
            self.open_min = min(float(p[start:].min()) for p in planes)
            self.open_max = max(float(p[start:].max()) for p in planes)

    def _close_open_pixel(self) -> None:
        self.mins.append(np.array([self.open_min], dtype=np.float32))
        self.maxs.append(np.array([self.open_max], dtype=np.float32))
        self.open_samples = 0

    def result(self, sample_rate: int) -> dict[str, Any]:
        self._drain()
        if self.open_samples:
            self._close_open_pixel()
        mins = np.concatenate(self.mins) if self.mins else np.zeros(0, np.float32)
        maxs = np.concatenate(self.maxs) if self.maxs else np.zeros(0, np.float32)
        pairs = np.empty(mins.shape[0] * 2, dtype=np.float32)
        pairs[0::2], pairs[1::2] = mins, maxs
        data = np.clip(np.rint(pairs * 127.0), -128, 127).astype(np.int8)
        return {
            "version": 2,
            "channels": 1,
            "sample_rate": sample_rate,
            "samples_per_pixel": self.spp,
            "bits": 8,
            "length": int(mins.shape[0]),
            "data": data.tolist(),
        }


def _combine(extreme: Any, per_channel: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """The element-wise extreme (np.minimum or np.maximum) of the channels' arrays."""
    result = per_channel[0]
    for other in per_channel[1:]:
        result = extreme(result, other)
    return result


def samples_per_pixel(duration_seconds: float, sample_rate: int) -> int:
    total = max(1, math.ceil(duration_seconds * sample_rate))
    blocks = math.ceil(total / WAVEFORM_MAX_POINTS / WAVEFORM_MIN_SAMPLES_PER_PIXEL)
    return max(1, blocks) * WAVEFORM_MIN_SAMPLES_PER_PIXEL


def _hls_sample_rate(rate: int) -> int:
    return rate if rate in (44100, 48000) else 44100


def analyse(
    path: Path,
    info: AudioInfo,
    *,
    hls: list[HlsRendition] | None = None,
    segment_seconds: int = 6,
    on_progress: Callable[[float], None] | None = None,
    max_seconds: float | None = None,
) -> Analysis:
    """Decode the file once: waveform peaks always, AAC HLS renditions when asked.

    Decoding stops with UnsupportedAudio once it passes ``max_seconds`` (by more than a
    second, for rounding), whatever duration the file's header announced.
    """
    peaks = _PeakAccumulator(samples_per_pixel(info.duration_seconds, info.sample_rate))
    container = av.open(str(path), "r")
    outputs: list[tuple[Any, Any]] = []
    try:
        stream = container.streams.audio[0]
        stream.codec_context.thread_type = "AUTO"
        planar = av.AudioResampler(format="fltp")  # same layout and rate, float samples
        layout = "mono" if info.channels == 1 else "stereo"
        for rendition in hls or []:
            rendition.directory.mkdir(parents=True, exist_ok=True)
            output = av.open(
                str(rendition.directory / "playlist.m3u8"),
                "w",
                format="hls",
                options={
                    "hls_time": str(segment_seconds),
                    "hls_playlist_type": "vod",
                    "hls_segment_filename": str(rendition.directory / "segment_%05d.ts"),
                    "hls_flags": "independent_segments",
                },
            )
            encoder = output.add_stream(
                "aac",
                rate=_hls_sample_rate(info.sample_rate),
                layout=layout,
                options={"aac_coder": "fast"},  # ~2x the default coder, same bitrate
            )
            encoder.bit_rate = rendition.bitrate_kbps * 1000
            outputs.append((output, encoder))
        duration = info.duration_seconds or 1.0
        last_reported = -1.0
        # Decoded samples so far: the timeline the encoders get, and the guard against a file
        # whose header announces less audio than it holds.
        decoded = 0
        limit = None if max_seconds is None else (max_seconds + 1) * info.sample_rate
        for frame in container.decode(stream):
            position = frame.time  # read first: the peaks accumulator clears the pts
            start, decoded = decoded, decoded + frame.samples
            if limit is not None and decoded > limit:
                raise UnsupportedAudio(too_long_message(max_seconds or 0))
            if frame.format.name == "fltp":  # most decoders' own format: no conversion
                peaks.feed(frame)
            else:
                for converted in planar.resample(frame):
                    peaks.feed(converted)
            if outputs:
                # The encoders' resamplers need a gapless timeline: given none, the tail they
                # flush carries a pts the muxer has already passed, and muxing it fails
                # (EINVAL) for some rates and lengths.
                frame.pts, frame.time_base = start, Fraction(1, frame.sample_rate)
            for output, encoder in outputs:
                for packet in encoder.encode(frame):
                    output.mux(packet)
            if on_progress is not None and position is not None:
                done = min(1.0, float(position) / duration)
                if done - last_reported >= 0.02:
                    last_reported = done
                    on_progress(done)
        for converted in planar.resample(None):
            peaks.feed(converted)
        for output, encoder in outputs:
            for packet in encoder.encode(None):
                output.mux(packet)
    except av.error.FFmpegError as exc:
        raise UnsupportedAudio("the audio could not be decoded to the end") from exc
    finally:
        container.close()
        for output, _ in outputs:
            output.close()
    return Analysis(peaks.result(info.sample_rate), list(hls or []))


# MPEG-TS adds roughly 10% over the audio bitrate.
MPEG_TS_OVERHEAD = 1.1
# The waveform's JSON at its longest: every point's min and max at four characters and a comma.
WAVEFORM_MAX_BYTES = WAVEFORM_MAX_POINTS * 2 * 5 + 200


def expected_output_bytes(duration_seconds: float, hls_bitrates_kbps: list[int]) -> int:
    """At most about what ``analyse`` writes for audio of this duration: the waveform at its
    largest and the HLS renditions at their full bitrates (AAC spends much of its bitrate even
    on silence, which FLAC compresses to almost nothing: a tiny file can make megabytes)."""
    hls = duration_seconds * sum(set(hls_bitrates_kbps)) * 1000 / 8 * MPEG_TS_OVERHEAD
    return WAVEFORM_MAX_BYTES + math.ceil(hls)


def master_playlist(renditions: list[HlsRendition]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for rendition in sorted(renditions, key=lambda r: r.bitrate_kbps):
        bandwidth = round(rendition.bitrate_kbps * 1000 * MPEG_TS_OVERHEAD)
        lines.append(f'#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},CODECS="mp4a.40.2"')
        lines.append(f"{rendition.directory.name}/playlist.m3u8")
    return "\n".join(lines) + "\n"
