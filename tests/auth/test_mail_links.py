"""The links of the verification and reset mails: whole on one line of the written .eml, and
pointing, when no web app URL is set, at the API's own pages, which complete the flows."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.conftest import (
    API,
    STRONG_PASSWORD,
    fetch_user,
    last_token_for,
    login,
    mail_text,
    outbox,
    register,
)
from tests.factories import PASSWORD
from veza.app import create_app
from veza.config import Settings
from veza.models import User

NEW_PASSWORD = "a brand new passphrase 7"
PAGES = "http://127.0.0.1:18080/account"  # the default public URL and the pages' prefix


def _eml_lines(settings: Settings) -> list[str]:
    files = sorted(Path(settings.mail_dir).glob("*.eml"))
    assert files, "no mail written"
    return files[-1].read_text().splitlines()


async def test_the_verification_link_is_whole_on_one_line_and_points_at_the_built_in_page(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await register(client, "lena@example.com")).status_code == 201
    token = last_token_for(settings, "lena@example.com", "confirm")
    lines = _eml_lines(settings)
    assert f"{PAGES}/verify-email?token={token}" in lines
    assert not any("quoted-printable" in line.lower() for line in lines)


async def test_links_point_at_the_web_app_when_its_url_is_set(settings: Settings) -> None:
    server = settings.server.model_copy(update={"frontend_url": "https://app.veza.test/"})
    app = create_app(settings.model_copy(update={"server": server}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await register(client, "mona@example.com")).status_code == 201
    await app.state.db.dispose()
    token = last_token_for(settings, "mona@example.com", "confirm")
    assert f"https://app.veza.test/verify-email?token={token}" in _eml_lines(settings)


async def test_the_built_in_page_completes_a_verification(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    registered = await register(client, "nina@example.com")
    token = last_token_for(settings, "nina@example.com", "confirm")
    link = _link_in_mail(settings, "nina@example.com", "confirm")
    page = await client.get(link)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert f'name="token" value="{token}"' in page.text
    assert 'action="verify-email"' in page.text  # relative: the page posts to itself
    user = await fetch_user(app, registered.json()["user"]["id"])
    assert user.is_verified is False  # opening the link (mail scanners do) spends nothing

    done = await client.post("/account/verify-email", data={"token": token})
    assert done.status_code == 200, done.text
    assert "confirmed" in done.text
    assert (await login(client, "nina@example.com", STRONG_PASSWORD)).status_code == 200
    again = await client.post("/account/verify-email", data={"token": token})
    assert again.status_code == 400
    assert "Invalid or expired verification token" in again.text


async def test_the_built_in_page_completes_a_password_reset(
    client: httpx.AsyncClient, settings: Settings, user: User
) -> None:
    await client.post(f"{API}/auth/password/reset-request", json={"email": user.email})
    token = last_token_for(settings, user.email, "reset")
    page = await client.get(_link_in_mail(settings, user.email, "reset"))
    assert page.status_code == 200
    assert f'name="token" value="{token}"' in page.text
    assert 'name="new_password"' in page.text and 'type="password"' in page.text

    form = {"token": token, "new_password": NEW_PASSWORD}
    differ = await client.post(
        "/account/reset-password", data={**form, "new_password_confirmation": "something else"}
    )
    assert differ.status_code == 400 and "differ" in differ.text
    weak = await client.post(
        "/account/reset-password",
        data={**form, "new_password": "short", "new_password_confirmation": "short"},
    )
    assert weak.status_code == 400 and "new_password" in weak.text
    assert f'value="{token}"' in weak.text  # the refused password left the link usable

    done = await client.post(
        "/account/reset-password", data={**form, "new_password_confirmation": NEW_PASSWORD}
    )
    assert done.status_code == 200, done.text
    assert "password is changed" in done.text
    assert (await login(client, user.email, PASSWORD)).status_code == 401
    assert (await login(client, user.email, NEW_PASSWORD)).status_code == 200
    assert any("changed" in str(m["Subject"]) for m in outbox(settings))  # the notice went out


@pytest.mark.parametrize("page", ["verify-email", "reset-password"])
async def test_the_pages_escape_what_they_echo(client: httpx.AsyncClient, page: str) -> None:
    hostile = '"><script>alert(1)</script>'
    shown = await client.get(f"/account/{page}", params={"token": hostile})
    assert shown.status_code == 200
    assert "<script>" not in shown.text
    assert "&quot;&gt;&lt;script&gt;" in shown.text
    refused = await client.post(
        f"/account/{page}",
        data={"token": hostile, "new_password": NEW_PASSWORD, "new_password_confirmation": "x"},
    )
    assert refused.status_code == 400
    assert "<script>" not in refused.text


async def test_the_verification_page_without_a_token_asks_for_it(
    client: httpx.AsyncClient,
) -> None:
    shown = await client.get("/account/verify-email")
    assert shown.status_code == 200 and 'name="token" required' in shown.text
    refused = await client.post("/account/verify-email", data={})
    assert refused.status_code == 400 and "incomplete" in refused.text


def _link_in_mail(settings: Settings, address: str, subject_part: str) -> str:
    """The mail's link, made relative to the test client's base URL."""
    mails = [
        m
        for m in outbox(settings)
        if m["To"] == address and subject_part.lower() in str(m["Subject"]).lower()
    ]
    text = mail_text(mails[-1])
    match = re.search(re.escape(PAGES) + r"(/\S+)", text)
    assert match, text
    return "/account" + match.group(1)
