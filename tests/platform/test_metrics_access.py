"""/metrics: loopback clients only by default; with VEZA_SERVER__METRICS_TOKEN, the Bearer token
from every client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from veza.app import create_app
from veza.config import Settings

REMOTE = ("203.0.113.7", 40000)
LOOPBACK_V6 = ("::1", 40000)


@asynccontextmanager
async def client_from(app: FastAPI, address: tuple[str, int]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=address)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@asynccontextmanager
async def app_with_metrics_token(settings: Settings, token: str) -> AsyncIterator[FastAPI]:
    server = settings.server.model_copy(update={"metrics_token": SecretStr(token)})
    app = create_app(settings.model_copy(update={"server": server}))
    yield app
    await app.state.db.dispose()


async def test_metrics_answer_loopback_clients_by_default(app: FastAPI) -> None:
    for address in (("127.0.0.1", 40000), LOOPBACK_V6):
        async with client_from(app, address) as client:
            response = await client.get("/metrics")
        assert response.status_code == 200, address
        assert "veza_http_requests_total" in response.text


async def test_metrics_refuse_other_clients_by_default(app: FastAPI) -> None:
    async with client_from(app, REMOTE) as client:
        response = await client.get("/metrics")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    assert "veza_http_requests_total" not in response.text


async def test_metrics_with_a_token_ask_every_client_for_it(settings: Settings) -> None:
    async with app_with_metrics_token(settings, "scrape-me-please") as app:
        for address in (REMOTE, ("127.0.0.1", 40000)):
            async with client_from(app, address) as client:
                missing = await client.get("/metrics")
                wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
                right = await client.get(
                    "/metrics", headers={"Authorization": "Bearer scrape-me-please"}
                )
            assert missing.status_code == 401 and wrong.status_code == 401
            assert missing.headers["www-authenticate"] == "Bearer"
            assert missing.json()["error"]["code"] == "UNAUTHORIZED"
            assert right.status_code == 200
            assert "veza_http_requests_total" in right.text
