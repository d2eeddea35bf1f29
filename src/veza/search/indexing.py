"""``veza search reindex``: rebuild the search indexes from the base tables.

The triggers of migrations 0012, 0017 and 0018 keep the indexes, the names tables and
(SQLite) the words' deletion variants in step with every write; a rebuild is for an index
suspected stale (a restore made with triggers off, a manual edit) and it also prunes the
PostgreSQL vocabulary of words no row uses any more. Each kind (its index, then its names) is
rebuilt in a transaction of its own, in batches, reporting its progress.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Database
from veza.search.engine import KEYS, KINDS, is_postgres

BATCH = 5000
# SQLite's side-table fields of each kind (migration 0012).
SQLITE_FIELDS = {
    "tracks": "title, people, labels",
    "users": "handle, names",
    "playlists": "title, body",
}

# SQLite's words of 2 to 31 letters and their one-deletion variants (migration 0018), refilled
# from the rebuilt index's vocabulary: search_positions (migration 0017) numbers the letters.
_SQLITE_WORDS = (
    "INSERT INTO search_{kind}_words(word, docs) SELECT term, doc FROM search_{kind}_terms "
    "WHERE length(term) BETWEEN 2 AND 31"
)
_SQLITE_DELETIONS = (
    "INSERT INTO search_{kind}_deletions(variant, word) SELECT DISTINCT variant, word FROM ("
    "SELECT word AS variant, word FROM search_{kind}_words UNION ALL "
    "SELECT substr(word, 1, p.n - 1) || substr(word, p.n + 1), word "
    "FROM search_{kind}_words JOIN search_positions AS p ON p.n <= length(word))"
)

Progress = Callable[[str, int, int], None]  # kind, rows done, rows in all


async def _count(session: AsyncSession, kind: str) -> int:
    return int(await session.scalar(text(f"SELECT count(*) FROM search_{kind}_source")) or 0)


async def _rebuild(
    session: AsyncSession, kind: str, target: str, fields: str, label: str, report: Progress
) -> int:
    """Refill ``target`` from its ``<target>_source`` view, by batches of the kind's keys."""
    key = KEYS[kind]
    total = await _count(session, kind)
    await session.execute(text(f"DELETE FROM {target}"))
    done, last = 0, None
    report(label, 0, total)
    while True:
        after = "" if last is None else f"WHERE {key} > :last"
        keys = list(
            await session.scalars(
                text(f"SELECT {key} FROM search_{kind}_source {after} ORDER BY {key} LIMIT :n"),
                {"last": last, "n": BATCH},
            )
        )
        if not keys:
            break
        bounds = f"{key} >= :first AND {key} <= :last"
        await session.execute(
            text(
                f"INSERT INTO {target}({key}, {fields}) "
                f"SELECT {key}, {fields} FROM {target}_source WHERE {bounds}"
            ),
            {"first": keys[0], "last": keys[-1]},
        )
        done, last = done + len(keys), keys[-1]
        report(label, done, total)
    return done


async def _rebuild_kind(session: AsyncSession, kind: str, report: Progress) -> int:
    """The kind's full-text index (SQLite: with its words' deletions), then its names."""
    postgres = is_postgres(session)
    fields = "document, name_length, created_at" if postgres else SQLITE_FIELDS[kind]
    done = await _rebuild(session, kind, f"search_{kind}", fields, kind, report)
    if not postgres:
        await session.execute(
            text(f"INSERT INTO search_{kind}_fts(search_{kind}_fts) VALUES ('optimize')")
        )
        for table in ("deletions", "words"):
            await session.execute(text(f"DELETE FROM search_{kind}_{table}"))
        for statement in (_SQLITE_WORDS, _SQLITE_DELETIONS):
            await session.execute(text(statement.format(kind=kind)))
    await _rebuild(session, kind, f"search_{kind}_names", "rank, name", f"{kind} names", report)
    return done


async def reindex(database: Database, report: Progress) -> dict[str, int]:
    """Rebuild every kind's index; the number of rows indexed per kind."""
    indexed: dict[str, int] = {}
    for kind in KINDS:
        async with database.writer() as session, session.begin():
            indexed[kind] = await _rebuild_kind(session, kind, report)
    async with database.writer() as session, session.begin():
        if is_postgres(session):
            await session.execute(text("DELETE FROM search_words"))
            await session.execute(
                text(
                    "INSERT INTO search_words(word) SELECT DISTINCT unnest(tsvector_to_array("
                    "document)) FROM (SELECT document FROM search_tracks UNION ALL SELECT "
                    "document FROM search_users UNION ALL SELECT document FROM "
                    "search_playlists) AS documents ON CONFLICT DO NOTHING"
                )
            )
    return indexed
