"""Threaded, timestamped comments on tracks. A track's comments are read by whoever the track
is listed for (``tracks.access.listed_track``); ``repository.py`` decides which comments a
viewer is shown (deleted placeholders, blocked authors); ``service.py`` holds who may post,
edit and delete, and who is notified; ``subscribers.py`` erases a deleted account's comments."""
