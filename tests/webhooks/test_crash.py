"""A crash loses no delivery: a real `veza serve` is killed with SIGKILL right after the change
committed, while its delivery is on the wire and unanswered; the outbox row is still there,
and the restarted server sends it (same webhook-id) once the dead sender's claim runs out."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

import veza
from tests.conftest import TEST_JWT_SECRET, make_settings
from tests.factories import member
from tests.processes import free_port
from tests.webhooks.support import Reply, listening
from veza.app import create_app
from veza.kit.migrations import upgrade_to_head
from veza.models import WebhookDelivery

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(veza.__file__).resolve().parents[1]),
        "VEZA_ENV": "test",
        "VEZA_DATA_DIR": str(tmp_path),
        "VEZA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'veza.db'}",
        "VEZA_REDIS_URL": "",
        "VEZA_AUTH__JWT_SECRET": TEST_JWT_SECRET,
        "VEZA_SERVER__PORT": str(port),
        "VEZA_LOG__LEVEL": "WARNING",
        "VEZA_WEBHOOKS__ALLOW_LOOPBACK": "true",
        # Long enough that the send is still unanswered when the kill lands on a loaded
        # machine (the attempt would otherwise time out and be recorded first), short enough
        # that the dead sender's claim (timeout + margin) runs out within the wait below.
        "VEZA_WEBHOOKS__TIMEOUT_SECONDS": "4",
        "VEZA_WEBHOOKS__RETRY_SWEEP_SECONDS": "1",
    }
    yield env


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from veza.cli import app; app()", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _until_up(base: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                if (await http.get(f"{base}/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("veza serve did not start")


async def test_a_delivery_cut_by_kill_9_is_sent_after_the_restart(
    tmp_path: Path, server_env: dict[str, str]
) -> None:
    settings = make_settings(tmp_path, server_env["VEZA_DATABASE_URL"])
    await asyncio.to_thread(upgrade_to_head, settings)
    rows = create_app(settings)  # the same database file, for rows and reading back
    alice, bob = await member(rows), await member(rows)
    base = f"http://127.0.0.1:{server_env['VEZA_SERVER__PORT']}"
    api = f"{base}/api/v1"
    async with listening() as listener:
        listener.replies.append(Reply(delay=30))  # the first send never gets its answer
        server = _start(server_env)
        try:
            await _until_up(base)
            async with httpx.AsyncClient() as http:
                created = await http.post(
                    f"{api}/webhooks",
                    headers=alice.headers,
                    json={"url": listener.url, "events": ["user.followed"]},
                )
                assert created.status_code == 201, created.text
                followed = await http.post(f"{api}/users/{alice.id}/follow", headers=bob.headers)
                assert followed.status_code in (200, 201), followed.text
            await asyncio.wait_for(listener.arrived.wait(), 10)
            server.send_signal(signal.SIGKILL)
            server.wait(10)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(10)

        async with rows.state.db.reader() as session:
            kept = await session.scalar(select(WebhookDelivery))
        assert kept is not None and kept.status == "pending" and kept.attempts == 0
        first_id = listener.requests[0].headers["webhook-id"]
        assert first_id == kept.id

        listener.arrived.clear()
        restarted = _start(server_env)
        try:
            await _until_up(base)
            for _ in range(300):
                async with rows.state.db.reader() as session:
                    done = await session.scalar(
                        select(WebhookDelivery.status).where(WebhookDelivery.id == kept.id)
                    )
                if done == "succeeded":
                    break
                await asyncio.sleep(0.1)
            assert done == "succeeded"
        finally:
            restarted.send_signal(signal.SIGTERM)
            try:
                restarted.wait(10)
            except subprocess.TimeoutExpired:
                restarted.kill()
        assert [r.headers["webhook-id"] for r in listener.requests] == [first_id, first_id]
    await rows.state.db.dispose()
