"""The home dashboard (GET /api/v1/dashboard): a read-only composition of other domains'
counts and recent items, with no tables of its own."""
