"""The home dashboard (GET /api/v1/dashboard): a read-only composition of other domains' rows
with no tables of its own. ``service`` holds the definitions of the stats and composes the
answer; ``repository`` the bounded set of queries (visibility through the catalog's
``listed_for`` and the users' block rules)."""
