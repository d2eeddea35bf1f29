"""The requests of bench/soak.py: the mixed workload of a listening audience, and the fuzz and
attack traffic (random paths, query strings, tokens, failed logins) whose answers are
refusals. Each action is a few requests on a keep-alive connection; ``Recorder`` keeps every
answer's latency by endpoint and sorts the answers into successes, expected refusals and
errors."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import Connection, upload_file

PASSWORD = "correct horse battery staple"  # tests/factories.py, the seeded viewer's
WORDS = ("soak", "noise", "track", "artist", "night", "blue", "zx", "a", "the", "qu")


@dataclass
class World:
    """What the workload acts on: the viewer, the catalogue, the files it streams."""

    port: int
    token: str
    viewer_id: str
    user_ids: list[str]
    catalogue: list[str]  # track ids anyone may read
    playable: list[str]  # processed uploads: their files can be streamed
    playlist_id: str
    sample: Path  # the small WAV uploads send
    uploaded: deque[str] = field(default_factory=deque)

    @property
    def bearer(self) -> str:
        return f"Authorization: Bearer {self.token}\r\n"


@dataclass
class Recorder:
    latencies: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refusals: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    error_samples: dict[tuple[str, str], str] = field(default_factory=dict)

    async def call(
        self,
        connection: Connection,
        label: str,
        method: str,
        path: str,
        *,
        body: object = None,
        headers: str = "",
        refusals: tuple[int, ...] = (),
    ) -> tuple[int, dict[str, object]]:
        """One request; returns the status and the JSON answer ({} when not JSON). 2xx are
        successes, ``refusals`` expected, anything else an error."""
        payload = b"" if body is None else json.dumps(body).encode()
        if body is not None:
            headers += "Content-Type: application/json\r\n"
        sent = time.perf_counter()
        try:
            status, answer_headers, answer = await connection.request(
                method, path, body=payload, headers=headers
            )
        except Exception as exc:  # the server closed or broke the connection
            self.error(label, type(exc).__name__, path)
            return 0, {}
        self.latencies[label].append(time.perf_counter() - sent)
        if not 200 <= status < 300:
            if status in refusals:
                self.refusals[label, status] += 1
            else:
                self.error(label, str(status), f"{path}: {answer[:200]!r}")
        if answer_headers.get("content-type", "").startswith("application/json") and answer:
            return status, json.loads(answer)
        return status, {}

    def error(self, label: str, kind: str, sample: str) -> None:
        self.errors[label, kind] += 1
        self.error_samples.setdefault((label, kind), sample)


Action = Callable[[World, Recorder, Connection, random.Random], Awaitable[None]]
API = "/api/v1"


def _data(answer: dict[str, object], key: str) -> dict[str, object]:
    data = answer.get("data")
    return data.get(key, {}) if isinstance(data, dict) else {}  # type: ignore[no-any-return]


async def browse(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    cursor = rng.choice(("", "&sort_by=play_count", "&genre=rock", "&page=2"))
    await rec.call(conn, "GET /tracks", "GET", f"{API}/tracks?limit=20{cursor}")
    track = rng.choice(world.catalogue)
    await rec.call(conn, "GET /tracks/{id}", "GET", f"{API}/tracks/{track}", headers=world.bearer)
    user = rng.choice(world.user_ids)
    await rec.call(conn, "GET /users/{id}", "GET", f"{API}/users/{user}")


async def search(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    word = rng.choice(WORDS)
    await rec.call(conn, "GET /search", "GET", f"{API}/search?q={word}&limit=10")
    prefix = word[: rng.randint(1, len(word))]
    await rec.call(conn, "GET /search/suggestions", "GET", f"{API}/search/suggestions?q={prefix}")


async def like(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    track = rng.choice(world.catalogue)
    # Two actions may like the same track at once: "already liked" is an honest refusal.
    path = f"{API}/tracks/{track}/like"
    await rec.call(
        conn, "POST /tracks/{id}/like", "POST", path, headers=world.bearer, refusals=(409,)
    )
    await rec.call(
        conn, "DELETE /tracks/{id}/like", "DELETE", path, headers=world.bearer, refusals=(404, 409)
    )


async def comment(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    track = rng.choice(world.playable)
    body = {"content": f"soak #{rng.choice(WORDS)} {uuid.uuid4().hex[:6]}"}
    path = f"{API}/tracks/{track}/comments"
    status, answer = await rec.call(
        conn, "POST /tracks/{id}/comments", "POST", path, body=body, headers=world.bearer
    )
    made = _data(answer, "comment").get("id")
    if status == 201 and made:
        label = "DELETE /tracks/{id}/comments/{cid}"
        await rec.call(conn, label, "DELETE", f"{path}/{made}", headers=world.bearer)
    await rec.call(conn, "GET /tracks/{id}/comments", "GET", f"{path}?limit=20")


async def stream(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    track = rng.choice(world.playable)
    start = rng.randrange(0, 1 << 19)
    ranged = f"Range: bytes={start}-{start + (1 << 16) - 1}\r\n"
    path = f"{API}/tracks/{track}/stream"
    await rec.call(conn, "GET /tracks/{id}/stream", "GET", path, headers=ranged)
    label = "GET /tracks/{id}/stream signed in"
    await rec.call(conn, label, "GET", path, headers=ranged + world.bearer)


async def queue(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    track = rng.choice(world.catalogue)
    body = {"track_id": track}
    status, answer = await rec.call(
        conn, "POST /queue/items", "POST", f"{API}/queue/items", body=body, headers=world.bearer
    )
    item = _data(answer, "item").get("id")
    state = {"current_position": rng.randrange(0, 100_000), "volume": rng.randrange(0, 101)}
    await rec.call(
        conn, "PUT /queue", "PUT", f"{API}/queue", body=state, headers=world.bearer, refusals=(409,)
    )
    await rec.call(conn, "GET /queue", "GET", f"{API}/queue", headers=world.bearer)
    if status == 201 and item:
        await rec.call(
            conn,
            "DELETE /queue/items/{id}",
            "DELETE",
            f"{API}/queue/items/{item}",
            headers=world.bearer,
            refusals=(404,),
        )


async def playlist(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    track = rng.choice(world.catalogue)
    path = f"{API}/playlists/{world.playlist_id}/tracks"
    # A track another action added a moment ago: "already there" (400) / "not there" (404)
    # are refusals.
    status, _ = await rec.call(
        conn,
        "POST /playlists/{id}/tracks",
        "POST",
        path,
        body={"track_id": track},
        headers=world.bearer,
        refusals=(400, 409),  # 400 TRACK_ALREADY_IN_PLAYLIST
    )
    await rec.call(
        conn,
        "GET /playlists/{id}",
        "GET",
        f"{API}/playlists/{world.playlist_id}",
        headers=world.bearer,
    )
    if status in (200, 201):
        label = "DELETE /playlists/{id}/tracks/{tid}"
        await rec.call(
            conn, label, "DELETE", f"{path}/{track}", headers=world.bearer, refusals=(404,)
        )


async def upload(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    """A small upload (processed in this process), and the oldest of the workload's uploads
    deleted once processed, so the catalogue stays the same size."""
    sent = time.perf_counter()
    status, body, _ = await upload_file(
        world.port, world.token, world.sample, f"soak-{rng.choice(WORDS)}.wav"
    )
    rec.latencies["POST /tracks (upload)"].append(time.perf_counter() - sent)
    if status != 201:
        rec.error("POST /tracks (upload)", str(status), body[:200].decode("latin-1"))
        return
    world.uploaded.append(json.loads(body)["data"]["track"]["id"])
    if len(world.uploaded) > 4:
        # Taken off the list first: two uploads finishing together must not delete it twice.
        oldest = world.uploaded.popleft()
        _, answer = await rec.call(
            conn,
            "GET /tracks/{id}/status",
            "GET",
            f"{API}/tracks/{oldest}/status",
            headers=world.bearer,
        )
        data = answer.get("data")
        if not isinstance(data, dict) or data.get("status") not in ("completed", "failed"):
            world.uploaded.appendleft(oldest)  # still processing: deleted on a later upload
        else:
            await rec.call(
                conn,
                "DELETE /tracks/{id}",
                "DELETE",
                f"{API}/tracks/{oldest}",
                headers=world.bearer,
            )


# The mixed workload: (action, weight). A weight is its share of the actions started.
MIXED: tuple[tuple[Action, float], ...] = (
    (browse, 30),
    (search, 15),
    (like, 8),
    (comment, 4),
    (stream, 25),
    (queue, 8),
    (playlist, 6),
    (upload, 1),
)


# Fuzz and attack traffic: every answer is a refusal (4xx); only a 5xx or a broken
# connection is an error. What varies is what a cache keyed by client input would keep.


def _rand(rng: random.Random, size: int = 12) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size))


async def fuzz_path(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    path = f"/api/v1/{_rand(rng)}/{_rand(rng, 20)}?{_rand(rng, 5)}={_rand(rng)}"
    await rec.call(
        conn, "fuzz: random path", rng.choice(("GET", "POST", "DELETE")), path, refusals=(404, 405)
    )
    query = f"{API}/tracks?limit=5&{_rand(rng, 6)}={_rand(rng)}&sort_by={_rand(rng, 4)}"
    await rec.call(conn, "fuzz: random query", "GET", query, refusals=(400, 422))


async def fuzz_ids(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    missing = uuid.uuid4()
    await rec.call(conn, "fuzz: unknown track", "GET", f"{API}/tracks/{missing}", refusals=(404,))
    await rec.call(
        conn,
        "fuzz: unknown stream",
        "GET",
        f"{API}/tracks/{missing}/stream",
        headers="Range: bytes=0-99\r\n",
        refusals=(404,),
    )
    await rec.call(
        conn,
        "fuzz: share token",
        "GET",
        f"{API}/tracks/shared/{_rand(rng, 32)}",
        refusals=(404, 410),
    )
    await rec.call(
        conn,
        "fuzz: queue session",
        "GET",
        f"{API}/queue/session/{_rand(rng, 32)}",
        refusals=(401, 404),
    )


async def fuzz_tokens(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    bogus = f"Authorization: Bearer {_rand(rng, 40)}\r\n"
    await rec.call(
        conn, "fuzz: random bearer", "GET", f"{API}/users/me", headers=bogus, refusals=(401,)
    )
    track = rng.choice(world.playable)
    path = f"{API}/tracks/{track}/stream?token={_rand(rng, 40)}"
    await rec.call(conn, "fuzz: random stream token", "GET", path, refusals=(401, 403))


async def fuzz_login(world: World, rec: Recorder, conn: Connection, rng: random.Random) -> None:
    """A failed login for a random address from a random client address (behind the trusted
    proxy, 127.0.0.1, as a credential-stuffing botnet would look)."""
    ip = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
    body = {"email": f"{_rand(rng, 10)}@example.com", "password": _rand(rng)}
    await rec.call(
        conn,
        "fuzz: failed login",
        "POST",
        f"{API}/auth/login",
        body=body,
        headers=f"X-Forwarded-For: {ip}\r\n",
        refusals=(401, 429),
    )


FUZZ: tuple[tuple[Action, float], ...] = (
    (fuzz_path, 4),
    (fuzz_ids, 3),
    (fuzz_tokens, 3),
    (fuzz_login, 2),
)
