"""The processing job's PyAV work (probe, decode, waveform, HLS encoding) in a child interpreter:
``python -m veza.media.isolated``, the same interpreter and environment, one per job.

PyAV and numpy with their decoding buffers add about 40 MiB to a process that has processed
one upload, and the allocator does not give that back; in a child that ends with the job, the
job runner (``veza worker``, or ``veza serve`` with jobs in-process) stays at the size it
started with. ``probe`` and ``analyse`` here have the signatures and errors of their
namesakes in ``audio.py`` (UnsupportedAudio with the same message, progress passed to
``on_progress`` as it comes); any other failure of the child is raised as ``ChildFailed``
naming the child's exception (or signal). Given a ``Child`` (``with Child() as child``), the
calls share it: the job starts it first, so its imports (a few hundred milliseconds) overlap
the checksum and the tags; without one, a call starts a child of its own.

Each request goes to the child's stdin as one JSON line; the child answers on its stdout, one
JSON object a line (``progress``, then ``result``, ``unsupported`` or ``failed``), and ends at
the end of its stdin. Its stderr is the parent's, so a warning it prints lands in the same log.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from veza.media import audio
from veza.media.audio import Analysis, AudioInfo, HlsRendition, UnsupportedAudio

CHILD_COMMAND = [sys.executable, "-m", "veza.media.isolated"]  # read at each start
# How long a child that was told to end may take before it is killed.
END_TIMEOUT_SECONDS = 10.0


class ChildFailed(RuntimeError):
    """The child raised something other than UnsupportedAudio, or died; ``kind`` names it."""

    def __init__(self, kind: str, details: str = "") -> None:
        super().__init__(f"{kind}: {details}" if details else kind)
        self.kind = kind


class Child:
    """One child interpreter for a job's calls; it ends when the ``with`` block does."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603  (this interpreter, our own module)
            CHILD_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def __enter__(self) -> Child:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def kill(self) -> None:
        """End the child now, whatever it is doing (the job failed or was cancelled)."""
        if self._process.poll() is None:
            self._process.kill()

    def close(self) -> None:
        process = self._process
        try:
            if process.stdin is not None and not process.stdin.closed:
                process.stdin.close()  # the child's end of input: it exits
            process.wait(timeout=END_TIMEOUT_SECONDS)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()

    def call(
        self, request: dict[str, Any], on_progress: Callable[[float], None] | None = None
    ) -> Any:
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()
        except OSError:
            pass  # the child is gone: reported below, by how it ended
        answer = _read_answer(process.stdout, on_progress)
        if answer is None:
            raise ChildFailed(_death(process.wait()))
        if "unsupported" in answer:
            raise UnsupportedAudio(answer["unsupported"])
        if "failed" in answer:
            raise ChildFailed(answer["failed"], answer.get("traceback", ""))
        return answer["result"]


def probe(path: Path, sniffed: str, *, child: Child | None = None) -> AudioInfo:
    """``audio.probe`` in a child."""
    request = {"op": "probe", "path": str(path), "format": sniffed}
    return AudioInfo(**_call(child, request))


def analyse(
    path: Path,
    info: AudioInfo,
    *,
    hls: list[HlsRendition] | None = None,
    segment_seconds: int = 6,
    on_progress: Callable[[float], None] | None = None,
    max_seconds: float | None = None,
    child: Child | None = None,
) -> Analysis:
    """``audio.analyse`` in a child: the renditions' files are written where ``hls`` says."""
    renditions = list(hls or [])
    request = {
        "op": "analyse",
        "path": str(path),
        "info": asdict(info),
        "hls": [[rendition.bitrate_kbps, str(rendition.directory)] for rendition in renditions],
        "segment_seconds": segment_seconds,
        "max_seconds": max_seconds,
    }
    result = _call(child, request, on_progress)
    return Analysis(result["waveform"], renditions)


def _call(
    child: Child | None,
    request: dict[str, Any],
    on_progress: Callable[[float], None] | None = None,
) -> Any:
    if child is not None:
        return child.call(request, on_progress)
    with Child() as own:
        return own.call(request, on_progress)


def _read_answer(
    lines: IO[bytes], on_progress: Callable[[float], None] | None
) -> dict[str, Any] | None:
    for line in lines:
        message = json.loads(line)
        if "progress" in message:
            if on_progress is not None:
                on_progress(float(message["progress"]))
            continue
        return dict(message)
    return None  # the child ended without answering


def _death(returncode: int) -> str:
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name  # e.g. SIGKILL (out of memory), SIGSEGV
        except ValueError:
            pass
    return f"ChildExited{returncode}"


# The child ---------------------------------------------------------------------------------


def _serve(request: dict[str, Any], send: Callable[[dict[str, Any]], None]) -> None:
    path = Path(request["path"])
    if request["op"] == "probe":
        send({"result": asdict(audio.probe(path, request["format"]))})
        return
    analysis = audio.analyse(
        path,
        AudioInfo(**request["info"]),
        hls=[HlsRendition(kbps, Path(directory)) for kbps, directory in request["hls"]],
        segment_seconds=request["segment_seconds"],
        on_progress=lambda fraction: send({"progress": fraction}),
        max_seconds=request["max_seconds"],
    )
    send({"result": {"waveform": analysis.waveform}})


def _main() -> int:
    # The answers get stdout's descriptor of their own; anything else written to stdout (a
    # library's print) goes to stderr instead of into the answers.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    import av  # noqa: F401  # imported now, while the job's parent hashes and reads tags
    import numpy  # noqa: F401

    def send(message: dict[str, Any]) -> None:
        channel.write(json.dumps(message, separators=(",", ":")) + "\n")
        channel.flush()

    for line in sys.stdin.buffer:
        try:
            _serve(json.loads(line), send)
        except UnsupportedAudio as exc:
            send({"unsupported": str(exc)})
        except Exception as exc:
            send({"failed": type(exc).__name__, "traceback": traceback.format_exc()})
    return 0


if __name__ == "__main__":
    sys.exit(_main())
