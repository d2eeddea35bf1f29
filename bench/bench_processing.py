# ruff: noqa: E501
"""Processing time against a plain PyAV decode of the same file (the baseline, same run).

A 5-minute stereo MP3 is generated (music-like: moving harmonics and some noise; a pure sine is
a pathological input for FFmpeg's fast AAC coder); then, best of 3 each:
- baseline: decode every frame with PyAV, nothing else;
- probe + waveform: what processing does without HLS (probe, tags, peaks);
- probe + waveform + HLS: also both AAC renditions (64k and 160k), from the same decode;
- the same two in a child interpreter (media/isolated.py, one per job: the probe, then the
  decode), as the processing job runs them; the difference is what a job pays for the child.

    .venv/bin/python bench/bench_processing.py [--seconds 300]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from veza.media import isolated
from veza.media.audio import HlsRendition, analyse, probe
from veza.media.tags import read_tags


def make_music(path: Path, seconds: float, rate: int = 44100) -> None:
    rng = np.random.default_rng(0)
    with av.open(str(path), "w", format="mp3") as output:
        stream = output.add_stream("libmp3lame", rate=rate, layout="stereo")
        for start in range(0, int(seconds * rate), rate):
            t = (start + np.arange(rate)) / rate
            left = (
                0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t)) / 2
                + 0.1 * np.sin(2 * np.pi * 330 * t + np.sin(2 * np.pi * 3 * t))
                + 0.05 * rng.standard_normal(rate)
            )
            right = np.roll(left, 7) * 0.9
            frame = av.AudioFrame.from_ndarray(
                np.stack([left, right]).astype(np.float32), format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)


def best_of(runs: int, action: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=300.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-bench-") as tmp:
        root = Path(tmp)
        source = root / "five-minutes.mp3"
        make_music(source, args.seconds)

        def decode() -> None:
            with av.open(str(source)) as container:
                for _ in container.decode(container.streams.audio[0]):
                    pass

        def waveform() -> None:
            info = probe(source, "mp3")
            read_tags(source)
            analyse(source, info)

        def with_hls() -> None:
            shutil.rmtree(root / "hls", ignore_errors=True)
            info = probe(source, "mp3")
            read_tags(source)
            analyse(source, info, hls=renditions)

        renditions = [
            HlsRendition(64, root / "hls" / "64k"),
            HlsRendition(160, root / "hls" / "160k"),
        ]

        def waveform_in_children() -> None:
            with isolated.Child() as child:
                info = isolated.probe(source, "mp3", child=child)
                read_tags(source)
                isolated.analyse(source, info, child=child)

        def hls_in_children() -> None:
            shutil.rmtree(root / "hls", ignore_errors=True)
            with isolated.Child() as child:
                info = isolated.probe(source, "mp3", child=child)
                read_tags(source)
                isolated.analyse(source, info, hls=renditions, child=child)

        def tiny_in_children() -> None:  # what the child costs on its own
            with isolated.Child() as child:
                isolated.analyse(tiny, isolated.probe(tiny, "mp3", child=child), child=child)

        tiny = root / "tiny.mp3"
        make_music(tiny, 1.0)
        baseline = best_of(3, decode)
        peaks = best_of(3, waveform)
        hls = best_of(3, with_hls)
        peaks_isolated = best_of(3, waveform_in_children)
        hls_isolated = best_of(3, hls_in_children)
        tiny_isolated = best_of(3, tiny_in_children)
        tiny_here = best_of(3, lambda: analyse(tiny, probe(tiny, "mp3")))
    print(f"{args.seconds:.0f} s MP3, 44.1 kHz stereo, best of 3")
    print(
        f"PyAV decode only (baseline)      {baseline:6.3f} s   {args.seconds / baseline:6.0f}x realtime"
    )
    print(f"probe + tags + waveform          {peaks:6.3f} s   {peaks / baseline:6.2f}x baseline")
    print(f"... + HLS 64k and 160k (AAC)     {hls:6.3f} s   {args.seconds / hls:6.0f}x realtime")
    print(
        f"probe + tags + waveform, child {peaks_isolated:6.3f} s   +{peaks_isolated - peaks:.3f} s"
    )
    print(f"... + HLS, child                  {hls_isolated:6.3f} s   +{hls_isolated - hls:.3f} s")
    print(f"1 s MP3 probe + waveform: here {tiny_here:.3f} s, in a child {tiny_isolated:.3f} s")


if __name__ == "__main__":
    main()
