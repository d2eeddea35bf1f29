"""`veza marketplace`: sandbox payments, refunds and promo codes, which have no API route."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import typer

from veza.commands.common import run_with_database

marketplace_cli = typer.Typer(
    help="Marketplace operations without an API route: sandbox payments, refunds, promo codes."
)


def _settle(order_id: str, outcome: str) -> None:
    from veza.marketplace.admin import settle_order

    try:
        order = uuid.UUID(order_id)
        status = run_with_database(
            lambda db, settings: settle_order(db, order, outcome, settings.marketplace)  # type: ignore[arg-type]
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="ORDER_ID") from exc
    typer.echo(f"order {order_id} is {status}")


@marketplace_cli.command("pay")
def marketplace_pay(order_id: str) -> None:
    """Pay a pending order (the sandbox provider's success)."""
    _settle(order_id, "pay")


@marketplace_cli.command("fail")
def marketplace_fail(order_id: str) -> None:
    """Fail a pending order (the sandbox provider's decline)."""
    _settle(order_id, "fail")


@marketplace_cli.command("refund")
def marketplace_refund(order_id: str) -> None:
    """Refund a paid order at any time (the buyer's own refund keeps to the deadline)."""
    _settle(order_id, "refund")


@marketplace_cli.command("promo-code")
def marketplace_promo_code(
    code: str,
    percent: int | None = typer.Option(None, help="Percent off (1-100)"),
    fixed_cents: int | None = typer.Option(None, help="Amount off, in cents"),
    product_id: str | None = typer.Option(None, help="Only for this product"),
    seller_id: str | None = typer.Option(None, help="Only for this seller's products"),
    expires_at: datetime | None = typer.Option(None, help="Expiry (UTC), e.g. 2027-01-31T23:59"),
    max_uses: int | None = typer.Option(None, help="Uses allowed in all"),
) -> None:
    """Create a promo code (percent or fixed, for a product, a seller or everything)."""
    from veza.marketplace.admin import add_promo_code

    if (percent is None) == (fixed_cents is None):
        raise typer.BadParameter("give exactly one of --percent and --fixed-cents")
    try:
        product = uuid.UUID(product_id) if product_id else None
        seller = uuid.UUID(seller_id) if seller_id else None
        expiry = expires_at.replace(tzinfo=expires_at.tzinfo or UTC) if expires_at else None
        promo_id = run_with_database(
            lambda db, command_settings: add_promo_code(
                db,
                code,
                kind="percent" if percent is not None else "fixed",
                value=percent if percent is not None else fixed_cents or 0,
                product_id=product,
                seller_id=seller,
                expires_at=expiry,
                max_uses=max_uses,
            )
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"promo code {code.strip().upper()} created ({promo_id})")
