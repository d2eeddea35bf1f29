"""reset-request and resend-verification must not tell, by their timing, whether an address
has an account: the request does the same for every address, and what a real account needs
(the lookup, the token, the mail) happens once the response has been sent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.auth.conftest import API
from tests.factories import create_user
from veza.kit.mail import Mail


class _RecordingMailer:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    async def send(self, mail: Mail) -> None:
        self.events.append(f"mail to {mail.to}")


async def _observe(app: FastAPI, path: str, address: str) -> tuple[list[str], list[str]]:
    """What happened before the response was sent, and what happened after."""
    events: list[str] = []
    app.state.mailer = _RecordingMailer(events)

    def on_statement(*_: Any) -> None:
        events.append("sql")

    async def observed(scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                events.append("response sent")

        await app(scope, receive, sending)

    engine = app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        transport = httpx.ASGITransport(app=observed)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.post(f"{API}{path}", json={"email": address})
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
    assert response.status_code == 200, response.text
    cut = events.index("response sent")
    return events[:cut], events[cut + 1 :]


@pytest.mark.parametrize(
    ("path", "account"),
    [
        ("/auth/password/reset-request", {}),
        ("/auth/resend-verification", {"is_verified": False, "email_verified_at": None}),
    ],
)
async def test_the_work_for_a_known_address_happens_after_the_response(
    app: FastAPI, path: str, account: dict[str, Any]
) -> None:
    user = await create_user(app, **account)
    before_known, after_known = await _observe(app, path, user.email)
    before_unknown, after_unknown = await _observe(app, path, "nobody@example.com")
    # Before the answer: the same, and no database work at all.
    assert before_known == before_unknown == []
    # After it: the lookup for both, the token and the mail only for the account.
    assert after_unknown and set(after_unknown) == {"sql"}
    assert after_known[-1] == f"mail to {user.email}"
    assert after_known.count("sql") > len(after_unknown)
