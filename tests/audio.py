"""Tiny audio files made with PyAV: a tone in each accepted format, some tagged with cover art.

``write_samples`` makes the whole set (the ``audio`` fixture of tests/fixtures.py calls it once
per session); ``make_tone`` writes a single file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

# A 1x1 PNG, used as embedded cover art.
PNG_COVER = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# (file name, container format, codec, sample rate, encoder options)
_AUDIO_SPECS: dict[str, tuple[str, str, str, int, dict[str, str]]] = {
    "mp3": ("tone.mp3", "mp3", "libmp3lame", 44100, {}),
    "flac": ("tone.flac", "flac", "flac", 44100, {}),
    "wav": ("tone.wav", "wav", "pcm_s16le", 44100, {}),
    "ogg": ("tone.ogg", "ogg", "vorbis", 44100, {"strict": "-2"}),
    "opus": ("tone.opus", "ogg", "libopus", 48000, {}),
    "m4a": ("tone.m4a", "ipod", "aac", 44100, {}),
    "aac": ("tone.aac", "adts", "aac", 44100, {}),
}


def make_tone(
    path: Path,
    container: str,
    codec: str,
    rate: int,
    options: dict[str, str],
    seconds: float = 1.0,
    frequency: float = 440.0,
) -> None:
    samples = int(rate * seconds)
    wave = (0.5 * np.sin(2 * np.pi * frequency * np.arange(samples) / rate)).astype(np.float32)
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout="stereo", options=options)
        frame = av.AudioFrame.from_ndarray(np.tile(wave, (2, 1)), format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = 0
        for packet in stream.encode(frame):
            output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)


def _tag_mp3(path: Path) -> None:
    from mutagen.id3 import APIC, ID3, TALB, TBPM, TCON, TDRC, TIT2, TKEY, TPE1

    tags = ID3()
    tags.add(TIT2(encoding=3, text="Tagged Title"))
    tags.add(TPE1(encoding=3, text="Tagged Artist"))
    tags.add(TALB(encoding=3, text="Tagged Album"))
    tags.add(TCON(encoding=3, text="Electronic"))
    tags.add(TDRC(encoding=3, text="2021"))
    tags.add(TBPM(encoding=3, text="128"))
    tags.add(TKEY(encoding=3, text="Am"))
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=PNG_COVER))
    tags.save(str(path))


def _tag_flac(path: Path) -> None:
    from mutagen.flac import FLAC, Picture

    audio = FLAC(str(path))
    audio["title"] = "Flac Title"
    audio["artist"] = "Flac Artist"
    audio["date"] = "1999-05-01"
    audio["initialkey"] = "C#m"
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/png", PNG_COVER
    audio.add_picture(picture)
    audio.save()


@dataclass(frozen=True)
class AudioSamples:
    directory: Path

    def path(self, kind: str) -> Path:
        return (
            self.directory / _AUDIO_SPECS[kind][0]
            if kind in _AUDIO_SPECS
            else self.directory / kind
        )

    def read(self, kind: str) -> bytes:
        return self.path(kind).read_bytes()


def write_samples(directory: Path) -> AudioSamples:
    """One tone per format in ``directory``, tagged copies and a second take; their index."""
    for name, container, codec, rate, options in _AUDIO_SPECS.values():
        make_tone(directory / name, container, codec, rate, options)
    # The same tones with tags and cover art, and a second, different take for versions.
    for kind, tagger in (("mp3", _tag_mp3), ("flac", _tag_flac)):
        tagged = directory / f"tagged.{kind}"
        tagged.write_bytes((directory / _AUDIO_SPECS[kind][0]).read_bytes())
        tagger(tagged)
    name, container, codec, rate, options = _AUDIO_SPECS["mp3"]
    make_tone(directory / "take2.mp3", container, codec, rate, options, seconds=2.0, frequency=880)
    return AudioSamples(directory)
