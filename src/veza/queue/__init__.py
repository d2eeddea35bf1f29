"""The play queue and shared listening sessions.

``service.py`` is the personal queue (the caller's alone: GET/PUT/DELETE /queue and its items);
``sessions.py`` the listening sessions found by share token (create, read, add, remove, the
host's playback state, end), with their guards in ``access.py``; ``repository.py`` the queries
and the readable-by rules (tracks through the catalog's ``listed_tracks``); ``live.py`` the
messages a change announces after its commit; ``sockets.py`` the two WebSockets that follow a
queue or a session (docs/REALTIME.md), over the fan-out of ``kit/fanout.py``;
``subscribers.py`` what account withdrawal and deletion do here.
"""
