"""Playback: stream and download with Range and validators, the waveform, HLS files, and the
fast lane that answers anonymous Range requests of public tracks before any other layer.
The one domain whose rules build HTTP responses: ``service.py`` decides who may have the bytes
(``tracks.access``, the share-link rule of ``tracks.sharing``), ``delivery.py`` answers with a
stored file whatever the storage, ``http.py`` holds Range/ETag parsing and the body loop,
``cache.py`` the per-process cache the fast lane reads, ``hls.py`` the HLS files."""
