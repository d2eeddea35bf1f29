"""The baseline of bench_login.py: what a login must cost at least, without a database: the
argon2id verification of the same password against a hash of the same parameters (through
veza's own helper, in a thread), and a signed JWT, behind a bare Starlette route."""

from __future__ import annotations

import time
import uuid

import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from veza.kit.passwords import hash_password_sync, verify_password

PASSWORD = "correct horse battery staple"
HASH = hash_password_sync(PASSWORD)
SECRET = "baseline-" + "x" * 64


async def login(request: Request) -> Response:
    body = orjson.loads(await request.body())
    if not await verify_password(HASH, body["password"]):
        return Response(status_code=401)
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "iat": now, "exp": now + 900, "jti": uuid.uuid4().hex}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    return Response(orjson.dumps({"success": True, "data": {"token": token}}))


async def health(_: Request) -> Response:
    return Response(b'{"status":"ok"}')


app = Starlette(
    routes=[Route("/api/v1/auth/login", login, methods=["POST"]), Route("/health", health)]
)
