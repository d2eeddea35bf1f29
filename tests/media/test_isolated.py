"""PyAV's work of a processing job in a child interpreter: the same results and errors as in
the process, progress passed on, a dead child reported, and the caller left without PyAV."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.audio import AudioSamples
from tests.helpers import Uploader
from veza.media import audio as in_process
from veza.media import isolated
from veza.media.audio import HlsRendition, UnsupportedAudio

_SUICIDE = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]


def test_probe_in_a_child_is_the_probe(audio: AudioSamples) -> None:
    for kind in ("mp3", "flac", "wav"):
        path = audio.path(kind)
        assert isolated.probe(path, kind) == in_process.probe(path, kind)


def test_analysis_in_a_child_is_the_analysis_with_its_progress(
    audio: AudioSamples, tmp_path: Path
) -> None:
    path = audio.path("mp3")
    info = in_process.probe(path, "mp3")
    progress: list[float] = []
    here = in_process.analyse(path, info, hls=[HlsRendition(96, tmp_path / "here")])
    there = isolated.analyse(
        path,
        info,
        hls=[HlsRendition(96, tmp_path / "there" / "96k")],
        on_progress=progress.append,
    )
    assert there.waveform == here.waveform and there.waveform["length"] > 0
    assert progress and progress == sorted(progress) and progress[-1] <= 1.0
    written = sorted(p.name for p in (tmp_path / "there" / "96k").iterdir())
    assert "playlist.m3u8" in written and any(name.endswith(".ts") for name in written)


def test_a_job_child_serves_the_probe_then_the_analysis(audio: AudioSamples) -> None:
    path = audio.path("flac")
    with isolated.Child() as child:
        info = isolated.probe(path, "flac", child=child)
        with pytest.raises(UnsupportedAudio):  # a refusal leaves the child serving
            isolated.analyse(audio.path("take2.mp3"), info, max_seconds=0, child=child)
        analysis = isolated.analyse(path, info, child=child)
    assert analysis.waveform == in_process.analyse(path, in_process.probe(path, "flac")).waveform


def test_unsupported_audio_is_the_same_refusal(audio: AudioSamples) -> None:
    path = audio.path("take2.mp3")  # two seconds: past a limit of none (plus one of leeway)
    info = in_process.probe(path, "mp3")
    with pytest.raises(UnsupportedAudio) as here:
        in_process.analyse(path, info, max_seconds=0)
    with pytest.raises(UnsupportedAudio) as there:
        isolated.analyse(path, info, max_seconds=0)
    assert str(there.value) == str(here.value)
    with pytest.raises(UnsupportedAudio):
        isolated.probe(audio.path("wav"), "flac")


def test_a_failure_in_the_child_names_its_exception(tmp_path: Path) -> None:
    info = in_process.AudioInfo("wav", "audio/wav", "pcm_s16le", 1.0, 1411, 44100, 2)
    with pytest.raises(isolated.ChildFailed) as failed:
        # A missing file: PyAV's FileNotFoundError, not an unsupported audio.
        isolated.analyse(tmp_path / "gone.wav", info)
    assert failed.value.kind == "FileNotFoundError"


def test_a_dead_child_is_reported_by_its_signal(
    audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(isolated, "CHILD_COMMAND", _SUICIDE)
    with pytest.raises(isolated.ChildFailed) as failed:
        isolated.probe(audio.path("mp3"), "mp3")
    assert failed.value.kind == "SIGKILL"


async def test_a_job_whose_child_dies_ends_failed_with_the_signal(
    owner: Uploader, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(isolated, "CHILD_COMMAND", _SUICIDE)
    track = await owner.upload_track(audio.read("mp3"))
    status = (
        await owner.client.get(f"/api/v1/tracks/{track['id']}/status", headers=owner.headers)
    ).json()["data"]
    assert status["status"] == "failed"
    assert status["status_message"] == "Processing failed: SIGKILL"


def test_the_caller_never_loads_pyav_or_numpy(audio: AudioSamples, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from veza.media import isolated;"
        f"path = Path({str(audio.path('flac'))!r});"
        "info = isolated.probe(path, 'flac');"
        f"isolated.analyse(path, info, hls=[isolated.HlsRendition(64, Path({str(tmp_path)!r}))]);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('av', 'numpy')))"
    )
    result: Any = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
