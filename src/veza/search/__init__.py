"""Search and discovery across tracks, users and playlists: GET /search, /search/suggestions,
/tracks/search (mounted before the catalog's /tracks/{id}) and /playlists/search.

``service.py`` has the rules of each operation; ``repository.py`` the queries, always built on
the base tables' readable-by rules; ``engine.py`` the full-text engine of each database (FTS5 or
tsvector) and its vocabulary; ``text.py`` query parsing, folding and the typo rule;
``indexing.py`` the rebuild behind ``veza search reindex``. The indexes themselves are side
tables kept by triggers (migration 0012)."""
