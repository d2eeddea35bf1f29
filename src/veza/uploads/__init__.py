"""Uploads: a single multipart upload streamed to disk (``receiver.py``), chunked resumable
uploads (``chunked.py``), the storage quota (``quota.py``) and new versions of a track
(``versions.py``). ``service.py`` turns any received file into a track or a version; the
track's processing follows on TRACK_AUDIO_CHANGED (media). ``tasks.py`` expires abandoned
sessions."""
