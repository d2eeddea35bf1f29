"""Likes, reposts, plays and statistics of tracks, and the users' likes and reposts tabs.
``service.py`` holds the rules (idempotent likes, play dedup over 30 s, private totals),
``repository.py`` the atomic counters and pair rows, ``tasks.py`` the play-mark sweep,
``subscribers.py`` the clean-up after an account is deleted. Tracks are reached only through
``tracks.access``."""
