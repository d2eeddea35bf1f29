"""Search and discovery across tracks, users and playlists; owns GET /tracks/search, mounted
before the catalog's /tracks/{id}."""
