"""Playlists: collaborative, shareable, importable lists of tracks (see docs/ARCHITECTURE.md,
"Adding a domain", for the shape it follows)."""
