"""HLS from every common sample rate and from odd lengths, through the real processing job:
each track ends completed, and its HLS is playable (the master playlist's variants and every
segment they name are served)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from tests.helpers import Uploader

RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000]
PRIME_SAMPLES = 7919
# Seconds, or a sample count (8 kHz and 11.025 kHz at 2.3 s failed at the HLS encoder's flush
# when frames reached it without timestamps).
LENGTHS: list[float | int] = [1.0007, 2.3, PRIME_SAMPLES]


def wav_tone(rate: int, length: float | int) -> bytes:
    """A stereo 16-bit WAV of a 440 Hz tone: ``length`` seconds, or samples when an int."""
    samples = length if isinstance(length, int) else round(rate * length)
    wave_data = 0.5 * np.sin(2 * np.pi * 440.0 * np.arange(samples) / rate)
    pcm = (np.repeat(wave_data, 2) * 32767).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as output:
        output.setnchannels(2)
        output.setsampwidth(2)
        output.setframerate(rate)
        output.writeframes(pcm)
    return buffer.getvalue()


def _uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize(
    "length", LENGTHS, ids=lambda n: f"{n}{'smp' if isinstance(n, int) else 's'}"
)
@pytest.mark.parametrize("rate", RATES)
async def test_hls_is_made_and_playable_at_any_rate_and_length(
    owner: Uploader, rate: int, length: float | int
) -> None:
    track = await owner.upload_track(wav_tone(rate, length), filename="tone.wav")
    status = await owner.client.get(f"/api/v1/tracks/{track['id']}/status", headers=owner.headers)
    data = status.json()["data"]
    assert (data["status"], data["stream_status"]) == ("completed", "ready"), data
    base = f"/hls/{track['id']}"
    master = await owner.client.get(f"{base}/master.m3u8")
    assert master.status_code == 200
    variants = _uris(master.text)
    assert variants == ["64k/playlist.m3u8", "160k/playlist.m3u8"]
    seconds = length / rate if isinstance(length, int) else length
    stored = await owner.app.state.storage.list_keys(f"hls/{track['id']}")
    for variant in variants:
        playlist = await owner.client.get(f"{base}/{variant}")
        assert playlist.status_code == 200
        assert "#EXT-X-ENDLIST" in playlist.text
        listed = sum(
            float(line.split(":", 1)[1].rstrip(","))
            for line in playlist.text.splitlines()
            if line.startswith("#EXTINF:")
        )
        assert listed == pytest.approx(seconds, abs=0.1)  # the whole audio, encoder delay aside
        segments = _uris(playlist.text)
        folder = variant.split("/")[0]
        # Every segment named exists (one is fetched: the others are served the same way).
        assert segments
        assert all(any(key.endswith(f"/{folder}/{name}") for key in stored) for name in segments)
        served = await owner.client.get(f"{base}/{folder}/{segments[-1]}")
        assert served.status_code == 200
        assert served.content[:1] == b"\x47"  # MPEG-TS sync byte
