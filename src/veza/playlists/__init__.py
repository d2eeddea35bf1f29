"""Playlists: collaborative, shareable, importable lists of tracks.

``repository.py`` holds the one readable-by rule and the queries of playlists, collaborators and
share links; ``entry_queries.py`` those of the entries as each viewer is shown them;
``access.py`` the guards that turn the rule into 404 or 403 per permission; ``service.py`` the
playlists themselves (list, create, read, update, delete, favourites, recommendations,
analytics); ``items.py`` the entries (add, remove, reorder behind the playlist row's lock and
its If-Match version); ``collaborators.py``, ``sharing.py`` (read-only links, hashed tokens),
``copies.py`` (duplicate, import of the contract's JSON or JSPF) and ``formats.py`` (JSPF,
M3U8, XSPF exports); ``presenters.py`` builds the responses (the long playlist page in one
pass); ``changes.py`` writes the audit row and publishes PLAYLIST_UPDATED for every change.
"""
