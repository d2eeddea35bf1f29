"""A small client of Veza's live sockets: follow a listening session (or your own queue) and
keep a local copy in step, placing playback where the host's is.

    pip install websockets httpx
    python live_queue_client.py --api http://127.0.0.1:18080 --email you@example.org \\
        --password ... [--session TOKEN]

It signs in, asks for a short-lived stream token (so no long-lived token appears in a URL),
opens the socket, and prints each change. See docs/REALTIME.md for the messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from websockets.asyncio.client import connect


@dataclass
class LiveCopy:
    """What the socket has told so far: the items in order and the playback state."""

    version: int = -1
    items: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    ended: bool = False

    def apply(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "snapshot":
            self.version = message["version"]
            self.items = list(message["items"])
            self.state = message.get("session") or message.get("queue") or {}
            return
        if kind == "session_ended":
            self.ended = True
            return
        if kind in ("ping", "error"):
            return
        # Anything the snapshot already holds is skipped.
        if message.get("version", 0) <= self.version:
            return
        self.version = message["version"]
        if kind == "item_added":
            self.items.append(message["item"])
            self.items.sort(key=lambda item: item["position"])
        elif kind == "item_removed":
            self.items = [item for item in self.items if item["id"] != message["item_id"]]
        elif kind == "order":
            by_id = {item["id"]: item for item in self.items}
            self.items = [by_id[item_id] for item_id in message["item_ids"] if item_id in by_id]
        elif kind == "cleared":
            self.items = []
        elif kind == "state":
            self.state = message.get("session") or message.get("queue") or {}

    def position_ms(self, now: datetime | None = None) -> int:
        """Where playback is now: the host's offset, plus the time since its change while
        playing (compute with a clock in step with the server's, e.g. NTP)."""
        position = int(self.state.get("current_position", 0))
        if not self.state.get("is_playing"):
            return position
        changed = self.state.get("state_changed_at") or self.state.get("updated_at")
        if not changed:
            return position
        since = datetime.fromisoformat(changed.replace("Z", "+00:00"))
        elapsed = ((now or datetime.now(UTC)) - since).total_seconds() * 1000
        return position + max(0, int(elapsed))


def socket_url(api: str, session_token: str | None) -> str:
    base = api.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    if session_token:
        return f"{base}/api/v1/queue/session/{session_token}/live"
    return f"{base}/api/v1/queue/live"


async def stream_token(api: str, email: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=api.rstrip("/")) as http:
        login = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
        login.raise_for_status()
        answer = login.json()
        if answer.get("requires_2fa"):
            raise SystemExit("this account uses 2FA: sign in with the web app instead")
        access = answer["token"]["access_token"]
        issued = await http.post(
            "/api/v1/auth/stream-token", headers={"Authorization": f"Bearer {access}"}
        )
        issued.raise_for_status()
        token: str = issued.json()["token"]
        return token


async def follow(url: str, token: str, copy: LiveCopy, *, messages: int | None = None) -> LiveCopy:
    """Apply what the socket sends to ``copy`` until it closes (or ``messages`` were read)."""
    async with connect(f"{url}?token={token}") as socket:
        read = 0
        async for raw in socket:
            message = json.loads(raw)
            copy.apply(message)
            read += 1
            if messages is not None and read >= messages:
                break
    return copy


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:18080")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--session", help="a listening session's share token")
    args = parser.parse_args()
    token = await stream_token(args.api, args.email, args.password)
    copy = LiveCopy()
    url = socket_url(args.api, args.session)
    async with connect(f"{url}?token={token}") as socket:
        async for raw in socket:
            message = json.loads(raw)
            copy.apply(message)
            playing = "playing" if copy.state.get("is_playing") else "paused"
            print(
                f"{message['type']:<14} v{copy.version} items={len(copy.items)} "
                f"track={copy.state.get('current_track_id')} at={copy.position_ms()} ms {playing}"
            )


if __name__ == "__main__":
    asyncio.run(main())
