"""Errors of playback: every code stream, download, waveform and HLS answer with."""

from __future__ import annotations

from veza.kit.errors import Forbidden, NotFound


class FileNotFound(NotFound):
    code = "FILE_NOT_FOUND"
    message = "File not found"


class WaveformNotReady(NotFound):
    code = "WAVEFORM_NOT_READY"
    message = "Waveform not generated yet"


class HlsDisabled(NotFound):
    code = "HLS_DISABLED"
    message = "HLS is not enabled on this server"


class LicenseRequired(Forbidden):
    code = "LICENSE_REQUIRED"
    message = "A license is required to download this track"
