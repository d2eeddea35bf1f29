# ruff: noqa: S608  (a benchmark baseline: the SQL is built from constants)
"""The baseline of bench_api.py: a bare Starlette app running the best SQL for each answer
through the same driver (SQLAlchemy's async engine over aiosqlite, with veza's one-round-trip
adapter, or asyncpg, raw SQL text),
encoding rows with orjson. No validation, no middleware, no ORM: what the data costs.

GET /tracks?limit=20 reads the first page through ix_tracks_status_created_at_id (keyset
order), with the total counted once per 10 s (as tracks/counts.py does); signed in, it checks
the token (PyJWT, the same key), reads the user and the login session in one statement, reads
the page from the viewer's own tracks and the public ones (each first page through its index),
and corrects the shared total for the viewer.
GET /tracks/{id} and GET /users/{id}: one statement each, the visibility conditions inline.
GET /playlists/{id} (signed in: the route requires a caller): the token as above, the playlist
with the caller's collaborator permission in one statement, the entries joined with their
tracks (the catalog's visibility and the blocks inline) in position order, the collaborators.
GET /search: the statements the search engine runs for the same query, captured once from the
app by bench_api.py (BENCH_SEARCH_SQL, a pickle: path and query string -> statements) and
replayed through the same driver; every row encoded. The search SQL is the search domain's
own design (bench_search.py measures it against the same replay), so this baseline is what the
data costs through that SQL, less the framework.

    BENCH_DATABASE_URL=... BENCH_JWT_SECRET=... uvicorn api_baseline:app --app-dir bench
"""

from __future__ import annotations

import os
import pickle
import time
import uuid
from typing import Any

import jwt
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

URL = os.environ["BENCH_DATABASE_URL"]
SECRET = os.environ["BENCH_JWT_SECRET"]
# The same DBAPI adapter as veza's engine on SQLite (kit/sqlite_driver.py: one round trip to
# aiosqlite's thread a statement), so the ratio measures the framework, not the adapter;
# BENCH_BASELINE_ADAPTER=stock runs SQLAlchemy's own, as the rounds before that adapter did.
if URL.startswith("sqlite") and os.environ.get("BENCH_BASELINE_ADAPTER") != "stock":
    from veza.kit.sqlite_driver import one_hop_dbapi

    engine = create_async_engine(URL, pool_size=10, module=one_hop_dbapi())
else:
    engine = create_async_engine(URL, pool_size=10)
IS_PG = URL.startswith("postgresql")
TRUE = "true" if IS_PG else "1"

COLUMNS = (
    "id, creator_id, title, artist, album, genre, genres, tags, year, bpm, musical_key, is_public,"
    " duration, format, file_size, status, stream_status, cover_art_path, waveform_path,"
    " play_count, like_count, download_count, created_at, updated_at"
)
READABLE = (
    "EXISTS (SELECT 1 FROM users u WHERE u.id = tracks.creator_id AND u.deleted_at IS NULL"
    f" AND u.is_active = {TRUE} AND u.is_banned = {'false' if IS_PG else '0'})"
)
PUBLIC = f"tracks.is_public = {TRUE} AND tracks.status = 'completed' AND {READABLE}"
HIDDEN = (
    "SELECT blocked_id FROM blocks WHERE blocker_id = :viewer"
    " UNION SELECT blocker_id FROM blocks WHERE blocked_id = :viewer"
)
_count: dict[str, tuple[float, int]] = {}
_search_sql: dict[str, list[tuple[str, Any]]] = (
    pickle.loads(open(os.environ["BENCH_SEARCH_SQL"], "rb").read())  # noqa: S301, SIM115 (ours)
    if os.environ.get("BENCH_SEARCH_SQL")
    else {}
)


def _param(value: uuid.UUID) -> Any:
    return value if IS_PG else value.hex


def _json(row: Any) -> dict[str, Any]:
    item = dict(row._mapping)
    for name in ("id", "creator_id"):
        item[name] = str(uuid.UUID(str(item[name])))
    return item


def _reply(payload: Any) -> Response:
    body = orjson.dumps({"success": True, "data": payload}, default=str)
    return Response(body, media_type="application/json")


async def _viewer(request: Request, connection: Any) -> uuid.UUID | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return None
    claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"], options={"verify_aud": False})
    user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    row = (
        await connection.execute(
            text(
                "SELECT u.token_version, s.expires_at FROM users u JOIN auth_sessions s"
                " ON s.user_id = u.id WHERE u.id = :user AND s.id = :session"
                " AND s.revoked_at IS NULL AND u.deleted_at IS NULL"
            ),
            {"user": _param(user_id), "session": _param(session_id)},
        )
    ).first()
    if row is None:
        raise PermissionError
    return user_id


async def tracks(request: Request) -> Response:
    limit = int(request.query_params.get("limit", "20"))
    async with engine.connect() as connection:
        viewer = await _viewer(request, connection)
        params: dict[str, Any] = {"limit": limit + 1}
        order = " ORDER BY created_at DESC, id DESC LIMIT :limit"
        statement = f"SELECT {COLUMNS} FROM tracks WHERE tracks.deleted_at IS NULL AND {PUBLIC}"
        if viewer is not None:
            # The viewer's own tracks and the public ones, each first page through its index.
            params["viewer"] = _param(viewer)
            visible = f"tracks.deleted_at IS NULL AND tracks.creator_id NOT IN ({HIDDEN})"
            halves = " UNION ALL ".join(
                f"SELECT id FROM (SELECT id FROM tracks WHERE {visible} AND {half}{order}) AS h{n}"
                for n, half in enumerate(("tracks.creator_id = :viewer", PUBLIC))
            )
            statement = f"SELECT {COLUMNS} FROM tracks WHERE id IN ({halves})"
        rows = (await connection.execute(text(statement + order), params)).all()
        cached = _count.get("public")
        if cached is None or cached[0] < time.monotonic():
            total = await connection.scalar(
                text(f"SELECT count(*) FROM tracks WHERE tracks.deleted_at IS NULL AND {PUBLIC}")
            )
            cached = (time.monotonic() + 10, int(total or 0))
            _count["public"] = cached
        total = cached[1]
        if viewer is not None:
            correction = (
                await connection.execute(
                    text(
                        "SELECT (SELECT count(*) FROM tracks WHERE creator_id = :viewer AND"
                        f" deleted_at IS NULL AND NOT ({PUBLIC})), (SELECT count(*) FROM ({HIDDEN})"
                        f" AS h JOIN tracks ON tracks.creator_id = h.blocked_id WHERE {PUBLIC})"
                    ),
                    {"viewer": params["viewer"]},
                )
            ).one()
            total += int(correction[0]) - int(correction[1])
    page = [_json(row) for row in rows[:limit]]
    pagination = {"page": 1, "limit": limit, "total": total, "has_next": len(rows) > limit}
    return _reply({"tracks": page, "pagination": pagination})


async def track(request: Request) -> Response:
    track_id = uuid.UUID(request.path_params["id"])
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    f"SELECT {COLUMNS} FROM tracks WHERE id = :id AND deleted_at IS NULL"
                    f" AND {PUBLIC}"
                ),
                {"id": _param(track_id)},
            )
        ).first()
    if row is None:
        return Response(status_code=404)
    return _reply(_json(row))


async def user(request: Request) -> Response:
    user_id = uuid.UUID(request.path_params["id"])
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT id, username, slug, first_name, last_name, avatar, bio, location,"
                    " role, is_verified, is_public, created_at, (SELECT count(*) FROM follows"
                    " WHERE followed_id = users.id) AS followers, (SELECT count(*) FROM follows"
                    " WHERE follower_id = users.id) AS following FROM users WHERE id = :id"
                    f" AND deleted_at IS NULL AND is_active = {TRUE}"
                ),
                {"id": _param(user_id)},
            )
        ).first()
    if row is None:
        return Response(status_code=404)
    item = dict(row._mapping)
    item["id"] = str(uuid.UUID(str(item["id"])))
    return _reply(item)


SHOWN_TRACK = f"{PUBLIC} AND tracks.deleted_at IS NULL AND tracks.creator_id NOT IN ({HIDDEN})"


async def playlist(request: Request) -> Response:
    playlist_id = _param(uuid.UUID(request.path_params["id"]))
    async with engine.connect() as connection:
        viewer = await _viewer(request, connection)
        if viewer is None:
            return Response(status_code=401)
        me = _param(viewer)
        head = (
            await connection.execute(
                text(
                    "SELECT p.id, p.user_id, p.title, p.description, p.is_public,"
                    " p.is_default_favorites, p.is_editorial, p.follower_count, p.version,"
                    " p.created_at, p.updated_at, (SELECT c.permission FROM"
                    " playlist_collaborators c WHERE c.playlist_id = p.id AND c.user_id = :me)"
                    " AS permission FROM playlists p WHERE p.id = :id AND (p.user_id = :me OR"
                    f" (p.is_public = {TRUE} AND EXISTS (SELECT 1 FROM users u WHERE"
                    " u.id = p.user_id AND u.deleted_at IS NULL AND"
                    f" u.is_active = {TRUE} AND u.is_banned = {'false' if IS_PG else '0'})"
                    f" AND p.user_id NOT IN ({HIDDEN.replace(':viewer', ':me')})))"
                ),
                {"id": playlist_id, "me": me},
            )
        ).first()
        if head is None:
            return Response(status_code=404)
        entries = (
            await connection.execute(
                text(
                    "SELECT e.id AS entry_id, e.added_by, e.added_at, tracks.* FROM"
                    " playlist_tracks e JOIN tracks ON tracks.id = e.track_id"
                    f" WHERE e.playlist_id = :id AND {SHOWN_TRACK} ORDER BY e.position"
                ),
                {"id": playlist_id, "viewer": me},
            )
        ).all()
        collaborators = (
            await connection.execute(
                text(
                    "SELECT c.user_id, c.permission, u.username, u.avatar FROM"
                    " playlist_collaborators c JOIN users u ON u.id = c.user_id"
                    " WHERE c.playlist_id = :id AND u.deleted_at IS NULL"
                    f" AND c.user_id NOT IN ({HIDDEN})"
                    " ORDER BY c.created_at, c.id"
                ),
                {"id": playlist_id, "viewer": me},
            )
        ).all()
    item = dict(head._mapping)
    for name in ("id", "user_id"):
        item[name] = str(uuid.UUID(str(item[name])))
    item["tracks"] = [_entry(row) for row in entries]
    item["collaborators"] = [dict(row._mapping) for row in collaborators]
    item["track_count"] = len(entries)
    return _reply({"playlist": item})


def _entry(row: Any) -> dict[str, Any]:
    item = _json(row)
    item["entry_id"] = str(uuid.UUID(str(item["entry_id"])))
    return item


async def search(request: Request) -> Response:
    key = request.url.path + "?" + request.url.query
    statements = _search_sql[key]
    found: list[Any] = []
    async with engine.connect() as connection:
        for statement, parameters in statements:
            result = await connection.exec_driver_sql(statement, parameters)
            if result.returns_rows:
                found.append([list(row) for row in result])
    return _reply({"results": found})


app = Starlette(
    routes=[
        Route("/api/v1/tracks", tracks),
        Route("/api/v1/tracks/{id}", track),
        Route("/api/v1/users/{id}", user),
        Route("/api/v1/playlists/{id}", playlist),
        Route("/api/v1/search", search),
    ]
)
