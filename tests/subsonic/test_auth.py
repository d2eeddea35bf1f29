"""Subsonic authentication (token + salt against the separate Subsonic password, the plain
and hex-encoded ``p``, API keys), the XML and JSON envelopes, and the error codes."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import member
from tests.subsonic.conftest import NS, PASSWORD, Sub, with_password
from veza.kit.db import write_transaction
from veza.models import SubsonicApiKey, SubsonicCredential
from veza.subsonic import credentials


async def test_ping_with_token_and_salt_in_json_and_xml(app: FastAPI, client) -> None:
    someone = await member(app)
    await with_password(app, someone)
    sub = Sub(client, someone.user.username.upper())  # usernames in any letter case
    body = await sub.ok("ping")
    assert body["version"] == "1.16.1" and body["openSubsonic"] is True
    assert body["type"] == "veza"
    root = await sub.xml("ping.view")
    assert root.tag == f"{NS}subsonic-response" and root.attrib["status"] == "ok"
    license_ = await sub.ok("getLicense")
    assert license_["license"]["valid"] is True
    folders = await sub.ok("getMusicFolders")
    assert [f["id"] for f in folders["musicFolders"]["musicFolder"]] == [1, 2]


async def test_the_plain_password_forms_are_accepted(app: FastAPI, client) -> None:
    someone = await member(app)
    await with_password(app, someone)
    name = someone.user.username
    for given in (PASSWORD, "enc:" + PASSWORD.encode().hex()):
        response = await client.get("/rest/ping", params={"u": name, "p": given, "f": "json"})
        assert response.json()["subsonic-response"]["status"] == "ok"


async def test_wrong_credentials_are_one_error_40(app: FastAPI, client) -> None:
    someone, without = await member(app), await member(app)
    await with_password(app, someone)
    assert await Sub(client, someone.user.username, "wrong-password!").error("ping") == 40
    assert await Sub(client, without.user.username).error("ping") == 40  # no Subsonic password
    assert await Sub(client, "nobody-at-all").error("ping") == 40
    # The account password never opens Subsonic: the factories' password is not the Subsonic one.
    root = await Sub(client, someone.user.username, "wrong-password!").xml("ping")
    error = root.find(f"{NS}error")
    assert root.attrib["status"] == "failed" and error is not None
    assert error.attrib["code"] == "40"


async def test_missing_parameters_are_error_10(client: httpx.AsyncClient) -> None:
    response = await client.get("/rest/ping", params={"f": "json"})
    assert response.json()["subsonic-response"]["error"]["code"] == 10
    response = await client.get("/rest/ping", params={"f": "json", "u": "x", "t": "abc"})
    assert response.json()["subsonic-response"]["error"]["code"] == 10


async def test_api_keys_sign_in_and_conflict_with_a_username(app: FastAPI, client) -> None:
    someone = await member(app)
    async with write_transaction(app.state.db) as session:
        key = (await credentials.create_api_key(session, someone.user, "phone")).key
    async with app.state.db.reader() as session:
        stored = (await session.scalars(select(SubsonicApiKey))).one()
    assert stored.key_hash != key and key not in stored.key_hash  # a digest only

    async def ping(**params: str) -> dict:
        response = await client.get("/rest/ping", params={"f": "json", **params})
        return response.json()["subsonic-response"]

    assert (await ping(apiKey=key))["status"] == "ok"
    assert (await ping(apiKey=key, u=someone.user.username))["error"]["code"] == 43
    assert (await ping(apiKey="vz_not-a-key"))["error"]["code"] == 44


async def test_the_password_is_sealed_and_revocable(app: FastAPI, client) -> None:
    someone = await member(app)
    await with_password(app, someone)
    async with app.state.db.reader() as session:
        row = (await session.scalars(select(SubsonicCredential))).one()
    assert PASSWORD.encode() not in row.sealed_password
    async with write_transaction(app.state.db) as session:
        assert await credentials.revoke_password(session, someone.user)
    assert await Sub(client, someone.user.username).error("ping") == 40


async def test_extensions_need_no_sign_in_and_unknown_methods_are_errors(client) -> None:
    response = await client.get("/rest/getOpenSubsonicExtensions", params={"f": "json"})
    names = {e["name"] for e in response.json()["subsonic-response"]["openSubsonicExtensions"]}
    assert {"apiKeyAuthentication", "formPost", "songLyrics"} <= names
    unknown = await client.get("/rest/getNowPlayingForEveryone", params={"f": "json"})
    assert unknown.json()["subsonic-response"]["error"]["code"] == 0


async def test_form_posts_are_read(app: FastAPI, client) -> None:
    someone = await member(app)
    await with_password(app, someone)
    form = {"u": someone.user.username, "p": PASSWORD, "f": "json"}
    response = await client.post("/rest/ping.view", data=form)
    assert response.json()["subsonic-response"]["status"] == "ok"


async def test_subsonic_routes_stay_out_of_the_served_schema(client) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    assert not any(path.startswith("/rest") for path in schema["paths"])
