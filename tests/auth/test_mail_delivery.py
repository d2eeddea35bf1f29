"""The accounts mails through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import re

import httpx

from tests.auth.conftest import API, register
from tests.smtp_server import smtp_server
from veza.app import create_app
from veza.config import Settings, SmtpSettings


async def test_verification_mail_goes_through_smtp_and_its_link_works(
    settings: Settings,
) -> None:
    with smtp_server() as (inbox, port):
        smtp = SmtpSettings(host="127.0.0.1", port=port, starttls=False)
        app = create_app(settings.model_copy(update={"smtp": smtp}))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await register(client, "zoe@example.com")).status_code == 201
            assert len(inbox.envelopes) == 1
            _, recipients, message = inbox.envelopes[0]
            assert recipients == ["zoe@example.com"]
            body = message.get_payload(decode=True)
            assert isinstance(body, bytes)
            link = r"http://127\.0\.0\.1:18080/account/verify-email\?token=([\w-]+)\r?$"
            match = re.search(link, body.decode(), re.MULTILINE)
            assert match
            verified = await client.post(
                f"{API}/auth/verify-email", headers={"X-Verify-Token": match.group(1)}
            )
            assert verified.status_code == 200
        await app.state.db.dispose()
    assert not settings.mail_dir.exists() or not list(settings.mail_dir.glob("*.eml"))
