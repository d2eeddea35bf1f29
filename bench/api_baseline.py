# ruff: noqa: S608  (a benchmark baseline: the SQL is built from constants)
"""The baseline of bench_api.py: a bare Starlette app running the best SQL for each answer
through the same driver (SQLAlchemy's async engine over aiosqlite or asyncpg, raw SQL text),
encoding rows with orjson. No validation, no middleware, no ORM: what the data costs.

GET /tracks?limit=20 reads the first page through ix_tracks_status_created_at_id (keyset
order), with the total counted once per 10 s (as tracks/counts.py does); signed in, it checks
the token (PyJWT, the same key), reads the user and the login session in one statement, reads
the page from the viewer's own tracks and the public ones (each first page through its index),
and corrects the shared total for the viewer.
GET /tracks/{id} and GET /users/{id}: one statement each, the visibility conditions inline.

    BENCH_DATABASE_URL=... BENCH_JWT_SECRET=... uvicorn api_baseline:app --app-dir bench
"""

from __future__ import annotations

import os
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


app = Starlette(
    routes=[
        Route("/api/v1/tracks", tracks),
        Route("/api/v1/tracks/{id}", track),
        Route("/api/v1/users/{id}", user),
    ]
)
