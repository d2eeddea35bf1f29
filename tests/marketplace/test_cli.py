"""`veza marketplace`: a pending order paid or failed from the command line, a promo code
created there and used by an order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from tests.factories import member
from tests.marketplace.support import ORDERS, new_product, order, seller
from veza.cli import app as cli
from veza.config import LogSettings, get_settings
from veza.kit.logging import configure_logging

runner = CliRunner()


@pytest.fixture
def command_env(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command line pointed at the test's database."""
    settings = app.state.settings
    monkeypatch.setenv("VEZA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VEZA_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("VEZA_AUTH__JWT_SECRET", settings.auth.jwt_secret.get_secret_value())
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    configure_logging(LogSettings(level="WARNING"))


async def _veza(*args: str) -> Result:
    return await asyncio.to_thread(runner.invoke, cli, ["marketplace", *args])


@pytest.mark.usefixtures("command_env")
async def test_pending_orders_are_settled_and_promo_codes_made_from_the_command_line(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.marketplace.sandbox_auto_pay = False
    maker, buyer, other = await seller(app), await member(app), await member(app)
    product = await new_product(client, maker, price=40)

    made = await _veza("promo-code", "launch", "--fixed-cents", "1000", "--max-uses", "1")
    assert made.exit_code == 0 and "LAUNCH" in made.output, made.output
    pending = (await order(client, buyer, product["id"], promo_code="Launch")).json()
    assert (pending["status"], pending["total_amount"]) == ("pending", 30.0)

    paid = await _veza("pay", pending["id"])
    assert paid.exit_code == 0 and "completed" in paid.output, paid.output
    assert (await _veza("pay", pending["id"])).exit_code != 0  # paid once only
    shown = (await client.get(f"{ORDERS}/{pending['id']}", headers=buyer.headers)).json()
    assert (shown["status"], shown["payment_status"]) == ("completed", "succeeded")

    declined = (await order(client, other, product["id"])).json()
    assert (await _veza("fail", declined["id"])).exit_code == 0
    assert (await client.get(f"{ORDERS}/{declined['id']}", headers=other.headers)).json()[
        "status"
    ] == "failed"
    assert (await _veza("pay", "not-an-id")).exit_code != 0
    assert (await _veza("promo-code", "both", "--percent", "5", "--fixed-cents", "5")).exit_code
