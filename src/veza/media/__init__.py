"""Processing of a track's audio: probe, tags, waveform peaks and HLS renditions
(``pipeline.py`` over ``audio.py`` and ``tags.py``, run by the job of ``tasks.py``), its
status, and the stream server's callback. Processing is queued by job name after the commit
when a track's audio changes (``subscribers.py`` on TRACK_AUDIO_CHANGED), so no other domain
imports the job."""
